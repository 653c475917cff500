import Foundation
import PipelineCore

/// How sure the stage is of its cut-out, and the named reasons a person should look.
struct Assessment {
    var matte: RetouchRecord.Matte
    var flags: [String]
    var confidence: Double
    var touches: [String]
    /// Share of the frame read as backdrop, shadow included.
    var coverage: Double

    static let seeThroughLimit = 0.2
    static let highlightLimit = 0.02
    static let lowContrastShareLimit = 0.25
    static let unevenResidual = 0.05
    static let sparseLimit = 0.2
    /// Below this share of the frame read as backdrop there is too little to model it.
    static let minCoverage = 0.2

    init(coarse: CoarseMatte, edgeContrasts: [Double], settings: RetouchSettings, correctionCapped: Bool, colouredUnreferenced: Bool) {
        let w = coarse.width, h = coarse.height, n = w * h
        var contrasts = edgeContrasts
        var nearBackdrop = 0, product = 0
        var border = (left: 0, top: 0, right: 0, bottom: 0)
        var box = (x0: w, y0: h, x1: -1, y1: -1)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                guard coarse.labels[i] == .product else { continue }
                product += 1
                box = (min(box.x0, x), min(box.y0, y), max(box.x1, x), max(box.y1, y))
                if x == 0 { border.left += 1 }; if x == w - 1 { border.right += 1 }
                if y == 0 { border.top += 1 }; if y == h - 1 { border.bottom += 1 }
                let outline = (x > 0 && coarse.labels[i - 1] != .product) || (x < w - 1 && coarse.labels[i + 1] != .product)
                    || (y > 0 && coarse.labels[i - w] != .product) || (y < h - 1 && coarse.labels[i + w] != .product)
                if !outline && Lab.deltaE76(coarse.observed[i], coarse.backdropColour[i]) < settings.lowContrastDeltaE * 0.6 { nearBackdrop += 1 }
            }
        }
        contrasts.sort()
        let edge = contrasts.isEmpty ? 0 : contrasts[contrasts.count / 2]
        let low = contrasts.isEmpty ? 1 : Double(contrasts.filter { $0 < settings.lowContrastDeltaE }.count) / Double(contrasts.count)
        let filled = Double(product + coarse.holeArea)
        // Holes that match the sweep exactly are real openings (a handle, a ring); backdrop seen
        // slightly dimmed or tinted inside the outline is what a glass shows.
        let seeThrough = filled > 0 ? Double(nearBackdrop) / filled : 0
        let highlights = product > 0 ? Double(coarse.highlightArea) / Double(product) : 0
        matte = RetouchRecord.Matte(edgeContrast: edge, lowContrastShare: low, productShare: Double(product) / Double(n),
                                    seeThroughShare: seeThrough, highlightShare: highlights)
        let minRun = 2
        touches = [("left", border.left), ("top", border.top), ("right", border.right), ("bottom", border.bottom)]
            .filter { $0.1 >= minRun }.map(\.0)

        var flags: [String] = []
        coverage = Double(n - product) / Double(n)
        if matte.productShare < 0.002 { flags.append("no_product") }
        if coverage < Assessment.minCoverage { flags.append("backdrop_not_found") }
        if edge < settings.lowContrastDeltaE || low > Assessment.lowContrastShareLimit { flags.append("low_contrast") }
        if seeThrough > Assessment.seeThroughLimit { flags.append("transparent") }
        if highlights > Assessment.highlightLimit { flags.append("reflective") }
        // Only an outline found (a glass whose inside reads as backdrop), or very thin parts.
        let boxArea = Double(max(0, box.x1 - box.x0 + 1) * max(0, box.y1 - box.y0 + 1))
        if product > 0 && Double(product) / boxArea < Assessment.sparseLimit { flags.append("sparse_outline") }
        if coarse.fitResidual > Assessment.unevenResidual { flags.append("uneven_backdrop") }
        // A blown-out white sweep is how many studios shoot: the cut-out and the correction are
        // judged on their own, so a clipped backdrop is no flag of its own.
        if correctionCapped { flags.append("correction_capped") }
        if colouredUnreferenced { flags.append("coloured_backdrop_unreferenced") }
        for side in touches { flags.append("touches_\(side)") }
        self.flags = flags

        let t = settings.lowContrastDeltaE
        let byContrast = min(max((edge - t * 0.5) / (t * 1.5), 0), 1)
        let byOutline = 1 - low
        let byFit = 1 - min(max((coarse.fitResidual - 0.02) / 0.08, 0), 1)
        var c = min(byContrast, byOutline, byFit)
        // A frame edge the product touches is a framing fault, not doubt about the cut-out.
        if flags.contains(where: { !$0.hasPrefix("touches_") }) { c = min(c, 0.5) }
        confidence = (c * 1000).rounded() / 1000
    }

    /// The flags a person is shown. A white product on a white sweep reads as backdrop inside its
    /// outline too, and `low_contrast` says why: named `transparent` as well, it sent reviewers
    /// looking for glass in every white bowl (4 of 4 real frames it fired on were porcelain). Applied
    /// last, once the network has settled which doubts stand: where `low_contrast` was answered by
    /// agreement, `transparent` is what still holds the frame.
    static func shown(_ flags: [String]) -> [String] {
        flags.contains("low_contrast") ? flags.filter { $0 != "transparent" } : flags
    }
}

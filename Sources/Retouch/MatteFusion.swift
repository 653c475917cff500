import Foundation

/// Keying and the network, compared at coarse scale: which of them makes the cut-out, and
/// whether they disagree enough that a person must look.
///
/// Keying (the backdrop model) is exact where it is sure: thin legs, holes, hair-fine edges.
/// The network knows what an object is: it finds a white bowl on a white cloth and a product on
/// a table. So keying wins where it is sure and the network agrees with its shape; the network
/// wins where keying itself says it is unsure; and when the two shapes differ, a person looks.
enum MatteFusion {
    enum Winner: String { case keying, network }

    /// Keying's own doubts: where one of these stands, the network's cut-out is used.
    static let keyingDoubts: Set<String> = ["low_contrast", "no_product", "sparse_outline", "backdrop_not_found", "uneven_backdrop"]
    /// Doubts the network answers when it agrees with keying's rough shape: they say the keyer
    /// found the edge hard, not that the product is.
    static let answeredByAgreement: Set<String> = ["low_contrast", "sparse_outline", "uneven_backdrop"]
    static let disagreeFlag = "segmenters_disagree"

    /// The network's opinion as product where it is at least this sure.
    static let productLevel: Float = 0.5

    static func winner(keyingFlags: [String]) -> Winner {
        keyingFlags.contains(where: keyingDoubts.contains) ? .network : .keying
    }

    /// IoU of the two cut-outs on blocks of about 1/64 of the frame's long side, a block being
    /// product when at least half its pixels are: the shape, not the thin parts (chair legs, straps)
    /// the network's low resolution loses. Two empty cut-outs agree.
    static func agreement(keying: [Bool], network: [Bool], width w: Int, height h: Int) -> Double {
        let b = max(2, max(w, h) / 64)
        let bw = (w + b - 1) / b, bh = (h + b - 1) / b
        var countK = [Int](repeating: 0, count: bw * bh), countN = countK, total = countK
        for y in 0..<h {
            for x in 0..<w {
                let j = (y / b) * bw + x / b, i = y * w + x
                total[j] += 1
                if keying[i] { countK[j] += 1 }
                if network[i] { countN[j] += 1 }
            }
        }
        var both = 0, either = 0
        for j in 0..<(bw * bh) {
            let k = countK[j] * 2 >= total[j], n = countN[j] * 2 >= total[j]
            if k && n { both += 1 }
            if k || n { either += 1 }
        }
        return either == 0 ? 1 : Double(both) / Double(either)
    }

    /// Keying's product where the network sees nothing (below this), away from the network's
    /// product and running into the frame's edge, is backdrop the keyer mistook: the end of a
    /// sweep, a table's edge, a fabric fold, a band of wall. Such regions inside the frame stay
    /// (a chair's legs the network's low resolution missed; a prop, for the stray-parts gate).
    static let vetoLevel: Float = 0.1

    /// Keying's labels with the regions the network vetoes turned to backdrop. Nothing changes
    /// when the network found no product of its own.
    static func pruned(keying labels: [CoarseMatte.Label], probability: [Float], width w: Int, height h: Int) -> [CoarseMatte.Label] {
        let core = probability.map { $0 >= productLevel }
        guard Double(core.reduce(0) { $0 + ($1 ? 1 : 0) }) >= 0.002 * Double(w * h) else { return labels }
        let reach = GuidedFilter.boxMean(core.map { $0 ? 1 : 0 }, w, h, max(2, max(w, h) / 100))
        let vetoed = (0..<(w * h)).map { labels[$0] == .product && probability[$0] < vetoLevel && reach[$0] == 0 }
        var out = labels
        for part in CoarseMatte.components(width: w, height: h, where: { vetoed[$0] }, diagonal: true) {
            let touchesEdge = part.contains { let x = $0 % w, y = $0 / w; return x == 0 || y == 0 || x == w - 1 || y == h - 1 }
            if touchesEdge { for i in part { out[i] = .backdrop } }
        }
        return out
    }

    /// The network's cut-out as coarse labels: product where it is sure; elsewhere what keying
    /// said, with keying's product turned to backdrop (keying's shadows stay shadows).
    static func networkLabels(probability: [Float], keying: [CoarseMatte.Label]) -> [CoarseMatte.Label] {
        zip(probability, keying).map { p, k in p >= productLevel ? .product : (k == .product ? .backdrop : k) }
    }

    /// The flags that stand once the winner is known. With the network's cut-out, keying's doubts
    /// that agreement answers are dropped; disagreement is always a flag.
    static func flags(_ flags: [String], winner: Winner, agreement: Double, minimum: Double) -> [String] {
        let agree = agreement >= minimum
        var out = flags
        if winner == .network && agree { out.removeAll(where: answeredByAgreement.contains) }
        if !agree && !out.contains(disagreeFlag) { out.append(disagreeFlag) }
        return out
    }

    /// The cut-out's confidence once the winner is known: keying's own, or the agreement when the
    /// network's cut-out is used; never above 0.5 while a flag other than a frame edge stands.
    static func confidence(keying: Double, flags: [String], winner: Winner, agreement: Double) -> Double {
        var c = winner == .keying ? keying : agreement
        if flags.contains(where: { !$0.hasPrefix("touches_") }) { c = min(c, 0.5) }
        return c
    }
}

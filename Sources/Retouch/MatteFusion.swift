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
    /// Both are compared as silhouettes, openings filled: the network fills a ring's hole or a
    /// chair's back, which keying rightly keeps open (`disputedOpenings` judges openings). Where
    /// keying is sure of clean sweep (`sureBackdrop`: the floor between a chair's legs, which the
    /// network's low resolution smears into product) the network's product is not counted.
    static func agreement(keying rawKeying: [Bool], network rawNetwork: [Bool], sureBackdrop: [Bool]? = nil, width w: Int, height h: Int) -> Double {
        let keying = filled(rawKeying, width: w, height: h)
        var network = filled(rawNetwork, width: w, height: h)
        if let sure = sureBackdrop { for i in network.indices where sure[i] && !keying[i] { network[i] = false } }
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

    /// The mask with every region it encloses filled: what the frame's border cannot reach.
    static func filled(_ mask: [Bool], width w: Int, height h: Int) -> [Bool] {
        var outside = [Bool](repeating: false, count: w * h)
        var stack: [Int] = []
        for i in 0..<(w * h) where !mask[i] {
            let x = i % w, y = i / w
            if x == 0 || y == 0 || x == w - 1 || y == h - 1 { outside[i] = true; stack.append(i) }
        }
        while let p = stack.popLast() {
            let x = p % w, y = p / w
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < w && ny < h {
                let q = ny * w + nx
                if !outside[q] && !mask[q] { outside[q] = true; stack.append(q) }
            }
        }
        return outside.map { !$0 }
    }

    /// Openings keying cut that are more likely a face than a hole: the network sees product there
    /// and keying itself found product parts standing alone inside them (a clock's white dial keyed
    /// out around its numbers and hands). A ring's hole or a chair's back holds nothing.
    static func disputedOpenings(keying labels: [CoarseMatte.Label], probability: [Float], width w: Int, height h: Int) -> Int {
        let product = labels.map { $0 == .product }
        let silhouette = filled(product, width: w, height: h)
        let parts = CoarseMatte.components(width: w, height: h, where: { product[$0] }, diagonal: true)
        guard let main = parts.max(by: { $0.count < $1.count }) else { return 0 }
        var owner = [Int](repeating: -1, count: w * h)
        let holes = CoarseMatte.components(width: w, height: h, where: { silhouette[$0] && !product[$0] }, diagonal: false)
        for (k, hole) in holes.enumerated() { for i in hole { owner[i] = k } }
        var islands = [Int](repeating: 0, count: holes.count)
        let mainSet = Set(main)
        for part in parts where part.count != main.count || !mainSet.contains(part[0]) {
            // The one opening this part touches, if it touches only one.
            var touched = Set<Int>()
            for p in part {
                let x = p % w, y = p / w
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < w && ny < h {
                    let q = ny * w + nx
                    if !product[q] { touched.insert(owner[q]) }
                }
            }
            if touched.count == 1, let k = touched.first, k >= 0 { islands[k] += part.count }
        }
        var disputed = 0
        for (k, hole) in holes.enumerated() where islands[k] > 0 && hole.count >= 20 {
            let mean = hole.reduce(Float(0)) { $0 + probability[$1] } / Float(hole.count)
            if mean >= productLevel { disputed += 1 }
        }
        return disputed
    }

    /// The network's cut-out as coarse labels: product where it is sure; elsewhere what keying
    /// said, with keying's product turned to backdrop (keying's shadows stay shadows).
    static func networkLabels(probability: [Float], keying: [CoarseMatte.Label]) -> [CoarseMatte.Label] {
        zip(probability, keying).map { p, k in p >= productLevel ? .product : (k == .product ? .backdrop : k) }
    }

    /// The flags that stand once the winner is known. With the network's cut-out, keying's doubts
    /// that agreement answers are dropped; disagreement is always a flag, and so is an opening of
    /// keying's that the network disputes while keying's cut-out is used.
    static func flags(_ flags: [String], winner: Winner, agreement: Double, minimum: Double, disputedOpenings: Int = 0) -> [String] {
        let agree = agreement >= minimum && (winner == .network || disputedOpenings == 0)
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

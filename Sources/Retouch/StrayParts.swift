/// Parts of the coarse matte detached from the product and far smaller than it: a prop, a strip
/// of tape, a large speck the speck cleaner kept. They would stand in the white background of the
/// master, so they are counted as a share of the background. Parts at least `companionShare` of
/// the largest are the product's own (a pair of shoes, earrings) and do not count.
enum StrayParts {
    static let companionShare = 0.15

    static func share(_ coarse: CoarseMatte) -> Double {
        let w = coarse.width, h = coarse.height
        let parts = CoarseMatte.components(width: w, height: h, where: { coarse.labels[$0] == .product }, diagonal: true)
        guard let largest = parts.map(\.count).max(), largest > 0 else { return 0 }
        let stray = parts.filter { Double($0.count) < companionShare * Double(largest) }.reduce(0) { $0 + $1.count }
        let background = w * h - parts.reduce(0) { $0 + $1.count } + stray
        return background > 0 ? Double(stray) / Double(background) : 0
    }
}

import Foundation
import Imaging

/// Islands of the mask detached from the product and far smaller than it. Retouch's full-size edge
/// matting can keep a few pixels of the shot's dark floor shadow a few pixels outside the outline
/// as product (a rubber duck's master held 28 islands of 4–10 px, mean level ~17): drawn, each is a
/// dark dot beside the edge. A part at least `share` of the largest (the other earring) is product.
enum MaskSpecks {
    static let share = 0.001

    /// The mask (one band) with its specks cleared; the same image when it has none.
    static func cleared(_ mask: Image) throws -> Image {
        var p = try mask.pixels()
        return try removeSpecks(&p) > 0 ? try Image(p) : mask
    }

    /// Clears islands (8-connected, alpha > 0) under `share` of the largest; returns the pixels cleared.
    @discardableResult
    static func removeSpecks(_ p: inout PixelBuffer) -> Int {
        let w = p.width, h = p.height, bands = p.bands
        var label = [Int32](repeating: 0, count: w * h)
        var sizes: [Int] = [0]
        var stack: [Int] = []
        p.data.withUnsafeBufferPointer { d in
            for start in 0..<(w * h) where d[start * bands] > 0 && label[start] == 0 {
                let id = Int32(sizes.count)
                var count = 0
                label[start] = id; stack.append(start)
                while let i = stack.popLast() {
                    count += 1
                    let x = i % w, y = i / w
                    for ny in max(0, y - 1)...min(h - 1, y + 1) { for nx in max(0, x - 1)...min(w - 1, x + 1) {
                        let j = ny * w + nx
                        if label[j] == 0 && d[j * bands] > 0 { label[j] = id; stack.append(j) }
                    } }
                }
                sizes.append(count)
            }
        }
        guard sizes.count > 2, let largest = sizes.max() else { return 0 }
        let minimum = Double(largest) * share
        let speck = sizes.map { Double($0) < minimum }
        var cleared = 0
        for i in 0..<(w * h) where label[i] > 0 && speck[Int(label[i])] {
            for b in 0..<bands { p.data[i * bands + b] = 0 }
            cleared += 1
        }
        return cleared
    }
}

@testable import Generate
import XCTest

/// The compositor's fast paths give exactly what the plain code they replaced gave, so a variant's
/// bytes do not depend on which path ran.
final class FastPathTests: XCTestCase {
    /// A fixed sequence of pseudo-random numbers in 0..<1.
    func numbers(_ n: Int, seed: UInt64) -> [Float] {
        var x = seed
        return (0..<n).map { _ in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return Float(x >> 40) / Float(1 << 24)
        }
    }

    func testTheKthSmallestIsTheSortedListsKth() {
        for (n, seed) in [(1, 1), (2, 2), (7, 3), (100, 4), (10_001, 5)] as [(Int, UInt64)] {
            // Coarse values, so there are many ties.
            let list = numbers(n, seed: seed).map { ($0 * 50).rounded() }
            let sorted = list.sorted()
            for k in Set([0, n / 2, n * 9 / 10, n - 1]) {
                var copy = list
                XCTAssertEqual(Select.kth(&copy, k), sorted[k], "n \(n), k \(k)")
            }
        }
    }

    func testFloorByteTruncatesLikeUInt8() {
        var x: Float = 0
        while x <= 255 {
            XCTAssertEqual(Enlarge.floorByte(x), UInt8(x), "\(x)")
            x = x.nextUp < x + 0.001 ? x + 0.001 : x.nextUp
        }
        for k in 0...255 {
            let v = Float(k)
            XCTAssertEqual(Enlarge.floorByte(v), UInt8(k))
            XCTAssertEqual(Enlarge.floorByte(v + 0.5), UInt8(k) , "halfway above \(k)")
            if k > 0 { XCTAssertEqual(Enlarge.floorByte(v.nextDown), UInt8(k - 1), "just below \(k)") }
        }
    }

    func testTheGaussianEqualsTheClampedSumEverywhere() {
        for (w, h, sigma) in [(40, 30, Float(1.5)), (9, 5, 2.0), (3, 200, 4.0), (64, 64, 0.8)] {
            let v = numbers(w * h, seed: UInt64(w * h))
            XCTAssertEqual(Blur.gaussian(v, width: w, height: h, sigma: sigma), reference(v, w, h, sigma), "\(w)×\(h), σ \(sigma)")
        }
    }

    /// The blur as first written: every tap clamped to the grid.
    func reference(_ v: [Float], _ w: Int, _ h: Int, _ sigma: Float) -> [Float] {
        let r = Int((sigma * 3).rounded(.up))
        var kernel = (-r...r).map { expf(-Float($0 * $0) / (2 * sigma * sigma)) }
        let sum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / sum }
        var tmp = [Float](repeating: 0, count: w * h), out = tmp
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for k in -r...r { s += kernel[k + r] * v[y * w + min(w - 1, max(0, x + k))] }
            tmp[y * w + x] = s
        } }
        for y in 0..<h { for x in 0..<w {
            var s: Float = 0
            for k in -r...r { s += kernel[k + r] * tmp[min(h - 1, max(0, y + k)) * w + x] }
            out[y * w + x] = s
        } }
        return out
    }
}

import Foundation
import PipelineCore

/// Why a product cannot be placed on a plate: `no_scale`, `does_not_fit`, `empty_product`.
public typealias PlacementError = GenerateError

/// Where the master goes on a plate: pure arithmetic, so the rules can be read and tested without pixels.
///
/// The product's box is scaled to its height on the plate (catalogue height × `px_per_cm` when both are
/// known, else `product_height_share` of the plate's height), the base of the box stands on the contact
/// point, and the box is centred on it horizontally.
///
/// The master is never upscaled beyond `maxMasterScale` (1 by default: more would invent detail in the
/// product, which is the one thing a variant must not do). When the plate at the asked size would need
/// more, the whole composition is made smaller instead (plate and product together), the output comes out
/// below the asked size, and `limitedByMaster` says so; the caller decides whether that still serves the
/// channel.
public enum PlacementPlanner {
    public struct Request: Sendable {
        public var masterWidth: Int
        public var masterHeight: Int
        /// The product's box in master pixels: x, y, width, height (the retouch record's `frame.productBox`).
        public var productBox: [Int]
        /// The product's physical height, from the catalogue, when known.
        public var productHeightCm: Double?
        /// The output's long side as asked (the largest the variant's channels need).
        public var targetLongSide: Int
        public var maxMasterScale: Double
        public var seed: UInt64

        public init(masterWidth: Int, masterHeight: Int, productBox: [Int], productHeightCm: Double?,
                    targetLongSide: Int, maxMasterScale: Double = 1, seed: UInt64 = 0) {
            self.masterWidth = masterWidth; self.masterHeight = masterHeight; self.productBox = productBox
            self.productHeightCm = productHeightCm; self.targetLongSide = targetLongSide
            self.maxMasterScale = maxMasterScale; self.seed = seed
        }
    }

    public static func plan(_ r: Request, on plate: ScenePlate) throws -> VariantPlacement {
        guard r.productBox.count == 4, r.productBox[2] > 0, r.productBox[3] > 0 else {
            throw GenerateError("empty_product", "the master has no product box")
        }
        let (bx, by, bw, bh) = (Double(r.productBox[0]), Double(r.productBox[1]), Double(r.productBox[2]), Double(r.productBox[3]))
        let pw = Double(plate.width), ph = Double(plate.height)

        // The product's height in plate pixels, by the first rule that applies.
        let heightOnPlate: Double, rule: String
        if let perCm = plate.scale.pxPerCm, let cm = r.productHeightCm, cm > 0 {
            heightOnPlate = cm * perCm; rule = "px_per_cm"
        } else if let share = plate.scale.productHeightShare {
            heightOnPlate = share * ph; rule = "height_share"
        } else {
            throw GenerateError("no_scale", "plate \(plate.name) gives only px_per_cm and the product's height is not in the catalogue")
        }

        var plateScale = Double(r.targetLongSide) / max(pw, ph)
        var scale = heightOnPlate * plateScale / bh
        let limited = scale > r.maxMasterScale
        if limited {
            plateScale *= r.maxMasterScale / scale
            scale = r.maxMasterScale
        }
        let outW = max(1, Int((pw * plateScale).rounded())), outH = max(1, Int((ph * plateScale).rounded()))

        let spot = plate.contact.point(u: unitInterval(seed: r.seed))
        let cx = spot.x * plateScale, cy = spot.y * plateScale
        let offsetX = Int((cx - (bx + bw / 2) * scale).rounded())
        let offsetY = Int((cy - (by + bh) * scale).rounded())

        let left = Double(offsetX) + bx * scale, top = Double(offsetY) + by * scale
        let right = left + bw * scale
        guard left >= 0, top >= 0, right <= Double(outW) else {
            throw GenerateError("does_not_fit", String(format:
                "on plate %@ the product's box (%.0f×%.0f px at %.0f, %.0f) leaves the %d×%d output; lower the plate's scale or move its contact",
                plate.name, bw * scale, bh * scale, left, top, outW, outH))
        }
        return VariantPlacement(scale: scale, offsetX: offsetX, offsetY: offsetY, outputWidth: outW, outputHeight: outH,
                                plateScale: plateScale, contact: [cx, cy], rule: rule, limitedByMaster: limited)
    }

    /// A number in 0…1 from the seed (SplitMix64's finaliser): the only variation a seed brings.
    static func unitInterval(seed: UInt64) -> Double {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

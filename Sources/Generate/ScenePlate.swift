import Foundation

/// One plate of a scene library: a photograph of a set (tabletop, shelf, room) and, from its sidecar,
/// where a product stands in it, how big it is there, and where the light comes from.
public struct ScenePlate: Sendable, Equatable {
    public var name: String
    public var imagePath: String
    public var sidecarPath: String
    /// The plate's size in pixels, from its header.
    public var width: Int
    public var height: Int
    public var tags: [String]
    public var contact: Contact
    public var scale: Scale
    public var light: Light
    /// A greyscale image the plate's size: 255 where something of the plate stands in front of the product.
    public var occluderPath: String?
    /// Strength (0–1) of the product's mirror image on the floor; 0 for none.
    public var reflection: Double
    /// Gaussian blur of the plate, sigma in plate pixels; 0 for none.
    public var defocus: Double

    public init(name: String, imagePath: String, sidecarPath: String, width: Int, height: Int, tags: [String], contact: Contact,
                scale: Scale, light: Light, occluderPath: String?, reflection: Double, defocus: Double) {
        self.name = name; self.imagePath = imagePath; self.sidecarPath = sidecarPath; self.width = width; self.height = height
        self.tags = tags; self.contact = contact; self.scale = scale; self.light = light; self.occluderPath = occluderPath
        self.reflection = reflection; self.defocus = defocus
    }

    /// Where the base of the product's box stands, in plate pixels.
    public enum Contact: Sendable, Equatable {
        case point(x: Double, y: Double)
        /// A line the base may stand anywhere along; `spread` (0–1) is how much of its length the seed
        /// may choose from, centred on its middle (0: always the middle).
        case line(x0: Double, y0: Double, x1: Double, y1: Double, spread: Double)

        /// The contact point for a position `u` in 0…1 chosen by the seed.
        public func point(u: Double) -> (x: Double, y: Double) {
            switch self {
            case let .point(x, y): return (x, y)
            case let .line(x0, y0, x1, y1, spread):
                let t = 0.5 + spread * (u - 0.5)
                return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            }
        }
    }

    /// How big a product is drawn. `pxPerCm` applies when the catalogue gives the product's height;
    /// `productHeightShare` (share of the plate's height the product's box fills) otherwise.
    public struct Scale: Sendable, Equatable {
        public var pxPerCm: Double?
        public var productHeightShare: Double?
        public init(pxPerCm: Double?, productHeightShare: Double?) { self.pxPerCm = pxPerCm; self.productHeightShare = productHeightShare }
    }

    /// The key light, seen from above: `azimuth` is where it comes from, in degrees (0 from the camera,
    /// 90 from the right, 180 from behind the set, 270 from the left); `elevation` above the floor.
    public struct Light: Sendable, Equatable {
        public var azimuth: Double = 180
        public var elevation: Double = 50
        /// 0 a hard shadow, 1 a very soft one.
        public var softness: Double = 0.5
        /// Darkening of the floor at the foot of the cast shadow (0–1).
        public var shadowOpacity: Double = 0.55
        /// Darkening right under the base, where the product meets the floor (0–1).
        public var contactOpacity: Double = 0.6
        public init() {}
    }
}

import Foundation
import Imaging

/// A synthetic studio shot: a product on a seamless sweep, lit unevenly, with a
/// soft contact shadow and sensor noise. Deterministic for a given spec, so the
/// demo, the tests and the benchmark can all make their own input.
public struct StudioFrame: Sendable {
    public var width: Int
    public var height: Int
    /// Backdrop level at the top centre (0–255) and its cast.
    public var backdrop = RGB(242, 241, 238)
    public var product = RGB(180, 40, 40)
    /// Product size as a fraction of the frame's height.
    public var productScale = 0.55
    /// Horizontal centre of the product, 0–1.
    public var productX = 0.5
    /// 0 = ellipse (a bottle seen from the front), 1 = rounded box.
    public var boxy = false
    public var noiseSigma = 2.0
    /// Lens blur (Gaussian sigma in frame pixels) over everything but the sensor noise: a missed focus.
    public var blurSigma = 0.0
    /// A dark prop (a strip of tape, a clip) on the sweep, away from the product.
    public var stray = false

    public init(width: Int, height: Int) { self.width = width; self.height = height }

    /// A varied frame per index: colours, shapes and positions differ, all reproducible.
    public static func sample(index: Int, width: Int, height: Int) -> StudioFrame {
        var f = StudioFrame(width: width, height: height)
        let palette: [RGB] = [RGB(180, 40, 40), RGB(30, 70, 150), RGB(40, 120, 60), RGB(200, 150, 40),
                              RGB(60, 60, 60), RGB(120, 60, 140), RGB(210, 110, 60), RGB(90, 150, 170)]
        f.product = palette[index % palette.count]
        f.boxy = index % 3 == 1
        f.productScale = 0.45 + Double(index % 5) * 0.06
        f.productX = 0.42 + Double(index % 7) * 0.025
        let warm = Double(index % 4) * 2
        f.backdrop = RGB(240 + warm / 2, 240, 238 - warm)
        return f
    }

    /// The smooth parts (sweep, product, shadow) are drawn at a quarter of the size and
    /// enlarged, which keeps a 24 MP frame fast to make; the sensor noise is full size.
    public func render() throws -> Image {
        let factor = min(width, height) >= 1600 ? 4 : 1
        let small = try renderSmooth(width: (width + factor - 1) / factor, height: (height + factor - 1) / factor)
        let enlarged = factor == 1 ? small : try small.resized(by: Double(factor))
        let smooth = blurSigma > 0 ? try enlarged.blurred(sigma: blurSigma) : enlarged
        let noisy = try smooth + (try Image.noise(width: smooth.width, height: smooth.height, sigma: noiseSigma))
        let fitted = (smooth.width == width && smooth.height == height) ? noisy
            : try noisy.cropped(x: 0, y: 0, width: width, height: height)
        return try fitted.castUChar()
    }

    private func renderSmooth(width: Int, height: Int) throws -> Image {
        let w = Double(width), h = Double(height)
        let (x, y) = try Image.coordinates(width: width, height: height)
        // Sweep: brighter at the top, falling off towards the edges (vignette).
        let dx = try x.linear(1 / w, -0.5), dy = try y.linear(1 / h, -0.5)
        let r2 = try (try dx * dx) + (try dy * dy)
        let light = try (try r2.linear(-0.35, 1.0)) + (try y.linear(-0.06 / h, 0))
        let sweep = try light.linear([backdrop.r, backdrop.g, backdrop.b], [0, 0, 0])

        // Product: an ellipse or a rounded box standing on the sweep.
        let ph = h * productScale, pw = ph * (boxy ? 0.8 : 0.55)
        let cx = w * productX, cy = h * 0.55
        let nx = try x.linear(1 / (pw / 2), -cx / (pw / 2)), ny = try y.linear(1 / (ph / 2), -cy / (ph / 2))
        let shape: Image
        if boxy {
            // Superellipse |x|^4 + |y|^4 < 1 gives a rounded box.
            let x2 = try nx * nx, y2 = try ny * ny
            shape = try (try x2 * x2) + (try y2 * y2)
        } else {
            shape = try (try nx * nx) + (try ny * ny)
        }
        let mask = try (try shape.less(than: 1)).blurred(sigma: max(0.6, h / 2000))
        // Shading across the product so it is not a flat cut-out.
        let shade = try nx.linear(-0.12, 1.0)
        let body = try shade.linear([product.r, product.g, product.b], [0, 0, 0])

        // Contact shadow: a soft dark ellipse under the product.
        let sx = try x.linear(1 / (pw * 0.7), -cx / (pw * 0.7)), sy = try y.linear(1 / (ph * 0.06), -(cy + ph / 2) / (ph * 0.06))
        let shadowShape = try (try sx * sx) + (try sy * sy)
        let shadow = try (try shadowShape.less(than: 1)).blurred(sigma: ph * 0.03)
        let shadowGain = try shadow.linear(-0.25 / 255, 1.0)
        let shadowed = try sweep * shadowGain

        let scene = try Image.select(mask: mask, body, shadowed)
        guard stray else { return scene }
        let side = h * 0.06
        let px = try x.linear(1 / side, -w * 0.86 / side), py = try y.linear(1 / side, -h * 0.84 / side)
        let square = try (try (try px * px) * (try px * px)) + (try (try py * py) * (try py * py))
        let prop = try (try square.less(than: 1)).blurred(sigma: 0.6)
        return try Image.select(mask: prop, try shade.linear([70, 70, 75], [0, 0, 0]), scene)
    }

    public func write(jpeg path: String, quality: Int = 92) throws {
        try render().saveJPEG(path, quality: quality, strip: true)
    }
}

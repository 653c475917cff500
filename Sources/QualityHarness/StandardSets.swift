import Foundation

/// The ground-truth set: plain opaque products on white and grey sweeps, a batch shot with
/// exposure and white-balance drift, coloured sweeps, and the hard cases.
public enum StandardSets {
    static let colours: [[Double]] = [
        [190, 40, 40], [30, 70, 150], [40, 120, 60], [210, 160, 40], [60, 60, 60], [120, 60, 140],
        [215, 110, 60], [90, 150, 170], [128, 128, 128], [35, 35, 40], [160, 160, 158], [150, 95, 60],
    ]

    public static func all(width: Int = 1500, height: Int = 1000) -> [Scene] {
        var scenes: [Scene] = []
        var rng = SeededRandom(seed: 20261129)
        func make(_ name: String, _ set: String, backdrop: [Double], product: [Double], shape: Scene.Shape) -> Scene {
            var s = Scene(name: name, set: set, seed: rng.next(), backdrop: backdrop, product: product, shape: shape)
            s.width = width; s.height = height
            s.falloff = rng.uniform(0.15, 0.35); s.gradient = rng.uniform(0.03, 0.1)
            s.noise = rng.uniform(1.5, 3); s.jpegQuality = Int(rng.uniform(82, 94))
            s.scale = rng.uniform(0.45, 0.7); s.centreX = rng.uniform(0.4, 0.6)
            s.shadowDepth = rng.uniform(0.3, 0.55)
            return s
        }
        for i in 0..<24 {
            let white = i % 2 == 0
            var s = make(String(format: "opaque-%02d", i), "opaque", backdrop: white ? [232, 232, 229] : [200, 201, 198],
                         product: colours[i % colours.count], shape: Scene.Shape.allCases[i % 6])
            s.ev = rng.uniform(-0.3, 0.05); s.kelvin = rng.uniform(5000, 6000)
            scenes.append(s)
        }
        let drifted: [([Double], Scene.Shape)] = [([190, 40, 40], .bottle), ([30, 70, 150], .box), ([128, 128, 128], .mug)]
        for (p, (colour, shape)) in drifted.enumerated() {
            let base = make("drift", "drift", backdrop: [170, 170, 168], product: colour, shape: shape)
            for ev in [-1.0, -0.5, 0, 0.5, 1] {
                for kelvin in [4500.0, 5500, 6500] {
                    var s = base
                    s.seed = rng.next()
                    s.name = String(format: "drift-%d-%+.1fEV-%.0fK", p, ev, kelvin)
                    s.ev = ev; s.kelvin = kelvin
                    scenes.append(s)
                }
            }
        }
        for (i, backdrop) in [[70.0, 150, 90], [60, 100, 170]].enumerated() {
            for j in 0..<3 {
                let colour = [[200.0, 50, 40], [220, 180, 60], [40, 40, 40]][j]
                scenes.append(make("coloured-\(i)-\(j)", "coloured", backdrop: backdrop, product: colour, shape: Scene.Shape.allCases[(i * 3 + j) % 6]))
            }
        }
        for i in 0..<4 {
            var s = make("white-\(i)", "hard", backdrop: [232, 232, 229], product: [[250, 250, 247], [244, 243, 238], [252, 250, 245], [240, 240, 240]][i],
                         shape: Scene.Shape.allCases[i])
            s.kind = .whiteOnWhite
            scenes.append(s)
        }
        for i in 0..<3 {
            var s = make("glass-\(i)", "hard", backdrop: [232, 232, 229], product: [150, 190, 200], shape: [.bottle, .box, .mug][i])
            s.kind = .transparent
            scenes.append(s)
        }
        for i in 0..<3 {
            var s = make("chrome-\(i)", "hard", backdrop: [210, 210, 208], product: [120, 122, 125], shape: [.bottle, .box, .ring][i])
            s.kind = .reflective
            scenes.append(s)
        }
        return scenes
    }
}

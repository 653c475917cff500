import Foundation
import Imaging

/// CIELAB of the stage's linear colours, through `Colour` (Imaging): contrast and cast figures a person can read.
enum Lab {
    static func from(linear c: SIMD3<Float>) -> Colour.Lab { Colour.lab(linear: [Double(c.x), Double(c.y), Double(c.z)]) }

    static func deltaE76(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Double {
        let p = from(linear: a), q = from(linear: b)
        return ((p.l - q.l) * (p.l - q.l) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b)).squareRoot()
    }
}

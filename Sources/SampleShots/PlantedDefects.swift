import Foundation
import Imaging

/// A batch of synthetic studio shots with known defects planted at fixed places, for testing the
/// review gates end to end and for calibrating their thresholds. All the other frames are clean
/// `StudioFrame.sample`s; two views per SKU.
public enum PlantedDefects {
    public enum Defect: String, CaseIterable, Sendable {
        case blurred, tooSmall = "too-small", clipped, cutOff = "cut-off", whiteOnWhite = "white-on-white",
             duplicate, stray, crushed

        /// The review gate that must catch it.
        public var gate: String {
            switch self {
            case .blurred: "sharpness"
            case .tooSmall: "resolution"
            case .clipped, .crushed: "exposure"
            case .cutOff: "framing"
            case .whiteOnWhite: "retouch"
            case .duplicate: "near-duplicate"
            case .stray: "background"
            }
        }
    }

    public struct Shot {
        public var name: String
        public var frame: StudioFrame
        public var defect: Defect?
        public init(name: String, frame: StudioFrame, defect: Defect?) { self.name = name; self.frame = frame; self.defect = defect }
    }

    /// Where each defect sits in a batch of at least 100 (spread out, none among the first ten,
    /// so the batch-relative checks have company).
    static let places: [Int: Defect] = [17: .blurred, 29: .tooSmall, 38: .clipped, 46: .cutOff, 57: .whiteOnWhite,
                                        69: .duplicate, 83: .stray, 91: .crushed]

    public static func shots(count: Int = 100, width: Int = 1200, height: Int = 800, firstSku: Int = 3001) -> [Shot] {
        (0..<count).map { i in
            let name = "SKU-\(firstSku + i / 2)_\(String(format: "%02d", i % 2 + 1)).jpg"
            var f = StudioFrame.sample(index: i, width: width, height: height)
            let defect = places[i]
            switch defect {
            case .blurred?: f.blurSigma = Double(height) / 200
            case .tooSmall?: f = StudioFrame.sample(index: i, width: width * 2 / 3, height: height * 2 / 3)
            case .clipped?:
                // A yellow product lit far too hard: red and green blow out on most of it.
                f.product = RGB(340, 300, 70)
            case .cutOff?: f.productX = 0.06; f.productScale = 0.6
            case .whiteOnWhite?: f.product = RGB(f.backdrop.r - 3, f.backdrop.g - 3, f.backdrop.b - 2)
            case .duplicate?:
                // The same product shot again: the previous frame of the same SKU, fresh sensor noise.
                f = StudioFrame.sample(index: i - 1, width: width, height: height)
                f.noiseSigma += 0.3
            case .stray?: f.stray = true
            case .crushed?:
                // A black product with far too little light on it: the sensor reads zero.
                f.product = RGB(-30, -30, -30)
            case nil: break
            }
            return Shot(name: name, frame: f, defect: defect)
        }
    }
}

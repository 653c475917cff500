import PipelineCore
import XCTest

final class FitPlanTests: XCTestCase {
    var square: ChannelPreset { BuiltinPresets.named("amazon-main")! }   // 2000², fill 0.88

    func testProductFillsThePresetShareCentred() throws {
        // A 4000×3000 master whose product is 1000×2500 at (1500, 200).
        let plan = try FitPlan.make(masterWidth: 4000, masterHeight: 3000, product: [1500, 200, 1000, 2500], preset: square)
        XCTAssertEqual(plan.scale, 0.88 * 2000 / 2500, accuracy: 1e-9)
        XCTAssertEqual(plan.fill, 0.88, accuracy: 1e-9)
        // The product's box lands centred on the canvas.
        let left = Double(plan.x) + 1500 * plan.scale, top = Double(plan.y) + 200 * plan.scale
        XCTAssertEqual(left + 1000 * plan.scale / 2, 1000, accuracy: 1)
        XCTAssertEqual(top + 2500 * plan.scale / 2, 1000, accuracy: 1)
        XCTAssertEqual(plan.scaledWidth, 2816)
    }

    func testPortraitCanvasIsBoundByItsNarrowSide() throws {
        let zalando = BuiltinPresets.named("zalando")!  // 1801×2600
        let wide = try FitPlan.make(masterWidth: 3000, masterHeight: 2000, product: [0, 0, 3000, 2000], preset: zalando)
        XCTAssertEqual(wide.scale, 0.85 * 1801 / 3000, accuracy: 1e-9, "width binds")
        let tall = try FitPlan.make(masterWidth: 1000, masterHeight: 4000, product: [0, 0, 1000, 4000], preset: zalando)
        XCTAssertEqual(tall.scale, 0.85 * 2600 / 4000, accuracy: 1e-9, "height binds")
    }

    func testTooSmallMasterIsRefusedNeverUpscaled() {
        XCTAssertThrowsError(try FitPlan.make(masterWidth: 1200, masterHeight: 1200, product: [100, 100, 1000, 1000], preset: square)) { e in
            let reason = (e as? FitPlan.TooSmall)?.reason ?? ""
            XCTAssertTrue(reason.contains("1000 px") && reason.contains("1760 px"), reason)
        }
    }

    func testMinFillZeroPadsASmallMasterAtNativeSize() throws {
        let plan = try FitPlan.make(masterWidth: 800, masterHeight: 600, product: nil, preset: BuiltinPresets.named("default")!)
        XCTAssertEqual(plan.scale, 1)
        XCTAssertEqual([plan.x, plan.y], [600, 700])
        XCTAssertEqual(plan.fill, 0.4, accuracy: 1e-9)
    }

    func testGravityBottomSitsOnTheMargin() throws {
        var p = square
        p.gravity = .bottom
        let plan = try FitPlan.make(masterWidth: 3000, masterHeight: 3000, product: [0, 0, 3000, 1500], preset: p)
        let bottom = Double(plan.y) + 1500 * plan.scale
        XCTAssertEqual(bottom, 2000 - 120, accuracy: 1, "6% margin under the product")
    }
}

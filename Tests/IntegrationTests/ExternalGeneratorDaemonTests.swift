import ControlProtocol
import Foundation
import PipelineCore
import XCTest

/// External generators in the real daemon: a `command` generator that works gives a variant that
/// waits for a person; one that always fails is tried `attempts` times inside the variant job and
/// then shown in failed/ as a variant of its source with the reason; the packshot exports regardless.
final class ExternalGeneratorDaemonTests: XCTestCase {
    func testAGivenUpVariantIsListedInFailedBesideItsSourceAndThePackshotExports() throws {
        let base = NSTemporaryDirectory() + "pp-extgen-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        func script(_ name: String, _ body: String) throws -> String {
            let path = "\(base)/\(name)"
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
            return path
        }
        let works = try script("keep.sh", "cp input.png output.png")
        let fails = try script("down.sh", "echo 'cannot reach the GPU box' >&2\nexit 2")
        let daemon = try Daemon(config: """
        [export]
        channels = ["shopify"]
        [export.preset.shopify]
        width = 300
        height = 300
        [generate]
        channels = ["shopify"]
        long_side = 400
        [generate.rule.studio]
        generator = "command"
        command = "\(works)"
        prompt = "{sku} on a plain studio sweep"
        [generate.rule.model]
        generator = "command"
        command = "\(fails)"
        prompt = "{sku} worn by a model"
        keep_product = false
        attempts = 2
        backoff_seconds = 0.1
        """)
        defer { daemon.cleanUp() }
        try daemon.start()

        XCTAssertEqual(try daemon.rsyncShots(count: 1, firstSku: 7101), 0)
        XCTAssertTrue(waitUntil(timeout: 90) { daemon.assets(in: .export).count == 1 }, "the packshot exports\n" + daemon.log)
        XCTAssertTrue(waitUntil(timeout: 60) { daemon.assets(in: .review).count == 1 && daemon.assets(in: .failed).count == 1 },
                      "one variant waits for a person, the other is given up\n" + daemon.log)
        let packshot = try XCTUnwrap(daemon.assets(in: .export).first)

        let made = try daemon.manifest(try XCTUnwrap(daemon.assets(in: .review).first), in: .review)
        XCTAssertEqual(made.variantOf, packshot)
        XCTAssertEqual(made.generated?.generator, "command")
        XCTAssertEqual(made.generated?.prompt, "SKU-7101 on a plain studio sweep")
        XCTAssertEqual(made.review?.status, .generated, made.review?.reason ?? "")

        let givenUp = try daemon.manifest(try XCTUnwrap(daemon.assets(in: .failed).first), in: .failed)
        XCTAssertEqual(givenUp.variantOf, packshot)
        XCTAssertEqual(givenUp.error?.step, "generate")
        XCTAssertEqual(givenUp.error?.code, "command_failed")
        let reason = givenUp.error?.message ?? ""
        XCTAssertTrue(reason.contains("rule model") && reason.contains("command \(fails)") && reason.contains("after 2 attempts")
                      && reason.contains("cannot reach the GPU box"), reason)
        let listed = daemon.pipectl(["list", "failed"])
        XCTAssertTrue(listed.out.contains(givenUp.id), listed.out + listed.err)
        let retry = daemon.pipectl(["retry", givenUp.id])
        XCTAssertTrue((retry.out + retry.err).contains("cannot be rebuilt on its own"), retry.out + retry.err)
    }

    /// A rule's own redrawn-product limits are the ones review holds its variants to.
    func testARedrawnVariantIsJudgedByItsRulesLimits() throws {
        let base = NSTemporaryDirectory() + "pp-extgen-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let tryon = "\(base)/tryon.sh"
        try Data("#!/bin/sh\ncp input.png output.png\n".utf8).write(to: URL(fileURLWithPath: tryon))
        chmod(tryon, 0o755)
        let daemon = try Daemon(config: """
        [generate]
        long_side = 400
        [generate.rule.tryon]
        generator = "command"
        command = "\(tryon)"
        prompt = "{sku} worn by a model"
        keep_product = false
        redrawn_max_delta_e = 9
        redrawn_min_shape_iou = 0.2
        """)
        defer { daemon.cleanUp() }
        try daemon.start()
        XCTAssertEqual(try daemon.rsyncShots(count: 1, firstSku: 7201), 0)
        XCTAssertTrue(waitUntil(timeout: 90) { daemon.assets(in: .review).contains { (try? daemon.manifest($0, in: .review))?.variantOf != nil } },
                      "the variant waits for a person\n" + daemon.log)
        let variant = try XCTUnwrap(daemon.assets(in: .review).compactMap { try? daemon.manifest($0, in: .review) }.first { $0.variantOf != nil })
        XCTAssertNotNil(variant.generated?.redrawn)
        let gates = try XCTUnwrap(variant.review?.gates)
        XCTAssertEqual(gates.map(\.gate), ["redrawn-colour", "redrawn-shape"])
        XCTAssertEqual(gates.map(\.threshold), [9, 0.2], "the rule's limits, not the defaults")
    }
}

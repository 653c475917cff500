import ControlProtocol
import Foundation
@testable import PhotopipeDaemon
import XCTest

/// Who may run which control command, decided from the peer's uid and groups.
final class ControlPermissionsTests: XCTestCase {
    let service: UInt32 = 990, readers: UInt32 = 500, reviewers: UInt32 = 501

    func permits(_ c: Command, uid: UInt32, gids: [UInt32], reviewGroup: UInt32? = 501) -> Bool {
        ControlPermissions.permits(c, uid: uid, gids: gids, euid: service, socketGroup: readers, reviewGroup: reviewGroup)
    }

    func testRootAndTheServiceUserMayRunEverything() {
        for c in Command.allCases {
            XCTAssertTrue(permits(c, uid: 0, gids: []), "\(c)")
            XCTAssertTrue(permits(c, uid: service, gids: []), "\(c)")
        }
    }

    func testReviewersMayApproveAndRejectButChangeNothingElse() {
        let changing = Command.allCases.filter(\.changesState)
        XCTAssertEqual(Set(changing.filter { permits($0, uid: 1001, gids: [1001, readers, reviewers]) }), [.approve, .reject])
        XCTAssertEqual(changing.filter { permits($0, uid: 1002, gids: [1002, readers]) }, [], "a reader decides nothing")
        XCTAssertFalse(permits(.approve, uid: 1001, gids: [1001, readers, reviewers], reviewGroup: nil), "no such group on the machine: nobody is in it")
    }

    func testReadersNeedTheSocketGroup() {
        let reading = Command.allCases.filter { !$0.changesState }
        XCTAssertFalse(reading.isEmpty)
        for c in reading {
            XCTAssertTrue(permits(c, uid: 1002, gids: [1002, readers]), "\(c)")
            XCTAssertFalse(permits(c, uid: 1003, gids: [1003, reviewers]), "the review group alone does not let one read: \(c)")
        }
    }

    func testTheDenialNamesTheGroupThatWouldHelp() {
        XCTAssertEqual(ControlPermissions.denial(.approve, euid: 990, socketGroup: "photopipe", reviewGroup: "photopipe-review"),
                       "permission denied: 'approve' needs root, the service user (uid 990) or membership in the 'photopipe-review' group")
        XCTAssertEqual(ControlPermissions.denial(.pause, euid: 990, socketGroup: "photopipe", reviewGroup: "photopipe-review"),
                       "permission denied: 'pause' changes the pipeline and needs root or the service user (uid 990); members of the 'photopipe-review' group may only approve and reject")
        XCTAssertEqual(ControlPermissions.denial(.list, euid: 990, socketGroup: "photopipe", reviewGroup: "photopipe-review"),
                       "permission denied: you need to be in the 'photopipe' group to read the pipeline")
    }

    func testPeersAreNamedFromTheUserDatabase() throws {
        XCTAssertEqual(PeerIdentity.person(uid: 0), "root (uid 0)")
        let nobody = try XCTUnwrap(PeerIdentity.user(uid: 65534), "Debian has nobody at 65534")
        XCTAssertEqual(PeerIdentity.person(uid: 65534), "\(nobody.name) (uid 65534)")
        XCTAssertNil(PeerIdentity.person(uid: 3_999_999))
        let stranger = PeerIdentity.peer(pid: 1, uid: 3_999_999, gid: 7)
        XCTAssertEqual(stranger.who, "uid 3999999")
        XCTAssertEqual(stranger.groups, [])
        let root = PeerIdentity.peer(pid: 1, uid: 0, gid: 0)
        XCTAssertEqual(root.who, "root (uid 0)")
        XCTAssertTrue(root.groups.contains(0))
        XCTAssertEqual(PeerIdentity.gid(ofGroup: "root"), 0)
        XCTAssertNil(PeerIdentity.gid(ofGroup: "no-such-group-here"))
    }

    /// A real second user: nobody, running pipectl with group nogroup as both socket and review group.
    func testAReviewGroupMemberMayApproveButNotPauseThroughTheSocket() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to run pipectl as nobody") }
        let d = try Daemon(config: "[review]\ngroup = \"nogroup\"\n", daemonKeys: "socket_group = \"nogroup\"\n").start()
        defer { d.cleanUp() }
        let pipectl = "\(d.base)/pipectl"
        try FileManager.default.copyItem(atPath: Daemon.pipectl, toPath: pipectl)
        chmod(pipectl, 0o755)
        chmod(d.base, 0o755)
        func asNobody(_ args: [String]) -> (status: Int32, out: String, err: String) {
            shell("/usr/bin/python3", ["-c", """
                import os, sys
                os.setgroups([]); os.setgid(65534); os.setuid(65534)
                os.execv(sys.argv[1], sys.argv[1:])
                """, pipectl] + args + ["--socket", d.socket])
        }
        XCTAssertEqual(asNobody(["status"]).status, 0, "the socket group reads")
        let pause = asNobody(["pause"])
        XCTAssertNotEqual(pause.status, 0)
        XCTAssertTrue(pause.err.contains("permission denied: 'pause' changes the pipeline") && pause.err.contains("'nogroup' group may only approve and reject"), pause.err)
        let approve = asNobody(["approve", "day-9"])
        XCTAssertTrue(approve.err.contains("nothing waiting in review for day-9"), "past the permission check: \(approve.err)")
        let reject = asNobody(["reject", "day-9_SKU-1_01", "--reason", "dust"])
        XCTAssertTrue(reject.err.contains("not waiting in review: day-9_SKU-1_01"), "past the permission check: \(reject.err)")

        // The same user without the review group.
        try "root = \"\(d.root)\"\n[daemon]\nsocket = \"\(d.socket)\"\nsocket_group = \"nogroup\"\n[review]\ngroup = \"photopipe-review-none\"\n"
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(d.pipectl(["reload"]).status, 0)
        let refused = asNobody(["approve", "day-9"])
        XCTAssertTrue(refused.err.contains("permission denied: 'approve' needs root, the service user (uid 0) or membership in the 'photopipe-review-none' group"), refused.err)
    }
}

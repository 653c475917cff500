import Foundation
import PipelineCore
import XCTest

/// Real sync clients writing into the inbox of the real daemon: every image is
/// exported exactly once, and none is taken half-written.
final class WritersTests: XCTestCase {
    var daemon: Daemon!

    override func setUpWithError() throws { daemon = try Daemon().start() }
    override func tearDown() { daemon.cleanUp() }

    /// Every source file ends in export exactly once, and its original is byte-identical.
    func assertAllExported(_ sources: String, batch: String, timeout: Double = 90, file: StaticString = #filePath, line: UInt = #line) {
        let names = Fixtures.files(in: sources)
        let done = waitUntil(timeout: timeout) { self.daemon.exported().count >= names.count && self.daemon.assets(in: .export).count >= names.count }
        XCTAssertTrue(done, "only \(daemon.exported().count)/\(names.count) exported; log:\n\(daemon.log)", file: file, line: line)
        XCTAssertEqual(daemon.exported(), names, file: file, line: line)
        XCTAssertEqual(daemon.assets(in: .export).count, names.count, file: file, line: line)
        XCTAssertEqual(daemon.assets(in: .failed), [], file: file, line: line)
        let originals = daemon.originals()
        for n in names {
            XCTAssertEqual(originals["\(batch)/\(n)"], Fixtures.sha("\(sources)/\(n)"), "original of \(n) differs", file: file, line: line)
        }
    }

    func testCopyWithCp() throws {
        let src = try Fixtures.shots(count: 6)
        try FileManager.default.createDirectory(atPath: "\(daemon.inbox)/cp-shoot", withIntermediateDirectories: true)
        for n in Fixtures.files(in: src) { XCTAssertEqual(shell("/bin/cp", ["\(src)/\(n)", "\(daemon.inbox)/cp-shoot/"]).status, 0) }
        assertAllExported(src, batch: "cp-shoot")
    }

    func testMoveOnTheSameFilesystem() throws {
        let src = try Fixtures.shots(count: 6)
        let staging = "\(daemon.base)/camera-card"
        XCTAssertEqual(shell("/bin/cp", ["-r", src, staging]).status, 0)
        XCTAssertEqual(shell("/bin/mv", [staging, "\(daemon.inbox)/mv-shoot"]).status, 0)
        assertAllExported(src, batch: "mv-shoot")
    }

    func testRsyncWithItsTemporaryNames() throws {
        let src = try Fixtures.shots(count: 6)
        let r = shell("/usr/bin/rsync", ["-a", "\(src)/", "\(daemon.inbox)/rsync-shoot/"])
        XCTAssertEqual(r.status, 0, r.err)
        assertAllExported(src, batch: "rsync-shoot")
    }

    /// A slow network sync: bursts with pauses longer than the settle period, the file held open throughout.
    func testSlowWriterInBurstsIsNotTakenEarly() throws {
        let src = try Fixtures.shots(count: 3)
        let names = Fixtures.files(in: src)
        let dir = "\(daemon.inbox)/slow-shoot"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for n in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(src)/\(n)"))
            FileManager.default.createFile(atPath: "\(dir)/\(n)", contents: nil)
            let h = FileHandle(forWritingAtPath: "\(dir)/\(n)")!
            let step = data.count / 4 + 1
            for start in stride(from: 0, to: data.count, by: step) {
                h.write(data[start..<min(data.count, start + step)])
                usleep(700_000) // longer than the 0.3 s settle period
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/\(n)"), "\(n) was taken while still being written")
            }
            h.closeFile()
        }
        assertAllExported(src, batch: "slow-shoot")
    }

    /// gphoto2's order: a temporary name, renamed into place, then the rest written and closed.
    func testWriterThatRenamesBeforeClosing() throws {
        let src = try Fixtures.shots(count: 2)
        let dir = "\(daemon.inbox)/tether"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for n in Fixtures.files(in: src) {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(src)/\(n)"))
            let tmp = "\(dir)/tmpfile\(Int.random(in: 100_000...999_999))"
            FileManager.default.createFile(atPath: tmp, contents: nil)
            let h = FileHandle(forWritingAtPath: tmp)!
            h.write(data[0..<data.count / 2])
            XCTAssertEqual(rename(tmp, "\(dir)/\(n)"), 0)
            usleep(1_200_000)
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/\(n)"), "\(n) was taken while its writer still held it open")
            h.write(data[(data.count / 2)...])
            h.closeFile()
        }
        assertAllExported(src, batch: "tether")
    }

    func testTopLevelFilesGoToADayBatchAndOtherFilesStay() throws {
        let src = try Fixtures.shots(count: 1)
        let name = Fixtures.files(in: src)[0]
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(name)", "\(daemon.inbox)/"]).status, 0)
        try "shot notes".write(toFile: "\(daemon.inbox)/notes.txt", atomically: false, encoding: .utf8)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported() == [name] && self.daemon.assets(in: .export).count == 1 }, daemon.log)
        let id = try XCTUnwrap(daemon.assets(in: .export).first)
        XCTAssertEqual(try daemon.manifest(id, in: .export).batch, InboxFilter.dayBatch(Date()))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(daemon.inbox)/notes.txt"), "a non-image is left where it is")
        XCTAssertEqual(daemon.log.components(separatedBy: "notes.txt").count - 1, 1, "a non-image is logged once")
    }

    /// The same frame saved twice (different bytes, same picture) under two views of one SKU.
    func testNearDuplicateFrameOfOneSkuIsFlaggedForReview() throws {
        let src = try Fixtures.shots(count: 1, firstSku: 7301)
        let name = Fixtures.files(in: src)[0] // SKU-7301_01.jpg
        let dir = "\(daemon.base)/nd"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(name)", "\(dir)/\(name)"]).status, 0)
        XCTAssertEqual(shell("/usr/bin/vips", ["copy", "\(src)/\(name)", "\(dir)/SKU-7301_02.jpg[Q=80]"]).status, 0)
        XCTAssertNotEqual(Fixtures.sha("\(dir)/\(name)"), Fixtures.sha("\(dir)/SKU-7301_02.jpg"))
        XCTAssertEqual(shell("/bin/cp", ["\(dir)/\(name)", "\(daemon.inbox)/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.assets(in: .export).count == 1 }, daemon.log)
        XCTAssertEqual(shell("/bin/cp", ["\(dir)/SKU-7301_02.jpg", "\(daemon.inbox)/"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.assets(in: .review).count == 1 }, daemon.log)
        let m = try daemon.manifest(try XCTUnwrap(daemon.assets(in: .review).first), in: .review)
        XCTAssertEqual(m.review?.status, .exception)
        XCTAssertTrue(m.review?.reason?.contains("near-duplicate of SKU-7301_01-") ?? false, m.review?.reason ?? "")
    }

    /// Two different frames both named view 1 of one SKU (two shoot folders): the second waits for a person.
    func testTwoFramesClaimingTheSameViewAreAnException() throws {
        let src = try Fixtures.shots(count: 2, firstSku: 7401) // SKU-7401_01.jpg, SKU-7401_02.jpg
        let files = Fixtures.files(in: src)
        for (batch, file) in [("day-1", files[0]), ("day-2", files[1])] {
            try FileManager.default.createDirectory(atPath: "\(daemon.inbox)/\(batch)", withIntermediateDirectories: true)
            XCTAssertEqual(shell("/bin/cp", ["\(src)/\(file)", "\(daemon.inbox)/\(batch)/SKU-7401_01.jpg"]).status, 0)
            XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.assets(in: .export).count + self.daemon.assets(in: .review).count == (batch == "day-1" ? 1 : 2) }, daemon.log)
        }
        let m = try daemon.manifest(try XCTUnwrap(daemon.assets(in: .review).first), in: .review)
        XCTAssertEqual(m.batch, "day-2")
        XCTAssertEqual(m.review?.status, .exception)
        XCTAssertTrue(m.review?.reason?.contains("view 1 of SKU SKU-7401 is already held by SKU-7401_01-") ?? false, m.review?.reason ?? "")
    }

    func testSameBytesTwiceAreProcessedOnce() throws {
        let src = try Fixtures.shots(count: 1)
        let name = Fixtures.files(in: src)[0]
        try FileManager.default.createDirectory(atPath: "\(daemon.inbox)/a", withIntermediateDirectories: true)
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(name)", "\(daemon.inbox)/a/\(name)"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 60) { self.daemon.exported().count == 1 && self.daemon.assets(in: .export).count == 1 }, daemon.log)
        try FileManager.default.createDirectory(atPath: "\(daemon.inbox)/b", withIntermediateDirectories: true)
        XCTAssertEqual(shell("/bin/cp", ["\(src)/\(name)", "\(daemon.inbox)/b/again.jpg"]).status, 0)
        XCTAssertTrue(waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: "\(self.daemon.root)/duplicates/b/again.jpg") }, daemon.log)
        XCTAssertEqual(daemon.assets(in: .export).count, 1)
        XCTAssertEqual(daemon.exported().count, 1)
        let id = try XCTUnwrap(daemon.assets(in: .export).first)
        // The file is moved aside first and the original's manifest updated right after: wait for both.
        XCTAssertTrue(waitUntil(timeout: 10) { (try? self.daemon.manifest(id, in: .export).duplicates.map(\.name)) == ["again.jpg"] }, daemon.log)
        XCTAssertEqual(Fixtures.sha("\(daemon.root)/duplicates/b/again.jpg"), Fixtures.sha("\(src)/\(name)"))
    }
}

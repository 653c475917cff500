import Foundation
import PipelineCore
import XCTest

final class WatchFolderTests: XCTestCase {
    func testTheBatchRuleFillsItsTokens() {
        let day = Date(timeIntervalSince1970: 1_764_500_000)
        let dayName = InboxFilter.dayBatch(day)
        XCTAssertEqual(WatchFolder(name: "st1").batchName(folder: "shoot-a", modified: day), "shoot-a")
        XCTAssertEqual(WatchFolder(name: "st1").batchName(folder: nil, modified: day), dayName, "a file at the top: its day")
        XCTAssertEqual(WatchFolder(name: "st1", batch: "{name}-{date}").batchName(folder: "x", modified: day), "st1-\(dayName)")
        XCTAssertEqual(WatchFolder(name: "st1", batch: "station-1 {folder}").batchName(folder: "b/../c", modified: day),
                       Sanitizer.component("station-1 b/../c", fallback: "unsorted"))
    }

    func testTheConfigReadsWatchFoldersAndRefusesWhatCannotWork() throws {
        func message(_ text: String) -> String { do { _ = try ConfigLoader.parse(text); return "no error" } catch { return "\(error)" } }
        let c = try ConfigLoader.parse("root = \"/srv/pp\"\n[watch.folder.station1]\npath = \"/srv/share/station1\"\nbatch = \"st1-{folder}\"\n")
        XCTAssertEqual(c.watchFolders["station1"], WatchFolder(name: "station1", path: "/srv/share/station1", batch: "st1-{folder}"))
        XCTAssertTrue(message("[watch.folder.a]\nbatch = \"x\"\n").contains("needs path"))
        XCTAssertTrue(message("[watch.folder.a]\npath = \"/x\"\nbatch = \"{fodler}\"\n").contains("did you mean 'folder'?"))
        XCTAssertTrue(message("root = \"/srv/pp\"\n[watch.folder.a]\npath = \"/srv/pp/inbox/a\"\n").contains("overlaps the root"))
        XCTAssertTrue(message("[watch.folder.a]\npath = \"relative\"\n").contains("absolute path"))
    }
}

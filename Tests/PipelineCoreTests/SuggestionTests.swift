import PipelineCore
import XCTest

final class SuggestionTests: XCTestCase {
    func testDistanceCountsEditsAndASwapOfNeighboursAsOne() {
        XCTAssertEqual(Suggestion.distance("status", "status"), 0)
        XCTAssertEqual(Suggestion.distance("stauts", "status"), 1)
        XCTAssertEqual(Suggestion.distance("shadw", "shadow"), 1)
        XCTAssertEqual(Suggestion.distance("", "abc"), 3)
        XCTAssertEqual(Suggestion.distance("kitten", "sitting"), 3)
    }

    func testOnlyNamesCloseEnoughAreSuggestedTheWholeNameBeforeItsFirstPart() {
        let verbs = ["status", "batches", "list", "show", "retry", "reload", "resume"]
        XCTAssertEqual(Suggestion.closest(to: "stauts", in: verbs), ["status"])
        XCTAssertEqual(Suggestion.closest(to: "frobnicate", in: verbs), [])
        XCTAssertEqual(Suggestion.closest(to: "status", in: verbs), [], "the name itself is no suggestion")
        XCTAssertEqual(Suggestion.closest(to: "amazn", in: ["amazon-main", "amazon-alt", "ebay"]), ["amazon-alt", "amazon-main"])
        XCTAssertEqual(Suggestion.closest(to: "shadw", in: ["shadow", "shadow_opacity"]), ["shadow"])
        XCTAssertEqual(Suggestion.hint(for: "relaod", in: verbs), "; did you mean 'reload'?")
        XCTAssertEqual(Suggestion.hint(for: "zzz", in: verbs), "")
    }
}

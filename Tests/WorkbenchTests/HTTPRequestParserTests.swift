import XCTest
@testable import Workbench

final class HTTPRequestParserTests: XCTestCase {
    private func parse(_ text: String, maxBody: Int = 1024) -> HTTPRequestParser.Outcome {
        var p = HTTPRequestParser(maxBodyBytes: maxBody)
        p.feed(Array(text.utf8))
        return p.next()
    }

    private func status(_ o: HTTPRequestParser.Outcome) -> Int? {
        if case .refuse(let s, _) = o { return s }
        return nil
    }

    func testReadsARequestWithQueryCookiesAndBody() throws {
        let o = parse("POST /api/reject?x=1&y=a%20b HTTP/1.1\r\nHost: h\r\nCookie: a=1\r\nCookie: pp_session=tok\r\nContent-Length: 5\r\n\r\nhello")
        guard case .request(let r) = o else { return XCTFail("\(o)") }
        XCTAssertEqual(r.method, "POST")
        XCTAssertEqual(r.rawPath, "/api/reject")
        XCTAssertEqual(r.query, ["x": "1", "y": "a b"])
        XCTAssertEqual(r.cookies["pp_session"], "tok")
        XCTAssertEqual(r.cookies["a"], "1")
        XCTAssertEqual(String(decoding: r.body, as: UTF8.self), "hello")
        XCTAssertTrue(r.keepAlive)
    }

    func testWaitsForTheWholeBodyThenTheNextRequest() {
        var p = HTTPRequestParser(maxBodyBytes: 100)
        p.feed(Array("POST /a HTTP/1.1\r\nContent-Length: 4\r\n\r\nab".utf8))
        guard case .needMore = p.next() else { return XCTFail("a half body is not a request") }
        p.feed(Array("cdGET /b HTTP/1.0\r\n\r\n".utf8))
        guard case .request(let first) = p.next() else { return XCTFail() }
        XCTAssertEqual(first.body, Array("abcd".utf8))
        guard case .request(let second) = p.next() else { return XCTFail() }
        XCTAssertEqual(second.rawPath, "/b")
        XCTAssertFalse(second.keepAlive, "HTTP/1.0 closes unless it asks to keep alive")
        XCTAssertTrue(p.isEmpty)
    }

    func testRefusesWhatCouldSmuggleOrSwampIt() {
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n")), 413)
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")), 501)
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")), 400)
        XCTAssertEqual(status(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")), 400)
        XCTAssertEqual(status(parse("DELETE / HTTP/1.1\r\n\r\n")), 405)
        XCTAssertEqual(status(parse("GET http://evil/ HTTP/1.1\r\n\r\n")), 400)
        XCTAssertEqual(status(parse("GET / HTTP/2\r\n\r\n")), 400)
        XCTAssertEqual(status(parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")), 400)
        XCTAssertEqual(status(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 20000) + "\r\n\r\n")), 431)
        var p = HTTPRequestParser(maxBodyBytes: 10)
        p.feed(Array(repeating: UInt8(ascii: "a"), count: HTTPRequestParser.maxHeadBytes + 1))
        XCTAssertEqual(status(p.next()), 431, "a head that never ends is refused before it fills memory")
    }

    func testSegmentsAreDecodedOneByOne() {
        XCTAssertEqual(HTTPRequest(method: "GET", rawPath: "/img/a%2Fb/thumb").segments, ["img", "a/b", "thumb"])
        XCTAssertNil(HTTPRequest(method: "GET", rawPath: "/img/%zz/thumb").segments)
        XCTAssertNil(HTTPRequest(method: "GET", rawPath: "/img/%ff/thumb").segments, "not UTF-8")
        XCTAssertEqual(HTTPRequest.decodeQuery("user=a+b&password=p%26q&user=second"), ["user": "a b", "password": "p&q"])
    }

    func testResponsesCarryTheSecurityHeaders() {
        let wire = String(decoding: HTTPResponse.html("<p>x</p>").serialize(keepAlive: true), as: UTF8.self)
        XCTAssertTrue(wire.hasPrefix("HTTP/1.1 200 OK\r\n"))
        XCTAssertTrue(wire.contains("Content-Security-Policy: default-src 'self'"))
        XCTAssertFalse(wire.contains("unsafe-inline"))
        XCTAssertTrue(wire.contains("X-Frame-Options: DENY"))
        XCTAssertTrue(wire.contains("Cache-Control: no-store"))
        XCTAssertTrue(wire.contains("Content-Length: 8\r\n"))
        XCTAssertTrue(wire.hasSuffix("\r\n\r\n<p>x</p>"))
        let head = String(decoding: HTTPResponse.html("<p>x</p>").serialize(head: true, keepAlive: false), as: UTF8.self)
        XCTAssertTrue(head.hasSuffix("Connection: close\r\n\r\n"), "HEAD: the length, no body")
    }

    func testPrometheusTextEscapesAndCountsBuckets() {
        var h = Histogram(bounds: [0.1, 1])
        for v in [0.05, 0.5, 0.7, 3] { h.observe(v) }
        var p = PrometheusText()
        p.family("x_seconds", "histogram", "A test.")
        p.histogram("x_seconds", [("step", "re\"touch")], h)
        let t = p.text
        XCTAssertTrue(t.contains("x_seconds_bucket{step=\"re\\\"touch\",le=\"0.1\"} 1\n"))
        XCTAssertTrue(t.contains("le=\"1\"} 3\n"))
        XCTAssertTrue(t.contains("le=\"+Inf\"} 4\n"))
        XCTAssertTrue(t.contains("x_seconds_count{step=\"re\\\"touch\"} 4\n"))
        XCTAssertTrue(t.contains("x_seconds_sum{step=\"re\\\"touch\"} 4.25\n"))
    }
}

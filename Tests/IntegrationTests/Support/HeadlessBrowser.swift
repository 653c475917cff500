import Foundation
import XCTest

/// Debian's chromium, headless, opening a page from disk the way a reviewer's browser would.
/// A small harness page frames it and reports which images failed to load; the browser's own
/// log (`--v=1`) carries every console message the page produced.
enum HeadlessBrowser {
    struct Report {
        var images = 0
        var broken: [String] = []
        var cards = 0
        /// Console messages whose source is the page under test.
        var console: [String] = []
    }

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") }

    static func load(_ page: String) throws -> Report {
        let scratch = NSTemporaryDirectory() + "pp-browser-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let url = URL(fileURLWithPath: page).absoluteString
        let harness = """
        <!DOCTYPE html><html><body><pre id="result">pending</pre>
        <iframe id="f" src="\(url)" width="1280" height="900"></iframe>
        <script>
        document.getElementById('f').addEventListener('load', () => {
          const d = document.getElementById('f').contentDocument;
          const imgs = Array.from(d.images);
          const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
          document.getElementById('result').textContent =
            'RESULT ' + JSON.stringify({images: imgs.length, broken: broken, cards: d.querySelectorAll('.card').length});
        });
        </script></body></html>
        """
        try harness.write(toFile: "\(scratch)/harness.html", atomically: true, encoding: .utf8)
        let r = shell("/usr/bin/timeout", ["120", "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                           "--user-data-dir=\(scratch)/profile", "--allow-file-access-from-files",
                                           "--enable-logging=stderr", "--v=1", "--virtual-time-budget=10000",
                                           "--dump-dom", "file://\(scratch)/harness.html"])
        guard r.status == 0 else { throw BrowserError("chromium exited \(r.status): \(r.err.suffix(2000))") }
        guard let start = r.out.range(of: "RESULT ")?.upperBound,
              let end = r.out[start...].range(of: "</pre>")?.lowerBound else {
            throw BrowserError("the harness page reported nothing:\n\(r.out.prefix(2000))")
        }
        let json = String(r.out[start..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        struct Raw: Decodable { var images: Int; var broken: [String]; var cards: Int }
        let raw = try JSONDecoder().decode(Raw.self, from: Data(json.utf8))
        let console = r.err.split(separator: "\n").filter { $0.contains(":CONSOLE") && $0.contains(url) }.map(String.init)
        return Report(images: raw.images, broken: raw.broken, cards: raw.cards, console: console)
    }

    struct BrowserError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

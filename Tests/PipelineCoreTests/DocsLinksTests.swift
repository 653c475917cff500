import Foundation
import XCTest

/// The README and docs/ link to each other and to files in the repository. These tests read
/// every Markdown file a reader starts from and check that each relative link leads somewhere:
/// the file exists, and an anchor names a heading in it.
final class DocsLinksTests: XCTestCase {
    /// The repository root: this file is Tests/PipelineCoreTests/DocsLinksTests.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let readmeLimit = 12_288

    /// README.md, BENCHMARKS.md and every docs/*.md.
    static func markdownFiles() throws -> [URL] {
        var files = [root.appendingPathComponent("README.md"), root.appendingPathComponent("BENCHMARKS.md")]
        let docs = root.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path)
        files += names.filter { $0.hasSuffix(".md") }.sorted().map { docs.appendingPathComponent($0) }
        return files.filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    func testReadmeFitsOnAFewScreens() throws {
        let url = Self.root.appendingPathComponent("README.md")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        XCTAssertLessThanOrEqual(size, Self.readmeLimit, "README.md is \(size) bytes; keep it to \(Self.readmeLimit) and move details to docs/")
    }

    func testEveryRelativeLinkLeadsToAFileAndHeading() throws {
        let files = try Self.markdownFiles()
        XCTAssertTrue(files.contains { $0.lastPathComponent == "README.md" }, "README.md not found under \(Self.root.path)")
        XCTAssertGreaterThan(files.count, 2, "no docs/*.md found")
        var checked = 0
        var broken: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let here = file.path.dropFirst(Self.root.path.count + 1)
            for link in Markdown.links(in: text) {
                guard let problem = Self.problem(with: link.target, from: file) else { checked += 1; continue }
                broken.append("\(here):\(link.line): [\(link.text)](\(link.target)): \(problem)")
            }
        }
        XCTAssertEqual(broken, [], "broken links:\n" + broken.joined(separator: "\n"))
        XCTAssertGreaterThan(checked, 10, "too few links found; is the link reader working?")
    }

    /// nil when the link is fine (or not one this test checks), else what is wrong.
    static func problem(with target: String, from file: URL) -> String? {
        let lower = target.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") { return nil }
        if lower.contains("://") { return nil }
        let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let path = parts[0].removingPercentEncoding ?? parts[0]
        let anchor = parts.count > 1 ? parts[1] : nil
        let destination: URL
        if path.isEmpty {
            destination = file
        } else if path.hasPrefix("/") {
            return "absolute path; link relative to the file"
        } else {
            destination = file.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) else {
            return "no such file \(destination.path.dropFirst(root.path.count + 1))"
        }
        guard let anchor, !anchor.isEmpty else { return nil }
        guard !isDirectory.boolValue, destination.pathExtension.lowercased() == "md",
              let text = try? String(contentsOf: destination, encoding: .utf8) else {
            return "an anchor into a file that is not Markdown"
        }
        let slugs = Markdown.headingSlugs(in: text)
        if slugs.contains(anchor.lowercased()) { return nil }
        return "no heading '#\(anchor)' in \(destination.lastPathComponent) (it has: \(slugs.joined(separator: ", ")))"
    }

    // The reader itself, on small inputs.

    func testSlugsAreGitHubs() {
        XCTAssertEqual(Markdown.slug("Installing as a service"), "installing-as-a-service")
        XCTAssertEqual(Markdown.slug("The pipeline, stated once"), "the-pipeline-stated-once")
        XCTAssertEqual(Markdown.slug("`pipectl` cheat sheet"), "pipectl-cheat-sheet")
        XCTAssertEqual(Markdown.slug("Samba: a share Macs write into"), "samba-a-share-macs-write-into")
        XCTAssertEqual(Markdown.slug("rsync, cp and mv"), "rsync-cp-and-mv")
        XCTAssertEqual(Markdown.slug("Capture One / Lightroom"), "capture-one--lightroom")
        XCTAssertEqual(Markdown.headingSlugs(in: "# A\n## A\n```\n# not a heading\n```\n### B ###\n"), ["a", "a-1", "b"])
    }

    func testLinksOutsideCodeAreFound() {
        let text = """
        See [the guide](docs/tethering.md#samba) and ![a plate](plates/oak.jpg "oak").
        `[not](a-link.md)` and [web](https://example.com).
        ```
        [also not](inside-a-fence.md)
        ```
        [last](<docs/a b.md>)
        """
        let links = Markdown.links(in: text)
        XCTAssertEqual(links.map(\.target), ["docs/tethering.md#samba", "plates/oak.jpg", "https://example.com", "docs/a b.md"])
        XCTAssertEqual(links.map(\.line), [1, 1, 2, 6])
    }
}

/// Just enough Markdown for link checking: inline links and headings, outside code.
enum Markdown {
    struct Link: Equatable {
        let text: String
        let target: String
        let line: Int
    }

    /// Lines with fenced code blocks blanked out (kept, so line numbers stay true).
    static func proseLines(_ text: String) -> [String] {
        var inFence = false
        var fence = ""
        return text.components(separatedBy: "\n").map { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if inFence {
                if trimmed.hasPrefix(fence) { inFence = false }
                return ""
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inFence = true
                fence = String(trimmed.prefix(3))
                return ""
            }
            return line
        }
    }

    /// A line with its inline code spans removed.
    static func withoutCode(_ line: String) -> String {
        var out = ""
        var inCode = false
        for c in line {
            if c == "`" { inCode.toggle(); continue }
            if !inCode { out.append(c) }
        }
        return out
    }

    static let linkPattern = try! NSRegularExpression(pattern: #"!?\[([^\]]*)\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)"#)

    static func links(in text: String) -> [Link] {
        var out: [Link] = []
        for (index, raw) in proseLines(text).enumerated() {
            let line = withoutCode(raw)
            let ns = line as NSString
            for m in linkPattern.matches(in: line, range: NSRange(location: 0, length: ns.length)) {
                var target = ns.substring(with: m.range(at: 2))
                if target.hasPrefix("<") && target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
                out.append(Link(text: ns.substring(with: m.range(at: 1)), target: target, line: index + 1))
            }
        }
        return out
    }

    /// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
    static func slug(_ heading: String) -> String {
        var s = ""
        for scalar in heading.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" {
                s.unicodeScalars.append(scalar)
            } else if scalar == " " {
                s.append("-")
            }
        }
        return s
    }

    /// Every ATX heading's slug, repeats numbered as GitHub does (`a`, `a-1`, …).
    static func headingSlugs(in text: String) -> [String] {
        var seen: [String: Int] = [:]
        var out: [String] = []
        for line in proseLines(text) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("#") else { continue }
            let hashes = trimmed.prefix { $0 == "#" }
            guard hashes.count <= 6 else { continue }
            let rest = trimmed.dropFirst(hashes.count)
            guard rest.isEmpty || rest.hasPrefix(" ") else { continue }
            var title = rest.trimmingCharacters(in: .whitespaces)
            // A closing run of #s is not part of the title.
            while title.hasSuffix("#") { title.removeLast() }
            title = title.trimmingCharacters(in: .whitespaces)
            // Code spans keep their text in the anchor; slug() drops the backticks.
            let base = slug(title)
            let n = seen[base, default: 0]
            seen[base] = n + 1
            out.append(n == 0 ? base : "\(base)-\(n)")
        }
        return out
    }
}

import Foundation
import PipelineCore

/// The document around every page: head with the CSRF token, the script and the style sheet
/// (never inline: the Content-Security-Policy forbids it), and a header with who is signed in.
public enum PageFrame {
    /// - Parameter user: nil on the login page (no header, no logout form).
    public static func render(title: String, user: String?, role: String?, csrf: String, body: String) -> String {
        var out = ""
        out.reserveCapacity(body.utf8.count + 1024)
        out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"csrf-token\" content=\"\(Markup.escape(csrf))\">\n"
        out += "<title>\(Markup.escape(title)) · photopipe review</title>\n"
        out += "<link rel=stylesheet href=\"/static/workbench.css\">\n"
        out += "<script src=\"/static/workbench.js\" defer></script>\n"
        out += "</head>\n<body>\n"
        if let user {
            out += "<header class=\"top\"><a class=\"home\" href=\"/\">photopipe review</a>"
            out += "<span class=\"who\">\(Markup.escape(user))"
            if let role { out += " <span class=\"role\">(\(Markup.escape(role)))</span>" }
            out += "</span>"
            out += "<form class=\"logout\" method=\"post\" action=\"/logout\">"
            out += "<input type=\"hidden\" name=\"csrf\" value=\"\(Markup.escape(csrf))\">"
            out += "<button type=\"submit\">Log out</button></form></header>\n"
        }
        out += body
        out += "<p id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>\n"
        out += "</body>\n</html>\n"
        return out
    }
}

/// Text for URLs the pages link to.
public enum PagePath {
    /// One path segment, every byte but the unreserved ones percent-encoded (RFC 3986).
    static func segment(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    public static func batch(_ name: String) -> String { "/batch/" + segment(name) }
    static func image(_ id: String, _ kind: String) -> String { "/img/" + segment(id) + "/" + kind }
}

private extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

import PipelineCore

/// `GET /login`: user name and password, posted with the login form's CSRF token.
public enum LoginPage {
    /// - Parameter error: e.g. "wrong user name or password", shown above the form.
    public static func render(error: String?, csrf: String) -> String {
        var body = "<main class=\"login\">\n<form class=\"login\" method=\"post\" action=\"/login\">\n"
        body += "<h1>photopipe review</h1>\n"
        if let error { body += "<p class=\"error\" role=\"alert\">\(Markup.escape(error))</p>\n" }
        body += "<label>User name <input name=\"user\" autocomplete=\"username\" autocapitalize=\"off\" required autofocus></label>\n"
        body += "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n"
        body += "<input type=\"hidden\" name=\"csrf\" value=\"\(Markup.escape(csrf))\">\n"
        body += "<button type=\"submit\">Log in</button>\n</form>\n</main>\n"
        return PageFrame.render(title: "Log in", user: nil, role: nil, csrf: csrf, body: body)
    }
}

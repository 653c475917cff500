import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Blocking HTTP for a worker talking to a generator: one request at a time, each bounded by the
/// time the attempt has left. Transport failures are retryable `GeneratorFailure`s.
enum GeneratorHTTP {
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    static let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpCookieStorage = nil
        c.urlCache = nil
        c.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: c)
    }()

    private final class Box: @unchecked Sendable {
        var response: Response?
        var error: Error?
    }

    static func send(_ request: URLRequest, deadline: Date) throws -> Response {
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else { throw GeneratorFailure("timeout", "timed out before \(describe(request))", retry: true) }
        var req = request
        // Whole seconds: Foundation on Linux treats a fraction of a second as no time at all. The
        // deadline itself is kept by the wait below.
        req.timeoutInterval = max(1, left.rounded(.up))
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: req) { data, response, error in
            if let error { box.error = error }
            else if let http = response as? HTTPURLResponse { box.response = Response(status: http.statusCode, body: data ?? Data()) }
            done.signal()
        }
        task.resume()
        // URLSession's own timeout is per idle interval; the attempt's deadline is absolute.
        if done.wait(timeout: .now() + left) == .timedOut {
            task.cancel()
            throw GeneratorFailure("timeout", "\(describe(request)) did not answer in time", retry: true)
        }
        if let r = box.response { return r }
        let what = (box.error as? URLError).map { transport($0) } ?? "\(box.error.map { "\($0)" } ?? "no response")"
        throw GeneratorFailure(what == "timed out" ? "timeout" : "unreachable", "\(describe(request)): \(what)", retry: true)
    }

    static func describe(_ r: URLRequest) -> String {
        "\(r.httpMethod ?? "GET") \(r.url?.path ?? "") at \(r.url?.host ?? "?"):\(r.url?.port.map(String.init) ?? "")"
    }

    static func transport(_ e: URLError) -> String {
        switch e.code {
        case .cannotConnectToHost: "connection refused"
        case .timedOut: "timed out"
        case .networkConnectionLost: "connection lost"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        default: "network error \(e.code.rawValue)"
        }
    }

    /// multipart/form-data with text fields and one file.
    static func multipart(fields: [(String, String)], file: (field: String, name: String, type: String, data: Data)) -> (body: Data, contentType: String) {
        let boundary = "photopipe-\(UUID().uuidString)"
        var body = Data()
        func add(_ s: String) { body.append(Data(s.utf8)) }
        for (name, value) in fields {
            add("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        add("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n")
        body.append(file.data)
        add("\r\n--\(boundary)--\r\n")
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}

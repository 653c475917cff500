import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failed delivery attempt: transient ones are tried again later, permanent ones need a person.
public struct DeliveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var permanent: Bool
    public var reason: String
    public init(permanent: Bool, _ reason: String) { self.permanent = permanent; self.reason = reason }
    public var description: String { reason }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Lower-cased names.
    public var headers: [String: String]
    public var body: Data
}

/// Blocking HTTP for the delivery threads (one request at a time per caller).
public enum HTTP {
    static let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = 60
        c.timeoutIntervalForResource = 600
        c.httpCookieStorage = nil
        c.urlCache = nil
        c.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: c)
    }()

    private final class Box: @unchecked Sendable {
        var response: HTTPResponse?
        var error: Error?
    }

    /// Sends the request; a transport failure (refused, reset, timeout, DNS) is a transient DeliveryFailure.
    public static func send(_ request: URLRequest, timeout: TimeInterval = 60) throws -> HTTPResponse {
        var req = request
        req.timeoutInterval = timeout
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: req) { data, response, error in
            if let error { box.error = error }
            else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { headers["\(k)".lowercased()] = "\(v)" }
                box.response = HTTPResponse(status: http.statusCode, headers: headers, body: data ?? Data())
            }
            done.signal()
        }
        task.resume()
        done.wait()
        if let r = box.response { return r }
        let what = (box.error as? URLError).map { describe($0) } ?? "\(box.error.map { "\($0)" } ?? "no response")"
        throw DeliveryFailure(permanent: false, "\(req.url?.host ?? "the server") could not be reached: \(what)")
    }

    static func describe(_ e: URLError) -> String {
        switch e.code {
        case .cannotConnectToHost: "connection refused"
        case .timedOut: "timed out"
        case .networkConnectionLost: "connection lost"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        default: "network error \(e.code.rawValue)"
        }
    }
}

import Foundation
import PipelineCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Uploads to S3-compatible storage (AWS, MinIO, R2, Wasabi, Backblaze, Spaces, SeaweedFS):
/// SigV4, custom endpoint, path-style or virtual-host addressing, multipart for large files.
/// An object already holding the same bytes (its `x-amz-meta-sha256`) is not sent again.
public struct S3Client: Sendable {
    public let target: DeliverySettings.Target
    let signer: SigV4
    /// Bytes per part of a multipart upload (the target's `multipart_part_mb`).
    public var partSize: Int { max(1, Int(target.multipartPartMB * 1024 * 1024)) }

    public init(target: DeliverySettings.Target, credentials: Credentials) {
        self.target = target
        signer = SigV4(accessKey: credentials.accessKey, secretKey: credentials.secretKey, region: target.region)
    }

    public struct Result: Sendable {
        public var url: String
        public var etag: String?
        public var alreadyThere: Bool
        public init(url: String, etag: String?, alreadyThere: Bool) { self.url = url; self.etag = etag; self.alreadyThere = alreadyThere }
    }

    public func objectURL(key: String, query: String? = nil) -> URL { S3Client.objectURL(target, key: key, query: query) }

    public static func objectURL(_ target: DeliverySettings.Target, key: String, query: String? = nil) -> URL {
        let base = URL(string: target.endpoint!)!
        let encodedKey = SigV4.encode(key, keepSlash: true)
        var s: String
        if target.pathStyle { s = "\(target.endpoint!)/\(target.bucket!)/\(encodedKey)" }
        else {
            var c = URLComponents(url: base, resolvingAgainstBaseURL: false)!
            c.host = "\(target.bucket!).\(base.host!)"
            s = "\(c.url!.absoluteString)/\(encodedKey)"
        }
        if let query { s += "?\(query)" }
        return URL(string: s)!
    }

    public func publicURL(key: String) -> String { S3Client.publicURL(target, key: key) }

    /// Where the object is served from: the target's public_url, else the object's own URL.
    public static func publicURL(_ target: DeliverySettings.Target, key: String) -> String {
        if let p = target.publicURL { return "\(p)/\(SigV4.encode(key, keepSlash: true))" }
        return objectURL(target, key: key).absoluteString
    }

    /// Puts the file at `localPath` under `key`, unless the same bytes are already there.
    public func deliver(localPath: String, key: String, sha256: String) throws -> Result {
        if let existing = try head(key: key), existing == sha256 {
            return Result(url: publicURL(key: key), etag: nil, alreadyThere: true)
        }
        let etag = needsParts(localPath: localPath)
            ? try multipart(localPath: localPath, key: key, sha256: sha256)
            : try put(localPath: localPath, key: key, sha256: sha256)
        return Result(url: publicURL(key: key), etag: etag, alreadyThere: false)
    }

    /// The file is above the target's multipart threshold.
    public func needsParts(localPath: String) -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: localPath)[.size] as? Int) ?? 0
        return Double(size) > target.multipartThresholdMB * 1024 * 1024
    }

    /// The object as stored (for checks and tests).
    public func get(key: String) throws -> HTTPResponse {
        try send("GET", objectURL(key: key), body: Data(), headers: [:])
    }

    /// The object's recorded sha256, or nil when there is no object.
    public func head(key: String) throws -> String? {
        let r = try send("HEAD", objectURL(key: key), body: Data(), headers: [:], okStatuses: [200, 404, 400, 403])
        if r.status == 400 || r.status == 403 {
            // A HEAD answer has no body to say why: ask again with GET, whose error names the cause.
            _ = try send("GET", objectURL(key: key), body: Data(), headers: [:], okStatuses: [200, 404])
        }
        return r.status == 200 ? (r.headers["x-amz-meta-sha256"] ?? "") : nil
    }

    func objectHeaders(key: String, sha256: String) -> [String: String] {
        var h = ["content-type": ContentType.of(key), "x-amz-meta-sha256": sha256]
        if let cc = target.cacheControl { h["cache-control"] = cc }
        return h
    }

    func put(localPath: String, key: String, sha256: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: localPath) else {
            throw DeliveryFailure(permanent: true, "the exported file \(localPath) is missing; re-export the asset")
        }
        guard SHA256.hex(data) == sha256 else {
            throw DeliveryFailure(permanent: true, "the exported file \(localPath) changed since export; re-export the asset")
        }
        let r = try send("PUT", objectURL(key: key), body: data, headers: objectHeaders(key: key, sha256: sha256))
        return r.headers["etag"]
    }

    /// CreateMultipartUpload, parts, CompleteMultipartUpload in one go (aborted on failure).
    func multipart(localPath: String, key: String, sha256: String) throws -> String? {
        let uploadID = try startMultipart(key: key, sha256: sha256)
        do { return try uploadParts(localPath: localPath, key: key, uploadID: uploadID) } catch {
            try? abortMultipart(key: key, uploadID: uploadID)
            throw error
        }
    }

    /// CreateMultipartUpload: the upload id, which the caller records before sending any part.
    public func startMultipart(key: String, sha256: String) throws -> String {
        let created = try send("POST", objectURL(key: key, query: "uploads="), body: Data(), headers: objectHeaders(key: key, sha256: sha256))
        guard let uploadID = XMLText.first("UploadId", in: created.body) else {
            throw DeliveryFailure(permanent: false, "the server started no multipart upload for \(key)")
        }
        return uploadID
    }

    /// Parts of `partSize` read one at a time, then CompleteMultipartUpload; the object's ETag.
    public func uploadParts(localPath: String, key: String, uploadID: String) throws -> String? {
        guard let file = FileHandle(forReadingAtPath: localPath) else {
            throw DeliveryFailure(permanent: true, "the exported file \(localPath) is missing; re-export the asset")
        }
        defer { try? file.close() }
        let id = SigV4.encode(uploadID, keepSlash: false)
        var etags: [String] = []
        var number = 1
        while true {
            let part = file.readData(ofLength: partSize)
            if part.isEmpty { break }
            let r = try send("PUT", objectURL(key: key, query: "partNumber=\(number)&uploadId=\(id)"), body: part, headers: [:])
            etags.append(r.headers["etag"] ?? "")
            number += 1
        }
        let xml = "<CompleteMultipartUpload>" + etags.enumerated().map {
            "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\($0.element)</ETag></Part>"
        }.joined() + "</CompleteMultipartUpload>"
        let done = try send("POST", objectURL(key: key, query: "uploadId=\(id)"), body: Data(xml.utf8), headers: ["content-type": "application/xml"])
        return XMLText.first("ETag", in: done.body)
    }

    /// AbortMultipartUpload; an upload the server no longer knows (completed or aborted) counts as aborted.
    public func abortMultipart(key: String, uploadID: String) throws {
        let r = try send("DELETE", objectURL(key: key, query: "uploadId=\(SigV4.encode(uploadID, keepSlash: false))"), body: Data(),
                         headers: [:], okStatuses: [200, 204, 404])
        _ = r
    }

    public struct Upload: Sendable, Equatable {
        public var key: String
        public var uploadID: String
    }

    /// ListMultipartUploads: unfinished uploads whose key starts with `prefix` (first 1000).
    public func multipartUploads(prefix: String = "") throws -> [Upload] {
        let q = "prefix=\(SigV4.encode(prefix, keepSlash: false))&uploads="
        let r = try send("GET", bucketURL(query: q), body: Data(), headers: [:])
        return XMLText.blocks("Upload", in: r.body).compactMap { b in
            guard let k = XMLText.first("Key", in: Data(b.utf8)), let id = XMLText.first("UploadId", in: Data(b.utf8)) else { return nil }
            return Upload(key: k, uploadID: id)
        }
    }

    /// ListObjectsV2: every key under `prefix`, with its ETag.
    public func objects(prefix: String = "") throws -> [(key: String, etag: String)] {
        var out: [(key: String, etag: String)] = []
        var token: String?
        repeat {
            var q = "list-type=2&prefix=\(SigV4.encode(prefix, keepSlash: false))"
            if let token { q += "&continuation-token=\(SigV4.encode(token, keepSlash: false))" }
            let r = try send("GET", bucketURL(query: q), body: Data(), headers: [:])
            for b in XMLText.blocks("Contents", in: r.body) {
                if let k = XMLText.first("Key", in: Data(b.utf8)) { out.append((k, XMLText.first("ETag", in: Data(b.utf8)) ?? "")) }
            }
            token = XMLText.first("IsTruncated", in: r.body) == "true" ? XMLText.first("NextContinuationToken", in: r.body) : nil
        } while token != nil
        return out
    }

    func bucketURL(query: String) -> URL {
        if target.pathStyle { return URL(string: "\(target.endpoint!)/\(target.bucket!)?\(query)")! }
        var c = URLComponents(url: URL(string: target.endpoint!)!, resolvingAgainstBaseURL: false)!
        c.host = "\(target.bucket!).\(c.host!)"
        return URL(string: "\(c.url!.absoluteString)/?\(query)")!
    }

    func send(_ method: String, _ url: URL, body: Data, headers: [String: String], okStatuses: Set<Int> = [200]) throws -> HTTPResponse {
        var req = URLRequest(url: url)
        req.httpMethod = method
        for (k, v) in signer.sign(method: method, url: url, headers: headers, payloadSHA256: SHA256.hex(body)) {
            req.setValue(v, forHTTPHeaderField: k)
        }
        if method != "HEAD" && method != "GET" && method != "DELETE" { req.httpBody = body }
        let r = try HTTP.send(req)
        if okStatuses.contains(r.status) { return r }
        throw S3Client.classify(r, target: target, method: method)
    }

    /// What a failed S3 answer means for the studio, without echoing any secret.
    static func classify(_ r: HTTPResponse, target t: DeliverySettings.Target, method: String) -> DeliveryFailure {
        let code = XMLText.first("Code", in: r.body) ?? (r.status == 404 ? "NoSuchBucket" : "HTTP \(r.status)")
        let name = "target \(t.name)"
        switch (r.status, code) {
        case (_, "SignatureDoesNotMatch"):
            return DeliveryFailure(permanent: true, "\(name): the secret key is wrong (the server says SignatureDoesNotMatch); fix secret_access_key in its credentials and `pipectl redeliver`")
        case (_, "InvalidAccessKeyId"):
            return DeliveryFailure(permanent: true, "\(name): the server does not know the access key id (InvalidAccessKeyId); fix access_key_id in its credentials and `pipectl redeliver`")
        case (_, "RequestTimeTooSkewed"):
            return DeliveryFailure(permanent: true, "\(name): this machine's clock is too far from the server's (RequestTimeTooSkewed); fix the clock (NTP) and `pipectl redeliver`")
        case (_, "NoSuchBucket"):
            return DeliveryFailure(permanent: true, "\(name): bucket '\(t.bucket ?? "")' does not exist at \(t.endpoint ?? ""); create it or fix delivery.target.\(t.name).bucket, then `pipectl redeliver`")
        case (_, "AccessDenied"), (403, _):
            return DeliveryFailure(permanent: true, "\(name): access denied (\(code)); give the key write access to bucket '\(t.bucket ?? "")' and `pipectl redeliver`")
        case (429, _), (500...599, _), (_, "SlowDown"), (_, "RequestTimeout"), (_, "InternalError"), (_, "ServiceUnavailable"):
            return DeliveryFailure(permanent: false, "\(name): the server is busy or failing (\(code)); will try again")
        default:
            return DeliveryFailure(permanent: true, "\(name): \(method) refused with \(code) (HTTP \(r.status))")
        }
    }
}

/// The text of the first `<tag>…</tag>` in an S3 XML answer.
enum XMLText {
    static func first(_ tag: String, in data: Data) -> String? {
        let s = String(decoding: data, as: UTF8.self)
        guard let a = s.range(of: "<\(tag)>"), let b = s.range(of: "</\(tag)>", range: a.upperBound..<s.endIndex) else { return nil }
        return unescape(String(s[a.upperBound..<b.lowerBound]))
    }

    /// The inner text of every `<tag>…</tag>`, unescaped later by `first`.
    static func blocks(_ tag: String, in data: Data) -> [String] {
        let s = String(decoding: data, as: UTF8.self)
        var out: [String] = []
        var rest = s.startIndex..<s.endIndex
        while let a = s.range(of: "<\(tag)>", range: rest), let b = s.range(of: "</\(tag)>", range: a.upperBound..<s.endIndex) {
            out.append(String(s[a.upperBound..<b.lowerBound]))
            rest = b.upperBound..<s.endIndex
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}

public enum ContentType {
    public static func of(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": "image/jpeg"
        case "png": "image/png"
        case "webp": "image/webp"
        case "avif": "image/avif"
        case "json": "application/json"
        case "csv": "text/csv"
        default: "application/octet-stream"
        }
    }
}

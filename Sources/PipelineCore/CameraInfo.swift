import Foundation

/// What the camera and the capture software wrote, as read at ingest.
/// GPS is only noted as present: it stays in the original and is never copied downstream.
public struct CameraInfo: Codable, Sendable, Equatable {
    public var make: String?
    public var model: String?
    public var bodySerial: String?
    public var lens: String?
    /// Capture time as written, in ISO 8601 form, with sub-seconds and offset when present.
    public var captureTime: String?
    public var orientation: Int?
    public var exposureTime: Double?
    public var fNumber: Double?
    public var iso: Double?
    public var focalLength: Double?
    public var software: String?
    public var artist: String?
    public var copyright: String?
    public var gpsPresent = false
    /// What was present but unusable, and so ignored.
    public var ignored: [String] = []

    public init() {}
}

/// `[report]`: the manual baseline `pipectl report` measures the time saved against. The defaults
/// are common studio figures per image: background removal 3 minutes, retouch 8, resize and export 2;
/// and a reviewer's look at an image a person must see, 20 seconds.
public struct ReportSettings: Codable, Sendable, Equatable {
    public var backgroundMinutes = 3.0
    public var retouchMinutes = 8.0
    public var exportMinutes = 2.0
    public var reviewSecondsPerLook = 20.0

    public init() {}

    public var manualMinutesPerImage: Double { backgroundMinutes + retouchMinutes + exportMinutes }

    static let keys: [String: ConfigLoader.Setter] = [
        "report.manual_background_minutes": { $0.report.backgroundMinutes = try ConfigLoader.double($1, 0...600) },
        "report.manual_retouch_minutes": { $0.report.retouchMinutes = try ConfigLoader.double($1, 0...600) },
        "report.manual_export_minutes": { $0.report.exportMinutes = try ConfigLoader.double($1, 0...600) },
        "report.review_seconds_per_look": { $0.report.reviewSecondsPerLook = try ConfigLoader.double($1, 0...3600) },
    ]
}

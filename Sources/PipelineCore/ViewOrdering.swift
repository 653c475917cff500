import Foundation

/// Views for frames whose names carry none: numbered per SKU in capture-time order (EXIF
/// DateTimeOriginal with sub-seconds), frames without a capture time after those with one,
/// in arrival order. Views that named frames hold are skipped.
public enum ViewOrdering {
    public struct Frame: Sendable, Equatable {
        public var id: String
        /// ISO 8601 as read at ingest; frames of one SKU come from one camera, so the strings compare in time order.
        public var captureTime: String?
        public var arrivedAt: Date
        public init(id: String, captureTime: String?, arrivedAt: Date) {
            self.id = id; self.captureTime = captureTime; self.arrivedAt = arrivedAt
        }
    }

    public static func assign(_ frames: [Frame], taken: Set<Int>) -> [String: Int] {
        let ordered = frames.sorted { a, b in
            switch (a.captureTime, b.captureTime) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return (a.arrivedAt, a.id) < (b.arrivedAt, b.id)
            }
        }
        var out: [String: Int] = [:]
        var next = 1
        for f in ordered {
            while taken.contains(next) { next += 1 }
            out[f.id] = next
            next += 1
        }
        return out
    }
}

import Foundation

/// ISO 8601 UTC with milliseconds (`2026-11-29T13:45:07.123Z`): the event log is
/// used for timings, so whole seconds are not enough. Formatted by hand:
/// Foundation's ISO8601DateFormatter costs milliseconds to create on Linux,
/// and manifests hold many dates.
public enum Timestamps {
    public static func format(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(floor(t))
        var ms = Int(((t - floor(t)) * 1000).rounded())
        if ms == 1000 { seconds += 1; ms = 0 }
        var tm = tm()
        gmtime_r(&seconds, &tm)
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
            + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }

    /// Reads what `format` writes, with or without fractional seconds, `Z` or `±hh:mm`.
    public static func parse(_ text: String) -> Date? {
        let c = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= c.count else { return nil }
            var v = 0
            for b in c[from..<from + len] {
                guard b >= 48 && b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard c.count >= 20, c[4] == 45, c[7] == 45, c[10] == 84, c[13] == 58, c[16] == 58,
              let year = num(0, 4), let month = num(5, 2), let day = num(8, 2),
              let hour = num(11, 2), let minute = num(14, 2), let second = num(17, 2) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < c.count && c[i] == 46 {
            i += 1
            var scale = 0.1
            while i < c.count, c[i] >= 48, c[i] <= 57 { fraction += Double(c[i] - 48) * scale; scale /= 10; i += 1 }
        }
        var offset = 0
        if i < c.count && c[i] == 90 { i += 1 }
        else if i + 6 <= c.count, c[i] == 43 || c[i] == 45, let oh = num(i + 1, 2), let om = num(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (c[i] == 43 ? 1 : -1)
            i += 6
        } else { return nil }
        guard i == c.count else { return nil }
        var tm = tm()
        tm.tm_year = Int32(year - 1900); tm.tm_mon = Int32(month - 1); tm.tm_mday = Int32(day)
        tm.tm_hour = Int32(hour); tm.tm_min = Int32(minute); tm.tm_sec = Int32(second)
        let epoch = timegm(&tm)
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }

    public static let encoding = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var c = encoder.singleValueContainer()
        try c.encode(format(date))
    }

    public static let decoding = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = parse(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(s)' is not an ISO 8601 time")
        }
        return d
    }
}

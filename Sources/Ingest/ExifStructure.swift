import Foundation

/// Walks the raw TIFF structure of an EXIF block to say what a lenient parser silently dropped:
/// entry counts beyond the block, values pointing outside it, IFD chains that loop.
/// Reads only; never follows more than `maxIFDs` directories.
public enum ExifStructure {
    static let maxIFDs = 16
    static let subIFDTags: Set<Int> = [0x8769, 0x8825, 0xA005]
    static let typeSizes: [Int: Int] = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8]

    public static func audit(_ blob: Data) -> [String] {
        var bytes = [UInt8](blob)
        if bytes.starts(with: Array("Exif".utf8) + [0, 0]) { bytes.removeFirst(6) }
        guard bytes.count >= 8 else { return ["EXIF block is \(bytes.count) bytes, too short for a TIFF header"] }
        let little: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return ["EXIF block has no TIFF byte-order mark"]
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= bytes.count else { return nil }
            return little ? Int(bytes[o]) | Int(bytes[o + 1]) << 8 : Int(bytes[o]) << 8 | Int(bytes[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        var notes: [String] = []
        var visited = Set<Int>()
        var queue = [u32(4) ?? 0]
        while let offset = queue.first, visited.count < maxIFDs {
            queue.removeFirst()
            if offset == 0 { continue }
            if visited.contains(offset) { notes.append("EXIF directory chain loops back to offset \(offset); the loop was not followed"); continue }
            visited.insert(offset)
            guard let declared = u16(offset) else { notes.append("EXIF directory at offset \(offset) lies outside the block"); continue }
            let room = max(0, (bytes.count - offset - 2) / 12)
            if declared > room { notes.append("EXIF directory at offset \(offset) declares \(declared) entries; the block has room for \(room)") }
            for k in 0..<min(declared, room) {
                let e = offset + 2 + 12 * k
                guard let tag = u16(e), let type = u16(e + 2), let count = u32(e + 4), let value = u32(e + 8) else { break }
                if subIFDTags.contains(tag) { queue.append(value); continue }
                let size = (typeSizes[type] ?? 1) * count
                if size > 4 && (value + size > bytes.count || value < 0) {
                    notes.append(String(format: "EXIF tag 0x%04X points outside the block (%d bytes at offset %d)", tag, size, value))
                }
            }
            if let next = u32(offset + 2 + 12 * min(declared, room)) { queue.append(next) }
        }
        if !queue.isEmpty && visited.count >= maxIFDs { notes.append("EXIF has more than \(maxIFDs) directories; the rest was not read") }
        return notes
    }
}

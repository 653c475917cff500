import Foundation
import PipelineCore

/// Reads IPTC-IIM records from the Photoshop APP13 block libvips hands out ("iptc-data").
public enum IPTCReader {
    public static func read(_ data: Data, into meta: inout DescriptiveMetadata) {
        let bytes = [UInt8](data.prefix(1 << 20))
        guard let iim = iimBlock(bytes) else {
            meta.ignored.append("IPTC block (\(bytes.count) bytes) holds no readable IIM records")
            return
        }
        var i = iim.lowerBound, records = 0
        while i + 5 <= iim.upperBound, bytes[i] == 0x1C, records < 1000 {
            let record = bytes[i + 1], dataset = bytes[i + 2]
            let length = Int(bytes[i + 3]) << 8 | Int(bytes[i + 4])
            if length & 0x8000 != 0 { meta.ignored.append("IPTC extended-length record skipped"); break }
            let start = i + 5, end = start + length
            guard end <= iim.upperBound else { meta.ignored.append("IPTC record runs past its block; rest ignored"); break }
            records += 1
            if record == 2, let value = DescriptiveMetadata.clean(String(decoding: bytes[start..<end], as: UTF8.self)) {
                switch dataset {
                case 5: meta.title = meta.title ?? value
                case 120: meta.description = meta.description ?? value
                case 25: if meta.keywords.count < 100 && !meta.keywords.contains(value) { meta.keywords.append(value) }
                case 103: meta.jobIdentifier = meta.jobIdentifier ?? value
                case 80: meta.creator = meta.creator ?? value
                case 116: meta.copyright = meta.copyright ?? value
                default: break
                }
            }
            i = end
        }
    }

    /// The IIM bytes: resource 0x0404 inside "Photoshop 3.0" 8BIM resources, or the block itself if it starts with 0x1C.
    static func iimBlock(_ b: [UInt8]) -> Range<Int>? {
        if b.first == 0x1C { return 0..<b.count }
        var i = 0
        if let p = b.firstIndex(of: 0), String(decoding: b[0..<p], as: UTF8.self) == "Photoshop 3.0" { i = p + 1 }
        while i + 12 <= b.count {
            guard b[i] == 0x38, b[i + 1] == 0x42, b[i + 2] == 0x49, b[i + 3] == 0x4D else { return nil } // "8BIM"
            let id = Int(b[i + 4]) << 8 | Int(b[i + 5])
            let nameLength = Int(b[i + 6])
            var j = i + 6 + 1 + nameLength
            if (1 + nameLength) % 2 == 1 { j += 1 } // the Pascal name is padded to even length
            guard j + 4 <= b.count else { return nil }
            let size = Int(b[j]) << 24 | Int(b[j + 1]) << 16 | Int(b[j + 2]) << 8 | Int(b[j + 3])
            let start = j + 4
            guard size >= 0, start + size <= b.count else { return nil }
            if id == 0x0404 { return start..<(start + size) }
            i = start + size + (size % 2)
        }
        return nil
    }
}

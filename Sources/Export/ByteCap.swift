import Foundation
import Imaging
import PipelineCore

/// Encodes at the preset's quality, stepping down towards its floor while the file is over the cap.
enum ByteCap {
    static let step = 5

    static func encode(_ image: Image, preset p: ChannelPreset) throws -> (Data, Int) {
        var quality = p.quality
        while true {
            let data = try image.encoded(format(p.format), quality: quality, chromaSubsampling: p.chromaSubsampling)
            if data.count <= p.maxBytes { return (data, quality) }
            guard p.format.isLossy, quality > p.qualityFloor else {
                throw ChannelIssue(channel: p.name, code: "over_byte_cap",
                                   message: "the \(p.name) file is \(data.count) bytes at quality \(quality), over its cap of \(p.maxBytes); raise export.preset.\(p.name).max_bytes or lower quality_floor (\(p.qualityFloor))")
            }
            quality = max(p.qualityFloor, quality - step)
        }
    }

    static func format(_ f: ChannelPreset.Format) -> Image.EncodeFormat {
        switch f {
        case .jpeg: .jpeg
        case .png: .png
        case .webp: .webp
        case .avif: .avif
        }
    }
}

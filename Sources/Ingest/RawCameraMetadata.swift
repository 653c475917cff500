import Foundation
import Imaging
import PipelineCore

/// What a RAW file's header says of the camera and the shot, through LibRaw, in the same shape
/// and with the same sanity rules as `CameraMetadata` gives for JPEG, TIFF and the rest.
public enum RawCameraMetadata {
    public static func read(_ path: String) -> CameraInfo? {
        guard let m = try? RawFrame.metadata(path) else { return nil }
        var info = CameraInfo()
        func text(_ s: String, _ name: String) -> String? {
            if s.isEmpty { return nil }
            if s.count > CameraMetadata.maxText || s.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                info.ignored.append("\(name) is not plain text of at most \(CameraMetadata.maxText) characters"); return nil
            }
            return s
        }
        info.make = text(m.make, "Make"); info.model = text(m.model, "Model")
        info.lens = text(m.lens, "LensModel"); info.bodySerial = text(m.bodySerial, "BodySerialNumber")
        info.artist = text(m.artist, "Artist")
        info.exposureTime = CameraMetadata.positive(m.shutter > 0 ? m.shutter : nil, "ExposureTime", &info.ignored)
        info.fNumber = CameraMetadata.positive(m.aperture > 0 ? m.aperture : nil, "FNumber", &info.ignored)
        info.iso = CameraMetadata.positive(m.iso > 0 ? m.iso : nil, "ISO", &info.ignored)
        info.focalLength = CameraMetadata.positive(m.focalLength > 0 ? m.focalLength : nil, "FocalLength", &info.ignored)
        if !m.captureTime.isEmpty { info.captureTime = CameraMetadata.captureTime(m.captureTime, subSeconds: nil, offset: nil) }
        info.orientation = 1
        return info
    }
}

import Foundation
import PipelineCore
import Imaging
import SampleShots
import XCTest

/// Synthetic studio shots made by the tests themselves: small, deterministic.
enum Fixtures {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [String: String] = [:]

    /// A folder with `count` studio JPEGs named like SKU-2001_01.jpg, made once per process.
    static func shots(count: Int, width: Int = 1200, height: Int = 800, firstSku: Int = 2001) throws -> String {
        lock.lock(); defer { lock.unlock() }
        let key = "\(count)-\(width)-\(height)-\(firstSku)"
        if let dir = made[key] { return dir }
        try Vips.start()
        let dir = NSTemporaryDirectory() + "pp-fixtures-\(key)-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for i in 0..<count {
            let name = String(format: "SKU-%d_%02d.jpg", firstSku + i / 3, i % 3 + 1)
            let path = "\(dir)/\(name)"
            if !FileManager.default.fileExists(atPath: path) {
                try StudioFrame.sample(index: i, width: width, height: height).write(jpeg: path)
            }
        }
        made[key] = dir
        return dir
    }

    static func files(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func sha(_ path: String) -> String { (try? FileDigest.of(path).sha256) ?? "" }

    /// A PNG whose header declares width × height pixels, with almost no data: a decompression bomb.
    static func pngBomb(width: UInt32, height: UInt32) -> Data {
        var d = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func chunk(_ type: String, _ body: Data) {
            var len = UInt32(body.count).bigEndian
            d.append(Data(bytes: &len, count: 4))
            let typed = Data(type.utf8) + body
            d.append(typed)
            var crc = crc32(typed).bigEndian
            d.append(Data(bytes: &crc, count: 4))
        }
        var ihdr = Data()
        var w = width.bigEndian, h = height.bigEndian
        ihdr.append(Data(bytes: &w, count: 4)); ihdr.append(Data(bytes: &h, count: 4))
        ihdr.append(contentsOf: [8, 2, 0, 0, 0]) // 8-bit RGB
        chunk("IHDR", ihdr)
        chunk("IDAT", Data([0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]))
        chunk("IEND", Data())
        return d
    }

    static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }
}

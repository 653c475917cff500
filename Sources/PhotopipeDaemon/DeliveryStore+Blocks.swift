import Foundation
import PipelineCore

extension DeliveryStore {
    /// Every record of these file targets, in the order `all(targets:)` gives, read on every core
    /// a block at a time, so only a block of whole records is held at once.
    func forEachRecord(targets: [String], _ visit: (DeliveryRecord) -> Void) {
        let names = targets.sorted().flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(target)")) ?? []).sorted()
                .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
                .map { (target: target, asset: String($0.dropLast(5))) }
        }
        let block = 2048, chunk = 128
        for start in stride(from: 0, to: names.count, by: block) {
            let part = Array(names[start..<min(names.count, start + block)])
            var records = [DeliveryRecord?](repeating: nil, count: part.count)
            records.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let out = buffer
                DispatchQueue.concurrentPerform(iterations: (part.count + chunk - 1) / chunk) { c in
                    for i in (c * chunk)..<min(part.count, (c + 1) * chunk) { out[i] = self.read(target: part[i].target, asset: part[i].asset) }
                }
            }
            for r in records { if let r { visit(r) } }
        }
    }
}

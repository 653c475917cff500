import Foundation

/// Views of a SKU, one symlink per view number, so "is view 1 of SKU-1001 taken?" is one readlink.
public struct ViewIndex: Sendable {
    public let layout: Layout
    public init(layout: Layout) { self.layout = layout }

    public enum Outcome: Equatable, Sendable {
        case assigned(Int)
        /// Another asset already holds this view of the SKU.
        case clash(view: Int, holder: String)
    }

    private func dir(_ sku: String) -> String { "\(layout.views)/\(Sanitizer.component(sku, fallback: "unknown"))" }

    public func holder(sku: String, view: Int) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "\(dir(sku))/\(view)")
    }

    /// Claims `view` (from the file name) or, when nil, the lowest free view number for `id`.
    public func claim(sku: String, view: Int?, id: String) -> Outcome {
        let d = dir(sku)
        try? FileOps.makeDirectory(d)
        if let v = view {
            if let h = holder(sku: sku, view: v), h != id { return .clash(view: v, holder: h) }
            if symlink(id, "\(d)/\(v)") != 0, let h = holder(sku: sku, view: v), h != id { return .clash(view: v, holder: h) }
            return .assigned(v)
        }
        for v in 1...999 {
            if holder(sku: sku, view: v) == id { return .assigned(v) }
            if symlink(id, "\(d)/\(v)") == 0 { return .assigned(v) }
        }
        return .assigned(1000)
    }

    /// Frees every view `id` holds (before a rebuild re-resolves it).
    public func release(sku: String, id: String) {
        let d = dir(sku)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? [] where holder(sku: sku, view: Int(name) ?? -1) == id {
            unlink("\(d)/\(name)")
        }
        unlink("\(d)/.unnamed/\(id)")
    }

    /// Every view number of the SKU and who holds it.
    public func holders(sku: String) -> [Int: String] {
        var out: [Int: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir(sku))) ?? [] {
            if let v = Int(name), let h = holder(sku: sku, view: v) { out[v] = h }
        }
        return out
    }

    /// Frames of the SKU whose names carried no view: `.unnamed/<id>` holds capture time and arrival.
    public func unnamed(sku: String) -> [ViewOrdering.Frame] {
        let d = "\(dir(sku))/.unnamed"
        return ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).compactMap { id in
            guard let text = try? String(contentsOfFile: "\(d)/\(id)", encoding: .utf8) else { return nil }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let arrived = lines.count > 1 ? Timestamps.parse(lines[1]) : nil
            return ViewOrdering.Frame(id: id, captureTime: lines.first.flatMap { $0.isEmpty ? nil : $0 }, arrivedAt: arrived ?? .distantPast)
        }
    }

    /// Registers a frame without a view and numbers all such frames of the SKU in capture order
    /// around the views named frames hold. Returns every unnamed frame's view, old and new.
    public func placeUnnamed(sku: String, frame: ViewOrdering.Frame) -> (views: [String: Int], before: [String: Int]) {
        let d = dir(sku)
        try? FileOps.makeDirectory("\(d)/.unnamed")
        try? AtomicFile.write(Data("\(frame.captureTime ?? "")\n\(Timestamps.format(frame.arrivedAt))\n".utf8), to: "\(d)/.unnamed/\(frame.id)")
        return renumber(sku: sku)
    }

    /// Numbers the SKU's unnamed frames again (after a frame came or a named frame took a view).
    public func renumber(sku: String) -> (views: [String: Int], before: [String: Int]) {
        let d = dir(sku)
        let frames = unnamed(sku: sku)
        let ids = Set(frames.map(\.id))
        let held = holders(sku: sku)
        var before: [String: Int] = [:]
        for (v, h) in held where ids.contains(h) { before[h] = v; unlink("\(d)/\(v)") }
        let taken = Set(held.filter { !ids.contains($0.value) }.keys)
        let views = ViewOrdering.assign(frames, taken: taken)
        for (id, v) in views { _ = symlink(id, "\(d)/\(v)") }
        return (views, before)
    }

    /// Frees one view number.
    public func free(sku: String, view: Int) { unlink("\(dir(sku))/\(view)") }

    /// Whether `id` was numbered by capture order rather than named.
    public func isUnnamed(sku: String, id: String) -> Bool { FileOps.exists("\(dir(sku))/.unnamed/\(id)") }
}

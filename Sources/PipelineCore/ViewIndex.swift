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
    }
}

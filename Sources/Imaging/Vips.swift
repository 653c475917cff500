import CShims
import Foundation

/// Errors from libvips, with the library's own message.
public struct ImagingError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }

    static func fromVips(_ context: String) -> ImagingError {
        var text = ""
        if let raw = ppv_error_copy() {
            text = String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
            ppv_free(raw)
        }
        return ImagingError(message: text.isEmpty ? context : "\(context): \(text)")
    }
}

/// One-time library set-up for a process that decodes images.
public enum Vips {
    nonisolated(unsafe) private static var started = false

    /// Starts libvips with the cache off and untrusted loaders blocked. Call once per process.
    public static func start(threads: Int = 0) throws {
        if started { return }
        guard ppv_init(CommandLine.arguments.first ?? "photopipe", Int32(threads)) == 0 else {
            throw ImagingError.fromVips("libvips failed to start")
        }
        started = true
    }

    /// Threads each libvips pipeline may use; set between operations, never during one.
    public static var threads: Int {
        get { Int(ppv_concurrency_get()) }
        set { ppv_concurrency_set(Int32(newValue)) }
    }
}


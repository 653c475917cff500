import Foundation

/// Free space under the root as a state, not an error: below `limits.min_free_mb` the daemon
/// pauses intake and image work (it says so once), and resumes by itself once space returns.
/// A write that fails with ENOSPC above the threshold also counts: then more than the space free
/// at that moment is needed before work resumes, or the same write would fail again at once.
public struct DiskGuard: Sendable {
    public enum Change: Equatable, Sendable { case filled, freed }

    public let minFreeBytes: UInt64
    public private(set) var full = false
    /// Free bytes needed to leave the full state.
    public private(set) var needed: UInt64 = 0

    public init(minFreeMB: Int) { minFreeBytes = UInt64(max(0, minFreeMB)) << 20 }

    /// Resuming needs a margin above the threshold, or the daemon would flap around it.
    var resumeBytes: UInt64 { minFreeBytes + minFreeBytes / 4 + (1 << 20) }

    public mutating func observe(freeBytes: UInt64) -> Change? {
        if full {
            guard freeBytes >= needed else { return nil }
            full = false
            return .freed
        }
        guard minFreeBytes > 0, freeBytes < minFreeBytes else { return nil }
        full = true
        needed = resumeBytes
        return .filled
    }

    /// A write failed for want of space.
    public mutating func ranOut(freeBytes: UInt64) -> Change? {
        needed = max(needed, resumeBytes, freeBytes + (16 << 20))
        if full { return nil }
        full = true
        return .filled
    }

    /// Bytes an unprivileged writer may still use on the filesystem holding `path`.
    public static func freeBytes(at path: String) -> UInt64? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        return UInt64(s.f_bavail) * UInt64(s.f_frsize)
    }

    /// ENOSPC or EDQUOT, however the error carries it.
    public static func isOutOfSpace(_ error: Error) -> Bool {
        if let e = error as? FileSystemError { return e.errno == ENOSPC || e.errno == EDQUOT }
        if let e = error as? POSIXError { return e.code == .ENOSPC || e.code == .EDQUOT }
        if let e = error as? CocoaError, e.code == .fileWriteOutOfSpace { return true }
        if let f = error as? StepFailure { return f.code == StepFailure.diskFullCode }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain && (ns.code == Int(ENOSPC) || ns.code == Int(EDQUOT)) { return true }
        if let under = ns.userInfo[NSUnderlyingErrorKey] as? Error { return isOutOfSpace(under) }
        return says(outOfSpace: "\(error)")
    }

    /// Whether an error's words (strerror's, through libvips or a stage's own sentence) name ENOSPC or EDQUOT.
    public static func says(outOfSpace text: String) -> Bool {
        text.contains(String(cString: strerror(ENOSPC))) || text.contains(String(cString: strerror(EDQUOT)))
    }

    public static func describe(_ bytes: UInt64) -> String {
        bytes >= 10 << 30 ? "\(bytes >> 30) GB" : "\(bytes >> 20) MB"
    }
}

extension StepFailure {
    public static let diskFullCode = "disk_full"

    /// This failure, or a full disk when that is what its words say happened (a stage that names
    /// its own write failure may not know the cause).
    public func recognisingFullDisk(step: String) -> StepFailure {
        guard code != Self.diskFullCode, DiskGuard.says(outOfSpace: message) else { return self }
        return .diskFull(step: step, detail: message)
    }

    /// A write that found no space: the asset is not at fault and is tried again once space returns.
    public static func diskFull(step: String, detail: String) -> StepFailure {
        StepFailure(diskFullCode, "The disk under the root filled up at step '\(step)' (\(detail)). Nothing is lost; work resumes by itself once space is freed.")
    }
}

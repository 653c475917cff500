import Dispatch
import Foundation
import Imaging
import PipelineCore

/// One run of the network on the analysis-size frame, on its own thread, so that it overlaps
/// keying and the keying cut-out. Its result is the network's opinion of every pixel, guided by
/// the frame's own edges.
final class NetworkRun: @unchecked Sendable {
    private var result: Result<[Float], Error>?
    private let done = DispatchSemaphore(value: 0)
    private(set) var milliseconds = 0.0

    /// Starts the run; nil when the network is off, or `auto` and not installed.
    static func start(_ small: PixelBuffer, settings: RetouchSettings, memoryLimitMB: Int) throws -> NetworkRun? {
        switch settings.matteNetwork {
        case .off: return nil
        case .auto where !SaliencyNetwork.installed(runtime: settings.matteRuntime, model: settings.matteModel): return nil
        default: break
        }
        let run = NetworkRun()
        Thread.detachNewThread {
            let started = DispatchTime.now().uptimeNanoseconds
            run.result = Result { try NetworkRun.opinion(small, settings: settings, memoryLimitMB: memoryLimitMB) }
            run.milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            run.done.signal()
        }
        return run
    }

    func wait() throws -> [Float] {
        done.wait()
        return try result!.get()
    }

    static func opinion(_ small: PixelBuffer, settings: RetouchSettings, memoryLimitMB: Int) throws -> [Float] {
        let net: SaliencyNetwork
        do { net = try SaliencyNetwork.shared(runtime: settings.matteRuntime, model: settings.matteModel, threads: settings.matteThreads) }
        catch {
            throw StepFailure("matte_network_unavailable",
                              "The matte network cannot be loaded (\(error)). Run scripts/fetch-matte-model.sh, or set retouch.matte_runtime and retouch.matte_model, or retouch.matte_network = \"off\"; then `pipectl retry` the asset.")
        }
        let raw = try RetouchStage.guarded("matte-network", memoryLimitMB) { try net.probability(small) }
        // The guide: gamma-encoded luminance, where edges look as a person sees them.
        let guide = stride(from: 0, to: small.data.count, by: small.bands).map { i -> Float in
            let v = small.bands >= 3 ? Float(small.data[i]) * 0.299 + Float(small.data[i + 1]) * 0.587 + Float(small.data[i + 2]) * 0.114 : Float(small.data[i])
            return v / 255
        }
        return GuidedFilter.apply(raw, guide: guide, width: small.width, height: small.height, radius: 2, epsilon: 1e-3)
    }
}

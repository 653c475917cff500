import Foundation
import PipelineCore
import Review

/// Review's memory across assets: the policy in force, each batch's sample so far, and the
/// sharpness of recent frames (the reference at a batch's start). The supervisor asks it for
/// one decision at a time.
final class ReviewDesk {
    private var policy: ReviewPolicy
    /// Each batch's review sample so far; counted from the index the first time a batch is seen after a start.
    private var tallies: [String: Sampler.Tally] = [:]
    /// Outline sharpness of the last 50 frames decided per frame size, any batch.
    private var recentSharpness = SharpnessHistory(limit: 50)

    init(policy: ReviewPolicy) { self.policy = policy }

    /// A reloaded config's policy, from the next decision on.
    func use(_ policy: ReviewPolicy) { self.policy = policy }

    func decide(_ m: Manifest, nearest: ReviewPolicy.Neighbour?, skuHasSeveralViews: Bool,
                tallySoFar: (String) -> Sampler.Tally) -> ReviewPolicy.Decision {
        var tally = tallies[m.batch] ?? tallySoFar(m.batch)
        let decision = policy.decide(m, nearest: nearest, tally: &tally, skuHasSeveralViews: skuHasSeveralViews,
                                     recentSharpness: recentSharpness)
        recentSharpness.add(m)
        tallies[m.batch] = tally
        return decision
    }
}

import Provisioning

/// An apply with everything that can be refused found before the first change: changes
/// whose failure could not be undone, and LWK images that cannot be read.
public struct PreparedApply {
    public var plan: Plan
    public var profile: StateRecord.ProfileStamp
    public var images: LWKImages

    /// Why an apply is refused. Nothing was changed.
    public enum Refusal: Error {
        /// Each change the module could not undo (`InstanceSteps.refusals`).
        case unsafe([String])
        case noImage(any Error)
    }

    /// Checks `chosen` against the node in `state`, then reads its images. The checks
    /// come first: a change the module cannot undo is refused whatever the images, and
    /// reading megabytes of them is wasted on a refused apply.
    public static func make(
        _ chosen: ApplyPlan, on state: NodeState, images: (Partition) throws -> LWKImages = { try LWKImages(for: $0) }
    ) throws(Refusal) -> PreparedApply {
        let plan = chosen.plan
        let problems = InstanceSteps.refusals(applied: plan.applied, desired: plan.partition, view: state.view)
        guard problems.isEmpty else { throw .unsafe(problems) }
        let read: LWKImages
        do { read = try images(plan.partition) } catch { throw .noImage(error) }
        return PreparedApply(plan: plan, profile: chosen.profile, images: read)
    }
}

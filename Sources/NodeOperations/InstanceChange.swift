import Foundation
import NodeBasics
import NodeControl
import Provisioning

/// What apply does to one instance: the steps of `InstanceSteps` it runs.
public enum InstanceChange: Equatable, Sendable {
    case remove(ResolvedInstance)
    case restart(ResolvedInstance, from: ResolvedInstance)
    case create(ResolvedInstance)

    /// The order apply takes. Removals first: they give back what a grown instance may
    /// need. Then the profile's instances in order: an applied one restarts only when it
    /// must (a new name only changes the record), a new one is created.
    public static func changes(from applied: Partition?, to desired: Partition, stopped: [Int: InstanceState]) -> [InstanceChange] {
        let old = applied?.instances ?? []
        var changes = old.filter { before in !desired.instances.contains { $0.index == before.index } }.map(InstanceChange.remove)
        for instance in desired.instances {
            if let before = old.first(where: { $0.index == instance.index }) {
                if InstanceSteps.needsRestart(before, instance, stopped: stopped[instance.index] != nil) {
                    changes.append(.restart(instance, from: before))
                }
            } else {
                changes.append(.create(instance))
            }
        }
        return changes
    }

    /// The line apply prints before the change's steps.
    public var heading: String {
        switch self {
        case .remove(let old):
            return "Removing os \(old.index) \"\(old.name)\":"
        case .restart(let new, let old):
            let resized = old.cpus != new.cpus || InstanceSteps.bytesByNode(old) != InstanceSteps.bytesByNode(new)
            return "Restarting os \(new.index)\(resized ? " with its new CPUs and memory" : ""):"
        case .create(let new):
            return "Creating os \(new.index) \"\(new.name)\":"
        }
    }
}

extension Applier {
    /// Takes the node from what `state` says is applied to the plan's partition, change
    /// by change, and writes the record last. A failure anywhere undoes everything done
    /// so far.
    public func apply(_ prepared: PreparedApply, over state: NodeState, at now: Date) throws(UndoStack.Failure) {
        let plan = prepared.plan, images = prepared.images
        for change in InstanceChange.changes(from: plan.applied, to: plan.partition, stopped: state.stopped) {
            progress(change.heading)
            switch change {
            case .remove(let old):
                try remove(old, previousImage: images.previous(of: old, else: images.fallback(for: old)))
            case .restart(let new, let old):
                let image = images.image(for: new)
                try restart(new, previous: old, image: image, previousImage: images.previous(of: old, else: image))
            case .create(let new):
                try create(new, image: images.image(for: new))
            }
        }
        try record(state.nextRecord(profile: prepared.profile, partition: plan.partition, at: now))
    }
}

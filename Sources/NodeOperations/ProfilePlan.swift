import NodeBasics
import Provisioning
import Topology

/// What a plan compares a profile with.
public enum PlanBaseline {
    /// What is applied on this node, stopped instances included.
    case node(NodeState)
    /// A partition given by hand (`plan --current`); as far as the plan knows, it runs.
    case partition(Partition)
    /// Nothing is applied: a node without the module, or a topology from elsewhere.
    case nothing

    public var applied: Partition? {
        switch self {
        case .node(let state): return state.applied
        case .partition(let partition): return partition
        case .nothing: return nil
        }
    }

    /// Applied instances that are not running, which converging boots again: only the
    /// node itself can say.
    public var stopped: [Int: InstanceState] {
        if case .node(let state) = self { return state.stopped }
        return [:]
    }
}

/// A profile read, resolved on a topology and compared with a baseline: what `plan`
/// shows and `apply` carries out.
public struct ProfilePlan {
    public var plan: Plan
    /// Warnings only: a profile with errors has no plan (`ProfileRejected`).
    public var diagnostics: Diagnostics

    public static func make(profileAt path: String, topology: Topology, against baseline: PlanBaseline) throws(ProfileRejected) -> ProfilePlan {
        let check = ProfileCheck.run(profilePath: path, topology: topology, applied: baseline.applied)
        guard let profile = check.profile, let partition = check.partition else {
            throw ProfileRejected(path: path, diagnostics: check.diagnostics)
        }
        let plan = Plan(
            profile: ProfileReference(path: path, name: profile.name.value), topology: topology.source.description,
            partition: partition, applied: baseline.applied, stopped: baseline.stopped)
        return ProfilePlan(plan: plan, diagnostics: check.diagnostics)
    }
}

/// A profile with errors: every diagnostic, errors and warnings, for the reader.
public struct ProfileRejected: Error {
    public var path: String
    public var diagnostics: Diagnostics

    public init(path: String, diagnostics: Diagnostics) {
        self.path = path
        self.diagnostics = diagnostics
    }
}

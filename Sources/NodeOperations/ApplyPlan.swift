import Provisioning
import Topology

/// Where `mcprov apply` takes its plan from.
public enum PlanOrigin: Equatable, Sendable {
    /// A profile, planned now against what is applied.
    case profile(path: String)
    /// A plan saved by `mcprov plan --out`, good only for the node state it was made
    /// against.
    case saved(path: String)
}

/// The plan an apply carries out, and the profile its state record names.
public struct ApplyPlan {
    public var plan: Plan
    public var profile: StateRecord.ProfileStamp
    /// The profile's warnings; a saved plan's were shown when it was made.
    public var diagnostics: Diagnostics

    /// Why there is no plan to apply. Nothing was changed.
    public enum Failure: Error {
        case unreadable(path: String, any Error)
        /// The node changed since the plan was saved: `saved` holds the state then, `now`
        /// the node's fingerprint now.
        case nodeChanged(path: String, saved: SavedPlan, now: String)
        case rejected(ProfileRejected)
        /// What `topology` threw, having said why.
        case noTopology(any Error)
    }

    /// The plan from `origin` for the node in `state`. `topology` is asked only for a
    /// profile: a saved plan was made on one already, and the node's may not even load.
    public static func make(_ origin: PlanOrigin, on state: NodeState, topology: () throws -> Topology) throws(Failure) -> ApplyPlan {
        switch origin {
        case .saved(let path):
            let saved: SavedPlan
            do { saved = try SavedPlan.read(path) } catch { throw .unreadable(path: path, error) }
            guard saved.fits(state) else { throw .nodeChanged(path: path, saved: saved, now: state.fingerprint) }
            return ApplyPlan(plan: saved.plan, profile: saved.profile, diagnostics: Diagnostics())
        case .profile(let path):
            let live: Topology
            do { live = try topology() } catch { throw .noTopology(error) }
            let planned: ProfilePlan
            do throws(ProfileRejected) {
                planned = try ProfilePlan.make(profileAt: path, topology: live, against: .node(state))
            } catch {
                throw .rejected(error)
            }
            let profile = StateRecord.ProfileStamp.of(profileAt: path, name: planned.plan.profile.name)
            return ApplyPlan(plan: planned.plan, profile: profile, diagnostics: planned.diagnostics)
        }
    }
}

import Foundation
import NodeBasics
import NodeControl
import Topology

/// The node's topology as it was before anything was taken from Linux.
///
/// hwloc sees only online CPUs, so once a partition is applied its LWK CPUs vanish from
/// the live topology, and a plan against it would think the node has lost cores. The
/// topology is kept in the state directory whenever the module holds no CPU (so it is
/// complete), and used instead of hwloc's while it holds some; the live part (online
/// CPUs, free memory) is always read fresh. /run goes with a reboot, as do the reasons
/// for the snapshot.
public enum TopologySnapshot {
    public enum Choice {
        case live(Topology)
        case snapshot(Topology)
        /// CPUs are held but no snapshot exists (a reservation made by hand, a lost
        /// state directory): the live topology, missing those CPUs.
        case incomplete(Topology, missing: CPUSet)

        public var topology: Topology {
            switch self {
            case .live(let topology), .snapshot(let topology), .incomplete(let topology, _): return topology
            }
        }
    }

    /// The topology to plan with. Only hwloc's view of this node misses CPUs, and only
    /// while the module holds some: a captured or synthetic topology, or a node without
    /// the module, is planned with as it is. `heldCPUs` says which CPUs the module holds
    /// (from a view the caller has, or the module), asked only when that matters.
    public static func forPlanning(_ topology: Topology, store: StateStore = StateStore(), heldCPUs: () throws -> CPUSet) throws -> Choice {
        guard topology.source.isLive, ModuleClient.isLoaded else { return .live(topology) }
        return try choose(live: topology, heldCPUs: try heldCPUs(), store: store)
    }

    /// `forPlanning`, the CPUs the module holds taken from `state` when the caller has
    /// read it, so that the plan and its topology see one moment of the node; else the
    /// module is asked. Throws `ModuleError` or `StateFileError`.
    public static func forPlanning(_ topology: Topology, state: NodeState?, store: StateStore = StateStore()) throws -> Choice {
        try forPlanning(topology, store: store) {
            if let state { return state.view.allCPUs }
            return try ModuleClient().view().allCPUs
        }
    }

    /// The topology to plan with on the live node, given the CPUs the module holds now.
    /// A snapshot that cannot be read is an error, not a reason to plan without it.
    public static func choose(live: Topology, heldCPUs: CPUSet, store: StateStore) throws(StateFileError) -> Choice {
        let url = store.directory.appendingPathComponent("topology.json")
        if heldCPUs.isEmpty {
            var complete = live
            complete.live = nil
            // Best effort: whoever may not write the state directory plans all the same.
            if let data = try? JSONEncoder().encode(complete) { try? store.save(data, to: url) }
            return .live(live)
        }
        guard var saved = try store.load(Topology.self, from: url, holds: "the topology saved before CPUs were taken"),
              heldCPUs.isSubset(of: saved.cpus)
        else {
            return .incomplete(live, missing: heldCPUs.subtracting(live.cpus))
        }
        saved.live = live.live
        saved.source = .live
        return .snapshot(saved)
    }
}

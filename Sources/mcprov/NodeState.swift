import ArgumentParser
import Foundation
import NodeBasics
import NodeControl
import NodeOperations
import Provisioning
import Topology

/// The live node's topology for planning: hwloc's, or, while the module holds CPUs that
/// hwloc no longer sees, the snapshot taken before they were taken. `state`, when the
/// caller has read it already, says which CPUs the module holds.
func planningTopology(_ live: Topology, state: NodeState? = nil) throws -> Topology {
    guard live.source.isLive, ModuleClient.isLoaded else { return live }
    let held: CPUSet
    if let state {
        held = state.view.allCPUs
    } else {
        do { held = try openModule().view().allCPUs } catch let error as ModuleError { throw error.exit() }
    }
    switch TopologySnapshot.choose(live: live, heldCPUs: held, store: StateStore()) {
    case .live(let topology), .snapshot(let topology):
        return topology
    case .incomplete(let topology, let missing):
        Console.error("mcprov: CPUs \(missing) are held by the module but unknown to hwloc, and no topology was saved before they were taken; planning without them")
        return topology
    }
}

/// What is applied on this node now: the module's view reconciled with the state record.
struct NodeState {
    var view: NodeView
    var record: StateRecord?
    var applied: Partition?
    var drift: [Drift]
    var notes: [String]

    static func read(_ module: ModuleClient, store: StateStore) throws -> NodeState {
        let view: NodeView
        do { view = try module.view() } catch { throw error.exit() }
        var notes: [String] = []
        var record: StateRecord?
        switch store.read() {
        case .none: break
        case .record(let found): record = found
        case .corrupt(let why): notes.append("ignoring the state record: \(why)")
        }
        let (applied, drift) = Reconciler.applied(record: record, view: view)
        return NodeState(view: view, record: record, applied: applied, drift: drift, notes: notes)
    }

    /// Applied instances the module holds but that are not running.
    var stopped: [Int: InstanceState] {
        Dictionary(uniqueKeysWithValues: view.instances.filter { $0.state != .running }.map { ($0.index, $0.state) })
    }

    /// Identifies the node's state for saved plans: the record's serial and a hash of
    /// what the module holds.
    var fingerprint: String {
        let data = (try? encodeJSON(view)) ?? ""
        return "\(record?.serial ?? 0):\(SHA256.hex(Array(data.utf8)))"
    }
}

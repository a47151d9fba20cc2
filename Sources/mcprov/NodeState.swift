import ArgumentParser
import Foundation
import NodeControl
import NodeOperations
import Provisioning

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
    var stopped: [Int: String] {
        Dictionary(uniqueKeysWithValues: view.instances.filter { $0.state != "running" }.map { ($0.index, $0.state) })
    }

    /// Identifies the node's state for saved plans: the record's serial and a hash of
    /// what the module holds.
    var fingerprint: String {
        let data = (try? encodeJSON(view)) ?? ""
        return "\(record?.serial ?? 0):\(SHA256.hex(Array(data.utf8)))"
    }
}

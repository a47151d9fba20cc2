import Foundation
import NodeBasics
import NodeControl
import Provisioning

/// What is applied on this node now: the module's view reconciled with the state record.
public struct NodeState {
    public var view: NodeView
    public var record: StateRecord?
    public var applied: Partition?
    public var drift: [Drift]
    /// What the reader should be told, such as an unreadable record being ignored.
    public var notes: [String]

    public init(view: NodeView, reading: StateStore.Reading) {
        self.view = view
        notes = []
        switch reading {
        case .none: record = nil
        case .record(let found): record = found
        case .corrupt(let why):
            record = nil
            notes.append("ignoring the state record: \(why)")
        }
        (applied, drift) = Reconciler.applied(record: record, view: view)
    }

    public static func read(_ module: ModuleClient, store: StateStore) throws(ModuleError) -> NodeState {
        NodeState(view: try module.view(), reading: store.read())
    }

    /// Applied instances the module holds but that are not running.
    public var stopped: [Int: InstanceState] {
        Dictionary(uniqueKeysWithValues: view.instances.filter { $0.state != .running }.map { ($0.index, $0.state) })
    }

    /// Identifies the node's state for saved plans: the record's serial and a hash of
    /// what the module holds.
    public var fingerprint: String {
        let data = (try? encodeJSON(view)) ?? ""
        return "\(record?.serial ?? 0):\(SHA256.hex(Array(data.utf8)))"
    }

    /// The record an apply of `partition` leaves: the serial one up (saved plans made
    /// before it no longer match), the first apply's time kept, `now` as the change.
    public func nextRecord(profile: StateRecord.ProfileStamp, partition: Partition, at now: Date) -> StateRecord {
        StateRecord(
            serial: (record?.serial ?? 0) + 1, profile: profile, partition: partition,
            appliedAt: record?.appliedAt ?? now, updatedAt: now)
    }
}

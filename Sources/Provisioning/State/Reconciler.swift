import NodeBasics

/// A difference between what the record says is applied and what the module holds.
public struct Drift: Equatable, Sendable, Codable, CustomStringConvertible {
    public var what: String
    public var remedy: String
    public var description: String { what }
}

/// Decides what is applied now from the state record and the module's view. The module
/// wins: the record only adds what the module cannot say (names, IKC map, kernel
/// arguments, the profile).
public enum Reconciler {
    public static func applied(record: StateRecord?, view: NodeView) -> (partition: Partition?, drift: [Drift]) {
        var drift: [Drift] = []
        let reapply = "run `mcprov apply` with the profile to converge, or `mcprov teardown` to give everything back"

        guard let record else {
            guard !view.isEmpty else { return (nil, []) }
            drift.append(Drift(
                what: "the module holds resources but there is no state record (lost, or changed by hand)",
                remedy: "the partition was rebuilt from the module; \(reapply)"))
            return (rebuilt(from: view), drift + poolDrift(view))
        }

        var instances: [ResolvedInstance] = []
        for recorded in record.partition.instances {
            guard let live = view.instances.first(where: { $0.index == recorded.index }) else {
                drift.append(Drift(what: "os \(recorded.index) \"\(recorded.name)\" is recorded but the module has no such instance", remedy: reapply))
                continue
            }
            var instance = recorded
            if live.cpus != recorded.cpus {
                drift.append(Drift(what: "os \(recorded.index) holds \(live.cpus.named), the record says \(recorded.cpus.named)", remedy: reapply))
                instance.cpus = live.cpus
            }
            let recordedMemory = Dictionary(uniqueKeysWithValues: recorded.memory.map { ($0.numa, $0.bytes) })
            if live.memory.filter({ $0.value > 0 }) != recordedMemory.filter({ $0.value > 0 }) {
                drift.append(Drift(what: "os \(recorded.index) holds \(describe(live.memory)), the record says \(describe(recordedMemory))", remedy: reapply))
                instance.memory = live.memory.sorted { $0.key < $1.key }.map { node, bytes in
                    NodeMemory(numa: node, kind: recorded.memory.first { $0.numa == node }?.kind ?? .unknown, bytes: bytes)
                }
            }
            if live.state != .running {
                drift.append(Drift(
                    what: "os \(recorded.index) is \(live.state.rawValue), not running",
                    remedy: "see `mcprov kmsg` for why; `mcprov apply` boots it again, `mcprov teardown` gives everything back"))
            }
            instances.append(instance)
        }
        for live in view.instances where !record.partition.instances.contains(where: { $0.index == live.index }) {
            drift.append(Drift(what: "the module has os \(live.index), which is not recorded", remedy: reapply))
            instances.append(rebuiltInstance(live))
        }
        drift += poolDrift(view)
        return (Partition(profileName: record.partition.profileName, instances: instances), drift)
    }

    /// Reserved but unassigned resources belong to no applied instance: a crashed apply
    /// or a hand-made reservation.
    static func poolDrift(_ view: NodeView) -> [Drift] {
        guard !view.poolCPUs.isEmpty || !view.poolMemory.isEmpty else { return [] }
        var held: [String] = []
        if !view.poolCPUs.isEmpty { held.append(view.poolCPUs.named) }
        if !view.poolMemory.isEmpty { held.append(describe(view.poolMemory)) }
        return [Drift(
            what: "the module holds \(held.joined(separator: " and ")) that no instance uses",
            remedy: "`mcprov teardown` gives them back (as does the next apply)")]
    }

    static func rebuilt(from view: NodeView) -> Partition {
        Partition(profileName: "(unknown: no state record)", instances: view.instances.map(rebuiltInstance))
    }

    static func rebuiltInstance(_ live: NodeView.Instance) -> ResolvedInstance {
        ResolvedInstance(
            index: live.index, name: "os\(live.index)", cpus: live.cpus,
            memory: live.memory.sorted { $0.key < $1.key }.map { NodeMemory(numa: $0.key, kind: .unknown, bytes: $0.value) },
            ikc: [], kernelImage: "unknown", kernelArgs: "unknown")
    }

    static func describe(_ memory: [Int: UInt64]) -> String {
        let parts = memory.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\(formatBytes($0.value)) on NUMA \($0.key)" }
        return parts.isEmpty ? "no memory" : parts.joined(separator: ", ")
    }
}

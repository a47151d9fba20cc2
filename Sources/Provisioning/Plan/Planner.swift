import NodeBasics
import Topology

/// Compares two partitions and lists the steps between them. Pure: the applied partition
/// is whatever the caller knows (nothing yet, a state record, or the module's live view).
public enum Planner {
    public static func changes(from applied: Partition?, to desired: Partition, stopped: [Int: InstanceState] = [:]) -> [Change] {
        var changes: [Change] = []
        let old = applied?.instances ?? []
        if let applied, applied.profileName != desired.profileName {
            changes.append(Change(
                action: .change, impact: .inPlace, resource: .record, instance: nil,
                text: "profile name \"\(applied.profileName)\" → \"\(desired.profileName)\""))
        }
        for instance in desired.instances {
            if let before = old.first(where: { $0.index == instance.index }) {
                var steps = update(before, to: instance)
                if let state = stopped[instance.index], !steps.contains(where: { $0.resource == .boot }) {
                    steps.append(Change(
                        action: .change, impact: .restartsLWK, resource: .boot, instance: instance.index,
                        text: "boot os \(instance.index) again: it is \(state.rawValue), not running"))
                }
                changes += steps
            } else {
                changes += create(instance)
            }
        }
        for instance in old where !desired.instances.contains(where: { $0.index == instance.index }) {
            changes += destroy(instance)
        }
        return changes
    }

    static func create(_ instance: ResolvedInstance) -> [Change] {
        let os = instance.index
        var steps = [Change(action: .add, impact: .creates, resource: .cpus, instance: os, text: "reserve cpus \(describe(instance.cpus))")]
        for slice in instance.memory {
            steps.append(Change(action: .add, impact: .creates, resource: .memory, instance: os, text: "reserve \(describe(slice))"))
        }
        steps.append(Change(
            action: .add, impact: .creates, resource: .instance, instance: os,
            text: "create os \(os) \"\(instance.name)\" on them, \(describe(instance.ikc))"))
        steps.append(Change(action: .add, impact: .creates, resource: .boot, instance: os, text: bootText(instance)))
        return steps
    }

    static func destroy(_ instance: ResolvedInstance) -> [Change] {
        let os = instance.index
        var steps = [Change(
            action: .destroy, impact: .replacesPartition, resource: .instance, instance: os,
            text: "shut down and destroy os \(os) \"\(instance.name)\"")]
        steps.append(Change(action: .destroy, impact: .replacesPartition, resource: .cpus, instance: os, text: "release cpus \(describe(instance.cpus))"))
        for slice in instance.memory {
            steps.append(Change(action: .destroy, impact: .replacesPartition, resource: .memory, instance: os, text: "release \(describe(slice))"))
        }
        return steps
    }

    /// Resource changes are made as deltas (reserve what is new, release what is gone)
    /// while the LWK is down, so a grown or shrunk instance restarts without giving back
    /// what it keeps. An instance moved to entirely different CPUs keeps nothing: that is
    /// a replacement.
    static func update(_ before: ResolvedInstance, to after: ResolvedInstance) -> [Change] {
        let os = after.index
        var steps: [Change] = []
        let moved = !before.cpus.isEmpty && before.cpus.isDisjoint(with: after.cpus)
        let impact: Change.Impact = moved ? .replacesPartition : .restartsLWK

        if before.name != after.name {
            steps.append(Change(action: .change, impact: .inPlace, resource: .record, instance: os, text: "name of os \(os) \"\(before.name)\" → \"\(after.name)\""))
        }
        let added = after.cpus.subtracting(before.cpus), removed = before.cpus.subtracting(after.cpus)
        if !removed.isEmpty {
            steps.append(Change(action: .destroy, impact: impact, resource: .cpus, instance: os, text: "release cpus \(describe(removed))"))
        }
        if !added.isEmpty {
            steps.append(Change(action: .add, impact: impact, resource: .cpus, instance: os, text: "reserve cpus \(describe(added))"))
        }
        let nodes = Set(before.memory.map(\.numa) + after.memory.map(\.numa)).sorted()
        for numa in nodes {
            let had = before.memory.first { $0.numa == numa }, has = after.memory.first { $0.numa == numa }
            let oldBytes = had?.bytes ?? 0, newBytes = has?.bytes ?? 0
            guard oldBytes != newBytes, let kind = (has ?? had)?.kind else { continue }
            if newBytes > oldBytes {
                let more = oldBytes == 0 ? "" : " more"
                steps.append(Change(
                    action: .add, impact: impact, resource: .memory, instance: os,
                    text: "reserve \(formatBytes(newBytes - oldBytes))\(more) on NUMA \(numa) (\(kind.rawValue)), \(formatBytes(newBytes)) in all"))
            } else {
                steps.append(Change(
                    action: .destroy, impact: impact, resource: .memory, instance: os,
                    text: "release \(describe(NodeMemory(numa: numa, kind: kind, bytes: oldBytes - newBytes)))\(newBytes == 0 ? "" : ", \(formatBytes(newBytes)) left")"))
            }
        }
        if before.ikc != after.ikc {
            steps.append(Change(
                action: .change, impact: impact, resource: .ikc, instance: os,
                text: "IKC map of os \(os) \(before.ikc.mcrebootSyntax) → \(after.ikc.mcrebootSyntax)"))
        }
        if before.kernelImage != after.kernelImage {
            steps.append(Change(
                action: .change, impact: impact, resource: .kernel, instance: os,
                text: "kernel image of os \(os) \(before.kernelImage) → \(after.kernelImage)"))
        }
        if before.kernelArgs != after.kernelArgs {
            steps.append(Change(
                action: .change, impact: impact, resource: .kernel, instance: os,
                text: "kernel args of os \(os) \"\(before.kernelArgs)\" → \"\(after.kernelArgs)\""))
        }
        if steps.contains(where: { $0.impact != .inPlace }) {
            let verb = moved ? "replace os \(os) on its new resources and" : "restart os \(os):"
            steps.append(Change(
                action: moved ? .replace : .change, impact: impact, resource: .boot, instance: os,
                text: "\(verb) shut down, boot with \"\(after.kernelArgs)\""))
        }
        return steps
    }

    static func bootText(_ instance: ResolvedInstance) -> String {
        let image = instance.kernelImage == "default" ? "" : " image \(instance.kernelImage)"
        return "boot os \(instance.index)\(image) with \"\(instance.kernelArgs)\""
    }

    static func describe(_ cpus: CPUSet) -> String {
        "\(cpus) (\(cpus.count) CPU\(cpus.count == 1 ? "" : "s"))"
    }

    static func describe(_ ikc: [IKCRoute]) -> String {
        let servers = Set(ikc.map(\.linuxCPU)).count
        let served = ikc.reduce(0) { $0 + $1.lwkCPUs.count }
        return "IKC: \(servers) Linux CPU\(servers == 1 ? "" : "s") serve\(servers == 1 ? "s" : "") \(served) LWK CPU\(served == 1 ? "" : "s")"
    }

    static func describe(_ slice: NodeMemory) -> String {
        "\(formatBytes(slice.bytes)) on NUMA \(slice.numa) (\(slice.kind.rawValue))"
    }
}

import NodeBasics
import Provisioning

/// One step of creating an instance, taking an applied one to its new configuration (a
/// restart, with or without CPU and memory deltas) or removing it. Each case carries what
/// the step and its undo need, so the step decides its undo: `label` names it, and
/// `execution` gives its progress line, action and undo. Pure values, so the order of steps can
/// be checked without a module; `Applier.run` carries them out, whichever of the three
/// they are.
public enum InstanceStep: Equatable, Sendable {
    // MARK: Memory

    /// Best effort, so that reservations find more contiguous blocks.
    case compactMemory
    /// A new instance's memory on a node; undone by giving the reservation back.
    case reserveMemory(numa: Int, bytes: UInt64)
    /// `bytes` more on a node where the instance holds `had`; undone by restoring `had`.
    case growMemory(numa: Int, bytes: UInt64, had: UInt64)
    /// Every chunk the instance has on the node goes back to the reserved pool; undone by
    /// restoring `had`, which covers the node's later steps too.
    case unassignMemory(numa: Int, had: UInt64)
    /// Every unassigned chunk of the node goes back to Linux.
    case releaseMemory(numa: Int)
    /// The smaller amount, once the node went back to Linux as a whole; the node's
    /// `unassignMemory` undo covers it.
    case reserveShrunkMemory(numa: Int, bytes: UInt64)
    case assignMemory(numa: Int, bytes: UInt64)

    // MARK: CPUs

    case reserveCPUs(CPUSet)
    /// Back to Linux.
    case releaseCPUs(CPUSet)
    /// To a new instance: destroying it gives them back.
    case assignCPUs(CPUSet)
    /// Added to an instance that stays; undone by unassigning them.
    case assignAddedCPUs(CPUSet)
    case unassignCPUs(CPUSet)

    // MARK: IRQs

    case steerIRQs(CPUSet)
    /// The IRQ affinities saved when these CPUs were taken are written back, minus the
    /// CPUs the LWK still holds.
    case restoreIRQs(CPUSet)
    /// irqbalance restarted with every CPU the module holds banned (when it runs).
    case banIRQBalance

    // MARK: The instance

    case create(name: String)
    case destroy
    /// Undone by booting the instance again as it was, with `previousKernelArgs`.
    case shutdown(previousKernelArgs: String)
    case load
    case kernelArgs(String)
    case boot
    case waitRunning
}

public enum InstanceSteps {
    /// A new instance on freshly taken resources: memory first (the largest and slowest
    /// to find, so a node that cannot give it fails before anything else is touched),
    /// then CPUs, IRQs steered off them, irqbalance told; then the instance is created,
    /// given its CPUs and memory, loaded, configured and booted. Assignments need no undo
    /// of their own: destroying the instance returns what it was assigned to the reserved
    /// pool, whence the reservations' undos give it to Linux.
    public static func create(_ instance: ResolvedInstance) -> [InstanceStep] {
        var steps: [InstanceStep] = [.compactMemory]
        steps += instance.memory.map { .reserveMemory(numa: $0.numa, bytes: $0.bytes) }
        steps += [.reserveCPUs(instance.cpus), .steerIRQs(instance.cpus), .banIRQBalance, .create(name: instance.name), .assignCPUs(instance.cpus)]
        steps += instance.memory.map { .assignMemory(numa: $0.numa, bytes: $0.bytes) }
        steps += [.load, .kernelArgs(instance.kernelArgs), .boot, .waitRunning]
        return steps
    }

    /// From `before` (applied) to `after` (the profile's), for the same index: shut down,
    /// CPU deltas, memory deltas node by node, load, kernel arguments, boot. The LWK is
    /// down from the first step to the last, so every change to its resources is made
    /// while it is INACTIVE, as the module requires.
    ///
    /// CPUs: removed ones are unassigned, released to Linux and get their IRQ affinities
    /// back before new ones are reserved, so a move between CPUs never needs both sets at
    /// once; added ones are reserved, IRQs are steered off them, irqbalance is told, and
    /// they are assigned. CPUs the instance keeps are not touched.
    ///
    /// Memory, per NUMA node whose amount changes (other nodes are not touched):
    /// - grow: only the difference is reserved and assigned; the chunks held stay.
    /// - shrink: the module cannot take part of a node's assignment back (UNASSIGN_MEM
    ///   returns all of the instance's chunks of the node to the pool) nor give part of a
    ///   node's pool to Linux (RELEASE_MEM frees every unassigned chunk of the node, and
    ///   refuses while any chunk of it is assigned). Assigning the smaller amount back and
    ///   keeping the rest reserved would leave memory that neither Linux nor the LWK can
    ///   use, so the node is unassigned, released as a whole, and the new amount reserved
    ///   and assigned again. The freed chunks are still free a moment later, so the new,
    ///   smaller reservation finds them; the LWK is down anyway, and loses nothing that a
    ///   restart keeps.
    /// The first step that touches a node (`growMemory` or `unassignMemory`) is undone by
    /// restoring the node's old amount; that covers the later steps on the node, whose own
    /// failure cannot leave more behind than it can clean up.
    public static func restart(from before: ResolvedInstance, to after: ResolvedInstance) -> [InstanceStep] {
        var steps: [InstanceStep] = [.shutdown(previousKernelArgs: before.kernelArgs)]
        let removed = before.cpus.subtracting(after.cpus), added = after.cpus.subtracting(before.cpus)
        if !removed.isEmpty {
            steps += releaseCPUs(removed)
        }
        if !added.isEmpty {
            steps += [.reserveCPUs(added), .steerIRQs(added)]
        }
        if !removed.isEmpty || !added.isEmpty {
            steps.append(.banIRQBalance)
        }
        if !added.isEmpty {
            steps.append(.assignAddedCPUs(added))
        }
        let nodes = Set(before.memory.map(\.numa) + after.memory.map(\.numa)).sorted()
        for numa in nodes {
            let had = before.memory.first { $0.numa == numa }?.bytes ?? 0
            let has = after.memory.first { $0.numa == numa }?.bytes ?? 0
            if has > had {
                steps += [.growMemory(numa: numa, bytes: has - had, had: had), .assignMemory(numa: numa, bytes: has - had)]
            } else if has < had {
                steps += [.unassignMemory(numa: numa, had: had), .releaseMemory(numa: numa)]
                if has > 0 {
                    steps += [.reserveShrunkMemory(numa: numa, bytes: has), .assignMemory(numa: numa, bytes: has)]
                }
            }
        }
        steps += [.load, .kernelArgs(after.kernelArgs), .boot, .waitRunning]
        return steps
    }

    /// An applied instance the profile no longer has: shut down, give its CPUs and memory
    /// back to Linux, destroy it. Undone by creating it again on the same resources and
    /// booting its previous configuration.
    public static func remove(_ instance: ResolvedInstance) -> [InstanceStep] {
        var steps: [InstanceStep] = [.shutdown(previousKernelArgs: instance.kernelArgs)]
        steps += releaseCPUs(instance.cpus)
        steps.append(.banIRQBalance)
        for slice in instance.memory {
            steps += [.unassignMemory(numa: slice.numa, had: slice.bytes), .releaseMemory(numa: slice.numa)]
        }
        steps.append(.destroy)
        return steps
    }

    static func releaseCPUs(_ cpus: CPUSet) -> [InstanceStep] {
        [.unassignCPUs(cpus), .releaseCPUs(cpus), .restoreIRQs(cpus)]
    }
}

extension InstanceSteps {
    /// Bytes per NUMA node, the way the module counts them (kinds aside).
    public static func bytesByNode(_ instance: ResolvedInstance) -> [Int: UInt64] {
        Dictionary(instance.memory.map { ($0.numa, $0.bytes) }, uniquingKeysWith: +)
    }

    /// Whether an applied instance must be restarted to become `after`.
    public static func needsRestart(_ before: ResolvedInstance, _ after: ResolvedInstance, stopped: Bool) -> Bool {
        stopped || before.kernelArgs != after.kernelArgs || before.kernelImage != after.kernelImage || before.ikc != after.ikc
            || before.cpus != after.cpus || bytesByNode(before) != bytesByNode(after)
    }

    /// Changes that cannot be made so that a failure leaves the node as it was, found
    /// before anything changes. The module gives a node's memory back to Linux only as a
    /// whole (RELEASE_MEM frees every unassigned chunk of the node and refuses while any
    /// chunk of it is assigned), so an instance's memory on a node can change, or be given
    /// back, only when no other instance has memory there and the node's pool is empty.
    public static func refusals(applied: Partition?, desired: Partition, view: NodeView) -> [String] {
        var problems: [String] = []
        for old in applied?.instances ?? [] {
            let new = desired.instances.first { $0.index == old.index }
            let had = bytesByNode(old), has = new.map(bytesByNode) ?? [:]
            for numa in Set(had.keys).union(has.keys).sorted() where had[numa] != has[numa] {
                let what = new == nil ? "removing os \(old.index) gives back its memory on NUMA \(numa)"
                                      : "os \(old.index)'s memory on NUMA \(numa) changes"
                let others = view.instances.filter { $0.index != old.index && ($0.memory[numa] ?? 0) > 0 }.map { "os \($0.index)" }
                if !others.isEmpty {
                    problems.append("\(what), but \(others.joined(separator: ", ")) also \(others.count == 1 ? "has" : "have") memory there, and the module releases a node's memory only as a whole")
                } else if let pool = view.poolMemory[numa] {
                    problems.append("\(what), but NUMA \(numa) holds \(formatBytes(pool)) reserved for no instance (left by a crashed apply?), which could not be told apart")
                }
            }
        }
        return problems
    }
}

import NodeBasics
import Provisioning
import Topology

/// The steps that create an instance, take an applied one to its new configuration (a
/// restart, with or without CPU and memory deltas) or remove it, each with the undo it
/// registers. Pure values, so the order of steps and of their undos can be checked
/// without a module; `Applier.run` carries them out, whichever of the three they are.
public struct InstanceStep: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        /// Best effort, so that reservations find more contiguous blocks.
        case compactMemory
        case shutdown
        case unassignCPUs(CPUSet)
        /// Back to Linux.
        case releaseCPUs(CPUSet)
        /// The IRQ affinities saved when these CPUs were taken are written back, minus
        /// the CPUs the LWK still holds.
        case restoreIRQs(CPUSet)
        case reserveCPUs(CPUSet)
        case steerIRQs(CPUSet)
        /// irqbalance restarted with every CPU the module holds banned (when it runs).
        case banIRQBalance
        case assignCPUs(CPUSet)
        /// Every chunk the instance has on the node goes back to the reserved pool.
        case unassignMemory(numa: Int)
        /// Every unassigned chunk of the node goes back to Linux.
        case releaseMemory(numa: Int)
        case reserveMemory(numa: Int, bytes: UInt64)
        case assignMemory(numa: Int, bytes: UInt64)
        case create(name: String)
        case destroy
        case load
        case kernelArgs(String)
        case boot
        case waitRunning
    }

    /// What a step's undo does. Steps without one are covered by an earlier step's undo
    /// (see `restoreMemory`) or leave nothing behind.
    public enum Undo: Equatable, Sendable {
        /// Shut down whatever the failed steps left, load the previous image, set the
        /// previous kernel arguments, boot and wait for running.
        case bootPrevious(kernelArgs: String)
        case assignCPUs(CPUSet)
        case reserveCPUs(CPUSet)
        case narrowIRQs(CPUSet)
        case restoreIRQs(CPUSet)
        case releaseCPUs(CPUSet)
        case unassignCPUs(CPUSet)
        case previousIRQBalanceBan
        /// The instance holds exactly `bytes` on the node again and the node's pool is as
        /// before: see `Applier.restoreMemory`.
        case restoreMemory(numa: Int, bytes: UInt64)
        /// What a reservation on a node added to its pool goes back to Linux (only when
        /// the pool was empty before: see `ModuleClient.undoReservation`).
        case releaseReservation(numa: Int, bytes: UInt64)
        case recreate
        case destroy
        case shutdown
    }

    public var action: Action
    public var undo: Undo?

    public init(_ action: Action, undo: Undo? = nil) {
        self.action = action
        self.undo = undo
    }

    /// The name the test switches and progress lines use.
    public var step: ApplyStep {
        switch action {
        case .compactMemory: return .compact
        case .shutdown: return .shutdown
        case .unassignCPUs: return .unassignCPUs
        case .releaseCPUs: return .releaseCPUs
        case .restoreIRQs: return .restoreIRQs
        case .reserveCPUs: return .reserveCPUs
        case .steerIRQs: return .steerIRQs
        case .banIRQBalance: return .banIRQBalance
        case .assignCPUs: return .assignCPUs
        case .unassignMemory: return .unassignMemory
        case .releaseMemory: return .releaseMemory
        case .reserveMemory: return .reserveMemory
        case .assignMemory: return .assignMemory
        case .create: return .create
        case .destroy: return .destroy
        case .load: return .load
        case .kernelArgs: return .kernelArgs
        case .boot: return .boot
        case .waitRunning: return .waitRunning
        }
    }
}

extension InstanceStep.Undo {
    /// How the failure report names it.
    public func text(os: Int) -> String {
        switch self {
        case .bootPrevious(let args): return "booted os \(os) again with \"\(args)\""
        case .assignCPUs(let cpus): return "assigned CPUs \(cpus) to os \(os) again"
        case .reserveCPUs(let cpus): return "reserved CPUs \(cpus) again"
        case .narrowIRQs(let cpus): return "moved IRQs off CPUs \(cpus) again"
        case .restoreIRQs: return "restored IRQ affinities"
        case .releaseCPUs(let cpus): return "released CPUs \(cpus)"
        case .unassignCPUs(let cpus): return "unassigned CPUs \(cpus) from os \(os)"
        case .previousIRQBalanceBan: return "restarted irqbalance with the previous ban"
        case .restoreMemory(let numa, let bytes):
            return bytes == 0 ? "released the memory of os \(os) on NUMA \(numa)" : "os \(os) holds \(formatBytes(bytes)) on NUMA \(numa) again"
        case .releaseReservation(let numa, let bytes): return "released \(formatBytes(bytes)) on NUMA \(numa)"
        case .recreate: return "created os \(os) again"
        case .destroy: return "destroyed os \(os)"
        case .shutdown: return "shut down os \(os)"
        }
    }
}

public enum InstanceSteps {
    /// A new instance on freshly taken resources: memory first (the largest and slowest
    /// to find, so a node that cannot give it fails before anything else is touched),
    /// then CPUs, IRQs steered off them, irqbalance told; then the instance is created,
    /// given its CPUs and memory, loaded, configured and booted. Assignments need no undo
    /// of their own: destroying the instance returns what it was assigned to the reserved
    /// pool, whence the reservations' undos give it to Linux.
    public static func create(_ instance: ResolvedInstance) -> [InstanceStep] {
        var steps = [InstanceStep(.compactMemory)]
        for slice in instance.memory {
            steps.append(InstanceStep(.reserveMemory(numa: slice.numa, bytes: slice.bytes),
                                      undo: .releaseReservation(numa: slice.numa, bytes: slice.bytes)))
        }
        steps.append(InstanceStep(.reserveCPUs(instance.cpus), undo: .releaseCPUs(instance.cpus)))
        steps.append(InstanceStep(.steerIRQs(instance.cpus), undo: .restoreIRQs(instance.cpus)))
        steps.append(InstanceStep(.banIRQBalance, undo: .previousIRQBalanceBan))
        steps.append(InstanceStep(.create(name: instance.name), undo: .destroy))
        steps.append(InstanceStep(.assignCPUs(instance.cpus)))
        for slice in instance.memory {
            steps.append(InstanceStep(.assignMemory(numa: slice.numa, bytes: slice.bytes)))
        }
        steps.append(InstanceStep(.load))
        steps.append(InstanceStep(.kernelArgs(instance.kernelArgs)))
        steps.append(InstanceStep(.boot, undo: .shutdown))
        steps.append(InstanceStep(.waitRunning))
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
    /// The first step that touches a node registers `restoreMemory` with the node's old
    /// amount; it covers the later steps on that node, whose own failure cannot leave more
    /// behind than it can clean up.
    public static func restart(from before: ResolvedInstance, to after: ResolvedInstance) -> [InstanceStep] {
        var steps = [InstanceStep(.shutdown, undo: .bootPrevious(kernelArgs: before.kernelArgs))]
        let removed = before.cpus.subtracting(after.cpus), added = after.cpus.subtracting(before.cpus)
        if !removed.isEmpty {
            steps += releaseCPUs(removed)
        }
        if !added.isEmpty {
            steps.append(InstanceStep(.reserveCPUs(added), undo: .releaseCPUs(added)))
            steps.append(InstanceStep(.steerIRQs(added), undo: .restoreIRQs(added)))
        }
        if !removed.isEmpty || !added.isEmpty {
            steps.append(InstanceStep(.banIRQBalance, undo: .previousIRQBalanceBan))
        }
        if !added.isEmpty {
            steps.append(InstanceStep(.assignCPUs(added), undo: .unassignCPUs(added)))
        }
        let nodes = Set(before.memory.map(\.numa) + after.memory.map(\.numa)).sorted()
        for numa in nodes {
            let had = before.memory.first { $0.numa == numa }?.bytes ?? 0
            let has = after.memory.first { $0.numa == numa }?.bytes ?? 0
            if has > had {
                steps.append(InstanceStep(.reserveMemory(numa: numa, bytes: has - had), undo: .restoreMemory(numa: numa, bytes: had)))
                steps.append(InstanceStep(.assignMemory(numa: numa, bytes: has - had)))
            } else if has < had {
                steps.append(InstanceStep(.unassignMemory(numa: numa), undo: .restoreMemory(numa: numa, bytes: had)))
                steps.append(InstanceStep(.releaseMemory(numa: numa)))
                if has > 0 {
                    steps.append(InstanceStep(.reserveMemory(numa: numa, bytes: has)))
                    steps.append(InstanceStep(.assignMemory(numa: numa, bytes: has)))
                }
            }
        }
        steps.append(InstanceStep(.load))
        steps.append(InstanceStep(.kernelArgs(after.kernelArgs)))
        steps.append(InstanceStep(.boot, undo: .shutdown))
        steps.append(InstanceStep(.waitRunning))
        return steps
    }

    /// An applied instance the profile no longer has: shut down, give its CPUs and memory
    /// back to Linux, destroy it. Undone by creating it again on the same resources and
    /// booting its previous configuration.
    public static func remove(_ instance: ResolvedInstance) -> [InstanceStep] {
        var steps = [InstanceStep(.shutdown, undo: .bootPrevious(kernelArgs: instance.kernelArgs))]
        steps += releaseCPUs(instance.cpus)
        steps.append(InstanceStep(.banIRQBalance, undo: .previousIRQBalanceBan))
        for slice in instance.memory {
            steps.append(InstanceStep(.unassignMemory(numa: slice.numa), undo: .restoreMemory(numa: slice.numa, bytes: slice.bytes)))
            steps.append(InstanceStep(.releaseMemory(numa: slice.numa)))
        }
        steps.append(InstanceStep(.destroy, undo: .recreate))
        return steps
    }

    static func releaseCPUs(_ cpus: CPUSet) -> [InstanceStep] {
        [
            InstanceStep(.unassignCPUs(cpus), undo: .assignCPUs(cpus)),
            InstanceStep(.releaseCPUs(cpus), undo: .reserveCPUs(cpus)),
            InstanceStep(.restoreIRQs(cpus), undo: .narrowIRQs(cpus)),
        ]
    }

    /// The undos that run, in order, when the step at `failing` fails: those of the
    /// steps before it, newest first.
    public static func undone(_ steps: [InstanceStep], failingAt failing: Int) -> [InstanceStep.Undo] {
        steps.prefix(failing).compactMap(\.undo).reversed()
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

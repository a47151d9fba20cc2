import Foundation
import NodeBasics
import Testing
@testable import NodeOperations
import Provisioning
import Topology

@Suite struct InstanceStepsTests {
    static let mib: UInt64 = 1 << 20

    static func instance(
        _ index: Int = 0, cpus: CPUSet, memory: [Int: UInt64], args: String = "hidos time_sharing"
    ) -> ResolvedInstance {
        ResolvedInstance(
            index: index, name: "lwk\(index)", cpus: cpus,
            memory: memory.sorted { $0.key < $1.key }.map { NodeMemory(numa: $0.key, kind: .unknown, bytes: $0.value * mib) },
            ikc: [IKCRoute(lwkCPUs: cpus, linuxCPU: 0)], kernelImage: "default", kernelArgs: args)
    }

    static let one = instance(cpus: CPUSet([3]), memory: [0: 64, 1: 128])

    @Test func creationTakesMemoryThenCPUsAndUndoesInReverse() {
        let steps = InstanceSteps.create(Self.one)
        #expect(steps.map(\.step.rawValue) == [
            "compact-memory", "reserve-memory", "reserve-memory", "reserve-cpus", "steer-irqs", "ban-irqbalance",
            "create", "assign-cpus", "assign-memory", "assign-memory", "load", "kernel-args", "boot", "wait-running",
        ])
        #expect(steps[6].action == .create(name: "lwk0"))
        #expect(steps[11].action == .kernelArgs("hidos time_sharing"))
        #expect(steps.filter { $0.undo != nil }.map(\.step.rawValue) == [
            "reserve-memory", "reserve-memory", "reserve-cpus", "steer-irqs", "ban-irqbalance", "create", "boot",
        ], "assignments, load and arguments go with the instance; waiting has nothing to undo")
        // a failure while waiting for RUNNING undoes everything, newest first
        let undone = InstanceSteps.undone(steps, failingAt: 13).map { $0.text(os: 0) }
        let numa0 = formatBytes(64 * Self.mib), numa1 = formatBytes(128 * Self.mib)
        #expect(undone == [
            "shut down os 0", "destroyed os 0", "restarted irqbalance with the previous ban", "restored IRQ affinities",
            "released CPUs 3", "released \(numa1) on NUMA 1", "released \(numa0) on NUMA 0",
        ])
        #expect(InstanceSteps.undone(steps, failingAt: 1).isEmpty, "a failed first reservation cleans up after itself")
    }

    @Test func kernelArgumentsOnlyRestartOnTheSameResources() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 128], args: "hidos idle_halt")
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps.map(\.action) == [.shutdown, .load, .kernelArgs("hidos idle_halt"), .boot, .waitRunning])
        #expect(steps.map(\.undo) == [.bootPrevious(kernelArgs: "hidos time_sharing"), nil, nil, .shutdown, nil])
    }

    @Test func growingCPUsReservesOnlyTheNewOnes() {
        let after = Self.instance(cpus: CPUSet(2...3), memory: [0: 64, 1: 128])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        let added = CPUSet([2])
        #expect(steps.map(\.action) == [
            .shutdown, .reserveCPUs(added), .steerIRQs(added), .banIRQBalance, .assignCPUs(added),
            .load, .kernelArgs("hidos time_sharing"), .boot, .waitRunning,
        ])
        #expect(steps.map(\.step.rawValue) == [
            "shutdown", "reserve-cpus", "steer-irqs", "ban-irqbalance", "assign-cpus", "load", "kernel-args", "boot", "wait-running",
        ])
        // a failure at boot undoes the rest newest first and boots the old configuration last
        #expect(InstanceSteps.undone(steps, failingAt: 7) == [
            .unassignCPUs(added), .previousIRQBalanceBan, .restoreIRQs(added), .releaseCPUs(added),
            .bootPrevious(kernelArgs: "hidos time_sharing"),
        ])
        #expect(InstanceSteps.undone(steps, failingAt: 0).isEmpty)
    }

    @Test func shrinkingCPUsGivesThemBackBeforeTakingAny() {
        let before = Self.instance(cpus: CPUSet(2...3), memory: [0: 64])
        let after = Self.instance(cpus: CPUSet([1, 3]), memory: [0: 64])
        let steps = InstanceSteps.restart(from: before, to: after)
        #expect(steps.map(\.action).prefix(8) == [
            .shutdown, .unassignCPUs(CPUSet([2])), .releaseCPUs(CPUSet([2])), .restoreIRQs(CPUSet([2])),
            .reserveCPUs(CPUSet([1])), .steerIRQs(CPUSet([1])), .banIRQBalance, .assignCPUs(CPUSet([1])),
        ])
        #expect(InstanceSteps.undone(steps, failingAt: 4) == [
            .narrowIRQs(CPUSet([2])), .reserveCPUs(CPUSet([2])), .assignCPUs(CPUSet([2])), .bootPrevious(kernelArgs: "hidos time_sharing"),
        ])
    }

    @Test func growingMemoryReservesTheDifferenceAndKeepsTheChunksHeld() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 256])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps.map(\.action) == [
            .shutdown, .reserveMemory(numa: 1, bytes: 128 * Self.mib), .assignMemory(numa: 1, bytes: 128 * Self.mib),
            .load, .kernelArgs("hidos time_sharing"), .boot, .waitRunning,
        ])
        #expect(steps[1].undo == .restoreMemory(numa: 1, bytes: 128 * Self.mib))
        #expect(steps[2].undo == nil, "the reservation's restore covers the assignment")
    }

    @Test func shrinkingMemoryGivesTheNodeBackAndReservesTheNewAmount() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 32])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps.map(\.action) == [
            .shutdown, .unassignMemory(numa: 1), .releaseMemory(numa: 1),
            .reserveMemory(numa: 1, bytes: 32 * Self.mib), .assignMemory(numa: 1, bytes: 32 * Self.mib),
            .load, .kernelArgs("hidos time_sharing"), .boot, .waitRunning,
        ])
        #expect(steps.map(\.undo).prefix(5) == [
            .bootPrevious(kernelArgs: "hidos time_sharing"), .restoreMemory(numa: 1, bytes: 128 * Self.mib), nil, nil, nil,
        ])
        #expect(InstanceSteps.undone(steps, failingAt: 7) == [
            .restoreMemory(numa: 1, bytes: 128 * Self.mib), .bootPrevious(kernelArgs: "hidos time_sharing"),
        ])
    }

    @Test func aNodeGivenUpEntirelyIsNotReservedAgain() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [1: 128])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps.map(\.action).prefix(3) == [.shutdown, .unassignMemory(numa: 0), .releaseMemory(numa: 0)])
        #expect(steps[3].action == .load)
    }

    @Test func aNewNodeIsReservedAndRestoredToNothing() {
        let before = Self.instance(cpus: CPUSet([3]), memory: [1: 128])
        let steps = InstanceSteps.restart(from: before, to: Self.one)
        #expect(steps[1] == InstanceStep(.reserveMemory(numa: 0, bytes: 64 * Self.mib), undo: .restoreMemory(numa: 0, bytes: 0)))
        #expect(InstanceStep.Undo.restoreMemory(numa: 0, bytes: 0).text(os: 0) == "released the memory of os 0 on NUMA 0")
    }

    @Test func everythingAtOnceInOneOrder() {
        let after = Self.instance(cpus: CPUSet([2]), memory: [0: 32, 1: 256], args: "hidos idle_halt")
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps.map(\.step.rawValue) == [
            "shutdown", "unassign-cpus", "release-cpus", "restore-irqs", "reserve-cpus", "steer-irqs", "ban-irqbalance", "assign-cpus",
            "unassign-memory", "release-memory", "reserve-memory", "assign-memory",  // NUMA 0 shrinks
            "reserve-memory", "assign-memory",  // NUMA 1 grows
            "load", "kernel-args", "boot", "wait-running",
        ])
    }

    @Test func removalGivesEverythingBackAndDestroysLast() {
        let steps = InstanceSteps.remove(Self.instance(1, cpus: CPUSet([2]), memory: [0: 64]))
        #expect(steps.map(\.action) == [
            .shutdown, .unassignCPUs(CPUSet([2])), .releaseCPUs(CPUSet([2])), .restoreIRQs(CPUSet([2])), .banIRQBalance,
            .unassignMemory(numa: 0), .releaseMemory(numa: 0), .destroy,
        ])
        #expect(InstanceSteps.undone(steps, failingAt: steps.count).map { $0.text(os: 1) } == [
            "created os 1 again", "os 1 holds 64 MiB on NUMA 0 again", "restarted irqbalance with the previous ban",
            "moved IRQs off CPUs 2 again", "reserved CPUs 2 again", "assigned CPUs 2 to os 1 again",
            "booted os 1 again with \"hidos time_sharing\"",
        ])
    }

    @Test func whatNeedsARestart() {
        #expect(!InstanceSteps.needsRestart(Self.one, Self.one, stopped: false))
        #expect(InstanceSteps.needsRestart(Self.one, Self.one, stopped: true))
        var renamed = Self.one
        renamed.name = "other"
        #expect(!InstanceSteps.needsRestart(Self.one, renamed, stopped: false))
        var rebuilt = Self.one  // rebuilt from the module: kinds unknown, same bytes
        rebuilt.memory = rebuilt.memory.map { NodeMemory(numa: $0.numa, kind: .mcdram, bytes: $0.bytes) }
        #expect(!InstanceSteps.needsRestart(Self.one, rebuilt, stopped: false))
        #expect(InstanceSteps.needsRestart(Self.one, Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 64]), stopped: false))
    }

    @Test func memoryOnANodeSharedWithAnotherInstanceIsRefused() {
        let first = Self.instance(0, cpus: CPUSet([3]), memory: [0: 64])
        let second = Self.instance(1, cpus: CPUSet([2]), memory: [0: 64])
        let applied = Partition(profileName: "p", instances: [first, second])
        let view = NodeView(instances: [
            .init(index: 0, state: .running, cpus: CPUSet([3]), memory: [0: 64 * Self.mib]),
            .init(index: 1, state: .running, cpus: CPUSet([2]), memory: [0: 64 * Self.mib]),
        ])
        // CPUs and arguments may change; memory on NUMA 0 may not; nor can os 1 go
        let grown = Self.instance(0, cpus: CPUSet([3]), memory: [0: 128])
        #expect(InstanceSteps.refusals(applied: applied, desired: Partition(profileName: "p", instances: [grown, second]), view: view) == [
            "os 0's memory on NUMA 0 changes, but os 1 also has memory there, and the module releases a node's memory only as a whole",
        ])
        #expect(InstanceSteps.refusals(applied: applied, desired: Partition(profileName: "p", instances: [first]), view: view) == [
            "removing os 1 gives back its memory on NUMA 0, but os 0 also has memory there, and the module releases a node's memory only as a whole",
        ])
        let moved = Self.instance(0, cpus: CPUSet([1]), memory: [0: 64], args: "hidos")
        #expect(InstanceSteps.refusals(applied: applied, desired: Partition(profileName: "p", instances: [moved, second]), view: view).isEmpty)
    }

    @Test func memoryBesideUnassignedChunksIsRefused() {
        let view = NodeView(poolMemory: [1: 4 * Self.mib], instances: [.init(index: 0, state: .running, cpus: CPUSet([3]), memory: [0: 64 * Self.mib, 1: 128 * Self.mib])])
        let applied = Partition(profileName: "p", instances: [Self.one])
        let grown = Self.instance(cpus: CPUSet([3]), memory: [0: 128, 1: 128])
        #expect(InstanceSteps.refusals(applied: applied, desired: Partition(profileName: "p", instances: [grown]), view: view).isEmpty)
        let shrunk = Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 64])
        #expect(InstanceSteps.refusals(applied: applied, desired: Partition(profileName: "p", instances: [shrunk]), view: view).first?
            .contains("NUMA 1 holds 4 MiB reserved for no instance") == true)
    }
}

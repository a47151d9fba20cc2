import Foundation
import NodeBasics
import Testing
@testable import NodeOperations
import Provisioning

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
    static let time = InstanceStep.shutdown(previousKernelArgs: "hidos time_sharing")

    static func context(os: Int = 0) -> StepContext {
        StepContext(os: os, image: LWKImageData(bytes: [UInt8](repeating: 0, count: 3 << 20), name: "/lib/mcos-lwk.elf"),
                    previousImage: nil, bootTimeout: 30)
    }

    /// The names the progress lines and test switches give the steps.
    static func names(_ steps: [InstanceStep]) -> [String] {
        steps.map(\.label.name)
    }

    /// Each step's progress line, as apply prints it.
    static func lines(_ steps: [InstanceStep], os: Int = 0) -> [String] {
        steps.map { "\($0.label.title): \($0.execution(context(os: os)).detail)" }
    }

    static func undoTexts(_ steps: [InstanceStep], os: Int = 0) -> [String?] {
        steps.map { $0.execution(context(os: os)).undo?.text }
    }

    /// The undos that run, in order, when the step at `failing` fails: those of the
    /// steps before it, newest first (`UndoStack`).
    static func undone(_ steps: [InstanceStep], failingAt failing: Int, os: Int = 0) -> [String] {
        undoTexts(Array(steps.prefix(failing)), os: os).compactMap { $0 }.reversed()
    }

    @Test func creationTakesMemoryThenCPUsAndUndoesInReverse() {
        let steps = InstanceSteps.create(Self.one)
        #expect(Self.names(steps) == [
            "compact-memory", "reserve-memory", "reserve-memory", "reserve-cpus", "steer-irqs", "ban-irqbalance",
            "create", "assign-cpus", "assign-memory", "assign-memory", "load", "kernel-args", "boot", "wait-running",
        ])
        #expect(steps[6] == .create(name: "lwk0"))
        #expect(steps[11] == .kernelArgs("hidos time_sharing"))
        #expect(Self.names(steps.filter { $0.execution(Self.context()).undo != nil }) == [
            "reserve-memory", "reserve-memory", "reserve-cpus", "steer-irqs", "ban-irqbalance", "create", "boot",
        ], "assignments, load and arguments go with the instance; waiting has nothing to undo")
        // a failure while waiting for RUNNING undoes everything, newest first
        let numa0 = formatBytes(64 * Self.mib), numa1 = formatBytes(128 * Self.mib)
        #expect(Self.undone(steps, failingAt: 13) == [
            "shut down os 0", "destroyed os 0", "restarted irqbalance with the previous ban", "restored IRQ affinities",
            "released CPUs 3", "released \(numa1) on NUMA 1", "released \(numa0) on NUMA 0",
        ])
        #expect(Self.undone(steps, failingAt: 1).isEmpty, "a failed first reservation cleans up after itself")
    }

    @Test func theProgressLinesSayWhatEachStepDoes() {
        #expect(Self.lines(InstanceSteps.create(Self.one)) == [
            "compact memory: best effort, for contiguous chunks",
            "reserve memory: 64 MiB on NUMA 0", "reserve memory: 128 MiB on NUMA 1",
            "reserve CPUs: 3", "move IRQs off the LWK CPUs: away from CPUs 3", "keep irqbalance off the LWK CPUs: every CPU the module holds",
            "create the OS instance: os 0 \"lwk0\"", "assign CPUs: 3 to os 0",
            "assign memory: 64 MiB of NUMA 0 to os 0", "assign memory: 128 MiB of NUMA 1 to os 0",
            "load the LWK image: /lib/mcos-lwk.elf (3 MiB)", "set kernel arguments: \"hidos time_sharing\"",
            "boot: os 0", "wait until running: up to 30 s",
        ])
        let after = Self.instance(cpus: CPUSet([2]), memory: [0: 32, 1: 256])
        #expect(Self.lines(InstanceSteps.restart(from: Self.one, to: after)).prefix(14) == [
            "shut down: os 0", "unassign CPUs: 3 from os 0", "release CPUs to Linux: 3", "give IRQs their CPUs back: of CPUs 3",
            "reserve CPUs: 2", "move IRQs off the LWK CPUs: away from CPUs 2", "keep irqbalance off the LWK CPUs: every CPU the module holds",
            "assign CPUs: 2 to os 0",
            "unassign memory: all of os 0 on NUMA 0", "release memory to Linux: NUMA 0",
            "reserve memory: 32 MiB on NUMA 0", "assign memory: 32 MiB of NUMA 0 to os 0",
            "reserve memory: 128 MiB more on NUMA 1", "assign memory: 128 MiB of NUMA 1 to os 0",
        ])
        #expect(Self.lines(InstanceSteps.remove(Self.one)).last == "destroy the OS instance: os 0")
    }

    @Test func kernelArgumentsOnlyRestartOnTheSameResources() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 128], args: "hidos idle_halt")
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps == [Self.time, .load, .kernelArgs("hidos idle_halt"), .boot, .waitRunning])
        #expect(Self.undoTexts(steps) == ["booted os 0 again with \"hidos time_sharing\"", nil, nil, "shut down os 0", nil])
    }

    @Test func growingCPUsReservesOnlyTheNewOnes() {
        let after = Self.instance(cpus: CPUSet(2...3), memory: [0: 64, 1: 128])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        let added = CPUSet([2])
        #expect(steps == [
            Self.time, .reserveCPUs(added), .steerIRQs(added), .banIRQBalance, .assignAddedCPUs(added),
            .load, .kernelArgs("hidos time_sharing"), .boot, .waitRunning,
        ])
        #expect(Self.names(steps) == [
            "shutdown", "reserve-cpus", "steer-irqs", "ban-irqbalance", "assign-cpus", "load", "kernel-args", "boot", "wait-running",
        ])
        // a failure at boot undoes the rest newest first and boots the old configuration last
        #expect(Self.undone(steps, failingAt: 7) == [
            "unassigned CPUs 2 from os 0", "restarted irqbalance with the previous ban", "restored IRQ affinities", "released CPUs 2",
            "booted os 0 again with \"hidos time_sharing\"",
        ])
        #expect(Self.undone(steps, failingAt: 0).isEmpty)
    }

    @Test func shrinkingCPUsGivesThemBackBeforeTakingAny() {
        let before = Self.instance(cpus: CPUSet(2...3), memory: [0: 64])
        let after = Self.instance(cpus: CPUSet([1, 3]), memory: [0: 64])
        let steps = InstanceSteps.restart(from: before, to: after)
        #expect(steps.prefix(8) == [
            Self.time, .unassignCPUs(CPUSet([2])), .releaseCPUs(CPUSet([2])), .restoreIRQs(CPUSet([2])),
            .reserveCPUs(CPUSet([1])), .steerIRQs(CPUSet([1])), .banIRQBalance, .assignAddedCPUs(CPUSet([1])),
        ])
        #expect(Self.undone(steps, failingAt: 4) == [
            "moved IRQs off CPUs 2 again", "reserved CPUs 2 again", "assigned CPUs 2 to os 0 again", "booted os 0 again with \"hidos time_sharing\"",
        ])
    }

    @Test func growingMemoryReservesTheDifferenceAndKeepsTheChunksHeld() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 256])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps == [
            Self.time, .growMemory(numa: 1, bytes: 128 * Self.mib, had: 128 * Self.mib), .assignMemory(numa: 1, bytes: 128 * Self.mib),
            .load, .kernelArgs("hidos time_sharing"), .boot, .waitRunning,
        ])
        #expect(Self.names(steps)[1] == "reserve-memory")
        #expect(Self.undoTexts(steps)[1] == "os 0 holds 128 MiB on NUMA 1 again")
        #expect(Self.undoTexts(steps)[2] == nil, "the reservation's restore covers the assignment")
    }

    @Test func shrinkingMemoryGivesTheNodeBackAndReservesTheNewAmount() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [0: 64, 1: 32])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps == [
            Self.time, .unassignMemory(numa: 1, had: 128 * Self.mib), .releaseMemory(numa: 1),
            .reserveShrunkMemory(numa: 1, bytes: 32 * Self.mib), .assignMemory(numa: 1, bytes: 32 * Self.mib),
            .load, .kernelArgs("hidos time_sharing"), .boot, .waitRunning,
        ])
        #expect(Self.names(steps).prefix(5) == ["shutdown", "unassign-memory", "release-memory", "reserve-memory", "assign-memory"])
        #expect(Self.undoTexts(steps).prefix(5) == [
            "booted os 0 again with \"hidos time_sharing\"", "os 0 holds 128 MiB on NUMA 1 again", nil, nil, nil,
        ])
        #expect(Self.undone(steps, failingAt: 7) == ["os 0 holds 128 MiB on NUMA 1 again", "booted os 0 again with \"hidos time_sharing\""])
    }

    @Test func aNodeGivenUpEntirelyIsNotReservedAgain() {
        let after = Self.instance(cpus: CPUSet([3]), memory: [1: 128])
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(steps.prefix(3) == [Self.time, .unassignMemory(numa: 0, had: 64 * Self.mib), .releaseMemory(numa: 0)])
        #expect(steps[3] == .load)
    }

    @Test func aNewNodeIsReservedAndRestoredToNothing() {
        let before = Self.instance(cpus: CPUSet([3]), memory: [1: 128])
        let steps = InstanceSteps.restart(from: before, to: Self.one)
        #expect(steps[1] == .growMemory(numa: 0, bytes: 64 * Self.mib, had: 0))
        #expect(Self.undoTexts(steps)[1] == "released the memory of os 0 on NUMA 0")
    }

    @Test func everythingAtOnceInOneOrder() {
        let after = Self.instance(cpus: CPUSet([2]), memory: [0: 32, 1: 256], args: "hidos idle_halt")
        let steps = InstanceSteps.restart(from: Self.one, to: after)
        #expect(Self.names(steps) == [
            "shutdown", "unassign-cpus", "release-cpus", "restore-irqs", "reserve-cpus", "steer-irqs", "ban-irqbalance", "assign-cpus",
            "unassign-memory", "release-memory", "reserve-memory", "assign-memory",  // NUMA 0 shrinks
            "reserve-memory", "assign-memory",  // NUMA 1 grows
            "load", "kernel-args", "boot", "wait-running",
        ])
    }

    @Test func removalGivesEverythingBackAndDestroysLast() {
        let steps = InstanceSteps.remove(Self.instance(1, cpus: CPUSet([2]), memory: [0: 64]))
        #expect(steps == [
            Self.time, .unassignCPUs(CPUSet([2])), .releaseCPUs(CPUSet([2])), .restoreIRQs(CPUSet([2])), .banIRQBalance,
            .unassignMemory(numa: 0, had: 64 * Self.mib), .releaseMemory(numa: 0), .destroy,
        ])
        #expect(Self.undone(steps, failingAt: steps.count, os: 1) == [
            "created os 1 again", "os 1 holds 64 MiB on NUMA 0 again", "restarted irqbalance with the previous ban",
            "moved IRQs off CPUs 2 again", "reserved CPUs 2 again", "assigned CPUs 2 to os 1 again",
            "booted os 1 again with \"hidos time_sharing\"",
        ])
    }

    /// The names MCPROV_TEST_FAIL_AT and MCPROV_TEST_PAUSE_AT take, as the README lists
    /// them and the VM scenarios set them, `record` aside.
    static let switchNames: Set<String> = [
        "compact-memory", "reserve-memory", "reserve-cpus", "steer-irqs", "ban-irqbalance", "create", "assign-cpus",
        "assign-memory", "load", "kernel-args", "boot", "wait-running",
        "shutdown", "unassign-cpus", "release-cpus", "restore-irqs", "unassign-memory", "release-memory", "destroy",
    ]

    @Test func everyStepOfAnInstanceHasItsName() {
        let kinds = InstanceSteps.create(Self.one) + InstanceSteps.remove(Self.one)
            + InstanceSteps.restart(from: Self.one, to: Self.instance(cpus: CPUSet([2]), memory: [0: 32, 1: 256]))
        #expect(Set(Self.names(kinds)) == Self.switchNames, "create, restart and remove between them use every name")
        #expect(StepLabel.record.name == "record")
    }

    @Test func eachKindHasItsName() {
        let cpus = CPUSet([2])
        let named: [(InstanceStep, String)] = [
            (.compactMemory, "compact-memory"),
            (.reserveMemory(numa: 0, bytes: 1), "reserve-memory"), (.growMemory(numa: 0, bytes: 1, had: 1), "reserve-memory"),
            (.reserveShrunkMemory(numa: 0, bytes: 1), "reserve-memory"), (.unassignMemory(numa: 0, had: 1), "unassign-memory"),
            (.releaseMemory(numa: 0), "release-memory"), (.assignMemory(numa: 0, bytes: 1), "assign-memory"),
            (.reserveCPUs(cpus), "reserve-cpus"), (.releaseCPUs(cpus), "release-cpus"), (.assignCPUs(cpus), "assign-cpus"),
            (.assignAddedCPUs(cpus), "assign-cpus"), (.unassignCPUs(cpus), "unassign-cpus"),
            (.steerIRQs(cpus), "steer-irqs"), (.restoreIRQs(cpus), "restore-irqs"), (.banIRQBalance, "ban-irqbalance"),
            (.create(name: "x"), "create"), (.destroy, "destroy"), (Self.time, "shutdown"), (.load, "load"),
            (.kernelArgs("x"), "kernel-args"), (.boot, "boot"), (.waitRunning, "wait-running"),
        ]
        for (step, name) in named {
            #expect(step.label.name == name, "\(step)")
        }
        #expect(Set(named.map(\.1)) == Self.switchNames)
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

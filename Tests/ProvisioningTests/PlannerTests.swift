@testable import Provisioning
import NodeBasics
import Testing

@Suite struct PlannerTests {
    static let gib: UInt64 = 1 << 30

    static let base = ResolvedInstance(
        index: 0, name: "lwk", cpus: CPUSet(4...15),
        memory: [NodeMemory(numa: 0, kind: .ddr, bytes: 8 * gib), NodeMemory(numa: 1, kind: .mcdram, bytes: 4 * gib)],
        ikc: [IKCRoute(lwkCPUs: CPUSet(4...15), linuxCPU: 0)], kernelImage: "default", kernelArgs: "hidos dump_level=24")

    func partition(_ edit: (inout ResolvedInstance) -> Void = { _ in }) -> Partition {
        var instance = Self.base
        edit(&instance)
        return Partition(profileName: "p", instances: [instance])
    }

    func lines(_ changes: [Change]) -> [String] {
        changes.map { "\($0.action.symbol) \($0.text) [\($0.impact.rawValue)]" }
    }

    @Test func nothingAppliedMeansEverythingIsAdded() {
        let changes = Planner.changes(from: nil, to: partition())
        #expect(lines(changes) == [
            "+ reserve cpus 4-15 (12 CPUs) [creates]",
            "+ reserve 8 GiB on NUMA 0 (ddr) [creates]",
            "+ reserve 4 GiB on NUMA 1 (mcdram) [creates]",
            "+ create os 0 \"lwk\" on them, IKC: 1 Linux CPU serves 12 LWK CPUs [creates]",
            "+ boot os 0 with \"hidos dump_level=24\" [creates]",
        ])
        let summary = Summary(changes: changes)
        #expect([summary.add, summary.change, summary.destroy] == [5, 0, 0])
        #expect(summary.impact == .creates)
    }

    @Test func identicalPartitionsHaveNoChanges() {
        #expect(Planner.changes(from: partition(), to: partition()).isEmpty)
    }

    @Test func kernelArgumentsOnlyRestartWithoutReReserving() {
        let changes = Planner.changes(from: partition(), to: partition { $0.kernelArgs = "hidos time_sharing dump_level=24" })
        #expect(lines(changes) == [
            "~ kernel args of os 0 \"hidos dump_level=24\" → \"hidos time_sharing dump_level=24\" [restarts-lwk]",
            "~ restart os 0: shut down, boot with \"hidos time_sharing dump_level=24\" [restarts-lwk]",
        ])
        #expect(!changes.contains { $0.resource == .cpus || $0.resource == .memory })
    }

    @Test func growingAndShrinkingReservesOnlyTheDelta() {
        let changes = Planner.changes(from: partition(), to: partition {
            $0.cpus = CPUSet(4...19)
            $0.memory = [NodeMemory(numa: 0, kind: .ddr, bytes: 6 * Self.gib), NodeMemory(numa: 1, kind: .mcdram, bytes: 5 * Self.gib)]
        })
        #expect(lines(changes) == [
            "+ reserve cpus 16-19 (4 CPUs) [restarts-lwk]",
            "- release 2 GiB on NUMA 0 (ddr), 6 GiB left [restarts-lwk]",
            "+ reserve 1 GiB more on NUMA 1 (mcdram), 5 GiB in all [restarts-lwk]",
            "~ restart os 0: shut down, boot with \"hidos dump_level=24\" [restarts-lwk]",
        ])
    }

    @Test func movingToOtherCPUsReplacesThePartition() {
        let changes = Planner.changes(from: partition(), to: partition {
            $0.cpus = CPUSet(20...31)
            $0.ikc = [IKCRoute(lwkCPUs: CPUSet(20...31), linuxCPU: 16)]
        })
        #expect(changes.allSatisfy { $0.impact == .replacesPartition })
        #expect(changes.last?.action == .replace)
        #expect(Summary(changes: changes).impact == .replacesPartition)
    }

    @Test func renamingAppliesInPlace() {
        let changes = Planner.changes(from: partition(), to: partition { $0.name = "compute" })
        #expect(lines(changes) == ["~ name of os 0 \"lwk\" → \"compute\" [in-place]"])
    }

    @Test func removedInstancesAreDestroyed() {
        var two = partition()
        var second = Self.base
        second.index = 1
        second.name = "extra"
        second.cpus = CPUSet(20...23)
        two.instances.append(second)
        let changes = Planner.changes(from: two, to: partition())
        #expect(changes.first?.text == "shut down and destroy os 1 \"extra\"")
        #expect(changes.allSatisfy { $0.action == .destroy })
        #expect(Summary(changes: changes).destroy == 4)
    }
}

@Suite struct StoppedInstanceTests {
    @Test func aStoppedInstanceIsBootedAgain() {
        let partition = Partition(profileName: "p", instances: [PlannerTests.base])
        let changes = Planner.changes(from: partition, to: partition, stopped: [0: .panic])
        #expect(changes.map(\.text) == ["boot os 0 again: it is panic, not running"])
        #expect(changes.first?.impact == .restartsLWK)
    }

    @Test func aRestartAlreadyPlannedIsNotRepeated() {
        var changed = PlannerTests.base
        changed.kernelArgs = "hidos idle_halt dump_level=24"
        let changes = Planner.changes(
            from: Partition(profileName: "p", instances: [PlannerTests.base]),
            to: Partition(profileName: "p", instances: [changed]), stopped: [0: .shutdown])
        #expect(changes.filter { $0.resource == .boot }.count == 1)
    }
}

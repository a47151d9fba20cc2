import Foundation
import NodeBasics
@testable import NodeOperations
import Provisioning
import TestSupport
import Testing
import Topology

/// The decisions apply makes before its first step: what changes in which order, which
/// images, which record, which topology.
@Suite struct ApplyOrderTests {
    static let mib: UInt64 = 1 << 20

    static func instance(_ index: Int, cpus: CPUSet, args: String = "hidos", name: String? = nil, image: String = "default") -> ResolvedInstance {
        ResolvedInstance(
            index: index, name: name ?? "lwk\(index)", cpus: cpus, memory: [NodeMemory(numa: 0, kind: .ddr, bytes: 64 * mib)],
            ikc: [IKCRoute(lwkCPUs: cpus, linuxCPU: 0)], kernelImage: image, kernelArgs: args)
    }

    static func partition(_ instances: ResolvedInstance...) -> Partition {
        Partition(profileName: "p", instances: instances)
    }

    @Test func removalsComeFirstThenTheProfileInOrder() {
        let applied = Self.partition(Self.instance(0, cpus: CPUSet([2])), Self.instance(1, cpus: CPUSet([3])), Self.instance(2, cpus: CPUSet([4])))
        let desired = Self.partition(
            Self.instance(3, cpus: CPUSet([5])), Self.instance(0, cpus: CPUSet([2]), args: "hidos idle_halt"),
            Self.instance(2, cpus: CPUSet([4]), name: "renamed"))
        #expect(InstanceChange.changes(from: applied, to: desired, stopped: [:]) == [
            .remove(applied.instances[1]),
            .create(desired.instances[0]),
            .restart(desired.instances[1], from: applied.instances[0]),
        ], "a new name only changes the record")
    }

    @Test func aStoppedInstanceIsBootedAgain() {
        let applied = Self.partition(Self.instance(0, cpus: CPUSet([2])))
        #expect(InstanceChange.changes(from: applied, to: applied, stopped: [:]).isEmpty)
        #expect(InstanceChange.changes(from: applied, to: applied, stopped: [0: .panic]) == [.restart(applied.instances[0], from: applied.instances[0])])
        #expect(InstanceChange.changes(from: nil, to: applied, stopped: [:]) == [.create(applied.instances[0])])
    }

    @Test func headings() {
        let old = Self.instance(1, cpus: CPUSet([3]))
        #expect(InstanceChange.remove(old).heading == "Removing os 1 \"lwk1\":")
        #expect(InstanceChange.create(old).heading == "Creating os 1 \"lwk1\":")
        #expect(InstanceChange.restart(Self.instance(1, cpus: CPUSet([3]), args: "hidos x"), from: old).heading == "Restarting os 1:")
        #expect(InstanceChange.restart(Self.instance(1, cpus: CPUSet(3...4)), from: old).heading == "Restarting os 1 with its new CPUs and memory:")
    }

    @Test func theRecordCountsAppliesAndKeepsTheFirstTime() {
        let stamp = StateRecord.ProfileStamp(path: "/p.yaml", name: "p", sha256: "00")
        let partition = Self.partition(Self.instance(0, cpus: CPUSet([2])))
        let first = Date(timeIntervalSince1970: 100), second = Date(timeIntervalSince1970: 200)
        let fresh = NodeState(view: NodeView(), reading: .none).nextRecord(profile: stamp, partition: partition, at: first)
        #expect(fresh.serial == 1 && fresh.appliedAt == first && fresh.updatedAt == first)
        let view = NodeView(instances: [.init(index: 0, state: .running, cpus: CPUSet([2]), memory: [0: 64 * Self.mib])])
        let again = NodeState(view: view, reading: .record(fresh)).nextRecord(profile: stamp, partition: partition, at: second)
        #expect(again.serial == 2 && again.appliedAt == first && again.updatedAt == second)
    }

    @Test func theNodeStateReconcilesAndSaysWhatItIgnored() {
        let view = NodeView(instances: [
            .init(index: 0, state: .running, cpus: CPUSet([2]), memory: [:]), .init(index: 1, state: .panic, cpus: CPUSet([3]), memory: [:]),
        ])
        let state = NodeState(view: view, reading: .corrupt("state.json is not a state record"))
        #expect(state.record == nil && state.notes == ["ignoring the state record: state.json is not a state record"])
        #expect(state.applied?.instances.map(\.index) == [0, 1], "rebuilt from the module")
        #expect(state.stopped == [1: .panic])
        #expect(state.fingerprint.hasPrefix("0:"))
        #expect(state.fingerprint != NodeState(view: NodeView(), reading: .none).fingerprint, "another view, another state")
    }

    @Test func savedPlansFitOnlyTheStateTheyWereMadeFor() {
        let partition = Self.partition(Self.instance(0, cpus: CPUSet([2])))
        let state = NodeState(view: NodeView(), reading: .none)
        let plan = Plan(profile: ProfileReference(path: "p.yaml", name: "p"), topology: "live", partition: partition, applied: nil)
        let saved = SavedPlan(plan: plan, profile: StateRecord.ProfileStamp(path: "/p.yaml", name: "p", sha256: "00"), made: state)
        #expect(saved.fits(state))
        #expect(!saved.fits(NodeState(view: NodeView(poolCPUs: CPUSet([2])), reading: .none)))
    }

    @Test func imagesAreReadOnceBeforeAnyChangeAndPreviousOnesWhenNeeded() throws {
        final class Reads: @unchecked Sendable { var names: [String] = [] }
        let reads = Reads()
        let desired = Self.partition(Self.instance(0, cpus: CPUSet([2]), image: "new.elf"), Self.instance(1, cpus: CPUSet([3]), image: "new.elf"))
        let images = try LWKImages(
            for: desired, read: { reads.names.append($0); return LWKImageData(bytes: [1], name: $0) },
            readPrevious: { $0 == "old.elf" ? LWKImageData(bytes: [2], name: $0) : nil })
        #expect(reads.names == ["new.elf"])
        #expect(images.image(for: desired.instances[1]).name == "new.elf")
        let fallback = LWKImageData(bytes: [], name: "fallback")
        #expect(images.previous(of: Self.instance(0, cpus: CPUSet([2]), image: "old.elf"), else: fallback).name == "old.elf")
        #expect(images.previous(of: Self.instance(0, cpus: CPUSet([2]), image: "unknown"), else: fallback).name == "fallback")
        #expect(images.fallback(for: Self.instance(5, cpus: CPUSet([6]), image: "unknown")).name == "new.elf")

        struct Missing: Error {}
        #expect(throws: Missing.self) { try LWKImages(for: desired, read: { _ in throw Missing() }) }
    }

    @Test func aTopologyFromElsewhereIsPlannedWithAsItIs() throws {
        let store = StateStore(directory: Scratch.directory("snapshot"))
        let synthetic = try TopologyLoader.load(.synthetic(description: "pack:1 core:2 pu:1"))
        var asked = false
        let choice = try TopologySnapshot.forPlanning(synthetic, store: store) { asked = true; return CPUSet() }
        guard case .live(let topology) = choice else { Issue.record("a synthetic topology is complete"); return }
        #expect(topology.cpus == synthetic.cpus && !asked, "the module is not asked")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory.path).isEmpty, "nor is a snapshot written")
        let withState = try TopologySnapshot.forPlanning(synthetic, state: NodeState(view: NodeView(poolCPUs: CPUSet([1])), reading: .none), store: store)
        guard case .live = withState else { Issue.record("the node's state does not matter to a topology from elsewhere"); return }
    }
}

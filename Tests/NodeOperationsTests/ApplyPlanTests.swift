import Foundation
import NodeBasics
@testable import NodeOperations
import Provisioning
import TestSupport
import Testing
import Topology

/// What apply decides before its first change: which plan, and whether it may go ahead.
@Suite struct ApplyPlanTests {
    static let mib: UInt64 = 1 << 20
    static let profile = Fixtures.profile("knl-quad.yaml")

    static func topology() throws -> Topology {
        try TopologyLoader.load(TopologySource(argument: Fixtures.topology("knl-16c-quadrant-flat.derived.xml")))
    }

    static func instance(_ index: Int, numa: Int = 0, image: String = "default") -> ResolvedInstance {
        ResolvedInstance(
            index: index, name: "lwk\(index)", cpus: CPUSet([index + 2]), memory: [NodeMemory(numa: numa, kind: .ddr, bytes: 64 * mib)],
            ikc: [IKCRoute(lwkCPUs: CPUSet([index + 2]), linuxCPU: 0)], kernelImage: image, kernelArgs: "hidos")
    }

    /// A node running `instances` as recorded.
    static func state(_ instances: [ResolvedInstance]) -> NodeState {
        let view = NodeView(instances: instances.map {
            .init(index: $0.index, state: .running, cpus: $0.cpus, memory: InstanceSteps.bytesByNode($0))
        })
        let stamp = StateRecord.ProfileStamp(path: "/p.yaml", name: "p", sha256: "00")
        let record = StateRecord(
            serial: 1, profile: stamp, partition: Partition(profileName: "p", instances: instances),
            appliedAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        return NodeState(view: view, reading: .record(record))
    }

    /// `plan` saved against `state` in a scratch file.
    static func save(_ plan: Plan, made state: NodeState) throws -> String {
        let saved = SavedPlan(plan: plan, profile: StateRecord.ProfileStamp(path: "/p.yaml", name: "p", sha256: "00"), made: state)
        let path = Scratch.directory("saved-plan").appendingPathComponent("plan.json").path
        try encodeJSON(saved).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func noTopology() throws -> Topology {
        Issue.record("a saved plan needs no topology")
        struct Asked: Error {}
        throw Asked()
    }

    static func plan(_ desired: [ResolvedInstance], over state: NodeState) -> Plan {
        Plan(profile: ProfileReference(path: "p.yaml", name: "p"), topology: "live",
             partition: Partition(profileName: "p", instances: desired), applied: state.applied, stopped: state.stopped)
    }

    @Test func aProfileIsPlannedAgainstTheBaseline() throws {
        let state = NodeState(view: NodeView(), reading: .none)
        let planned = try ProfilePlan.make(profileAt: Self.profile, topology: try Self.topology(), against: .node(state))
        #expect(planned.plan.applied == nil && planned.plan.hasChanges)
        #expect(planned.plan.profile == ProfileReference(path: Self.profile, name: "knl-quad"))
        let again = try ProfilePlan.make(profileAt: Self.profile, topology: try Self.topology(), against: .partition(planned.plan.partition))
        #expect(!again.plan.hasChanges, "the same partition, running: nothing to do")
    }

    @Test func aProfileWithErrorsHasNoPlan() throws {
        let bad = Fixtures.testData("ProvisioningTests", "BadProfiles/unknown-key.yaml").path
        #expect {
            _ = try ProfilePlan.make(profileAt: bad, topology: try Self.topology(), against: .nothing)
        } throws: { error in
            guard let rejection = error as? ProfileRejected else { return false }
            return rejection.path == bad && rejection.diagnostics.errors.count == 3
        }
    }

    @Test func onlyTheNodeSaysWhichInstancesAreStopped() {
        let applied = Partition(profileName: "p", instances: [Self.instance(0)])
        let view = NodeView(instances: [.init(index: 0, state: .panic, cpus: CPUSet([2]), memory: [0: 64 * Self.mib])])
        let state = NodeState(view: view, reading: .none)
        #expect(PlanBaseline.node(state).stopped == [0: .panic])
        #expect(PlanBaseline.partition(applied).applied == applied && PlanBaseline.partition(applied).stopped.isEmpty)
        #expect(PlanBaseline.nothing.applied == nil)
    }

    @Test func aSavedPlanIsAppliedToTheStateItWasMadeFor() throws {
        let state = Self.state([Self.instance(0)])
        let plan = Self.plan([Self.instance(0), Self.instance(1)], over: state)
        let chosen = try ApplyPlan.make(.saved(path: try Self.save(plan, made: state)), on: state, topology: Self.noTopology)
        #expect(chosen.plan == plan && chosen.profile.path == "/p.yaml" && chosen.diagnostics.all.isEmpty)
    }

    @Test func aSavedPlanThatNoLongerFitsIsRefused() throws {
        let made = Self.state([Self.instance(0)])
        let path = try Self.save(Self.plan([Self.instance(1)], over: made), made: made)
        let now = Self.state([Self.instance(0), Self.instance(1)])
        #expect {
            _ = try ApplyPlan.make(.saved(path: path), on: now, topology: Self.noTopology)
        } throws: { error in
            guard case ApplyPlan.Failure.nodeChanged(path, let saved, let fingerprint) = error else { return false }
            return saved.nodeFingerprint == made.fingerprint && fingerprint == now.fingerprint
        }
    }

    @Test func anUnreadableSavedPlanIsRefused() {
        let path = Scratch.directory("no-plan").appendingPathComponent("missing.json").path
        #expect {
            _ = try ApplyPlan.make(.saved(path: path), on: Self.state([]), topology: Self.noTopology)
        } throws: { error in
            if case ApplyPlan.Failure.unreadable(path, _) = error { return true }
            return false
        }
    }

    @Test func aProfileIsPlannedAgainstTheNodeAndStampedForTheRecord() throws {
        let state = NodeState(view: NodeView(), reading: .none)
        let chosen = try ApplyPlan.make(.profile(path: Self.profile), on: state, topology: Self.topology)
        #expect(chosen.plan.applied == nil && chosen.plan.hasChanges)
        #expect(chosen.plan.profile == ProfileReference(path: Self.profile, name: "knl-quad"))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.profile)))
        #expect(chosen.profile == StateRecord.ProfileStamp(path: Self.profile, name: "knl-quad", sha256: SHA256.hex(bytes)))
    }

    @Test func refusalsComeBeforeImagesAreRead() throws {
        // os 0 and os 1 share NUMA 0: removing os 1 would give back memory os 0 holds too
        let state = Self.state([Self.instance(0), Self.instance(1)])
        let chosen = ApplyPlan(plan: Self.plan([Self.instance(0)], over: state), profile: .init(path: "/p.yaml", name: "p", sha256: "00"), diagnostics: Diagnostics())
        var read = false
        #expect {
            _ = try PreparedApply.make(chosen, on: state) { _ in read = true; return try LWKImages(for: Partition(profileName: "p", instances: [])) }
        } throws: { error in
            guard case PreparedApply.Refusal.unsafe(let problems) = error else { return false }
            return problems.count == 1 && problems[0].hasPrefix("removing os 1 gives back its memory on NUMA 0")
        }
        #expect(!read, "nothing read for an apply that is refused")
    }

    @Test func aMissingImageIsRefusedBeforeAnyChange() throws {
        let state = Self.state([])
        let chosen = ApplyPlan(plan: Self.plan([Self.instance(0, image: "gone.elf")], over: state), profile: .init(path: "/p.yaml", name: "p", sha256: "00"), diagnostics: Diagnostics())
        struct Missing: Error {}
        #expect {
            _ = try PreparedApply.make(chosen, on: state) { try LWKImages(for: $0, read: { _ in throw Missing() }) }
        } throws: { error in
            guard case PreparedApply.Refusal.noImage(let cause) = error else { return false }
            return cause is Missing
        }
        let prepared = try PreparedApply.make(chosen, on: state) { try LWKImages(for: $0, read: { LWKImageData(bytes: [1], name: $0) }) }
        #expect(prepared.images.image(for: Self.instance(0, image: "gone.elf")).name == "gone.elf")
        #expect(prepared.plan == chosen.plan && prepared.profile == chosen.profile)
    }
}

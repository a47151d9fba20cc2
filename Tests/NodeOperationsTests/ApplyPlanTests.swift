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
}

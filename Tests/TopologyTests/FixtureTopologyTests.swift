import Foundation
import NodeBasics
import TestSupport
import Testing
@testable import Topology

/// Every shared fixture loads, and what we read agrees with the fixtures' README and with
/// Linux's rules (each CPU on exactly one NUMA node, each CPU in exactly one core).
@Suite struct FixtureTopologyTests {
    @Test func fixturesArePresent() {
        #expect(Fixtures.topologyFiles.count >= 15, "fixtures missing from \(Fixtures.topologiesDirectory.path)")
    }

    @Test(arguments: Fixtures.topologyFiles)
    func loadsAndHoldsLinuxInvariants(file: String) throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.topology(file)))
        #expect(!topology.cores.isEmpty)
        #expect(!topology.numaNodes.isEmpty)
        // Each CPU belongs to exactly one core and exactly one NUMA node.
        let coreCPUs = topology.cores.flatMap(\.cpus)
        #expect(coreCPUs.count == Set(coreCPUs).count)
        let nodeCPUs = topology.numaNodes.flatMap(\.cpus.members)
        #expect(nodeCPUs.count == Set(nodeCPUs).count, "a CPU is on two NUMA nodes")
        #expect(CPUSet(nodeCPUs) == topology.cpus)
        for node in topology.numaNodes {
            #expect(!node.kindReason.isEmpty)
            #expect(node.memoryBytes > 0)
        }
        if let distances = topology.distances {
            #expect(distances.nodes.count == distances.values.count)
            for (index, node) in distances.nodes.enumerated() {
                #expect(distances.values[index][index] == 10, "NUMA \(node) is not local to itself")
            }
        }
    }

    struct Shape: Sendable, CustomTestStringConvertible {
        var file: String
        var packages: Int, numa: Int, cores: Int, pus: Int
        /// Kind per NUMA OS index; `*` marks a CPU-less node.
        var kinds: String
        var cluster: [String]?, memory: [String]?
        var testDescription: String { file }
    }

    static let shapes: [Shape] = [
        Shape(file: "knl-64c-quadrant-flat.real.xml", packages: 1, numa: 2, cores: 64, pus: 256, kinds: "0:ddr 1:mcdram*",
              cluster: ["quadrant", "hemisphere", "all2all"], memory: ["flat"]),
        Shape(file: "knl-64c-snc4-flat.real.xml", packages: 1, numa: 8, cores: 64, pus: 256,
              kinds: "0:ddr 1:ddr 2:ddr 3:ddr 4:mcdram* 5:mcdram* 6:mcdram* 7:mcdram*", cluster: ["snc4"], memory: ["flat"]),
        Shape(file: "knl-mini-snc4-hybrid50.hwloc-test.xml", packages: 1, numa: 8, cores: 16, pus: 64,
              kinds: "0:ddr 1:ddr 2:ddr 3:ddr 4:mcdram* 5:mcdram* 6:mcdram* 7:mcdram*", cluster: ["snc4"], memory: ["hybrid50"]),
        Shape(file: "knl-mini-a2a-hybrid50.hwloc-test.xml", packages: 0, numa: 2, cores: 4, pus: 8, kinds: "0:ddr 1:mcdram*",
              cluster: ["all2all"], memory: ["hybrid50"]),
        Shape(file: "knl-16c-quadrant-cache.derived.xml", packages: 1, numa: 1, cores: 16, pus: 64, kinds: "0:ddr",
              cluster: ["quadrant"], memory: ["cache"]),
        Shape(file: "knl-16c-snc2-hybrid25.derived.xml", packages: 1, numa: 4, cores: 16, pus: 64,
              kinds: "0:ddr 1:ddr 2:mcdram* 3:mcdram*", cluster: ["snc2"], memory: ["hybrid25"]),
        Shape(file: "knl7210-64c-snc4-flat.synthetic.xml", packages: 1, numa: 8, cores: 64, pus: 256,
              kinds: "0:ddr 1:ddr 2:ddr 3:ddr 4:mcdram* 5:mcdram* 6:mcdram* 7:mcdram*", cluster: ["snc4"], memory: ["flat"]),
        Shape(file: "xeon-skylake-2s-48c.real.xml", packages: 2, numa: 2, cores: 48, pus: 96, kinds: "0:ddr 1:ddr"),
        Shape(file: "xeon-haswell-2s-cod.hwloc-test.xml", packages: 2, numa: 4, cores: 28, pus: 28, kinds: "0:ddr 1:ddr 2:ddr 3:ddr"),
        Shape(file: "power8-2s.hwloc-test.xml", packages: 2, numa: 2, cores: 8, pus: 16, kinds: "0:ddr 1:ddr"),
    ]

    @Test(arguments: shapes)
    func matchesTheRecordedShape(shape: Shape) throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.topology(shape.file)))
        #expect(topology.packages.count == shape.packages)
        #expect(topology.numaNodes.count == shape.numa)
        #expect(topology.cores.count == shape.cores)
        #expect(topology.cpus.count == shape.pus)
        let kinds = topology.numaNodes.map { "\($0.osIndex):\($0.kind.rawValue)\($0.isCPULess ? "*" : "")" }.joined(separator: " ")
        #expect(kinds == shape.kinds)
        #expect(topology.machine.clusterMode?.candidates == shape.cluster)
        #expect(topology.machine.memoryMode?.candidates == shape.memory)
    }

    @Test func unlabelledMCDRAMIsRecognisedFromTheHardwareShape() throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.topology("knl-64c-quadrant-flat.real.xml")))
        let mcdram = try #require(topology.numaNode(osIndex: 1))
        #expect(mcdram.subtype == nil)
        #expect(mcdram.kindReason.contains("CPU-less"))
        #expect(mcdram.kindReason.contains("distance 31 vs 10"))
        #expect(topology.machine.clusterMode?.isInferred == true)
    }

    @Test func nonContiguousPUNumbersAreKept() throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.topology("power8-2s.hwloc-test.xml")))
        #expect(topology.numaNode(osIndex: 0)?.cpus.description == "0-1,8-9,16-17,24-25")
        #expect(topology.cores.first?.cpus == [0, 1])
    }

    @Test func fullSizeKNLNumbersThreadsAcrossTheChip() throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.topology("knl7210-64c-quadrant-flat.synthetic.xml")))
        #expect(topology.cores[0].cpus == [0, 64, 128, 192])
        #expect(topology.uniformThreadsPerCore == 4)
    }
}

import NodeBasics
import TestSupport
import Testing
@testable import Topology

/// On-package HBM of a Xeon CPU Max in Flat mode, recognised from what hwloc says about
/// it: its HBM label (hwloc 2.8+), else the bandwidth the firmware reports (hwloc's
/// memory attributes). Fixtures: Fixtures/make-xeon-max.sh.
@Suite struct XeonMaxTests {
    static func load(_ name: String) throws -> Topology {
        try TopologyLoader.load(.xml(path: Fixtures.testData("TopologyTests", "Fixtures/\(name)").path))
    }

    func kinds(_ topology: Topology) -> [Int: MemoryKind] {
        Dictionary(uniqueKeysWithValues: topology.numaNodes.map { ($0.osIndex, $0.kind) })
    }

    @Test(arguments: ["xeon-max-2s-flat.subtype.xml", "xeon-max-2s-flat.memattrs.xml"])
    func hbmNodesAreHBMAndCPULess(file: String) throws {
        let topology = try Self.load(file)
        #expect(kinds(topology) == [0: .ddr, 1: .ddr, 2: .hbm, 3: .hbm])
        let hbm = try #require(topology.numaNodes.first { $0.osIndex == 2 })
        #expect(hbm.isCPULess)
        #expect(hbm.nearCPUs == CPUSet(0..<16))
        #expect(hbm.bandwidth == 1_000_000)
        #expect(hbm.latency == 130)
        let ddr = try #require(topology.numaNodes.first { $0.osIndex == 1 })
        #expect(ddr.cpus == CPUSet(16..<32))
    }

    @Test func theLabelIsTheReasonWhenHwlocGivesOne() throws {
        let hbm = try #require(try Self.load("xeon-max-2s-flat.subtype.xml").numaNodes.first { $0.osIndex == 3 })
        #expect(hbm.kindReason == "hwloc labels it HBM")
    }

    @Test func withoutALabelTheBandwidthDecides() throws {
        let hbm = try #require(try Self.load("xeon-max-2s-flat.memattrs.xml").numaNodes.first { $0.osIndex == 3 })
        #expect(hbm.kindReason.contains("hwloc's memory attributes give it 976.6 GiB/s against 244.1 GiB/s"), "\(hbm.kindReason)")
    }
}

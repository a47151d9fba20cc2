import NodeBasics
import Testing
@testable import Topology

/// Memory kinds and CPU ownership from hardware shapes that the fixtures do not all show.
@Suite struct ClassificationTests {
    static let gib: UInt64 = 1 << 30
    static let knl = Machine(cpuModel: "Intel(R) Xeon Phi(TM) CPU 7250 @ 1.40GHz", cpuFamilyNumber: 6, cpuModelNumber: 87)
    static let xeonMax = Machine(cpuModel: "Intel(R) Xeon(R) CPU Max 9480", cpuFamilyNumber: 6, cpuModelNumber: 143)
    static let epyc = Machine(cpuModel: "AMD EPYC 9654 96-Core Processor", cpuFamilyNumber: 25, cpuModelNumber: 17)
    static let slit = DistanceMatrix(nodes: [0, 1], values: [[10, 31], [31, 10]])

    func node(_ index: Int, _ gib: UInt64, cpus: [Int], subtype: String? = nil) -> NUMANode {
        NUMANode(osIndex: index, memoryBytes: gib * Self.gib, cpus: CPUSet(cpus), subtype: subtype)
    }

    func kinds(_ nodes: [NUMANode], _ machine: Machine, _ distances: DistanceMatrix? = slit) -> [MemoryKind] {
        MemoryKindClassifier.classify(nodes, distances: distances, machine: machine).map(\.kind)
    }

    @Test func labelsWin() {
        #expect(kinds([node(0, 96, cpus: [0]), node(1, 16, cpus: [], subtype: "MCDRAM")], Self.epyc) == [.ddr, .mcdram])
        #expect(kinds([node(0, 96, cpus: [0]), node(1, 16, cpus: [], subtype: "HBM")], Self.epyc) == [.ddr, .hbm])
        #expect(kinds([node(0, 96, cpus: [0]), node(1, 512, cpus: [], subtype: "NVM")], Self.knl) == [.ddr, .unknown])
    }

    @Test func unlabelledSmallFarCPULessNodeOnXeonPhiIsMCDRAM() {
        #expect(kinds([node(0, 96, cpus: [0]), node(1, 16, cpus: [])], Self.knl) == [.ddr, .mcdram])
    }

    @Test func unlabelledSmallFarCPULessNodeOnXeonMaxIsHBM() {
        #expect(kinds([node(0, 128, cpus: [0]), node(1, 16, cpus: [])], Self.xeonMax) == [.ddr, .hbm])
    }

    @Test func cpuLessNodeOnAnOrdinaryCPUStaysUnknown() {
        // Could be CXL or persistent memory: never guess on-package memory.
        #expect(kinds([node(0, 96, cpus: [0]), node(1, 16, cpus: [])], Self.epyc) == [.ddr, .unknown])
    }

    @Test func largerCPULessNodeIsNotOnPackageMemory() {
        #expect(kinds([node(0, 96, cpus: [0]), node(1, 256, cpus: [])], Self.knl) == [.ddr, .unknown])
    }

    @Test func closerCPULessNodeIsNotOnPackageMemory() {
        let nodes = [node(0, 96, cpus: [0]), node(1, 96, cpus: [1]), node(2, 16, cpus: [])]
        let slit = DistanceMatrix(nodes: [0, 1, 2], values: [[10, 21, 12], [21, 10, 12], [12, 12, 10]])
        #expect(kinds(nodes, Self.knl, slit) == [.ddr, .ddr, .unknown])
    }

    @Test func withoutSLITShapeAndModelDecide() {
        let classified = MemoryKindClassifier.classify([node(0, 96, cpus: [0]), node(1, 16, cpus: [])], distances: nil, machine: Self.knl)
        #expect(classified[1].kind == .mcdram)
        #expect(classified[1].kindReason.contains("no SLIT"))
    }

    func node(_ index: Int, _ gib: UInt64, cpus: [Int], bandwidth: UInt64) -> NUMANode {
        NUMANode(osIndex: index, memoryBytes: gib * Self.gib, cpus: CPUSet(cpus), bandwidth: bandwidth)
    }

    @Test func muchMoreBandwidthThanTheCPUNodesIsOnPackageMemory() {
        // A part whose firmware reports HMAT bandwidth: the CPU model need not say.
        #expect(kinds([node(0, 128, cpus: [0], bandwidth: 200_000), node(1, 32, cpus: [], bandwidth: 800_000)], Self.epyc) == [.ddr, .hbm])
        #expect(kinds([node(0, 96, cpus: [0], bandwidth: 90_000), node(1, 16, cpus: [], bandwidth: 400_000)], Self.knl) == [.ddr, .mcdram])
    }

    @Test func bandwidthOverridesANearSLIT() {
        // Xeon CPU Max: the HBM node is nearer than the other socket.
        let slit = DistanceMatrix(nodes: [0, 1, 2], values: [[10, 21, 13], [21, 10, 23], [13, 23, 10]])
        let nodes = [node(0, 128, cpus: [0], bandwidth: 250_000), node(1, 128, cpus: [1], bandwidth: 250_000), node(2, 64, cpus: [], bandwidth: 1_000_000)]
        #expect(kinds(nodes, Self.epyc, slit) == [.ddr, .ddr, .hbm])
    }

    @Test func lessBandwidthThanTheCPUNodesIsNeverOnPackageMemory() {
        // CXL or persistent memory, even small and far on a CPU named Max.
        let classified = MemoryKindClassifier.classify(
            [node(0, 128, cpus: [0], bandwidth: 250_000), node(1, 16, cpus: [], bandwidth: 60_000)], distances: Self.slit, machine: Self.xeonMax)
        #expect(classified.map(\.kind) == [.ddr, .unknown])
        #expect(classified[1].kindReason.contains("CXL"))
    }

    @Test func similarBandwidthLeavesItToTheShape() {
        #expect(kinds([node(0, 96, cpus: [0], bandwidth: 100_000), node(1, 16, cpus: [], bandwidth: 120_000)], Self.knl) == [.ddr, .mcdram])
        #expect(kinds([node(0, 96, cpus: [0], bandwidth: 100_000), node(1, 16, cpus: [], bandwidth: 120_000)], Self.epyc) == [.ddr, .unknown])
    }

    @Test func specificPurposeMemoryIsHBMOnlyWhenFaster() {
        var spm = node(1, 64, cpus: [], bandwidth: 1_000_000)
        spm.subtype = "SPM"
        #expect(kinds([node(0, 128, cpus: [0], bandwidth: 250_000), spm], Self.epyc) == [.ddr, .hbm])
        spm.bandwidth = nil
        #expect(kinds([node(0, 128, cpus: [0], bandwidth: 250_000), spm], Self.epyc) == [.ddr, .unknown])
    }

    @Test func xeonMaxHBMJustBeyondItsSocketsDDRWithoutAttributes() {
        let slit = DistanceMatrix(nodes: [0, 1, 2, 3], values: [[10, 21, 13, 23], [21, 10, 23, 13], [13, 23, 10, 23], [23, 13, 23, 10]])
        let nodes = [node(0, 128, cpus: [0]), node(1, 128, cpus: [1]), node(2, 64, cpus: []), node(3, 64, cpus: [])]
        #expect(kinds(nodes, Self.xeonMax, slit) == [.ddr, .ddr, .hbm, .hbm])
        // The same shape on a CPU without HBM stays unknown.
        #expect(kinds(nodes, Self.epyc, slit) == [.ddr, .ddr, .unknown, .unknown])
    }

    @Test func sharedCPUSetsGoToTheDRAMNode() {
        // hwloc 2 hangs an SNC cluster's DDR and MCDRAM under one object: same CPU set.
        let shared = [0, 1, 2, 3]
        let assigned = NUMALocality.assignCPUs([
            node(0, 24, cpus: shared), node(4, 4, cpus: shared),
            node(1, 24, cpus: [4, 5]), node(5, 4, cpus: [4, 5], subtype: "MCDRAM"),
        ])
        #expect(assigned.map(\.cpus.count) == [4, 0, 2, 0])
        #expect(assigned[1].nearCPUs == CPUSet(shared))
    }

    @Test func labelBeatsSizeWhenSharingCPUs() {
        let assigned = NUMALocality.assignCPUs([node(0, 8, cpus: [0, 1]), node(1, 16, cpus: [0, 1], subtype: "MCDRAM")])
        #expect(assigned[0].cpus.count == 2 && assigned[1].isCPULess)
    }

    @Test func knightsLandingModesAreInferredWhenHwlocDidNotRecordThem() {
        let nodes = MemoryKindClassifier.classify(
            [node(0, 96, cpus: [0]), node(1, 16, cpus: [])], distances: Self.slit, machine: Self.knl)
        let flat = KnightsLandingModes.read(hwlocClusterMode: nil, hwlocMemoryMode: nil, machine: Self.knl, nodes: nodes, memorySideCaches: 0)
        #expect(flat.memory?.candidates == ["flat"])
        #expect(flat.cluster?.candidates == ["quadrant", "hemisphere", "all2all"])
        #expect(flat.cluster?.isInferred == true)
        let hybrid = KnightsLandingModes.read(hwlocClusterMode: nil, hwlocMemoryMode: nil, machine: Self.knl, nodes: nodes, memorySideCaches: 1)
        #expect(hybrid.memory?.candidates == ["hybrid25", "hybrid50"])
        let recorded = KnightsLandingModes.read(hwlocClusterMode: "SNC4", hwlocMemoryMode: "Cache", machine: Self.knl, nodes: nodes, memorySideCaches: 1)
        #expect(recorded.cluster == ModeReading(candidates: ["snc4"], source: "recorded by hwloc from the BIOS settings", isInferred: false))
        #expect(recorded.memory?.matches("CACHE") == true)
        let xeon = KnightsLandingModes.read(hwlocClusterMode: nil, hwlocMemoryMode: nil, machine: Self.epyc, nodes: nodes, memorySideCaches: 0)
        #expect(xeon.cluster == nil && xeon.memory == nil)
    }
}

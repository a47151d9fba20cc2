@testable import Provisioning
import NodeBasics
import TestSupport
import Testing
import Topology

/// Exact partitions for shipped profiles on several fixtures, and the rules behind them.
@Suite struct ResolutionTests {
    static let gib: UInt64 = 1 << 30

    func resolve(_ profile: String, on fixture: String) throws -> Partition {
        let check = ProfileCheck.run(profilePath: Fixtures.profile(profile), topology: try TestTopologies.fixture(fixture))
        #expect(!check.diagnostics.hasErrors, "\(check.diagnostics.errors)")
        return try #require(check.partition)
    }

    @Test func knlQuadOnSixteenCoreQuadrantFlat() throws {
        let partition = try resolve("knl-quad.yaml", on: "knl-16c-quadrant-flat.derived.xml")
        let lwk = try #require(partition.instances.first)
        #expect(partition.instances.count == 1)
        #expect(lwk.index == 0 && lwk.name == "lwk")
        #expect(lwk.cpus.description == "4-15,20-31,36-47,52-63")
        // 60 % of 96 GiB rounded down to 4 MiB; all of 16 GiB MCDRAM less the 2 % floor.
        #expect(lwk.memory == [
            NodeMemory(numa: 0, kind: .ddr, bytes: 61_845_012_480),
            NodeMemory(numa: 1, kind: .mcdram, bytes: 16_835_936_256),
        ])
        #expect(lwk.kernelArgs == "hidos time_sharing dump_level=24")
        #expect(lwk.kernelImage == "default")
        #expect(lwk.ikc.count == 16)
        #expect(lwk.ikc.first == IKCRoute(lwkCPUs: CPUSet([4, 5, 6]), linuxCPU: 0))
        #expect(lwk.ikc.last == IKCRoute(lwkCPUs: CPUSet([61, 62, 63]), linuxCPU: 51))
    }

    @Test(arguments: ["xeon-max-2s-flat.subtype.xml", "xeon-max-2s-flat.memattrs.xml"])
    func xeonMaxFlatTakesEveryHBMNode(fixture: String) throws {
        let topology = try TopologyLoader.load(.xml(path: Fixtures.testData("TopologyTests", "Fixtures/\(fixture)").path))
        let check = ProfileCheck.run(profilePath: Fixtures.profile("xeon-max-flat.yaml"), topology: topology)
        #expect(!check.diagnostics.hasErrors, "\(check.diagnostics.errors)")
        let lwk = try #require(check.partition?.instances.first)
        #expect(lwk.cpus.description == "4-15,20-31")
        // numa: hbm names both CPU-less HBM nodes: all of 64 GiB less the 2 % floor each.
        #expect(lwk.memory.filter { $0.kind == .hbm }.map(\.numa) == [2, 3])
        #expect(lwk.memory.filter { $0.kind == .ddr }.map(\.numa) == [0, 1])
        #expect(lwk.memory.first { $0.numa == 2 }?.bytes == 67_343_745_024)
    }

    @Test(arguments: ["knl-64c-quadrant-flat.real.xml", "knl7210-64c-quadrant-flat.synthetic.xml"])
    func knlQuadIsPortableToSixtyFourCores(fixture: String) throws {
        let lwk = try #require(try resolve("knl-quad.yaml", on: fixture).instances.first)
        #expect(lwk.cpus.description == "4-63,68-127,132-191,196-255")
        #expect(lwk.memory.map(\.kind) == [.ddr, .mcdram])
    }

    @Test func knlSNC4KeepsOneCorePerClusterAndServesLocally() throws {
        let topology = try TestTopologies.fixture("knl-64c-snc4-flat.real.xml")
        let lwk = try #require(try resolve("knl-snc4-flat.yaml", on: "knl-64c-snc4-flat.real.xml").instances.first)
        #expect(lwk.cpus.count == 240)
        #expect(!lwk.cpus.contains(0) && !lwk.cpus.contains(16) && !lwk.cpus.contains(32) && !lwk.cpus.contains(48))
        #expect(lwk.memory.map(\.numa) == Array(0...7))
        #expect(lwk.memory.filter { $0.kind == .mcdram }.count == 4)
        for route in lwk.ikc {
            let home = topology.numaNode(ofCPU: route.linuxCPU)?.osIndex
            #expect(route.lwkCPUs.allSatisfy { topology.numaNode(ofCPU: $0)?.osIndex == home }, "route \(route) crosses NUMA nodes")
        }
        #expect(Set(lwk.ikc.map(\.linuxCPU)) == Set([0, 64, 128, 192, 16, 80, 144, 208, 32, 96, 160, 224, 48, 112, 176, 240]))
    }

    @Test func xeonTwoSocket() throws {
        let lwk = try #require(try resolve("xeon-2s.yaml", on: "xeon-skylake-2s-48c.real.xml").instances.first)
        #expect(lwk.cpus.description == "2-23,26-47,50-71,74-95")
        #expect(lwk.kernelArgs == "hidos time_sharing idle_halt dump_level=24")
        let cod = try #require(try resolve("xeon-2s.yaml", on: "xeon-haswell-2s-cod.hwloc-test.xml").instances.first)
        #expect(cod.cpus.description == "2-6,9-13,16-20,23-27")
    }

    @Test func cacheModeUsesDDROnly() throws {
        let lwk = try #require(try resolve("knl-quad-cache.yaml", on: "knl-16c-quadrant-cache.derived.xml").instances.first)
        #expect(lwk.memory == [NodeMemory(numa: 0, kind: .ddr, bytes: 77_309_411_328)])
    }

    @Test func resolutionIsDeterministic() throws {
        let a = try resolve("knl-snc4-flat.yaml", on: "knl-16c-snc4-flat.derived.xml")
        let b = try resolve("knl-snc4-flat.yaml", on: "knl-16c-snc4-flat.derived.xml")
        #expect(a == b)
    }

    @Test func firstThreadRuleLeavesSiblingsToLinux() throws {
        let topology = try TestTopologies.fixture("knl-16c-quadrant-flat.derived.xml")
        let check = TestTopologies.check("""
            name: t
            instances:
              - cpus: {linux_keeps: {cores: 2, per: package}, threads: first}
                memory: [{numa: mcdram, size: 8G}]
            """, on: topology)
        let lwk = try #require(check.partition?.instances.first)
        #expect(lwk.cpus.description == "2-15")
        #expect(lwk.name == "lwk0")
    }

    @Test func zeroKeptCoresStillKeepsCPUZerosCore() throws {
        let topology = try TestTopologies.fixture("knl-16c-quadrant-flat.derived.xml")
        let check = TestTopologies.check("""
            name: t
            instances:
              - cpus: {linux_keeps: 0}
                memory: [{numa: 1, size: 1G}]
            """, on: topology)
        let lwk = try #require(check.partition?.instances.first)
        #expect(lwk.cpus.description == "1-15,17-31,33-47,49-63")
    }

    @Test func explicitIKCMapIsKept() throws {
        let topology = try TestTopologies.fixture("knl-16c-quadrant-flat.derived.xml")
        let check = TestTopologies.check("""
            name: t
            instances:
              - cpus: "8-15"
                memory: [{numa: 0, size: 512M}]
                ikc:
                  - {lwk_cpus: "8-11", linux_cpu: 1}
                  - {lwk_cpus: "12-15", linux_cpu: 2}
            """, on: topology)
        #expect(check.partition?.instances.first?.ikc == [
            IKCRoute(lwkCPUs: CPUSet(8...11), linuxCPU: 1), IKCRoute(lwkCPUs: CPUSet(12...15), linuxCPU: 2),
        ])
    }

    @Test func severalInstancesGetTheirOwnNumbersAndShareMemoryLimits() throws {
        let topology = try TestTopologies.fixture("knl-16c-quadrant-flat.derived.xml")
        let check = TestTopologies.check("""
            name: two
            instances:
              - name: a
                cpus: "4-7"
                memory: [{numa: 1, size: 8G}]
              - name: b
                cpus: "8-11"
                memory: [{numa: 1, size: 8G}]
            """, on: topology)
        // 16 GiB of MCDRAM minus its floor cannot hold 2 × 8 GiB.
        #expect(TestTopologies.errors(check) == [
            "8:30 asks 16 GiB in all (2 requests) of NUMA 1 (mcdram), but at most 15.7 GiB can be taken: the node has 16 GiB, and Linux keeps 327.7 MiB",
        ])
        let fits = TestTopologies.check("""
            name: two
            instances:
              - {name: a, cpus: "4-7", memory: [{numa: 1, size: 7G}]}
              - {name: b, cpus: "8-11", memory: [{numa: 1, size: 7G}]}
            """, on: topology)
        #expect(fits.partition?.instances.map(\.index) == [0, 1])
        #expect(fits.partition?.memoryByNode[1] == 14 * Self.gib)
    }

    @Test func percentagesAndAllRoundDownToTheGranule() throws {
        let topology = try TestTopologies.fixture("knl-64c-quadrant-flat.real.xml")
        let check = TestTopologies.check("""
            name: t
            instances:
              - cpus: "4-63"
                memory: [{numa: 0, size: 33.3%}, {numa: 1, size: all}]
            """, on: topology)
        let memory = try #require(check.partition?.instances.first?.memory)
        #expect(memory.allSatisfy { MemoryGranule.isAligned($0.bytes) })
        let node1 = try #require(topology.numaNode(osIndex: 1))
        #expect(memory[1].bytes == MemoryGranule.roundDown(node1.memoryBytes - MemoryFloor.bytes(for: node1)))
    }
}

/// Live-node rules with a hand-made live state: offline CPUs, free memory, and what the
/// applied partition already holds.
@Suite struct LiveResolutionTests {
    static let gib: UInt64 = 1 << 30

    func liveNode(offline: [Int] = [], free: [Int: UInt64]) throws -> Topology {
        var topology = try TestTopologies.fixture("knl-16c-quadrant-flat.derived.xml")
        topology.source = .live
        let present = topology.cpus
        topology.live = LiveState(presentCPUs: present, onlineCPUs: present.subtracting(CPUSet(offline)), freeBytes: free)
        return topology
    }

    static let profile = """
        name: t
        instances:
          - cpus: "8-15"
            memory: [{numa: 1, size: 4G}]
        """

    @Test func offlineCPUsAreRefusedUnlessTheyAreOurs() throws {
        let topology = try liveNode(offline: [10, 11], free: [0: 90 * Self.gib, 1: 15 * Self.gib])
        #expect(TestTopologies.errors(TestTopologies.check(Self.profile, on: topology)) == ["3:11 CPUs 10-11 are offline"])
        let ours = Partition(profileName: "t", instances: [
            ResolvedInstance(index: 0, name: "lwk0", cpus: CPUSet(8...15), memory: [], ikc: [], kernelImage: "default", kernelArgs: "hidos"),
        ])
        #expect(TestTopologies.check(Self.profile, on: topology, applied: ours).partition != nil)
    }

    @Test func liveLimitIsWhatIsFreePlusWhatWeHold() throws {
        let topology = try liveNode(free: [0: 90 * Self.gib, 1: 2 * Self.gib])
        let errors = TestTopologies.errors(TestTopologies.check(Self.profile, on: topology))
        #expect(errors.count == 1)
        #expect(errors.first?.contains("2 GiB of it free") == true)
        let held = Partition(profileName: "t", instances: [
            ResolvedInstance(
                index: 0, name: "lwk0", cpus: CPUSet(8...15), memory: [NodeMemory(numa: 1, kind: .mcdram, bytes: 3 * Self.gib)],
                ikc: [], kernelImage: "default", kernelArgs: "hidos"),
        ])
        #expect(TestTopologies.check(Self.profile, on: topology, applied: held).partition != nil)
    }

    @Test func onTheRealMachineAProfileFitsOrSaysWhy() throws {
        let topology = try TopologyLoader.load(.live)
        let lastCPU = try #require(topology.cpus.last)
        let check = TestTopologies.check("""
            name: here
            instances:
              - cpus: "\(lastCPU + 1000)"
                memory: [{numa: 0, size: 1T}]
            """, on: topology)
        let errors = TestTopologies.errors(check)
        #expect(errors.contains { $0.contains("CPU \(lastCPU + 1000) does not exist") })
        #expect(errors.contains { $0.contains("free") })
    }
}

import Foundation
import NodeBasics
import TestSupport
import Testing
@testable import NodeOperations
@testable import Provisioning
import Topology

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

@Suite struct ReconcilerTests {
    static let gib: UInt64 = 1 << 30
    static let instance = ResolvedInstance(
        index: 0, name: "lwk", cpus: CPUSet(2...3), memory: [NodeMemory(numa: 1, kind: .mcdram, bytes: gib)],
        ikc: [IKCRoute(lwkCPUs: CPUSet(2...3), linuxCPU: 0)], kernelImage: "default", kernelArgs: "hidos dump_level=24")
    static let record = StateRecord(
        serial: 3, profile: .init(path: "/p.yaml", name: "p", sha256: "00"), partition: Partition(profileName: "p", instances: [instance]),
        appliedAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 10))
    static let matching = NodeView(instances: [.init(index: 0, state: .running, cpus: CPUSet(2...3), memory: [1: gib])])

    @Test func nothingAnywhereIsNothingApplied() {
        let (applied, drift) = Reconciler.applied(record: nil, view: NodeView())
        #expect(applied == nil && drift.isEmpty)
    }

    @Test func recordAndModuleAgree() {
        let (applied, drift) = Reconciler.applied(record: Self.record, view: Self.matching)
        #expect(applied == Self.record.partition)
        #expect(drift.isEmpty)
    }

    @Test func lostRecordIsRebuiltFromTheModule() {
        let (applied, drift) = Reconciler.applied(record: nil, view: Self.matching)
        #expect(applied?.instances.first?.cpus == CPUSet(2...3))
        #expect(applied?.instances.first?.memory == [NodeMemory(numa: 1, kind: .unknown, bytes: Self.gib)])
        #expect(drift.first?.what.contains("no state record") == true)
    }

    @Test func theModuleWinsOverAStaleRecord() {
        let view = NodeView(instances: [.init(index: 0, state: .panic, cpus: CPUSet([2]), memory: [1: Self.gib / 2])])
        let (applied, drift) = Reconciler.applied(record: Self.record, view: view)
        #expect(applied?.instances.first?.cpus == CPUSet([2]))
        #expect(applied?.instances.first?.kernelArgs == "hidos dump_level=24", "what the module cannot say comes from the record")
        #expect(drift.map(\.what) == [
            "os 0 holds CPU 2, the record says CPUs 2-3",
            "os 0 holds 512 MiB on NUMA 1, the record says 1 GiB on NUMA 1",
            "os 0 is panic, not running",
        ])
    }

    @Test func leftoversOfACrashedApplyAreDrift() {
        let view = NodeView(poolCPUs: CPUSet(2...3), poolMemory: [0: 64 << 20])
        let (applied, drift) = Reconciler.applied(record: nil, view: view)
        #expect(applied?.instances.isEmpty == true)
        #expect(drift.last?.what == "the module holds CPUs 2-3 and 64 MiB on NUMA 0 that no instance uses")
        #expect(drift.last?.remedy.contains("mcprov teardown") == true)
    }

    @Test func recordRoundTripsThroughJSON() throws {
        #expect(try StateRecordFile.decoder.decode(StateRecord.self, from: try Self.record.encoded()) == Self.record)
    }

    @Test func statusSumsTheNodeUpAsItsExitStatusDoes() {
        #expect(NodeState(view: NodeView(), reading: .none).verdict == .nothingApplied)
        #expect(NodeState(view: Self.matching, reading: .record(Self.record)).verdict == .asRecorded)
        #expect(NodeState(view: Self.matching, reading: .none).verdict == .drifted, "held without a record")
        let stopped = NodeView(instances: [.init(index: 0, state: .panic, cpus: CPUSet(2...3), memory: [1: Self.gib])])
        #expect(NodeState(view: stopped, reading: .record(Self.record)).verdict == .drifted, "applied but not running")
    }
}

@Suite struct StoreAndLockTests {
    @Test func storeWritesReadsAndClears() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        guard case .none = store.read() else { Issue.record("fresh store is not empty"); return }
        try store.write(ReconcilerTests.record)
        #expect(store.record == ReconcilerTests.record)
        try store.clear()
        #expect(store.record == nil)
        try store.clear()  // twice is fine
    }

    @Test func whatTheStoreWritesMcexecReads() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        let file = StateRecordFile(directory: store.directory)
        #expect(AppliedInstances.read(from: file) == nil, "nothing applied")
        var record = ReconcilerTests.record
        record.partition.instances.append(ResolvedInstance(
            index: 2, name: "second", cpus: CPUSet([5]), memory: [], ikc: [], kernelImage: "default", kernelArgs: "hidos"))
        try store.write(record)
        #expect(AppliedInstances.read(from: file) == [0, 2])
    }

    @Test func corruptRecordIsReportedNotTrusted() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        try "{ not json".write(to: store.recordURL, atomically: true, encoding: .utf8)
        guard case .corrupt(let why) = store.read() else { Issue.record("corrupt record was accepted"); return }
        #expect(why.contains("state.json"))
    }

    @Test func secondLockWaitsThenNamesTheHolder() throws {
        let directory = Scratch.directory("state")
        let first = try ApplyLock(directory: directory, purpose: "mcprov apply first.yaml", timeout: 1)
        let started = Date()
        #expect {
            _ = try ApplyLock(directory: directory, purpose: "mcprov apply second.yaml", timeout: 0.3)
        } throws: { error in
            let busy = error as? ApplyLock.Busy
            return busy?.holder.contains("pid \(getpid()), mcprov apply first.yaml") == true
        }
        #expect(Date().timeIntervalSince(started) >= 0.3)
        withExtendedLifetime(first) {}
    }

    @Test func lockIsFreeOnceTheHolderIsGone() throws {
        let directory = Scratch.directory("state")
        do { _ = try ApplyLock(directory: directory, purpose: "first", timeout: 1) }
        _ = try ApplyLock(directory: directory, purpose: "second", timeout: 0.1)
    }

    @Test func irqAffinitiesAreNarrowedAndRestored() throws {
        let root = Scratch.directory("state")
        let affinities = ["0": "0-3", "9": "2", "24": "0-1", "25": "1-3"]
        for (irq, list) in affinities {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(irq), withIntermediateDirectories: true)
            try list.write(to: root.appendingPathComponent("\(irq)/smp_affinity_list"), atomically: true, encoding: .utf8)
        }
        func read(_ irq: String) throws -> String {
            try String(contentsOf: root.appendingPathComponent("\(irq)/smp_affinity_list"), encoding: .utf8)
        }
        let irq = IRQAffinity(root: root)
        let saved = irq.narrow(irq.narrowing(awayFrom: CPUSet(2...3)))
        #expect(saved == [0: "0-3", 25: "1-3"], "IRQ 9 only runs on an LWK CPU: left for the kernel to move")
        #expect(try read("0") == "0-1")
        #expect(try read("25") == "1")
        #expect(try read("24") == "0-1")
        irq.restore(saved)
        #expect(try read("0") == "0-3")
        #expect(try read("25") == "1-3")
    }
}

@Suite struct IRQBalanceTests {
    final class Calls: @unchecked Sendable { var commands: [String] = [] }

    @Test func banAndUnbanGoThroughTheServiceManager() {
        let calls = Calls()
        let irqbalance = IRQBalance(systemctl: "/usr/bin/systemctl") { arguments in
            calls.commands.append(arguments.joined(separator: " "))
            return 0
        }
        #expect(irqbalance.isActive)
        #expect(irqbalance.ban(CPUSet(2...3)))
        #expect(irqbalance.unban())
        #expect(calls.commands == [
            "/usr/bin/systemctl is-active --quiet irqbalance",
            "/usr/bin/systemctl set-environment IRQBALANCE_BANNED_CPULIST=2-3",
            "/usr/bin/systemctl restart irqbalance",
            "/usr/bin/systemctl unset-environment IRQBALANCE_BANNED_CPULIST",
            "/usr/bin/systemctl restart irqbalance",
        ])
    }

    @Test func aFailedRestartIsReported() {
        let irqbalance = IRQBalance(systemctl: "/bin/systemctl") { $0.last == "irqbalance" && $0.contains("restart") ? 1 : 0 }
        #expect(!irqbalance.ban(CPUSet([2])))
    }

    @Test func withoutSystemdItIsNotActive() {
        #expect(!IRQBalance(systemctl: "/usr/bin/systemctl") { _ in 127 }.isActive)
        let calls = Calls()
        let none = IRQBalance(systemctl: nil) { calls.commands.append($0.joined(separator: " ")); return 0 }
        #expect(!none.isActive && !none.ban(CPUSet([2])) && calls.commands.isEmpty)
    }

    @Test func systemctlIsFoundByAbsolutePathOnly() {
        #expect(IRQBalance.findSystemctl { $0 == "/bin/systemctl" } == "/bin/systemctl")
        #expect(IRQBalance.findSystemctl { _ in true } == "/usr/bin/systemctl", "/usr/bin first")
        #expect(IRQBalance.findSystemctl { !$0.hasPrefix("/") } == nil, "never a name for PATH to resolve")
        #expect(IRQBalance.systemctlPaths.allSatisfy { $0.hasPrefix("/") })
    }
}

@Suite struct TopologySnapshotTests {
    static func node(cpus: [Int], online: [Int]) throws -> Topology {
        var topology = try TopologyLoader.load(.synthetic(description: "pack:1 core:\(cpus.count) pu:1"))
        topology.cores = topology.cores.filter { online.contains($0.cpus[0]) }
        topology.source = .live
        topology.live = LiveState(presentCPUs: CPUSet(cpus), onlineCPUs: CPUSet(online), freeBytes: [0: 1 << 30])
        return topology
    }

    @Test func plansWithWhatHwlocSawBeforeCPUsWereTaken() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        let whole = try Self.node(cpus: [0, 1, 2, 3], online: [0, 1, 2, 3])
        guard case .live = try TopologySnapshot.choose(live: whole, heldCPUs: CPUSet(), store: store) else {
            Issue.record("nothing held: the live topology is complete and used as it is"); return
        }
        let partial = try Self.node(cpus: [0, 1, 2, 3], online: [0, 1])
        guard case .snapshot(let topology) = try TopologySnapshot.choose(live: partial, heldCPUs: CPUSet(2...3), store: store) else {
            Issue.record("CPUs held: the snapshot should be used"); return
        }
        #expect(topology.cpus == CPUSet(0...3))
        #expect(topology.live?.onlineCPUs == CPUSet(0...1), "the live part is fresh")
    }

    @Test func withoutASnapshotItSaysWhatIsMissing() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        let partial = try Self.node(cpus: [0, 1, 2, 3], online: [0, 1])
        guard case .incomplete(_, let missing) = try TopologySnapshot.choose(live: partial, heldCPUs: CPUSet(2...3), store: store) else {
            Issue.record("no snapshot: incomplete"); return
        }
        #expect(missing == CPUSet(2...3))
    }
}

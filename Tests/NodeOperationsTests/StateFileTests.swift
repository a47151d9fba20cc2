import Foundation
import NodeBasics
import TestSupport
import Testing
import Topology
@testable import NodeOperations

/// The state directory holds what teardown writes back into the node; nobody but root
/// may choose its contents, and nothing in it is ever half written or taken for empty.
@Suite struct StateDirectoryTests {
    func refusal(_ body: () throws -> Void) -> StateFileError? {
        do { try body() } catch let error as StateFileError { return error } catch { Issue.record("not a StateFileError: \(error)") }
        return nil
    }

    @Test func aSymlinkedLockFileIsRefused() throws {
        let directory = Scratch.directory("state")
        let target = Scratch.directory("elsewhere").appendingPathComponent("victim")
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("lock").path, withDestinationPath: target.path)
        let error = refusal { _ = try ApplyLock(directory: directory, purpose: "test", timeout: 0.1) }
        #expect(error?.problem == "is a symbolic link")
        #expect(error?.path.hasSuffix("/lock") == true)
        #expect(!FileManager.default.fileExists(atPath: target.path), "nothing was created through the link")
    }

    @Test func aWorldWritableStateDirectoryIsRefused() throws {
        let directory = Scratch.directory("state")
        chmod(directory.path, 0o777)
        let error = refusal { _ = try ApplyLock(directory: directory, purpose: "test", timeout: 0.1) }
        #expect(error?.problem == "may be written by others (mode 777)")
        #expect(error?.remedy.contains("chmod 755 \(directory.path)") == true)
        #expect(refusal { try StateStore(directory: directory).write(ReconcilerTests.record) } != nil)
        #expect(refusal { _ = try StateStore(directory: directory).savedIRQAffinities() } != nil)
        guard case .corrupt(let why) = StateStore(directory: directory).read() else { Issue.record("read from it"); return }
        #expect(why.contains("may be written by others"))
        chmod(directory.path, 0o775)
        #expect(refusal { _ = try ApplyLock(directory: directory, purpose: "test", timeout: 0.1) }?.problem == "may be written by others (mode 775)")
    }

    @Test func aSymlinkedStateDirectoryIsRefused() throws {
        let real = Scratch.directory("real")
        let link = Scratch.directory("links").appendingPathComponent("state")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: real.path)
        #expect(refusal { _ = try ApplyLock(directory: link, purpose: "test", timeout: 0.1) }?.problem == "is a symbolic link")
        #expect(try FileManager.default.contentsOfDirectory(atPath: real.path).isEmpty)
    }

    @Test func aDirectoryOfAnotherUserIsRefused() throws {
        let directory = UInt32(S_IFDIR)
        #expect(StateDirectoryGuard.problem(mode: directory | 0o755, owner: 0, user: 0) == nil)
        #expect(StateDirectoryGuard.problem(mode: directory | 0o755, owner: 1000, user: 1000) == nil, "the user's own, for the user")
        #expect(StateDirectoryGuard.problem(mode: directory | 0o755, owner: 0, user: 1000) == nil, "root's, for anybody")
        #expect(StateDirectoryGuard.problem(mode: directory | 0o755, owner: 1000, user: 0) == "belongs to uid 1000, not to root")
        #expect(StateDirectoryGuard.problem(mode: UInt32(S_IFREG) | 0o644, owner: 0, user: 0) == "is not a directory")
        #expect(StateDirectoryGuard.problem(mode: directory | 0o1777, owner: 0, user: 0) == "may be written by others (mode 1777)")
        guard geteuid() == 0 else { return }
        let owned = Scratch.directory("state")
        chown(owned.path, 65534, 65534)
        #expect(refusal { _ = try ApplyLock(directory: owned, purpose: "test", timeout: 0.1) }?.problem == "belongs to uid 65534, not to root")
    }

    @Test func aMissingDirectoryIsMadeRootsOwn() throws {
        let directory = Scratch.directory("parent").appendingPathComponent("mcprov")
        _ = try ApplyLock(directory: directory, purpose: "test", timeout: 0.1)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o755)
    }

    @Test func stateFilesAreReplacedWholeAndNeverThroughALink() throws {
        let directory = Scratch.directory("state")
        let store = StateStore(directory: directory)
        let victim = Scratch.directory("elsewhere").appendingPathComponent("victim")
        try "untouched".write(to: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: store.irqURL.path, withDestinationPath: victim.path)
        #expect(refusal { _ = try store.savedIRQAffinities() }?.problem == "is a symbolic link", "a link is not read")
        try FileManager.default.removeItem(at: store.irqURL)
        try FileManager.default.createSymbolicLink(atPath: store.irqURL.path, withDestinationPath: victim.path)
        try StateFile.write(Data("{}".utf8), to: store.irqURL)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "untouched", "the link is replaced, not written through")
        #expect(try String(contentsOf: store.irqURL, encoding: .utf8) == "{}")
        try store.write(ReconcilerTests.record)
        try store.write(ReconcilerTests.record)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["irq-affinity.json", "state.json"],
                "no temporary file is left")
    }

    @Test func aCorruptIRQRecordIsAnErrorNotEmpty() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        try "{\"9\": \"0-1\", trunc".write(to: store.irqURL, atomically: true, encoding: .utf8)
        let error = refusal { _ = try store.savedIRQAffinities() }
        #expect(error?.path == store.irqURL.path)
        #expect(error?.problem.hasPrefix("cannot be read as the IRQ affinities to restore on teardown") == true)
        #expect(error?.remedy.contains("mv \(store.irqURL.path) \(store.irqURL.path).bad") == true)
        // Saving more does not paper over it.
        #expect(refusal { try store.saveIRQAffinities([10: "0-3"]) } != nil)
        #expect(try String(contentsOf: store.irqURL, encoding: .utf8).hasSuffix("trunc"))
    }

    @Test func aCorruptBanRecordIsAnError() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        try "2-x".write(to: store.irqBalanceURL, atomically: true, encoding: .utf8)
        #expect(refusal { _ = try store.irqBalanceBan() }?.problem == "does not hold a CPU list (\"2-x\")")
        try store.noteIRQBalanceBan(CPUSet([2, 3]))
        #expect(try store.irqBalanceBan() == CPUSet([2, 3]))
    }

    @Test func aCorruptTopologySnapshotIsAnError() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        try "not json".write(to: store.directory.appendingPathComponent("topology.json"), atomically: true, encoding: .utf8)
        let partial = try TopologySnapshotTests.node(cpus: [0, 1, 2, 3], online: [0, 1])
        #expect(throws: StateFileError.self) { _ = try TopologySnapshot.choose(live: partial, heldCPUs: CPUSet(2...3), store: store) }
    }
}

/// What is changed on the node is recorded before it changes, so that a crash between
/// the two leaves a record the undo (teardown) can use.
@Suite struct RecordBeforeChangeTests {
    final class Log: @unchecked Sendable { var lines: [String] = [] }

    @Test func irqOriginalsAreSavedBeforeAnyIRQIsWritten() throws {
        let root = Scratch.directory("irq")
        for (irq, list) in ["10": "0-3", "11": "1-3", "12": "0"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(irq), withIntermediateDirectories: true)
            try list.write(to: root.appendingPathComponent("\(irq)/smp_affinity_list"), atomically: true, encoding: .utf8)
        }
        let store = StateStore(directory: Scratch.directory("state"))
        final class Seen: @unchecked Sendable { var records: [[Int: String]] = [] }
        let seen = Seen()
        // mcprov dies at its first write into /proc/irq: the record must be complete by then.
        let dying = IRQAffinity(root: root) { _, _ in
            seen.records.append((try? store.savedIRQAffinities()) ?? [:])
            return false
        }
        _ = try IRQSteering(irqAffinity: dying, store: store).steer(awayFrom: CPUSet(2...3))
        #expect(seen.records.first == [10: "0-3", 11: "1-3"], "IRQ 12 runs on CPU 0 only and is not touched")
        // What teardown does with that record gives every IRQ its original back.
        IRQAffinity(root: root).restore(try store.savedIRQAffinities())
        #expect(try String(contentsOf: root.appendingPathComponent("10/smp_affinity_list"), encoding: .utf8) == "0-3")
        // And the normal run narrows them.
        let change = try IRQSteering(irqAffinity: IRQAffinity(root: root), store: store).steer(awayFrom: CPUSet(2...3))
        #expect(change.found == [10: "0-3", 11: "1-3"])
        #expect(try String(contentsOf: root.appendingPathComponent("11/smp_affinity_list"), encoding: .utf8) == "1")
    }

    @Test func theBanIsRecordedBeforeIrqbalanceGetsIt() throws {
        let store = StateStore(directory: Scratch.directory("state"))
        let log = Log()
        // systemctl is where mcprov dies: the record must exist by then.
        let dying = IRQBalance(systemctl: "/usr/bin/systemctl") { arguments in
            log.lines.append("\(arguments[1]), record \(((try? store.irqBalanceBan()) ?? nil).map(\.description) ?? "none")")
            return 1
        }
        #expect(try !IRQBalanceBan(irqBalance: dying, store: store).set(CPUSet(2...3)))
        #expect(log.lines == ["set-environment, record 2-3"])
        // Teardown finds it, lifts the ban and only then forgets it.
        let teardown = IRQBalance(systemctl: "/usr/bin/systemctl") { arguments in
            log.lines.append("\(arguments[1]), record \(((try? store.irqBalanceBan()) ?? nil).map(\.description) ?? "none")")
            return 0
        }
        #expect(try IRQBalanceBan(irqBalance: teardown, store: store).lift())
        #expect(log.lines.suffix(2) == ["unset-environment, record 2-3", "restart, record 2-3"])
        #expect(try store.irqBalanceBan() == nil)
        // A failed lift keeps the record for the next teardown.
        try store.noteIRQBalanceBan(CPUSet([5]))
        #expect(try !IRQBalanceBan(irqBalance: dying, store: store).lift())
        #expect(try store.irqBalanceBan() == CPUSet([5]))
    }
}

import Foundation
import Testing
@testable import Kernel

/// The process tree, wait and groups. Status words, si_codes and errnos are compared
/// with what the host's Linux reports to a C program that makes children end each way.
@Suite struct ProcessTreeTests {
    typealias Policy = ProcessTree.ParentPolicy
    static let root: Int32 = 100

    static func tree() -> ProcessTree { ProcessTree(root: root, processGroup: root, session: 90) }
    static func wait4(_ pid: Int32, _ options: UInt32 = 0) -> WaitRequest { try! WaitRequest.wait4(pid: pid, options: options) }
    static func plain(_ pid: Int32) -> Policy { Policy() }

    static let hostChildren = """
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <errno.h>
        #include <sys/wait.h>
        #include <unistd.h>
        int main(void) {
            int status; siginfo_t info; pid_t pid;
            if ((pid = fork()) == 0) _exit(3);
            waitid(P_PID, pid, &info, WEXITED | WNOWAIT); printf("exited %d %d\\n", info.si_code, info.si_status);
            waitpid(pid, &status, 0); printf("exited-status %x\\n", status);
            if ((pid = fork()) == 0) { raise(SIGKILL); _exit(0); }
            waitid(P_PID, pid, &info, WEXITED | WNOWAIT); printf("killed %d %d\\n", info.si_code, info.si_status);
            waitpid(pid, &status, 0); printf("killed-status %x\\n", status);
            if ((pid = fork()) == 0) { raise(SIGSTOP); _exit(7); }
            waitpid(pid, &status, WUNTRACED); printf("stopped-status %x\\n", status);
            kill(pid, SIGCONT);
            waitid(P_PID, pid, &info, WCONTINUED | WNOWAIT); printf("continued %d %d\\n", info.si_code, info.si_status);
            waitpid(pid, &status, WCONTINUED); printf("continued-status %x\\n", status);
            waitpid(pid, &status, 0);
            printf("echild %d\\n", waitpid(-1, &status, WNOHANG) < 0 ? errno : 0);
            printf("wnowait-wait4 %d\\n", waitpid(-1, &status, WNOWAIT) < 0 ? errno : 0);
            printf("waitid-no-event %d\\n", waitid(P_ALL, 0, &info, WNOHANG) < 0 ? errno : 0);
            printf("waitid-pid0 %d\\n", waitid(P_PID, 0, &info, WEXITED) < 0 ? errno : 0);
            printf("setsid-leader %d\\n", setpgid(0, 0) == 0 && setsid() < 0 ? errno : 0);
            printf("kill-no-group %d\\n", kill(-999999, 0) < 0 ? errno : 0);
            return 0;
        }
        """

    @Test func statusWordsAndCodesAreTheHosts() throws {
        let program = try ELFFixtures.compile(Self.hostChildren, flags: [], name: "children")
        let output = try ELFFixtures.run(program, []).output
        var host: [String: [String]] = [:]
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            host[words[0]] = Array(words.dropFirst())
        }
        func hex(_ key: String) -> UInt32? { host[key].flatMap { UInt32($0[0], radix: 16) } }
        func pair(_ key: String) -> [Int32] { (host[key] ?? []).compactMap { Int32($0) } }
        let exited = ChildEvent.exited(code: 3), killed = ChildEvent.killed(signal: Signal.kill, coreDumped: false)
        let stopped = ChildEvent.stopped(signal: Signal.stop), continued = ChildEvent.continued
        #expect(hex("exited-status") == exited.status && pair("exited") == [exited.code, exited.siginfoStatus])
        #expect(hex("killed-status") == killed.status && pair("killed") == [killed.code, killed.siginfoStatus])
        #expect(hex("stopped-status") == stopped.status)
        #expect(hex("continued-status") == continued.status && pair("continued") == [continued.code, continued.siginfoStatus])
        #expect(ChildEvent.killed(signal: Signal.segv, coreDumped: true).status == 0x8b)
        #expect(ChildEvent.killed(signal: Signal.segv, coreDumped: true).code == SignalCode.childDumped)

        // The errnos of the same calls.
        var lone = Self.tree()
        #expect(pair("echild") == [Errno.child.rawValue] && lone.wait(by: Self.root, Self.wait4(-1, 1)) == .failed(.child))
        #expect(pair("wnowait-wait4") == [Errno.inval.rawValue])
        #expect(throws: Errno.inval) { try WaitRequest.wait4(pid: -1, options: 0x0100_0000) }
        #expect(pair("waitid-no-event") == [Errno.inval.rawValue])
        #expect(throws: Errno.inval) { try WaitRequest.waitid(type: WaitRequest.idAll, id: 0, options: 1) }
        #expect(pair("waitid-pid0") == [Errno.inval.rawValue])
        #expect(throws: Errno.inval) { try WaitRequest.waitid(type: WaitRequest.idProcess, id: 0, options: 4) }
        #expect(pair("setsid-leader") == [Errno.perm.rawValue])
        #expect(throws: Errno.perm) { _ = try lone.newSession(by: Self.root) }
        #expect(pair("kill-no-group") == [Errno.srch.rawValue])
        #expect(throws: Errno.srch) { try lone.killRecipients(pid: -999_999, by: Self.root) }
    }

    @Test func zombieUntilReaped() throws {
        var tree = Self.tree()
        try tree.fork(parent: Self.root, child: 101)
        try tree.fork(parent: Self.root, child: 102)
        #expect(tree.wait(by: Self.root, Self.wait4(-1, 1)) == .nothingYet)
        #expect(tree.wait(by: Self.root, Self.wait4(-1)) == .block)
        let signals = tree.exit(102, event: .exited(code: 5), policy: Self.plain)
        #expect(signals == [.init(pid: Self.root, signal: Signal.chld, about: (102, .exited(code: 5)))])
        #expect(tree.member(102)?.state == .zombie(.exited(code: 5)))
        // WNOWAIT leaves it; a wait for another pid does not see it.
        let peek = tree.wait(by: Self.root, try WaitRequest.waitid(type: WaitRequest.idAll, id: 0, options: 0x0100_0004))
        #expect(peek == .reported(.init(pid: 102, event: .exited(code: 5), reaped: false)))
        #expect(tree.wait(by: Self.root, Self.wait4(101, 1)) == .nothingYet)
        #expect(tree.wait(by: Self.root, Self.wait4(-1)) == .reported(.init(pid: 102, event: .exited(code: 5), reaped: true)))
        #expect(tree.member(102) == nil)
        #expect(tree.wait(by: Self.root, Self.wait4(102)) == .failed(.child))
        // Someone else's child is not yours.
        try tree.fork(parent: 101, child: 103)
        #expect(tree.wait(by: Self.root, Self.wait4(103, 1)) == .failed(.child))
    }

    @Test func stopsAndContinuesNeedTheirOptions() throws {
        var tree = Self.tree()
        try tree.fork(parent: Self.root, child: 101)
        #expect(tree.change(101, event: .stopped(signal: Signal.tstp), parentPolicy: Policy()).count == 1)
        #expect(tree.wait(by: Self.root, Self.wait4(-1, 1)) == .nothingYet, "no WUNTRACED")
        #expect(tree.wait(by: Self.root, Self.wait4(-1, 3)) == .reported(.init(pid: 101, event: .stopped(signal: Signal.tstp), reaped: false)))
        #expect(tree.wait(by: Self.root, Self.wait4(-1, 3)) == .nothingYet, "reported once")
        #expect(tree.change(101, event: .continued, parentPolicy: Policy(noChildStop: true)) == [], "SA_NOCLDSTOP")
        #expect(tree.wait(by: Self.root, Self.wait4(-1, 9)) == .reported(.init(pid: 101, event: .continued, reaped: false)))
    }

    @Test func ignoredChildSignalReapsAtOnce() throws {
        var tree = Self.tree()
        try tree.fork(parent: Self.root, child: 101)
        try tree.fork(parent: Self.root, child: 102)
        #expect(tree.exit(101, event: .exited(code: 0), policy: { _ in Policy(ignoresChildSignal: true) }) == [])
        #expect(tree.member(101) == nil)
        // SA_NOCLDWAIT with a handler: reaped, but the handler hears of it.
        let signals = tree.exit(102, event: .killed(signal: Signal.kill, coreDumped: false), policy: { _ in Policy(noChildWait: true) })
        #expect(signals.map(\.signal) == [Signal.chld] && tree.member(102) == nil)
        #expect(tree.wait(by: Self.root, Self.wait4(-1)) == .failed(.child), "wait then fails with ECHILD")
    }

    @Test func cloneChildrenNeedWclone() throws {
        var tree = Self.tree()
        try tree.fork(parent: Self.root, child: 101, exitSignal: 0)
        _ = tree.exit(101, event: .exited(code: 1), policy: Self.plain)
        #expect(tree.wait(by: Self.root, Self.wait4(-1, 1)) == .failed(.child))
        let all = try WaitRequest.waitid(type: WaitRequest.idAll, id: 0, options: 0x4100_0004)  // __WALL | WNOWAIT | WEXITED
        #expect(tree.wait(by: Self.root, all) == .reported(.init(pid: 101, event: .exited(code: 1), reaped: false)))
        #expect(tree.wait(by: Self.root, Self.wait4(-1, 0x8000_0001)) == .reported(.init(pid: 101, event: .exited(code: 1), reaped: true)))
    }

    @Test func orphansGoToTheRootAndTheRootEndsTheTree() throws {
        var tree = Self.tree()
        try tree.fork(parent: Self.root, child: 101)
        try tree.fork(parent: 101, child: 102)
        try tree.fork(parent: 101, child: 103)
        _ = tree.exit(103, event: .exited(code: 9), policy: Self.plain)
        let signals = tree.exit(101, event: .exited(code: 0), policy: Self.plain)
        #expect(tree.member(102)?.parent == Self.root && tree.member(103)?.parent == Self.root)
        // The orphaned zombie is news for the root, and so is 101's end.
        #expect(signals.compactMap { $0.about?.pid } == [103, 101])
        #expect(tree.wait(by: Self.root, Self.wait4(103)) == .reported(.init(pid: 103, event: .exited(code: 9), reaped: true)))
        let end = tree.exit(Self.root, event: .killed(signal: Signal.term, coreDumped: false), policy: Self.plain)
        #expect(end == [.init(pid: 102, signal: Signal.kill, about: nil)])
        #expect(tree.members.map(\.pid) == [102] && tree.member(102)?.parent == 0)
        _ = tree.exit(102, event: .killed(signal: Signal.kill, coreDumped: false), policy: Self.plain)
        #expect(tree.members.isEmpty)
    }

    @Test func groupsAndSessions() throws {
        var tree = Self.tree()
        try tree.fork(parent: Self.root, child: 101)
        try tree.fork(parent: Self.root, child: 102)
        try tree.setProcessGroup(by: Self.root, pid: 101, group: 0)  // a shell's job: own group
        #expect(try tree.processGroup(of: 101, by: Self.root) == 101)
        try tree.setProcessGroup(by: Self.root, pid: 102, group: 101)  // joins the job
        #expect(try tree.killRecipients(pid: -101, by: Self.root) == [101, 102])
        #expect(try tree.killRecipients(pid: 0, by: 101) == [101, 102])
        #expect(try tree.killRecipients(pid: -1, by: 101) == [102], "not the sender, not the root")
        #expect(throws: Errno.perm) { try tree.setProcessGroup(by: Self.root, pid: 102, group: 555) }
        #expect(throws: Errno.inval) { try tree.setProcessGroup(by: Self.root, pid: 102, group: -1) }
        tree.exec(102)
        #expect(throws: Errno.acces) { try tree.setProcessGroup(by: Self.root, pid: 102, group: 0) }
        try tree.fork(parent: 101, child: 103)
        #expect(throws: Errno.srch) { try tree.setProcessGroup(by: Self.root, pid: 103, group: 0) }
        // setsid from a non-leader: new session and group; then its children cannot move there.
        #expect(try tree.newSession(by: 103) == 103)
        #expect(try tree.session(of: 0, by: 103) == 103 && (try tree.processGroup(of: 103, by: 103)) == 103)
        #expect(throws: Errno.perm) { try tree.setProcessGroup(by: 101, pid: 103, group: 101) }
        #expect(throws: Errno.perm) { try tree.setProcessGroup(by: 103, pid: 0, group: 0) }
        #expect(throws: Errno.srch) { try tree.session(of: 999, by: 103) }
        // Zombies match kill but are not signalled.
        _ = tree.exit(102, event: .exited(code: 0), policy: Self.plain)
        #expect(try tree.killRecipients(pid: 102, by: Self.root) == [])
    }

    @Test func stoppedOrphanedGroupGetsHangUpAndContinue() throws {
        var tree = Self.tree()
        try tree.fork(parent: Self.root, child: 101)
        #expect(try tree.newSession(by: 101) == 101)  // a shell of its own, as `setsid sh`
        try tree.fork(parent: 101, child: 102)
        try tree.fork(parent: 101, child: 104)
        try tree.setProcessGroup(by: 101, pid: 102, group: 0)
        try tree.setProcessGroup(by: 101, pid: 104, group: 102)
        _ = tree.change(102, event: .stopped(signal: Signal.tstp), parentPolicy: Policy())
        // 101 was the job's only link to its session (the root is in another session):
        // its end orphans the stopped job, which is hung up and continued.
        let signals = tree.exit(101, event: .exited(code: 0), policy: Self.plain)
        #expect(signals.filter { $0.about == nil } == [
            .init(pid: 102, signal: Signal.hup, about: nil), .init(pid: 104, signal: Signal.hup, about: nil),
            .init(pid: 102, signal: Signal.cont, about: nil), .init(pid: 104, signal: Signal.cont, about: nil),
        ])
        #expect(tree.member(102)?.state == .running && tree.member(102)?.parent == Self.root)
        #expect(signals.contains(.init(pid: Self.root, signal: Signal.chld, about: (102, .continued))))
        // Without a stopped member nothing is sent.
        var calm = Self.tree()
        try calm.fork(parent: Self.root, child: 101)
        _ = try calm.newSession(by: 101)
        try calm.fork(parent: 101, child: 102)
        try calm.setProcessGroup(by: 101, pid: 102, group: 0)
        #expect(calm.exit(101, event: .exited(code: 0), policy: Self.plain).filter { $0.about == nil } == [])
    }
}

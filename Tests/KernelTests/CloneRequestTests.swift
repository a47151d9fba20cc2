import CMcosABI
import Testing
@testable import Kernel

/// clone(2) and clone3(2) as Linux checks them, and what the LWK makes of them.
@Suite struct CloneRequestTests {
    typealias F = CloneFlag
    /// glibc's pthread_create (and so libgomp's threads).
    static let pthread = F.vm | F.fs | F.files | F.sighand | F.thread | F.sysVSemaphores | F.setTLS | F.parentSetTID | F.childClearTID
    static let args: UInt64 = 0x10_0000

    static func clone3(_ fields: [Int: UInt64], size: UInt64 = CloneArguments.bytes, extra: [UInt8] = [],
                       setup: (WordMemory) -> Void = { _ in }) throws(Errno) -> CloneRequest {
        let memory = WordMemory()
        memory.map(args)
        for (offset, value) in fields { memory.set64(args + UInt64(offset), value) }
        memory.setBytes(args + CloneArguments.bytes, extra)
        setup(memory)
        return try CloneRequest.clone3(arguments: args, size: size, memory: memory)
    }

    @Test func pthreadCreateIsAThread() {
        let request = CloneRequest.clone(flags: Self.pthread, stack: 0x7000_1000, parentTID: 0x6000_0010, childTID: 0x6000_0010, tls: 0x6000_0000)
        #expect(request.decision == .thread)
        #expect(request.childStack == 0x7000_1000 && request.threadPointer == 0x6000_0000)
        #expect(request.parentTIDAddress == 0x6000_0010 && request.clearChildTIDAddress == 0x6000_0010)
        #expect(request.childTIDAddress == nil && request.exitSignal == 0)
        // musl adds CLONE_DETACHED, which clone ignores; the upper half of the register too.
        #expect(CloneRequest.clone(flags: Self.pthread | F.detached | 0xdead_0000_0000_0000, stack: 1, parentTID: 2, childTID: 2, tls: 3).decision == .thread)
    }

    @Test func cloneSplitsOffTheExitSignal() {
        let fork = CloneRequest.clone(flags: F.childSetTID | F.childClearTID | UInt64(Signal.chld), stack: 0, parentTID: 0, childTID: 0x5000, tls: 0)
        #expect(fork.exitSignal == UInt64(Signal.chld) && fork.flags == F.childSetTID | F.childClearTID)
        #expect(fork.decision == .fork(parentWaits: false) && fork.childStack == nil && fork.childTIDAddress == 0x5000)
        #expect(CloneRequest.clone(flags: F.vm | F.vfork | UInt64(Signal.chld), stack: 0, parentTID: 0, childTID: 0, tls: 0).decision == .vfork)
        #expect(CloneRequest.clone(flags: F.vfork | UInt64(Signal.chld), stack: 0, parentTID: 0, childTID: 0, tls: 0).decision == .fork(parentWaits: true))
        #expect(CloneRequest.clone(flags: 65, stack: 0, parentTID: 0, childTID: 0, tls: 0).decision == .invalid(.inval), "past SIGRTMAX")
    }

    @Test func linuxsOwnRefusals() {
        func decision(_ flags: UInt64, tls: UInt64 = 0) -> CloneRequest.Decision {
            CloneRequest.clone(flags: flags, stack: 0, parentTID: 0x1000, childTID: 0, tls: tls).decision
        }
        #expect(decision(F.thread | F.vm) == .invalid(.inval), "CLONE_THREAD needs CLONE_SIGHAND")
        #expect(decision(F.sighand) == .invalid(.inval), "CLONE_SIGHAND needs CLONE_VM")
        #expect(decision(F.newMount | F.fs) == .invalid(.inval) && decision(F.newUser | F.fs) == .invalid(.inval))
        #expect(decision(Self.pthread | F.newPID) == .invalid(.inval), "a thread in another pid namespace")
        #expect(decision(F.pidfd | F.parentSetTID) == .invalid(.inval), "clone's pidfd is its parent_tid")
        #expect(decision(Self.pthread & ~F.parentSetTID | F.pidfd) == .invalid(.inval), "no pidfd for a thread (Linux before 6.9)")
        #expect(decision(Self.pthread, tls: MCOS_USER_END) == .invalid(.perm), "a thread pointer outside user space")
        #expect(decision(Self.pthread & ~F.setTLS, tls: MCOS_USER_END) == .thread, "no CLONE_SETTLS: tls is not looked at")
    }

    @Test func whatTheLWKRefuses() {
        func decision(_ flags: UInt64) -> CloneRequest.Decision {
            CloneRequest.clone(flags: flags, stack: 0, parentTID: 0, childTID: 0, tls: 0).decision
        }
        #expect(decision(F.newNet | UInt64(Signal.chld)) == .unsupported(.perm, "new namespaces"))
        #expect(decision(F.newUser) == .unsupported(.perm, "new namespaces"))
        guard case .unsupported(.inval, _) = decision(Self.pthread & ~F.files) else { Issue.record("own descriptors"); return }
        guard case .unsupported(.inval, _) = decision(Self.pthread & ~F.fs) else { Issue.record("own cwd"); return }
        guard case .unsupported(.inval, _) = decision(Self.pthread | F.vfork) else { Issue.record("vfork thread"); return }
        guard case .unsupported(.inval, _) = decision(F.vm | F.sighand) else { Issue.record("shared memory, own pid"); return }
        #expect(decision(Self.pthread & ~F.sysVSemaphores) == .thread, "SEM_UNDO adjustments stay the process's")
    }

    @Test func whatANewProcessCannotShare() {
        func refusal(_ flags: UInt64, exit: UInt64 = UInt64(Signal.chld)) -> Errno? {
            CloneRequest.clone(flags: flags | exit, stack: 0, parentTID: 0, childTID: 0, tls: 0).processRefusal?.errno
        }
        // glibc's fork, vfork and posix_spawn
        #expect(refusal(F.childSetTID | F.childClearTID) == nil)
        #expect(refusal(F.vm | F.vfork) == nil)
        #expect(refusal(0, exit: 0) == nil, "no signal at the end: the parent gets SIGCHLD all the same")
        // what a copy in a process of its own cannot share
        #expect(refusal(F.files) == .inval && refusal(F.fs) == .inval && refusal(F.parent) == .inval && refusal(F.pidfd) == .inval)
        #expect(refusal(0, exit: UInt64(Signal.usr1)) == .inval, "another exit signal than SIGCHLD")
    }

    @Test func clone3AsGlibcCallsIt() throws {
        typealias A = CloneArguments
        let request = try Self.clone3([A.flagsOffset: Self.pthread, A.stackOffset: 0x7000_0000, A.stackSizeOffset: 0x1_0000,
                                       A.tlsOffset: 0x6000_0000, A.parentTIDOffset: 0x6000_0010, A.childTIDOffset: 0x6000_0010])
        #expect(request.decision == .thread)
        #expect(request.childStack == 0x7001_0000, "the top of [stack, stack + stack_size)")
        #expect(request.threadPointer == 0x6000_0000 && request.parentTIDAddress == 0x6000_0010)
        #expect(try Self.clone3([A.flagsOffset: Self.pthread, A.stackOffset: 0x7000_0000, A.stackSizeOffset: 0x1_0000],
                                size: A.version0Bytes).childStack == 0x7001_0000, "the first version's 64 bytes")
        let fork = try Self.clone3([A.exitSignalOffset: UInt64(Signal.chld)], size: A.version1Bytes)
        #expect(fork.decision == .fork(parentWaits: false) && fork.exitSignal == UInt64(Signal.chld))
    }

    @Test func clone3Sizes() throws {
        typealias A = CloneArguments
        #expect(throws: Errno.inval) { try Self.clone3([:], size: A.version0Bytes - 8) }
        #expect(throws: Errno.tooBig) { try Self.clone3([:], size: 4097) }
        // A newer program's struct: what the LWK does not know must be zero.
        #expect(try Self.clone3([:], size: 96, extra: [UInt8](repeating: 0, count: 8)).decision == .fork(parentWaits: false))
        #expect(throws: Errno.tooBig) { try Self.clone3([:], size: 96, extra: [0, 0, 0, 0, 0, 0, 0, 1]) }
        #expect(throws: Errno.fault) { try Self.clone3([:], size: 4096) { $0.pages[Self.args] = nil } }
        #expect(try Self.clone3([:], size: 4096).decision == .fork(parentWaits: false), "a page, zero past what the LWK knows")
    }

    @Test func clone3Refusals() throws {
        typealias A = CloneArguments
        let invalid: [[Int: UInt64]] = [
            [A.flagsOffset: 1 << 40],  // unknown
            [A.flagsOffset: F.detached],
            [A.flagsOffset: UInt64(Signal.chld)],  // the exit signal's place in clone
            [A.flagsOffset: F.vm | F.sighand | F.clearSighand],
            [A.flagsOffset: Self.pthread, A.exitSignalOffset: UInt64(Signal.chld)],
            [A.flagsOffset: F.parent, A.exitSignalOffset: UInt64(Signal.chld)],
            [A.exitSignalOffset: 65], [A.exitSignalOffset: 1 << 32 | 17],
            [A.stackOffset: 0x7000_0000],  // no size
            [A.stackSizeOffset: 0x1000],  // no stack
            [A.stackOffset: MCOS_USER_END - 0x1000, A.stackSizeOffset: 0x2000],
            [A.setTIDSizeOffset: 1], [A.setTIDOffset: 0x10_0800],
            [A.setTIDOffset: 0x10_0800, A.setTIDSizeOffset: 33],
            [A.flagsOffset: F.intoCgroup, A.cgroupOffset: 1 << 31],
        ]
        for fields in invalid { #expect(throws: Errno.inval, "\(fields)") { try Self.clone3(fields) } }
        #expect(throws: Errno.inval, "CLONE_INTO_CGROUP needs the cgroup field") {
            try Self.clone3([A.flagsOffset: F.intoCgroup], size: A.version1Bytes)
        }
        #expect(throws: Errno.fault, "set_tid unreadable") { try Self.clone3([A.setTIDOffset: 0x20_0000, A.setTIDSizeOffset: 1]) }
        // CLONE_NEWTIME lives in clone3's low byte, and is a namespace.
        #expect(try Self.clone3([A.flagsOffset: F.newTime]).decision == .unsupported(.perm, "new namespaces"))
        #expect(try Self.clone3([A.flagsOffset: F.intoCgroup, A.cgroupOffset: 3]).decision == .unsupported(.inval, "CLONE_INTO_CGROUP"))
        #expect(try Self.clone3([A.flagsOffset: F.clearSighand, A.exitSignalOffset: 17]).decision == .fork(parentWaits: false))
    }

    @Test func setTID() throws {
        typealias A = CloneArguments
        func request(_ tids: [UInt32]) throws(Errno) -> CloneRequest {
            try Self.clone3([A.setTIDOffset: Self.args + 0x800, A.setTIDSizeOffset: UInt64(tids.count)]) { memory in
                for (index, tid) in tids.enumerated() { memory.set32(Self.args + 0x800 + UInt64(4 * index), tid) }
            }
        }
        #expect(try request([1234]).setTIDs == [1234])
        #expect(try request([1234]).decision == .unsupported(.perm, "set_tid (the tid comes from Linux's pool)"))
        #expect(try request([0]).decision == .invalid(.inval))
        #expect(try request([UInt32(bitPattern: -5)]).decision == .invalid(.inval))
        #expect(try request([7, 8]).decision == .invalid(.inval), "one pid namespace level")
    }
}

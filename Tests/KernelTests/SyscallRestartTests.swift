import Testing
@testable import Kernel

/// signal(7)'s restart rules, per call, with and without SA_RESTART.
@Suite struct SyscallRestartTests {
    typealias S = SyscallRestart
    static let none: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    static let restarting = SignalDisposition(handler: 0x40_1000, flags: SignalActionFlag.restorer | SignalActionFlag.restart)
    static let plain = SignalDisposition(handler: 0x40_1000, flags: SignalActionFlag.restorer)

    static func kind(_ call: Syscall, _ arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = none) -> S.Kind {
        S.kind(UInt64(call.rawValue), arguments: arguments)
    }

    /// (handler with SA_RESTART, handler without, no handler).
    static func outcomes(_ kind: S.Kind) -> [S.Outcome] {
        [S.outcome(kind, handler: restarting), S.outcome(kind, handler: plain), S.outcome(kind, handler: nil)]
    }

    @Test func restartedWithSARestart() {
        for call: Syscall in [.read, .readv, .write, .writev, .ioctl, .open, .openat, .wait4, .waitid, .accept, .accept4, .connect,
                              .recvfrom, .recvmsg, .sendto, .sendmsg, .flock, .fcntl, .getrandom, .mqTimedreceive, .mqTimedsend] {
            #expect(Self.outcomes(Self.kind(call)) == [.restart, .interrupted, .restart], "\(call)")
        }
        #expect(Self.kind(.futex, (0x1000, 128, 1, 0, 0, 0)) == .restartWithSARestart, "FUTEX_WAIT_PRIVATE without a timeout")
        #expect(Self.kind(.futex, (0x1000, 9, 1, 0, 0, 0xffff_ffff)) == .restartWithSARestart, "FUTEX_WAIT_BITSET")
        #expect(Self.kind(.recvmmsg) == .restartWithSARestart)
    }

    @Test func neverRestartedAfterAHandler() {
        for call: Syscall in [.pause, .rtSigsuspend, .select, .pselect6, .ppoll, .msgsnd, .msgrcv] {
            #expect(Self.outcomes(Self.kind(call)) == [.interrupted, .interrupted, .restart], "\(call)")
        }
        for call: Syscall in [.nanosleep, .poll] {
            #expect(Self.outcomes(Self.kind(call)) == [.interrupted, .interrupted, .resume], "\(call)")
        }
        #expect(Self.kind(.clockNanosleep, (1, 0, 0x1000, 0, 0, 0)) == .resumeWithoutHandler, "relative")
        #expect(Self.kind(.clockNanosleep, (1, 1, 0x1000, 0, 0, 0)) == .restartWithoutHandler, "TIMER_ABSTIME")
        #expect(Self.kind(.futex, (0x1000, 128, 1, 0x2000, 0, 0)) == .resumeWithoutHandler, "FUTEX_WAIT with a timeout")
    }

    @Test func alwaysEINTR() {
        for call: Syscall in [.epollWait, .epollPwait, .epollPwait2, .rtSigtimedwait, .semop, .semtimedop, .ioGetevents, .close,
                              .getpid, .mmap] {
            #expect(Self.outcomes(Self.kind(call)) == [.interrupted, .interrupted, .interrupted], "\(call)")
        }
        #expect(Self.kind(.recvmmsg, (3, 0x1000, 4, 0, 0x2000, 0)) == .neverRestart, "with a timeout")
        #expect(Self.kind(.futex, (0x1000, 1, 1, 0, 0, 0)) == .neverRestart, "FUTEX_WAKE does not block")
        #expect(Self.kind(.futex, (0x1000, 0x200, 1, 0, 0, 0)) == .neverRestart, "an unknown command (ENOSYS) does not block")
        #expect(S.kind(100_000, arguments: Self.none) == .neverRestart)
    }

    @Test func piFutexLocksAlwaysRestart() {
        for operation: UInt64 in [6, 6 | 128, 13, 11] {
            #expect(Self.outcomes(Self.kind(.futex, (0x1000, operation, 0, 0, 0, 0))) == [.restart, .restart, .restart])
        }
    }
}

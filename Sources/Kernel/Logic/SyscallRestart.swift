/// What becomes of a blocking system call that a signal interrupts, as Linux decides it
/// (signal(7), "Interruption of system calls and library functions by signal
/// handlers"). Linux's call returns one of its -ERESTART* codes and the signal code
/// turns it into a restart or EINTR; an offloaded call only brings back EINTR from the
/// proxy (whose own interrupting signal has no SA_RESTART), so the LWK looks up which
/// code Linux's call would have returned, here, and decides the same way.
public enum SyscallRestart {
    /// How a call ends when interrupted, after the code its Linux implementation returns.
    public enum Kind: Equatable, Sendable {
        /// -ERESTARTSYS: restarted after a handler with SA_RESTART or when no handler
        /// runs; EINTR after a handler without SA_RESTART. Reads and writes of slow
        /// devices, pipes and sockets, open of a FIFO, wait4, waitid, flock, fcntl's
        /// F_SETLKW, accept, connect, the socket sends and receives, futex waits without
        /// a timeout, getrandom, the message-queue calls.
        case restartWithSARestart
        /// -ERESTARTNOHAND: EINTR after any handler, restarted when none runs. pause,
        /// sigsuspend, select, pselect, ppoll, msgsnd, msgrcv, clock_nanosleep to an
        /// absolute time.
        case restartWithoutHandler
        /// -ERESTART_RESTARTBLOCK: EINTR after any handler; when none runs, the wait goes
        /// on for the time that was left (restart_syscall). nanosleep, relative
        /// clock_nanosleep, poll, futex waits with a timeout.
        case resumeWithoutHandler
        /// -ERESTARTNOINTR: always restarted. Locking a PI futex.
        case alwaysRestart
        /// -EINTR itself: never restarted, even with SA_RESTART. epoll_wait, the
        /// sigtimedwait family, semop, semtimedop, io_getevents, close, and every call
        /// that does not block (which a signal never interrupts).
        case neverRestart
    }

    /// What happens to the call.
    public enum Outcome: Equatable, Sendable {
        /// It returns -EINTR to the program.
        case interrupted
        /// It is made again with the same arguments (the frame set to issue it anew for
        /// a call the LWK serves: restartSyscall; sent again if offloaded).
        case restart
        /// It goes on waiting until its original deadline, not for its whole duration
        /// again.
        case resume
    }

    /// The kind of `number` called with `arguments` (in Linux's order): a few calls
    /// end differently with or without a timeout.
    public static func kind(_ number: UInt64, arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) -> Kind {
        guard let call = Syscall(number: number) else { return .neverRestart }
        switch call {
        case .read, .write, .readv, .writev, .pread64, .pwrite64, .preadv, .pwritev, .preadv2, .pwritev2, .ioctl,
             .open, .openat, .openat2, .creat, .wait4, .waitid, .flock, .fcntl,
             .accept, .accept4, .connect, .recvfrom, .recvmsg, .sendto, .sendmsg, .sendmmsg,
             .sendfile, .splice, .tee, .vmsplice, .copyFileRange, .getrandom, .mqTimedsend, .mqTimedreceive, .futexWaitv:
            return .restartWithSARestart
        case .recvmmsg:
            return arguments.4 == 0 ? .restartWithSARestart : .neverRestart  // signal(7): with a timeout, EINTR
        case .pause, .rtSigsuspend, .select, .pselect6, .ppoll, .msgsnd, .msgrcv:
            return .restartWithoutHandler
        case .poll, .nanosleep:
            return .resumeWithoutHandler
        case .clockNanosleep:
            return arguments.1 & absoluteTime != 0 ? .restartWithoutHandler : .resumeWithoutHandler
        case .futex:
            return futexKind(operation: arguments.1, timeout: arguments.3)
        default:
            return .neverRestart
        }
    }

    /// The outcome for a call of `kind` interrupted to deliver a signal whose action is
    /// `handler` (nil when no handler runs: the signal was ignored, or it stopped and
    /// continued the process).
    public static func outcome(_ kind: Kind, handler: SignalDisposition?) -> Outcome {
        switch kind {
        case .alwaysRestart: return .restart
        case .neverRestart: return .interrupted
        case .restartWithSARestart:
            guard let handler else { return .restart }
            return handler.has(SignalActionFlag.restart) ? .restart : .interrupted
        case .restartWithoutHandler: return handler == nil ? .restart : .interrupted
        case .resumeWithoutHandler: return handler == nil ? .resume : .interrupted
        }
    }

    /// TIMER_ABSTIME, clock_nanosleep's flag.
    static let absoluteTime: UInt64 = 1

    /// The futex(2) commands that block, decoded as `FutexCall` decodes them (futex_op
    /// is an int; the private and clock flags masked off).
    static func futexKind(operation: UInt64, timeout: UInt64) -> Kind {
        typealias F = FutexOperation
        switch UInt32(truncatingIfNeeded: operation) & F.commandMask {
        case F.wait, F.waitBitset: return timeout == 0 ? .restartWithSARestart : .resumeWithoutHandler
        case F.lockPI, F.lockPI2, F.waitRequeuePI: return .alwaysRestart
        default: return .neverRestart
        }
    }
}

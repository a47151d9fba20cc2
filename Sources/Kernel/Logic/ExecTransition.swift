/// What a process keeps through execve and what starts afresh, as Linux's
/// begin_new_exec does it. The address space is replaced whole (`ProgramLoad`), and the
/// descriptors with close-on-exec are the proxy's to close (they live in mcexec).
///
/// Kept: the pid, the blocked mask, pending signals, ignored dispositions.
/// Reset: handled signals to SIG_DFL (every action's flags, mask and restorer cleared,
/// which also drops SA_ONSTACK), the alternate signal stack, the robust list and
/// clear_child_tid (after the old image's owed futex work), every other thread (killed;
/// a non-leader exec'ing thread takes the leader's pid, as de_thread does).
public struct ExecContext: Equatable {
    /// The process id, which is also its leader thread's tid.
    public var pid: Int32
    public var callingThread: Int32
    /// Every thread of the process, the caller included.
    public var threads: [Int32]
    /// sigaction for signals 1...64, index 0 for signal 1.
    public var dispositions: [SignalDisposition]
    /// The calling thread's blocked mask and pending set, and the process's pending set.
    public var blocked: UInt64
    public var threadPending: UInt64
    public var processPending: UInt64
    public var signalStack: SignalStack
    /// set_robust_list's head and set_tid_address's word of the calling thread (0: none).
    public var robustList: UInt64
    public var clearChildTID: UInt64

    public init(pid: Int32, callingThread: Int32, threads: [Int32], dispositions: [SignalDisposition], blocked: UInt64 = 0,
                threadPending: UInt64 = 0, processPending: UInt64 = 0, signalStack: SignalStack = SignalStack(),
                robustList: UInt64 = 0, clearChildTID: UInt64 = 0) {
        self.pid = pid
        self.callingThread = callingThread
        self.threads = threads
        self.dispositions = dispositions
        self.blocked = blocked
        self.threadPending = threadPending
        self.processPending = processPending
        self.signalStack = signalStack
        self.robustList = robustList
        self.clearChildTID = clearChildTID
    }
}

public struct ExecTransition: Equatable {
    /// The process as the new program finds it: one thread whose tid is the pid.
    public var after: ExecContext
    /// Threads to kill (SIGKILL, no exit notification) before the new image starts.
    public var threadsToKill: [Int32]
    /// The old image's futex work for the calling thread, done before its memory goes
    /// (`ThreadExit.futexWakes`): the robust list's locks marked owner-died, and
    /// clear_child_tid zeroed and woken only while another process still uses the
    /// memory (a vfork parent).
    public var robustListToRelease: UInt64
    public var clearChildTIDToWake: UInt64
    /// A vfork child's exec lets its parent run again (the child stops borrowing its
    /// memory), as its exit would.
    public var releasesVforkParent: Bool

    public init(execing before: ExecContext, isVforkChild: Bool) {
        var after = before
        after.callingThread = before.pid
        after.threads = [before.pid]
        after.dispositions = before.dispositions.map { disposition in
            SignalDisposition(handler: disposition.isIgnored ? SignalDisposition.ignoreHandler : SignalDisposition.defaultHandler)
        }
        after.signalStack = SignalStack()
        after.robustList = 0
        after.clearChildTID = 0
        self.after = after
        threadsToKill = before.threads.filter { $0 != before.callingThread }
        robustListToRelease = before.robustList
        clearChildTIDToWake = isVforkChild ? before.clearChildTID : 0
        releasesVforkParent = isVforkChild
    }
}

/// The signal state a program hands to the one it execs, as it crosses to mcexec and
/// back (PROC_EXIT with MCOS_EXIT_EXEC, then PROC_START): every other part of
/// `ExecTransition.after` is either a fresh process's (the alternate stack, the robust
/// list) or lives in mcexec (descriptors, credentials, the directory).
public struct KeptSignals: Equatable, Sendable {
    /// sigset words: bit n-1 for signal n.
    public var blocked: UInt64
    public var pending: UInt64
    /// Signals whose disposition is SIG_IGN; every other one starts at SIG_DFL.
    public var ignored: UInt64

    /// What a new program starts with.
    public static let none = KeptSignals(blocked: 0, pending: 0, ignored: 0)

    /// As given: a PROC_START's words are mcexec's, so SIGKILL and SIGSTOP are dropped
    /// from the blocked and ignored sets (neither can be either), whatever they say.
    public init(blocked: UInt64, pending: UInt64, ignored: UInt64) {
        self.blocked = blocked & ~Signal.unblockable
        self.pending = pending
        self.ignored = ignored & ~Signal.unblockable
    }

    /// The exec'ing thread's mask and pending set, and the dispositions that stay
    /// ignored (`ExecTransition`'s rule: handled ones go back to SIG_DFL).
    public init(blocked: UInt64, pending: UInt64, dispositions: [SignalDisposition]) {
        var ignored: UInt64 = 0
        for (index, disposition) in dispositions.enumerated() where index < Int(Signal.count) && disposition.isIgnored {
            ignored |= Signal.bit(UInt32(index + 1))
        }
        self.init(blocked: blocked, pending: pending, ignored: ignored)
    }
}

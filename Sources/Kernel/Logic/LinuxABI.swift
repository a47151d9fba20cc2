// Numbers of Linux's system-call interface that the LWK interprets itself, besides the
// system call numbers (Syscall), error numbers (Errno) and signals (Signal): each named
// once, as the C headers name it. `LinuxHeaderTests` checks them against Glibc's.

/// mmap(2) flags (asm-generic/mman-common.h).
public enum MapFlag {
    public static let shared: UInt64 = 0x01, privateMapping: UInt64 = 0x02
    /// The sharing bits: exactly `privateMapping` is a private mapping.
    public static let sharing: UInt64 = shared | privateMapping
    public static let fixed: UInt64 = 0x10, anonymous: UInt64 = 0x20, fixedNoReplace: UInt64 = 0x10_0000
}

/// madvise(2) advice (asm-generic/mman-common.h).
public enum MadviseAdvice {
    public static let normal: UInt64 = 0, willNeed: UInt64 = 3, dontNeed: UInt64 = 4, free: UInt64 = 8
    public static let remove: UInt64 = 9, dontFork: UInt64 = 10, populateWrite: UInt64 = 23
    public static let dontNeedLocked: UInt64 = 24, collapse: UInt64 = 25
}

/// rt_sigprocmask(2)'s `how`.
public enum SignalMaskChange {
    public static let block: UInt64 = 0, unblock: UInt64 = 1, set: UInt64 = 2
}

/// The kernel's side of rt_sigaction(2) and rt_sigprocmask(2).
public enum SignalAction {
    /// struct sigaction as the kernel reads it, in 64-bit words: handler, flags,
    /// restorer, mask.
    public static let words = 4
    /// sizeof(sigset_t) in the kernel: the only size either call accepts.
    public static let setBytes: UInt64 = 8
}

/// set_robust_list(2): sizeof(struct robust_list_head) on 64-bit, the only length it
/// accepts.
public enum RobustList {
    public static let headBytes: UInt64 = 24
}

/// struct sigaction's sa_flags (asm-generic/signal-defs.h; SA_RESTORER is x86's,
/// asm/signal.h).
public enum SignalActionFlag {
    public static let noChildStop: UInt64 = 0x1, noChildWait: UInt64 = 0x2, siginfo: UInt64 = 0x4
    /// SA_UNSUPPORTED: never supported, so a program can tell that unknown bits are cleared.
    public static let unsupported: UInt64 = 0x400
    public static let exposeTagBits: UInt64 = 0x800
    public static let restorer: UInt64 = 0x0400_0000, onStack: UInt64 = 0x0800_0000, restart: UInt64 = 0x1000_0000
    public static let noDefer: UInt64 = 0x4000_0000, resetHandler: UInt64 = 0x8000_0000
    /// UAPI_SA_FLAGS on x86-64: what rt_sigaction keeps; it clears every other bit, so a
    /// program that reads its action back learns which flags the kernel knows.
    public static let known: UInt64 = noChildStop | noChildWait | siginfo | onStack | restart | noDefer | resetHandler
        | exposeTagBits | restorer
}

/// sigaltstack(2)'s ss_flags (linux/signal.h).
public enum SignalStackFlag {
    public static let onStack: UInt32 = 1, disable: UInt32 = 2
    /// SS_AUTODISARM: the alternate stack is disabled while a handler runs on it.
    public static let autoDisarm: UInt32 = 1 << 31
    /// SS_FLAG_BITS: the flags that may be or-ed onto the mode.
    public static let modifiers: UInt32 = autoDisarm
}

/// siginfo's si_code (asm-generic/siginfo.h): who sent a signal (≤ 0: a program, through
/// kill, tgkill, sigqueue...; SI_KERNEL), or per signal, what fault or child event it reports.
public enum SignalCode {
    public static let user: Int32 = 0, kernel: Int32 = 0x80, queue: Int32 = -1, timer: Int32 = -2
    public static let messageQueue: Int32 = -3, asyncIO: Int32 = -4, sigIO: Int32 = -5, tkill: Int32 = -6
    /// SIGILL: ILL_ILLOPC, ILL_ILLOPN.
    public static let illegalOpcode: Int32 = 1, illegalOperand: Int32 = 2
    /// SIGFPE: FPE_INTDIV ... FPE_FLTINV.
    public static let integerDivide: Int32 = 1, integerOverflow: Int32 = 2, floatDivide: Int32 = 3
    public static let floatOverflow: Int32 = 4, floatUnderflow: Int32 = 5, floatInexact: Int32 = 6, floatInvalid: Int32 = 7
    /// SIGSEGV: SEGV_MAPERR (nothing mapped there), SEGV_ACCERR (mapped, not so accessible).
    public static let notMapped: Int32 = 1, accessDenied: Int32 = 2
    /// SIGBUS: BUS_ADRALN, BUS_ADRERR.
    public static let misaligned: Int32 = 1, noSuchAddress: Int32 = 2
    /// SIGTRAP: TRAP_BRKPT, TRAP_TRACE, TRAP_HWBKPT.
    public static let breakpoint: Int32 = 1, trace: Int32 = 2, hardwareBreakpoint: Int32 = 4
    /// SIGCHLD: CLD_EXITED ... CLD_CONTINUED.
    public static let childExited: Int32 = 1, childKilled: Int32 = 2, childDumped: Int32 = 3
    public static let childTrapped: Int32 = 4, childStopped: Int32 = 5, childContinued: Int32 = 6
}

// Numbers of Linux's system-call interface that the LWK interprets itself, besides the
// system call numbers (Syscall), error numbers (Errno) and signals (Signal): each named
// once, as the C headers name it. `LinuxHeaderTests` checks them against Glibc's.

/// mmap(2) flags (asm-generic/mman-common.h).
public enum MapFlag {
    public static let shared: UInt64 = 0x01, privateMapping: UInt64 = 0x02, sharedValidate: UInt64 = 0x03
    /// MAP_TYPE, the sharing bits: exactly `privateMapping` is a private mapping.
    public static let type: UInt64 = 0x0f
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
/// accepts, and the head's layout (linux/futex.h): { struct robust_list *next; long
/// futex_offset; struct robust_list *list_op_pending; }. Each entry of the list is a
/// `struct robust_list` (its first word is `next`) inside a lock whose futex word lies
/// `futex_offset` bytes from the entry; bit 0 of a pointer marks a PI futex.
public enum RobustList {
    public static let headBytes: UInt64 = 24
    public static let nextOffset: UInt64 = 0, futexOffsetOffset: UInt64 = 8, pendingOffset: UInt64 = 16
    /// ROBUST_LIST_LIMIT: at most this many entries are walked, so a circular or endless
    /// list cannot keep an exiting thread in the kernel.
    public static let limit = 2048
    public static let piBit: UInt64 = 1
}

/// futex(2)'s operation word (linux/futex.h): a command in the low bits, and two flags.
public enum FutexOperation {
    public static let wait: UInt32 = 0, wake: UInt32 = 1, fd: UInt32 = 2, requeue: UInt32 = 3
    public static let compareRequeue: UInt32 = 4, wakeOp: UInt32 = 5, lockPI: UInt32 = 6, unlockPI: UInt32 = 7
    public static let tryLockPI: UInt32 = 8, waitBitset: UInt32 = 9, wakeBitset: UInt32 = 10
    public static let waitRequeuePI: UInt32 = 11, compareRequeuePI: UInt32 = 12, lockPI2: UInt32 = 13
    /// FUTEX_PRIVATE_FLAG: the word is private to the process (keyed by its address).
    public static let privateFlag: UInt32 = 128
    /// FUTEX_CLOCK_REALTIME: the timeout is measured on CLOCK_REALTIME.
    public static let clockRealtime: UInt32 = 256
    /// FUTEX_CMD_MASK.
    public static let commandMask: UInt32 = ~(privateFlag | clockRealtime)
    /// FUTEX_BITSET_MATCH_ANY: what WAIT and WAKE use.
    public static let matchAnyBitset: UInt32 = 0xffff_ffff
}

/// FUTEX_WAKE_OP's encoded operation on the second word (linux/futex.h, FUTEX_OP()):
/// bits 28..30 the operation, bit 31 "oparg is a shift", 24..27 the comparison, 12..23
/// the operand and 0..11 the comparison's argument (both signed 12-bit).
public enum FutexWakeOpField {
    public static let set: UInt32 = 0, add: UInt32 = 1, or: UInt32 = 2, andNot: UInt32 = 3, xor: UInt32 = 4
    /// FUTEX_OP_OPARG_SHIFT, as it sits in the operation field.
    public static let operandIsShift: UInt32 = 8
    public static let equal: UInt32 = 0, notEqual: UInt32 = 1, less: UInt32 = 2, lessOrEqual: UInt32 = 3
    public static let greater: UInt32 = 4, greaterOrEqual: UInt32 = 5
}

/// The bits of a futex word that the kernel reads in robust and PI locks (linux/futex.h):
/// the owner's tid, "someone waits" and "the owner died".
public enum FutexWord {
    public static let waiters: UInt32 = 0x8000_0000, ownerDied: UInt32 = 0x4000_0000
    public static let tidMask: UInt32 = 0x3fff_ffff
}

/// futex_waitv(2)'s array element, struct futex_waitv { u64 val; u64 uaddr; u32 flags;
/// u32 __reserved; }, and its limits.
public enum FutexWaitVector {
    public static let bytes: UInt64 = 24
    public static let valueOffset = 0, addressOffset = 8, flagsOffset = 16, reservedOffset = 20
    /// FUTEX_32, the only size Linux implements; FUTEX_PRIVATE_FLAG may join it.
    public static let size32: UInt32 = 2
    /// FUTEX_WAITV_MAX.
    public static let maximumCount: UInt64 = 128
}

/// clone(2) and clone3(2) flags (linux/sched.h). clone's low byte is the exit signal
/// (CSIGNAL); clone3 has a field for it and gives that byte CLONE_NEWTIME.
public enum CloneFlag {
    public static let exitSignalMask: UInt64 = 0xff
    public static let vm: UInt64 = 0x100, fs: UInt64 = 0x200, files: UInt64 = 0x400, sighand: UInt64 = 0x800
    public static let pidfd: UInt64 = 0x1000, ptrace: UInt64 = 0x2000, vfork: UInt64 = 0x4000, parent: UInt64 = 0x8000
    public static let thread: UInt64 = 0x1_0000, newMount: UInt64 = 0x2_0000, sysVSemaphores: UInt64 = 0x4_0000
    public static let setTLS: UInt64 = 0x8_0000, parentSetTID: UInt64 = 0x10_0000, childClearTID: UInt64 = 0x20_0000
    public static let detached: UInt64 = 0x40_0000, untraced: UInt64 = 0x80_0000, childSetTID: UInt64 = 0x100_0000
    public static let newCgroup: UInt64 = 0x200_0000, newUTS: UInt64 = 0x400_0000, newIPC: UInt64 = 0x800_0000
    public static let newUser: UInt64 = 0x1000_0000, newPID: UInt64 = 0x2000_0000, newNet: UInt64 = 0x4000_0000
    public static let io: UInt64 = 0x8000_0000
    /// clone3 only.
    public static let clearSighand: UInt64 = 0x1_0000_0000, intoCgroup: UInt64 = 0x2_0000_0000, newTime: UInt64 = 0x80
    /// CLONE_LEGACY_FLAGS: every flag clone itself can pass.
    public static let legacy: UInt64 = 0xffff_ffff
    /// The flags that make new namespaces.
    public static let namespaces: UInt64 = newMount | newCgroup | newUTS | newIPC | newUser | newPID | newNet | newTime
}

/// clone3(2)'s struct clone_args (linux/sched.h): eleven 64-bit fields, grown by
/// versions; a program passes the size it was built with.
public enum CloneArguments {
    public static let flagsOffset = 0, pidfdOffset = 8, childTIDOffset = 16, parentTIDOffset = 24
    public static let exitSignalOffset = 32, stackOffset = 40, stackSizeOffset = 48, tlsOffset = 56
    public static let setTIDOffset = 64, setTIDSizeOffset = 72, cgroupOffset = 80
    /// CLONE_ARGS_SIZE_VER0 ... VER2; the last is the whole struct as the LWK knows it.
    public static let version0Bytes: UInt64 = 64, version1Bytes: UInt64 = 80, version2Bytes: UInt64 = 88
    public static let bytes = version2Bytes
    /// MAX_PID_NS_LEVEL: the most tids set_tid may name, one per nested pid namespace.
    public static let maximumSetTIDs: UInt64 = 32
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

// Numbers of Linux's system-call interface that the LWK interprets itself, besides the
// system call numbers (Syscall), error numbers (Errno) and signals (Signal): each named
// once, as the C headers name it. `LinuxHeaderTests` checks them against Glibc's.

/// mmap(2) flags (asm-generic/mman-common.h).
public enum MapFlag {
    public static let shared: UInt64 = 0x01, privateMapping: UInt64 = 0x02
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
/// accepts.
public enum RobustList {
    public static let headBytes: UInt64 = 24
}

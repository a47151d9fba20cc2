/// The registers of a thread interrupted in user mode, as the entry code saves them and
/// IRET resumes them: what a signal frame records and rt_sigreturn gives back.
public struct UserRegisters: Equatable, Sendable {
    public var r8: UInt64 = 0, r9: UInt64 = 0, r10: UInt64 = 0, r11: UInt64 = 0
    public var r12: UInt64 = 0, r13: UInt64 = 0, r14: UInt64 = 0, r15: UInt64 = 0
    public var rdi: UInt64 = 0, rsi: UInt64 = 0, rbp: UInt64 = 0, rbx: UInt64 = 0
    public var rdx: UInt64 = 0, rax: UInt64 = 0, rcx: UInt64 = 0, rsp: UInt64 = 0
    public var rip: UInt64 = 0, rflags: UInt64 = RFlags.reserved | RFlags.interrupt
    /// The user code and stack selectors.
    public var cs: UInt64 = 0, ss: UInt64 = 0

    public init() {}

    /// r8 ... rflags in struct sigcontext's order (= glibc's gregs[REG_R8 ... REG_EFL]).
    public var sigcontextWords: [UInt64] {
        [r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, rflags]
    }

    /// The registers from `sigcontextWords`' order, selectors unchanged.
    public mutating func load(sigcontextWords w: [UInt64]) {
        r8 = w[0]; r9 = w[1]; r10 = w[2]; r11 = w[3]; r12 = w[4]; r13 = w[5]; r14 = w[6]; r15 = w[7]
        rdi = w[8]; rsi = w[9]; rbp = w[10]; rbx = w[11]; rdx = w[12]; rax = w[13]; rcx = w[14]; rsp = w[15]
        rip = w[16]; rflags = w[17]
    }
}

/// RFLAGS bits (Intel SDM vol. 1, 3.4.3).
public enum RFlags {
    public static let carry: UInt64 = 1 << 0, reserved: UInt64 = 1 << 1, parity: UInt64 = 1 << 2
    public static let adjust: UInt64 = 1 << 4, zero: UInt64 = 1 << 6, sign: UInt64 = 1 << 7, trap: UInt64 = 1 << 8
    public static let interrupt: UInt64 = 1 << 9, direction: UInt64 = 1 << 10, overflow: UInt64 = 1 << 11
    public static let ioPrivilege: UInt64 = 3 << 12, nestedTask: UInt64 = 1 << 14, resume: UInt64 = 1 << 16
    public static let virtual8086: UInt64 = 1 << 17, alignmentCheck: UInt64 = 1 << 18
    public static let virtualInterrupt: UInt64 = 1 << 19, virtualInterruptPending: UInt64 = 1 << 20
    public static let identification: UInt64 = 1 << 21

    /// FIX_EFLAGS: the flags a signal handler may change in its frame for rt_sigreturn
    /// to restore; the others stay as they were when rt_sigreturn was called.
    public static let restorable: UInt64 = alignmentCheck | overflow | direction | trap | sign | zero | adjust | parity
        | carry | resume
}

/// 4-level paging's address space: 48-bit virtual addresses, sign-extended.
public enum VirtualAddress {
    public static let bits: UInt64 = 48

    /// Whether bits 63 ... 47 are all equal, as the CPU requires of every address it uses.
    public static func isCanonical(_ address: UInt64) -> Bool {
        let upper = address >> (bits - 1)
        return upper == 0 || upper == (1 << (65 - bits)) - 1
    }

    /// TASK_SIZE_MAX: user addresses lie below; the last page of the lower half stays
    /// out, so that code running off the end of user space never reaches a
    /// non-canonical address (where SYSRET would fault in the kernel).
    public static let userLimit: UInt64 = (1 << (bits - 1)) - 4096
}

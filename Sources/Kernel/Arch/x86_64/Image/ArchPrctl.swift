import CMcosABI

// arch_prctl(2), x86-64's own system call: the thread pointer (FS base), which static
// glibc sets before anything else.

/// Its codes (asm/prctl.h).
enum ArchPrctlCode {
    static let setFS: UInt32 = 0x1002, getFS: UInt32 = 0x1003
}

/// `code` is an int for Linux (its low 32 bits count); an FS base at or beyond Linux's
/// user space (TASK_SIZE_MAX, below every non-canonical address) is EPERM, as there.
func archPrctl(_ p: Process, _ code: UInt64, _ address: UInt64) -> Int64 {
    switch UInt32(truncatingIfNeeded: code) {
    case ArchPrctlCode.setFS:
        guard address < MemoryArguments.linuxUserEnd else { return -Errno.perm }
        p.threadPointer = address
        Arch.setThreadPointer(address)
        return 0
    case ArchPrctlCode.getFS:
        return p.writeWord(address, p.threadPointer) ? 0 : -Errno.fault
    default:
        return -Errno.inval
    }
}

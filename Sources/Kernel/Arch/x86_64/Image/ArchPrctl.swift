import CMcosABI

// arch_prctl(2), x86-64's own system call: the thread pointer (FS base), which static
// glibc sets before anything else.

/// Its codes (asm/prctl.h).
enum ArchPrctlCode {
    static let setFS: UInt64 = 0x1002, getFS: UInt64 = 0x1003
}

func archPrctl(_ p: Process, _ code: UInt64, _ address: UInt64) -> Int64 {
    switch code {
    case ArchPrctlCode.setFS:
        guard address < MCOS_USER_END else { return -Errno.perm }
        p.threadPointer = address
        Arch.setThreadPointer(address)
        return 0
    case ArchPrctlCode.getFS:
        return p.copyOut(address, [p.threadPointer]) ? 0 : -Errno.fault
    default:
        return -Errno.inval
    }
}

import CMcosABI

/// The thread pointer of x86-64 (the FS base), which arch_prctl(ARCH_SET_FS) and
/// clone's CLONE_SETTLS set. Linux refuses an address at or above the end of user space
/// (TASK_SIZE_MAX) with EPERM; on the LWK user space ends at MCOS_USER_END.
public enum ThreadPointer {
    public static func accepts(_ address: UInt64) -> Bool { address < MCOS_USER_END }
}

// The Logic files repeat mcos_abi.h's numbers (they also build for the host, without
// the header); the image has the header, so it checks them once at boot and says so
// loudly if the two ever disagree.

func checkABI() {
    let pairs: [(UInt64, UInt64, String)] = [
        (UInt64(IKCPacket.procCreate), UInt64(MCOS_IKC_PROC_CREATE.rawValue), "PROC_CREATE"),
        (UInt64(IKCPacket.procMap), UInt64(MCOS_IKC_PROC_MAP.rawValue), "PROC_MAP"),
        (UInt64(IKCPacket.procStart), UInt64(MCOS_IKC_PROC_START.rawValue), "PROC_START"),
        (UInt64(IKCPacket.procKill), UInt64(MCOS_IKC_PROC_KILL.rawValue), "PROC_KILL"),
        (UInt64(IKCPacket.syscallReply), UInt64(MCOS_IKC_SYSCALL_REPLY.rawValue), "SYSCALL_REPLY"),
        (UInt64(IKCPacket.invalidateAck), UInt64(MCOS_IKC_INVALIDATE_ACK.rawValue), "INVALIDATE_ACK"),
        (UInt64(IKCPacket.procReply), UInt64(MCOS_IKC_PROC_REPLY.rawValue), "PROC_REPLY"),
        (UInt64(IKCPacket.syscall), UInt64(MCOS_IKC_SYSCALL.rawValue), "SYSCALL"),
        (UInt64(IKCPacket.invalidate), UInt64(MCOS_IKC_INVALIDATE.rawValue), "INVALIDATE"),
        (UInt64(IKCPacket.procExit), UInt64(MCOS_IKC_PROC_EXIT.rawValue), "PROC_EXIT"),
        (IKCPacket.killProxyGone, UInt64(MCOS_KILL_PROXY_GONE), "KILL_PROXY_GONE"),
        (UserSpace.start, MCOS_USER_START, "USER_START"),
        (UserSpace.end, MCOS_USER_END, "USER_END"),
        (UserSpace.pieBase, MCOS_USER_PIE_BASE, "USER_PIE_BASE"),
        (UserSpace.mmapTop, MCOS_USER_MMAP_TOP, "USER_MMAP_TOP"),
        (UserSpace.stackTop, MCOS_USER_STACK_TOP, "USER_STACK_TOP"),
        (UInt64(UserSpace.protRead | UserSpace.protWrite << 8 | UserSpace.protExec << 16),
         UInt64(MCOS_PROT_READ | MCOS_PROT_WRITE << 8 | MCOS_PROT_EXEC << 16), "PROT_*"),
    ]
    for (ours, header, name) in pairs where ours != header {
        log(0, "BUG: MCOS_\(name) is \(LogLine.hex(header)) in mcos_abi.h but \(LogLine.hex(ours)) in the LWK")
    }
}

import CMcosABI
import Glibc
import Kernel

/// The program's System V shared memory attachments (MCOS_PROXY_SHM_*). The segments are
/// Linux's: the program's shmget and shmctl are offloaded, and for each shmat of the
/// program mcexec attaches the segment itself, hands its pages to the module for the LWK
/// (PROC_PIN, as for a shared file mapping), and keeps that attachment until the program
/// detaches (or execs, or ends). So Linux counts the program's attachments, keeps a
/// segment removed with IPC_RMID while the program has it, as MPI libraries expect, and
/// every process attached to a segment, on Linux or on the LWK, sees the same bytes.
///
/// Tokens are the LWK's names for attachments; mcexec acts only on attachments it made,
/// so a request never names other memory of mcexec's. A forked mcexec inherits the
/// table, as its child inherits the attachments.
final class SharedSegments: Sendable {
    struct Attachment {
        var address: UInt
        var bytes: UInt64
    }

    private let attachments = ForkSafeLock<[UInt64: Attachment]>([:])

    /// The answer to request `number`, or nil when it is none of these.
    func answer(number: UInt32, arguments: [UInt64], device: Int32) -> Int64? {
        switch number {
        case MCOS_PROXY_SHM_ATTACH: return attach(token: arguments[0], id: arguments[1], readOnly: arguments[2] == 1)
        case MCOS_PROXY_SHM_SHARE:
            return share(token: arguments[0], bytes: arguments[1], offset: arguments[2], writable: arguments[3] == 1, device: device)
        case MCOS_PROXY_SHM_DETACH: return detach(token: arguments[0])
        default: return nil
        }
    }

    /// shmat(id) here for the program's attachment `token`: the segment's size, or shmat's -errno.
    func attach(token: UInt64, id: UInt64, readOnly: Bool) -> Int64 {
        guard token != 0, let shmid = Int32(exactly: Int64(bitPattern: id)), shmid >= 0 else { return -Errno.inval }
        guard let address = shmat(shmid, nil, readOnly ? SHM_RDONLY : 0), address != UnsafeMutableRawPointer(bitPattern: -1) else {
            return -Int64(errno)
        }
        var status = shmid_ds()
        guard shmctl(shmid, IPC_STAT, &status) == 0 else {
            let error = errno
            shmdt(address)
            return -Int64(error)
        }
        let bytes = UInt64(status.shm_segsz)
        let replaced = attachments.withLock { table -> Attachment? in
            defer { table[token] = Attachment(address: UInt(bitPattern: address), bytes: bytes) }
            return table[token]
        }
        if let replaced { shmdt(UnsafeRawPointer(bitPattern: replaced.address)) }  // a token the LWK reused: its last
        return Int64(bytes)
    }

    /// Hands `bytes` of attachment `token` from `offset` to the module for the LWK: the
    /// frames pinned (fewer at the segment's end), or -errno.
    func share(token: UInt64, bytes: UInt64, offset: UInt64, writable: Bool, device: Int32) -> Int64 {
        guard let attachment = attachments.withLock({ $0[token] }) else { return -Errno.inval }
        guard bytes > 0, bytes % 4096 == 0, bytes <= UInt64(MCOS_PIN_LIST_FRAMES) * 4096, offset % 4096 == 0 else { return -Errno.inval }
        // The module pins the bytes the LWK asked for from where this names: never
        // beyond the attachment, whatever lies next to it here.
        let rounded = (attachment.bytes + 4095) & ~4095
        guard offset < rounded, bytes <= rounded - offset else { return -Errno.inval }
        var pin = mcos_proc_pin(size: UInt32(MemoryLayout<mcos_proc_pin>.size), reserved0: 0,
                                address: UInt64(attachment.address) + offset)
        return Int64(deviceControl(device, mcos_ioc_proc_pin, &pin))
    }

    /// shmdt of attachment `token`: 0, or -EINVAL for one mcexec does not have.
    func detach(token: UInt64) -> Int64 {
        guard let attachment = attachments.withLock({ $0.removeValue(forKey: token) }) else { return -Errno.inval }
        return shmdt(UnsafeRawPointer(bitPattern: attachment.address)) == 0 ? 0 : -Int64(errno)
    }

    /// An exec's new program starts with no attachment.
    func detachAll() {
        let all = attachments.withLock { table -> [Attachment] in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for attachment in all { shmdt(UnsafeRawPointer(bitPattern: attachment.address)) }
    }
}

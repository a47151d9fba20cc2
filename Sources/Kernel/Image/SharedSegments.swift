import CMcosABI

// System V shared memory: the segments are Linux's (shmget and shmctl are offloaded),
// so that the program shares them with every other process, on Linux or on the LWK. For
// shmat the proxy attaches the segment itself and keeps it attached while the program
// has it (Linux counts the attachment and keeps a removed segment for it), and its pages
// are mapped as a shared file's are (LinuxFrames.swift): Linux's frames, pinned, all of
// them now. A fork's child keeps its parent's attachments, as natively; an exec's new
// program has none (its proxy detaches them).

/// One shmat of the process: the range it mapped, and the token the proxy knows it by.
struct AttachedSegment {
    var start: UInt64
    var end: UInt64
    var token: UInt64
}

/// shmat(2)'s flags on x86-64, where SHMLBA is the page size.
private enum ShmFlag {
    static let readOnly: UInt64 = 0o10000, round: UInt64 = 0o20000, remap: UInt64 = 0o40000, exec: UInt64 = 0o100000
}

/// shmat(shmid, shmaddr, shmflg), under the process lock: the address, or Linux's errno.
func shmat(_ p: Process, id: UInt64, address: UInt64, flags: UInt64) -> Int64 {
    var start = address
    if start % 4096 != 0 {
        guard flags & ShmFlag.round != 0 else { return -Errno.inval }
        start &= ~UInt64(4095)
    }
    let readOnly = flags & ShmFlag.readOnly != 0
    let token = p.nextSegmentToken
    p.nextSegmentToken += 1
    let size = askProxy(p, MCOS_PROXY_SHM_ATTACH, (token, id, readOnly ? 1 : 0, 0, 0, 0))
    guard size > 0 else { return size == 0 ? -Errno.inval : size }
    let result = mapSegment(p, token: token, bytes: (UInt64(size) + 4095) & ~UInt64(4095), at: start, flags: flags)
    if result < 0 { _ = askProxy(p, MCOS_PROXY_SHM_DETACH, (token, 0, 0, 0, 0, 0)) }
    return result
}

/// The attachment `token` of `bytes` mapped at `start` (0: where the LWK chooses).
private func mapSegment(_ p: Process, token: UInt64, bytes: UInt64, at start: UInt64, flags: UInt64) -> Int64 {
    var start = start
    if start == 0 {
        guard let free = p.regions.findFree(bytes: bytes, top: MCOS_USER_MMAP_TOP, bottom: MCOS_USER_START) else { return -Errno.noMem }
        start = free
    } else {
        guard let range = UserSpace.range(start: start, bytes: bytes), range.start == start else { return -Errno.inval }
        if p.regions.overlaps(start: start, end: start + bytes) {
            guard flags & ShmFlag.remap != 0 else { return -Errno.inval }
            guard p.unmap(start: start, end: start + bytes) else { return -Errno.noMem }
        }
    }
    let readOnly = flags & ShmFlag.readOnly != 0
    let protection = MCOS_PROT_READ | (readOnly ? 0 : MCOS_PROT_WRITE) | (flags & ShmFlag.exec != 0 ? MCOS_PROT_EXEC : 0)
    p.segments.reserveCapacity(p.segments.count + 1)  // before the mapping: no failure after it
    let mapped = p.mapLinuxFrames(start: start, end: start + bytes, protection: protection, request: MCOS_PROXY_SHM_SHARE,
                                  source: token, offset: 0, mayWrite: !readOnly)
    guard mapped >= 0 else { return mapped }
    p.segments.append(AttachedSegment(start: start, end: start + bytes, token: token))
    return Int64(start)
}

/// shmdt(shmaddr), under the process lock: the attachment that begins at `address` goes,
/// the parts of it still mapped (a munmap may have taken some, and the program mapped
/// something else there since), and the proxy's. EINVAL when none begins there.
func shmdt(_ p: Process, address: UInt64) -> Int64 {
    guard address % 4096 == 0, let index = p.segments.firstIndex(where: { $0.start == address }) else { return -Errno.inval }
    let segment = p.segments[index]
    var parts: [(UInt64, UInt64)] = []
    p.regions.forEach(from: segment.start, to: segment.end) { region in
        if region.hasLinuxFrames { parts.append((max(region.start, segment.start), min(region.end, segment.end))) }
    }
    for (start, end) in parts {
        guard p.unmap(start: start, end: end) else { return -Errno.noMem }
    }
    p.segments.remove(at: index)
    _ = askProxy(p, MCOS_PROXY_SHM_DETACH, (segment.token, 0, 0, 0, 0, 0))
    return 0
}

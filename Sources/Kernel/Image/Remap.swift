import CMcosABI

// mremap and msync, as Linux plans and checks them (RemapRequest): a mapping shrinks by
// losing its tail, grows in place with zeroed pages when the space after it is free,
// and otherwise moves, its frames travelling with their page-table entries (glibc's
// realloc of a large block copies nothing). What grows is zeroed memory, whatever the
// mapping was: a private file mapping's frames are the process's own (FileMapping.swift),
// so its new tail reads as zero, not as the file. A file's shared mapping (Linux's
// frames, LinuxFrames.swift) shrinks and moves but does not grow, and MREMAP_DONTUNMAP
// of it is refused: both would need more of the file's pages (EINVAL, said once).
// msync has nothing to write back: a file's shared mapping is its page cache itself.

/// mremap(address, old_length, new_length, flags, new_address): the mapping's new
/// address, or Linux's errno. A target beyond the LWK's user range has no room (ENOMEM),
/// as for mmap.
func mremap(_ p: Process, _ address: UInt64, _ oldLength: UInt64, _ newLength: UInt64, _ flags: UInt64, _ newAddress: UInt64) -> Int64 {
    let plan: RemapRequest.Plan
    do {
        plan = try RemapRequest.plan(
            address: address, oldLength: oldLength, newLength: newLength, flags: flags, newAddress: newAddress,
            userEnd: MemoryArguments.linuxUserEnd,
            region: { p.regions.region(containing: $0).map { RemapRequest.Region(start: $0.start, end: $0.end, isShared: $0.isShared) } },
            isFree: { start, end in start >= MCOS_USER_START && end <= MCOS_USER_END && !p.regions.overlaps(start: start, end: end) },
            findFree: { p.regions.findFree(bytes: $0, top: MCOS_USER_MMAP_TOP, bottom: MCOS_USER_START) })
    } catch {
        return -error
    }
    switch plan {
    case .shrink(let address, let unmapStart, let unmapEnd):
        if let tail = MemoryArguments.Range(start: unmapStart, end: unmapEnd).inUserSpace {
            guard p.unmap(start: tail.start, end: tail.end) else { return -Errno.noMem }
        }
        return Int64(address)
    case .grow(let address, let newEnd):
        if p.regions.region(containing: address)?.hasLinuxFrames == true { return growingFileShare(p) }
        guard let region = p.regions.region(containing: address),
              p.mapAnonymous(start: region.end, end: newEnd, protection: region.protection, loading: false) else { return -Errno.noMem }
        return Int64(address)
    case .move(let from, let fromBytes, let to, let newBytes, let replacesTarget, let keepsOld):
        return move(p, from: from, fromBytes: fromBytes, to: to, newBytes: newBytes, replacesTarget: replacesTarget, keepsOld: keepsOld)
    }
}

/// The moving mremap: the tail past `newBytes` goes, then whatever is at a fixed target,
/// then the target is grown (zeroed pages after what moves) and the pages move. A
/// failure after the unmaps leaves them done, as Linux's does.
private func move(_ p: Process, from: UInt64, fromBytes: UInt64, to: UInt64, newBytes: UInt64, replacesTarget: Bool, keepsOld: Bool) -> Int64 {
    let target = MemoryArguments.Range(start: to, end: to + newBytes)
    guard target.inUserSpace == target else { return -Errno.noMem }
    guard let region = p.regions.region(containing: from) else { return -Errno.fault }
    guard fromBytes != 0 else {
        // Linux maps the same shared memory a second time; the LWK's shared anonymous
        // frames are counted per mapping process, not per mapping.
        tellOnce(p, "mremap with an old length of 0 (a second mapping of shared memory) is not supported: EINVAL")
        return -Errno.inval
    }
    let moving = min(fromBytes, newBytes)
    if region.hasLinuxFrames && (keepsOld || newBytes > moving) { return growingFileShare(p) }
    if fromBytes > newBytes {
        guard p.unmap(start: from + newBytes, end: from + fromBytes) else { return -Errno.noMem }
    }
    if replacesTarget {
        guard p.unmap(start: to, end: to + newBytes) else { return -Errno.noMem }
    }
    if keepsOld {
        // Zeroed frames at the target change places with the old ones.
        guard p.mapAnonymous(start: to, end: to + moving, protection: region.protection, loading: false) else { return -Errno.noMem }
        p.exchangePages(from, to, bytes: moving)
        return Int64(to)
    }
    if newBytes > moving {
        guard p.mapAnonymous(start: to + moving, end: to + newBytes, protection: region.protection, loading: false) else {
            return -Errno.noMem
        }
    }
    guard p.movePages(from: from, to: to, bytes: moving, protection: region.protection) else {
        if newBytes > moving { _ = p.unmap(start: to + moving, end: to + newBytes) }
        return -Errno.noMem
    }
    return Int64(to)
}

/// mremap that would need more of a shared file mapping's pages: EINVAL, said once.
private func growingFileShare(_ p: Process) -> Int64 {
    tellOnce(p, "mremap growing a file's shared mapping, or keeping it with MREMAP_DONTUNMAP, is not supported: EINVAL")
    return -Errno.inval
}

/// msync(address, length, flags): Linux's checks (EINVAL, ENOMEM for a range not wholly
/// mapped), then nothing to do.
func msync(_ p: Process, _ address: UInt64, _ length: UInt64, _ flags: UInt64) -> Int64 {
    do throws(Errno) {
        try MemorySync.check(address: address, length: length, flags: flags) { start, end in p.regions.covers(start: start, end: end) }
    } catch {
        return -error
    }
    return 0
}

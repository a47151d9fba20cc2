import CMcosABI

// A process's memory: frames mapped eagerly in 4 KiB pages from its NUMA nodes, the
// region map over them (whose nodes come from the process's frames too), and the order
// every change follows (under the process lock: its threads change it from several
// CPUs), because the proxy on Linux maps the same frames and the module fills the
// proxy's mapping from these page tables on a fault:
//   1. the page tables change (and the TLBs of the process's CPUs forget the old entries),
//   2. Linux drops the proxy's mappings of the range (INVALIDATE, wait for the ACK),
//   3. only then are frames freed.
// A proxy fault racing step 2 then finds the new entries, never a frame about to be
// reused.

/// The pages of a process's region map: frames of its node, counted as its own.
struct ProcessPages: RegionPages {
    let node: Int
    private(set) var bytes: UInt64 = 0

    init(node: Int) { self.node = node }

    mutating func allocatePage() -> UnsafeMutableRawPointer? {
        guard let physical = allocate(bytes: 4096, node: node, for: .process), let window = windowAddress(physical: physical) else {
            return nil
        }
        bytes += 4096
        return lwk_ptr(window)
    }

    mutating func releasePage(_ page: UnsafeMutableRawPointer) {
        let window = UInt64(UInt(bitPattern: page))
        guard let physical = kernel.info.physical(windowOffset: window - lwkBase) else { return }
        release(physical: physical, bytes: 4096)
        bytes -= 4096
    }
}

extension Process {
    /// Maps zeroed frames over [start, end) (unmapped space) with `protection`, writable
    /// for the proxy while `loading`, and records the region; all or nothing (false:
    /// ENOMEM, no frame or no room for the region). With `source`, each frame holds a
    /// copy of that process's page at the same address instead (a fork's child).
    func mapAnonymous(start: UInt64, end: UInt64, protection: UInt32, loading: Bool, copying source: Process? = nil) -> Bool {
        guard regions.reserve(1) else { return false }
        var memory = tables
        defer { heldBytes += memory.allocated }
        let flags = PageTables.userLeafFlags(protection: protection, loading: loading)
            | (protection & UserSpace.sharedMapping != 0 ? PageTables.sharedFrame : 0)
        var virtual = start
        while virtual < end {
            // Runs of up to 2 MiB keep the allocator calls few; halve when memory is
            // fragmented, and only go to the next node when this one has no page left.
            var run: UInt64 = 0
            var physical: UInt64?
            var from = node
            for candidate in memoryNodes where physical == nil {
                run = min(end - virtual, 2 << 20)
                from = candidate
                while physical == nil && run >= 4096 {
                    physical = allocate(bytes: run, node: candidate, onlyNode: true, for: .process)
                    if physical == nil { run = run / 2 & ~4095 }
                }
            }
            guard let base = physical else { break }
            heldBytes += run
            if loading && from < loadedBytes.count { loadedBytes[from] += run }
            var offset: UInt64 = 0
            while offset < run {
                if let source, let from = source.frame(at: virtual) {
                    copyFrame(base + offset, from: from)
                } else {
                    zeroFrame(base + offset)
                }
                guard PageTables.mapUser(virtual: virtual, physical: base + offset, flags: flags, root: root, memory: &memory) else {
                    release(physical: base + offset, bytes: run - offset)
                    heldBytes -= run - offset
                    discardPages(start: start, end: virtual)
                    return false
                }
                virtual += 4096
                offset += 4096
            }
        }
        if virtual < end {
            discardPages(start: start, end: virtual)
            return false
        }
        regions.insert(UserRegion(start: start, end: end, protection: protection))
        return true
    }

    /// A fork's child: every region of `parent` (whose lock is held), with its
    /// protection and a copy of its bytes (the same frames for shared memory), and its
    /// program break; false (ENOMEM) if the memory runs out, with what was mapped left
    /// for the caller to free.
    func copyMemory(of parent: Process) -> Bool {
        for region in parent.regions.allRegions() {
            let mapped = region.isShared
                ? mapSharedFrames(of: parent, region)
                : mapAnonymous(start: region.start, end: region.end, protection: region.protection, loading: false, copying: parent)
            guard mapped else { return false }
        }
        programBreak = parent.programBreak
        return true
    }

    /// The frame of the page at `virtual`, present or not (PROT_NONE keeps it), if any.
    func frame(at virtual: UInt64) -> UInt64? {
        let memory = tables
        guard let slot = PageTables.leafSlot(virtual, root: root, memory: memory) else { return nil }
        let entry = memory.read(slot)
        return entry == 0 ? nil : entry & PageTables.addressMask
    }

    /// `parent`'s frames of the shared `region`, mapped here too and counted.
    private func mapSharedFrames(of parent: Process, _ region: UserRegion) -> Bool {
        guard regions.reserve(1) else { return false }
        var memory = tables
        defer { heldBytes += memory.allocated }
        let flags = PageTables.userLeafFlags(protection: region.protection) | PageTables.sharedFrame
            | (region.hasLinuxFrames ? PageTables.linuxFrame : 0)
        var virtual = region.start
        while virtual < region.end {
            // Counted before it is mapped: discardPages lets go of what is mapped.
            guard let frame = parent.frame(at: virtual) else {
                // A file's pages past its end have no frame (LinuxFrames.swift).
                if region.hasLinuxFrames {
                    virtual += 4096
                    continue
                }
                discardPages(start: region.start, end: virtual)
                return false
            }
            guard shareFrame(frame) else {
                log(cpu, "process \(pid): the LWK counts the mappers of at most \(sharedFrameRoom) shared frames, and this fork needs more")
                discardPages(start: region.start, end: virtual)
                return false
            }
            guard PageTables.mapUser(virtual: virtual, physical: frame, flags: flags, root: root, memory: &memory) else {
                _ = letGoOfSharedFrame(frame)  // the parent's mapping keeps it
                discardPages(start: region.start, end: virtual)
                return false
            }
            heldBytes += 4096
            virtual += 4096
        }
        regions.insert(region)
        return true
    }

    /// munmap's work on [start, end) of its user range: regions, entries, INVALIDATE,
    /// frames. False (nothing changed) if splitting a region needs room there is not.
    func unmap(start: UInt64, end: UInt64) -> Bool {
        guard regions.overlaps(start: start, end: end) else { return true }
        guard regions.reserve(regions.splits(removing: start, end: end)) else { return false }
        regions.remove(start: start, end: end)
        discardPages(start: start, end: end)
        return true
    }

    /// The pages of [start, end) out of the tables and their frames freed, in the order
    /// above: the proxy may have faulted any of them in already (a mapping that fails
    /// half-way too, since its pages were reachable as soon as they were mapped).
    func discardPages(start: UInt64, end: UInt64) {
        guard start < end else { return }
        detachPages(start: start, end: end)
        invalidate(start: start, end: end)
        freePages(start: start, end: end)
    }

    /// mremap's move: the pages of [from, from + bytes), one region's, go to
    /// [to, to + bytes) (free, in the user range) with their frames and flags, and the
    /// region with them; nothing is copied. The order above holds: new entries, old ones
    /// cleared, TLBs, INVALIDATE of the old addresses (no frame is freed). False, nothing
    /// changed, when a table or a region node cannot be had.
    func movePages(from: UInt64, to: UInt64, bytes: UInt64, protection: UInt32) -> Bool {
        guard regions.reserve(regions.splits(removing: from, end: from + bytes) + 1) else { return false }
        var memory = tables
        defer { heldBytes += memory.allocated }
        var offset: UInt64 = 0
        while offset < bytes {
            if let slot = PageTables.leafSlot(from + offset, root: root, memory: memory), case let entry = memory.read(slot), entry != 0,
               !PageTables.mapUser(virtual: to + offset, physical: entry & PageTables.addressMask,
                                   flags: entry & ~PageTables.addressMask, root: root, memory: &memory) {
                forgetEntries(start: to, end: to + offset)  // the same frames stay at `from`
                return false
            }
            offset += 4096
        }
        forgetEntries(start: from, end: from + bytes)
        invalidate(start: from, end: from + bytes)
        regions.remove(start: from, end: from + bytes)
        regions.insert(UserRegion(start: to, end: to + bytes, protection: protection))
        return true
    }

    /// MREMAP_DONTUNMAP: the frames of [from, from + bytes) and of [to, to + bytes)
    /// (just mapped, zeroed, the same protection) change places, so that the old range
    /// stays mapped and reads as zero. Nothing can fail: both ranges have their tables.
    func exchangePages(_ from: UInt64, _ to: UInt64, bytes: UInt64) {
        var memory = tables
        var offset: UInt64 = 0
        while offset < bytes {
            if let a = PageTables.leafSlot(from + offset, root: root, memory: memory),
               let b = PageTables.leafSlot(to + offset, root: root, memory: memory) {
                let entry = memory.read(a)
                memory.write(a, memory.read(b))
                memory.write(b, entry)
            }
            offset += 4096
        }
        flushTLB(start: from, end: from + bytes)
        invalidate(start: from, end: from + bytes)
        invalidate(start: to, end: to + bytes)
    }

    /// The entries of [start, end) cleared, their frames left to whoever else maps them.
    private func forgetEntries(start: UInt64, end: UInt64) {
        var memory = tables
        PageTables.forEachUserLeaf(from: start, to: end, root: root, memory: memory) { _, slot, _ in memory.write(slot, 0) }
        flushTLB(start: start, end: end)
    }

    /// Every page of [start, end) (all mapped, its region splits reserved) gets
    /// `protection`: entries first, then INVALIDATE, so the proxy refaults with it.
    func protect(start: UInt64, end: UInt64, protection: UInt32) {
        regions.protect(start: start, end: end, protection: protection)
        setPageFlags(start: start, end: end, protection: protection)
        invalidate(start: start, end: end)
    }

    /// The entries of [start, end) get `protection`, keeping their frames.
    func setPageFlags(start: UInt64, end: UInt64, protection: UInt32) {
        var memory = tables
        let flags = PageTables.userLeafFlags(protection: protection) | PageTables.user
        PageTables.forEachUserLeaf(from: start, to: end, root: root, memory: memory) { _, slot, entry in
            memory.write(slot, (entry & PageTables.frameBits) | flags)
        }
        flushTLB(start: start, end: end)
    }

    /// Every private page of [start, end) that has a frame reads as zero again
    /// (madvise's discards: the frames stay, and the proxy, mapping the same ones, reads
    /// zeros too). Shared memory keeps its bytes, as Linux's shmem pages do.
    func zeroPages(start: UInt64, end: UInt64) {
        PageTables.forEachUserLeaf(from: start, to: end, root: root, memory: tables) { _, _, entry in
            if entry & PageTables.sharedFrame == 0 { zeroFrame(entry & PageTables.addressMask) }
        }
    }

    /// Asks Linux to drop the proxy's mappings of [start, end) and waits for the ACK,
    /// unless the proxy is gone. A KILL meanwhile is remembered (the caller ends the
    /// process after its call); the wait still needs the ACK, since the pages are freed.
    /// `processEnds`: the page tables are freed next, so Linux maps nothing from them again.
    func invalidate(start: UInt64, end: UInt64, processEnds: Bool = false) {
        _ = askLinux(ack: MCOS_IKC_INVALIDATE_ACK) { invalidatePacket(seq: $0, start: start, bytes: end - start, processEnds: processEnds) }
    }

    /// Sends the request `packet` makes of a sequence number to the module, which
    /// answers it itself, and waits for its `ack`: false, without a wait, once the proxy
    /// is gone (nobody reads the channel), or if it went during the wait.
    func askLinux(ack: mcos_ikc_type, _ packet: (UInt64) -> IKCPacket) -> Bool {
        guard !proxyGone else { return false }
        let seq = nextInvalidate
        nextInvalidate += 1
        send(cpu, packet(seq))
        return waitFor(cpu, self, stopOnKill: false) { $0.type == ack && $0.seq == seq } != nil
    }

    /// The entries of [start, end) taken out of use, their frames kept for `freePages`.
    private func detachPages(start: UInt64, end: UInt64) {
        var memory = tables
        PageTables.forEachUserLeaf(from: start, to: end, root: root, memory: memory) { _, slot, entry in
            memory.write(slot, (entry & PageTables.frameBits) | PageTables.detached)
        }
        flushTLB(start: start, end: end)
    }

    /// Clears the entries of [start, end) and frees their frames, a shared one once no
    /// other process maps it (tables stay until exit).
    private func freePages(start: UInt64, end: UInt64) {
        var memory = tables
        PageTables.forEachUserLeaf(from: start, to: end, root: root, memory: memory) { _, slot, entry in
            memory.write(slot, 0)
            releaseUserFrame(entry, of: self)
            heldBytes -= 4096
        }
        flushTLB(start: start, end: end)
        giveBackLinuxFrames()
    }

    /// The TLB holds this address space only once it has been entered; a long range
    /// is cheaper to forget whole. The CPUs of the process's other threads forget it
    /// whole before this returns (Threads.swift).
    private func flushTLB(start: UInt64, end: UInt64) {
        guard started else { return }
        defer { shootDown(self) }
        if end - start > 64 * 4096 {
            Arch.flushTLB()
            return
        }
        var virtual = start
        while virtual < end {
            Arch.flushTLB(virtual)
            virtual += 4096
        }
    }
}

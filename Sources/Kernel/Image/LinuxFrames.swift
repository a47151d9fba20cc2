import CMcosABI

// MAP_SHARED of a file (and POSIX shared memory, files in /dev/shm): the program maps
// the file's own page-cache pages, Linux's frames, so that what it writes is what
// read(2) on Linux and every other mapping of the file see, at once, and back. The
// proxy maps the file and the module pins those pages for the LWK and names them in
// this CPU's share list (MCOS_PROXY_FILE_SHARE, up to MCOS_PIN_LIST_FRAMES a time):
// all of them now, so no page is faulted in later and the program's compute phase
// sees no paging. Their leaves carry PageTables.linuxFrame (and sharedFrame: a fork
// shares them, and they are counted as shared anonymous frames are); when the last
// mapping of one goes, in ProcessMemory.swift's order (tables, TLBs, INVALIDATE), it
// goes back to Linux through this CPU's unpin list (MCOS_IKC_UNPIN), never to the
// LWK's allocator. Where the kernel reads or writes one for the program (a futex, a
// process-shared mutex or semaphore in /dev/shm, a signal frame), it maps it at its
// CPU's slot of the physical map for that access only (UserMemory.swift): the LWK's
// window covers only its own memory. Pages wholly past the end of the file have no
// frame: the program's access there is SIGBUS, as on Linux (Signals.swift).

/// The CPUs' slots for a Linux frame: the last 2 MiB of the physical map (so physical
/// addresses up to 512 GiB - 2 MiB keep theirs), one page per context.
let linuxFrameSlots: UInt64 = physMapBase + (1 << 39) - (2 << 20)
/// The leaf of the first slot (physical), made at boot; the others follow it.
nonisolated(unsafe) var linuxFrameSlotTable: UInt64 = 0

/// A kernel address of byte `physical` of a pinned Linux frame, through this CPU's slot:
/// valid until this CPU's next call. nil on a CPU without a slot.
func linuxFrameWindow(_ physical: UInt64) -> UInt64? {
    let cpu = currentCPU()
    guard linuxFrameSlotTable != 0, cpu >= 0, cpu < 512, let table = windowAddress(physical: linuxFrameSlotTable) else { return nil }
    let page = linuxFrameSlots + UInt64(cpu) * 4096
    lwk_store64(lwk_ptr(table + UInt64(cpu) * 8), (physical & PageTables.addressMask) | PageTables.present | PageTables.physicalMap)
    Arch.flushTLB(page)
    return page + (physical & 4095)
}

extension Process {
    /// Maps [start, end) (free by now) with the file's shared pages from `offset`;
    /// `mayWrite`: the descriptor was opened for writing, so the pages are pinned
    /// writable and mprotect may add PROT_WRITE later. The mapping or -errno, with
    /// nothing left mapped.
    func mapSharedFile(start: UInt64, end: UInt64, protection: UInt32, fd: UInt64, offset: UInt64, mayWrite: Bool) -> Int64 {
        mapLinuxFrames(start: start, end: end, protection: protection, request: MCOS_PROXY_FILE_SHARE,
                       source: UInt64(UInt32(truncatingIfNeeded: fd)), offset: offset, mayWrite: mayWrite)
    }

    /// mapSharedFile's work, for any of Linux's pages the proxy hands over: `request`
    /// (MCOS_PROXY_FILE_SHARE, MCOS_PROXY_SHM_SHARE) with `source` (the descriptor, the
    /// attachment's token) as its first argument.
    func mapLinuxFrames(start: UInt64, end: UInt64, protection: UInt32, request: UInt32, source: UInt64, offset: UInt64, mayWrite: Bool) -> Int64 {
        guard regions.reserve(1), let list = pinListWindow(&shareList) else { return -Errno.noMem }
        var memory = tables
        defer { heldBytes += memory.allocated }
        let flags = PageTables.userLeafFlags(protection: protection) | PageTables.sharedFrame | PageTables.linuxFrame
        let chunk = UInt64(MCOS_PIN_LIST_FRAMES) * 4096
        var virtual = start
        var failure: Int64?
        while virtual < end && failure == nil {
            let bytes = min(end - virtual, chunk)
            lwk_store64(lwk_ptr(list), 0)
            let answer = askProxy(self, request, (source, bytes, offset + (virtual - start), mayWrite ? 1 : 0, shareList, 0))
            // Only the module writes the list: what it holds was pinned, whatever the proxy answered.
            let count = min(lwk_load_acquire64(lwk_ptr(list)), bytes / 4096)
            for index in 0..<count {
                let frame = lwk_load64(lwk_ptr(list + 8 + index * 8)) & PageTables.addressMask
                guard failure == nil, PageTables.mapUser(virtual: virtual, physical: frame, flags: flags, root: root, memory: &memory) else {
                    failure = -Errno.noMem
                    giveBack(linuxFrame: frame)
                    continue
                }
                heldBytes += 4096
                virtual += 4096
            }
            if failure != nil || count == bytes / 4096 { continue }
            // The end of the file (fewer pages pinned, or none: EFAULT): the rest stays unmapped.
            if answer >= 0 || answer == -Errno.fault { break }
            failure = answer
        }
        giveBackLinuxFrames()
        if let failure {
            discardPages(start: start, end: virtual)
            return refusedShare(failure)
        }
        let kind = UserSpace.sharedMapping | UserSpace.linuxFrames | (mayWrite ? 0 : UserSpace.neverWritable)
        regions.insert(UserRegion(start: start, end: end, protection: protection | kind))
        return Int64(start)
    }

    /// A FILE_SHARE's errno for the program, said once in the log where the reason is
    /// the LWK's: a file the module refuses to pin writable (one Linux writes back to a
    /// disk) is an unsupported mapping (ENODEV), pins beyond the user's
    /// RLIMIT_MEMLOCK are EAGAIN, as for MAP_LOCKED, and pins that would leave Linux
    /// less than an eighth of its memory ENOMEM.
    private func refusedShare(_ failure: Int64) -> Int64 {
        let why: String
        switch failure {
        case -Errno.opNotSupp:
            why = "a writable MAP_SHARED of a file Linux writes back to a disk is not supported (tmpfs and /dev/shm are): ENODEV"
        case -Errno.again:
            why = "a file's shared pages stay pinned in Linux's memory while mapped, and count against mcexec's RLIMIT_MEMLOCK, which this mapping would pass: EAGAIN"
        case -Errno.noMem:
            why = "a file's shared pages stay pinned in Linux's memory while mapped, and this mapping would leave Linux less than an eighth of its memory: ENOMEM"
        default:
            return failure < 0 && failure >= -Errno.maximum ? failure : -Errno.io
        }
        if !toldFileMapping {
            toldFileMapping = true
            log(cpu, "process \(pid): mmap of a file: \(why)")
        }
        return failure == -Errno.opNotSupp ? -Errno.noDev : failure
    }

    /// The last mapping of Linux frame `frame` went: it goes back with the next UNPIN.
    func giveBack(linuxFrame frame: UInt64) {
        guard let list = pinListWindow(&unpinList) else {
            log(cpu, "process \(pid): no page for the list of Linux frames to give back: frame \(LogLine.hex(frame)) stays pinned until the LWK shuts down")
            return
        }
        let count = lwk_load64(lwk_ptr(list))
        lwk_store64(lwk_ptr(list + 8 + count * 8), frame)
        lwk_store64(lwk_ptr(list), count + 1)
        if count + 1 == UInt64(MCOS_PIN_LIST_FRAMES) { giveBackLinuxFrames() }
    }

    /// The frames of the unpin list back to Linux (UNPIN, waiting for the ACK, as
    /// INVALIDATE does). With the proxy gone nobody answers: they stay pinned until the
    /// LWK shuts down, and the log says so.
    func giveBackLinuxFrames() {
        guard unpinList != 0, let list = windowAddress(physical: unpinList) else { return }
        let count = lwk_load64(lwk_ptr(list))
        guard count > 0 else { return }
        if askLinux(ack: MCOS_IKC_UNPIN_ACK, { IKCPacket(type: MCOS_IKC_UNPIN, seq: $0, args: (self.unpinList, 0, 0, 0, 0, 0)) }) {
            lwk_store64(lwk_ptr(list), 0)
            return
        }
        // Linux may still read this list: it is left to it, and a new one made when needed.
        log(cpu, "process \(pid): its proxy is gone: \(count) Linux frames stay pinned until the LWK shuts down")
        unpinList = 0
    }

    /// The window address of one of this CPU's pin lists, made (empty) when first needed.
    private func pinListWindow(_ list: inout UInt64) -> UInt64? {
        if list == 0 {
            guard let physical = allocate(bytes: 4096, node: node) else { return nil }
            guard let window = windowAddress(physical: physical) else { return nil }
            lwk_store64(lwk_ptr(window), 0)
            list = physical
        }
        return windowAddress(physical: list)
    }
}

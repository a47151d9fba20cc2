import CMcosABI

// A program on an LWK CPU: one single-threaded process per CPU, created,
// filled and started by its proxy on Linux (mcexec) over the CPU's IKC channel. Its
// memory is mapped eagerly from the LWK's own chunks, 4 KiB pages, and described by a
// region list; the proxy maps the same frames, so anything it may have mapped is
// invalidated on Linux before it is unmapped or re-protected here.

final class Process {
    let pid: UInt64
    let cpu: Int
    let node: Int
    /// Where its pages come from, in order (MemoryBinding).
    let memoryNodes: [Int]
    let root: UInt64
    let clock: ProcessClock
    var regions = RegionMap()
    var programBreak = ProgramBreak(start: 0)
    var started = false
    /// Bytes of frames and table pages this process holds (0 again after teardown).
    var heldBytes: UInt64 = 0
    let freeAtCreate: UInt64
    /// A KILL arrived with MCOS_KILL_PROXY_GONE: nobody answers INVALIDATE any more.
    var proxyGone = false
    var pendingKill: UInt32?
    var nextInvalidate: UInt64 = 1
    /// rt_sigaction's struct per signal (handler, flags, restorer, mask), 1...64.
    var signalActions = [UInt64](repeating: 0, count: Int(Signal.count + 1) * SignalAction.words)
    var signalMask: UInt64 = 0
    /// Bytes taken per NUMA node (0..<32) while the proxy loaded the program, for the
    /// start line of the log (a load that fails is never started, so never shown).
    var loadedBytes = [UInt64](repeating: 0, count: 32)
    /// Signals from Linux that arrived while blocked (sigset bits).
    var pendingSignals: UInt64 = 0
    /// The user thread pointer (arch_prctl(ARCH_SET_FS) on x86-64).
    var threadPointer: UInt64 = 0
    var toldNoProcesses = false
    var toldNoSignals = false
    var toldHandlerSkipped = false
    // How it ended.
    var status: UInt32 = 0
    var faultAddress: UInt64 = 0
    var faultIP: UInt64 = 0

    init(pid: UInt64, cpu: Int, memoryNodes: [Int], root: UInt64, rootBytes: UInt64, clock: ProcessClock, freeAtCreate: UInt64) {
        self.pid = pid
        self.cpu = cpu
        node = kernel.info.cpus[cpu].node
        self.memoryNodes = memoryNodes
        self.root = root
        self.clock = clock
        heldBytes = rootBytes
        self.freeAtCreate = freeAtCreate
    }

    var tables: ProcessTables { ProcessTables(node: node) }

    /// The TLB holds this address space only once it has been entered.
    func flush(_ virtual: UInt64) { if started { Arch.flushTLB(virtual) } }

    /// Maps zeroed frames over [start, end) (unmapped space) with `protection`, writable
    /// for the proxy while `loading`; all or nothing.
    func mapAnonymous(start: UInt64, end: UInt64, protection: UInt32, loading: Bool) -> Bool {
        var memory = tables
        defer { heldBytes += memory.allocated }
        let flags = PageTables.userLeafFlags(protection: protection, loading: loading)
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
                    physical = allocate(bytes: run, node: candidate, onlyNode: true)
                    if physical == nil { run = run / 2 & ~4095 }
                }
            }
            guard let base = physical else { break }
            heldBytes += run
            if loading && from < loadedBytes.count { loadedBytes[from] += run }
            var offset: UInt64 = 0
            while offset < run {
                zeroFrame(base + offset)
                guard PageTables.mapUser(virtual: virtual, physical: base + offset, flags: flags, root: root, memory: &memory) else {
                    release(physical: base + offset, bytes: run - offset)
                    heldBytes -= run - offset
                    unmapPages(start: start, end: virtual)
                    return false
                }
                virtual += 4096
                offset += 4096
            }
        }
        if virtual < end {
            unmapPages(start: start, end: virtual)
            return false
        }
        regions.insert(UserRegion(start: start, end: end, protection: protection))
        return true
    }

    /// Frees the frames of [start, end) and clears their entries (tables stay until exit).
    func unmapPages(start: UInt64, end: UInt64) {
        var memory = tables
        var virtual = start
        while virtual < end {
            if let frame = PageTables.unmapUser(virtual: virtual, root: root, memory: &memory) {
                flush(virtual)
                release(physical: frame, bytes: 4096)
                heldBytes -= 4096
            }
            virtual += 4096
        }
    }

    /// "NUMA 0 120 KiB, NUMA 1 8772 KiB": where the loaded program's pages are.
    func loadedByNode() -> String {
        var parts: [String] = []
        for node in loadedBytes.indices where loadedBytes[node] > 0 { parts.append("NUMA \(node) \(loadedBytes[node] >> 10) KiB") }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }

    /// Every page of [start, end) that has a frame reads as zero again.
    func zeroPages(start: UInt64, end: UInt64) {
        let memory = tables
        var virtual = start
        while virtual < end {
            if let frame = PageTables.ownedFrame(virtual, root: root, memory: memory) { zeroFrame(frame) }
            virtual += 4096
        }
    }

    /// munmap's work after the invalidation: entries, frames, regions.
    func unmap(start: UInt64, end: UInt64) {
        for piece in regions.remove(start: start, end: end) { unmapPages(start: piece.start, end: piece.end) }
    }

    /// Every page of [start, end) (all mapped) gets `protection`.
    func protect(start: UInt64, end: UInt64, protection: UInt32) {
        var memory = tables
        let flags = PageTables.userLeafFlags(protection: protection)
        var virtual = start
        while virtual < end {
            _ = PageTables.protectUser(virtual: virtual, flags: flags, root: root, memory: &memory)
            flush(virtual)
            virtual += 4096
        }
        _ = regions.protect(start: start, end: end, protection: protection)
    }

    /// Asks Linux to drop the proxy's mappings of [start, end) and waits for the ACK,
    /// unless the proxy is gone. A KILL meanwhile is remembered (the caller ends the
    /// process after its call); the wait still needs the ACK, since the pages are freed.
    func invalidate(start: UInt64, end: UInt64) {
        guard !proxyGone else { return }
        let seq = nextInvalidate
        nextInvalidate += 1
        send(cpu, invalidatePacket(seq: seq, start: start, bytes: end - start))
        _ = waitFor(cpu, self, stopOnKill: false) { $0.type == MCOS_IKC_INVALIDATE_ACK && $0.seq == seq }
    }
}

// MARK: - The requests Linux sends to an idle CPU

/// PROC_CREATE, PROC_MAP, PROC_START, PROC_KILL on a CPU whose process has not
/// started (or that has none). START and KILL do not return.
func serveProcessRequest(_ cpu: Int, _ packet: IKCPacket) {
    guard let request = ProcessRequest(packet: packet) else { return }
    let state = cpuStates[cpu]
    switch request {
    case .create(let pid, let realtime, let monotonic, let numaMask):
        let tsc = Arch.cycles()  // the clock base: as close to Linux's reading as we get
        guard state.process == nil else {
            send(cpu, procReplyPacket(seq: packet.seq, result: -Errno.busy))
            return
        }
        let clock = ProcessClock(tscKHz: kernel.info.tscKHz, baseTSC: tsc, realtime: realtime, monotonic: monotonic)
        send(cpu, createProcess(cpu, pid: pid, clock: clock, numaMask: numaMask, seq: packet.seq))
    case .map(let start, let bytes, let protection):
        send(cpu, procReplyPacket(seq: packet.seq, result: mapForLoading(state.process, start: start, bytes: bytes, protection: protection)))
    case .start(let entry, let stack, let programBreak):
        guard let process = state.process, !process.started else {
            send(cpu, procReplyPacket(seq: packet.seq, result: state.process == nil ? -Errno.srch : -Errno.busy))
            return
        }
        startProcess(process, seq: packet.seq, entry: entry, stack: stack, programBreak: programBreak)
    case .kill(let signal, let proxyGone):
        guard let process = state.process else { return }
        process.proxyGone = process.proxyGone || proxyGone
        endProcess(process, status: ProcessEnd.signalStatus(signal))
    }
}

func createProcess(_ cpu: Int, pid: UInt64, clock: ProcessClock, numaMask: UInt32, seq: UInt64) -> IKCPacket {
    let cpuNode = kernel.info.cpus[cpu].node
    guard let memoryNodes = MemoryBinding.order(cpuNode: cpuNode, mask: numaMask, nodes: kernel.info.chunks.map { $0.node }) else {
        log(cpu, "process \(pid): NUMA mask \(LogLine.hex(UInt64(numaMask))) names a node without LWK memory: EINVAL")
        return procReplyPacket(seq: seq, result: -Errno.inval)
    }
    let free = freeBytes()
    var memory = ProcessTables(node: cpuNode)
    guard let root = PageTables.createRoot(kernelRoot: kernel.addressSpace, memory: &memory) else {
        return procReplyPacket(seq: seq, result: -Errno.noMem)
    }
    let state = cpuStates[cpu]
    state.process = Process(pid: pid, cpu: cpu, memoryNodes: memoryNodes, root: root, rootBytes: memory.allocated, clock: clock, freeAtCreate: free)
    let binding = numaMask == 0 ? "" : ", memory bound to NUMA \(memoryNodes.map { String($0) }.joined(separator: ","))"
    log(cpu, "process \(pid) created, page table root \(LogLine.hex(root))\(binding)")
    return procReplyPacket(seq: seq, result: 0, root: root)
}

func mapForLoading(_ process: Process?, start: UInt64, bytes: UInt64, protection: UInt32) -> Int64 {
    guard let process else { return -Errno.srch }
    guard !process.started else { return -Errno.busy }
    guard protection & ~UserSpace.protectionBits == 0, let range = UserSpace.range(start: start, bytes: bytes),
          !process.regions.overlaps(start: range.start, end: range.end) else { return -Errno.inval }
    return process.mapAnonymous(start: range.start, end: range.end, protection: protection, loading: true) ? 0 : -Errno.noMem
}

/// Final protections, the break, the reply, then user mode for good.
func startProcess(_ process: Process, seq: UInt64, entry: UInt64, stack: UInt64, programBreak: UInt64) {
    let executable = process.regions.region(containing: entry).map { $0.protection & MCOS_PROT_EXEC != 0 } ?? false
    let stackOK = process.regions.region(containing: stack).map { $0.protection & MCOS_PROT_WRITE != 0 } ?? false
    guard executable, stackOK, programBreak % 4096 == 0, UserSpace.range(start: programBreak, bytes: 4096) != nil else {
        send(process.cpu, procReplyPacket(seq: seq, result: -Errno.inval))
        return
    }
    // The proxy has dropped its mappings already (before START), so no INVALIDATE.
    for region in process.regions.regions { process.protect(start: region.start, end: region.end, protection: region.protection) }
    process.programBreak = ProgramBreak(start: programBreak)
    send(process.cpu, procReplyPacket(seq: seq, result: 0))
    log(process.cpu, "process \(process.pid) starts at \(LogLine.hex(entry)), stack \(LogLine.hex(stack)), \(process.regions.mappedBytes >> 10) KiB mapped: \(process.loadedByNode())")
    let state = cpuStates[process.cpu]
    process.started = true
    serveBeforeUserMode(process)  // a KILL right behind START ends it here
    Arch.switchAddressSpace(to: process.root)
    Arch.enterUserMode(entry: entry, stack: stack, cpu: state)
}

// MARK: - The end

/// Records how the process ended and continues on a fresh stack in processEnd.
func endProcess(_ process: Process, status: UInt32, faultAddress: UInt64 = 0, faultIP: UInt64 = 0) -> Never {
    process.status = status
    process.faultAddress = faultAddress
    process.faultIP = faultIP
    Arch.restart(onStack: cpuStates[process.cpu].stackTop, cpu: process.cpu)
}

/// INVALIDATE everything (unless the proxy is gone), free every frame and table page,
/// report PROC_EXIT, idle again.
@_cdecl("lwk_process_end")
func processEnd(_ cpuIndex: UInt64) {
    let cpu = Int(cpuIndex)
    let state = cpuStates[cpu]
    guard let process = state.process else { idle(cpu) }
    process.invalidate(start: MCOS_USER_START, end: MCOS_USER_END)
    Arch.switchAddressSpace(to: kernel.addressSpace)
    var memory = process.tables
    var freed: UInt64 = 0
    PageTables.destroy(root: process.root, memory: &memory) { physical, _ in
        release(physical: physical, bytes: 4096)
        freed += 4096
    }
    let leaked = process.heldBytes &- freed
    state.process = nil
    let free = freeBytes()
    log(cpu, "process \(process.pid) exited (status \(LogLine.hex(UInt64(process.status), digits: 4))), freed \(freed >> 10) KiB")
    if leaked != 0 { log(cpu, "BUG: process \(process.pid) held \(process.heldBytes >> 10) KiB but freed \(freed >> 10) KiB") }
    if free != process.freeAtCreate {
        log(cpu, "free memory \(free >> 10) KiB, was \(process.freeAtCreate >> 10) KiB at create (other CPUs' processes count too)")
    }
    send(cpu, procExitPacket(status: process.status, faultAddress: process.faultAddress, faultIP: process.faultIP))
    idle(cpu)
}

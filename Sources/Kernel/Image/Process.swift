import CMcosABI

// A program on an LWK CPU: one single-threaded process per CPU, created,
// filled and started by its proxy on Linux (mcexec) over the CPU's IKC channel. Its
// memory (ProcessMemory.swift) is mapped eagerly from the LWK's own chunks, 4 KiB
// pages, and described by a region map; the proxy maps the same frames.
//
// The object is the CPU's own, made once at boot and reset for every program
// (`begin`), never one per program: a process ends by abandoning the kernel stack it
// ran on (entry.S restarts at the top of it), and entering user mode abandons the
// idle loop's frames the same way, so a reference a frame there held is never
// released. Were each program an object of its own, every one would stay on the
// kernel heap for good (the heap ran out after a few hundred programs).

final class Process {
    let cpu: Int
    let node: Int
    /// Whether a program is on the CPU (from PROC_CREATE to its end).
    var live = false
    private(set) var pid: UInt64 = 0
    /// Where its pages come from, in order (MemoryBinding).
    private(set) var memoryNodes: [Int] = []
    /// The root of every address space this CPU's programs get, made once by `cpuSetup`
    /// and never freed: the module walks the tables from the root PROC_CREATE gave it
    /// until it reads PROC_EXIT, which may be long after the end (a request answered
    /// -EBUSY while the end waited for its INVALIDATE_ACK leaves PROC_EXIT in the
    /// ring). A root freed at the end could by then be another CPU's newer program's,
    /// and the older proxy would map that program's pages. Kept here, it has an empty
    /// user half until this CPU's next PROC_CREATE, which the module sends only after
    /// it has forgotten the program before.
    var root: UInt64 = 0
    /// With page-table isolation (pti=on), the root this CPU runs on in user mode: the
    /// same user half, a kernel half of the entry pages only; 0 without.
    var userRoot: UInt64 = 0
    private(set) var clock = ProcessClock(tscKHz: 1, baseTSC: 0, realtime: 0, monotonic: 0)
    var regions: RegionMap<ProcessPages>
    var programBreak = ProgramBreak(start: 0)
    var started = false
    /// Bytes of frames and table pages this process holds (0 again after teardown; the
    /// root is the CPU's); its region map's pages are counted apart, in `regions.pages`.
    var heldBytes: UInt64 = 0
    private(set) var freeAtCreate: UInt64 = 0
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
    /// Signals sent and not yet delivered (sigset bits), each with the siginfo of its
    /// first sending (`pendingInfo[signal]`; a pending signal is not queued twice).
    var pendingSignals: UInt64 = 0
    var pendingInfo = [SignalInfo](repeating: SignalInfo(signal: 0, code: 0), count: Int(Signal.count + 1))
    /// Signals sent so far: an offloaded call that came back with EINTR was
    /// interrupted by one when this moved while it waited.
    var signalsSent: UInt64 = 0
    /// The call a signal interrupted, for the delivery to restart or end with EINTR.
    var interruptedCall: InterruptedCall?
    /// The mask rt_sigsuspend replaced, which the handler's frame saves.
    var suspendedMask: UInt64?
    /// Per thread in Linux: the alternate signal stack, the last exception.
    var altStack = SignalStack()
    var trap = TrapState()
    /// The user stack pointer at the system call being served (sigaltstack's test).
    var syscallStackPointer: UInt64 = 0
    /// The user thread pointer (arch_prctl(ARCH_SET_FS) on x86-64).
    var threadPointer: UInt64 = 0
    var toldNoProcesses = false
    var toldFileMapping = false
    // How it ended.
    var status: UInt32 = 0
    var faultAddress: UInt64 = 0
    var faultIP: UInt64 = 0

    /// The CPU's process object, with no program yet.
    init(cpu: Int) {
        self.cpu = cpu
        node = kernel.info.cpus[cpu].node
        regions = RegionMap(pages: ProcessPages(node: node))
    }

    /// A new program: every field as PROC_CREATE leaves it. The arrays are cleared in
    /// place, so that a program costs the heap nothing.
    func begin(pid: UInt64, memoryNodes: [Int], clock: ProcessClock, freeAtCreate: UInt64) {
        live = true
        self.pid = pid
        self.memoryNodes = memoryNodes
        self.clock = clock
        regions = RegionMap(pages: ProcessPages(node: node), seed: Arch.cycles())
        programBreak = ProgramBreak(start: 0)
        started = false
        heldBytes = 0
        self.freeAtCreate = freeAtCreate
        proxyGone = false
        pendingKill = nil
        nextInvalidate = 1
        for index in signalActions.indices { signalActions[index] = 0 }
        signalMask = 0
        for index in loadedBytes.indices { loadedBytes[index] = 0 }
        pendingSignals = 0
        signalsSent = 0
        interruptedCall = nil
        suspendedMask = nil
        altStack = SignalStack()
        trap = TrapState()
        syscallStackPointer = 0
        threadPointer = 0
        toldNoProcesses = false
        toldFileMapping = false
        status = 0
        faultAddress = 0
        faultIP = 0
    }

    var tables: ProcessTables { ProcessTables(node: node, root: root, userRoot: userRoot) }

    /// "NUMA 0 120 KiB, NUMA 1 8772 KiB": where the loaded program's pages are.
    func loadedByNode() -> String {
        var parts: [String] = []
        for node in loadedBytes.indices where loadedBytes[node] > 0 { parts.append("NUMA \(node) \(loadedBytes[node] >> 10) KiB") }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
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
        // A KILL that came while a failed mapping waited for its INVALIDATE_ACK.
        if let process = state.process, let signal = process.pendingKill {
            endProcess(process, status: ProcessEnd.signalStatus(signal))
        }
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
    let program = cpuStates[cpu].program
    program.begin(pid: pid, memoryNodes: memoryNodes, clock: clock, freeAtCreate: freeBytes())
    let binding = numaMask == 0 ? "" : ", memory bound to NUMA \(memoryNodes.map { String($0) }.joined(separator: ","))"
    log(cpu, "process \(pid) created, page table root \(LogLine.hex(program.root))\(binding)")
    return procReplyPacket(seq: seq, result: 0, root: program.root)
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
    process.regions.forEach(from: MCOS_USER_START, to: MCOS_USER_END) { region in
        process.setPageFlags(start: region.start, end: region.end, protection: region.protection)
    }
    process.programBreak = ProgramBreak(start: programBreak)
    send(process.cpu, procReplyPacket(seq: seq, result: 0))
    log(process.cpu, "process \(process.pid) starts at \(LogLine.hex(entry)), stack \(LogLine.hex(stack)), \(process.regions.mappedBytes >> 10) KiB mapped: \(process.loadedByNode())")
    let state = cpuStates[process.cpu]
    process.started = true
    noteProcessStart(process.cpu)
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
    noteProcessStop(process.cpu)
    Arch.restart(onStack: cpuStates[process.cpu].stackTop, cpu: process.cpu)
}

/// Off its page tables, which nothing finds a page in any more; INVALIDATE everything,
/// saying the process ends (unless the proxy is gone), so Linux walks its tables no
/// more; then every frame, table page (but the CPU's root, which a walk that still
/// happened would find empty) and region node is freed (ProcessMemory.swift says why in
/// this order); PROC_EXIT; idle again.
@_cdecl("lwk_process_end")
func processEnd(_ cpuIndex: UInt64) {
    let cpu = Int(cpuIndex)
    let state = cpuStates[cpu]
    guard let process = state.process else { idle(cpu) }
    Arch.switchAddressSpace(to: kernel.addressSpace)
    var memory = process.tables
    PageTables.detachUserHalf(root: process.root, memory: &memory)
    process.invalidate(start: MCOS_USER_START, end: MCOS_USER_END, processEnds: true)
    var freed: UInt64 = 0
    PageTables.emptyUserHalf(root: process.root, memory: &memory) { physical, _ in
        release(physical: physical, bytes: 4096)
        freed += 4096
    }
    let leaked = process.heldBytes &- freed
    if leaked != 0 { log(cpu, "BUG: process \(process.pid) held \(process.heldBytes >> 10) KiB but freed \(freed >> 10) KiB") }
    freed += process.regions.pages.bytes
    process.regions.releaseAll()
    process.live = false
    let free = freeBytes()
    // What a program leaves on the kernel heap shows here: the same after every one.
    let heap = lwk_heap_used()
    log(cpu, "process \(process.pid) exited (status \(LogLine.hex(UInt64(process.status), digits: 4))), freed \(freed >> 10) KiB, kernel heap \(heap) bytes in use\(whileItRan(process))")
    if free != process.freeAtCreate {
        log(cpu, "free memory \(free >> 10) KiB, was \(process.freeAtCreate >> 10) KiB at create (other CPUs' processes count too)")
    }
    send(cpu, procExitPacket(status: process.status, faultAddress: process.faultAddress, faultIP: process.faultIP))
    idle(cpu)
}

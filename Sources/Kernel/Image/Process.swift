import CMcosABI

// A program on the LWK: a process created, filled and started by its proxy on Linux
// (mcexec) over its first CPU's IKC channel, and the threads it creates, one per LWK
// CPU (Threads.swift). Its memory (ProcessMemory.swift) is mapped eagerly from the
// LWK's own chunks, 4 KiB pages, and described by a region map; the proxy maps the
// same frames.
//
// Each CPU has one object of this class, made at boot and reset for every use, never
// one per program: a thread ends by abandoning the kernel stack it ran on (entry.S
// restarts at the top of it), and entering user mode abandons the idle loop's frames
// the same way, so a reference a frame there held is never released. Were each
// program an object of its own, every one would stay on the kernel heap for good (the
// heap ran out after a few hundred programs).
//
// The object is what Linux calls a task: the thread on its CPU. The process's own
// state (memory, signal actions, how it ends) lives in its leader's object, the CPU
// the proxy created it on, and every thread reaches it through `leader`, as Linux's
// tasks reach their mm and signal structures.

final class Process {
    let cpu: Int
    let node: Int
    /// Whether the object is in use: a leader from PROC_CREATE to the process's end, a
    /// thread from its start to its end.
    var live = false
    /// The CPU whose object holds the process's state: this one for a leader.
    private(set) var leaderCPU: Int
    var leader: Process { leaderCPU == cpu ? self : cpuStates[leaderCPU].program }
    var isLeader: Bool { leaderCPU == cpu }
    /// Linux's tid of the thread: the leader's is the pid, a thread's its proxy thread's.
    private(set) var tid: UInt64 = 0

    // MARK: The thread's own state

    var signalMask: UInt64 = 0
    /// Signals sent to this thread (or to the process and picked for it) and not yet
    /// delivered (sigset bits), each with the siginfo of its first sending
    /// (`pendingInfo[signal]`; a pending signal is not queued twice).
    var pendingSignals: UInt64 = 0
    var pendingInfo = [SignalInfo](repeating: SignalInfo(signal: 0, code: 0), count: Int(Signal.count + 1))
    /// Signals sent so far: an offloaded call that came back with EINTR was
    /// interrupted by one when this moved while it waited.
    var signalsSent: UInt64 = 0
    /// The call a signal interrupted, for the delivery to restart or end with EINTR.
    var interruptedCall: InterruptedCall?
    /// The mask rt_sigsuspend replaced, which the handler's frame saves.
    var suspendedMask: UInt64?
    /// The alternate signal stack, the last exception.
    var altStack = SignalStack()
    var trap = TrapState()
    /// The user stack pointer at the system call being served (sigaltstack's test).
    var syscallStackPointer: UInt64 = 0
    /// The user thread pointer (arch_prctl(ARCH_SET_FS) on x86-64).
    var threadPointer: UInt64 = 0
    /// set_tid_address / CLONE_CHILD_CLEARTID, set_robust_list (ThreadExit).
    var clearChildTID: UInt64 = 0
    var robustList: UInt64 = 0
    /// How the thread's own exit ended it (exit(2) of a thread that is not the last).
    var threadStatus: UInt32 = 0
    /// While the thread waits in fork: the token its child's PROC_FORK names (0: none),
    /// its registers at the call and the request (Fork.swift).
    var forkToken: UInt64 = 0
    var forkFrame: UnsafeMutablePointer<lwk_frame>?
    var forkRequest: CloneRequest?

    // MARK: The process's state, kept in the leader's object

    private var ownPID: UInt64 = 0
    private var ownMemoryNodes: [Int] = []
    /// The root of every address space this CPU's programs get, made once by `cpuSetup`
    /// and never freed: the module walks the tables from the root PROC_CREATE gave it
    /// until it reads PROC_EXIT, which may be long after the end (a request answered
    /// -EBUSY while the end waited for its INVALIDATE_ACK leaves PROC_EXIT in the
    /// ring). A root freed at the end could by then be another CPU's newer program's,
    /// and the older proxy would map that program's pages. Kept here, it has an empty
    /// user half until this CPU's next PROC_CREATE, which the module sends only after
    /// it has forgotten the program before. Threads on other CPUs run on it too.
    var ownRoot: UInt64 = 0
    /// With page-table isolation (pti=on), the root this CPU runs on in user mode: the
    /// same user half, a kernel half of the entry pages only; 0 without.
    var ownUserRoot: UInt64 = 0
    private var ownClock = ProcessClock(tscKHz: 1, baseTSC: 0, realtime: 0, monotonic: 0)
    private var ownRegions: RegionMap<ProcessPages>
    private var ownProgramBreak = ProgramBreak(start: 0)
    private var ownStarted = false
    private var ownHeldBytes: UInt64 = 0
    private var ownFreeAtCreate: UInt64 = 0
    private var ownProxyGone = false
    private var ownPendingKill: UInt32?
    private var ownNextInvalidate: UInt64 = 1
    private var ownSignalActions = [UInt64](repeating: 0, count: Int(Signal.count + 1) * SignalAction.words)
    private var ownLoadedBytes = [UInt64](repeating: 0, count: 32)
    /// Its System V shared memory attachments, and the token the next one gets.
    private var ownSegments: [AttachedSegment] = []
    private var ownNextSegmentToken: UInt64 = 1
    private var ownToldFileMapping = false
    /// This CPU's two lists of Linux frames (struct mcos_pin_list, physical; 0 until
    /// first needed, then kept): the frames a FILE_SHARE brings, and those going back.
    var shareList: UInt64 = 0
    var unpinList: UInt64 = 0
    /// This CPU's page for copies between two programs (CrossMemory.swift; physical, 0
    /// until first needed, then kept).
    var bounce: UInt64 = 0
    private var ownStatus: UInt32 = 0
    private var ownFaultAddress: UInt64 = 0
    private var ownFaultIP: UInt64 = 0
    private var ownExecSignals: KeptSignals?
    /// How many LWK CPUs the process's threads may hold at once (0: no bound but the
    /// idle ones); whether the log told of a limit of its threads yet (Threads.swift).
    var ownMostCPUs: Int = 0
    /// Its creator's uid, as the module told (a fork's child has its parent's).
    var ownUID: UInt32 = 0
    var uid: UInt32 { leader.ownUID }
    /// The LWK CPUs its threads may run on (PROC_CPUS; a fork's child keeps its parent's).
    var ownShare = CPUShare.all
    /// Which program this is since the LWK booted (a pid Linux hands out again names
    /// another), and the proxy's kept yeses to copies with others (CrossMemoryCopy.swift).
    private var ownSerial: UInt64 = 0
    private var ownGrants = CrossMemoryGrants()
    var serial: UInt64 { leader.ownSerial }
    var grants: CrossMemoryGrants {
        _read { yield leader.ownGrants }
        _modify { yield &leader.ownGrants }
    }
    var ownToldThreads = false
    var pid: UInt64 { leader.ownPID }
    var memoryNodes: [Int] { leader.ownMemoryNodes }
    var root: UInt64 { leader.ownRoot }
    var userRoot: UInt64 { leader.ownUserRoot }
    var clock: ProcessClock { leader.ownClock }
    var regions: RegionMap<ProcessPages> {
        _read { yield leader.ownRegions }
        _modify { yield &leader.ownRegions }
    }
    var programBreak: ProgramBreak {
        get { leader.ownProgramBreak }
        set { leader.ownProgramBreak = newValue }
    }
    var segments: [AttachedSegment] {
        _read { yield leader.ownSegments }
        _modify { yield &leader.ownSegments }
    }
    var nextSegmentToken: UInt64 {
        get { leader.ownNextSegmentToken }
        set { leader.ownNextSegmentToken = newValue }
    }
    var started: Bool {
        get { leader.ownStarted }
        set { leader.ownStarted = newValue }
    }
    /// Bytes of frames and table pages this process holds (0 again after teardown; the
    /// root is the CPU's); its region map's pages are counted apart, in `regions.pages`.
    var heldBytes: UInt64 {
        get { leader.ownHeldBytes }
        set { leader.ownHeldBytes = newValue }
    }
    var freeAtCreate: UInt64 { leader.ownFreeAtCreate }
    /// A KILL arrived with MCOS_KILL_PROXY_GONE: nobody answers INVALIDATE any more.
    var proxyGone: Bool {
        get { leader.ownProxyGone }
        set { leader.ownProxyGone = newValue }
    }
    /// A signal that ends the process, to be carried out before any thread runs again.
    var pendingKill: UInt32? {
        get { leader.ownPendingKill }
        set { leader.ownPendingKill = newValue }
    }
    var nextInvalidate: UInt64 {
        get { leader.ownNextInvalidate }
        set { leader.ownNextInvalidate = newValue }
    }
    /// rt_sigaction's struct per signal (handler, flags, restorer, mask), 1...64.
    var signalActions: [UInt64] {
        _read { yield leader.ownSignalActions }
        _modify { yield &leader.ownSignalActions }
    }
    /// Bytes taken per NUMA node (0..<32) while the proxy loaded the program, for the
    /// start line of the log (a load that fails is never started, so never shown).
    var loadedBytes: [UInt64] {
        _read { yield leader.ownLoadedBytes }
        _modify { yield &leader.ownLoadedBytes }
    }
    var toldFileMapping: Bool {
        get { leader.ownToldFileMapping }
        set { leader.ownToldFileMapping = newValue }
    }
    /// How the process ended.
    var status: UInt32 {
        get { leader.ownStatus }
        set { leader.ownStatus = newValue }
    }
    var faultAddress: UInt64 {
        get { leader.ownFaultAddress }
        set { leader.ownFaultAddress = newValue }
    }
    var faultIP: UInt64 {
        get { leader.ownFaultIP }
        set { leader.ownFaultIP = newValue }
    }
    /// Set when the process ended by execve: what the next program keeps.
    var execSignals: KeptSignals? {
        get { leader.ownExecSignals }
        set { leader.ownExecSignals = newValue }
    }

    /// The CPU's object, with no program yet.
    init(cpu: Int) {
        self.cpu = cpu
        leaderCPU = cpu
        node = nodeOf(context: cpu)
        ownRegions = RegionMap(pages: ProcessPages(node: node))
    }

    /// A new program led from this CPU: every field as PROC_CREATE leaves it. The arrays
    /// are cleared in place, so that a program costs the heap nothing.
    func begin(pid: UInt64, memoryNodes: [Int], clock: ProcessClock, freeAtCreate: UInt64, mostCPUs: Int, uid: UInt32, share: CPUShare) {
        leaderCPU = cpu
        live = true
        tid = pid
        resetThreadState()
        ownPID = pid
        ownMemoryNodes = memoryNodes
        ownClock = clock
        ownRegions = RegionMap(pages: ProcessPages(node: node), seed: Arch.cycles())
        ownProgramBreak = ProgramBreak(start: 0)
        ownStarted = false
        ownHeldBytes = 0
        ownFreeAtCreate = freeAtCreate
        ownProxyGone = false
        ownPendingKill = nil
        ownNextInvalidate = 1
        for index in ownSignalActions.indices { ownSignalActions[index] = 0 }
        for index in ownLoadedBytes.indices { ownLoadedBytes[index] = 0 }
        ownToldFileMapping = false
        ownStatus = 0
        ownFaultAddress = 0
        ownFaultIP = 0
        ownExecSignals = nil
        ownMostCPUs = mostCPUs
        ownUID = uid
        ownShare = share
        programsBegun += 1  // under placementLock, as every begin is
        ownSerial = programsBegun
        ownGrants.forgetAll()
        ownSegments.removeAll(keepingCapacity: true)
        ownNextSegmentToken = 1
        ownToldThreads = false
        mailbox.resetLeader()
    }

    /// A new thread of the process led from `leaderCPU`, as clone leaves it: its
    /// signal mask inherited, its alternate stack off, nothing pending.
    func beginThread(leaderCPU: Int, tid: UInt64, signalMask: UInt64, threadPointer: UInt64, clearChildTID: UInt64) {
        self.leaderCPU = leaderCPU
        self.tid = tid
        resetThreadState()
        self.signalMask = signalMask
        self.threadPointer = threadPointer
        self.clearChildTID = clearChildTID
        lwk_store32(mailbox.futexWoken, 0)
        live = true
    }

    private func resetThreadState() {
        signalMask = 0
        pendingSignals = 0
        signalsSent = 0
        interruptedCall = nil
        suspendedMask = nil
        altStack = SignalStack()
        trap = TrapState()
        syscallStackPointer = 0
        threadPointer = 0
        clearChildTID = 0
        robustList = 0
        threadStatus = 0
        forkToken = 0
        forkFrame = nil
        forkRequest = nil
    }

    var tables: ProcessTables { ProcessTables(node: node, root: root, userRoot: userRoot, threadsOf: userRoot != 0 ? leader : nil) }

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
    case .create(let pid, let realtime, let monotonic, let numaMask, let mostCPUs, let uid):
        let tsc = Arch.cycles()  // the clock base: as close to Linux's reading as we get
        let clock = ProcessClock(tscKHz: kernel.info.tscKHz, baseTSC: tsc, realtime: realtime, monotonic: monotonic)
        send(cpu, createProcess(cpu, pid: pid, clock: clock, numaMask: numaMask, mostCPUs: mostCPUs, uid: uid, seq: packet.seq))
    case .cpus(let share):
        send(cpu, procReplyPacket(seq: packet.seq, result: shareCPUs(state.process, share)))
    case .map(let start, let bytes, let protection):
        send(cpu, procReplyPacket(seq: packet.seq, result: mapForLoading(state.process, start: start, bytes: bytes, protection: protection)))
        // A KILL that came while a failed mapping waited for its INVALIDATE_ACK.
        if let process = state.process, let signal = process.pendingKill {
            endProcess(process, status: ProcessEnd.signalStatus(signal))
        }
    case .start(let entry, let stack, let programBreak, let signals):
        guard let process = state.process, !process.started else {
            send(cpu, procReplyPacket(seq: packet.seq, result: state.process == nil ? -Errno.srch : -Errno.busy))
            return
        }
        startProcess(process, seq: packet.seq, entry: entry, stack: stack, programBreak: programBreak, signals: signals)
    case .fork(let pid, let realtime, let monotonic, let numaMask, let parentCPU, let token):
        let clock = ProcessClock(tscKHz: kernel.info.tscKHz, baseTSC: Arch.cycles(), realtime: realtime, monotonic: monotonic)
        forkChild(cpu, pid: pid, clock: clock, numaMask: numaMask, parentCPU: parentCPU, token: token, seq: packet.seq)
    case .kill(let signal, let proxyGone, _, _):
        guard let process = state.process else { return }
        process.proxyGone = process.proxyGone || proxyGone
        endProcess(process, status: ProcessEnd.signalStatus(signal))
    }
}

/// A new process led from `cpu`, unless the CPU is busy: a thread of another process
/// may have taken it (or be about to) since the module chose it (EBUSY: it tries another).
func createProcess(_ cpu: Int, pid: UInt64, clock: ProcessClock, numaMask: UInt32, mostCPUs: UInt64, uid: UInt32, seq: UInt64) -> IKCPacket {
    if let error = beginProcess(cpu, pid: pid, clock: clock, numaMask: numaMask, mostCPUs: mostCPUs, uid: uid) {
        return procReplyPacket(seq: seq, result: -error)
    }
    let program = cpuStates[cpu].program
    let binding = numaMask == 0 ? "" : ", memory bound to NUMA \(program.memoryNodes.map { String($0) }.joined(separator: ","))"
    log(cpu, "process \(pid) created, page table root \(LogLine.hex(program.root))\(binding)")
    return procReplyPacket(seq: seq, result: 0, root: program.root)
}

/// `cpu`'s object begins a process (PROC_CREATE, PROC_FORK), or the errno why not.
func beginProcess(_ cpu: Int, pid: UInt64, clock: ProcessClock, numaMask: UInt32, mostCPUs: UInt64, uid: UInt32,
                  share: CPUShare = .all) -> Errno? {
    let cpuNode = nodeOf(context: cpu)
    guard let memoryNodes = MemoryBinding.order(cpuNode: cpuNode, mask: numaMask, nodes: kernel.info.chunks.map { $0.node }) else {
        log(cpu, "process \(pid): NUMA mask \(LogLine.hex(UInt64(numaMask))) names a node without LWK memory: EINVAL")
        return .inval
    }
    lwk_spin_lock(&placementLock)
    defer { lwk_spin_unlock(&placementLock) }
    guard isIdle(cpu) else { return .busy }
    cpuStates[cpu].program.begin(pid: pid, memoryNodes: memoryNodes, clock: clock, freeAtCreate: freeBytes(),
                                 mostCPUs: Int(clamping: min(mostCPUs, UInt64(cpuStates.count))), uid: uid, share: share)
    return nil
}

/// PROC_CPUS: the process keeps to `share` from now on. It must hold the process's own
/// CPU: the module chose that one within it.
func shareCPUs(_ process: Process?, _ share: CPUShare) -> Int64 {
    guard let process else { return -Errno.srch }
    guard !process.started else { return -Errno.busy }
    let own = cpuIndex(of: process.cpu)
    guard share.contains(own) else { return -Errno.inval }
    process.ownShare = share
    let members = share.members(of: cores.count)
    log(process.cpu, "process \(process.pid) runs on LWK CPUs \(LogLine.cpuList(members)) (its share)")
    return 0
}

func mapForLoading(_ process: Process?, start: UInt64, bytes: UInt64, protection: UInt32) -> Int64 {
    guard let process else { return -Errno.srch }
    guard !process.started else { return -Errno.busy }
    guard protection & ~UserSpace.protectionBits == 0, let range = UserSpace.range(start: start, bytes: bytes),
          !process.regions.overlaps(start: range.start, end: range.end) else { return -Errno.inval }
    return process.mapAnonymous(start: range.start, end: range.end, protection: protection, loading: true) ? 0 : -Errno.noMem
}

/// Final protections, the break, the signals execve kept (none for a new program), the
/// reply, then user mode for good.
func startProcess(_ process: Process, seq: UInt64, entry: UInt64, stack: UInt64, programBreak: UInt64, signals: KeptSignals) {
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
    keep(signals, process)
    send(process.cpu, procReplyPacket(seq: seq, result: 0))
    log(process.cpu, "process \(process.pid) starts at \(LogLine.hex(entry)), stack \(LogLine.hex(stack)), \(process.regions.mappedBytes >> 10) KiB mapped: \(process.loadedByNode())")
    let state = cpuStates[process.cpu]
    process.started = true
    noteProcessStart(process.cpu)
    serveBeforeUserMode(process)  // a KILL right behind START ends it here
    headForUserMode(process.cpu)
    Arch.switchAddressSpace(to: process.root)
    Arch.enterUserMode(entry: entry, stack: stack, cpu: state)
}

/// What a program exec'd from another starts with: its blocked mask, the signals
/// pending (who sent them is not kept: each reads as SI_USER with no sender), the
/// dispositions left ignored.
private func keep(_ signals: KeptSignals, _ process: Process) {
    guard signals != .none else { return }
    process.signalMask = signals.blocked
    for signal in 1...Signal.count where signals.ignored & Signal.bit(signal) != 0 {
        process.setAction(signal, SignalDisposition(handler: SignalDisposition.ignoreHandler))
    }
    for signal in 1...Signal.count where signals.pending & Signal.bit(signal) != 0 {
        makePending(signal, info: SignalInfo(signal: signal, code: SignalCode.user), process)
    }
}

// MARK: - The end

/// The process ends as a whole (exit_group, a fatal signal, a fault): the first
/// ending's status counts; every other thread stops, and this one continues on a fresh
/// stack in processEnd.
func endProcess(_ process: Process, status: UInt32, faultAddress: UInt64 = 0, faultIP: UInt64 = 0, proxyBusy: Bool = false,
                execing: KeptSignals? = nil) -> Never {
    if lwk_cmpxchg32(process.leader.mailbox.groupExit, 0, 1) == 0 {
        process.status = status
        process.faultAddress = faultAddress
        process.faultIP = faultIP
        process.execSignals = execing
        stopOtherThreads(process)
    }
    if !proxyBusy && process.hasOtherThreads { interruptOtherCalls(process) }
    noteProcessStop(process.cpu)
    Arch.restart(onStack: cpuStates[process.cpu].stackTop, cpu: process.cpu)
}

/// Off its page tables, which nothing finds a page in any more. A thread ends alone
/// (Threads.swift). The leader waits for the other threads, then INVALIDATEs
/// everything, saying the process ends (unless the proxy is gone), so Linux walks its
/// tables no more; then every frame, table page (but the CPU's root, which a walk that
/// still happened would find empty) and region node is freed (ProcessMemory.swift says
/// why in this order); PROC_EXIT; idle again.
@_cdecl("lwk_process_end")
func processEnd(_ cpuIndex: UInt64) {
    let cpu = Int(cpuIndex)
    let state = cpuStates[cpu]
    guard let process = state.process else { idle(cpu) }
    Arch.switchAddressSpace(to: kernel.addressSpace)
    guard process.isLeader else { threadEnd(process) }
    waitForOtherThreads(process)
    releaseReservations(of: process)
    let freed = releaseMemory(of: process)
    lwk_spin_lock(&placementLock)
    process.live = false
    lwk_spin_unlock(&placementLock)
    logEnd(process, freed: freed)
    if let kept = process.execSignals {
        send(cpu, procExecPacket(signals: kept))
    } else {
        send(cpu, procExitPacket(status: process.status, faultAddress: process.faultAddress, faultIP: process.faultIP))
    }
    idle(cpu)
}

/// The end's lines of the log. A function of its own: the strings it makes are freed
/// when it returns, where a local of processEnd would never be (idle does not return,
/// and what its caller's frame holds is abandoned with it).
private func logEnd(_ process: Process, freed: UInt64) {
    let free = freeBytes()
    // What a program leaves on the kernel heap shows here: the same after every one.
    let heap = lwk_heap_used()
    let ending = process.execSignals == nil ? "exited (status \(LogLine.hex(UInt64(process.status), digits: 4)))" : "execs a new program"
    log(process.cpu, "process \(process.pid) \(ending), freed \(freed >> 10) KiB, kernel heap \(heap) bytes in use\(whileItRan(process))")
    if free != process.freeAtCreate {
        log(process.cpu, "free memory \(free >> 10) KiB, was \(process.freeAtCreate >> 10) KiB at create (other CPUs' processes count too)")
    }
}

/// Every frame, table page (but the CPU's root, which a walk that still happened
/// would find empty) and region node of the process, in ProcessMemory.swift's order;
/// the bytes let go of (a shared frame another process maps stays, for it).
func releaseMemory(of process: Process) -> UInt64 {
    var memory = process.tables
    PageTables.detachUserHalf(root: process.root, memory: &memory)
    process.invalidate(start: MCOS_USER_START, end: MCOS_USER_END, processEnds: true)
    var freed: UInt64 = 0
    PageTables.emptyUserHalf(root: process.root, memory: &memory) { frame, table in
        if table { release(physical: frame, bytes: 4096) } else { releaseUserFrame(frame, of: process) }
        freed += 4096
    }
    process.giveBackLinuxFrames()
    let leaked = process.heldBytes &- freed
    if leaked != 0 { log(process.cpu, "BUG: process \(process.pid) held \(process.heldBytes >> 10) KiB but freed \(freed >> 10) KiB") }
    process.heldBytes = 0
    freed += process.regions.pages.bytes
    process.regions.releaseAll()
    return freed
}

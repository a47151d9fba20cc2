import CMcosABI

// Threads: a process spreads over LWK CPUs, one thread per context, so that without
// time_sharing no CPU is ever shared and none needs a tick (with it, a CPU takes turns
// among its contexts: Scheduler.swift). clone places a new thread on an idle context of
// the process's least busy CPU nearest its parent, asks the proxy for a proxy thread
// attached to that context's channel (whose Linux tid becomes the thread's), and starts
// it there with its parent's registers. The threads share the process's memory: they
// change it under the process lock, and a change that takes a page away makes every
// other CPU of the process forget it (a TLB shootdown) before its frame is freed. A
// thread's end clears and wakes its clear_child_tid (pthread_join); the leader, whose
// object holds the process, ends it once every other thread is gone.

/// The words other CPUs change in a CPU's life, each in its own stable slot: what Swift
/// stores in a class may move, an atomic instruction's operand must not.
final class CPUMailbox {
    private let words: UnsafeMutablePointer<UInt32>
    private enum Slot: Int, CaseIterable { case flush, start, reserved, futexWoken, inCall, lock, otherThreads, groupExit, leaderGone, forkCopies }

    init() {
        words = UnsafeMutablePointer<UInt32>.allocate(capacity: Slot.allCases.count)
        words.initialize(repeating: 0, count: Slot.allCases.count)
    }

    private func at(_ slot: Slot) -> UnsafeMutablePointer<UInt32> { words + slot.rawValue }

    /// 1 while another CPU waits for this one to flush its TLB.
    var flush: UnsafeMutablePointer<UInt32> { at(.flush) }
    /// 1 once the new thread's registers are in `startFrame`.
    var start: UnsafeMutablePointer<UInt32> { at(.start) }
    /// The leader CPU + 1 of a process that is starting a thread here; 0 if none.
    var reserved: UnsafeMutablePointer<UInt32> { at(.reserved) }
    /// A futex wake for this CPU's thread: the element's index + 1; 0 while none came.
    var futexWoken: UnsafeMutablePointer<UInt32> { at(.futexWoken) }
    /// 1 while this CPU's thread waits for an offloaded call, or ended while its proxy
    /// thread still performs one: a signal for it, or its process's end, must also end
    /// the call on Linux (MCOS_PROXY_INTERRUPT).
    var inCall: UnsafeMutablePointer<UInt32> { at(.inCall) }
    // A leader's: its process's lock, its other threads, whether it ends as a whole,
    // whether the leader's own thread is gone already.
    var lock: UnsafeMutablePointer<UInt32> { at(.lock) }
    var otherThreads: UnsafeMutablePointer<UInt32> { at(.otherThreads) }
    var groupExit: UnsafeMutablePointer<UInt32> { at(.groupExit) }
    var leaderGone: UnsafeMutablePointer<UInt32> { at(.leaderGone) }
    /// Forks' children copying from the process led from this CPU now: its end waits
    /// for them. Only forkChild counts, up and down, whichever process it finds here;
    /// a new process does not reset it: a copier that found the one before (and will
    /// refuse) may still hold its pin, and a reset would leave the count short of it.
    var forkCopies: UnsafeMutablePointer<UInt32> { at(.forkCopies) }

    /// A new process led from this CPU: its words as PROC_CREATE leaves them.
    func resetLeader() {
        for slot in [Slot.inCall, .lock, .otherThreads, .groupExit, .leaderGone] { lwk_store32(at(slot), 0) }
    }
}

extension Process {
    var mailbox: CPUMailbox { cpuStates[cpu].mailbox }
    /// Whether the process ends as a whole (exit_group, a fatal signal): every thread
    /// stops where it is.
    var processEnds: Bool { lwk_load32(leader.mailbox.groupExit) != 0 || pendingKill != nil }
    /// The threads that run now, this one included (the leader's only while its own
    /// thread has not exited, unless `withEndingLeader`: its end waits for the others).
    func forEachThread(withEndingLeader: Bool = false, _ body: (Process) -> Void) {
        let leaderCPU = self.leader.cpu
        for state in cpuStates {
            let thread = state.program
            guard thread.live, thread.leader.cpu == leaderCPU else { continue }
            if !withEndingLeader && thread.isLeader && lwk_load32(thread.mailbox.leaderGone) != 0 { continue }
            body(thread)
        }
    }
    var hasOtherThreads: Bool { lwk_load32(leader.mailbox.otherThreads) != 0 }

    /// The thread of this process whose id is `tid` (0: this one), nil if none is.
    func thread(withID tid: UInt64) -> Process? {
        if tid == 0 || tid == self.tid { return self }
        var found: Process?
        forEachThread { if $0.tid == tid { found = $0 } }
        return found
    }
}

/// The LWK CPU whose live task, of whichever process, is thread `tid`.
func cpuRunning(tid: UInt64) -> Int? {
    cpuStates.firstIndex { $0.program.live && $0.program.tid == tid }
}

/// Wakes context `cpu` from its wait or user mode; it looks at its mailbox and its
/// channel. One of this CPU's own needs no interrupt.
func kick(_ cpu: Int) {
    let here = currentCPU()
    guard cpu != here else { return }
    if here >= 0 && cpuIndex(of: here) == cpuIndex(of: cpu) {
        wakeHere(cpu)
        return
    }
    kernel.interrupts.interrupt(apicID: kernel.info.cpus[cpuIndex(of: cpu)].apicID, vector: UInt32(MCOS_IKC_VECTOR))
}

// MARK: - The process lock

/// Ends `t` here when its process ends (a signal or another thread ended it): what a
/// CPU checks while it waits in the kernel.
func endIfProcessEnds(_ t: Process) {
    if t.processEnds { endProcess(t, status: ProcessEnd.signalStatus(t.pendingKill ?? Signal.kill)) }
}

/// One turn of a CPU that spins in the kernel for another: it answers TLB shootdowns
/// (the other may be waiting for this one), and its thread ends if the process does.
func spinServing(_ t: Process) {
    serveFlush(t.cpu)
    endIfProcessEnds(t)
    spinTurn(t.cpu)
}

/// `body` with the process's lock held: the threads' changes of its memory and of the
/// signal actions, and the kernel's reads and writes of its user memory, one at a time.
/// While it waits, this CPU spins serving (spinServing).
func withProcessLock<R>(_ t: Process, _ body: () -> R) -> R {
    withLock(of: t, whileWaiting: { spinServing(t) }, body)
}

/// `body` with the lock of a process none of whose threads runs on this context (the
/// parent a fork's child copies): it only waits, and lets the CPU's other contexts run
/// meanwhile, since serving on that process's behalf would flush or end it on the
/// wrong CPU.
func withLockOfProcess<R>(_ t: Process, _ body: () -> R) -> R {
    let cpu = currentCPU()
    return withLock(of: t, whileWaiting: { spinTurn(cpu) }, body)
}

private func withLock<R>(of t: Process, whileWaiting wait: () -> Void, _ body: () -> R) -> R {
    let lock = t.leader.mailbox.lock
    while lwk_spin_trylock(lock, 0) == 0 { wait() }
    let result = body()
    lwk_spin_unlock(lock)
    return result
}

// MARK: - TLB shootdown

/// After the process's page tables lost or changed entries (under its lock): every
/// other CPU running one of its threads flushes its TLB before this returns, so that
/// none keeps reaching a frame about to be freed. (Threads on this CPU share its TLB,
/// which the caller flushed.) While it waits it serves what others ask of this CPU: a
/// CPU it waits for may be waiting for this one.
func shootDown(_ t: Process) {
    guard t.hasOtherThreads || !t.isLeader else { return }
    let here = cpuIndex(of: t.cpu)
    var asked: [Int] = []
    t.forEachThread { thread in
        guard cpuIndex(of: thread.cpu) != here else { return }
        lwk_store32(thread.mailbox.flush, 1)
        kick(thread.cpu)
        asked.append(thread.cpu)
    }
    for cpu in asked {
        while lwk_load32(cpuStates[cpu].mailbox.flush) != 0 {
            serveCoreFlushes(cores[here])
            Arch.relax()
        }
    }
}

/// A shootdown asked of this CPU: the whole TLB forgotten (a full reload of CR3).
func serveFlush(_ cpu: Int) {
    guard cpu >= 0 else { return }
    let word = cpuStates[cpu].mailbox.flush
    guard lwk_load32(word) != 0 else { return }
    Arch.flushTLB()
    lwk_store32(word, 0)
}

// MARK: - Placement

nonisolated(unsafe) var placementLock: UInt32 = 0
/// Programs begun since boot, under placementLock: the last one's serial.
nonisolated(unsafe) var programsBegun: UInt64 = 0

/// Whether nobody uses `cpu`: no process, no thread, none starting. Under placementLock.
func isIdle(_ cpu: Int) -> Bool {
    let state = cpuStates[cpu]
    return !state.program.live && lwk_load32(state.mailbox.reserved) == 0
}

/// An idle context for a new thread of `t`'s process, reserved for it, on the CPU of
/// the process's (processCPUs) that runs the fewest threads, nearest `t`'s; without
/// time_sharing only on an idle CPU. nil when none is left besides `tried`.
func reserveCPU(for t: Process, excluding tried: [Int]) -> Int? {
    lwk_spin_lock(&placementLock)
    defer { lwk_spin_unlock(&placementLock) }
    let (load, idle) = occupancy(excluding: tried)
    let candidates = processCPUs(t, load: load).filter { idle[$0] >= 0 }
    let exclusive = contextLayout.perCPU == 1
    guard case .cpu(let cpu) = CPUPlacement(kernel.info).place(allowed: candidates, threads: load, near: cpuIndex(of: t.cpu),
                                                               exclusive: exclusive) else {
        return nil
    }
    let context = idle[cpu]
    lwk_store32(cpuStates[context].mailbox.reserved, UInt32(t.leader.cpu + 1))
    return context
}

/// Per LWK CPU, under placementLock: how many of its contexts are in use (a process, a
/// thread, one reserved), and an idle one of them not in `tried` (-1 if none).
private func occupancy(excluding tried: [Int]) -> (load: [Int], idle: [Int]) {
    var load = [Int](repeating: 0, count: cores.count)
    var idle = [Int](repeating: -1, count: cores.count)
    for context in cpuStates.indices {
        let cpu = cpuIndex(of: context)
        if !isIdle(context) {
            load[cpu] += 1
        } else if idle[cpu] < 0 && !tried.contains(context) {
            idle[cpu] = context
        }
    }
    return (load, idle)
}

func unreserve(_ cpu: Int) { lwk_store32(cpuStates[cpu].mailbox.reserved, 0) }

/// A process that ended in the middle of a clone leaves its CPU reserved: freed here.
func releaseReservations(of leader: Process) {
    let mark = UInt32(leader.cpu + 1)
    for state in cpuStates { _ = lwk_cmpxchg32(state.mailbox.reserved, mark, 0) }
}

/// The LWK CPUs (not contexts: what programs see) a thread of `t`'s process may run
/// on, its own first: those its threads hold, then the idle ones, nearest first, up to
/// the bound mcexec set (-t).
func processCPUs(_ t: Process) -> [Int] {
    lwk_spin_lock(&placementLock)
    let load = occupancy(excluding: []).load
    lwk_spin_unlock(&placementLock)
    return processCPUs(t, load: load)
}

/// processCPUs, with each LWK CPU's contexts in use (`occupancy`).
private func processCPUs(_ t: Process, load: [Int]) -> [Int] {
    var cpus = [cpuIndex(of: t.leader.cpu)]
    t.forEachThread { thread in
        let cpu = cpuIndex(of: thread.cpu)
        if !cpus.contains(cpu) { cpus.append(cpu) }
    }
    let placement = CPUPlacement(kernel.info)
    let near = cpuIndex(of: t.cpu)
    let share = t.leader.ownShare
    let idle = cores.indices.filter { load[$0] == 0 && !cpus.contains($0) && share.contains($0) }.sorted { a, b in
        let (da, db) = (placement.distance(near, a), placement.distance(near, b))
        return da != db ? da < db : a < b
    }
    cpus += idle
    let most = t.leader.ownMostCPUs
    return most > 0 && cpus.count > most ? Array(cpus.prefix(most)) : cpus
}

// MARK: - clone

/// clone/clone3 as `request` says: a thread (the only kind of new task the LWK makes),
/// started on its own CPU with `frame`'s registers; Linux's errno for what Linux refuses,
/// and what it answers for an option it lacks for what the LWK does not do.
func clone(_ t: Process, _ request: CloneRequest, _ frame: UnsafeMutablePointer<lwk_frame>) -> Int64 {
    switch request.decision {
    case .thread:
        break
    case .invalid(let error):
        return -error
    case .unsupported(let error, let reason):
        tellOnce(t, "clone of \(reason) is not supported: \(error == .perm ? "EPERM" : "EINVAL")")
        return -error
    case .fork(let parentWaits):
        return fork(t, request, frame, parentWaits: parentWaits)
    case .vfork:
        return fork(t, request, frame, parentWaits: true)
    }
    let leader = t.leader
    var tried: [Int] = []
    var askAgainUntil: UInt64? = nil
    var cpu = -1
    var tid: Int64 = 0
    while cpu < 0 {
        let most = leader.ownMostCPUs
        let beyondBound = most > 0 && 1 + Int(lwk_load32(leader.mailbox.otherThreads)) >= most
        let candidate = beyondBound ? nil : reserveCPU(for: t, excluding: tried)
        guard let candidate else {
            // A thread that has exited (pthread_join returned) may still be leaving
            // its CPU: wait for it rather than refuse a program that never exceeds
            // its CPUs. It may also have left between the count read above and now:
            // the count is read again.
            if waitForEndingThreads(t) { continue }
            if beyondBound && 1 + Int(lwk_load32(leader.mailbox.otherThreads)) < most { continue }
            // Linux refused CPUs the LWK counts idle: the proxy thread of the last
            // thread there has not yet read that thread's end. It will in a moment.
            if !tried.isEmpty && pauseBeforeAskingAgain(t, until: &askAgainUntil) {
                tried = []
                continue
            }
            tellOnce(t, beyondBound ? "a thread beyond the \(most) LWK CPU(s) mcexec -t allows: EAGAIN"
                                    : contextLayout.perCPU > 1
                                    ? "a thread beyond the \(contextLayout.perCPU) contexts of each of its LWK CPUs (time_sharing=\(contextLayout.perCPU)): EAGAIN; boot with a larger time_sharing=N, or run fewer threads"
                                    : "a thread beyond the idle LWK CPUs (each CPU runs one thread; the LWK shares none without time_sharing): EAGAIN; run at most one thread per idle LWK CPU (OMP_NUM_THREADS, mcexec -t), or boot with time_sharing")
            return -Errno.again
        }
        tid = askProxy(t, MCOS_PROXY_THREAD_CREATE, (UInt64(candidate), 0, 0, 0, 0, 0))
        if tid == -Errno.busy {  // Linux gave the CPU to another program a moment ago
            unreserve(candidate)
            tried.append(candidate)
            continue
        }
        guard tid > 0, tid <= Int64(UInt32.max) else {
            unreserve(candidate)
            tellOnce(t, "the proxy could not start a thread for LWK CPU \(candidate) (\(tid)): EAGAIN")
            return -Errno.again
        }
        cpu = candidate
    }
    let tid32 = UInt32(truncatingIfNeeded: tid)
    withProcessLock(t) {
        if let address = request.parentTIDAddress { _ = t.store32(address, tid32) }  // a fault is ignored, as on Linux
        if let address = request.childTIDAddress { _ = t.store32(address, tid32) }
    }
    let state = cpuStates[cpu]
    state.program.beginThread(leaderCPU: leader.cpu, tid: UInt64(tid), signalMask: t.signalMask,
                              threadPointer: request.threadPointer ?? t.threadPointer,
                              clearChildTID: request.clearChildTIDAddress ?? 0)
    var registers = frame.pointee
    registers.syscallResult = 0
    if let stack = request.childStack { registers.stackPointer = stack }
    state.startFrame.pointee = registers
    _ = lwk_add32(leader.mailbox.otherThreads, 1)
    lwk_store32(state.mailbox.inCall, 0)  // the last thread here may have ended in a call
    unreserve(cpu)
    lwk_store32(state.mailbox.start, 1)
    kick(cpu)
    return tid
}

/// How long clone asks Linux again for CPUs it refused as busy: as long as mcexec
/// waits for a proxy thread to hand its CPU over.
let askAgainMicroseconds: UInt64 = 2_000_000

/// A millisecond's pause, serving what `t`'s CPU must serve meanwhile, before clone
/// asks again for CPUs Linux refused; false once it has asked for long enough.
func pauseBeforeAskingAgain(_ t: Process, until deadline: inout UInt64?) -> Bool {
    let now = Arch.cycles()
    let end = deadline ?? now &+ askAgainMicroseconds &* cyclesPerMicrosecond
    deadline = end
    guard now < end else { return false }
    let resume = now &+ 1000 &* cyclesPerMicrosecond
    while Arch.cycles() < resume { spinServing(t) }
    return true
}

/// Threads, of any process, between their exit and their CPU's being idle again.
nonisolated(unsafe) var threadsLeavingCPUs: UInt32 = 0

/// Waits while a thread is leaving its CPU: one of `t`'s process just joined, or of
/// another process (a fork's parent that joined its threads before the child makes
/// its own); false at once if none is.
func waitForEndingThreads(_ t: Process) -> Bool {
    guard lwk_load32(&threadsLeavingCPUs) != 0 else { return false }
    while lwk_load32(&threadsLeavingCPUs) != 0 { spinServing(t) }
    return true
}

/// A line of the log the first time the process meets a limit of the LWK's threads.
func tellOnce(_ t: Process, _ message: String) {
    guard !t.leader.ownToldThreads else { return }
    t.leader.ownToldThreads = true
    log(t.cpu, "process \(t.pid): \(message)")
}

/// The idle loop found a thread to start here.
func startThread(_ cpu: Int) -> Never {
    let state = cpuStates[cpu]
    let thread = state.program
    noteProcessStart(cpu)
    if thread.ownUserRoot != 0 { adoptUserHalf(thread, cpu) }
    Arch.switchAddressSpace(to: thread.root)
    serveBeforeUserMode(thread)
    headForUserMode(cpu)
    Arch.enterUserMode(frame: state.startFrame, threadPointer: thread.threadPointer, cpu: state)
}

// MARK: - The end of a thread

/// exit(2): the thread ends; the process with it when it was the last one.
func exitThread(_ t: Process, code: UInt64) -> Never {
    let status = ProcessEnd.exitStatus(code: code)
    guard t.hasOtherThreads else { endProcess(t, status: status) }
    t.threadStatus = status
    if t.isLeader { t.status = status }  // the process's status unless something ends it as a whole
    noteProcessStop(t.cpu)
    Arch.restart(onStack: cpuStates[t.cpu].stackTop, cpu: t.cpu)
}

/// The offloaded calls that other threads of `t`'s ending process wait for end on
/// Linux (EINTR), so that none holds up the end (the leader's proxy must answer its
/// last requests). Asked of `t`'s own proxy thread, which has no call of `t`'s.
func interruptOtherCalls(_ t: Process) {
    // The leader too once its end waits for the others: its proxy thread's call is the
    // one the process's end needs answered.
    var waiting = false
    t.forEachThread(withEndingLeader: true) { if $0 !== t && lwk_load32($0.mailbox.inCall) != 0 { waiting = true } }
    guard waiting else { return }
    // Not askProxy: offload would end this thread at once, its process ending.
    send(t.cpu, SyscallRequest(number: UInt64(MCOS_PROXY_INTERRUPT), arguments: (0, 0, 0, 0, 0, 0)).packet)
    _ = waitFor(t.cpu, t, stopOnKill: false) { $0.type == MCOS_IKC_SYSCALL_REPLY }
}

/// A signal just given to `target`, another thread of `p`'s process: should it wait
/// for an offloaded call, that call ends on Linux (EINTR), so that the thread takes
/// the signal now, as on Linux. (Had it not said so yet, its call ends before it
/// starts: Syscalls.swift, offload.)
func interruptCall(of target: Process, askedBy p: Process) {
    guard target !== p, lwk_add32(target.mailbox.inCall, 0) != 0 else { return }
    _ = askProxy(p, MCOS_PROXY_INTERRUPT, (target.tid, 0, 0, 0, 0, 0))
}

/// The calls of other threads that this CPU gave a signal from Linux while they waited
/// for them end on Linux (EINTR), as the signal would have ended them there. Asked at
/// a moment this CPU's own proxy thread is free: on the way to user mode, in a local
/// wait, after an offloaded call's answer. Whether it asked Linux (and so waited).
@discardableResult
func interruptSignalledCalls(_ t: Process) -> Bool {
    let state = cpuStates[t.cpu]
    guard state.signalledOtherThread else { return false }
    state.signalledOtherThread = false
    var asked = false
    t.forEachThread { other in
        guard other !== t, lwk_load32(other.mailbox.inCall) != 0 else { return }
        let signalled = withSignalLock { SignalDelivery.deliverable(pending: other.pendingSignals, blocked: other.signalMask) != nil }
        if signalled {
            interruptCall(of: other, askedBy: t)
            asked = true
        }
    }
    return asked
}

/// Every other thread of the process stops (their CPUs look at `processEnds`).
func stopOtherThreads(_ t: Process) {
    t.forEachThread { thread in
        if thread.cpu != t.cpu { kick(thread.cpu) }
    }
}

/// On a fresh stack, off the process's tables: clear_child_tid and the robust list
/// (unless the process ends as a whole: nobody is left to look), the proxy thread told,
/// the CPU idle again, the leader woken to see whether it was the last.
func threadEnd(_ t: Process) -> Never {
    let leader = t.leader
    _ = lwk_add32(&threadsLeavingCPUs, 1)
    if !t.processEnds && (t.clearChildTID != 0 || t.robustList != 0) { releaseThreadWords(t) }
    serveFlush(t.cpu)
    send(t.cpu, IKCPacket(type: MCOS_IKC_THREAD_EXIT, args: (UInt64(t.threadStatus), 0, 0, 0, 0, 0)))
    lwk_spin_lock(&placementLock)
    t.live = false
    lwk_spin_unlock(&placementLock)
    if t.ownUserRoot != 0 { dropUserHalf(t) }
    _ = lwk_add32(leader.mailbox.otherThreads, UInt32.max)  // - 1
    _ = lwk_add32(&threadsLeavingCPUs, UInt32.max)
    kick(leader.cpu)
    idle(t.cpu)
}

/// pti=on: a thread runs user mode on its CPU's own user root (whose kernel half maps
/// that CPU's entry pages), which gets its process's user half, and enters the kernel
/// on its process's root. Under the process's lock: no write of the root is missed.
private func adoptUserHalf(_ thread: Process, _ cpu: Int) {
    withProcessLock(thread) {
        var memory = ProcessTables(node: thread.node)
        PageTables.copyUserHalf(from: thread.root, into: thread.ownUserRoot, memory: &memory)
    }
    let state = cpuStates[cpu]
    state.entryRoot = thread.root
    Arch.setIsolationRoots(state.arch, entry: state.entryRoot, user: thread.ownUserRoot)
}

/// The end of adoptUserHalf, once the thread is no longer live (so no write of the
/// root reaches the CPU's user root after this): nothing of the process stays there.
private func dropUserHalf(_ t: Process) {
    withProcessLock(t) {
        var memory = ProcessTables(node: t.node)
        PageTables.copyUserHalf(from: nil, into: t.ownUserRoot, memory: &memory)
    }
    let state = cpuStates[t.cpu]
    state.entryRoot = t.ownRoot
    Arch.setIsolationRoots(state.arch, entry: state.entryRoot, user: t.ownUserRoot)
}

/// clear_child_tid and the robust list of an exiting thread, woken. A function of its
/// own, so that the array of words is freed when it returns: threadEnd never returns.
@inline(never)
func releaseThreadWords(_ t: Process) {
    let wakes = withProcessLock(t) {
        ThreadExit.futexWakes(tid: UInt32(truncatingIfNeeded: t.tid), robustList: t.robustList,
                              clearChildTID: t.clearChildTID, sharedAddressSpace: true, memory: t)
    }
    for address in wakes { _ = futexWake(t, address: address) }
}

/// The leader's end waits here (waitForWork) until the process's other threads are gone:
/// still serving its channel (a signal for the process goes to a thread that runs),
/// ending them all once the process ends as a whole.
func waitForOtherThreads(_ leader: Process) {
    lwk_store32(leader.mailbox.leaderGone, 1)
    // Alone: its end goes on at once, serving its channel only while it waits for
    // the INVALIDATE_ACK (a request then is refused only once the ACK is on its way).
    // A fork's child that copies its memory is waited for like a thread.
    let copies = leader.mailbox.forkCopies
    if lwk_load32(leader.mailbox.otherThreads) == 0 && lwk_load32(copies) == 0 { return }
    var stopped = false
    let inbound = inboundRing(leader.cpu)
    while true {
        Arch.disableInterrupts()
        serveFlush(leader.cpu)
        if shutdownRequested() { park(leader.cpu) }
        if let packet = inbound.receive() {
            serveWhileBusy(leader.cpu, leader, packet)
            continue
        }
        if lwk_load32(leader.mailbox.otherThreads) == 0 && lwk_load32(copies) == 0 { return }
        if !stopped && leader.processEnds {
            stopped = true
            stopOtherThreads(leader)
        }
        waitForWork(leader.cpu)
    }
}

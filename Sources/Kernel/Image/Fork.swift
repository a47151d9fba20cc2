import CMcosABI

// fork, vfork and clone of a new process (posix_spawn's too): the child is a process
// of its own on another idle LWK CPU, with a copy of the parent's memory, and a proxy
// of its own: mcexec forks itself (MCOS_PROXY_FORK), so the child's pid is the new
// mcexec's, its descriptors are the copies Linux's fork made, and its end reaches the
// parent's mcexec as a Linux child's would (wait4, SIGCHLD). The new mcexec creates the
// child with PROC_FORK naming the parent's CPU and the fork's token; that CPU copies
// the parent's memory and the forking thread's registers and starts the child, while
// the parent's thread waits in its request.
//
// The memory is copied whole at fork, not copy-on-write: neither process takes a
// page fault afterwards (an LWK program never does: its memory is mapped when it is
// asked for), at the price of copying what an exec would throw away. MAP_SHARED
// anonymous memory is not copied: the child maps the same frames (SharedFrames.swift).
// A vfork (and
// posix_spawn) child gets a copy too, and its parent waits until it execs or ends as
// Linux's would; what the child writes before that stays its own.

nonisolated(unsafe) private var forkSerial: UInt32 = 0

/// The token of a fork: never 0, never the same twice in a boot, hard to guess.
private func newForkToken() -> UInt64 {
    let serial = UInt64(lwk_add32(&forkSerial, 1))
    return (Arch.cycles() << 24 ^ serial) | 1 << 63
}

/// The parent's side: the proxy forks and the child is copied from this thread while
/// it waits; the child's pid, or Linux's errno.
func fork(_ t: Process, _ request: CloneRequest, _ frame: UnsafeMutablePointer<lwk_frame>, parentWaits: Bool) -> Int64 {
    if let refusal = request.processRefusal {
        tellOnce(t, "clone of \(refusal.reason) is not supported: EINVAL")
        return -refusal.errno
    }
    t.forkRequest = request
    t.forkFrame = frame
    t.forkToken = newForkToken()  // last: a child that finds it finds the rest
    let pid = askProxy(t, MCOS_PROXY_FORK, (t.forkToken, parentWaits ? 1 : 0, 0, 0, 0, 0))
    t.forkToken = 0
    t.forkFrame = nil
    t.forkRequest = nil
    if pid > 0, let address = request.parentTIDAddress {
        withProcessLock(t) { _ = t.store32(address, UInt32(truncatingIfNeeded: pid)) }  // a fault is ignored, as on Linux
    }
    if pid == -Errno.again { tellOnce(t, "a new process needs an idle LWK CPU, and none is: EAGAIN; give the LWK more CPUs, or run fewer processes at once") }
    return pid
}

/// PROC_FORK on the idle `cpu`: the child of the fork with `token` of the process led
/// from `parentCPU`, copied and started, or an error reply. Returns only after an error.
func forkChild(_ cpu: Int, pid: UInt64, clock: ProcessClock, numaMask: UInt32, parentCPU: UInt64, token: UInt64, seq: UInt64) {
    guard parentCPU < UInt64(cpuStates.count), Int(parentCPU) != cpu, token != 0 else {
        send(cpu, procReplyPacket(seq: seq, result: -Errno.inval))
        return
    }
    let leader = cpuStates[Int(parentCPU)].program
    // Pinned: the parent's end waits for the copy before it frees what is copied.
    _ = lwk_add32(leader.mailbox.forkCopies, 1)
    let result = copyParent(cpu, leader, pid: pid, clock: clock, numaMask: numaMask, token: token)
    _ = lwk_add32(leader.mailbox.forkCopies, UInt32.max)
    kick(leader.cpu)
    guard case .success(let registers) = result else {
        if case .failure(let error) = result { send(cpu, procReplyPacket(seq: seq, result: -error)) }
        return
    }
    let child = cpuStates[cpu].program
    send(cpu, procReplyPacket(seq: seq, result: 0, root: child.root))
    log(cpu, "process \(pid) forked from process \(leader.pid), \(child.regions.mappedBytes >> 10) KiB copied")
    child.started = true
    let state = cpuStates[cpu]
    state.startFrame.pointee = registers
    startThread(cpu)
}

/// The child begun on `cpu` as a copy of the process `leader` leads, whose thread
/// forks with `token`: its memory, signal actions and program break, and the forking
/// thread's mask, alternate stack, thread pointer and registers (which it gets back).
private func copyParent(_ cpu: Int, _ leader: Process, pid: UInt64, clock: ProcessClock, numaMask: UInt32, token: UInt64) -> Result<lwk_frame, Errno> {
    // The pin is taken: a process ending from now on waits; one that ended before is
    // no longer live, or has begun its end (and nobody's token matches in a new one).
    guard leader.live, leader.isLeader, leader.started, lwk_load32(leader.mailbox.groupExit) == 0 else { return .failure(.srch) }
    var forking: Process?
    leader.forEachThread(withEndingLeader: true) { if $0.forkToken == token { forking = $0 } }
    guard let forking, let frame = forking.forkFrame, let request = forking.forkRequest else { return .failure(.srch) }
    if let error = beginProcess(cpu, pid: pid, clock: clock, numaMask: numaMask, mostCPUs: UInt64(leader.ownMostCPUs),
                                    uid: leader.ownUID, share: leader.ownShare) { return .failure(error) }
    let child = cpuStates[cpu].program
    let copied = withLockOfProcess(leader) { () -> Bool in
        guard child.copyMemory(of: leader) else { return false }
        for signal in 1...Signal.count { child.setAction(signal, leader.action(signal)) }
        child.segments = leader.segments  // the forked mcexec has the same attachments
        child.nextSegmentToken = leader.nextSegmentToken
        return true
    }
    guard copied else {
        _ = releaseMemory(of: child)
        lwk_spin_lock(&placementLock)
        child.live = false
        lwk_spin_unlock(&placementLock)
        log(cpu, "process \(pid): not enough LWK memory to copy process \(leader.pid) for its fork: ENOMEM")
        return .failure(.noMem)
    }
    child.signalMask = forking.signalMask
    child.altStack = forking.altStack
    child.threadPointer = forking.threadPointer
    child.clearChildTID = request.clearChildTIDAddress ?? 0
    if let address = request.childTIDAddress { _ = child.store32(address, UInt32(truncatingIfNeeded: pid)) }
    var registers = frame.pointee
    registers.syscallResult = 0
    if let stack = request.childStack { registers.stackPointer = stack }
    return .success(registers)
}

import CMcosABI

// process_vm_readv and process_vm_writev (cross-memory attach, MPI's single copy of a
// large message) between programs on the LWK. Linux cannot do it for them: the proxies'
// mappings of their programs' memory are no pages Linux may pin. So the LWK copies, up
// to a page's worth a step, straight from frame to frame under both processes' locks
// (taken in one order, so two programs that read each other at once cannot wait for each
// other), through a page of the calling CPU's when both are Linux frames, which share
// this CPU's one slot. Both programs must be the same user's (the module names each
// program's user at its creation); whether Linux would allow it besides (ptrace's rules,
// Yama's ptrace_scope) is asked of the proxy, about the other program's proxy, whose pid
// it is, and a yes is kept a while (CrossMemoryGrants says how long). The other program
// is pinned as a fork's parent is: its end waits for the copy. With a Linux process, the
// call is mcexec's to make, on its mapping of the program's memory.

/// Moved after each offloaded call that may change what ptrace's check answers
/// (Syscall.mayChangeProcessAccess), by any program: every kept yes is asked again.
nonisolated(unsafe) var processAccessGeneration: UInt32 = 0

/// After an offloaded call `number` returned: whether ptrace's check may answer
/// differently now, so that no kept yes outlives it.
func noteOffloadedCall(_ number: UInt64) {
    if let call = Syscall(number: number), call.mayChangeProcessAccess { _ = lwk_add32(&processAccessGeneration, 1) }
}

/// process_vm_readv (`writing` false) or process_vm_writev of `p`: bytes moved, or
/// Linux's errno when none were.
func crossMemory(_ p: Process, writing: Bool, _ a: SyscallArguments) -> Int64 {
    let pid = UInt64(UInt32(truncatingIfNeeded: a.0)), localArray = a.1, localCount = a.2, remoteArray = a.3, remoteCount = a.4
    do throws(Errno) { try CrossMemory.check(flags: a.5, localCount: localCount, remoteCount: remoteCount) } catch { return -error }
    // As Linux: nothing local to move is 0 at once; then the remote list; then the pid.
    let totals = withProcessLock(p) { () -> Result<UInt64?, Errno> in
        do throws(Errno) {
            let local = try CrossMemory.total(at: localArray, count: localCount, memory: p)
            guard local > 0 else { return .success(nil) }
            return .success(min(local, try CrossMemory.total(at: remoteArray, count: remoteCount, memory: p)))
        } catch {
            return .failure(error)
        }
    }
    guard case .success(let nonzero) = totals else {
        if case .failure(let error) = totals { return -error }
        return -Errno.fault
    }
    guard let wanted = nonzero else { return 0 }
    let ownProcess = pid == p.pid
    // Read before the proxy is asked: a change that lands meanwhile outdates the answer.
    let generation = lwk_load32(&processAccessGeneration)
    guard let (target, pinned) = ownProcess ? (p.leader, false) : pinnedProgram(pid: pid, caller: p) else {
        // A Linux process (or nobody: ESRCH, as Linux): mcexec makes the call, on the
        // program's memory as it maps it; another mcexec's memory is a proxy's, not a
        // program's: ENOSYS.
        let allowed = askProxy(p, MCOS_PROXY_CMA_ALLOWED, (pid, writing ? 1 : 0, 1, 0, 0, 0))
        if allowed == -Errno.noSys {
            tellOnce(p, "process_vm_readv and process_vm_writev reach programs on this LWK and Linux processes, not process \(pid), which runs mcexec: ENOSYS")
        }
        guard allowed == 0 else { return refusal(allowed) }
        guard wanted > 0 else { return 0 }
        return offload(p, number: UInt64(writing ? Syscall.processVmWritev.rawValue : Syscall.processVmReadv.rawValue), arguments: a)
    }
    defer {
        if pinned {
            _ = lwk_add32(target.mailbox.forkCopies, UInt32.max)
            kick(target.cpu)
        }
    }
    if !ownProcess {
        let now = Arch.cycles()
        let granted = withProcessLock(p) {
            p.grants.allows(pid: pid, serial: target.serial, writing: writing, generation: generation, now: now)
        }
        if !granted {
            let allowed = askProxy(p, MCOS_PROXY_CMA_ALLOWED, (pid, writing ? 1 : 0, 0, 0, 0, 0))
            guard allowed == 0 else { return refusal(allowed) }
            let grant = CrossMemoryGrants.Grant(pid: pid, serial: target.serial, writing: writing, generation: generation,
                                                until: now &+ UInt64(kernel.info.tscKHz) * 1000)
            withProcessLock(p) { p.grants.keep(grant) }
        }
    }
    guard wanted > 0 else { return 0 }
    // The module's word, not the proxy's: a proxy of the user's own making could say
    // yes to anything, but only ever about that user's programs.
    guard target.uid == p.uid else { return -Errno.perm }
    guard let bounce = p.bouncePage() else { return -Errno.noMem }
    var local = CrossMemory.Cursor(array: localArray, count: localCount)
    var remote = CrossMemory.Cursor(array: remoteArray, count: remoteCount)
    var moved: UInt64 = 0
    var stopped = false
    while moved < wanted && !stopped {
        // Several pages under one taking of both locks: taking them, and walking to the
        // iovecs, cost more than a page's copy otherwise.
        withBothLocks(caller: p, other: target) { otherEnding in
            guard !otherEnding else { stopped = true; return }
            for _ in 0..<CrossMemory.pagesPerHold {
                guard moved < wanted else { return }
                guard local.settle(memory: p), remote.settle(memory: p) else { stopped = true; return }
                let bytes = CrossMemory.step(local: local, remote: remote, room: wanted - moved)
                let copied = writing
                    ? copyLocked(from: p, local.address, through: bounce, to: target, remote.address, bytes: bytes)
                    : copyLocked(from: target, remote.address, through: bounce, to: p, local.address, bytes: bytes)
                guard copied else { stopped = true; return }
                local.advance(by: bytes)
                remote.advance(by: bytes)
                moved += bytes
            }
        }
    }
    return moved > 0 ? Int64(moved) : -Errno.fault
}

/// The proxy's no as the program's errno: Linux's own, or EPERM for anything else.
private func refusal(_ answer: Int64) -> Int64 {
    answer < 0 && answer >= -Errno.maximum ? answer : -Errno.perm
}

/// `body` under both processes' locks, taken in the order of their leaders' CPUs (so
/// that two programs copying from each other at once cannot wait for each other), the
/// caller's own as its calls take it, the other's as a fork's copy takes its parent's;
/// `body` is told whether the other program is ending, when its memory is not to be
/// touched any more.
private func withBothLocks(caller: Process, other: Process, _ body: (_ otherEnding: Bool) -> Void) {
    if other.leader === caller.leader { return withProcessLock(caller) { body(false) } }
    let ending = { lwk_load32(other.leader.mailbox.groupExit) != 0 }
    if caller.leader.cpu < other.leader.cpu {
        withProcessLock(caller) { withLockOfProcess(other) { body(ending()) } }
    } else {
        withLockOfProcess(other) {
            let otherEnding = ending()
            withProcessLock(caller) { body(otherEnding) }
        }
    }
}

/// `bytes` (within one page on each side) from `source`'s `from` to `destination`'s `to`,
/// with both locks held: straight from frame to frame, unless both are Linux frames,
/// which share this CPU's one slot: then through the bounce page. False when either
/// side cannot be read or written as its program could.
private func copyLocked(from source: Process, _ from: UInt64, through bounce: UInt64, to destination: Process, _ to: UInt64,
                        bytes: UInt64) -> Bool {
    guard let sourceFrame = PageTables.userFrame(from, root: source.root, memory: source.tables),
          let destinationFrame = PageTables.userFrame(to, root: destination.root, memory: destination.tables),
          destinationFrame.writable else { return false }
    if sourceFrame.linux && destinationFrame.linux {
        guard let read = source.userWindow(from, write: false) else { return false }
        _ = memcpy(lwk_ptr(bounce), lwk_ptr(read), Int(bytes))
        guard let write = destination.userWindow(to, write: true) else { return false }
        _ = memcpy(lwk_ptr(write), lwk_ptr(bounce), Int(bytes))
        return true
    }
    // At most one of them takes the slot: both windows hold until the copy is done.
    guard let read = source.userWindow(from, write: false), let write = destination.userWindow(to, write: true) else { return false }
    _ = memcpy(lwk_ptr(write), lwk_ptr(read), Int(bytes))
    return true
}

/// The program on this LWK whose pid (or one of whose threads' tids) is `pid`, its end
/// held back until the caller lets go (forkCopies, as a fork's copy holds its parent;
/// pinned true), unless it is the caller's own; nil when there is none, or it is ending.
private func pinnedProgram(pid: UInt64, caller: Process) -> (Process, pinned: Bool)? {
    var found: Process?
    for state in cpuStates where state.program.live && (state.program.tid == pid || state.program.pid == pid) {
        found = state.program.leader
        break
    }
    guard let leader = found else { return nil }
    if leader === caller.leader { return (leader, false) }  // a thread of its own
    _ = lwk_add32(leader.mailbox.forkCopies, 1)
    let alive = withLockOfProcess(leader) {
        leader.live && leader.isLeader && leader.started && lwk_load32(leader.mailbox.groupExit) == 0 &&
            (leader.pid == pid || leader.tid == pid || leader.thread(withID: pid) != nil)
    }
    guard alive else {
        _ = lwk_add32(leader.mailbox.forkCopies, UInt32.max)
        kick(leader.cpu)
        return nil
    }
    return (leader, true)
}

extension Process {
    /// This CPU's page for copies between two programs, made when first needed, then kept.
    func bouncePage() -> UInt64? {
        if bounce == 0 {
            guard let physical = allocate(bytes: 4096, node: node) else { return nil }
            bounce = physical
        }
        return windowAddress(physical: bounce)
    }
}

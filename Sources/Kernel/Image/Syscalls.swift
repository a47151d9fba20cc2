import CMcosABI

// System calls from a process: the ones the LWK answers itself (Syscall.local), and
// the offload of every other one to the proxy on Linux (MCOS_IKC_SYSCALL, then a wait
// for MCOS_IKC_SYSCALL_REPLY or a KILL). Every argument is the program's to choose:
// each is checked as Linux checks it, and answered with Linux's error, never a trap.

typealias SyscallArguments = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

/// System call `number` (the whole word: `Syscall.route` takes its low 32 bits, as
/// Linux does) of the thread on `cpu`, from the architecture's entry with interrupts
/// off; what it returns goes back to the program (whose way back serves the channel and
/// delivers signals: returnToUser).
func systemCall(cpu: Int, number: UInt64, arguments args: SyscallArguments) -> Int64 {
    guard let process = cpuStates[cpu].process else { return -Errno.noSys }
    faultOnPurposeInSystemCall(cpu)
    let route = Syscall.route(number)
    countSystemCall(cpu, offloaded: route.isOffloaded)
    switch route {
    case .local(let call):
        return localSyscall(process, call, args)
    case .x32:
        return -Errno.noSys
    case .offloaded(let linuxNumber):
        return offload(process, number: UInt64(linuxNumber), arguments: args)
    }
}

/// Linux makes the call for the program (the proxy); the process ends if a KILL ends
/// it meanwhile. EINTR because a signal came meanwhile (the proxy's call was cut
/// short by the signal it forwarded, ahead of this reply) is settled when the signal
/// is delivered: restarted or EINTR, as Linux's own call would be. EINTR without a
/// signal for this thread leaves its call as Linux would: the call is made again.
func offload(_ process: Process, number: UInt64, arguments args: SyscallArguments, kernelCall: Bool = false) -> Int64 {
    let sentBefore = process.signalsSent
    let inCall = process.mailbox.inCall
    _ = lwk_add32(inCall, 1)  // a full barrier: whoever signals this thread from now on sees it
    // Undone on every return, not when the process ends in the call (endProcess never
    // returns): the call goes on on Linux, and the thread that ends the process has it
    // interrupted; a new thread here starts at 0.
    defer { _ = lwk_add32(inCall, UInt32.max) }
    if process.hasOtherThreads, !kernelCall, let early = signalledBeforeTheCall(process, number: number, arguments: args) {
        return early
    }
    while true {
        send(process.cpu, SyscallRequest(number: number, arguments: args).packet)
        guard let reply = waitFor(process.cpu, process, stopOnKill: true, { $0.type == MCOS_IKC_SYSCALL_REPLY }) else {
            endProcess(process, status: ProcessEnd.signalStatus(process.pendingKill ?? Signal.kill), proxyBusy: true)
        }
        interruptSignalledCalls(process)
        if !kernelCall { noteOffloadedCall(number) }
        let result = Int64(bitPattern: reply.args.0)
        guard result == -Errno.intr, !kernelCall else { return result }
        if process.signalsSent != sentBefore {
            process.interruptedCall = InterruptedCall(kind: SyscallRestart.kind(number, arguments: args), number: number)
            return result
        }
        // No signal came for this thread: another thread took the one for the process
        // that cut the proxy thread's call short, or mcexec ended a call meant to be
        // interrupted that had already ended (CallsInFlight). Linux would not have
        // disturbed this call: made again.
        if let early = signalledBeforeTheCall(process, number: number, arguments: args) { return early }
    }
}

/// Another thread may have signalled this one (or ended the process) just before it
/// said it was in a call, and so not have interrupted the call: a program call that
/// may wait (one a signal restarts or ends) ends with EINTR before it starts, as
/// Linux's would, and is restarted or not as the handler says; the process's end ends
/// the thread here. Not the kernel's own calls (`kernelCall`: getuid for a siginfo,
/// the proxy's stop, its MCOS_PROXY_* requests).
private func signalledBeforeTheCall(_ process: Process, number: UInt64, arguments args: SyscallArguments) -> Int64? {
    endIfProcessEnds(process)
    let kind = SyscallRestart.kind(number, arguments: args)
    guard kind != .neverRestart,
          SignalDelivery.deliverable(pending: process.pendingSignals, blocked: process.signalMask) != nil else { return nil }
    process.interruptedCall = InterruptedCall(kind: kind, number: number)
    return -Errno.intr
}

/// The calls that wait, end the thread or ask Linux run as they are; every other one
/// under the process lock, since the process's other threads change its memory and
/// signal actions from other CPUs meanwhile.
func localSyscall(_ p: Process, _ call: Syscall, _ a: SyscallArguments) -> Int64 {
    let number = UInt64(call.rawValue)
    switch call {
    case .exit: exitThread(p, code: a.0)
    case .exitGroup: endProcess(p, status: ProcessEnd.exitStatus(code: a.0))
    case .rtSigsuspend: return sigsuspend(p, a.0, a.1, number: number)
    case .pause: return pause(p, number: number)
    case .rtSigtimedwait: return sigtimedwait(p, a, number: number)
    case .kill, .tkill, .tgkill: return signalSelf(p, call, a, number: number)
    case .futex: return futex(p, a, number: number)
    case .futexWaitv: return -Errno.noSys  // glibc does not use it; offloaded it would wait on the proxy's mapping
    case .schedGetaffinity, .schedSetaffinity: return affinity(p, call, a, number: number)
    case .execve, .execveat: return exec(p, number: number, a)
    case .rtSigaction: return sigactionReaping(p, a)
    case .processVmReadv, .processVmWritev: return crossMemory(p, writing: call == .processVmWritev, a)
    case .schedYield:
        // With time_sharing another context of the CPU may have work: its turn, without
        // the process's lock, which another program's cross-memory copy may wait for.
        takeTurn(p.cpu)
        return 0
    default: return withProcessLock(p) { lockedSyscall(p, call, a) }
    }
}

/// rt_sigaction under the process lock; should SIGCHLD's action change whether the
/// process's children are reaped as they end, mcexec, whose children they are on
/// Linux, is told after (MCOS_PROXY_CHILD_REAPING), as the kernel reaps a program's own.
private func sigactionReaping(_ p: Process, _ a: SyscallArguments) -> Int64 {
    let (result, reaping) = withProcessLock(p) { () -> (Int64, Bool?) in
        let before = p.action(Signal.chld).reapsChildren
        let result = sigaction(p, a.0, a.1, a.2, a.3)
        let after = p.action(Signal.chld).reapsChildren
        return (result, after != before ? after : nil)
    }
    if let reaping { _ = askProxy(p, MCOS_PROXY_CHILD_REAPING, (reaping ? 1 : 0, 0, 0, 0, 0, 0)) }
    return result
}

/// execve and execveat: mcexec reads the new program and answers whether Linux would
/// run it, with Linux's errno if not (the program goes on, as after a failed execve).
/// Once it has said yes the old program ends here, its other threads with it, and
/// mcexec starts the new one in the same process, with the signal state execve keeps.
private func exec(_ p: Process, number: UInt64, _ a: SyscallArguments) -> Int64 {
    let result = offload(p, number: number, arguments: a)
    guard result == 0 else { return result }
    let kept = withProcessLock(p) {
        KeptSignals(blocked: p.signalMask, pending: p.pendingSignals, dispositions: (1...Signal.count).map { p.action($0) })
    }
    endProcess(p, status: 0, execing: kept)
}

/// The local calls made under the process lock.
private func lockedSyscall(_ p: Process, _ call: Syscall, _ a: SyscallArguments) -> Int64 {
    switch call {
    case .brk: return Int64(bitPattern: brk(p, a.0))
    case .mmap: return mmap(p, a)
    case .munmap: return munmap(p, a.0, a.1)
    case .mprotect: return mprotect(p, a.0, a.1, a.2)
    case .madvise: return madvise(p, a.0, a.1, a.2)
    case .getpid:
        // The program has its proxy's pid (as in McKernel): what it sends to Linux in
        // offloaded calls (kill, /proc/self) then means itself. A thread's tid is its
        // proxy thread's.
        return Int64(p.pid)
    case .gettid: return Int64(p.tid)
    case .setTidAddress:
        p.clearChildTID = a.0
        return Int64(p.tid)
    case .setRobustList:
        guard a.1 == RobustList.headBytes else { return -Errno.inval }
        p.robustList = a.0
        return 0
    case .getRobustList: return getRobustList(p, a.0, a.1, a.2)
    case .getcpu:
        // The LWK CPU and its NUMA node, the numbering of the affinity masks.
        if a.0 != 0, !p.store32(a.0, UInt32(cpuIndex(of: p.cpu))) { return -Errno.fault }
        if a.1 != 0, !p.store32(a.1, UInt32(truncatingIfNeeded: p.node)) { return -Errno.fault }
        return 0
    case .archPrctl: return archPrctl(p, a.0, a.1)
    case .clockGettime:
        guard let now = p.clock.read(a.0, tsc: Arch.cycles(), ownPID: p.pid) else { return -Errno.inval }
        let time = ProcessClock.timespec(now)
        return p.writeWords(a.1, time.0, time.1) ? 0 : -Errno.fault
    case .gettimeofday:
        let time = ProcessClock.timeval(p.clock.read(ProcessClock.realtimeID, tsc: Arch.cycles()) ?? 0)
        if a.0 != 0, !p.writeWords(a.0, time.0, time.1) { return -Errno.fault }
        if a.1 != 0, !p.writeWord(a.1, 0) { return -Errno.fault }  // struct timezone: UTC
        return 0
    case .rtSigprocmask: return sigprocmask(p, a.0, a.1, a.2, a.3)
    case .sigaltstack: return sigaltstack(p, a.0, a.1)
    case .rtSigpending: return sigpending(p, a.0, a.1)
    case .mremap: return mremap(p, a.0, a.1, a.2, a.3, a.4)
    case .msync: return msync(p, a.0, a.1, a.2)
    case .shmat: return shmat(p, id: a.0, address: a.1, flags: a.2)
    case .shmdt: return shmdt(p, address: a.0)
    case .rseq: return -Errno.noSys
    default:  // not in Syscall.local, or served by localSyscall: never routed here
        return -Errno.noSys
    }
}

/// clone, clone3, fork and vfork (Threads.swift makes a thread, Fork.swift a process),
/// their arguments read as Linux reads them: clone(flags, stack, parent_tid,
/// child_tid, tls), clone3(args, size); fork is clone(SIGCHLD), vfork
/// clone(CLONE_VM | CLONE_VFORK | SIGCHLD) on the caller's stack.
func cloneCall(_ p: Process, _ call: Syscall, _ frame: UnsafeMutablePointer<lwk_frame>) -> Int64 {
    let a = frame.pointee.syscallArguments
    var request = CloneRequest.clone(flags: a.0, stack: a.1, parentTID: a.2, childTID: a.3, tls: a.4)
    if call == .fork || call == .vfork {
        let vfork = call == .vfork ? CloneFlag.vm | CloneFlag.vfork : 0
        request = CloneRequest.clone(flags: vfork | UInt64(Signal.chld), stack: 0, parentTID: 0, childTID: 0, tls: 0)
    }
    if call == .clone3 {
        var refused: Errno?
        withProcessLock(p) {
            do throws(Errno) {
                request = try CloneRequest.clone3(arguments: a.0, size: a.1, memory: p)
            } catch {
                refused = error
            }
        }
        if let refused { return -refused }
    }
    return clone(p, request, frame)
}

/// get_robust_list(pid, head_ptr, len_ptr) for this thread or another of the process
/// (pid 0 is the caller); ESRCH for anyone else, whom the LWK does not know.
func getRobustList(_ p: Process, _ pid: UInt64, _ headAddress: UInt64, _ lengthAddress: UInt64) -> Int64 {
    guard let head = p.thread(withID: UInt64(UInt32(truncatingIfNeeded: pid)))?.robustList else { return -Errno.srch }
    guard p.writeWord(headAddress, head), p.writeWord(lengthAddress, RobustList.headBytes) else { return -Errno.fault }
    return 0
}

/// sched_getaffinity and sched_setaffinity of a thread of the process: its CPUs are
/// LWK CPUs (Threads.swift: processCPUs); a thread never moves, so a new mask that
/// keeps one of them is accepted as it is. Any other pid is Linux's.
func affinity(_ p: Process, _ call: Syscall, _ a: SyscallArguments, number: UInt64) -> Int64 {
    guard p.thread(withID: UInt64(UInt32(truncatingIfNeeded: a.0))) != nil else { return offload(p, number: number, arguments: a) }
    let cpus = processCPUs(p)
    let count = cores.count
    return withProcessLock(p) {
        do throws(Errno) {
            if call == .schedSetaffinity {
                _ = try CPUAffinity.set(mask: a.2, length: a.1, processCPUs: cpus, cpuCount: count, memory: p)
                return 0
            }
            let mask = try CPUAffinity.get(cpus, length: a.1, cpuCount: count)
            guard p.write(mask, at: a.2) else { return -Errno.fault }
            return Int64(mask.count)
        } catch {
            return -error
        }
    }
}

// MARK: - Memory

func brk(_ p: Process, _ request: UInt64) -> UInt64 {
    switch p.programBreak.step(to: request) {
    case .refuse:
        return p.programBreak.current
    case .move:
        break
    case .grow(let from, let to):
        let readWrite = MCOS_PROT_READ | MCOS_PROT_WRITE
        guard !p.regions.overlaps(start: from, end: to),
              p.mapAnonymous(start: from, end: to, protection: readWrite, loading: false) else { return p.programBreak.current }
    case .shrink(let from, let to):
        guard p.unmap(start: from, end: to) else { return p.programBreak.current }
    }
    p.programBreak.commit(request)
    return request
}

/// Private memory, anonymous or a regular file's (FileMapping.swift), shared anonymous
/// memory (which a fork shares) and a file's shared pages (LinuxFrames.swift): top-down
/// from MCOS_USER_MMAP_TOP, or where the program asks (a hint that fits, MAP_FIXED,
/// MAP_FIXED_NOREPLACE).
func mmap(_ p: Process, _ a: SyscallArguments) -> Int64 {
    // A file's descriptor is checked right after the offset, as Linux does (EBADF).
    var facts: FileMapCheck.Facts?
    if a.3 & MapFlag.anonymous == 0 {
        guard a.5 % 4096 == 0 else { return -Errno.inval }
        do { facts = try fileFacts(p, fd: a.4) } catch { return -error }
        do throws(FileMapCheck.Refusal) { try FileMapCheck.checkFlags(a.3) } catch { return -error.errno }
    }
    let request: MemoryArguments.Mmap
    do {
        request = try MemoryArguments.mmap(address: a.0, length: a.1, protection: a.2, flags: a.3, offset: a.5)
    } catch {
        return -error
    }
    let bytes = request.range.end - request.range.start
    var start = request.range.start
    var replacing = false
    if request.fixed {
        // Linux's user space beyond the LWK's user range: there is no room there
        guard let inside = request.range.inUserSpace, inside == request.range else { return -Errno.noMem }
        if p.regions.overlaps(start: start, end: request.range.end) {
            if !request.replace { return -Errno.exist }
            replacing = true
        }
    } else if let hint = request.range.inUserSpace, hint == request.range, start != 0,
              !p.regions.overlaps(start: start, end: request.range.end) {
        // the hint fits
    } else {
        guard let free = p.regions.findFree(bytes: bytes, top: MCOS_USER_MMAP_TOP, bottom: MCOS_USER_START) else { return -Errno.noMem }
        start = free
    }
    // Every check before the old mappings go, so that a refused MAP_FIXED changes nothing.
    if let facts {
        if let refused = checkFileMapping(p, facts, flags: a.3, protection: request.protection, offset: a.5, bytes: bytes) { return -refused }
    } else {
        guard (try? MappingKind.of(flags: a.3, file: nil, offset: a.5)) != nil else { return -Errno.inval }
    }
    if replacing {
        guard p.unmap(start: start, end: request.range.end) else { return -Errno.noMem }
    }
    if let facts, (try? MappingKind.of(flags: a.3, file: UInt32(truncatingIfNeeded: a.4), offset: a.5))?.isShared == true {
        return p.mapSharedFile(start: start, end: start + bytes, protection: request.protection, fd: a.4, offset: a.5, mayWrite: facts.writable)
    }
    if facts != nil { return mapFile(p, start: start, end: start + bytes, protection: request.protection, fd: a.4, offset: a.5) }
    let kind = request.privateMapping ? 0 : UserSpace.sharedMapping
    guard p.mapAnonymous(start: start, end: start + bytes, protection: request.protection | kind, loading: false) else { return -Errno.noMem }
    return Int64(start)
}

func munmap(_ p: Process, _ address: UInt64, _ length: UInt64) -> Int64 {
    let range: MemoryArguments.Range
    do {
        range = try MemoryArguments.munmap(start: address, length: length)
    } catch {
        return -error
    }
    guard let mine = range.inUserSpace else { return 0 }
    return p.unmap(start: mine.start, end: mine.end) ? 0 : -Errno.noMem
}

/// Linux's checks and results: EINVAL for an unaligned start or an advice it refuses;
/// the advice applies to the mapped parts of the range, then ENOMEM if it had holes.
/// Discarded pages keep their frames (nothing is paged here) and are zeroed in place;
/// the proxy maps the same frames, so Linux reads the zeros too, without an INVALIDATE.
func madvise(_ p: Process, _ address: UInt64, _ length: UInt64, _ adviceNumber: UInt64) -> Int64 {
    let advice: UserSpace.Advice
    let asked: MemoryArguments.Range?
    do {
        (advice, asked) = try MemoryArguments.madvise(start: address, length: length, advice: adviceNumber)
    } catch {
        return -error
    }
    guard let range = asked else { return 0 }
    guard let mine = range.inUserSpace else { return -Errno.noMem }
    if advice == .discard { p.zeroPages(start: mine.start, end: mine.end) }
    return mine == range && p.regions.covers(start: range.start, end: range.end) ? 0 : -Errno.noMem
}

/// As Linux: the pages up to the first hole get the protection, then ENOMEM for the
/// hole; a hole at the start changes nothing.
func mprotect(_ p: Process, _ address: UInt64, _ length: UInt64, _ protectionWord: UInt64) -> Int64 {
    let request: MemoryArguments.Protect
    do {
        guard let asked = try MemoryArguments.mprotect(start: address, length: length, protection: protectionWord) else { return 0 }
        request = asked
    } catch {
        return -error
    }
    let range = request.range
    guard let mine = range.inUserSpace, mine.start == range.start else { return -Errno.noMem }
    let mapped = p.regions.mappedEnd(from: mine.start, upTo: mine.end)
    guard mapped > mine.start else { return -Errno.noMem }
    if request.grows { return -Errno.inval }  // no region of the LWK grows
    var neverWritable = false
    p.regions.forEach(from: mine.start, to: mapped) { if $0.protection & UserSpace.neverWritable != 0 { neverWritable = true } }
    if neverWritable && request.protection & MCOS_PROT_WRITE != 0 { return -Errno.acces }
    guard p.regions.reserve(p.regions.splits(protecting: mine.start, end: mapped, protection: request.protection)) else {
        return -Errno.noMem
    }
    p.protect(start: mine.start, end: mapped, protection: request.protection)
    return mapped == range.end ? 0 : -Errno.noMem
}

// MARK: - Signal state

/// rt_sigaction in Linux's order: the size, the new action read (EFAULT), the signal
/// checked, the old one written. Flags Linux does not know are cleared, as there.
func sigaction(_ p: Process, _ number: UInt64, _ action: UInt64, _ old: UInt64, _ setSize: UInt64) -> Int64 {
    guard setSize == SignalAction.setBytes else { return -Errno.inval }
    var new: (UInt64, UInt64, UInt64, UInt64)?
    if action != 0 {
        guard let handler = p.readWord(action), let flags = p.readWord(action &+ 8), let restorer = p.readWord(action &+ 16),
              let mask = p.readWord(action &+ 24) else { return -Errno.fault }
        // KILL and STOP cannot be blocked, so a handler's mask never holds them
        let kept = SignalDisposition.requested(words: [handler, flags, restorer, mask])
        new = (kept.handler, kept.flags, kept.restorer, kept.mask)
    }
    let signal = Int32(truncatingIfNeeded: number)  // an int for Linux
    guard signal >= 1, Signal.isValid(UInt64(signal)) else { return -Errno.inval }
    if new != nil && (UInt32(signal) == Signal.kill || UInt32(signal) == Signal.stop) { return -Errno.inval }
    let slot = Int(signal) * SignalAction.words
    let previous = (p.signalActions[slot], p.signalActions[slot + 1], p.signalActions[slot + 2], p.signalActions[slot + 3])
    if let new {
        p.signalActions[slot] = new.0
        p.signalActions[slot + 1] = new.1
        p.signalActions[slot + 2] = new.2
        p.signalActions[slot + 3] = new.3
        // As on Linux, a pending signal that is now ignored is discarded.
        if SignalDelivery.outcome(signal: UInt32(signal), handler: new.0, blocked: 0) == .ignore {
            withSignalLock { p.pendingSignals &= ~Signal.bit(UInt32(signal)) }
        }
    }
    if old != 0 {
        guard p.writeWord(old, previous.0), p.writeWord(old &+ 8, previous.1), p.writeWord(old &+ 16, previous.2),
              p.writeWord(old &+ 24, previous.3) else { return -Errno.fault }
    }
    return 0
}

/// Linux's order: the size, the new set read (EFAULT) and applied (EINVAL for a `how`
/// it does not know), then the old one written.
func sigprocmask(_ p: Process, _ how: UInt64, _ set: UInt64, _ old: UInt64, _ setSize: UInt64) -> Int64 {
    guard setSize == SignalAction.setBytes else { return -Errno.inval }
    let previous = p.signalMask
    if set != 0 {
        guard let word = p.readWord(set) else { return -Errno.fault }
        let change = word & ~(Signal.bit(Signal.kill) | Signal.bit(Signal.stop))  // they cannot be blocked
        switch UInt64(UInt32(truncatingIfNeeded: how)) {  // an int for Linux
        case SignalMaskChange.block: p.signalMask |= change
        case SignalMaskChange.unblock: p.signalMask &= ~change
        case SignalMaskChange.set: p.signalMask = change
        default: return -Errno.inval
        }
        // What the new mask lets through is delivered on the way back to user mode.
    }
    if old != 0, !p.writeWord(old, previous) { return -Errno.fault }
    return 0
}

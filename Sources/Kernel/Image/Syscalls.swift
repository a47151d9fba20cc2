import CMcosABI

// System calls from a process: the ones the LWK answers itself (Syscall.local), and
// the offload of every other one to the proxy on Linux (MCOS_IKC_SYSCALL, then a wait
// for MCOS_IKC_SYSCALL_REPLY or a KILL).

typealias SyscallArguments = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

/// System call `number` of the process on `cpu`, from the architecture's entry with
/// interrupts off; what it returns goes back to the program.
func systemCall(cpu: Int, number: UInt64, arguments args: SyscallArguments) -> Int64 {
    guard let process = cpuStates[cpu].process else { return -Errno.noSys }
    if kernel.options.testFault == .inSyscall { faultOnPurpose(cpu, "test_fault=syscall") }
    let result: Int64
    if let call = Syscall(number: number), Syscall.route(number) == .local {
        result = localSyscall(process, call, args)
    } else {
        send(cpu, SyscallRequest(number: number, arguments: args).packet)
        guard let reply = waitFor(cpu, process, stopOnKill: true, { $0.type == MCOS_IKC_SYSCALL_REPLY }) else {
            endProcess(process, status: ProcessEnd.signalStatus(process.pendingKill ?? Signal.kill))
        }
        result = Int64(bitPattern: reply.args.0)
    }
    // A KILL that came while the call waited for an INVALIDATE_ACK, or is still queued.
    serveBeforeUserMode(process)
    return result
}

func localSyscall(_ p: Process, _ call: Syscall, _ a: SyscallArguments) -> Int64 {
    switch call {
    case .exit, .exitGroup:
        endProcess(p, status: ProcessEnd.exitStatus(code: a.0))
    case .brk: return Int64(bitPattern: brk(p, a.0))
    case .mmap: return mmap(p, a)
    case .munmap: return munmap(p, a.0, a.1)
    case .mprotect: return mprotect(p, a.0, a.1, UInt32(truncatingIfNeeded: a.2))
    case .madvise: return madvise(p, a.0, a.1, a.2)
    case .getpid, .gettid, .setTidAddress:
        // The program has its proxy's pid (as in McKernel): what it sends to Linux in
        // offloaded calls (kill, /proc/self) then means itself.
        return Int64(p.pid)
    case .setRobustList: return a.1 == RobustList.headBytes ? 0 : -Errno.inval
    case .schedYield: return 0
    case .archPrctl: return archPrctl(p, a.0, a.1)
    case .clockGettime:
        guard let now = p.clock.read(a.0, tsc: Arch.cycles()) else { return -Errno.inval }
        let time = ProcessClock.timespec(now)
        return p.copyOut(a.1, [time.0, time.1]) ? 0 : -Errno.fault
    case .gettimeofday:
        let time = ProcessClock.timeval(p.clock.read(ProcessClock.realtimeID, tsc: Arch.cycles()) ?? 0)
        if a.0 != 0, !p.copyOut(a.0, [time.0, time.1]) { return -Errno.fault }
        if a.1 != 0, !p.copyOut(a.1, [0]) { return -Errno.fault }  // struct timezone: UTC
        return 0
    case .rtSigaction: return sigaction(p, a.0, a.1, a.2, a.3)
    case .rtSigprocmask: return sigprocmask(p, a.0, a.1, a.2, a.3)
    case .mremap: return -Errno.noMem  // glibc's realloc falls back to copying
    case .rseq: return -Errno.noSys
    case .clone, .clone3, .fork, .vfork, .execve, .execveat:
        if !p.toldNoProcesses {
            p.toldNoProcesses = true
            log(p.cpu, "process \(p.pid): \(call.name) is not supported (one single-threaded process per CPU): ENOSYS")
        }
        return -Errno.noSys
    default:  // not in Syscall.local: never routed here
        return -Errno.noSys
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
        p.invalidate(start: from, end: to)
        p.unmap(start: from, end: to)
    }
    p.programBreak.commit(request)
    return request
}

/// Anonymous private memory only: top-down from MCOS_USER_MMAP_TOP, or where the
/// program asks (a hint that fits, MAP_FIXED, MAP_FIXED_NOREPLACE). Files: ENODEV.
func mmap(_ p: Process, _ a: SyscallArguments) -> Int64 {
    let (address, length, protectionWord, flags, _, offset) = a
    let protection = UInt32(truncatingIfNeeded: protectionWord)
    guard length > 0, let bytes = UserSpace.pageUp(length), protectionWord & ~UInt64(UserSpace.protectionBits) == 0, offset % 4096 == 0 else {
        return -Errno.inval
    }
    guard flags & MapFlag.anonymous != 0 else { return -Errno.noDev }
    guard flags & MapFlag.sharing == MapFlag.privateMapping else { return -Errno.inval }
    let start: UInt64
    if flags & (MapFlag.fixed | MapFlag.fixedNoReplace) != 0 {
        guard let range = UserSpace.range(start: address, bytes: bytes) else { return -Errno.inval }
        if p.regions.overlaps(start: range.start, end: range.end) {
            if flags & MapFlag.fixed == 0 { return -Errno.exist }
            p.invalidate(start: range.start, end: range.end)
            p.unmap(start: range.start, end: range.end)
        }
        start = range.start
    } else if address != 0, let range = UserSpace.range(start: address, bytes: bytes),
              !p.regions.overlaps(start: range.start, end: range.end) {
        start = range.start
    } else {
        guard let free = p.regions.findFree(bytes: bytes) else { return -Errno.noMem }
        start = free
    }
    guard p.mapAnonymous(start: start, end: start + bytes, protection: protection, loading: false) else { return -Errno.noMem }
    return Int64(start)
}

func munmap(_ p: Process, _ address: UInt64, _ length: UInt64) -> Int64 {
    guard let range = UserSpace.range(start: address, bytes: length) else { return -Errno.inval }
    guard p.regions.overlaps(start: range.start, end: range.end) else { return 0 }
    p.invalidate(start: range.start, end: range.end)
    p.unmap(start: range.start, end: range.end)
    return 0
}

/// Linux's checks and results: EINVAL for an unaligned start or an advice it refuses;
/// the advice applies to the mapped parts of the range, then ENOMEM if it had holes.
/// Discarded pages keep their frames (nothing is paged here) and are zeroed in place;
/// the proxy maps the same frames, so Linux reads the zeros too, without an INVALIDATE.
func madvise(_ p: Process, _ address: UInt64, _ length: UInt64, _ adviceNumber: UInt64) -> Int64 {
    guard address % 4096 == 0, let advice = UserSpace.Advice(adviceNumber),
          let bytes = UserSpace.pageUp(length), bytes <= UInt64.max - address else { return -Errno.inval }
    if bytes == 0 { return 0 }
    let end = address + bytes
    if advice == .discard {
        for region in p.regions.regions where region.end > address && region.start < end {
            p.zeroPages(start: max(region.start, address), end: min(region.end, end))
        }
    }
    return p.regions.covers(start: address, end: end) ? 0 : -Errno.noMem
}

func mprotect(_ p: Process, _ address: UInt64, _ length: UInt64, _ protection: UInt32) -> Int64 {
    guard address % 4096 == 0, protection & ~UserSpace.protectionBits == 0 else { return -Errno.inval }
    if length == 0 { return 0 }
    guard let range = UserSpace.range(start: address, bytes: length),
          p.regions.covers(start: range.start, end: range.end) else { return -Errno.noMem }
    p.invalidate(start: range.start, end: range.end)
    p.protect(start: range.start, end: range.end, protection: protection)
    return 0
}

// MARK: - Signal state

/// Signal dispositions and the mask are kept so the program reads back what it set;
/// no signal is ever delivered to a handler: a KILL ends the process.
func sigaction(_ p: Process, _ number: UInt64, _ action: UInt64, _ old: UInt64, _ setSize: UInt64) -> Int64 {
    guard setSize == SignalAction.setBytes, Signal.isValid(number) else { return -Errno.inval }
    let signal = UInt32(number)
    if action != 0 && (signal == Signal.kill || signal == Signal.stop) { return -Errno.inval }
    let slot = Int(signal) * SignalAction.words
    var new: [UInt64]?
    if action != 0 {
        guard let words = p.copyIn(action, count: SignalAction.words) else { return -Errno.fault }
        new = words
    }
    if old != 0, !p.copyOut(old, Array(p.signalActions[slot..<slot + SignalAction.words])) { return -Errno.fault }
    if let new {
        for index in 0..<SignalAction.words { p.signalActions[slot + index] = new[index] }
        // As on Linux, a pending signal that is now ignored is discarded.
        if SignalDelivery.outcome(signal: signal, handler: new[0], blocked: 0) == .ignore {
            p.pendingSignals &= ~Signal.bit(signal)
        }
        if new[0] > SignalDelivery.ignoreHandler && !p.toldNoSignals {  // neither SIG_DFL nor SIG_IGN
            p.toldNoSignals = true
            log(p.cpu, "process \(p.pid): signal handlers are recorded but never run on the LWK yet")
        }
    }
    return 0
}

func sigprocmask(_ p: Process, _ how: UInt64, _ set: UInt64, _ old: UInt64, _ setSize: UInt64) -> Int64 {
    guard setSize == SignalAction.setBytes else { return -Errno.inval }
    var mask = p.signalMask
    if set != 0 {
        guard let words = p.copyIn(set, count: 1) else { return -Errno.fault }
        switch how {
        case SignalMaskChange.block: mask |= words[0]
        case SignalMaskChange.unblock: mask &= ~words[0]
        case SignalMaskChange.set: mask = words[0]
        default: return -Errno.inval
        }
        mask &= ~(Signal.bit(Signal.kill) | Signal.bit(Signal.stop))  // they cannot be blocked
    }
    if old != 0, !p.copyOut(old, [p.signalMask]) { return -Errno.fault }
    p.signalMask = mask
    // What the new mask lets through is delivered now (an ending happens on the way
    // back to user mode).
    while let signal = SignalDelivery.deliverable(pending: p.pendingSignals, blocked: mask) {
        p.pendingSignals &= ~Signal.bit(signal)
        deliver(signal, to: p)
    }
    return 0
}

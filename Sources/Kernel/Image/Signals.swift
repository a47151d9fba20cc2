import CMcosABI

// Signals of a process on the LWK, as Linux's signal code does them: sending (from
// Linux through the proxy's KILL, for the process or one thread, or the program's own
// kill/tgkill),
// delivery on the way back to user mode (a handler's frame, SA_RESETHAND, the
// handler's mask, the restart or EINTR of the call it interrupted), faults, and the
// calls that wait for signals or return from a handler. The decisions are the
// logic's (SignalDelivery, SignalDisposition, SignalFrame, SignalReturn, UserFault,
// SyscallRestart); here they are applied to the process and its registers.
//
// Nothing here allocates per pending signal: the pending set is a word per thread and
// a fixed table of siginfo; a frame's bytes live only while it is written. A signal
// for the process goes to one thread at once (the one whose channel it came on, unless
// it blocks it), and a thread's pending set changes under `signalLock`, since a signal
// for the process may be made pending on it from another CPU.

nonisolated(unsafe) var signalLock: UInt32 = 0

/// `body` with the pending sets locked; a shootdown asked meanwhile is answered.
func withSignalLock<R>(_ body: () -> R) -> R {
    while lwk_spin_trylock(&signalLock, 0) == 0 {
        serveFlush(currentCPU())
        Arch.relax()
    }
    let result = body()
    lwk_spin_unlock(&signalLock)
    return result
}

/// A call that a signal interrupted: how Linux's own call would end, and its number
/// (the frame's again when it is restarted).
struct InterruptedCall {
    var kind: SyscallRestart.Kind
    var number: UInt64
}

extension Process {
    /// The action of `signal` (1 ... 64), from rt_sigaction's words.
    func action(_ signal: UInt32) -> SignalDisposition {
        let slot = Int(signal) * SignalAction.words
        return SignalDisposition(handler: signalActions[slot], flags: signalActions[slot + 1], restorer: signalActions[slot + 2],
                                 mask: signalActions[slot + 3])
    }

    func setAction(_ signal: UInt32, _ action: SignalDisposition) {
        let slot = Int(signal) * SignalAction.words
        signalActions[slot] = action.handler
        signalActions[slot + 1] = action.flags
        signalActions[slot + 2] = action.restorer
        signalActions[slot + 3] = action.mask
    }
}

// MARK: - Sending

/// `signal` sent to the process, with `info` (SignalDelivery decides): an ending is
/// noted in `pendingKill` and carried out before the program runs again; a handled or
/// blocked signal waits in `pendingSignals` for the way back to user mode.
func send(_ signal: UInt32, info: SignalInfo, to process: Process) {
    guard Signal.isValid(UInt64(signal)) else { return }
    process.signalsSent &+= 1
    // A stop cancels a pending SIGCONT, SIGCONT every pending stop (prepare_signal).
    withSignalLock { process.pendingSignals &= ~SignalDisposition.cancelledBySending(signal) }
    switch SignalDelivery.outcome(signal: signal, action: process.action(signal), blocked: process.signalMask, proxyGone: process.proxyGone) {
    case .end:
        if process.pendingKill == nil { process.pendingKill = signal }
        stopOtherThreads(process)
    case .ignore:
        break
    case .hold, .handle, .stop:
        makePending(signal, info: info, process)
    }
}

func makePending(_ signal: UInt32, info: SignalInfo, _ process: Process) {
    withSignalLock {
        if process.pendingSignals & Signal.bit(signal) == 0 { process.pendingInfo[Int(signal)] = info }
        process.pendingSignals |= Signal.bit(signal)
    }
}

/// A signal for `thread` (thread-directed: tgkill), or for its process, when it goes
/// to the first thread that does not block it, this one first (complete_signal's
/// order); that thread is woken to take it.
@discardableResult
func deliver(_ signal: UInt32, info: SignalInfo, to thread: Process, threadDirected: Bool) -> Process {
    var target = thread
    if !threadDirected, thread.signalMask & Signal.bit(signal) != 0 || (thread.isLeader && lwk_load32(thread.mailbox.leaderGone) != 0) {
        var found: Process?
        thread.forEachThread { other in
            if found == nil && other.signalMask & Signal.bit(signal) == 0 { found = other }
        }
        if let found {
            target = found
        } else {
            thread.forEachThread { other in if target === thread { target = other } }
        }
    }
    send(signal, info: info, to: target)
    kick(target.cpu)
    return target
}

// MARK: - Delivery

/// The last step before the program runs again from `frame` (a system call's or an
/// exception's, in user mode): every pending signal the mask lets through, lowest
/// first as Linux takes them; each handler gets its frame on top of the previous
/// one's, so the last one runs first. The call a signal interrupted is restarted or
/// ends with EINTR as the first handler's SA_RESTART says (or as without a handler).
func deliverPendingSignals(_ process: Process, _ frame: UnsafeMutablePointer<lwk_frame>) {
    while let (signal, info) = takeDeliverable(process) {
        let action = process.action(signal)
        switch action.delivery(of: signal) {
        case .ignore:
            continue  // the action changed while it was pending
        case .stop:
            stopProgram(process, signal)
        case .end:
            endProcess(process, status: ProcessEnd.signalStatus(signal))
        case .handler:
            runHandler(signal, info: info, action: action, process, frame)
        }
    }
    if let call = process.interruptedCall {
        process.interruptedCall = nil
        finish(call, outcome: SyscallRestart.outcome(call.kind, handler: nil), frame)
    }
    if let saved = process.suspendedMask {  // no handler ran: sigsuspend's mask goes
        process.suspendedMask = nil
        process.signalMask = saved
    }
}

/// The next signal to deliver to `process`, taken off its pending set, with its siginfo.
func takeDeliverable(_ process: Process) -> (UInt32, SignalInfo)? {
    withSignalLock {
        guard let signal = SignalDelivery.deliverable(pending: process.pendingSignals, blocked: process.signalMask) else { return nil }
        process.pendingSignals &= ~Signal.bit(signal)
        return (signal, process.pendingInfo[Int(signal)])
    }
}

/// The interrupted call returns EINTR, or is made again: the frame is set to issue it
/// anew when the program (or the handler's rt_sigreturn) resumes. A resumed wait starts
/// again from its arguments.
func finish(_ call: InterruptedCall, outcome: SyscallRestart.Outcome, _ frame: UnsafeMutablePointer<lwk_frame>) {
    switch outcome {
    case .interrupted:
        frame.pointee.syscallResult = UInt64(bitPattern: -Errno.intr)
    case .restart, .resume:
        frame.pointee.restartSyscall(call.number)
    }
}

/// handle_signal: the call it interrupted settled, SA_RESETHAND applied, the frame
/// written on the user stack (or the alternate one), and the program sent to the
/// handler with the handler's mask. A frame that cannot be written forces SIGSEGV.
func runHandler(_ signal: UInt32, info: SignalInfo, action: SignalDisposition, _ process: Process, _ frame: UnsafeMutablePointer<lwk_frame>) {
    if let call = process.interruptedCall {
        process.interruptedCall = nil
        finish(call, outcome: SyscallRestart.outcome(call.kind, handler: action), frame)
    }
    let cpu = cpuStates[process.cpu]
    let savedMask = process.suspendedMask ?? process.signalMask
    let written = withProcessLock(process) {
        if action.has(SignalActionFlag.resetHandler) { process.setAction(signal, action.afterDelivery) }
        // Above the user range the handler could never run: as a frame that fails.
        guard action.handler < VirtualAddress.userLimit,
              let signalFrame = try? SignalFrame(signal: signal, info: info, action: action, interrupted: UserRegisters(frame.pointee),
                                                 savedMask: savedMask, trap: process.trap, altStack: process.altStack,
                                                 fpState: Arch.savedExtendedState(cpu), layout: cpu.arch.extendedState),
              process.write(signalFrame.fpStateImage, at: signalFrame.fpStateAddress),
              process.write(signalFrame.image, at: signalFrame.address) else {
            let forced = SignalDisposition.frameFailure(signal, segvAction: process.action(Signal.segv), blocked: process.signalMask)
            process.setAction(Signal.segv, forced.action)
            process.signalMask = forced.blocked
            return false
        }
        signalFrame.handlerRegisters.store(into: frame)
        return true
    }
    guard written else {
        makePending(Signal.segv, info: .kernel(Signal.segv), process)
        return
    }
    Arch.resetExtendedState(cpu)
    process.suspendedMask = nil
    process.signalMask = action.handlerMask(for: signal, blocked: process.signalMask)
    process.altStack.disarmIfAutomatic()
}

/// Job control: the program stops until SIGCONT. Its proxy is asked to stop by the
/// same signal (a stop signal to the program's own pid, which the program's own kill
/// never sends to the proxy), so that the shell sees the job stopped; the answer comes
/// once SIGCONT has resumed it, and that SIGCONT reaches the program before it.
func stopProgram(_ process: Process, _ signal: UInt32) {
    _ = offload(process, number: UInt64(Syscall.kill.rawValue), arguments: (process.pid, UInt64(signal), 0, 0, 0, 0), kernelCall: true)
    // The answer may have come with a KILL behind it whose interrupt was taken while
    // this CPU waited: served now, or the program would run on with its end pending
    // and nothing left to wake the CPU (a program that computes never enters again).
    serveBeforeUserMode(process)
}

// MARK: - Faults

/// An exception in user mode: the signal Linux forces for it (a handler may take it,
/// even blocked or ignored it ends the process), with Linux's kernel-log line when it
/// ends the process.
func userFault(_ process: Process, _ frame: UnsafeMutablePointer<lwk_frame>) {
    let f = frame.pointee
    let accessed = Arch.pageFaultAddress
    let floatingPoint = f.exceptionKind == .floatingPoint
    // A file's shared mapping has no frame past the file's end (LinuxFrames.swift): SIGBUS there, as on Linux.
    let (mapped, pastFileEnd) = withProcessLock(process) { () -> (Bool, Bool) in
        guard let region = process.regions.region(containing: accessed) else { return (false, false) }
        return (true, region.hasLinuxFrames && process.frame(at: accessed) == nil)
    }
    let fault = UserFault(f, trap: process.trap, accessed: accessed, mapped: mapped, pastFileEnd: pastFileEnd,
                          fpArea: floatingPoint ? Arch.savedExtendedState(cpuStates[process.cpu]) : [])
    let signal = fault?.info.signal ?? Signal.segv
    if let fault { process.trap = fault.trap }
    if fault == nil && floatingPoint { return }  // a spurious FP exception: nothing to report
    let forced = withProcessLock(process) {
        let forced = SignalDisposition.force(signal, action: process.action(signal), blocked: process.signalMask)
        process.setAction(signal, forced.action)
        return forced
    }
    process.signalMask = forced.blocked
    guard let fault, forced.action.hasHandler else {
        let address = f.reportedFaultAddress(accessed: accessed)
        log(process.cpu, f.faultMessage(name: String(process.pid), pid: process.pid, address: address))
        endProcess(process, status: ProcessEnd.signalStatus(signal), faultAddress: address, faultIP: f.instructionPointer)
    }
    // Synchronous: taken before anything else pending, as Linux's dequeue does.
    withSignalLock { process.pendingSignals &= ~Signal.bit(signal) }
    runHandler(signal, info: fault.info, action: forced.action, process, frame)
}

// MARK: - The calls

/// rt_sigreturn: the registers, mask, alternate stack and FP state the frame saved,
/// checked as Linux checks them; a frame it cannot take is SIGSEGV.
func signalReturn(_ process: Process, _ frame: UnsafeMutablePointer<lwk_frame>) {
    let cpu = cpuStates[process.cpu]
    let back = withProcessLock(process) {
        SignalReturn(current: UserRegisters(frame.pointee), altStack: process.altStack, layout: cpu.arch.extendedState, memory: process)
    }
    back.registers.store(into: frame)
    if let blocked = back.blocked { process.signalMask = blocked }
    process.altStack = back.altStack
    switch back.extendedState {
    case .area(let state)?: Arch.loadExtendedState(state, cpu)
    case .initial?, .invalid?: Arch.resetExtendedState(cpu)
    case nil: break
    }
    process.interruptedCall = nil
    if !Arch.resume(frame, after: back.ending, trap: &process.trap) { forceSegmentationFault(process) }
}

/// force_sig(SIGSEGV) with SI_KERNEL: a handler may take it; blocked or ignored it
/// ends the process. The delivery on the way out does either (an instruction pointer
/// the return would fault on never reaches user mode: the handler's frame replaces it,
/// or the process ends).
func forceSegmentationFault(_ process: Process) {
    let forced = withProcessLock(process) {
        let forced = SignalDisposition.force(Signal.segv, action: process.action(Signal.segv), blocked: process.signalMask)
        process.setAction(Signal.segv, forced.action)
        return forced
    }
    process.signalMask = forced.blocked
    makePending(Signal.segv, info: .kernel(Signal.segv), process)
}

/// sigaltstack(2) in Linux's order: the new stack read (EFAULT), the old one taken as
/// it was, the change (EPERM, EINVAL, ENOMEM), the old one written (EFAULT).
func sigaltstack(_ p: Process, _ new: UInt64, _ old: UInt64) -> Int64 {
    var setting: SignalStack.Setting?
    if new != 0 {
        guard let base = p.readWord(new), let flags = p.readWord(new &+ 8), let size = p.readWord(new &+ 16) else { return -Errno.fault }
        setting = SignalStack.Setting(base: base, flags: UInt32(truncatingIfNeeded: flags), size: size)
    }
    let previous = p.altStack.setting(at: p.syscallStackPointer)
    if let setting, let error = p.altStack.change(to: setting, at: p.syscallStackPointer) { return -Int64(error.rawValue) }
    if old != 0 {
        guard p.writeWord(old, previous.base), p.writeWord(old &+ 8, UInt64(previous.flags)), p.writeWord(old &+ 16, previous.size) else {
            return -Errno.fault
        }
    }
    return 0
}

/// rt_sigpending: the pending signals the mask blocks, `size` bytes of them.
func sigpending(_ p: Process, _ set: UInt64, _ size: UInt64) -> Int64 {
    guard size <= SignalAction.setBytes else { return -Errno.inval }
    var bytes = [UInt8](repeating: 0, count: Int(size))
    bytes.withUnsafeMutableBytes { buffer in
        let word = p.pendingSignals & p.signalMask
        for index in 0..<buffer.count { buffer[index] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index))) }
    }
    return p.write(bytes, at: set) ? 0 : -Errno.fault
}

/// rt_sigsuspend: the mask replaced until a signal is delivered, whose handler's
/// frame saves the old one (EINTR after a handler; restarted if none ran).
func sigsuspend(_ p: Process, _ set: UInt64, _ size: UInt64, number: UInt64) -> Int64 {
    guard size == SignalAction.setBytes else { return -Errno.inval }
    guard let mask = withProcessLock(p, { p.readWord(set) }) else { return -Errno.fault }
    p.suspendedMask = p.signalMask
    p.signalMask = mask & ~Signal.unblockable
    waitForSignal(p)
    p.interruptedCall = InterruptedCall(kind: .restartWithoutHandler, number: number)
    return -Errno.intr
}

/// pause: until a signal is delivered (EINTR after a handler; restarted if none ran).
func pause(_ p: Process, number: UInt64) -> Int64 {
    waitForSignal(p)
    p.interruptedCall = InterruptedCall(kind: .restartWithoutHandler, number: number)
    return -Errno.intr
}

/// rt_sigtimedwait: a pending signal of the set is taken here; otherwise the wait is
/// Linux's, offloaded (the proxy's own wait returns a signal of the set sent to it,
/// and any other it forwards ends the wait with EINTR, as on Linux).
func sigtimedwait(_ p: Process, _ a: SyscallArguments, number: UInt64) -> Int64 {
    guard a.3 == SignalAction.setBytes else { return -Errno.inval }
    guard let set = withProcessLock(p, { p.readWord(a.0) }) else { return -Errno.fault }
    let wanted = set & ~Signal.unblockable
    let taken: (UInt32, SignalInfo)? = withSignalLock {
        guard let signal = SignalDelivery.deliverable(pending: p.pendingSignals & wanted, blocked: 0) else { return nil }
        p.pendingSignals &= ~Signal.bit(signal)
        return (signal, p.pendingInfo[Int(signal)])
    }
    if let (signal, info) = taken {
        if a.1 != 0, !withProcessLock(p, { p.write(info.image, at: a.1) }) { return -Errno.fault }
        return Int64(signal)
    }
    return offload(p, number: number, arguments: a)
}

/// kill of the process itself, and tkill and tgkill of any of its threads, are sent
/// here (SI_USER or SI_TKILL, with its pid and Linux's answer to getuid), so that the
/// signal is pending when the call returns, as on Linux; a thread that waits for an
/// offloaded call has it interrupted. Any other target is Linux's.
func signalSelf(_ p: Process, _ call: Syscall, _ a: SyscallArguments, number: UInt64) -> Int64 {
    let pid = Int32(truncatingIfNeeded: p.pid)
    let target: Process?, signalWord: UInt64, code: Int32
    // A tid of 0 or less is Linux's to refuse (EINVAL), as is a negative pid.
    let tid = { (word: UInt64) -> UInt64? in
        let value = Int32(truncatingIfNeeded: word)
        return value > 0 ? UInt64(value) : nil
    }
    switch call {
    case .kill:
        (target, signalWord, code) = (Int32(truncatingIfNeeded: a.0) == pid ? p : nil, a.1, SignalCode.user)
    case .tkill:
        (target, signalWord, code) = (tid(a.0).flatMap { p.thread(withID: $0) }, a.1, SignalCode.tkill)
    default:  // tgkill
        let ours = Int32(truncatingIfNeeded: a.0) == pid
        (target, signalWord, code) = (ours ? tid(a.1).flatMap { p.thread(withID: $0) } : nil, a.2, SignalCode.tkill)
    }
    guard let target else { return offload(p, number: number, arguments: a) }
    let signal = Int32(truncatingIfNeeded: signalWord)
    guard signal >= 0, signal <= Int32(Signal.count) else { return -Errno.inval }
    if signal == 0 { return 0 }
    let uid = offload(p, number: UInt64(Syscall.getuid.rawValue), arguments: (0, 0, 0, 0, 0, 0), kernelCall: true)
    let info = SignalInfo.sent(UInt32(signal), code: code, pid: UInt32(truncatingIfNeeded: p.pid),
                               uid: UInt32(truncatingIfNeeded: uid))
    let taker = deliver(UInt32(signal), info: info, to: target, threadDirected: call != .kill)
    interruptCall(of: taker, askedBy: p)
    return 0
}

/// Waits (waitForWork) until a signal the mask lets through is pending, or the process
/// must end.
func waitForSignal(_ p: Process) {
    let inbound = inboundRing(p.cpu)
    while true {
        Arch.disableInterrupts()
        if shutdownRequested() { park(p.cpu) }
        serveFlush(p.cpu)
        if let packet = inbound.receive() {
            serveWhileBusy(p.cpu, p, packet)
            continue
        }
        if interruptSignalledCalls(p) { continue }  // what came meanwhile had its IPI taken
        if p.processEnds || SignalDelivery.deliverable(pending: p.pendingSignals, blocked: p.signalMask) != nil { return }
        waitForWork(p.cpu)
    }
}

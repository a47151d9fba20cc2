import CMcosABI

// A context's IKC channel while it has a process: sending to Linux (interrupting it when
// its thread sleeps on the ring; a full ring only needs patience) and waiting, the CPU
// given up between interrupts, for one answer while everything else that arrives is
// still served.

func inboundRing(_ cpu: Int) -> IKCRing<RawShared> { ikcRing(mcos_ikc_ring_to_lwk(UInt32(cpu))) }
func outboundRing(_ cpu: Int) -> IKCRing<RawShared> { ikcRing(mcos_ikc_ring_from_lwk(UInt32(cpu))) }

/// Sends `packet` to Linux; spins while the ring is full (Linux drains it), parks on
/// shutdown. A Linux thread asleep on the ring gets the interrupt the module named;
/// one that is busy (or polls) costs nothing more.
func send(_ cpu: Int, _ packet: IKCPacket) {
    let ring = outboundRing(cpu)
    while !ring.send(packet) {
        if shutdownRequested() { park(cpu) }
        serveFlush(cpu)
        Arch.relax()
    }
    if ring.consumerSleeps, let wake = bootBlock.linuxInterrupt {
        kernel.interrupts.interrupt(apicID: wake.apicID, vector: wake.vector)
    }
}

func answerPing(_ cpu: Int, _ packet: IKCPacket) {
    send(cpu, IKCPacket(type: MCOS_IKC_PONG, seq: packet.seq,
                        args: (UInt64(cpu), UInt64(kernel.info.cpus[cpuIndex(of: cpu)].apicID), 0, 0, 0, 0)))
}

/// A packet that arrives while the CPU's process runs or waits: PING is answered,
/// requests for a new process are refused (-EBUSY), KILL's signal is sent to the
/// process (Signals.swift); late answers nobody waits for are dropped.
func serveWhileBusy(_ cpu: Int, _ process: Process, _ packet: IKCPacket) {
    switch packet.type {
    case MCOS_IKC_PING:
        answerPing(cpu, packet)
    case MCOS_IKC_PROC_CREATE, MCOS_IKC_PROC_FORK, MCOS_IKC_PROC_CPUS, MCOS_IKC_PROC_MAP, MCOS_IKC_PROC_START:
        send(cpu, procReplyPacket(seq: packet.seq, result: -Errno.busy))
    case MCOS_IKC_PROC_KILL:
        if case .kill(let signal, let proxyGone, let thread, let sender)? = ProcessRequest(packet: packet) {
            if proxyGone { process.proxyGone = true }
            let taker = deliver(signal, info: sender.info(signal), to: process, threadDirected: thread)
            if taker !== process && lwk_load32(taker.mailbox.inCall) != 0 { cpuStates[cpu].signalledOtherThread = true }
        }
    default:
        break
    }
}

/// Last thing before (re)entering user mode, interrupts off: packets still in the ring
/// may have had their IPI taken already (in kernel mode it only wakes `hlt`), so serve
/// them now; a KILL among them, or one noted meanwhile, ends the process here, and so
/// does another thread's ending of it. Asking Linux to interrupt another thread's call
/// waits for its answer, and what came meanwhile is served in turn.
func serveBeforeUserMode(_ process: Process) {
    let cpu = process.cpu
    let inbound = inboundRing(cpu)
    repeat {
        if shutdownRequested() { park(cpu) }
        serveFlush(cpu)
        while let packet = inbound.receive() { serveWhileBusy(cpu, process, packet) }
        endIfProcessEnds(process)
    } while interruptSignalledCalls(process)
}

/// Waits for the packet `wanted` accepts, the CPU given up between interrupts
/// (waitForWork); returns with interrupts off. nil when a KILL arrived and the wait
/// should stop: always if `stopOnKill`, else only once the proxy is gone (nobody
/// would answer).
func waitFor(_ cpu: Int, _ process: Process, stopOnKill: Bool, _ wanted: (IKCPacket) -> Bool) -> IKCPacket? {
    let inbound = inboundRing(cpu)
    while true {
        Arch.disableInterrupts()
        if shutdownRequested() { park(cpu) }
        serveFlush(cpu)
        if let packet = inbound.receive() {
            if wanted(packet) { return packet }
            serveWhileBusy(cpu, process, packet)
            continue
        }
        if process.processEnds && (stopOnKill || process.proxyGone) { return nil }
        waitForWork(cpu)
    }
}

/// The IKC IPI or the timer arrived while the CPU ran user code (in kernel mode the
/// waiting code reads the ring itself): serve the channel, end the process on KILL,
/// run the handler of a signal that came, park on shutdown. With time_sharing the
/// CPU's other contexts look at what they wait for first (returnToUser), and when
/// `turnEnded` another at work has its turn.
func ikcInterruptInUserMode(_ cpu: Int, _ frame: UnsafeMutablePointer<lwk_frame>, turnEnded: Bool) {
    guard let process = cpuStates[cpu].process else {
        if shutdownRequested() { park(cpu) }
        return
    }
    returnToUser(process, frame)
    if turnEnded && takeTurn(cpu) { returnToUser(process, frame) }
}

/// Everything that must happen before the program runs again from `frame`: the
/// channel served (a KILL ends it), then its signals delivered. An instruction pointer
/// the return to user mode would fault on never gets there: the signal logic replaces
/// it or ends the process, and should it not, the process ends here with SIGSEGV rather
/// than the kernel.
func returnToUser(_ process: Process, _ frame: UnsafeMutablePointer<lwk_frame>) {
    serveBeforeUserMode(process)
    deliverPendingSignals(process, frame)
    let resumeAt = frame.pointee.instructionPointer
    if !Arch.canReturnToUser(at: resumeAt) {
        endProcess(process, status: ProcessEnd.signalStatus(Signal.segv), faultIP: resumeAt)
    }
    headForUserMode(process.cpu)
}

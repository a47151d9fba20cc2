import CMcosABI

// What a context does between programs: wait for an interrupt, answer its channel,
// start a thread another CPU placed here, report interrupts nobody asked for, park on
// shutdown.

/// Waits for an interrupt (waitForWork); answers what arrived on this context's
/// channel: PING, and the requests that create, fill and start a process (START enters
/// user mode and does not come back here; the process's end does, on a fresh stack).
func idle(_ cpu: Int) -> Never {
    let inbound = inboundRing(cpu)
    let mailbox = cpuStates[cpu].mailbox
    while true {
        Arch.disableInterrupts()
        if shutdownRequested() { park(cpu) }
        serveFlush(cpu)
        if lwk_load32(mailbox.start) != 0 {
            lwk_store32(mailbox.start, 0)
            startThread(cpu)
        }
        reportStrayInterrupts(cpu)
        if let packet = inbound.receive() {
            switch packet.type {
            case MCOS_IKC_PING: answerPing(cpu, packet)
            case MCOS_IKC_PROC_CREATE, MCOS_IKC_PROC_FORK, MCOS_IKC_PROC_CPUS, MCOS_IKC_PROC_MAP, MCOS_IKC_PROC_START, MCOS_IKC_PROC_KILL:
                serveProcessRequest(cpu, packet)
            default: break  // a late SYSCALL_REPLY or INVALIDATE_ACK: nobody waits for it
            }
            continue
        }
        waitForWork(cpu)
    }
}

nonisolated(unsafe) var strayInterrupts: UInt32 = 0
nonisolated(unsafe) var lastStrayVector: UInt32 = 0
nonisolated(unsafe) var reportedStrayInterrupts: UInt32 = 0

/// An interrupt the LWK did not ask for (Linux can still aim an IPI at a CPU it has
/// offlined): counted in the handler, reported by the idle loop.
func countStrayInterrupt(vector: UInt64) {
    _ = lwk_add32(&strayInterrupts, 1)
    lwk_store32(&lastStrayVector, UInt32(truncatingIfNeeded: vector))
}

/// Logged from the idle loop, never from the handler (log takes the kmsg lock).
func reportStrayInterrupts(_ cpu: Int) {
    let count = lwk_load32(&strayInterrupts)
    guard count != lwk_load32(&reportedStrayInterrupts) else { return }
    lwk_store32(&reportedStrayInterrupts, count)
    log(cpu, "ignored \(count) interrupt(s) the LWK did not ask for, last vector \(LogLine.hex(UInt64(lwk_load32(&lastStrayVector)), digits: 2))")
}

/// Shutdown: quiet the interrupt controller and halt with interrupts off; Linux sends
/// INIT next.
func park(_ cpu: Int) -> Never {
    kernel.interrupts.quiesce()
    bootBlock.cpuParked()
    Arch.haltForever()
}

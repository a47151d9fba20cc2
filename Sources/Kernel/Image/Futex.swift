import CMcosABI

// futex(2), local to the LWK: one table of waiters for every process (FutexWaiters, whose
// private keys carry their address space), changed under one lock with the caller's
// process lock held, so that no other thread of the process unmaps the word meanwhile.
// A waiting thread gives its CPU up (waitForWork: another context runs, or the CPU
// halts) until a wake's IPI, a signal, the end of its process, or with a timeout the
// one-shot timer set for it.

nonisolated(unsafe) var futexLock: UInt32 = 0
nonisolated(unsafe) var futexWaiters = FutexWaiters()

extension Process: UserWords {
    func update32(_ address: UInt64, _ change: (UInt32) -> UInt32) -> UInt32? {
        guard address % 4 == 0, let window = userWindow(address, write: true), let word = lwk_ptr(window) else { return nil }
        var old = lwk_load32(word)
        while true {
            let seen = lwk_cmpxchg32(word, old, change(old))
            if seen == old { return old }
            old = seen
        }
    }

    func store32(_ address: UInt64, _ value: UInt32) -> Bool {
        guard address % 4 == 0 else { return write([UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                                                     UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)],
                                                    at: address) }
        guard let window = userWindow(address, write: true) else { return false }
        lwk_store32(lwk_ptr(window), value)
        return true
    }

    func physical(_ address: UInt64) -> UInt64? {
        guard address >= MCOS_USER_START, address < MCOS_USER_END,
              let frame = PageTables.userFrame(address, root: root, memory: tables) else { return nil }
        return frame.physical
    }
}

/// futex(uaddr, op, val, timeout, uaddr2, val3) for thread `t`.
func futex(_ t: Process, _ a: SyscallArguments, number: UInt64) -> Int64 {
    var refused: Errno?
    let outcome: FutexWaiters.Outcome = withProcessLock(t) {
        let call: FutexCall
        do throws(Errno) {
            call = try FutexCall(address: a.0, operation: a.1, value: a.2, timeout: a.3, target: a.4, value3: a.5, memory: t)
        } catch {
            refused = error
            return .done(0, woken: [])
        }
        lwk_store32(t.mailbox.futexWoken, 0)
        lwk_spin_lock(&futexLock)
        let outcome = futexWaiters.perform(call, tid: UInt32(truncatingIfNeeded: t.tid), addressSpace: t.root, memory: t)
        if case .done(_, let woken) = outcome { markWoken(woken) }
        lwk_spin_unlock(&futexLock)
        return outcome
    }
    if let refused { return -refused }
    switch outcome {
    case .done(let result, let woken):
        kickWoken(woken)
        return result
    case .sleep(let timeout):
        return sleepOnFutex(t, timeout: timeout, number: number, arguments: a)
    }
}

/// FUTEX_WAKE of one waiter of the shared word at `address` (a thread's exit: its
/// clear_child_tid, its robust locks).
func futexWake(_ t: Process, address: UInt64) -> Int64 {
    var woken: [FutexWaiters.Woken] = []
    withProcessLock(t) {
        guard let key = try? FutexKey.of(address, isPrivate: false, addressSpace: t.root, memory: t) else { return }
        lwk_spin_lock(&futexLock)
        woken = futexWaiters.wake(key, count: 1, bitset: FutexOperation.matchAnyBitset)
        markWoken(woken)
        lwk_spin_unlock(&futexLock)
    }
    kickWoken(woken)
    return Int64(woken.count)
}

/// Under futexLock: each woken thread's mailbox says so before anyone could withdraw it.
private func markWoken(_ woken: [FutexWaiters.Woken]) {
    for waiter in woken {
        if let cpu = cpuRunning(tid: UInt64(waiter.tid)) {
            lwk_store32(cpuStates[cpu].mailbox.futexWoken, UInt32(truncatingIfNeeded: waiter.index + 1))
        }
    }
}

private func kickWoken(_ woken: [FutexWaiters.Woken]) {
    for waiter in woken {
        if let cpu = cpuRunning(tid: UInt64(waiter.tid)) { kick(cpu) }
    }
}

/// Waiting (waitForWork, its timer set for the timeout) until a wake, the timeout, a signal
/// the mask lets through, or the end of the process. A wake that came first wins over
/// the timeout and the signal, as on Linux.
private func sleepOnFutex(_ t: Process, timeout: Timeout?, number: UInt64, arguments: SyscallArguments) -> Int64 {
    let deadline = timeout.map { t.clock.deadline($0, now: Arch.cycles()) }
    let inbound = inboundRing(t.cpu)
    while true {
        Arch.disableInterrupts()
        if shutdownRequested() { park(t.cpu) }
        serveFlush(t.cpu)
        if let woken = takeWake(t) { return woken }
        if let packet = inbound.receive() {
            serveWhileBusy(t.cpu, t, packet)
            continue
        }
        // Asking Linux waits for its answer, and a wake that came meanwhile has had its
        // IPI taken: look again before sleeping.
        if interruptSignalledCalls(t) { continue }
        let ending = t.processEnds
        let signalled = SignalDelivery.deliverable(pending: t.pendingSignals, blocked: t.signalMask) != nil
        let expired = deadline.map { Arch.cycles() >= $0 } ?? false
        if ending || signalled || expired {
            lwk_spin_lock(&futexLock)
            let stillWaiting = futexWaiters.withdraw(UInt32(truncatingIfNeeded: t.tid))
            lwk_spin_unlock(&futexLock)
            if !stillWaiting, let woken = takeWake(t) { return woken }
            if ending { endProcess(t, status: ProcessEnd.signalStatus(t.pendingKill ?? Signal.kill)) }
            if expired { return -Errno.timedOut }
            t.interruptedCall = InterruptedCall(kind: SyscallRestart.kind(number, arguments: arguments), number: number)
            return -Errno.intr
        }
        waitForWork(t.cpu, until: deadline)
    }
}

/// The wake this thread got, as its call's result (futex 0, futex_waitv the index).
private func takeWake(_ t: Process) -> Int64? {
    let word = lwk_load32(t.mailbox.futexWoken)
    guard word != 0 else { return nil }
    lwk_store32(t.mailbox.futexWoken, 0)
    return Int64(word - 1)
}

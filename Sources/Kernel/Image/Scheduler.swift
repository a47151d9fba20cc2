import CMcosABI

// Time sharing: an LWK CPU runs several contexts (mcos_abi.h, "Contexts"), each a
// thread's or an idle loop's kernel stack, channel and state, and switches between them
// only where the kernel waits anyway: a context that waits for an interrupt lets the
// next one with work run (waitForWork), a spin lets others run a while (takeTurn), and
// a program in user mode gives its CPU up when an interrupt came for another context or
// its turn ended. The kernel is never preempted, so no lock is held across a switch but
// the process lock, whose waiters take turns. Without time_sharing each CPU has one
// context and none of this ever switches: the CPU halts where it did before.

/// One LWK CPU: its contexts and whose turn it is. Only the CPU itself changes it, with
/// interrupts off.
final class CPUCore {
    let index: Int
    var turns: ContextTurns
    /// What the architecture set up for the CPU (its first context's `arch`).
    var arch = ArchCPU()
    var timerArmed = false

    init(index: Int, contexts: [Int]) {
        self.index = index
        turns = ContextTurns(contexts: contexts)
    }
}

nonisolated(unsafe) var cores: [CPUCore] = []
nonisolated(unsafe) var contextLayout = ContextLayout(cpus: 1, perCPU: 1)
/// The APIC timer's counts per 1024 TSC cycles (LocalAPIC.measureTimer).
nonisolated(unsafe) var timerCountsPer1024Cycles: UInt64 = 1024

func coreOf(_ context: Int) -> CPUCore { cores[contextLayout.cpu(of: context)] }

/// The LWK CPU (what programs see as a CPU number) of `context`.
func cpuIndex(of context: Int) -> Int { contextLayout.cpu(of: context) }

/// The NUMA node of `context`'s CPU.
func nodeOf(context: Int) -> Int { kernel.info.cpus[contextLayout.cpu(of: context)].node }

/// The running context has nothing to do until an interrupt (or TSC `deadline`): the
/// CPU's next context with work runs, or the CPU halts. Called and returns with
/// interrupts off; the caller looks again at what it waits for.
func waitForWork(_ cpu: Int, until deadline: UInt64? = nil) {
    let core = coreOf(cpu)
    core.turns.sleep(until: deadline)
    if let next = core.turns.next() {
        switchContext(core, from: cpu, to: next)
        return
    }
    armTimer(core)
    Arch.waitForInterrupt()
    Arch.disableInterrupts()
    core.turns.begin(cpu, now: Arch.cycles())
    armTimer(core)
}

/// Another context of this CPU that is awake runs first, if there is one, this one
/// at work meanwhile; whether one ran.
@discardableResult
func takeTurn(_ cpu: Int) -> Bool {
    guard cpu >= 0 else { return false }
    let core = coreOf(cpu)
    guard let next = core.turns.next() else { return false }
    core.turns.atWorkNow()
    switchContext(core, from: cpu, to: next)
    return true
}

/// The running context heads for user mode: the contexts an interrupt woke look
/// first (a program could otherwise keep them waiting: only contexts at work have the
/// timer), then it is at work, which starts turns by the timer if another is too.
func headForUserMode(_ cpu: Int) {
    guard cpu >= 0 else { return }
    let core = coreOf(cpu)
    if core.turns.othersLooking {
        takeTurn(cpu)
    } else if core.turns.atWorkNow() {
        armTimer(core)
    }
}

/// A spin in the kernel: interrupts that wait are taken, and the CPU's other contexts
/// run a while (one of them may hold what this one waits for).
func spinTurn(_ cpu: Int) {
    Arch.allowInterrupts()
    takeTurn(cpu)
    Arch.relax()
}

/// The IKC interrupt or the timer came: every context of this CPU looks again at what
/// it waits for, and the TLB flushes other CPUs asked of any of them are done.
func interruptArrived(_ cpu: Int) {
    guard cpu >= 0 else { return }
    let core = coreOf(cpu)
    core.turns.wakeAll()
    serveCoreFlushes(core)
}

/// A context of this CPU is to look again (the caller runs on the same CPU).
func wakeHere(_ context: Int) {
    let core = coreOf(context)
    core.turns.wake(context)
    armTimer(core)
}

/// Flushes asked of any context of `core`: one flush of the CPU's TLB serves them all
/// (a context that does not run now reloads CR3 when it does).
func serveCoreFlushes(_ core: CPUCore) {
    var asked = 0
    for context in core.turns.contexts where lwk_load32(cpuStates[context].mailbox.flush) != 0 { asked += 1 }
    guard asked > 0 else { return }
    Arch.flushTLB()
    // Only those seen: a shooter waits for its word to clear before it asks again.
    for context in core.turns.contexts where lwk_load32(cpuStates[context].mailbox.flush) != 0 {
        lwk_store32(cpuStates[context].mailbox.flush, 0)
    }
}

/// `next` runs instead of `cpu`, which resumes here on its next turn.
private func switchContext(_ core: CPUCore, from cpu: Int, to next: Int) {
    let (from, to) = (cpuStates[cpu], cpuStates[next])
    if var state = from.userState {
        Arch.saveUserState(&state, core.arch)
        from.userState = state
    }
    from.addressSpace = Arch.addressSpace
    core.turns.begin(next, now: Arch.cycles())
    Arch.enterContext(core.arch, stackTop: to.stackTop, context: next)
    if to.program.ownUserRoot != 0 { Arch.setIsolationRoots(core.arch, entry: to.entryRoot, user: to.program.ownUserRoot) }
    Arch.switchAddressSpace(to: to.addressSpace)  // always: it also flushes what `from` cached
    if let state = to.userState { Arch.restoreUserState(state, core.arch) }
    armTimer(core)
    Arch.switchStack(save: from.savedStack, next: to.savedStack.pointee)
}

/// The CPU's one-shot timer as its contexts need it now (ContextTurns.timer): off on a
/// CPU with one context working and no timeout.
func armTimer(_ core: CPUCore) {
    let slice = ContextTurns.sliceNanoseconds / 1000 * cyclesPerMicrosecond
    guard let at = core.turns.timer(sliceTicks: slice) else {
        if core.timerArmed { kernel.interrupts.timerOnce(counts: 0) }
        core.timerArmed = false
        return
    }
    let now = Arch.cycles()
    let cycles = min(at > now ? at - now : 1, 1 << 44)  // a later deadline: the CPU looks again then
    kernel.interrupts.timerOnce(counts: max((cycles * min(timerCountsPer1024Cycles, 1 << 16)) >> 10, 1))
    core.timerArmed = true
}

/// A context's first turn (Arch.firstStack): its idle loop.
@_cdecl("lwk_context_main")
func contextMain(_ context: UInt64) {
    idle(Int(truncatingIfNeeded: context))
}

/// The contexts of `core` beyond its first, set up by the CPU itself once its own tables
/// exist: a kernel stack, a page-table root for its programs (with pti=on a user root
/// too), room for its user state; each starts in its idle loop on its first turn.
/// False if memory ran out.
func setUpOtherContexts(_ core: Int) -> Bool {
    let first = cpuStates[core]
    cores[core].arch = first.arch
    first.userState = ContextUserState(layout: first.arch.extendedState, percpu: first.arch.percpu)
    first.addressSpace = Arch.addressSpace
    for context in contextLayout.contexts(on: core).dropFirst() {
        let state = cpuStates[context]
        var tables = ProcessTables(node: nodeOf(context: context))
        guard let stack = allocate(bytes: contextStackBytes, node: nodeOf(context: context)),
              let top = windowAddress(physical: stack + contextStackBytes),
              let root = PageTables.createRoot(kernelRoot: kernel.addressSpace, memory: &tables) else { return false }
        state.arch = first.arch
        state.stackTop = top
        state.program.ownRoot = root
        if first.program.ownUserRoot != 0 {  // pti=on: a user root of its own, of this CPU's entry pages
            guard let pages = Arch.userEntryPages(tables: first.arch.tables),
                  let userRoot = PageTables.createUserRoot(pages: pages, memory: &tables) else { return false }
            state.program.ownUserRoot = userRoot
            state.entryRoot = root
        }
        state.userState = ContextUserState(layout: first.arch.extendedState, percpu: first.arch.percpu)
        state.addressSpace = kernel.addressSpace
        state.savedStack.pointee = Arch.firstStack(top: top, context: context)
    }
    return true
}

/// A kernel stack's size: the APs' and every context's beyond the first.
let contextStackBytes: UInt64 = 16384

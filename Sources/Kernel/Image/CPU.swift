// Per-context state (a CPU's without time_sharing: Scheduler.swift), and the one-time
// setup of each CPU before it can run a program.

import CMcosABI

/// What one context owns (mcos_abi.h, "Contexts"; without time_sharing a context is a
/// CPU, and this is what the CPU owns). Created by the BSP for every context before any
/// AP starts and never replaced, so CPUs index the array concurrently without copying
/// it; each context only ever changes its own entry's fields.
final class CPUState {
    let index: Int
    /// Its kernel stack while another context has the CPU (Arch.switchStack), at an
    /// address that never moves.
    let savedStack: UnsafeMutablePointer<UInt64>
    /// Its CR3 and user state meanwhile.
    var addressSpace: UInt64 = 0
    var userState: ContextUserState?
    /// Top of this CPU's kernel stack: where interrupts from user mode and system calls
    /// land, and where a CPU starts afresh when its process ends.
    var stackTop: UInt64 = 0
    /// What the architecture set up for this CPU (`Arch.setUpCPU`).
    var arch = ArchCPU()
    /// With pti=on, the root this context's entries from user mode switch to: its own
    /// process root, or while a thread runs here that thread's process's (Threads.swift).
    var entryRoot: UInt64 = 0
    /// The CPU's one process object (Process.swift says why it is never replaced).
    let program: Process
    /// The thread on this CPU, a leader or not, if there is one.
    var process: Process? { program.live ? program : nil }
    /// What other CPUs ask of this one, each a word they change atomically
    /// (Threads.swift), at addresses that never move.
    let mailbox: CPUMailbox
    /// A new thread's registers, written by the CPU that cloned it before `mailbox`
    /// asks this one to start it.
    let startFrame: UnsafeMutablePointer<lwk_frame>
    /// What entered this CPU's kernel since it booted (EntryCounting.swift), those
    /// counts when its process last entered user mode, and what entered while it ran.
    var entries = EntryCounts()
    var entriesAtProcessStart = EntryCounts()
    var entriesWhileProcessRan = EntryCounts()
    /// This CPU gave a signal from Linux to another thread of its process, one that
    /// waits for an offloaded call: that call is to end once this CPU's own proxy thread
    /// is free to ask (Threads.swift, interruptSignalledCalls).
    var signalledOtherThread = false

    init(index: Int) {
        self.index = index
        savedStack = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        savedStack.initialize(to: 0)
        program = Process(cpu: index)
        mailbox = CPUMailbox()
        startFrame = UnsafeMutablePointer<lwk_frame>.allocate(capacity: 1)
        startFrame.initialize(to: lwk_frame())
    }
}

nonisolated(unsafe) var cpuStates: [CPUState] = []

/// The CPU's own tables and its programs' page-table root (on its NUMA node), with
/// pti=on the root it runs its programs' user mode on, its interrupt controller,
/// system calls and extended state; false if a page could not be had.
func cpuSetup(_ cpu: Int) -> Bool {
    let state = cpuStates[cpu]
    let node = nodeOf(context: cpu)
    var tables = ProcessTables(node: node)
    guard let page = allocate(bytes: Arch.cpuTableBytes, node: node),
          let window = windowAddress(physical: page),
          let root = PageTables.createRoot(kernelRoot: kernel.addressSpace, memory: &tables) else { return false }
    state.program.ownRoot = root
    if kernel.options.pageTableIsolation {
        guard let pages = Arch.userEntryPages(tables: window),
              let userRoot = PageTables.createUserRoot(pages: pages, memory: &tables) else { return false }
        state.program.ownUserRoot = userRoot
        state.entryRoot = root
    }
    state.arch = Arch.setUpCPU(cpu, tables: window, stackTop: state.stackTop, processRoot: root, userRoot: state.program.ownUserRoot)
    return true
}

import CMcosABI

// Counting what enters each CPU's kernel (EntryCounts.swift says what and why): the
// trap and system-call entries call in here, the process's start and end take their
// snapshots. Per CPU, each CPU writing only its own counts with interrupts off: no
// lock, no atomic, no heap.

/// An interrupt or exception, as the trap entry sorted it, entered the kernel on the
/// CPU this runs on.
func countKernelEntry(_ entry: EntryCounts.Entry) {
    let cpu = currentCPU()
    guard cpu >= 0, cpu < cpuStates.count else { return }  // before the CPU tables exist
    cpuStates[cpu].entries.count(entry)
}

/// A system call of the process on `cpu`, answered here or sent to Linux.
func countSystemCall(_ cpu: Int, offloaded: Bool) {
    cpuStates[cpu].entries.countSystemCall(offloaded: offloaded)
}

/// The process on `cpu` enters user mode for the first time.
func noteProcessStart(_ cpu: Int) {
    let state = cpuStates[cpu]
    state.entriesAtProcessStart = state.entries
}

/// The process on `cpu` stopped running (exit, fault or kill): what entered meanwhile.
func noteProcessStop(_ cpu: Int) {
    let state = cpuStates[cpu]
    state.entriesWhileProcessRan = state.entries.since(state.entriesAtProcessStart)
}

/// "; while it ran: 0 timer, ..." for the end line of a process that ran, else "". A
/// function, so that the text is a temporary of the log statement: processEnd never
/// returns (it goes on to idle), and a String it held in a local would never be freed.
func whileItRan(_ process: Process) -> String {
    process.started ? "; while it ran: \(cpuStates[process.cpu].entriesWhileProcessRan.summary)" : ""
}

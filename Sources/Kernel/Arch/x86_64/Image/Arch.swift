// x86-64's answers to what the generic kernel asks of a processor. The generic code
// calls these names (and InterruptController, PageTables, the trap entry's handlers),
// never an instruction or a register: a second architecture provides the same names
// in its own folder.

enum Arch {
    // MARK: Interrupts and waiting

    static func disableInterrupts() { lwk_cli() }

    /// Enables interrupts and halts until one arrives; `sti` delays interrupts by one
    /// instruction, so none slips in between and the wake-up is never missed.
    static func waitForInterrupt() { lwk_sti_hlt() }

    /// Takes an interrupt that is waiting, if any, and goes on with interrupts off: a
    /// spin in the kernel lets the CPU's other contexts hear what they wait for.
    static func allowInterrupts() { lwk_sti_nop_cli() }

    /// A spin-wait hint.
    static func relax() { lwk_cpu_relax() }

    /// Interrupts off and halted for good (a panic, a parked CPU).
    static func haltForever() -> Never { lwk_halt_forever() }

    /// The time-stamp counter: constant rate on every CPU the LWK runs on.
    static func cycles() -> UInt64 { lwk_cycles() }

    // MARK: Address spaces

    static func switchAddressSpace(to root: UInt64) { lwk_write_cr3(root) }

    static var addressSpace: UInt64 { lwk_read_cr3() }

    /// Drops this CPU's cached translation of `virtual`.
    static func flushTLB(_ virtual: UInt64) { lwk_invlpg(virtual) }

    /// Drops every cached translation of the current address space (but the kernel's
    /// global ones).
    static func flushTLB() { lwk_write_cr3(lwk_read_cr3()) }

    // MARK: Boot

    /// The interrupt table every CPU loads (once, on the boot CPU).
    static func setUpInterruptTable() { lwk_idt_fill() }

    /// The stack the boot CPU arrived on (entry.S).
    static var bootStackTop: UInt64 { lwk_boot_stack_top_address() }

    /// Bytes of a CPU's own tables (`setUpCPU`'s `tables`).
    static let cpuTableBytes: UInt64 = 4096

    // MARK: Contexts

    /// Saves this context's kernel stack in `save` and continues on `next` (a stack a
    /// switch saved, or `firstStack` made); returns when a switch names `save`'s again.
    static func switchStack(save: UnsafeMutablePointer<UInt64>, next: UInt64) { lwk_switch_stack(save, next) }

    /// The stack a context's first switch resumes on: it calls `contextMain(context)`.
    static func firstStack(top: UInt64, context: Int) -> UInt64 { lwk_context_stack(top, UInt64(context)) }

    /// The CPU's entries from user mode land on `stackTop` and name `context`.
    static func enterContext(_ cpu: ArchCPU, stackTop: UInt64, context: Int) {
        lwk_cpu_set_context(UnsafeMutablePointer<lwk_percpu>(bitPattern: UInt(cpu.percpu)), stackTop, UInt64(context))
    }

    /// With page-table isolation: the process root the CPU's entries from user mode
    /// switch to and the user root its user mode runs on (nothing without).
    static func setIsolationRoots(_ cpu: ArchCPU, entry: UInt64, user: UInt64) {
        lwk_cpu_set_roots(UnsafeMutablePointer<lwk_percpu>(bitPattern: UInt(cpu.percpu)), entry, user)
    }

    /// What a context keeps of user mode while another runs in its place: the thread
    /// pointer, both GS bases (which of them holds the user's and which the CPU's
    /// block depends on how the context entered the kernel: swapgs or not) and the
    /// FP/SSE/AVX registers, which the kernel never touches.
    static func saveUserState(_ state: inout ContextUserState, _ cpu: ArchCPU) {
        state.fsBase = lwk_rdmsr(MSR.fsBase)
        state.gsBase = lwk_rdmsr(MSR.gsBase)
        state.kernelGSBase = lwk_rdmsr(MSR.kernelGSBase)
        lwk_fpu_save(state.extendedState, cpu.xcr0)
    }

    static func restoreUserState(_ state: ContextUserState, _ cpu: ArchCPU) {
        lwk_wrmsr(MSR.fsBase, state.fsBase)
        lwk_wrmsr(MSR.gsBase, state.gsBase)
        lwk_wrmsr(MSR.kernelGSBase, state.kernelGSBase)
        lwk_fpu_restore(state.extendedState, cpu.xcr0)
    }

    // MARK: Processes

    /// Drops everything on the kernel stack and continues in lwk_process_end(cpu) from
    /// `top`, so nothing accumulates from one process to the next.
    static func restart(onStack top: UInt64, cpu: Int) -> Never { lwk_restart_on_stack(top, UInt64(cpu)) }
}

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

    // MARK: Processes

    /// Drops everything on the kernel stack and continues in lwk_process_end(cpu) from
    /// `top`, so nothing accumulates from one process to the next.
    static func restart(onStack top: UInt64, cpu: Int) -> Never { lwk_restart_on_stack(top, UInt64(cpu)) }
}

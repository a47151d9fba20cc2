// Page-table isolation (pti=on) on x86-64: which kernel pages a CPU's user root maps,
// and the root itself (IsolatedUserRoot.swift has the logic, entry.S the switches).

extension Arch {
    /// The kernel pages ring 3 needs to get into the kernel and back: the code of the
    /// ways in and out (entry.S's .text.user_entry, on pages of its own), the IDT the
    /// CPU reads on an interrupt, and the CPU's own page of GDT, TSS, swapgs block and
    /// entry stack (`tables`, a window address), which the CPU and the entry write.
    static func userEntryPages(tables: UInt64) -> [PageTables.EntryPage]? {
        func page(_ virtual: UInt64, writable: Bool, executable: Bool) -> PageTables.EntryPage? {
            guard let physical = kernel.info.physical(windowOffset: virtual - lwkBase) else { return nil }
            return PageTables.EntryPage(virtual: virtual, physical: physical, writable: writable, executable: executable)
        }
        var pages: [PageTables.EntryPage] = []
        for virtual in stride(from: lwk_user_entry_start_address(), to: lwk_user_entry_end_address(), by: Int(PageTables.smallPage)) {
            guard let code = page(virtual, writable: false, executable: true) else { return nil }
            pages.append(code)
        }
        guard let idt = page(lwk_idt_address(), writable: false, executable: false),
              let own = page(tables, writable: true, executable: false) else { return nil }
        return pages + [idt, own]
    }
}

/// The boot log's line on isolation: how much of the kernel user mode has
/// translations for, which is all a program could read speculatively.
func logPageTableIsolation() {
    let program = cpuStates[0].program
    let whole = PageTables.kernelHalfBytes(root: program.root, memory: program.tables)
    guard kernel.options.pageTableIsolation else {
        log(0, "PTI: off: user mode runs on the process root, which maps \(whole >> 10) KiB of the kernel")
        return
    }
    let entry = PageTables.kernelHalfBytes(root: program.userRoot, memory: program.tables)
    log(0, "PTI: on: user mode runs on a root that maps \(entry >> 10) KiB of the kernel, not \(whole >> 10) KiB; entry code at \(LogLine.hex(lwk_user_entry_start_address()))")
}

// Per-CPU state and the one-time setup every CPU does for user mode: its own GDT and
// TSS (RSP0 = its kernel stack top), SYSCALL/SYSRET, the swapgs block, XCR0.

/// What one LWK CPU owns. Created by the BSP for every CPU before any AP starts and
/// never replaced, so CPUs index the array concurrently without copying it; each CPU
/// only ever changes its own entry's fields.
final class CPUState {
    let index: Int
    /// Top of this CPU's kernel stack: RSP0, the SYSCALL stack, and where a CPU starts
    /// afresh when its process ends.
    var stackTop: UInt64 = 0
    /// The swapgs block (struct lwk_percpu), for KERNEL_GS_BASE at each user entry.
    var percpu: UInt64 = 0
    /// XCR0 as set up (0 without XSAVE), for lwk_fpu_reset.
    var xcr0: UInt64 = 0
    var process: Process?

    init(index: Int) { self.index = index }
}

nonisolated(unsafe) var cpuStates: [CPUState] = []

enum MSR {
    static let efer: UInt32 = 0xc000_0080, star: UInt32 = 0xc000_0081, lstar: UInt32 = 0xc000_0082
    static let fmask: UInt32 = 0xc000_0084, fsBase: UInt32 = 0xc000_0100, gsBase: UInt32 = 0xc000_0101
    static let kernelGSBase: UInt32 = 0xc000_0102
}

/// Descriptor tables, SYSCALL and the APIC for `cpu`; false if its table page could
/// not be had.
func cpuSetup(_ cpu: Int) -> Bool {
    let state = cpuStates[cpu]
    guard let page = allocate(bytes: 4096, node: kernel.info.cpus[cpu].node),
          let window = windowAddress(physical: page) else { return false }
    let percpu = lwk_cpu_tables(lwk_ptr(window), state.stackTop, UInt64(cpu))!
    state.percpu = UInt64(UInt(bitPattern: percpu))
    kernel.apic.enable()
    // SYSCALL: kernel CS 0x08 (SS 0x10); SYSRET: base 0x18, so SS 0x23 and CS 0x2b.
    lwk_wrmsr(MSR.efer, lwk_rdmsr(MSR.efer) | 1)
    lwk_wrmsr(MSR.star, 0x18 << 48 | 0x08 << 32)
    lwk_wrmsr(MSR.lstar, lwk_syscall_entry_address())
    // Masked on entry: TF, IF, DF, AC (AC set would switch SMAP off in the kernel).
    lwk_wrmsr(MSR.fmask, 0x100 | 0x200 | 0x400 | 0x4_0000)
    lwk_wrmsr(MSR.kernelGSBase, state.percpu)
    state.xcr0 = enableExtendedState()
    return true
}

/// SSE and XSAVE for user code. Linux's trampoline hands over a CR4 without
/// OSFXSR/OSXMMEXCPT (Linux sets them later in its own CPU bring-up), so the first
/// SSE instruction of a program (glibc's ldmxcsr) would raise #UD; and after INIT XCR0
/// is 1 (x87 only), while static glibc checks for SSE/AVX state through XGETBV.
func enableExtendedState() -> UInt64 {
    let osfxsr: UInt64 = 1 << 9, osxmmexcpt: UInt64 = 1 << 10, osxsave: UInt64 = 1 << 18
    var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
    lwk_cpuid(1, 0, &a, &b, &c, &d)
    let avx = c & (1 << 28) != 0, xsave = c & (1 << 26) != 0
    lwk_write_cr4(lwk_read_cr4() | osfxsr | osxmmexcpt | (xsave ? osxsave : 0))
    guard xsave else { return 0 }
    lwk_cpuid(0xd, 0, &a, &b, &c, &d)
    var xcr0: UInt64 = 0b11  // x87, SSE
    if avx && a & 0b100 != 0 { xcr0 |= 0b100 }
    lwk_xsetbv(0, xcr0)
    return xcr0
}

// The one-time setup every x86-64 CPU does for user mode: its own GDT and TSS (RSP0 =
// its kernel stack top), the local APIC, SYSCALL/SYSRET, the swapgs block, SSE and
// XSAVE; and what entering user mode resets each time.

/// What `Arch.setUpCPU` leaves for later entries into user mode.
struct ArchCPU {
    /// The swapgs block (struct lwk_percpu), for KERNEL_GS_BASE at each user entry.
    var percpu: UInt64 = 0
    /// The CPU's page of GDT, TSS, swapgs block and entry stack (a window address):
    /// with pti=on the user root of each of its contexts maps it.
    var tables: UInt64 = 0
    /// XCR0 as set up (0 without XSAVE), for lwk_fpu_reset.
    var xcr0: UInt64 = 0
    /// How the program's FP state is saved and what a signal frame carries of it.
    var extendedState = ExtendedStateLayout.fxsave(mxcsrMask: 0xffbf)
    /// Where a signal's delivery saves the program's FP state (`extendedState.size`
    /// bytes, 64-byte aligned), allocated once per CPU.
    var extendedStateArea: UnsafeMutableRawPointer?
}

enum MSR {
    static let efer: UInt32 = 0xc000_0080, star: UInt32 = 0xc000_0081, lstar: UInt32 = 0xc000_0082
    static let fmask: UInt32 = 0xc000_0084, fsBase: UInt32 = 0xc000_0100, gsBase: UInt32 = 0xc000_0101
    static let kernelGSBase: UInt32 = 0xc000_0102
    static let eferSystemCallEnable: UInt64 = 1 << 0
}

/// RFLAGS bits.
enum Flags {
    static let carry: UInt64 = 1 << 0, parity: UInt64 = 1 << 2, adjust: UInt64 = 1 << 4, zero: UInt64 = 1 << 6
    static let sign: UInt64 = 1 << 7, trap: UInt64 = 1 << 8, interrupt: UInt64 = 1 << 9, direction: UInt64 = 1 << 10
    static let overflow: UInt64 = 1 << 11, ioPrivilege: UInt64 = 3 << 12, nestedTask: UInt64 = 1 << 14
    static let resume: UInt64 = 1 << 16, alignmentCheck: UInt64 = 1 << 18, identification: UInt64 = 1 << 21

    /// What SYSCALL clears on entry, as Linux's SYSCALL_MASK: the kernel starts with
    /// every flag of the program's off. NT matters most: left set, the kernel's next
    /// `iretq` faults (#GP in kernel mode); AC set would switch SMAP off; DF, TF, IF as
    /// every kernel wants them.
    static let clearedOnSystemCall: UInt64 = carry | parity | adjust | zero | sign | trap | interrupt | direction
        | overflow | ioPrivilege | nestedTask | resume | alignmentCheck | identification
}

/// Segment selectors of the GDT lwk_cpu_tables builds.
enum Selector {
    static let kernelCode: UInt64 = 0x08, userBase: UInt64 = 0x18
}

extension Arch {
    /// Descriptor tables in `tables` (a window address, `cpuTableBytes`), the APIC,
    /// SYSCALL and extended state for `cpu`. With a `userRoot` (pti=on) user mode
    /// runs on it and every entry switches to `processRoot` (entry.S).
    static func setUpCPU(_ cpu: Int, tables: UInt64, stackTop: UInt64, processRoot: UInt64, userRoot: UInt64) -> ArchCPU {
        let percpu = lwk_cpu_tables(lwk_ptr(tables), stackTop, UInt64(cpu), processRoot, userRoot)!
        var state = ArchCPU()
        state.percpu = UInt64(UInt(bitPattern: percpu))
        state.tables = tables
        kernel.interrupts.enable()
        // SYSCALL: kernel CS 0x08 (SS 0x10); SYSRET: base 0x18, so SS 0x23 and CS 0x2b.
        lwk_wrmsr(MSR.efer, lwk_rdmsr(MSR.efer) | MSR.eferSystemCallEnable)
        lwk_wrmsr(MSR.star, Selector.userBase << 48 | Selector.kernelCode << 32)
        lwk_wrmsr(MSR.lstar, lwk_syscall_entry_address())
        lwk_wrmsr(MSR.fmask, Flags.clearedOnSystemCall)
        lwk_wrmsr(MSR.kernelGSBase, state.percpu)
        state.xcr0 = enableExtendedState()
        state.extendedState = extendedStateLayout(xcr0: state.xcr0)
        // Zeroed: XSAVE writes only XSTATE_BV of the area's header, and the rest of it
        // goes into signal frames, where rt_sigreturn refuses anything but zeros. A
        // heap block that held something else made every handler's return SIGSEGV.
        let area = UnsafeMutableRawPointer.allocate(byteCount: state.extendedState.size, alignment: 64)
        area.initializeMemory(as: UInt8.self, repeating: 0, count: state.extendedState.size)
        state.extendedStateArea = area
        return state
    }

    /// SSE and XSAVE for user code. Linux's trampoline hands over a CR4 without
    /// OSFXSR/OSXMMEXCPT (Linux sets them later in its own CPU bring-up), so the first
    /// SSE instruction of a program (glibc's ldmxcsr) would raise #UD; and after INIT
    /// XCR0 is 1 (x87 only), while static glibc checks for SSE/AVX state through XGETBV.
    static func enableExtendedState() -> UInt64 {
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

    /// The XSAVE area's size for `xcr0` (CPUID leaf 0xd, as XCR0 is set now) and the
    /// MXCSR bits this CPU accepts; FXSAVE's 512 bytes without XSAVE.
    static func extendedStateLayout(xcr0: UInt64) -> ExtendedStateLayout {
        let mxcsrMask = lwk_mxcsr_mask()
        guard xcr0 != 0 else { return .fxsave(mxcsrMask: mxcsrMask) }
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        lwk_cpuid(0xd, 0, &a, &b, &c, &d)
        return .xsave(features: xcr0, size: Int(b), mxcsrMask: mxcsrMask)
    }

    /// Ring 3 at `entry` on `stack`, for good: no thread pointer, GS for the SYSCALL
    /// entry's swapgs, FPU/SSE/AVX state as after execve, every register zero.
    static func enterUserMode(entry: UInt64, stack: UInt64, cpu: CPUState) -> Never {
        lwk_wrmsr(MSR.fsBase, 0)
        lwk_wrmsr(MSR.gsBase, 0)
        lwk_wrmsr(MSR.kernelGSBase, cpu.arch.percpu)
        lwk_fpu_reset(cpu.arch.xcr0)
        lwk_enter_user(entry, stack, cpu.stackTop)
    }

    /// Ring 3 for a new thread, for good: the registers of `frame`, thread pointer
    /// `threadPointer`, FPU/SSE/AVX state in its initial values.
    static func enterUserMode(frame: UnsafePointer<lwk_frame>, threadPointer: UInt64, cpu: CPUState) -> Never {
        lwk_wrmsr(MSR.fsBase, threadPointer)
        lwk_wrmsr(MSR.gsBase, 0)
        lwk_wrmsr(MSR.kernelGSBase, cpu.arch.percpu)
        lwk_fpu_reset(cpu.arch.xcr0)
        lwk_resume_user(frame, cpu.stackTop)
    }

    /// The user thread pointer (FS base), which TLS addressing goes through.
    static func setThreadPointer(_ address: UInt64) { lwk_wrmsr(MSR.fsBase, address) }
}

/// A context's user-mode state while another context has its CPU (Arch.saveUserState).
struct ContextUserState {
    var fsBase: UInt64 = 0
    var gsBase: UInt64 = 0
    var kernelGSBase: UInt64 = 0
    /// `ArchCPU.extendedState.size` bytes, 64-byte aligned.
    let extendedState: UnsafeMutableRawPointer

    /// An area in the state after a reset: zero but for the default MXCSR, the one
    /// field XRSTOR and FXRSTOR load whatever the header says.
    init(layout: ExtendedStateLayout, percpu: UInt64) {
        kernelGSBase = percpu  // as setUpCPU leaves a CPU
        let area = UnsafeMutableRawPointer.allocate(byteCount: layout.size, alignment: 64)
        area.initializeMemory(as: UInt8.self, repeating: 0, count: layout.size)
        area.storeBytes(of: UInt32(0x1f80), toByteOffset: 24, as: UInt32.self)
        extendedState = area
    }
}

import CMcosABI

// Where entry.S lands: every interrupt and exception (lwk_trap) and every SYSCALL
// (lwk_syscall), with the registers in a struct lwk_frame. Here the frame is read and
// the generic kernel is called with what it means.

/// The vector the APIC delivers for an interrupt it cannot attribute.
let spuriousVector = UInt64(LocalAPIC.spuriousVector)

@_cdecl("lwk_trap")
func trap(_ frame: UnsafeMutablePointer<lwk_frame>) {
    let vector = frame.pointee.vector
    let fromUser = frame.pointee.cs & 3 == 3
    if vector == UInt64(MCOS_IKC_VECTOR) {
        kernel.interrupts.eoi()
        if fromUser { ikcInterruptInUserMode(currentCPU()) }
        return
    }
    if vector == spuriousVector || vector == CPUException.nmi && fromUser { return }
    if vector >= CPUException.firstInterrupt {
        // Not ours: acknowledge, count, and let idle report it.
        kernel.interrupts.eoi()
        countStrayInterrupt(vector: vector)
        return
    }
    if fromUser { userException(frame.pointee) }
    kernelException(frame.pointee)
}

/// An exception in user mode ends the process with the signal Linux would send, and
/// Linux's kernel-log line for it.
func userException(_ f: lwk_frame) -> Never {
    let cpu = currentCPU()
    guard cpu >= 0, let process = cpuStates[cpu].process else { panicStop(cpu) }
    let signal = CPUException.signal(vector: f.vector) ?? Signal.segv
    let address = CPUException.faultAddress(vector: f.vector, cr2: lwk_read_cr2(), rip: f.rip)
    log(cpu, CPUException.faultMessage(name: String(process.pid), pid: process.pid, vector: f.vector,
                                       address: address, rip: f.rip, rsp: f.rsp, error: f.error))
    endProcess(process, status: ProcessEnd.signalStatus(signal), faultAddress: address, faultIP: f.rip)
}

/// An exception in the kernel: dump, PANIC, stop this CPU.
func kernelException(_ f: lwk_frame) -> Never {
    let cpu = currentCPU()
    let vector = f.vector
    log(cpu, "PANIC: exception \(CPUException.mnemonic(vector)) (\(vector)) error \(LogLine.hex(f.error, digits: 4)) at RIP \(LogLine.hex(f.rip))")
    if vector == CPUException.pageFault { log(cpu, "page fault at address \(LogLine.hex(lwk_read_cr2()))") }
    log(cpu, "RAX \(LogLine.hex(f.rax)) RBX \(LogLine.hex(f.rbx)) RCX \(LogLine.hex(f.rcx)) RDX \(LogLine.hex(f.rdx))")
    log(cpu, "RSI \(LogLine.hex(f.rsi)) RDI \(LogLine.hex(f.rdi)) RBP \(LogLine.hex(f.rbp)) RSP \(LogLine.hex(f.rsp))")
    log(cpu, "R8  \(LogLine.hex(f.r8)) R9  \(LogLine.hex(f.r9)) R10 \(LogLine.hex(f.r10)) R11 \(LogLine.hex(f.r11))")
    log(cpu, "R12 \(LogLine.hex(f.r12)) R13 \(LogLine.hex(f.r13)) R14 \(LogLine.hex(f.r14)) R15 \(LogLine.hex(f.r15))")
    log(cpu, "CS \(LogLine.hex(f.cs, digits: 4)) RFLAGS \(LogLine.hex(f.rflags, digits: 8)) CR3 \(LogLine.hex(Arch.addressSpace))")
    panicStop(cpu)
}

/// Called by lwk_syscall_entry with interrupts off: the number in rax, the arguments
/// in rdi rsi rdx r10 r8 r9, the result back in rax.
@_cdecl("lwk_syscall")
func syscallEntry(_ frame: UnsafeMutablePointer<lwk_frame>, _ cpuIndex: UInt64) {
    let f = frame.pointee
    frame.pointee.rax = UInt64(bitPattern: systemCall(cpu: Int(cpuIndex), number: f.rax, arguments: (f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9)))
}

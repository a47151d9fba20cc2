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
    countKernelEntry(EntryCounts.entry(vector: vector, ikcVector: UInt64(MCOS_IKC_VECTOR),
                                       timerVector: UInt64(InterruptController.timerVector)))
    if vector == UInt64(MCOS_IKC_VECTOR) || vector == UInt64(InterruptController.timerVector) {
        kernel.interrupts.eoi()
        let cpu = currentCPU()
        interruptArrived(cpu)
        if fromUser { ikcInterruptInUserMode(cpu, frame, turnEnded: vector == UInt64(InterruptController.timerVector)) }
        return
    }
    if vector == spuriousVector || vector == CPUException.nmi && fromUser { return }
    if vector >= CPUException.firstInterrupt {
        // Not ours: acknowledge, count, and let idle report it.
        kernel.interrupts.eoi()
        countStrayInterrupt(vector: vector)
        return
    }
    if fromUser {
        userException(frame)
        return
    }
    kernelException(frame.pointee)
}

/// An exception in user mode sends the signal Linux would (Signals.swift: a handler
/// may take it; without one the process ends, with Linux's kernel-log line).
func userException(_ frame: UnsafeMutablePointer<lwk_frame>) {
    let cpu = currentCPU()
    guard cpu >= 0, let process = cpuStates[cpu].process else { panicStop(cpu) }
    userFault(process, frame)
    returnToUser(process, frame)
}

/// An exception in the kernel: dump, PANIC, stop this CPU. Nothing here allocates:
/// the heap may be what failed.
func kernelException(_ f: lwk_frame) -> Never {
    let cpu = currentCPU()
    let vector = f.vector
    logPanicLine(cpu) {
        $0.append("PANIC: exception ")
        $0.append(CPUException.mnemonic(vector))
        $0.append(" (")
        $0.append(decimal: Int(vector))
        $0.append(") error ")
        $0.append(hex: f.error, digits: 4)
        $0.append(" at RIP ")
        $0.append(hex: f.rip)
    }
    if vector == CPUException.pageFault {
        logPanicLine(cpu) {
            $0.append("page fault at address ")
            $0.append(hex: lwk_read_cr2())
        }
    }
    func registers(_ names: (StaticString, StaticString, StaticString, StaticString), _ values: (UInt64, UInt64, UInt64, UInt64)) {
        logPanicLine(cpu) {
            $0.append(names.0); $0.append(" "); $0.append(hex: values.0); $0.append(" ")
            $0.append(names.1); $0.append(" "); $0.append(hex: values.1); $0.append(" ")
            $0.append(names.2); $0.append(" "); $0.append(hex: values.2); $0.append(" ")
            $0.append(names.3); $0.append(" "); $0.append(hex: values.3)
        }
    }
    registers(("RAX", "RBX", "RCX", "RDX"), (f.rax, f.rbx, f.rcx, f.rdx))
    registers(("RSI", "RDI", "RBP", "RSP"), (f.rsi, f.rdi, f.rbp, f.rsp))
    registers(("R8 ", "R9 ", "R10", "R11"), (f.r8, f.r9, f.r10, f.r11))
    registers(("R12", "R13", "R14", "R15"), (f.r12, f.r13, f.r14, f.r15))
    logPanicLine(cpu) {
        $0.append("CS ")
        $0.append(hex: f.cs, digits: 4)
        $0.append(" RFLAGS ")
        $0.append(hex: f.rflags, digits: 8)
        $0.append(" CR3 ")
        $0.append(hex: Arch.addressSpace)
    }
    panicStop(cpu)
}

/// Called by lwk_syscall_entry with interrupts off: the number in rax, the arguments
/// as UserFrame.swift reads them, the result back in rax.
/// rt_sigreturn reads and replaces the whole frame; every call may come back through
/// a signal handler's frame (Signals.swift).
@_cdecl("lwk_syscall")
func syscallEntry(_ frame: UnsafeMutablePointer<lwk_frame>, _ cpuIndex: UInt64) {
    let f = frame.pointee
    let cpu = Int(cpuIndex)
    guard let process = cpuStates[cpu].process else {
        frame.pointee.rax = UInt64(bitPattern: -Errno.noSys)
        return
    }
    process.syscallStackPointer = f.rsp
    let route = Syscall.route(f.rax)
    if route == .local(.rtSigreturn) {
        signalReturn(process, frame)
    } else if case .local(let call) = route, call == .clone || call == .clone3 || call == .fork || call == .vfork {
        // The new thread or process starts from the caller's registers: the whole frame.
        // (No array literal to test that: it would be on the heap, and a call that ends
        // the process abandons this frame with whatever it still holds.)
        countSystemCall(cpu, offloaded: false)
        frame.pointee.rax = UInt64(bitPattern: cloneCall(process, call, frame))
    } else {
        frame.pointee.rax = UInt64(bitPattern: systemCall(cpu: cpu, number: f.rax, arguments: f.syscallArguments))
    }
    returnToUser(process, frame)
}

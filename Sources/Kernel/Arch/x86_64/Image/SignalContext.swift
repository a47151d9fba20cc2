// What signal delivery needs of x86-64 in the image: the registers entry.S saved
// (struct lwk_frame) as the UserRegisters the signal logic reads and writes, the
// program's FP state saved and loaded around its handlers, and the way back to user
// mode a system call takes (SYSRET, or IRET when SYSRET cannot restore everything).

/// The user selectors a program sees in its signal frames: Linux's (__USER_CS 0x33,
/// __USER_DS 0x2b), so that a frame reads as it does natively; the LWK's GDT has the
/// same segments at 0x2b and 0x23.
enum LinuxSelector {
    static let userCode: UInt64 = 0x33, userData: UInt64 = 0x2b
}

extension UserRegisters {
    /// The registers of the interrupted program, with Linux's selectors.
    init(_ f: lwk_frame) {
        self.init()
        r8 = f.r8; r9 = f.r9; r10 = f.r10; r11 = f.r11; r12 = f.r12; r13 = f.r13; r14 = f.r14; r15 = f.r15
        rdi = f.rdi; rsi = f.rsi; rbp = f.rbp; rbx = f.rbx; rdx = f.rdx; rax = f.rax; rcx = f.rcx; rsp = f.rsp
        rip = f.rip; rflags = f.rflags
        cs = LinuxSelector.userCode
        ss = LinuxSelector.userData
    }

    /// Into the frame the program goes back with; the selectors stay the LWK's user
    /// ones whatever these say (the signal logic never lets others through).
    func store(into frame: UnsafeMutablePointer<lwk_frame>) {
        frame.pointee.r8 = r8; frame.pointee.r9 = r9; frame.pointee.r10 = r10; frame.pointee.r11 = r11
        frame.pointee.r12 = r12; frame.pointee.r13 = r13; frame.pointee.r14 = r14; frame.pointee.r15 = r15
        frame.pointee.rdi = rdi; frame.pointee.rsi = rsi; frame.pointee.rbp = rbp; frame.pointee.rbx = rbx
        frame.pointee.rdx = rdx; frame.pointee.rax = rax; frame.pointee.rcx = rcx; frame.pointee.rsp = rsp
        frame.pointee.rip = rip; frame.pointee.rflags = rflags
        frame.pointee.cs = Selector.userBase + 0x10 | 3
        frame.pointee.ss = Selector.userBase + 0x08 | 3
    }
}

extension Arch {
    /// A system call's frame marked to go back through IRET (entry.S's SYSCALL_IRET).
    static func returnThroughIRET(_ frame: UnsafeMutablePointer<lwk_frame>) { frame.pointee.vector = 0x101 }

    /// The way back from rt_sigreturn as `ending` says; false when the program is to
    /// get SIGSEGV instead, `trap` then being what Linux records for it.
    static func resume(_ frame: UnsafeMutablePointer<lwk_frame>, after ending: SignalReturn.Ending, trap: inout TrapState) -> Bool {
        switch ending {
        case .sysret:
            return true
        case .iret:
            returnThroughIRET(frame)
            return true
        case .badFrame:
            returnThroughIRET(frame)
            return false
        case .generalProtection:
            returnThroughIRET(frame)
            trap = TrapState(number: CPUException.generalProtection, errorCode: 0, address: trap.address)
            return false
        }
    }

    /// The FP state the program has now, as the CPU saves it (`layout.size` bytes).
    static func savedExtendedState(_ cpu: CPUState) -> [UInt8] {
        guard let area = cpu.arch.extendedStateArea else { return [] }
        lwk_fpu_save(area, cpu.arch.xcr0)
        let size = cpu.arch.extendedState.size
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            for index in 0..<size { buffer[index] = area.load(fromByteOffset: index, as: UInt8.self) }
            count = size
        }
    }

    /// Loads an area the signal logic checked (ExtendedStateLayout.restored: it cannot
    /// make XRSTOR/FXRSTOR fault).
    static func loadExtendedState(_ state: [UInt8], _ cpu: CPUState) {
        guard let area = cpu.arch.extendedStateArea, state.count == cpu.arch.extendedState.size else {
            resetExtendedState(cpu)
            return
        }
        for index in state.indices { area.storeBytes(of: state[index], toByteOffset: index, as: UInt8.self) }
        lwk_fpu_restore(area, cpu.arch.xcr0)
    }

    /// Every FP component to its initial state, as a handler starts.
    static func resetExtendedState(_ cpu: CPUState) { lwk_fpu_reset(cpu.arch.xcr0) }
}

/// rt_sigreturn(2) on x86-64: a handler returned to sa_restorer, which made the call with
/// rsp just past the frame's pretcode. The state the frame saved comes back, with what a
/// program may not set sanitised, as Linux's sys_rt_sigreturn does; a frame it cannot
/// take is a "bad frame", and the program gets SIGSEGV.
public struct SignalReturn: Equatable, Sendable {
    /// The registers to go on with; their rax is the call's result. After a bad frame,
    /// what could be restored (the signal frame for the SIGSEGV records them).
    public var registers: UserRegisters
    /// The thread's mask from uc_sigmask (SIGKILL and SIGSTOP out); nil if the frame was
    /// unreadable and the mask stays.
    public var blocked: UInt64?
    /// The alternate stack as uc_stack sets it again (an SS_AUTODISARM stack is re-armed);
    /// a uc_stack sigaltstack would refuse leaves it as it was, as on Linux.
    public var altStack: SignalStack
    /// The FP state to load; nil if the frame was unreadable and it stays.
    public var extendedState: ExtendedStateLayout.Restored?
    public var ending: Ending

    public enum Ending: Equatable, Sendable {
        /// Back to the program with SYSRET: rcx is rip and r11 is rflags already, so
        /// nothing SYSRET clobbers is lost.
        case sysret
        /// Back with IRET, which restores every register.
        case iret
        /// A bad frame: SIGSEGV, forced (SI_KERNEL). The registers, mask and FP state
        /// given are applied first, as far as Linux got.
        case badFrame
        /// The restored rip is not canonical, or cs or ss is not the user selector:
        /// IRET would fault. Linux delivers SIGSEGV (SI_KERNEL) as for a
        /// general-protection fault (trap 13, error 0) at these registers.
        case generalProtection
    }

    /// Bytes of the frame rt_sigreturn reads: through uc_sigmask.
    static let bytesRead = SignalFrame.Offset.sigmask + 8

    /// rt_sigreturn called with `current` (its rsp is the frame's address + 8), by a
    /// thread whose alternate stack is `altStack`.
    public init(current: UserRegisters, altStack: SignalStack, layout: ExtendedStateLayout, memory: some UserMemoryReader) {
        let frameAddress = current.rsp &- 8
        guard let frame = memory.read(frameAddress, count: Self.bytesRead) else {
            self.init(registers: current, blocked: nil, altStack: altStack, extendedState: nil, ending: .badFrame)
            return
        }
        typealias Offset = SignalFrame.Offset
        let blocked = frame.word(at: Offset.sigmask) & ~Signal.unblockable

        var registers = current
        registers.load(sigcontextWords: (0..<18).map { frame.word(at: Offset.registers + 8 * $0) })
        registers.rflags = Self.sanitised(flags: frame.word(at: Offset.registers + 8 * 17), current: current.rflags)
        // cs and ss stay the user selectors the call came with: the LWK has one user
        // code and one user stack segment, so there is nothing else to switch to, and
        // an IRET to a bad selector would fault in the kernel. Linux loads the frame's
        // (with RPL 3), and its IRET faults on any other: SIGSEGV, as here. Linux's ss is
        // the frame's only with UC_STRICT_RESTORE_SS; else it forces a valid one.
        registers.cs = current.cs
        registers.ss = current.ss
        let strictSS = frame.word(at: Offset.flags) & SignalFrame.ContextFlag.strictRestoreSS != 0
        let selectorsValid = frame.field(at: Offset.cs, size: 2) | 3 == current.cs
            && (!strictSS || frame.field(at: Offset.ss, size: 2) | 3 == current.ss)

        // restore_altstack runs after the registers are back: "on the stack" is
        // judged at the restored stack pointer.
        var stack = altStack
        let setting = SignalStack.Setting(base: frame.word(at: Offset.stackBase), flags: UInt32(frame.field(at: Offset.stackFlags, size: 4)),
                                          size: frame.word(at: Offset.stackSize))
        _ = stack.change(to: setting, at: registers.rsp)

        let extendedState = layout.restored(from: frame.word(at: Offset.fpState), memory: memory)
        let ending: Ending
        if extendedState == .invalid {
            ending = .badFrame
        } else if !VirtualAddress.isCanonical(registers.rip) || !selectorsValid {
            ending = .generalProtection
        } else {
            ending = Self.canUseSYSRET(registers) ? .sysret : .iret
        }
        self.init(registers: registers, blocked: blocked, altStack: stack, extendedState: extendedState, ending: ending)
    }

    init(registers: UserRegisters, blocked: UInt64?, altStack: SignalStack, extendedState: ExtendedStateLayout.Restored?, ending: Ending) {
        self.registers = registers
        self.blocked = blocked
        self.altStack = altStack
        self.extendedState = extendedState
        self.ending = ending
    }

    /// RFLAGS after rt_sigreturn: the FIX_EFLAGS bits from the frame, the others as the
    /// call had them; then IF set and NT, IOPL and the virtual-8086 bits clear whatever
    /// came, so that the return to user mode can neither fault nor leave interrupts off.
    static func sanitised(flags: UInt64, current: UInt64) -> UInt64 {
        let merged = current & ~RFlags.restorable | flags & RFlags.restorable
        let never = RFlags.nestedTask | RFlags.ioPrivilege | RFlags.virtual8086 | RFlags.virtualInterrupt | RFlags.virtualInterruptPending
        return merged & ~never | RFlags.interrupt | RFlags.reserved
    }

    /// Linux's test before SYSRET: rcx = rip and r11 = rflags (SYSRET loads them from
    /// there), rip a user address, and neither RF (SYSRET cannot restore it) nor TF
    /// (it would trap right after SYSRET rather than after the next instruction).
    static func canUseSYSRET(_ r: UserRegisters) -> Bool {
        r.rcx == r.rip && r.r11 == r.rflags && r.rip < VirtualAddress.userLimit && r.rflags & (RFlags.resume | RFlags.trap) == 0
    }
}

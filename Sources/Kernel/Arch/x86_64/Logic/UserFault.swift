/// The signal a user-mode exception sends, with the siginfo Linux fills for it
/// (force_sig_fault: si_code and si_addr; SI_KERNEL where Linux sends it bare) and the
/// trap state it leaves for the signal frame's trapno, err and cr2.
public struct UserFault: Equatable, Sendable {
    public var info: SignalInfo
    public var trap: TrapState

    /// The fault of exception `vector` at `rip`, with its error code; `trap` is the
    /// thread's trap state so far. For a page fault, `cr2` and whether anything is
    /// mapped there (SEGV_ACCERR) or not (SEGV_MAPERR), or whether it lies past the end
    /// of a file mapped there (SIGBUS, BUS_ADRERR); for #DB, DR6; for an x87 or
    /// SIMD floating-point exception, the thread's FP area (its legacy region says
    /// which exception). nil: no signal (NMI, machine check, a spurious FP exception).
    public init?(vector: UInt64, errorCode: UInt64, rip: UInt64, trap: TrapState, cr2: UInt64 = 0, mapped: Bool = false,
                 pastFileEnd: Bool = false, debugStatus: UInt64 = 0, fpArea: [UInt8] = []) {
        guard let signal = CPUException.signal(vector: vector) else { return nil }
        var trap = trap
        trap.number = vector
        trap.errorCode = errorCode
        switch vector {
        case CPUException.pageFault:
            trap.address = cr2
            // Linux reports a user fault as user-mode and does not say where the
            // kernel's own mappings are: a kernel address is a protection fault.
            trap.errorCode |= Self.pageFaultUser | (cr2 < VirtualAddress.userLimit ? 0 : Self.pageFaultProtection)
            if pastFileEnd {
                info = .fault(Signal.bus, code: SignalCode.noSuchAddress, address: cr2)
            } else {
                info = .fault(signal, code: mapped ? SignalCode.accessDenied : SignalCode.notMapped, address: cr2)
            }
        case CPUException.divideError:
            info = .fault(signal, code: SignalCode.integerDivide, address: rip)
        case CPUException.invalidOpcode:
            info = .fault(signal, code: SignalCode.illegalOperand, address: rip)
        case CPUException.debug:
            info = .fault(signal, code: Self.debugCode(debugStatus), address: rip)
        case CPUException.x87FloatingPoint, CPUException.simdFloatingPoint:
            let code = Self.floatingPointCode(vector: vector, fpArea: fpArea)
            if code == 0 { return nil }
            info = .fault(signal, code: code, address: rip)
        case CPUException.alignmentCheck:
            info = .fault(signal, code: SignalCode.misaligned, address: 0)
        default:  // #BP (int3), #GP, #TS, #NP, #SS, #BR, #OF, #NM: sent bare
            info = .kernel(signal)
        }
        self.trap = trap
    }

    /// The page-fault error code's bits for a protection violation and a user access.
    static let pageFaultProtection: UInt64 = 1 << 0, pageFaultUser: UInt64 = 1 << 2

    /// TRAP_TRACE for a single step (DR6.BS), TRAP_HWBKPT for a debug register's hit,
    /// else TRAP_BRKPT.
    static func debugCode(_ dr6: UInt64) -> Int32 {
        if dr6 & (1 << 14) != 0 { return SignalCode.trace }
        return dr6 & 0xf != 0 ? SignalCode.hardwareBreakpoint : SignalCode.breakpoint
    }

    /// fpu__exception_code: the unmasked exception that fired, from the x87 status and
    /// control words (#MF) or MXCSR (#XM), first match in Linux's order; 0 for none.
    static func floatingPointCode(vector: UInt64, fpArea: [UInt8]) -> Int32 {
        guard fpArea.count >= 32 else { return 0 }
        let raised: UInt64
        if vector == CPUException.x87FloatingPoint {
            raised = fpArea.field(at: 2, size: 2) & ~fpArea.field(at: 0, size: 2)
        } else {
            let mxcsr = fpArea.field(at: ExtendedStateLayout.mxcsrOffset, size: 4)
            raised = mxcsr & ~(mxcsr >> 7)
        }
        if raised & 0x01 != 0 { return SignalCode.floatInvalid }
        if raised & 0x04 != 0 { return SignalCode.floatDivide }
        if raised & 0x08 != 0 { return SignalCode.floatOverflow }
        if raised & 0x12 != 0 { return SignalCode.floatUnderflow }
        if raised & 0x20 != 0 { return SignalCode.floatInexact }
        return 0
    }
}

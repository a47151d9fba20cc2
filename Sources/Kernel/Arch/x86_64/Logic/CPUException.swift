/// x86-64 exception vectors (Intel SDM vol. 3, table 6-1) and what Linux makes of one
/// that user code raises: the signal, the fault address reported with it, and its
/// kernel-log line.
public enum CPUException {
    public static let divideError: UInt64 = 0, debug: UInt64 = 1, nmi: UInt64 = 2, breakpoint: UInt64 = 3
    public static let overflow: UInt64 = 4, boundRange: UInt64 = 5, invalidOpcode: UInt64 = 6
    public static let deviceNotAvailable: UInt64 = 7, doubleFault: UInt64 = 8, invalidTSS: UInt64 = 10, segmentNotPresent: UInt64 = 11
    public static let stackSegment: UInt64 = 12, generalProtection: UInt64 = 13, pageFault: UInt64 = 14
    public static let x87FloatingPoint: UInt64 = 16, alignmentCheck: UInt64 = 17, machineCheck: UInt64 = 18
    public static let simdFloatingPoint: UInt64 = 19
    /// Vectors from here up are interrupts, not exceptions.
    public static let firstInterrupt: UInt64 = 32

    /// What the generic kernel makes of exception `vector`.
    public static func kind(vector: UInt64) -> ExceptionKind {
        switch vector {
        case pageFault: return .pageFault
        case x87FloatingPoint, simdFloatingPoint: return .floatingPoint
        default: return .other
        }
    }

    /// The signal for an exception `vector` raised in user mode, as Linux maps it;
    /// nil for a vector that is not a fault of the program (NMI, machine check).
    public static func signal(vector: UInt64) -> UInt32? {
        switch vector {
        case divideError, x87FloatingPoint, simdFloatingPoint: return Signal.fpe
        case debug, breakpoint: return Signal.trap
        case overflow, boundRange, invalidTSS, segmentNotPresent, stackSegment, generalProtection, pageFault: return Signal.segv
        case invalidOpcode, deviceNotAvailable: return Signal.ill  // #NM: no FPU state to restore, never expected
        case alignmentCheck: return Signal.bus
        default: return nil
        }
    }

    /// The fault address reported with the exit: CR2 for a page fault, the
    /// instruction for the faults whose si_addr is the RIP, otherwise 0.
    public static func faultAddress(vector: UInt64, cr2: UInt64, rip: UInt64) -> UInt64 {
        switch vector {
        case pageFault: return cr2
        case divideError, invalidOpcode, x87FloatingPoint, alignmentCheck, simdFloatingPoint: return rip
        default: return 0
        }
    }

    /// The kernel-log line, in Linux's shapes: show_signal_msg() for a page fault,
    /// do_trap()'s for the others. `name` is the comm, or the pid when unknown.
    public static func faultMessage(name: String, pid: UInt64, vector: UInt64, address: UInt64, rip: UInt64, rsp: UInt64, error: UInt64) -> String {
        let hex = { (value: UInt64) in String(value, radix: 16) }
        if vector == pageFault {
            return "\(name)[\(pid)]: segfault at \(hex(address)) ip \(padded(rip)) sp \(padded(rsp)) error \(hex(error))"
        }
        return "\(name)[\(pid)] trap \(trapName(vector)) ip:\(hex(rip)) sp:\(hex(rsp)) error:\(hex(error))"
    }

    /// "#PF" and the like, for the kernel's own PANIC line (which must not allocate).
    public static func mnemonic(_ vector: UInt64) -> StaticString {
        switch vector {
        case divideError: return "#DE"
        case debug: return "#DB"
        case nmi: return "NMI"
        case breakpoint: return "#BP"
        case overflow: return "#OF"
        case boundRange: return "#BR"
        case invalidOpcode: return "#UD"
        case deviceNotAvailable: return "#NM"
        case doubleFault: return "#DF"
        case invalidTSS: return "#TS"
        case segmentNotPresent: return "#NP"
        case stackSegment: return "#SS"
        case generalProtection: return "#GP"
        case pageFault: return "#PF"
        case x87FloatingPoint: return "#MF"
        case alignmentCheck: return "#AC"
        case machineCheck: return "#MC"
        case simdFloatingPoint: return "#XM"
        default: return "vector"
        }
    }

    static func padded(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - text.count)) + text
    }

    static func trapName(_ vector: UInt64) -> String {
        switch vector {
        case divideError: return "divide error"
        case debug: return "debug"
        case breakpoint: return "int3"
        case overflow: return "overflow"
        case boundRange: return "bounds"
        case invalidOpcode: return "invalid opcode"
        case deviceNotAvailable: return "device not available"
        case invalidTSS: return "invalid TSS"
        case segmentNotPresent: return "segment not present"
        case stackSegment: return "stack segment"
        case generalProtection: return "general protection fault"
        case x87FloatingPoint: return "coprocessor error"
        case alignmentCheck: return "alignment check"
        case simdFloatingPoint: return "simd exception"
        default: return "vector \(vector)"
        }
    }
}

extension EntryCounts {
    /// Sorts an interrupt or exception `vector`: below 32 exceptions, from 32 up
    /// interrupts; NMI, vector 2, counts as an interrupt.
    public static func entry(vector: UInt64, ikcVector: UInt64, timerVector: UInt64) -> Entry {
        switch vector {
        case ikcVector: return .ikcInterrupt
        case timerVector: return .timerInterrupt
        case CPUException.nmi: return .otherInterrupt
        case 0..<CPUException.firstInterrupt: return CPUException.kind(vector: vector) == .pageFault ? .pageFault : .otherException
        default: return .otherInterrupt
        }
    }
}

/// How a process on the LWK ends, in the terms Linux uses: the wait status waitpid(2)
/// would report, and for a user-mode exception the signal Linux would have sent and
/// its kernel-log line.
public enum ProcessEnd {
    /// exit/exit_group(code): WEXITSTATUS in bits 8..15.
    public static func exitStatus(code: UInt64) -> UInt32 { UInt32(code & 0xff) << 8 }

    /// Killed by `signal` (no core dump): WTERMSIG in bits 0..6.
    public static func signalStatus(_ signal: UInt32) -> UInt32 { signal & 0x7f }

    /// The signal for an exception `vector` raised in user mode, as Linux maps it;
    /// nil for a vector that is not a fault of the program (NMI, machine check).
    public static func signal(vector: UInt64) -> UInt32? {
        switch vector {
        case 0, 16, 19: return Signal.fpe  // #DE, #MF, #XM
        case 1, 3: return Signal.trap  // #DB, #BP
        case 4, 5, 10, 11, 12, 13, 14: return Signal.segv  // #OF, #BR, #TS, #NP, #SS, #GP, #PF
        case 6, 7: return Signal.ill  // #UD, #NM (no FPU state to restore: never expected)
        case 17: return Signal.bus  // #AC
        default: return nil
        }
    }

    /// The fault address reported with the exit: CR2 for a page fault, the
    /// instruction for the faults whose si_addr is the RIP, otherwise 0.
    public static func faultAddress(vector: UInt64, cr2: UInt64, rip: UInt64) -> UInt64 {
        switch vector {
        case 14: return cr2
        case 0, 6, 16, 17, 19: return rip
        default: return 0
        }
    }

    /// The kernel-log line, in Linux's shapes: show_signal_msg() for a page fault,
    /// do_trap()'s for the others. `name` is the comm, or the pid when unknown.
    public static func faultMessage(name: String, pid: UInt64, vector: UInt64, address: UInt64, rip: UInt64, rsp: UInt64, error: UInt64) -> String {
        let hex = { (value: UInt64) in String(value, radix: 16) }
        if vector == 14 {
            return "\(name)[\(pid)]: segfault at \(hex(address)) ip \(padded(rip)) sp \(padded(rsp)) error \(hex(error))"
        }
        return "\(name)[\(pid)] trap \(trapName(vector)) ip:\(hex(rip)) sp:\(hex(rsp)) error:\(hex(error))"
    }

    static func padded(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - text.count)) + text
    }

    static func trapName(_ vector: UInt64) -> String {
        switch vector {
        case 0: return "divide error"
        case 1: return "debug"
        case 3: return "int3"
        case 4: return "overflow"
        case 5: return "bounds"
        case 6: return "invalid opcode"
        case 7: return "device not available"
        case 10: return "invalid TSS"
        case 11: return "segment not present"
        case 12: return "stack segment"
        case 13: return "general protection fault"
        case 16: return "coprocessor error"
        case 17: return "alignment check"
        case 19: return "simd exception"
        default: return "vector \(vector)"
        }
    }
}

/// The process's clocks: the TSC counted from the moment PROC_CREATE arrived, plus
/// what Linux's CLOCK_REALTIME and CLOCK_MONOTONIC read when it sent it. The LWK
/// never adjusts them afterwards (no NTP slewing: a run is short next to the drift).
public struct ProcessClock: Equatable {
    public var tscKHz: UInt64
    public var baseTSC: UInt64
    public var realtime: UInt64
    public var monotonic: UInt64

    public init(tscKHz: UInt64, baseTSC: UInt64, realtime: UInt64, monotonic: UInt64) {
        self.tscKHz = max(tscKHz, 1)
        self.baseTSC = baseTSC
        self.realtime = realtime
        self.monotonic = monotonic
    }

    // clock_gettime(2) ids.
    public static let realtimeID: UInt64 = 0, monotonicID: UInt64 = 1
    public static let processCPUTimeID: UInt64 = 2, threadCPUTimeID: UInt64 = 3, monotonicRawID: UInt64 = 4
    public static let realtimeCoarseID: UInt64 = 5, monotonicCoarseID: UInt64 = 6, boottimeID: UInt64 = 7

    /// Nanoseconds since the base at `tsc`, without overflowing for years of uptime.
    public func elapsed(tsc: UInt64) -> UInt64 {
        let ticks = tsc &- baseTSC
        guard tsc >= baseTSC else { return 0 }
        return ticks / tscKHz * 1_000_000 + ticks % tscKHz * 1_000_000 / tscKHz
    }

    /// Nanoseconds of `clock` at `tsc`, or nil for an unknown clock (EINVAL). The
    /// process runs alone on its CPU, so its CPU-time clocks read the time since it
    /// was created (offloaded calls included: an upper bound).
    public func read(_ clock: UInt64, tsc: UInt64) -> UInt64? {
        let delta = elapsed(tsc: tsc)
        switch clock {
        case Self.realtimeID, Self.realtimeCoarseID: return realtime &+ delta
        case Self.monotonicID, Self.monotonicCoarseID, Self.monotonicRawID, Self.boottimeID: return monotonic &+ delta
        case Self.processCPUTimeID, Self.threadCPUTimeID: return delta
        default: return nil
        }
    }

    /// struct timespec {tv_sec, tv_nsec} / struct timeval {tv_sec, tv_usec}.
    public static func timespec(_ nanoseconds: UInt64) -> (UInt64, UInt64) {
        (nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000)
    }

    public static func timeval(_ nanoseconds: UInt64) -> (UInt64, UInt64) {
        (nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000 / 1000)
    }
}

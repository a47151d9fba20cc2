/// How a process on the LWK ends, in the terms Linux uses: the wait status waitpid(2)
/// would report (a user-mode exception's signal and log line are the architecture's:
/// CPUException).
public enum ProcessEnd {
    /// exit/exit_group(code): WEXITSTATUS in bits 8..15.
    public static func exitStatus(code: UInt64) -> UInt32 { UInt32(code & 0xff) << 8 }

    /// Killed by `signal` (no core dump): WTERMSIG in bits 0..6.
    public static func signalStatus(_ signal: UInt32) -> UInt32 { signal & 0x7f }
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
    public static let realtimeAlarmID: UInt64 = 8, boottimeAlarmID: UInt64 = 9, taiID: UInt64 = 11

    /// Nanoseconds since the base at `tsc`, without overflowing for years of uptime.
    public func elapsed(tsc: UInt64) -> UInt64 {
        let ticks = tsc &- baseTSC
        guard tsc >= baseTSC else { return 0 }
        return ticks / tscKHz * 1_000_000 + ticks % tscKHz * 1_000_000 / tscKHz
    }

    /// Nanoseconds of `clock` at `tsc`, or nil for a clock Linux refuses (EINVAL).
    /// `clock` is a clockid_t, an int: its low 32 bits count, and a negative one names
    /// the CPU-time clock of a process or thread (`pid` 0 or `ownPID`: this one; a
    /// descriptor's clock is refused). The process runs alone on its CPU, so its
    /// CPU-time clocks read the time since it was created (offloaded calls included: an
    /// upper bound). CLOCK_TAI is CLOCK_REALTIME plus Linux's TAI offset, which is 0
    /// until NTP sets it; the alarm clocks read like the clocks they wake on.
    public func read(_ clock: UInt64, tsc: UInt64, ownPID: UInt64 = 0) -> UInt64? {
        let delta = elapsed(tsc: tsc)
        let id = Int32(truncatingIfNeeded: clock)
        if id < 0 {
            let pid = UInt64(UInt32(bitPattern: ~(id >> 3)))
            guard id & 7 != 3, id & 3 != 3, pid == 0 || pid == ownPID else { return nil }
            return delta
        }
        switch UInt64(id) {
        case Self.realtimeID, Self.realtimeCoarseID, Self.realtimeAlarmID, Self.taiID: return realtime &+ delta
        case Self.monotonicID, Self.monotonicCoarseID, Self.monotonicRawID, Self.boottimeID, Self.boottimeAlarmID:
            return monotonic &+ delta
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

/// struct timespec as a program passes a timeout: { time_t tv_sec; long tv_nsec; }.
public struct Timespec: Equatable, Sendable {
    public var seconds: Int64
    public var nanoseconds: Int64

    public static let bytes = 16

    public init(seconds: Int64, nanoseconds: Int64) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// get_timespec64: EFAULT when the program cannot read it.
    public static func read(_ address: UInt64, memory: some UserMemoryReader) throws(Errno) -> Timespec {
        guard let bytes = memory.read(address, count: bytes) else { throw .fault }
        return Timespec(seconds: Int64(bitPattern: bytes.word(at: 0)), nanoseconds: Int64(bitPattern: bytes.word(at: 8)))
    }

    /// timespec64_valid: no negative seconds, nanoseconds in [0, 1e9).
    public var isValid: Bool { seconds >= 0 && nanoseconds >= 0 && nanoseconds < 1_000_000_000 }

    /// timespec64_to_ktime: in nanoseconds, KTIME_MAX (Int64.max) past it; 0 for an
    /// invalid one.
    public var totalNanoseconds: UInt64 {
        guard isValid else { return 0 }
        let (scaled, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, scaled <= UInt64(Int64.max) - UInt64(nanoseconds) else { return UInt64(Int64.max) }
        return scaled + UInt64(nanoseconds)
    }
}

/// When a blocking call gives up waiting.
public enum Timeout: Equatable, Sendable {
    /// This long after the call (FUTEX_WAIT, nanosleep).
    case after(nanoseconds: UInt64)
    /// When `clock` (a clock id: CLOCK_REALTIME or CLOCK_MONOTONIC) reads this
    /// (FUTEX_WAIT_BITSET, futex_waitv, clock_nanosleep with TIMER_ABSTIME).
    case at(nanoseconds: UInt64, clock: UInt64)
}

extension ProcessClock {
    /// `nanoseconds` in TSC ticks, UInt64.max when that overflows (never, in practice).
    public func ticks(nanoseconds: UInt64) -> UInt64 {
        let (whole, overflow) = (nanoseconds / 1_000_000).multipliedReportingOverflow(by: tscKHz)
        let rest = nanoseconds % 1_000_000 * tscKHz / 1_000_000
        guard !overflow, whole <= UInt64.max - rest else { return UInt64.max }
        return whole + rest
    }

    /// The TSC value at which `timeout` expires, for a call made at TSC `now`;
    /// UInt64.max for never. A time already past gives a value at or before `now`, so
    /// the wait ends at once. The realtime clocks count from Linux's CLOCK_REALTIME at
    /// creation, every other one from its CLOCK_MONOTONIC (as `read` does).
    public func deadline(_ timeout: Timeout, now: UInt64) -> UInt64 {
        switch timeout {
        case .after(let nanoseconds):
            let ticks = ticks(nanoseconds: nanoseconds)
            return now > UInt64.max - ticks ? UInt64.max : now + ticks
        case .at(let nanoseconds, let clock):
            let base = clock == Self.realtimeID || clock == Self.realtimeCoarseID ? realtime : monotonic
            guard nanoseconds > base else { return baseTSC }
            let ticks = ticks(nanoseconds: nanoseconds - base)
            return baseTSC > UInt64.max - ticks ? UInt64.max : baseTSC + ticks
        }
    }
}

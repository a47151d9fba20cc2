import Testing
@testable import Kernel

/// Timeouts in TSC ticks and the per-CPU deadline queue.
@Suite struct DeadlineTests {
    /// A 2 GHz TSC; the process was created at TSC 1000 with realtime 1.7e18 ns and
    /// monotonic 5 s.
    static var clock: ProcessClock { ProcessClock(tscKHz: 2_000_000, baseTSC: 1000, realtime: 1_700_000_000_000_000_000, monotonic: 5_000_000_000) }

    @Test func ticks() {
        #expect(Self.clock.ticks(nanoseconds: 1_000_000) == 2_000_000)
        #expect(Self.clock.ticks(nanoseconds: 1_500) == 3_000)
        #expect(Self.clock.ticks(nanoseconds: UInt64.max) == UInt64.max)
        #expect(ProcessClock(tscKHz: 3, baseTSC: 0, realtime: 0, monotonic: 0).ticks(nanoseconds: 1_000_000_000) == 3_000)
    }

    @Test func deadlines() {
        let clock = Self.clock
        #expect(clock.deadline(.after(nanoseconds: 1_000), now: 50_000) == 52_000)
        #expect(clock.deadline(.after(nanoseconds: UInt64.max), now: 50_000) == UInt64.max, "never")
        // Absolute: counted from the clock's reading at creation.
        #expect(clock.deadline(.at(nanoseconds: 6_000_000_000, clock: ProcessClock.monotonicID), now: 0) == 1000 + 2_000_000_000)
        #expect(clock.deadline(.at(nanoseconds: 1_700_000_000_000_000_500, clock: ProcessClock.realtimeID), now: 0) == 2000)
        #expect(clock.deadline(.at(nanoseconds: 4_000_000_000, clock: ProcessClock.monotonicID), now: 9999) == 1000, "past: at once")
        #expect(clock.deadline(.at(nanoseconds: UInt64(Int64.max), clock: ProcessClock.monotonicID), now: 0) > 1 << 62)
        #expect(Timespec(seconds: 2, nanoseconds: 5).totalNanoseconds == 2_000_000_005)
        #expect(Timespec(seconds: -1, nanoseconds: 5).totalNanoseconds == 0 && !Timespec(seconds: 0, nanoseconds: 1_000_000_000).isValid)
    }
}

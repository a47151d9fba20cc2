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

    @Test func theQueueKeepsTheEarliestFirst() {
        var queue = DeadlineQueue()
        #expect(queue.next == nil)
        queue.insert(1, at: 300)
        queue.insert(2, at: 100)
        queue.insert(3, at: 300)
        queue.insert(4, at: 200)
        #expect(queue.next == 100 && queue.entries.map { $0.tid } == [2, 4, 1, 3])
        queue.insert(2, at: 400)  // a new wait replaces the old one
        #expect(queue.entries.map { $0.tid } == [4, 1, 3, 2])
        let removed = (queue.remove(4), queue.remove(4))
        #expect(removed == (true, false))
        var expired = queue.expire(now: 299)
        #expect(expired.isEmpty)
        expired = queue.expire(now: 300)
        #expect(expired == [1, 3], "equal ticks in the order they came")
        #expect(queue.next == 400)
        expired = queue.expire(now: UInt64.max)
        #expect(expired == [2] && queue.next == nil)
    }
}

import CMcosABI
import Testing
@testable import Kernel

@Suite struct EntryCountsTests {
    static let ikc = UInt64(MCOS_IKC_VECTOR), timer: UInt64 = 0xec

    static func entry(_ vector: UInt64) -> EntryCounts.Entry {
        EntryCounts.entry(vector: vector, ikcVector: ikc, timerVector: timer)
    }

    @Test func vectorsSortIntoKinds() {
        #expect(Self.entry(Self.ikc) == .ikcInterrupt)
        #expect(Self.entry(Self.timer) == .timerInterrupt)
        #expect(Self.entry(14) == .pageFault)
        for exception: UInt64 in [0, 1, 3, 6, 8, 13, 17, 19, 31] { #expect(Self.entry(exception) == .otherException, "\(exception)") }
        for interrupt: UInt64 in [2, 32, 0x30, 0xd0, 0xfd, 0xff, 0x100, .max] { #expect(Self.entry(interrupt) == .otherInterrupt, "\(interrupt)") }
    }

    @Test func aProcessSeesWhatEnteredSinceItsStart() {
        var counts = EntryCounts()
        counts.count(.ikcInterrupt)
        counts.countSystemCall(offloaded: true)
        let start = counts
        for _ in 0..<5 { counts.countSystemCall(offloaded: false) }
        for _ in 0..<3 {
            counts.countSystemCall(offloaded: true)
            counts.count(.ikcInterrupt)
        }
        counts.count(.pageFault)
        counts.count(.otherException)
        counts.count(.otherInterrupt)
        let ran = counts.since(start)
        #expect(ran.ikcInterrupts == 3 && ran.offloadedSystemCalls == 3 && ran.localSystemCalls == 5)
        #expect(ran.pageFaults == 1 && ran.otherExceptions == 1 && ran.otherInterrupts == 1 && ran.timerInterrupts == 0)
        #expect(ran.summary == "0 timer, 3 IKC, 1 other interrupts, 1 page faults, 1 other exceptions, 5 local and 3 offloaded system calls")
        #expect(counts.since(counts) == EntryCounts())
    }

    @Test func offloadedMeansSentToLinux() {
        #expect(Syscall.route(1).isOffloaded, "write")
        #expect(!Syscall.route(39).isOffloaded, "getpid")
        #expect(!Syscall.route(0x4000_0000).isOffloaded, "x32: ENOSYS here")
    }

    /// Counters wrap instead of trapping (a trap in the LWK is a panic), and a difference
    /// across the wrap is still right.
    @Test func countersWrap() {
        var counts = EntryCounts()
        counts.timerInterrupts = .max
        counts.localSystemCalls = .max
        let start = counts
        counts.count(.timerInterrupt)
        counts.countSystemCall(offloaded: false)
        counts.countSystemCall(offloaded: false)
        #expect(counts.timerInterrupts == 0 && counts.localSystemCalls == 1)
        #expect(counts.since(start).timerInterrupts == 1 && counts.since(start).localSystemCalls == 2)
    }
}

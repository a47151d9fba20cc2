import Testing
@testable import Kernel

/// The futex waiter table: keys, FIFO wake-ups, bitsets, requeue, WAKE_OP, futex_waitv.
@Suite struct FutexWaitersTests {
    typealias O = FutexOperation
    typealias W = FutexWaiters
    static let page: UInt64 = 0x40_0000, a: UInt64 = 0x40_0000, b: UInt64 = 0x40_0010, c: UInt64 = 0x40_0020
    static let space: UInt64 = 0x1000

    static func memory() -> WordMemory {
        let memory = WordMemory()
        memory.map(page)
        return memory
    }

    /// The table and the program's memory, so that calls read as the program makes them.
    final class Futexes {
        var table = W()
        var memory: WordMemory

        init(_ memory: WordMemory = FutexWaitersTests.memory()) { self.memory = memory }

        var waiters: [W.Waiter] { table.waiters }

        func callAsFunction(_ call: FutexCall, tid: UInt32 = 99, space: UInt64 = FutexWaitersTests.space) -> W.Outcome {
            table.perform(call, tid: tid, addressSpace: space, memory: memory)
        }

        func callAsFunction(_ list: FutexWaitList, tid: UInt32) -> W.Outcome {
            table.perform(list, tid: tid, addressSpace: FutexWaitersTests.space, memory: memory)
        }

        func withdraw(_ tid: UInt32) -> Bool { table.withdraw(tid) }
    }

    static func wait(_ address: UInt64, _ expected: UInt32 = 0, bitset: UInt32 = O.matchAnyBitset, isPrivate: Bool = true) -> FutexCall {
        FutexCall(address: address, isPrivate: isPrivate, command: .wait(expected: expected, bitset: bitset, timeout: nil))
    }

    static func wake(_ address: UInt64, _ count: Int32, bitset: UInt32 = O.matchAnyBitset, isPrivate: Bool = true) -> FutexCall {
        FutexCall(address: address, isPrivate: isPrivate, command: .wake(count: count, bitset: bitset))
    }

    static func woken(_ tids: UInt32...) -> [W.Woken] { tids.map { W.Woken(tid: $0, index: 0) } }

    @Test func waitChecksTheWordFirst() {
        let futex = Futexes()
        futex.memory.set32(Self.a, 5)
        #expect(futex(Self.wait(Self.a, 4), tid: 1) == .done(-Errno.again, woken: []))
        #expect(futex(Self.wait(Self.a + 2, 5), tid: 1) == .done(-Errno.inval, woken: []))
        #expect(futex(Self.wait(0x50_0000, 0), tid: 1) == .done(-Errno.fault, woken: []))
        #expect(futex.waiters.isEmpty)
        let timed = FutexCall(address: Self.a, isPrivate: true, command: .wait(expected: 5, bitset: 1, timeout: .after(nanoseconds: 9)))
        #expect(futex(timed, tid: 1) == .sleep(.after(nanoseconds: 9)))
        #expect(futex.table.isWaiting(1) && !futex.table.isWaiting(2))
    }

    @Test func wakeTakesTheOldestOfItsKey() {
        let futex = Futexes()
        for tid: UInt32 in [1, 2, 3] { _ = futex(Self.wait(Self.a), tid: tid) }
        _ = futex(Self.wait(Self.b), tid: 4)
        #expect(futex(Self.wake(Self.a, 2)) == .done(2, woken: Self.woken(1, 2)))
        #expect(futex(Self.wake(Self.a, 0)) == .done(1, woken: Self.woken(3)), "a count of 0 wakes one, as on Linux")
        #expect(futex(Self.wake(Self.a, 5)) == .done(0, woken: []))
        #expect(futex.waiters.map { $0.tid } == [4])
        // A private wake needs no mapping; a shared one does.
        #expect(futex(Self.wake(0x50_0000, 1)) == .done(0, woken: []))
        #expect(futex(Self.wake(0x50_0000, 1, isPrivate: false)) == .done(-Errno.fault, woken: []))
    }

    @Test func keys() {
        // Two processes map the same frame at different addresses: shared waits meet,
        // private ones stay in their address space.
        let first = Futexes(), second = WordMemory()
        second.map(0x80_0000, physical: first.memory.physical(Self.page))
        _ = first(Self.wait(Self.a, isPrivate: false), tid: 1, space: 1)
        _ = first(Self.wait(Self.b), tid: 2, space: 1)
        let fromSecond = first.table.perform(Self.wake(0x80_0000, 9, isPrivate: false), tid: 3, addressSpace: 2, memory: second)
        #expect(fromSecond == .done(1, woken: Self.woken(1)))
        #expect(first(Self.wake(Self.b, 9), space: 2) == .done(0, woken: []), "another address space")
        #expect(first(Self.wake(Self.b, 9, isPrivate: false), space: 1) == .done(0, woken: []), "a shared wake does not find a private waiter")
        #expect(first(Self.wake(Self.b, 9), space: 1) == .done(1, woken: Self.woken(2)))
        // A private key is the address, anywhere in Linux's user space (a requeue target
        // the LWK never maps is no fault on Linux); a shared one needs the frame.
        #expect((try? FutexKey.of(0x1000_0000_0000, isPrivate: true, addressSpace: 1, memory: second)) != nil)
        #expect(throws: Errno.fault) { try FutexKey.of(0x1000_0000_0000, isPrivate: false, addressSpace: 1, memory: second) }
        #expect(throws: Errno.fault) { try FutexKey.of(0x7fff_ffff_f000, isPrivate: true, addressSpace: 1, memory: second) }
    }

    @Test func bitsets() {
        let futex = Futexes()
        _ = futex(Self.wait(Self.a, bitset: 0b01), tid: 1)
        _ = futex(Self.wait(Self.a, bitset: 0b10), tid: 2)
        _ = futex(Self.wait(Self.a), tid: 3)
        #expect(futex(Self.wake(Self.a, 9, bitset: 0b10)) == .done(2, woken: Self.woken(2, 3)))
        #expect(futex.waiters.map { $0.tid } == [1])
    }

    @Test func requeue() {
        let futex = Futexes()
        futex.memory.set32(Self.a, 7)
        _ = futex(Self.wait(Self.b), tid: 10)
        for tid: UInt32 in 1...5 { _ = futex(Self.wait(Self.a, 7), tid: tid) }
        func requeue(wake: Int32, requeue: Int32, expected: UInt32?, to: UInt64 = Self.b) -> W.Outcome {
            futex(FutexCall(address: Self.a, isPrivate: true, command: .requeue(target: to, wake: wake, requeue: requeue, expected: expected)))
        }
        #expect(requeue(wake: 1, requeue: 2, expected: 6) == .done(-Errno.again, woken: []))
        #expect(requeue(wake: 1, requeue: 2, expected: 7) == .done(3, woken: Self.woken(1)))
        let key = { (address: UInt64) in FutexKey.inProcess(addressSpace: Self.space, address: address) }
        #expect(futex.waiters.filter { $0.key == key(Self.b) }.map { $0.tid } == [10, 2, 3], "behind the word's own waiters, in order")
        #expect(futex.waiters.filter { $0.key == key(Self.a) }.map { $0.tid } == [4, 5])
        #expect(requeue(wake: 0, requeue: 0, expected: nil) == .done(0, woken: []), "nothing asked, nothing done")
        #expect(requeue(wake: 0, requeue: 9, expected: nil, to: Self.a) == .done(2, woken: []), "onto itself: counted, not moved")
        #expect(futex.waiters.map { $0.tid } == [10, 4, 5, 2, 3])
        #expect(requeue(wake: 1, requeue: 0, expected: nil) == .done(1, woken: Self.woken(4)))
        #expect(requeue(wake: 1, requeue: 1, expected: nil, to: Self.a + 1) == .done(-Errno.inval, woken: []))
    }

    @Test func wakeOp() {
        let futex = Futexes()
        _ = futex(Self.wait(Self.a), tid: 1)
        _ = futex(Self.wait(Self.b), tid: 2)
        _ = futex(Self.wait(Self.b), tid: 3)
        futex.memory.set32(Self.b, 5)
        func wakeOp(_ encoded: UInt32) -> FutexCall {
            FutexCall(address: Self.a, isPrivate: true,
                      command: .wakeOp(target: Self.b, wake: 1, wakeTarget: 1, operation: FutexWakeOperation(encoded: encoded)))
        }
        // FUTEX_OP(ADD, 1, CMP_GT, 5): 5 is not > 5, so only the first word's waiter.
        #expect(futex(wakeOp(0x1400_1005)) == .done(1, woken: Self.woken(1)))
        #expect(futex.memory.get32(Self.b) == 6)
        // FUTEX_OP(SET, 0, CMP_GT, 5): old 6 > 5.
        #expect(futex(wakeOp(0x0400_0005)) == .done(1, woken: Self.woken(2)))
        #expect(futex.memory.get32(Self.b) == 0)
        #expect(futex(wakeOp(0x5000_0000)) == .done(-Errno.noSys, woken: []), "unknown operation: nothing written")
        #expect(futex.memory.updates.count == 2)
        #expect(futex(wakeOp(0x1600_1000)) == .done(-Errno.noSys, woken: []), "unknown comparison: written all the same")
        #expect(futex.memory.get32(Self.b) == 1 && futex.waiters.map { $0.tid } == [3])
        let readOnly = Futexes(WordMemory())
        readOnly.memory.map(Self.page, writable: false)
        #expect(readOnly(wakeOp(0)) == .done(-Errno.fault, woken: []))
    }

    @Test func withdrawAfterTimeoutOrSignal() {
        let futex = Futexes()
        _ = futex(Self.wait(Self.a), tid: 1)
        _ = futex(Self.wait(Self.a), tid: 2)
        _ = futex(Self.wake(Self.a, 1))
        let withdrawn = [futex.withdraw(1), futex.withdraw(2)]
        #expect(withdrawn == [false, true], "the first was woken before: its wake stands")
        #expect(futex.waiters.isEmpty)
        // A thread waits for one thing: a new wait replaces what it waited for.
        _ = futex(Self.wait(Self.a), tid: 3)
        _ = futex(Self.wait(Self.b), tid: 3)
        #expect(futex.waiters.count == 1)
    }

    @Test func waitv() {
        let futex = Futexes()
        futex.memory.set32(Self.b, 1)
        let elements: [FutexWaitList.Element] = [.init(address: Self.a, expected: 0, isPrivate: true),
                                                 .init(address: Self.b, expected: 1, isPrivate: false),
                                                 .init(address: Self.c, expected: 0, isPrivate: true)]
        var changed = elements
        changed[2].expected = 3
        #expect(futex(FutexWaitList(elements: changed), tid: 1) == .done(-Errno.again, woken: []))
        #expect(futex.waiters.isEmpty, "nothing left queued")
        let timeout = Timeout.at(nanoseconds: 5, clock: ProcessClock.monotonicID)
        #expect(futex(FutexWaitList(elements: elements, timeout: timeout), tid: 1) == .sleep(timeout))
        #expect(futex.waiters.count == 3)
        #expect(futex(Self.wake(Self.b, 1, isPrivate: false)) == .done(1, woken: [W.Woken(tid: 1, index: 1)]))
        #expect(futex.waiters.isEmpty, "woken by one, it waits on none")
    }
}

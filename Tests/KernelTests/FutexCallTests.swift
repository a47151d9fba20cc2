import CLinuxSignalABI
import Testing
@testable import Kernel

/// futex(2) and futex_waitv(2) decoded and checked as Linux does, before any waiter is
/// looked at.
@Suite struct FutexCallTests {
    typealias O = FutexOperation
    static let word: UInt64 = 0x40_0000, other: UInt64 = 0x40_0040, timespec: UInt64 = 0x40_0100

    static func call(_ operation: UInt32, value: UInt64 = 0, timeout: UInt64 = 0, target: UInt64 = other, value3: UInt64 = 0,
                     time: (Int64, Int64) = (1, 500)) throws(Errno) -> FutexCall {
        let memory = WordMemory()
        memory.map(word)
        memory.set64(timespec, UInt64(bitPattern: time.0))
        memory.set64(timespec + 8, UInt64(bitPattern: time.1))
        return try FutexCall(address: word, operation: UInt64(operation), value: value, timeout: timeout, target: target,
                             value3: value3, memory: memory)
    }

    @Test func waitAndWake() throws {
        let wait = try Self.call(O.wait | O.privateFlag, value: 7)
        #expect(wait == FutexCall(address: Self.word, isPrivate: true, command: .wait(expected: 7, bitset: O.matchAnyBitset, timeout: nil)))
        #expect(try Self.call(O.wait, value: 0xffff_ffff_0000_0007).isPrivate == false, "val is 32-bit")
        #expect(try Self.call(O.wake, value: 3).command == .wake(count: 3, bitset: O.matchAnyBitset))
        #expect(try Self.call(O.wake, value: 0xffff_ffff).command == .wake(count: -1, bitset: O.matchAnyBitset))
        #expect(try Self.call(O.waitBitset, value: 1, value3: 0x0f).command == .wait(expected: 1, bitset: 0x0f, timeout: nil))
        #expect(try Self.call(O.wakeBitset, value: 1, value3: 0xf0).command == .wake(count: 1, bitset: 0xf0))
        #expect(throws: Errno.inval) { try Self.call(O.waitBitset, value3: 0) }
        #expect(throws: Errno.inval) { try Self.call(O.wakeBitset, value3: 0) }
    }

    @Test func timeouts() throws {
        // FUTEX_WAIT's is relative; WAIT_BITSET's absolute, monotonic unless CLOCK_REALTIME.
        #expect(try Self.call(O.wait, timeout: Self.timespec).command
            == .wait(expected: 0, bitset: O.matchAnyBitset, timeout: .after(nanoseconds: 1_000_000_500)))
        #expect(try Self.call(O.waitBitset, timeout: Self.timespec, value3: 1).command
            == .wait(expected: 0, bitset: 1, timeout: .at(nanoseconds: 1_000_000_500, clock: ProcessClock.monotonicID)))
        #expect(try Self.call(O.waitBitset | O.clockRealtime, timeout: Self.timespec, value3: 1).command
            == .wait(expected: 0, bitset: 1, timeout: .at(nanoseconds: 1_000_000_500, clock: ProcessClock.realtimeID)))
        #expect(throws: Errno.inval) { try Self.call(O.wait, timeout: Self.timespec, time: (0, 1_000_000_000)) }
        #expect(throws: Errno.inval) { try Self.call(O.wait, timeout: Self.timespec, time: (-1, 0)) }
        #expect(throws: Errno.inval) { try Self.call(O.wait, timeout: Self.timespec, time: (0, -1)) }
        #expect(throws: Errno.fault) { try Self.call(O.wait, timeout: 0x50_0000) }
        // Only the waits clock their timeout: WAKE's fourth argument is a count.
        #expect(try Self.call(O.wake, timeout: 0x50_0000).command == .wake(count: 0, bitset: O.matchAnyBitset))
        // The timeout is checked first, even for a call refused afterwards.
        #expect(throws: Errno.inval) { try Self.call(O.lockPI, timeout: Self.timespec, time: (-1, 0)) }
        #expect(Timespec(seconds: Int64.max, nanoseconds: 0).totalNanoseconds == UInt64(Int64.max), "KTIME_MAX")
    }

    @Test func clockRealtimeOnlyWhereLinuxTakesIt() {
        #expect(throws: Errno.noSys) { try Self.call(O.wait | O.clockRealtime) }
        #expect(throws: Errno.noSys) { try Self.call(O.wake | O.clockRealtime) }
        #expect(throws: Errno.noSys) { try Self.call(O.lockPI2 | O.clockRealtime) }  // allowed, and then PI is refused
    }

    @Test func requeueAndWakeOp() throws {
        #expect(try Self.call(O.compareRequeue | O.privateFlag, value: 1, timeout: 0x7fff_ffff, value3: 5).command
            == .requeue(target: Self.other, wake: 1, requeue: Int32.max, expected: 5))
        #expect(try Self.call(O.requeue, value: 0, timeout: 2).command == .requeue(target: Self.other, wake: 0, requeue: 2, expected: nil))
        #expect(throws: Errno.inval) { try Self.call(O.requeue, value: 0xffff_ffff, timeout: 1) }
        #expect(throws: Errno.inval) { try Self.call(O.compareRequeue, value: 1, timeout: 0x8000_0000) }
        // glibc's old condvar signal: FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 1).
        let wakeOp = try Self.call(O.wakeOp | O.privateFlag, value: 1, timeout: 1, value3: 0x0400_0001)
        #expect(wakeOp.command == .wakeOp(target: Self.other, wake: 1, wakeTarget: 1, operation: FutexWakeOperation(encoded: 0x0400_0001)))
    }

    @Test func refusedCommands() {
        for command in [O.lockPI, O.unlockPI, O.tryLockPI, O.waitRequeuePI, O.compareRequeuePI, O.lockPI2, O.fd, 14, 0x7f] {
            #expect(throws: Errno.noSys, "\(command)") { try Self.call(command | O.privateFlag) }
        }
    }

    @Test func wakeOperation() {
        typealias W = FutexWakeOpField
        func encode(_ op: UInt32, _ oparg: Int32, _ cmp: UInt32, _ cmparg: Int32) -> FutexWakeOperation {
            FutexWakeOperation(encoded: op << 28 | cmp << 24 | (UInt32(bitPattern: oparg) & 0xfff) << 12 | UInt32(bitPattern: cmparg) & 0xfff)
        }
        #expect(encode(W.set, 5, W.equal, 0).apply(to: 9) == 5)
        #expect(encode(W.add, -1, W.equal, 0).apply(to: 0) == 0xffff_ffff)
        #expect(encode(W.or, 6, W.equal, 0).apply(to: 1) == 7 && encode(W.xor, 3, W.equal, 0).apply(to: 1) == 2)
        #expect(encode(W.andNot, 1, W.equal, 0).apply(to: 3) == 2)
        #expect(encode(W.set | W.operandIsShift, 4, W.equal, 0).apply(to: 0) == 16, "1 << oparg")
        #expect(encode(W.set | W.operandIsShift, 33, W.equal, 0).apply(to: 0) == 2, "a shift is taken modulo 32")
        #expect(encode(5, 0, W.equal, 0).apply(to: 0) == nil && encode(7, 0, W.equal, 0).apply(to: 0) == nil)
        // The comparisons are signed.
        #expect(encode(W.set, 0, W.less, 0).holds(for: 0xffff_ffff) == true)
        #expect(encode(W.set, 0, W.greater, -2).holds(for: 0xffff_ffff) == true)
        #expect(encode(W.set, 0, W.greaterOrEqual, 1).holds(for: 1) == true && encode(W.set, 0, W.lessOrEqual, 0).holds(for: 1) == false)
        #expect(encode(W.set, 0, W.notEqual, 1).holds(for: 1) == false && encode(W.set, 0, W.equal, -2048).holds(for: 0xffff_f800) == true)
        #expect(encode(W.set, 0, 6, 0).holds(for: 0) == nil)
        // As <linux/futex.h>'s FUTEX_OP() encodes it.
        let kernel = LinuxSignalHeaders.table(linux_thread_abi)
        let operation = FutexWakeOperation(encoded: UInt32(kernel["FUTEX_OP(FUTEX_OP_ANDN, -2, FUTEX_OP_CMP_GE, -3)"] ?? 0))
        #expect(operation.operation == W.andNot && operation.comparison == W.greaterOrEqual)
        #expect(operation.operand == UInt32(bitPattern: -2) && operation.comparand == -3)
    }

    static func waitList(_ entries: [(UInt64, UInt32, UInt32)], count: UInt64? = nil, flags: UInt64 = 0, timeout: UInt64 = 0,
                         clock: UInt64 = ProcessClock.monotonicID) throws(Errno) -> FutexWaitList {
        let memory = WordMemory(), array: UInt64 = 0x60_0000
        memory.map(array)
        memory.set64(timespec, 3)
        memory.map(timespec & ~4095)
        for (index, (value, address, elementFlags)) in entries.enumerated() {
            let at = array + UInt64(index) * FutexWaitVector.bytes
            memory.set64(at, value)
            memory.set64(at + 8, UInt64(address))
            memory.set32(at + 16, elementFlags)
        }
        return try FutexWaitList(waiters: array, count: count ?? UInt64(entries.count), flags: flags, timeout: timeout, clock: clock,
                                 memory: memory)
    }

    @Test func waitv() throws {
        let size32 = FutexWaitVector.size32, privately = FutexWaitVector.size32 | O.privateFlag
        let list = try Self.waitList([(1, 0x1000, size32), (2, 0x2000, privately)], timeout: Self.timespec)
        #expect(list == FutexWaitList(elements: [.init(address: 0x1000, expected: 1, isPrivate: false),
                                                .init(address: 0x2000, expected: 2, isPrivate: true)],
                                      timeout: .at(nanoseconds: 3_000_000_000, clock: ProcessClock.monotonicID)))
        #expect(try Self.waitList([(1, 0x1000, size32)], timeout: Self.timespec, clock: ProcessClock.realtimeID).timeout
            == .at(nanoseconds: 3_000_000_000, clock: ProcessClock.realtimeID))
        #expect(throws: Errno.inval) { try Self.waitList([(1, 0x1000, size32)], flags: 1) }
        #expect(throws: Errno.inval) { try Self.waitList([], count: 0) }
        #expect(throws: Errno.inval) { try Self.waitList([(1, 0x1000, size32)], count: 129) }
        #expect(throws: Errno.inval) { try Self.waitList([(1, 0x1000, size32)], timeout: Self.timespec, clock: ProcessClock.boottimeID) }
        #expect(throws: Errno.inval) { try Self.waitList([(1, 0x1000, 0)]) }
        #expect(throws: Errno.inval) { try Self.waitList([(1, 0x1000, size32 | 1)]) }
        #expect(throws: Errno.inval) { try Self.waitList([(1 << 32, 0x1000, size32)]) }
        let memory = WordMemory()
        memory.map(0x60_0000)
        memory.set32(0x60_0000 + 16, size32)
        memory.set32(0x60_0000 + 20, 1)
        #expect(throws: Errno.inval, "__reserved") {
            try FutexWaitList(waiters: 0x60_0000, count: 1, flags: 0, timeout: 0, clock: 0, memory: memory)
        }
        #expect(throws: Errno.fault, "the array runs off the page") {
            try FutexWaitList(waiters: 0x60_0ff0, count: 1, flags: 0, timeout: 0, clock: 0, memory: memory)
        }
    }
}

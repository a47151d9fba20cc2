/// A futex(2) call decoded and checked in Linux's order (sys_futex, do_futex): its
/// timeout read and validated first, then the clock flag, then the command's own
/// arguments. What it does to the waiters is FutexWaiters'.
///
/// PI futexes (LOCK_PI, LOCK_PI2, UNLOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI,
/// CMP_REQUEUE_PI) are ENOSYS, what Linux built without CONFIG_FUTEX_PI answers: glibc
/// then refuses PTHREAD_PRIO_INHERIT mutexes in pthread_mutex_init (ENOTSUP) and never
/// issues them. FUTEX_FD, long gone, and unknown commands are ENOSYS too.
public struct FutexCall: Equatable, Sendable {
    public enum Command: Equatable, Sendable {
        /// WAIT, WAIT_BITSET: sleep while the word holds `expected`, until a wake whose
        /// bitset shares a bit with `bitset`.
        case wait(expected: UInt32, bitset: UInt32, timeout: Timeout?)
        /// WAKE, WAKE_BITSET: wake up to `count` waiters (Linux wakes one for a count of
        /// 0 or less).
        case wake(count: Int32, bitset: UInt32)
        /// REQUEUE, CMP_REQUEUE: wake `wake` waiters, move up to `requeue` more to the
        /// word at `target`; CMP_REQUEUE first checks that the word still holds `expected`.
        case requeue(target: UInt64, wake: Int32, requeue: Int32, expected: UInt32?)
        /// WAKE_OP: change the word at `target` by `operation`, wake `wake` waiters here
        /// and, if the operation's comparison of the old value holds, `wakeTarget` there.
        case wakeOp(target: UInt64, wake: Int32, wakeTarget: Int32, operation: FutexWakeOperation)
    }

    public var address: UInt64
    /// FUTEX_PRIVATE_FLAG: keyed by the address in the process, not by the memory.
    public var isPrivate: Bool
    public var command: Command

    public init(address: UInt64, isPrivate: Bool, command: Command) {
        self.address = address
        self.isPrivate = isPrivate
        self.command = command
    }

    /// futex(uaddr, futex_op, val, timeout or val2, uaddr2, val3), the registers as the
    /// program passed them (futex_op is an int, val, val2 and val3 are 32-bit).
    public init(address: UInt64, operation: UInt64, value: UInt64, timeout: UInt64, target: UInt64, value3: UInt64,
                memory: some UserMemoryReader) throws(Errno) {
        typealias F = FutexOperation
        let op = UInt32(truncatingIfNeeded: operation), command = op & F.commandMask
        let val = UInt32(truncatingIfNeeded: value), val2 = Int32(truncatingIfNeeded: timeout)
        let val3 = UInt32(truncatingIfNeeded: value3)
        let realtime = op & F.clockRealtime != 0
        var wait: Timeout?
        if timeout != 0, Self.takesTimeout(command) {
            let time = try Timespec.read(timeout, memory: memory)
            guard time.isValid else { throw .inval }
            // FUTEX_WAIT's is relative; the others are absolute, LOCK_PI's on CLOCK_REALTIME.
            if command == F.wait {
                wait = .after(nanoseconds: time.totalNanoseconds)
            } else {
                let clock = realtime || command == F.lockPI ? ProcessClock.realtimeID : ProcessClock.monotonicID
                wait = .at(nanoseconds: time.totalNanoseconds, clock: clock)
            }
        }
        if realtime, ![F.waitBitset, F.waitRequeuePI, F.lockPI2].contains(command) { throw .noSys }
        self.address = address
        isPrivate = op & F.privateFlag != 0
        switch command {
        case F.wait, F.waitBitset:
            let bitset = command == F.wait ? F.matchAnyBitset : val3
            guard bitset != 0 else { throw .inval }
            self.command = .wait(expected: val, bitset: bitset, timeout: wait)
        case F.wake, F.wakeBitset:
            let bitset = command == F.wake ? F.matchAnyBitset : val3
            guard bitset != 0 else { throw .inval }
            self.command = .wake(count: Int32(bitPattern: val), bitset: bitset)
        case F.requeue, F.compareRequeue:
            let wake = Int32(bitPattern: val)
            guard wake >= 0, val2 >= 0 else { throw .inval }
            self.command = .requeue(target: target, wake: wake, requeue: val2, expected: command == F.compareRequeue ? val3 : nil)
        case F.wakeOp:
            self.command = .wakeOp(target: target, wake: Int32(bitPattern: val), wakeTarget: val2,
                                   operation: FutexWakeOperation(encoded: val3))
        default:
            throw .noSys
        }
    }

    /// futex_cmd_has_timeout: the fourth argument is a timeout, not a count.
    static func takesTimeout(_ command: UInt32) -> Bool {
        typealias F = FutexOperation
        switch command {
        case F.wait, F.waitBitset, F.lockPI, F.lockPI2, F.waitRequeuePI: return true
        default: return false
        }
    }
}

/// FUTEX_WAKE_OP's operation (FUTEX_OP(op, oparg, cmp, cmparg)): what to do to the
/// second word, and the comparison of its old value that decides whether its waiters
/// are woken. Decoded as futex_atomic_op_inuser does it.
public struct FutexWakeOperation: Equatable, Sendable {
    public var encoded: UInt32

    public init(encoded: UInt32) { self.encoded = encoded }

    /// SET, ADD, OR, ANDN, XOR (FutexWakeOpField); anything else is ENOSYS.
    public var operation: UInt32 { encoded >> 28 & 0x7 }
    public var comparison: UInt32 { encoded >> 24 & 0xf }
    /// The operand: a signed 12-bit value, or with FUTEX_OP_OPARG_SHIFT 1 << it (Linux
    /// takes a shift outside 0...31 modulo 32, with a warning in its log).
    public var operand: UInt32 {
        let value = Self.signExtended12(encoded >> 12)
        guard encoded >> 28 & FutexWakeOpField.operandIsShift != 0 else { return UInt32(bitPattern: value) }
        return 1 << UInt32(value & 31)
    }
    public var comparand: Int32 { Self.signExtended12(encoded) }

    static func signExtended12(_ bits: UInt32) -> Int32 { Int32(bitPattern: (bits & 0xfff) << 20) >> 20 }

    /// The second word's new value from its `old` one; nil for an unknown operation.
    public func apply(to old: UInt32) -> UInt32? {
        typealias F = FutexWakeOpField
        switch operation {
        case F.set: return operand
        case F.add: return old &+ operand
        case F.or: return old | operand
        case F.andNot: return old & ~operand
        case F.xor: return old ^ operand
        default: return nil
        }
    }

    /// Whether the old value, as a signed int, passes the comparison; nil for an unknown
    /// comparison.
    public func holds(for old: UInt32) -> Bool? {
        typealias F = FutexWakeOpField
        let value = Int32(bitPattern: old)
        switch comparison {
        case F.equal: return value == comparand
        case F.notEqual: return value != comparand
        case F.less: return value < comparand
        case F.lessOrEqual: return value <= comparand
        case F.greater: return value > comparand
        case F.greaterOrEqual: return value >= comparand
        default: return nil
        }
    }
}

/// A futex_waitv(2) call: wait on several futex words at once (Wine, Proton, some
/// runtimes), until any is woken. Decoded and checked in Linux's order: flags, count,
/// the timeout's clock, the timeout, then each element.
public struct FutexWaitList: Equatable, Sendable {
    public struct Element: Equatable, Sendable {
        public var address: UInt64
        public var expected: UInt32
        public var isPrivate: Bool

        public init(address: UInt64, expected: UInt32, isPrivate: Bool) {
            self.address = address
            self.expected = expected
            self.isPrivate = isPrivate
        }
    }

    public var elements: [Element]
    /// Absolute, on the clock the call names.
    public var timeout: Timeout?

    public init(elements: [Element], timeout: Timeout? = nil) {
        self.elements = elements
        self.timeout = timeout
    }

    /// futex_waitv(waiters, nr_futexes, flags, timeout, clockid).
    public init(waiters: UInt64, count: UInt64, flags: UInt64, timeout: UInt64, clock: UInt64,
                memory: some UserMemoryReader) throws(Errno) {
        typealias V = FutexWaitVector
        let count = UInt64(UInt32(truncatingIfNeeded: count)), clock = UInt64(UInt32(truncatingIfNeeded: clock))
        guard UInt32(truncatingIfNeeded: flags) == 0 else { throw .inval }
        guard count > 0, count <= V.maximumCount, waiters != 0 else { throw .inval }
        if timeout != 0 {
            guard clock == ProcessClock.realtimeID || clock == ProcessClock.monotonicID else { throw .inval }
            let time = try Timespec.read(timeout, memory: memory)
            guard time.isValid else { throw .inval }
            self.timeout = .at(nanoseconds: time.totalNanoseconds, clock: clock)
        } else {
            self.timeout = nil
        }
        elements = []
        for index in 0..<count {
            guard waiters <= UInt64.max - (index + 1) * V.bytes,
                  let bytes = memory.read(waiters + index * V.bytes, count: Int(V.bytes)) else { throw .fault }
            let elementFlags = UInt32(bytes.field(at: V.flagsOffset, size: 4))
            guard elementFlags & ~(V.size32 | FutexOperation.privateFlag) == 0, elementFlags & V.size32 != 0,
                  bytes.field(at: V.reservedOffset, size: 4) == 0 else { throw .inval }
            // Linux 6.7 on refuses a value wider than the word; older ones cut it.
            let value = bytes.word(at: V.valueOffset)
            guard value <= UInt64(UInt32.max) else { throw .inval }
            elements.append(Element(address: bytes.word(at: V.addressOffset), expected: UInt32(value),
                                    isPrivate: elementFlags & FutexOperation.privateFlag != 0))
        }
    }
}

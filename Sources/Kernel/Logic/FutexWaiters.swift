import CMcosABI

/// What makes a futex wait and a wake meet (get_futex_key).
public enum FutexKey: Equatable, Sendable {
    /// A private futex (FUTEX_PRIVATE_FLAG): the word's address in one address space.
    case inProcess(addressSpace: UInt64, address: UInt64)
    /// A shared one: the word's physical address, the same wherever and by whomever it
    /// is mapped. The LWK never moves a page and copies a forked process's memory, so
    /// this is Linux's key for shared memory, and for private memory it names the same
    /// word as Linux's (address space, address).
    case shared(physical: UInt64)

    /// EINVAL for a word that is not 4-byte aligned; EFAULT beyond Linux's user space or,
    /// shared, where nothing is mapped. A private key needs no mapping, as on Linux (a
    /// requeue to an address beyond the LWK's own user range succeeds there too): a wake
    /// there finds nobody.
    public static func of(_ address: UInt64, isPrivate: Bool, addressSpace: UInt64, memory: some UserWords) throws(Errno) -> FutexKey {
        guard address % 4 == 0 else { throw .inval }
        guard address <= MemoryArguments.linuxUserEnd - 4 else { throw .fault }
        if isPrivate { return .inProcess(addressSpace: addressSpace, address: address) }
        guard let physical = memory.physical(address) else { throw .fault }
        return .shared(physical: physical)
    }
}

/// The threads sleeping in futex calls, in the order they came: a wake takes the
/// oldest waiters of its key first (Linux's order for threads of one priority, the only
/// kind the LWK has). One table serves the whole LWK, private keys carrying their address
/// space; the caller holds its lock across a call, so a waiter's check of its word and
/// its queueing are one step for every waker.
public struct FutexWaiters: Equatable, Sendable {
    public struct Waiter: Equatable, Sendable {
        public var tid: UInt32
        public var key: FutexKey
        public var bitset: UInt32
        /// Its element in a futex_waitv call; 0 for futex.
        public var index: Int
    }

    /// A thread to wake, and what its call returns: futex 0, futex_waitv the index of
    /// the element that woke it.
    public struct Woken: Equatable, Sendable {
        public var tid: UInt32
        public var index: Int

        public init(tid: UInt32, index: Int) {
            self.tid = tid
            self.index = index
        }
    }

    /// What a call does to its thread.
    public enum Outcome: Equatable, Sendable {
        /// The call returns `result` at once (a count, 0, or -errno), after the caller has
        /// woken `woken`.
        case done(Int64, woken: [Woken])
        /// The thread sleeps until woken (its call then returns the Woken's index), its
        /// timeout passes (withdraw, ETIMEDOUT) or a signal comes (withdraw, then
        /// SyscallRestart decides).
        case sleep(Timeout?)
    }

    public private(set) var waiters: [Waiter] = []

    public init() {}

    /// Room for `count` waiters, taken once (the LWK: one per CPU), so that the table
    /// never grows on the kernel heap while programs run.
    public mutating func reserve(_ count: Int) { waiters.reserveCapacity(count) }

    public func isWaiting(_ tid: UInt32) -> Bool { waiters.contains { $0.tid == tid } }

    /// futex(2) for thread `tid` of the address space `addressSpace`.
    public mutating func perform(_ call: FutexCall, tid: UInt32, addressSpace: UInt64, memory: some UserWords) -> Outcome {
        do throws(Errno) {
            let key = try FutexKey.of(call.address, isPrivate: call.isPrivate, addressSpace: addressSpace, memory: memory)
            switch call.command {
            case .wait(let expected, let bitset, let timeout):
                try wait(tid, key: key, address: call.address, expected: expected, bitset: bitset, index: 0, memory: memory)
                return .sleep(timeout)
            case .wake(let count, let bitset):
                let woken = wake(key, count: count, bitset: bitset)
                return .done(Int64(woken.count), woken: woken)
            case .requeue(let target, let wake, let requeue, let expected):
                let to = try FutexKey.of(target, isPrivate: call.isPrivate, addressSpace: addressSpace, memory: memory)
                if let expected {
                    guard let value = memory.load32(call.address) else { throw .fault }
                    guard value == expected else { throw .again }
                }
                let moved = self.requeue(from: key, to: to, wake: wake, requeue: requeue)
                return .done(Int64(moved.woken.count + moved.requeued), woken: moved.woken)
            case .wakeOp(let target, let wake, let wakeTarget, let operation):
                let to = try FutexKey.of(target, isPrivate: call.isPrivate, addressSpace: addressSpace, memory: memory)
                guard operation.apply(to: 0) != nil else { throw .noSys }
                guard let old = memory.update32(target, { operation.apply(to: $0) ?? $0 }) else { throw .fault }
                // An unknown comparison is found after the word was changed, as on Linux.
                guard let holds = operation.holds(for: old) else { throw .noSys }
                var woken = self.wake(key, count: wake, bitset: FutexOperation.matchAnyBitset)
                if holds { woken += self.wake(to, count: wakeTarget, bitset: FutexOperation.matchAnyBitset) }
                return .done(Int64(woken.count), woken: woken)
            }
        } catch {
            return .done(-error, woken: [])
        }
    }

    /// futex_waitv(2): every word must still hold its value (else EAGAIN, nothing
    /// queued); the thread then waits on all of them.
    public mutating func perform(_ list: FutexWaitList, tid: UInt32, addressSpace: UInt64, memory: some UserWords) -> Outcome {
        do throws(Errno) {
            var keys: [FutexKey] = []
            for element in list.elements {
                keys.append(try FutexKey.of(element.address, isPrivate: element.isPrivate, addressSpace: addressSpace, memory: memory))
            }
            for (index, element) in list.elements.enumerated() {
                do throws(Errno) {
                    try wait(tid, key: keys[index], address: element.address, expected: element.expected,
                             bitset: FutexOperation.matchAnyBitset, index: index, memory: memory, keepingEarlier: index > 0)
                } catch {
                    withdraw(tid)
                    throw error
                }
            }
            return .sleep(list.timeout)
        } catch {
            return .done(-error, woken: [])
        }
    }

    /// futex_wait's queueing: the word at `address` must hold `expected` (EFAULT when
    /// unreadable, EAGAIN when it changed) and the thread joins the waiters of `key`.
    /// A thread waits for one thing: anything it still waited for is withdrawn, unless
    /// it is adding the next element of a futex_waitv.
    public mutating func wait(_ tid: UInt32, key: FutexKey, address: UInt64, expected: UInt32, bitset: UInt32, index: Int,
                              memory: some UserWords, keepingEarlier: Bool = false) throws(Errno) {
        guard let value = memory.load32(address) else { throw .fault }
        guard value == expected else { throw .again }
        if !keepingEarlier { withdraw(tid) }
        waiters.append(Waiter(tid: tid, key: key, bitset: bitset, index: index))
    }

    /// futex_wake: the oldest waiters of `key` whose bitset meets `bitset`, up to `count`
    /// of them; a count of 0 or less wakes one, as Linux's loop does.
    public mutating func wake(_ key: FutexKey, count: Int32, bitset: UInt32) -> [Woken] {
        var woken: [Woken] = []
        for waiter in waiters where waiter.key == key && waiter.bitset & bitset != 0 {
            if woken.contains(where: { $0.tid == waiter.tid }) { continue }
            woken.append(Woken(tid: waiter.tid, index: waiter.index))
            if woken.count >= Int(count) { break }
        }
        remove(woken)
        return woken
    }

    /// futex_requeue: the oldest `wake` waiters of `from` are woken, the next `requeue`
    /// ones now wait on `to` (behind its own waiters; in place when `to` is `from`). The
    /// call returns both counts together.
    public mutating func requeue(from: FutexKey, to: FutexKey, wake: Int32, requeue: Int32) -> (woken: [Woken], requeued: Int) {
        var woken: [Woken] = []
        var moved: [Int] = []
        for (index, waiter) in waiters.enumerated() where waiter.key == from {
            if woken.count + moved.count - Int(wake) >= Int(requeue) { break }
            if woken.count < Int(wake) {
                woken.append(Woken(tid: waiter.tid, index: waiter.index))
            } else {
                moved.append(index)
            }
        }
        if from != to {
            let requeued = moved.map { Waiter(tid: waiters[$0].tid, key: to, bitset: waiters[$0].bitset, index: waiters[$0].index) }
            for index in moved.reversed() { waiters.remove(at: index) }
            waiters += requeued
        }
        remove(woken)
        return (woken, moved.count)
    }

    /// The thread stops waiting (its timeout passed, a signal came, it exits); false if
    /// a wake took it first, and then the wake's result stands.
    @discardableResult
    public mutating func withdraw(_ tid: UInt32) -> Bool {
        let before = waiters.count
        waiters.removeAll { $0.tid == tid }
        return waiters.count != before
    }

    mutating func remove(_ woken: [Woken]) {
        guard !woken.isEmpty else { return }
        waiters.removeAll { waiter in woken.contains { $0.tid == waiter.tid } }
    }
}

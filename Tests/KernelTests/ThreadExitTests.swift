import Testing
@testable import Kernel

/// A thread's exit: its robust list walked as exit_robust_list does, then clear_child_tid.
@Suite struct ThreadExitTests {
    typealias R = RobustList
    static let tid: UInt32 = 4242
    static let head: UInt64 = 0x40_0000
    /// glibc's layout: the list entry sits 32 bytes into pthread_mutex_t, the lock word at 0.
    static let offset: Int64 = -32

    /// A head whose list holds locks at `locks` (their futex words), and `pending`.
    static func memory(locks: [UInt64], pending: UInt64 = 0, piBits: Set<UInt64> = []) -> WordMemory {
        let memory = WordMemory()
        memory.map(head, pages: 2)
        func entry(_ lock: UInt64) -> UInt64 { lock &+ UInt64(bitPattern: -offset) }
        func pointer(_ lock: UInt64) -> UInt64 { entry(lock) | (piBits.contains(lock) ? R.piBit : 0) }
        memory.set64(head + R.futexOffsetOffset, UInt64(bitPattern: offset))
        memory.set64(head + R.pendingOffset, pending == 0 ? 0 : pointer(pending))
        memory.set64(head + R.nextOffset, locks.first.map(pointer) ?? head)
        for (index, lock) in locks.enumerated() {
            memory.set64(entry(lock), index + 1 < locks.count ? pointer(locks[index + 1]) : head)
        }
        return memory
    }

    @Test func heldLocksAreMarkedAndTheirWaitersWoken() {
        let locks: [UInt64] = [Self.head + 0x100, Self.head + 0x200, Self.head + 0x300]
        let memory = Self.memory(locks: locks)
        memory.set32(locks[0], Self.tid | FutexWord.waiters)
        memory.set32(locks[1], Self.tid)  // held, nobody waits
        memory.set32(locks[2], 77 | FutexWord.waiters)  // another thread's: left alone
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory) == [locks[0]])
        #expect(memory.get32(locks[0]) == FutexWord.waiters | FutexWord.ownerDied)
        #expect(memory.get32(locks[1]) == FutexWord.ownerDied)
        #expect(memory.get32(locks[2]) == 77 | FutexWord.waiters)
    }

    @Test func thePendingEntry() {
        let lock = Self.head + 0x100, pending = Self.head + 0x200
        // Taken but not yet on the list: handled after the walk.
        var memory = Self.memory(locks: [lock], pending: pending)
        memory.set32(lock, Self.tid)
        memory.set32(pending, Self.tid | FutexWord.waiters)
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory) == [pending])
        // Already on the list too: once only.
        memory = Self.memory(locks: [pending], pending: pending)
        memory.set32(pending, Self.tid | FutexWord.waiters)
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory) == [pending])
        #expect(memory.updates.count == 1)
        // Released but its waiter not woken yet: woken, the word untouched.
        memory = Self.memory(locks: [], pending: pending)
        memory.set32(pending, FutexWord.waiters)
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory) == [pending])
        #expect(memory.get32(pending) == FutexWord.waiters && memory.updates.isEmpty)
    }

    @Test func piLocksAreMarkedButNotWoken() {
        let lock = Self.head + 0x100
        let memory = Self.memory(locks: [lock], piBits: [lock])
        memory.set32(lock, Self.tid | FutexWord.waiters)
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory).isEmpty)
        #expect(memory.get32(lock) == FutexWord.waiters | FutexWord.ownerDied)
    }

    @Test func badListsStopQuietly() {
        #expect(ThreadExit.releaseRobustList(head: 0, tid: Self.tid, memory: WordMemory()).isEmpty)
        #expect(ThreadExit.releaseRobustList(head: 0x90_0000, tid: Self.tid, memory: WordMemory()).isEmpty, "unreadable head")
        // A misaligned lock word ends the walk before the next one.
        let locks: [UInt64] = [Self.head + 0x102, Self.head + 0x200]
        var memory = Self.memory(locks: locks)
        memory.set32(locks[1], Self.tid | FutexWord.waiters)
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory).isEmpty)
        // A read-only lock we own cannot be marked: the walk stops there.
        memory = Self.memory(locks: [Self.head + 0x100, Self.head + 0x1100])
        memory.set32(Self.head + 0x100, Self.tid | FutexWord.waiters)
        memory.set32(Self.head + 0x1100, Self.tid | FutexWord.waiters)
        memory.pages[Self.head]?.writable = false
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory).isEmpty)
        // A circular list is walked ROBUST_LIST_LIMIT times, not for ever.
        let lock = Self.head + 0x100
        memory = Self.memory(locks: [lock])
        memory.set64(lock + 32, lock + 32)  // its next is itself
        memory.set32(lock, Self.tid | FutexWord.waiters)
        #expect(ThreadExit.releaseRobustList(head: Self.head, tid: Self.tid, memory: memory) == [lock])
        #expect(memory.updates.count == 1, "marked once; the other visits find it dead already")
    }

    @Test func clearChildTID() {
        let memory = WordMemory()
        memory.map(0x40_0000)
        memory.set32(0x40_0010, Self.tid)
        #expect(ThreadExit.futexWakes(tid: Self.tid, robustList: 0, clearChildTID: 0x40_0010, sharedAddressSpace: true, memory: memory)
            == [0x40_0010])
        #expect(memory.get32(0x40_0010) == 0)
        memory.set32(0x40_0010, Self.tid)
        #expect(ThreadExit.futexWakes(tid: Self.tid, robustList: 0, clearChildTID: 0x40_0010, sharedAddressSpace: false, memory: memory)
            .isEmpty, "the last thread: nobody can look")
        #expect(memory.get32(0x40_0010) == Self.tid)
        #expect(ThreadExit.futexWakes(tid: Self.tid, robustList: 0, clearChildTID: 0, sharedAddressSpace: true, memory: memory).isEmpty)
        // Robust locks first, then the tid word; a tid word that cannot be written is woken all the same.
        let robust = Self.memory(locks: [Self.head + 0x100])
        robust.set32(Self.head + 0x100, Self.tid | FutexWord.waiters)
        #expect(ThreadExit.futexWakes(tid: Self.tid, robustList: Self.head, clearChildTID: 0x70_0000, sharedAddressSpace: true,
                                      memory: robust) == [Self.head + 0x100, 0x70_0000])
    }
}

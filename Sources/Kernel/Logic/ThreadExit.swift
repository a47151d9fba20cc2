/// The futex work of a thread's exit, as Linux's mm_release does it: first the robust
/// list (locks the thread still holds are marked FUTEX_OWNER_DIED and one waiter of each
/// is woken, so pthread_mutex_lock returns EOWNERDEAD to it), then clear_child_tid (zeroed
/// and woken, which is how pthread_join learns that the thread is gone). Both wake with
/// a shared key, as Linux does: glibc waits on robust mutexes and on a thread's tid
/// without FUTEX_PRIVATE_FLAG for that reason.
public enum ThreadExit {
    /// The words to wake (FUTEX_WAKE of 1, shared key), in order, for thread `tid` with
    /// robust list `robustList` (set_robust_list's head, 0 for none) and clear_child_tid
    /// `clearChildTID` (0 for none). `sharedAddressSpace`: other threads or processes
    /// still use the address space; when the last user leaves, nobody could look at the
    /// word, and Linux leaves it alone.
    public static func futexWakes(tid: UInt32, robustList: UInt64, clearChildTID: UInt64, sharedAddressSpace: Bool,
                                  memory: some UserWords) -> [UInt64] {
        var wakes = releaseRobustList(head: robustList, tid: tid, memory: memory)
        if clearChildTID != 0, sharedAddressSpace {
            _ = memory.store32(clearChildTID, 0)  // a bad pointer is the program's loss, as on Linux
            wakes.append(clearChildTID)
        }
        return wakes
    }

    /// exit_robust_list: walks the list at `head` (at most ROBUST_LIST_LIMIT entries,
    /// stopping quietly at the first unreadable pointer or misaligned word), then the
    /// entry the thread was adding or removing (list_op_pending). Returns the futex words
    /// to wake.
    public static func releaseRobustList(head: UInt64, tid: UInt32, memory: some UserWords) -> [UInt64] {
        typealias R = RobustList
        var wakes: [UInt64] = []
        guard head != 0, let first = memory.load64(head &+ R.nextOffset),
              let offset = memory.load64(head &+ R.futexOffsetOffset),
              let pendingWord = memory.load64(head &+ R.pendingOffset) else { return wakes }
        let pending = pendingWord & ~R.piBit
        var entry = first & ~R.piBit, isPI = first & R.piBit != 0
        var left = R.limit
        while entry != head {
            let next = memory.load64(entry &+ R.nextOffset)
            if entry != pending {
                guard let wake = ownerDied(entry &+ offset, tid: tid, isPI: isPI, pending: false, memory: memory) else { return wakes }
                if wake { wakes.append(entry &+ offset) }
            }
            guard let next else { return wakes }
            entry = next & ~R.piBit
            isPI = next & R.piBit != 0
            left -= 1
            if left == 0 { break }
        }
        if pending != 0,
           ownerDied(pending &+ offset, tid: tid, isPI: pendingWord & R.piBit != 0, pending: true, memory: memory) == true {
            wakes.append(pending &+ offset)
        }
        return wakes
    }

    /// handle_futex_death for the word at `address`: whether to wake a waiter of it, nil
    /// to stop the walk (misaligned, unreadable or unwritable). A lock `tid` owns gets
    /// FUTEX_OWNER_DIED, keeping FUTEX_WAITERS, and a waiter is woken if there were any
    /// (a PI lock's waiters are the PI code's, which the LWK does not have). A pending
    /// plain lock that has no owner any more is woken all the same: the thread may have
    /// died between releasing it and waking its waiter.
    static func ownerDied(_ address: UInt64, tid: UInt32, isPI: Bool, pending: Bool, memory: some UserWords) -> Bool? {
        guard address % 4 == 0, var value = memory.load32(address) else { return nil }
        // The word changes under us only while other threads run: a bound keeps a
        // program that rewrites it without end from holding this CPU.
        for _ in 0..<64 {
            let owner = value & FutexWord.tidMask
            if pending, !isPI, owner == 0 { return true }
            if owner != tid { return false }
            let died = value & FutexWord.waiters | FutexWord.ownerDied
            let seen = value
            guard let old = memory.update32(address, { $0 == seen ? died : $0 }) else { return nil }
            if old == seen { return !isPI && old & FutexWord.waiters != 0 }
            value = old
        }
        return false
    }
}

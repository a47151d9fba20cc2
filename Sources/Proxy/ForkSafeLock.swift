import Glibc

/// A value under a lock that a fork of mcexec leaves usable: glibc's mutex. Swift's
/// `Mutex` keeps its owner's thread id in its word, and each thread's id in a cache of
/// its own, which a fork leaves naming the parent's thread in the child. Uncontended,
/// a forked mcexec never notices; the first time one of its threads waits for a lock
/// that its first thread holds, the kernel sees an owner of another process, and the
/// unlock traps ("Call to unlock Mutex on a thread which hasn't acquired the lock"), as
/// stress-ng's fstat stressor showed: a threaded program in a forked process.
final class ForkSafeLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

import Glibc
import Kernel

/// The program's calls that proxy threads perform on Linux at this moment, by the tid
/// of the proxy thread (the program thread's), each with its own serial: the LWK asks
/// for one (a signal it gave that thread) or all but the asker's (the process ends) to
/// end with EINTR (MCOS_PROXY_INTERRUPT), and only the call in flight when it asked is
/// interrupted, never a later one of that thread's.
///
/// The LWK asks as soon as its thread says it waits for a call, which may be before
/// that thread's proxy thread has taken the request: a thread asked for that has no
/// call in flight is noted, and its next call ends with EINTR before it starts. Should
/// the call the LWK meant have ended meanwhile, that next call is cut short for nothing,
/// which costs no more than a retry: the LWK makes a call again that EINTR ended while
/// no signal came for its thread (Syscalls.swift, offload).
final class CallsInFlight: Sendable {
    private struct State {
        var serial: UInt64 = 0
        var calls: [Int32: UInt64] = [:]
        var interruptedEarly: Set<Int32> = []
    }
    private let state = ForkSafeLock(State())
    /// How long an interrupt waits for the calls to end: a call that ignores signals
    /// (a read of a regular file) ends by itself in that time.
    private static let patienceMicroseconds: UInt32 = 1_000_000
    private static let retryMicroseconds: UInt32 = 1_000

    /// `body`, the call of thread `tid`, as one in flight; `interrupted` instead, without
    /// `body`, when the thread was asked to interrupt a call before this one began.
    func perform<R>(tid: Int32, interrupted: R, _ body: () -> R) -> R {
        let early = state.withLock { state -> Bool in
            if state.interruptedEarly.remove(tid) != nil { return true }
            state.serial &+= 1
            state.calls[tid] = state.serial
            return false
        }
        if early { return interrupted }
        defer { _ = state.withLock { $0.calls.removeValue(forKey: tid) } }
        return body()
    }

    /// Thread `tid` serves no more: an interrupt noted for it is dropped, lest a thread
    /// that gets its tid again lose its first call.
    func forget(tid: Int32) {
        _ = state.withLock { $0.interruptedEarly.remove(tid) }
    }

    /// Interrupts the call of thread `tid` (0: of every thread but `asker`) in flight
    /// now, again and again until it has ended: SIGURG may come just before the proxy
    /// thread enters the call, which then waits on. Gives up after a bounded wait.
    func interrupt(tid: Int32, asker: Int32, pid: Int32) {
        let wanted: [Int32: UInt64] = state.withLock { state in
            if tid != 0 && state.calls[tid] == nil { state.interruptedEarly.insert(tid) }
            return state.calls.filter { tid == 0 ? $0.key != asker : $0.key == tid }
        }
        var waited: UInt32 = 0
        while waited < Self.patienceMicroseconds {
            let left = state.withLock { state in wanted.filter { state.calls[$0.key] == $0.value } }
            if left.isEmpty { return }
            for thread in left.keys {
                _ = OffloadedCall.raw(Syscall.tgkill.rawValue, [UInt64(UInt32(bitPattern: pid)), UInt64(UInt32(bitPattern: thread)), UInt64(SIGURG), 0, 0, 0])
            }
            usleep(Self.retryMicroseconds)
            waited += Self.retryMicroseconds
        }
    }
}

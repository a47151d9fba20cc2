import Glibc
import Kernel
import Synchronization

/// The program's calls that proxy threads perform on Linux at this moment, by the tid
/// of the proxy thread (the program thread's), each with its own serial: the LWK asks
/// for one (a signal it gave that thread) or all but the asker's (the process ends) to
/// end with EINTR (MCOS_PROXY_INTERRUPT), and only the call in flight when it asked is
/// interrupted, never the next one that thread makes.
final class CallsInFlight: Sendable {
    private struct State {
        var serial: UInt64 = 0
        var calls: [Int32: UInt64] = [:]
    }
    private let state = Mutex(State())
    /// How long an interrupt waits for the calls to end: a call that ignores signals
    /// (a read of a regular file) ends by itself in that time.
    private static let patienceMicroseconds: UInt32 = 1_000_000
    private static let retryMicroseconds: UInt32 = 1_000

    /// `body`, the call of thread `tid`, as one in flight.
    func perform<R>(tid: Int32, _ body: () -> R) -> R {
        state.withLock {
            $0.serial &+= 1
            $0.calls[tid] = $0.serial
        }
        defer { _ = state.withLock { $0.calls.removeValue(forKey: tid) } }
        return body()
    }

    /// Interrupts the call of thread `tid` (0: of every thread but `asker`) in flight
    /// now, again and again until it has ended: SIGURG may come just before the proxy
    /// thread enters the call, which then waits on. Gives up after a bounded wait.
    func interrupt(tid: Int32, asker: Int32, pid: Int32) {
        let wanted: [Int32: UInt64] = state.withLock { state in
            state.calls.filter { tid == 0 ? $0.key != asker : $0.key == tid }
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

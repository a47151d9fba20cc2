import CMcexec
import Foundation
import Glibc
import Kernel
import Synchronization
import Testing
@testable import mcexec

/// MCOS_PROXY_INTERRUPT as mcexec carries it out: the call a proxy thread waits in on
/// Linux ends with EINTR; asked before the thread began its call, that call ends so
/// before it starts; a call made later is not touched.
@Suite(.serialized) struct CallsInFlightTests {
    /// A thread that reads a pipe nobody writes, as the call of tid it reports; the
    /// read's result and errno once it returns.
    final class Reader: @unchecked Sendable {
        let calls: CallsInFlight
        let pipe: (read: Int32, write: Int32)
        let tid = Mutex<Int32>(0)
        let outcome = Mutex<(Int, Int32)?>(nil)

        init(_ calls: CallsInFlight) {
            self.calls = calls
            var fds: [Int32] = [-1, -1]
            Glibc.pipe(&fds)
            pipe = (fds[0], fds[1])
        }

        deinit {
            close(pipe.read)
            close(pipe.write)
        }

        func start() {
            Thread.detachNewThread {
                var urgent = sigset_t()
                sigemptyset(&urgent)
                sigaddset(&urgent, SIGURG)
                pthread_sigmask(SIG_UNBLOCK, &urgent, nil)
                let me = Int32(truncatingIfNeeded: OffloadedCall.raw(Syscall.gettid.rawValue, [0, 0, 0, 0, 0, 0]))
                var byte: UInt8 = 0
                let result = self.calls.perform(tid: me, interrupted: (-1, EINTR)) { () -> (Int, Int32) in
                    self.tid.withLock { $0 = me }
                    let got = read(self.pipe.read, &byte, 1)
                    return (got, errno)
                }
                self.outcome.withLock { $0 = result }
            }
        }

        /// The reader's tid once it is in its call, after a moment for it to block.
        func waitUntilReading() -> Int32 {
            var me: Int32 = 0
            while me == 0 {
                usleep(1000)
                me = tid.withLock { $0 }
            }
            usleep(20_000)
            return me
        }

        func waitForOutcome(seconds: Int = 5) -> (Int, Int32)? {
            for _ in 0..<(seconds * 1000) {
                if let outcome = outcome.withLock({ $0 }) { return outcome }
                usleep(1000)
            }
            return nil
        }
    }

    @Test func interruptEndsTheCallInFlightWithEINTR() throws {
        #expect(mcexec_catch_interrupts() == 0)
        let calls = CallsInFlight()
        let reader = Reader(calls)
        reader.start()
        let tid = reader.waitUntilReading()
        calls.interrupt(tid: tid, asker: 0, pid: getpid())
        let outcome = try #require(reader.waitForOutcome())
        #expect(outcome.0 == -1 && outcome.1 == EINTR)
    }

    @Test func interruptOfEveryCallSparesTheAsker() throws {
        #expect(mcexec_catch_interrupts() == 0)
        let calls = CallsInFlight()
        let reader = Reader(calls), asker = Reader(calls)
        reader.start()
        asker.start()
        _ = reader.waitUntilReading()
        let askerTID = asker.waitUntilReading()
        calls.interrupt(tid: 0, asker: askerTID, pid: getpid())
        let outcome = try #require(reader.waitForOutcome())
        #expect(outcome.0 == -1 && outcome.1 == EINTR)
        #expect(asker.outcome.withLock { $0 } == nil, "the asker's own call goes on")
        var byte: UInt8 = 1
        #expect(write(asker.pipe.write, &byte, 1) == 1)
        #expect(asker.waitForOutcome()?.0 == 1)
    }

    @Test func interruptAskedBeforeTheCallEndsItBeforeItStarts() {
        let calls = CallsInFlight()
        let tid: Int32 = 4242
        calls.interrupt(tid: tid, asker: 1, pid: getpid())  // nothing in flight: noted, no wait
        var ran = 0
        #expect(calls.perform(tid: tid, interrupted: -4) { ran += 1; return 7 } == -4)
        #expect(ran == 0, "the call did not start")
        #expect(calls.perform(tid: tid, interrupted: -4) { ran += 1; return 7 } == 7, "only the one call")
        #expect(ran == 1)
        #expect(calls.perform(tid: tid + 1, interrupted: -4) { 8 } == 8, "another thread's call is not touched")
    }

    @Test func interruptOfEveryCallNotesNoThread() {
        let calls = CallsInFlight()
        calls.interrupt(tid: 0, asker: 1, pid: getpid())
        #expect(calls.perform(tid: 4242, interrupted: -4) { 7 } == 7)
    }

    @Test func aThreadThatServesNoMoreLosesItsNotedInterrupt() {
        let calls = CallsInFlight()
        calls.interrupt(tid: 4242, asker: 1, pid: getpid())
        calls.forget(tid: 4242)
        #expect(calls.perform(tid: 4242, interrupted: -4) { 7 } == 7)
    }
}

import Testing
@testable import Kernel

/// complete_signal's choice of a thread for a process-directed signal.
@Suite struct SignalRecipientTests {
    typealias R = SignalRecipient
    static let handler = SignalDisposition(handler: 0x40_1000, flags: SignalActionFlag.restorer)
    static let usr1 = Signal.bit(Signal.usr1)

    static func threads(blocking: [Bool]) -> [R.Thread] { blocking.map { R.Thread(blocked: $0 ? usr1 : 0) } }

    @Test func theSuggestedThreadFirst() {
        let choice = R.choose(Signal.usr1, threads: Self.threads(blocking: [false, false, false]), suggested: 0, rotation: 2, action: Self.handler)
        #expect(choice == .wake(thread: 0, rotation: 2), "the rotation only moves when the search is used")
    }

    @Test func elseOneThatDoesNotBlockIt() {
        let threads = Self.threads(blocking: [true, true, false, true])
        #expect(R.choose(Signal.usr1, threads: threads, suggested: 0, rotation: 0, action: Self.handler) == .wake(thread: 2, rotation: 2))
        #expect(R.choose(Signal.usr1, threads: threads, suggested: 0, rotation: 3, action: Self.handler) == .wake(thread: 2, rotation: 2))
        #expect(R.choose(Signal.usr1, threads: Self.threads(blocking: [true, true]), suggested: 0, rotation: 0, action: Self.handler) == .none)
        #expect(R.choose(Signal.usr1, threads: Self.threads(blocking: [true]), suggested: 0, rotation: 0, action: Self.handler) == .none)
        #expect(R.choose(Signal.usr1, threads: [], suggested: 0, rotation: 0, action: Self.handler) == .none)
    }

    @Test func signalsSpreadFromTheRotation() {
        let threads = Self.threads(blocking: [true, false, false, false])
        #expect(R.choose(Signal.usr1, threads: threads, suggested: 0, rotation: 2, action: Self.handler) == .wake(thread: 2, rotation: 2))
        var busy = threads
        busy[2].hasPendingSignal = true  // it will look anyway: the next one is woken
        #expect(R.choose(Signal.usr1, threads: busy, suggested: 0, rotation: 2, action: Self.handler) == .wake(thread: 3, rotation: 3))
        busy[2].running = true  // running, it notices at its next return to user mode
        #expect(R.choose(Signal.usr1, threads: busy, suggested: 0, rotation: 2, action: Self.handler) == .wake(thread: 2, rotation: 2))
    }

    @Test func exitingAndStoppedThreadsAreSkipped() {
        var threads = Self.threads(blocking: [false, false, false])
        threads[0].exiting = true
        threads[1].stopped = true
        #expect(R.choose(Signal.usr1, threads: threads, suggested: 0, rotation: 0, action: Self.handler) == .wake(thread: 2, rotation: 2))
        #expect(R.choose(Signal.kill, threads: threads, suggested: 1, rotation: 0, action: .default) == .endProcess)
    }

    @Test func aFatalDefaultEndsTheProcess() {
        let threads = Self.threads(blocking: [true, false])
        #expect(R.choose(Signal.usr1, threads: threads, suggested: 0, rotation: 0, action: .default) == .endProcess)
        #expect(R.choose(Signal.chld, threads: threads, suggested: 0, rotation: 0, action: .default) == .wake(thread: 0, rotation: 0))
        #expect(R.choose(Signal.tstp, threads: threads, suggested: 0, rotation: 0, action: .default) == .wake(thread: 0, rotation: 0))
        // A thread in sigtimedwait for it takes it instead of dying.
        var waiting = threads
        waiting[1].blockedBeforeWait = Self.usr1
        #expect(R.choose(Signal.usr1, threads: waiting, suggested: 0, rotation: 0, action: .default) == .wake(thread: 1, rotation: 1))
        #expect(R.choose(Signal.usr1, threads: Self.threads(blocking: [true, true]), suggested: 0, rotation: 0, action: .default) == .none,
                "blocked everywhere: it waits")
    }
}

/// Which thread of a process takes a process-directed signal (kill(2) of the process,
/// `kill <mcexec pid>` from Linux), as Linux's complete_signal picks it. The signal
/// waits in the process's shared pending set either way; the chosen thread is the one
/// to wake (or interrupt) so that it takes the signal off soon.
public enum SignalRecipient {
    /// What the choice needs to know of one thread.
    public struct Thread: Equatable, Sendable {
        public var blocked: UInt64
        /// The mask before sigtimedwait unblocked the signals it waits for (real_blocked); 0
        /// when the thread is not in sigtimedwait.
        public var blockedBeforeWait: UInt64 = 0
        /// It is exiting: it takes no more signals.
        public var exiting = false
        /// Stopped by job control: only SIGKILL reaches it.
        public var stopped = false
        /// It runs on its CPU right now.
        public var running = false
        /// A signal is already pending for it, so it will look at its signals anyway.
        public var hasPendingSignal = false

        public init(blocked: UInt64) { self.blocked = blocked }

        /// wants_signal: whether waking it for `signal` helps.
        public func wants(_ signal: UInt32) -> Bool {
            if blocked & Signal.bit(signal) != 0 || exiting { return false }
            if signal == Signal.kill { return true }
            if stopped { return false }
            return running || !hasPendingSignal
        }
    }

    public enum Choice: Equatable, Sendable {
        /// Wake this thread (an index into the threads given); `rotation` is where the
        /// next search starts (signal->curr_target).
        case wake(thread: Int, rotation: Int)
        /// The signal ends the whole process now: it is fatal by default and taken by a
        /// thread that does not wait for it in sigtimedwait.
        case endProcess
        /// No thread needs waking: every one blocks it, or will see it soon anyway.
        case none
    }

    /// The thread for `signal`: `suggested` first (the thread the pid names, the main
    /// thread for a whole-process kill), else the next one from `rotation` on that wants
    /// it, so that signals spread over threads as on Linux. `action` is the signal's
    /// disposition (a fatal default ends the process at once).
    public static func choose(_ signal: UInt32, threads: [Thread], suggested: Int, rotation: Int, action: SignalDisposition) -> Choice {
        guard !threads.isEmpty, suggested >= 0, suggested < threads.count else { return .none }
        var chosen = suggested
        var nextRotation = rotation
        if !threads[suggested].wants(signal) {
            guard threads.count > 1 else { return .none }
            var candidate = rotation >= 0 && rotation < threads.count ? rotation : 0
            let start = candidate
            while !threads[candidate].wants(signal) {
                candidate = (candidate + 1) % threads.count
                if candidate == start { return .none }
            }
            chosen = candidate
            nextRotation = candidate
        }
        if isFatal(signal, action: action), threads[chosen].blockedBeforeWait & Signal.bit(signal) == 0 { return .endProcess }
        return .wake(thread: chosen, rotation: nextRotation)
    }

    /// sig_fatal: SIG_DFL and the default ends the process (neither ignored nor a stop).
    static func isFatal(_ signal: UInt32, action: SignalDisposition) -> Bool {
        if case .end = action.delivery(of: signal) { return true }
        return false
    }
}

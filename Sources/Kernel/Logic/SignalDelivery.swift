/// What a signal sent to a program on the LWK does, decided as Linux decides it from
/// the program's dispositions and mask, with two differences: a handler does not run
/// (the signal has its default action, and the LWK says so in its log), and a stop
/// signal is ignored (no job control: the program keeps its CPU).
public enum SignalDelivery {
    public enum Outcome: Equatable, Sendable {
        /// The program ends, killed by the signal.
        case end
        /// Nothing happens (SIG_IGN, or ignored by default).
        case ignore
        /// Blocked: kept pending until the mask lets it through.
        case hold
    }

    /// SIG_DFL and SIG_IGN as rt_sigaction's handler word.
    public static let defaultHandler = SignalDisposition.defaultHandler, ignoreHandler = SignalDisposition.ignoreHandler

    /// SIGKILL, and any signal once the proxy is gone (nobody would serve the program),
    /// always end it; otherwise blocked signals wait, and the disposition decides.
    public static func outcome(signal: UInt32, handler: UInt64, blocked: UInt64, proxyGone: Bool = false) -> Outcome {
        if signal == Signal.kill || proxyGone { return .end }
        if signal == Signal.stop { return .ignore }  // cannot be blocked, caught or ignored: it stops
        if blocked & Signal.bit(signal) != 0 { return .hold }
        if handler == ignoreHandler { return .ignore }
        switch Signal.defaultAction(signal) {
        case .terminate, .coreDump: return .end
        case .ignore, .continue, .stop: return .ignore  // no job control: a stop is ignored too
        }
    }

    /// The lowest pending signal the mask lets through, as Linux delivers them.
    public static func deliverable(pending: UInt64, blocked: UInt64) -> UInt32? {
        let ready = pending & ~blocked
        return ready == 0 ? nil : UInt32(ready.trailingZeroBitCount + 1)
    }
}

/// What a signal sent to a program on the LWK does at the moment it is sent, decided
/// as Linux decides it (prepare_signal, complete_signal) from the program's action and
/// mask.
public enum SignalDelivery {
    public enum Outcome: Equatable, Sendable {
        /// The program ends, killed by the signal (SIGKILL, or a fatal default action
        /// of a signal it does not block: Linux ends the process at once then).
        case end
        /// Nothing happens (SIG_IGN, ignored by default).
        case ignore
        /// Blocked: kept pending until the mask lets it through.
        case hold
        /// Pending, and its handler runs before the program runs again.
        case handle
        /// Pending, and the program stops before it runs again (job control: SIGSTOP,
        /// or a stop signal's default action), until SIGCONT.
        case stop
    }

    /// SIG_DFL and SIG_IGN as rt_sigaction's handler word.
    public static let defaultHandler = SignalDisposition.defaultHandler, ignoreHandler = SignalDisposition.ignoreHandler

    /// SIGKILL, and any signal once the proxy is gone (nobody would serve the program),
    /// always end it; otherwise a signal that would be ignored is dropped even when
    /// blocked (as Linux's sig_ignored, which keeps a blocked one only because its
    /// action may change: the LWK drops it again when sigaction ignores it), blocked
    /// signals wait, and the action decides.
    public static func outcome(signal: UInt32, action: SignalDisposition, blocked: UInt64, proxyGone: Bool = false) -> Outcome {
        if signal == Signal.kill || proxyGone { return .end }
        if signal == Signal.stop { return .stop }  // cannot be blocked, caught or ignored
        if blocked & Signal.bit(signal) != 0 { return .hold }
        switch action.delivery(of: signal) {
        case .handler: return .handle
        case .end: return .end
        case .stop: return .stop
        case .ignore: return .ignore
        }
    }

    /// The same for an action given by its handler word alone (no flags).
    public static func outcome(signal: UInt32, handler: UInt64, blocked: UInt64, proxyGone: Bool = false) -> Outcome {
        outcome(signal: signal, action: SignalDisposition(handler: handler), blocked: blocked, proxyGone: proxyGone)
    }

    /// The lowest pending signal the mask lets through, as Linux delivers them.
    public static func deliverable(pending: UInt64, blocked: UInt64) -> UInt32? {
        let ready = pending & ~blocked
        return ready == 0 ? nil : UInt32(ready.trailingZeroBitCount + 1)
    }
}

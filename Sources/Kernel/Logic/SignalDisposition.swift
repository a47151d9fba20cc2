/// One signal's action, rt_sigaction's struct sigaction as the kernel reads it, and the
/// decisions Linux takes from it when the signal is sent, taken off the pending set,
/// handled, or forced by a fault.
public struct SignalDisposition: Equatable, Sendable {
    /// SIG_DFL, SIG_IGN, or the handler's address.
    public var handler: UInt64
    /// SA_* (SignalActionFlag).
    public var flags: UInt64
    /// sa_restorer: where the handler returns to, the code that calls rt_sigreturn.
    public var restorer: UInt64
    /// sa_mask: blocked while the handler runs, on top of the thread's mask.
    public var mask: UInt64

    public static let defaultHandler: UInt64 = 0, ignoreHandler: UInt64 = 1
    /// Every signal's action in a new process.
    public static let `default` = SignalDisposition(handler: defaultHandler)

    public init(handler: UInt64, flags: UInt64 = 0, restorer: UInt64 = 0, mask: UInt64 = 0) {
        self.handler = handler
        self.flags = flags
        self.restorer = restorer
        self.mask = mask
    }

    /// From the four words of struct sigaction (`SignalAction.words`): handler, flags,
    /// restorer, mask.
    public init(words: [UInt64]) {
        self.init(handler: words[0], flags: words[1], restorer: words[2], mask: words[3])
    }

    public var words: [UInt64] { [handler, flags, restorer, mask] }

    /// What rt_sigaction keeps of a program's struct sigaction: flags the kernel does not
    /// know are cleared (the program reads back what is supported), and SIGKILL and
    /// SIGSTOP never enter the mask.
    public static func requested(words: [UInt64]) -> SignalDisposition {
        var action = SignalDisposition(words: words)
        action.flags &= SignalActionFlag.known
        action.mask &= ~Signal.unblockable
        return action
    }

    /// Whether, as SIGCHLD's action, it has the process's children reaped by the kernel
    /// as they end instead of waiting for a wait call: SIG_IGN or SA_NOCLDWAIT.
    public var reapsChildren: Bool { isIgnored || has(SignalActionFlag.noChildWait) }

    public var isDefault: Bool { handler == Self.defaultHandler }
    public var isIgnored: Bool { handler == Self.ignoreHandler }
    public var hasHandler: Bool { handler > Self.ignoreHandler }
    public func has(_ flag: UInt64) -> Bool { flags & flag != 0 }

    /// Whether `signal` with this action does nothing at all: SIG_IGN, or SIG_DFL of a
    /// signal ignored by default. SIGKILL and SIGSTOP never are.
    public func ignores(_ signal: UInt32) -> Bool {
        if Signal.unblockable & Signal.bit(signal) != 0 { return false }
        if isIgnored { return true }
        return isDefault && [.ignore, .continue].contains(Signal.defaultAction(signal))
    }

    /// sig_ignored: sending `signal` to a thread that blocks `blocked` drops it at once
    /// when it would be ignored; a blocked signal is kept pending, as its action may
    /// change before it is unblocked.
    public func discards(_ signal: UInt32, blocked: UInt64) -> Bool {
        blocked & Signal.bit(signal) == 0 && ignores(signal)
    }

    /// What taking `signal` off the pending set does (get_signal).
    public enum Delivery: Equatable, Sendable {
        case ignore
        /// The whole process stops (job control) until SIGCONT.
        case stop
        /// The whole process ends, killed by the signal.
        case end(coreDump: Bool)
        /// The handler runs: a signal frame, then `handlerMask` and `afterDelivery`.
        case handler
    }

    /// The delivery of `signal`; `orphanedProcessGroup`: the process's group has no
    /// parent in another group of the session, where Linux drops the terminal stop
    /// signals (SIGTSTP, SIGTTIN, SIGTTOU) as nobody would continue the process.
    public func delivery(of signal: UInt32, orphanedProcessGroup: Bool = false) -> Delivery {
        if signal == Signal.kill { return .end(coreDump: false) }
        if signal == Signal.stop { return .stop }
        if hasHandler { return .handler }
        if isIgnored { return .ignore }
        switch Signal.defaultAction(signal) {
        case .ignore, .continue: return .ignore
        case .stop: return orphanedProcessGroup ? .ignore : .stop
        case .terminate: return .end(coreDump: false)
        case .coreDump: return .end(coreDump: true)
        }
    }

    /// The thread's mask while the handler for `signal` runs: its mask at delivery
    /// (`blocked`) plus sa_mask, plus the signal itself unless SA_NODEFER.
    public func handlerMask(for signal: UInt32, blocked: UInt64) -> UInt64 {
        let own = has(SignalActionFlag.noDefer) ? 0 : Signal.bit(signal)
        return (blocked | mask | own) & ~Signal.unblockable
    }

    /// The action once the handler has been chosen: SA_RESETHAND makes it SIG_DFL (the
    /// flags stay, as on Linux); any other stays as it is.
    public var afterDelivery: SignalDisposition {
        guard has(SignalActionFlag.resetHandler) else { return self }
        var reset = self
        reset.handler = Self.defaultHandler
        return reset
    }

    /// A signal the kernel must deliver now, force_sig_info: the signal of a synchronous
    /// fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP from an exception) or the SIGSEGV
    /// of a frame that could not be written. Blocked or ignored, it cannot be: the
    /// action becomes SIG_DFL and the signal is unblocked, so the process ends with it
    /// (Linux keeps that SIG_DFL afterwards). `fatal` (force_fatal_sig) does so even
    /// when a handler is installed.
    public struct Forced: Equatable, Sendable {
        public var action: SignalDisposition
        public var blocked: UInt64
    }

    public static func force(_ signal: UInt32, action: SignalDisposition, blocked: UInt64, fatal: Bool = false) -> Forced {
        let bit = Signal.bit(signal)
        guard fatal || action.isIgnored || blocked & bit != 0 else { return Forced(action: action, blocked: blocked) }
        var reset = action
        reset.handler = defaultHandler
        return Forced(action: reset, blocked: blocked & ~bit)
    }

    /// When the frame for `signal`'s handler cannot be set up (no SA_RESTORER, the
    /// alternate stack overflows, the stack is not writable), force_sigsegv: SIGSEGV is
    /// forced; when `signal` was SIGSEGV itself the process ends with it (a handler that
    /// cannot run would fault again forever).
    public static func frameFailure(_ signal: UInt32, segvAction: SignalDisposition, blocked: UInt64) -> Forced {
        force(Signal.segv, action: segvAction, blocked: blocked, fatal: signal == Signal.segv)
    }

    /// The pending signals that sending `signal` cancels (prepare_signal): a stop
    /// signal cancels a pending SIGCONT; SIGCONT cancels every pending stop signal, and
    /// resumes a stopped process whatever its own action.
    public static func cancelledBySending(_ signal: UInt32) -> UInt64 {
        switch Signal.defaultAction(signal) {
        case .stop: return Signal.bit(Signal.cont)
        case .continue: return Signal.bit(Signal.stop) | Signal.bit(Signal.tstp) | Signal.bit(Signal.ttin) | Signal.bit(Signal.ttou)
        default: return 0
        }
    }
}

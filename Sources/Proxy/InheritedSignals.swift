import CMcexec
import Kernel

extension KeptSignals {
    /// The signal state mcexec was started with: its first program starts with the
    /// same blocked mask and ignored signals, as it would have across the execve that
    /// started it natively (`nohup`, a script's background job ignoring SIGINT, a
    /// launcher's mask). Nothing is pending: a signal pending for mcexec reaches the
    /// program as soon as mcexec passes signals on.
    static func inherited() -> KeptSignals {
        var blocked: UInt64 = 0
        var ignored: UInt64 = 0
        mcexec_inherited_signals(&blocked, &ignored)
        return KeptSignals(blocked: blocked, pending: 0, ignored: ignored)
    }
}

/// Linux's signal numbers (asm/signal.h) that the LWK and mcexec decide on by name. A
/// signal travels as a plain number (1 ... `Signal.count`, real-time ones included).
/// `LinuxHeaderTests` checks each against <signal.h>.
public enum Signal {
    public static let int: UInt32 = 2, ill: UInt32 = 4, trap: UInt32 = 5, bus: UInt32 = 7, fpe: UInt32 = 8
    public static let kill: UInt32 = 9, segv: UInt32 = 11, pipe: UInt32 = 13
    public static let chld: UInt32 = 17, cont: UInt32 = 18, stop: UInt32 = 19, tstp: UInt32 = 20
    public static let ttin: UInt32 = 21, ttou: UInt32 = 22, urg: UInt32 = 23, winch: UInt32 = 28
    /// _NSIG: signals are 1 ... 64.
    public static let count: UInt32 = 64

    /// Whether `number` names a signal.
    public static func isValid(_ number: UInt64) -> Bool { number >= 1 && number <= UInt64(count) }

    /// The bit of `signal` (1 ... 64) in a sigset word.
    public static func bit(_ signal: UInt32) -> UInt64 { 1 << UInt64(signal - 1) }
}

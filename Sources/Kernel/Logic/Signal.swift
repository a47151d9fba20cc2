/// Linux's signal numbers (asm/signal.h) that the LWK and mcexec decide on by name. A
/// signal travels as a plain number (1 ... `Signal.count`, real-time ones included).
/// `LinuxHeaderTests` checks each against <signal.h>.
public enum Signal {
    public static let hup: UInt32 = 1, int: UInt32 = 2, quit: UInt32 = 3, ill: UInt32 = 4, trap: UInt32 = 5
    public static let abrt: UInt32 = 6, bus: UInt32 = 7, fpe: UInt32 = 8, kill: UInt32 = 9, usr1: UInt32 = 10
    public static let segv: UInt32 = 11, usr2: UInt32 = 12, pipe: UInt32 = 13, alrm: UInt32 = 14, term: UInt32 = 15
    public static let stkflt: UInt32 = 16, chld: UInt32 = 17, cont: UInt32 = 18, stop: UInt32 = 19, tstp: UInt32 = 20
    public static let ttin: UInt32 = 21, ttou: UInt32 = 22, urg: UInt32 = 23, xcpu: UInt32 = 24, xfsz: UInt32 = 25
    public static let vtalrm: UInt32 = 26, prof: UInt32 = 27, winch: UInt32 = 28, io: UInt32 = 29, pwr: UInt32 = 30
    public static let sys: UInt32 = 31
    /// _NSIG: signals are 1 ... 64.
    public static let count: UInt32 = 64

    /// Whether `number` names a signal.
    public static func isValid(_ number: UInt64) -> Bool { number >= 1 && number <= UInt64(count) }

    /// The bit of `signal` (1 ... 64) in a sigset word; none (0) for a number that is
    /// not a signal, such as kill's 0, so that a caller that did not check first gets an
    /// empty set rather than a trap (a kernel panic in the LWK).
    public static func bit(_ signal: UInt32) -> UInt64 { 1 << UInt64(signal &- 1) }

    /// SIGKILL and SIGSTOP: never blocked, caught or ignored.
    public static let unblockable: UInt64 = bit(kill) | bit(stop)

    /// What a signal does when its disposition is SIG_DFL (signal(7)'s table, Linux's
    /// SIG_KERNEL_*_MASK): every signal not named here, real-time ones included, ends
    /// the process.
    public enum DefaultAction: Equatable, Sendable {
        case terminate
        /// Ends the process with a core dump (the wait status says whether one was written).
        case coreDump
        case ignore
        case stop
        /// SIGCONT: resumes a stopped process when sent, and is otherwise ignored.
        case `continue`
    }

    public static func defaultAction(_ signal: UInt32) -> DefaultAction {
        switch signal {
        case quit, ill, trap, abrt, bus, fpe, segv, xcpu, xfsz, sys: return .coreDump
        case chld, urg, winch: return .ignore
        case cont: return .continue
        case stop, tstp, ttin, ttou: return .stop
        default: return .terminate
        }
    }
}

/// A process's thread ids to come. Each LWK thread's tid is the tid of its proxy thread
/// in mcexec, so clone cannot make one up: mcexec keeps idle proxy threads, Linux grants
/// each one's tid to the LWK (TID_GRANT), and clone takes the oldest grant at once. With
/// none left, the cloning thread waits for the next grant, a bounded time.
public struct ThreadIDPool: Equatable, Sendable {
    /// How long clone waits for a grant before it fails with EAGAIN: far longer than
    /// mcexec needs to start a thread, short enough that a proxy that stopped granting
    /// shows as an error rather than a hang.
    public static let grantWaitNanoseconds: UInt64 = 5_000_000_000

    /// Granted tids not taken yet, oldest first.
    public private(set) var granted: [UInt32] = []
    /// Threads whose clone waits for a grant, in the order they came.
    public private(set) var cloners: [UInt32] = []

    public init() {}

    public enum Take: Equatable, Sendable {
        case tid(UInt32)
        /// None is left: the cloning thread sleeps until a grant wakes it, then takes
        /// again, or until `grantWaitNanoseconds` after it first waited (giveUp).
        case wait
    }

    /// clone by thread `cloner`.
    public mutating func take(for cloner: UInt32) -> Take {
        guard !granted.isEmpty else {
            if !cloners.contains(cloner) { cloners.append(cloner) }
            return .wait
        }
        cloners.removeAll { $0 == cloner }
        return .tid(granted.removeFirst())
    }

    /// TID_GRANT: the tid joins the pool (once; 0 is nobody's); returns the cloner to
    /// wake, the one waiting longest.
    public mutating func grant(_ tid: UInt32) -> UInt32? {
        guard tid != 0, !granted.contains(tid) else { return nil }
        granted.append(tid)
        return cloners.isEmpty ? nil : cloners.removeFirst()
    }

    /// The cloner stops waiting (its time ran out, a signal came, the process ends).
    /// Its clone returns EAGAIN, the errno of a thread Linux cannot create, and
    /// `exhausted` goes to the log.
    public mutating func giveUp(_ cloner: UInt32) { cloners.removeAll { $0 == cloner } }

    public static let exhausted =
        "no tid granted by mcexec within \(grantWaitNanoseconds / 1_000_000_000) s (its pool of proxy threads is empty): EAGAIN"
}

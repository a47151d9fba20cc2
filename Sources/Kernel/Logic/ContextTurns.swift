/// The contexts of one LWK CPU (mcos_abi.h, "Contexts") and whose turn it is. A context
/// sleeps while it waits in the kernel for something only an interrupt or another
/// context can bring (a packet, a futex wake, a timeout). An interrupt wakes them all to
/// look again (cheap beside what a wrong guess would cost, a wake lost), and those
/// that look have their turn before any context goes (back) to user mode. A context is
/// at work once it heads for user mode or gives up the CPU with work left. The CPU runs one context until it
/// sleeps or yields; a turn ends by the timer only while two or more are at work, so a
/// CPU with one program has no timer, and one whose contexts all sleep has one only for
/// the nearest timeout.
public struct ContextTurns: Equatable, Sendable {
    /// A turn when others wait for one: McKernel's time slice.
    public static let sliceNanoseconds: UInt64 = 1_000_000

    public enum State: Equatable, Sendable { case asleep, looking, atWork }

    /// The contexts' indices, in the order they take turns.
    public let contexts: [Int]
    /// The position in `contexts` of the one running.
    public private(set) var current = 0
    public private(set) var states: [State]
    /// While a context sleeps with a timeout: the TSC value at which it wakes.
    public private(set) var deadlines: [UInt64?]
    /// When the running context's turn began (TSC).
    public private(set) var turnStart: UInt64 = 0

    public init(contexts: [Int]) {
        precondition(!contexts.isEmpty, "a CPU has at least one context")
        self.contexts = contexts
        states = Array(repeating: .looking, count: contexts.count)
        deadlines = Array(repeating: nil, count: contexts.count)
    }

    public var running: Int { contexts[current] }
    public var atWork: Int { states.reduce(0) { $0 + ($1 == .atWork ? 1 : 0) } }
    /// Whether a context other than the running one was woken and has not looked yet.
    public var othersLooking: Bool { states.indices.contains { $0 != current && states[$0] == .looking } }

    public func position(of context: Int) -> Int? { contexts.firstIndex(of: context) }

    /// The running context waits for an interrupt, until TSC `deadline` at the latest.
    public mutating func sleep(until deadline: UInt64?) {
        states[current] = .asleep
        deadlines[current] = deadline
    }

    /// An interrupt came: every sleeping context looks again.
    public mutating func wakeAll() {
        for index in states.indices where states[index] == .asleep {
            states[index] = .looking
            deadlines[index] = nil
        }
    }

    /// Another context of this CPU gave `context` something to do (a kick that needs no
    /// interrupt): it is at work, so that the running one's turn ends by the timer.
    public mutating func wake(_ context: Int) {
        guard let index = position(of: context) else { return }
        states[index] = .atWork
        deadlines[index] = nil
    }

    /// The running context heads for user mode, or gives up the CPU with work left;
    /// whether that is news (the timer may be needed now).
    @discardableResult
    public mutating func atWorkNow() -> Bool {
        guard states[current] != .atWork else { return false }
        states[current] = .atWork
        deadlines[current] = nil
        return true
    }

    /// The next context awake after the running one, in turn; nil when no other is.
    public func next() -> Int? {
        for step in 1..<max(contexts.count, 1) {
            let index = (current + step) % contexts.count
            if states[index] != .asleep { return contexts[index] }
        }
        return nil
    }

    /// `context` runs from TSC `now` on (a sleeping one was woken by an interrupt: it
    /// looks).
    public mutating func begin(_ context: Int, now: UInt64) {
        guard let index = position(of: context) else { return }
        current = index
        if states[index] == .asleep { states[index] = .looking }
        deadlines[index] = nil
        turnStart = now
    }

    /// The TSC value for the CPU's one-shot timer: the end of the running context's
    /// turn when two or more are at work, or the nearest timeout of a sleeping one,
    /// whichever comes first; nil leaves the timer off.
    public func timer(sliceTicks: UInt64) -> UInt64? {
        var earliest: UInt64?
        if atWork > 1 {
            earliest = turnStart > UInt64.max - sliceTicks ? UInt64.max : turnStart + sliceTicks
        }
        for (index, deadline) in deadlines.enumerated() where states[index] == .asleep {
            if let deadline, deadline < earliest ?? UInt64.max { earliest = deadline }
        }
        return earliest
    }
}

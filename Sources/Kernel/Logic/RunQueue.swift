/// One LWK CPU's runnable threads: the one running and those waiting their turn, in the
/// order they became runnable. A thread runs until it blocks, yields or exits; with
/// `time_sharing` a CPU with more than one runnable thread also switches when a time
/// slice ends. The CPU's one-shot timer runs only when a slice or a timeout needs it:
/// a CPU with one thread and nothing to time out has no tick at all.
public struct RunQueue: Equatable, Sendable {
    /// A slice, as long as McKernel's.
    public static let timeSliceNanoseconds: UInt64 = 1_000_000

    public private(set) var current: UInt32?
    public private(set) var waiting: [UInt32] = []
    /// When `current` started its slice (TSC).
    public private(set) var sliceStart: UInt64 = 0

    public init() {}

    public var runnableCount: Int { waiting.count + (current == nil ? 0 : 1) }
    public var isIdle: Bool { current == nil && waiting.isEmpty }

    public func contains(_ tid: UInt32) -> Bool { current == tid || waiting.contains(tid) }

    /// A new thread, or one woken: it waits for its turn behind the others. True when
    /// the CPU must be told (it idles, so it halts until an interrupt).
    @discardableResult
    public mutating func add(_ tid: UInt32) -> Bool {
        guard !contains(tid) else { return false }
        let wasIdle = isIdle
        waiting.append(tid)
        return wasIdle
    }

    /// The thread stops being runnable (blocks, stops, exits, moves to another CPU).
    /// When it was the running one, the CPU picks another with `next`.
    public mutating func remove(_ tid: UInt32) {
        if current == tid { current = nil }
        waiting.removeAll { $0 == tid }
    }

    /// schedule(): the thread to run from TSC `now` on, nil to idle. With `yield`
    /// (sched_yield, the end of a slice) the running thread goes behind the others;
    /// otherwise it keeps the CPU if it still can run.
    public mutating func next(now: UInt64, yield: Bool = false) -> UInt32? {
        if let running = current {
            guard yield, !waiting.isEmpty else {
                if yield { sliceStart = now }
                return running
            }
            waiting.append(running)
        }
        current = waiting.isEmpty ? nil : waiting.removeFirst()
        sliceStart = now
        return current
    }

    /// Whether the CPU takes turns by time slices: more than one runnable thread, and
    /// the LWK booted with time_sharing (without it, they take turns only when one
    /// blocks or yields).
    public func needsTimeSlices(timeSharing: Bool) -> Bool { timeSharing && runnableCount > 1 }

    /// The TSC value for the CPU's one-shot timer: the end of the running thread's slice
    /// when slices are needed, or the nearest timeout (`deadline`, DeadlineQueue.next),
    /// whichever comes first; nil leaves the timer off.
    public func timer(timeSharing: Bool, sliceTicks: UInt64, deadline: UInt64?) -> UInt64? {
        var slice: UInt64?
        if needsTimeSlices(timeSharing: timeSharing) {
            slice = sliceStart > UInt64.max - sliceTicks ? UInt64.max : sliceStart + sliceTicks
        }
        switch (slice, deadline) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }
}

/// Where a process's threads run: the LWK CPUs a process is granted when it is created,
/// and the CPU each new or moving thread takes among them. CPUs are the LWK's indices
/// (BootInfo.cpus), the numbering programs see in their affinity masks.
public struct CPUPlacement: Equatable, Sendable {
    /// The NUMA node of each LWK CPU.
    public var nodes: [Int]
    /// distances[a][b] between nodes, SLIT style (10 = local).
    public var distances: [[Int]]

    public init(nodes: [Int], distances: [[Int]]) {
        self.nodes = nodes
        self.distances = distances
    }

    public init(_ info: BootInfo) {
        self.init(nodes: info.cpus.map { $0.node }, distances: info.distances)
    }

    /// The distance between the nodes of two CPUs; a CPU or node the boot information
    /// does not describe is farther than any other.
    public func distance(_ a: Int, _ b: Int) -> Int {
        guard a >= 0, a < nodes.count, b >= 0, b < nodes.count else { return Int.max }
        let from = nodes[a], to = nodes[b]
        guard from >= 0, from < distances.count, to >= 0, to < distances[from].count else { return from == to ? 0 : Int.max }
        return distances[from][to]
    }

    /// PROC_CREATE: `wanted` CPUs (0: every idle one) from `idle`, the first being
    /// `first` (nil: the lowest idle one), then the nearest to its node, then by index.
    /// Fewer when fewer are idle (the reply says how many); nil when none is, or `first`
    /// is not idle (EBUSY).
    public func grant(wanted: Int, first: Int?, idle: [Int]) -> [Int]? {
        guard let start = first ?? idle.min(), idle.contains(start) else { return nil }
        let others = idle.filter { $0 != start }.sorted { a, b in
            let (da, db) = (distance(start, a), distance(start, b))
            return da != db ? da < db : a < b
        }
        let count = wanted > 0 ? min(wanted, idle.count) : idle.count
        return [start] + others.prefix(count - 1)
    }

    /// Where a thread goes.
    public enum Choice: Equatable, Sendable {
        case cpu(Int)
        /// Every CPU it may use already runs a thread and CPUs are not shared: clone
        /// fails with EAGAIN, and the reason goes to the log.
        case full(String)
    }

    /// clone's choice for a new thread, and sched_setaffinity's for a thread that must
    /// leave its CPU: among `allowed` (the process's CPUs that the thread's affinity
    /// lets it use), the CPU with the fewest threads (`threads[cpu]`), then the nearest
    /// to `near` (the parent's CPU, or the thread's own), then the lowest index. When
    /// `exclusive` (a new thread without time_sharing), a CPU that has a thread is not
    /// a choice.
    public func place(allowed: [Int], threads: [Int], near: Int, exclusive: Bool) -> Choice {
        func load(_ cpu: Int) -> Int { cpu >= 0 && cpu < threads.count ? threads[cpu] : 0 }
        let candidates = exclusive ? allowed.filter { load($0) == 0 } : allowed
        let best = candidates.min { a, b in
            if load(a) != load(b) { return load(a) < load(b) }
            let (da, db) = (distance(near, a), distance(near, b))
            return da != db ? da < db : a < b
        }
        if let best { return .cpu(best) }
        if allowed.isEmpty { return .full("no CPU of the process is in the thread's affinity") }
        return .full("each of the \(allowed.count) CPUs the thread may use runs a thread, and the LWK shares CPUs only with time_sharing")
    }
}

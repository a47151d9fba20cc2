import NodeBasics

/// What the kernel module holds, as plain values: the truth about the node, which the
/// state record only caches.
public struct NodeView: Equatable, Sendable, Codable {
    public struct Instance: Equatable, Sendable, Codable {
        public var index: Int
        public var state: InstanceState
        public var cpus: CPUSet
        /// Bytes assigned per NUMA node.
        public var memory: [Int: UInt64]

        public init(index: Int, state: InstanceState, cpus: CPUSet, memory: [Int: UInt64]) {
            self.index = index
            self.state = state
            self.cpus = cpus
            self.memory = memory
        }
    }

    /// Reserved CPUs that no instance holds.
    public var poolCPUs: CPUSet
    /// Reserved memory per NUMA node that no instance holds.
    public var poolMemory: [Int: UInt64]
    public var instances: [Instance]

    public init(poolCPUs: CPUSet = CPUSet(), poolMemory: [Int: UInt64] = [:], instances: [Instance] = []) {
        self.poolCPUs = poolCPUs
        self.poolMemory = poolMemory.filter { $0.value > 0 }
        self.instances = instances.sorted { $0.index < $1.index }
    }

    public var isEmpty: Bool { poolCPUs.isEmpty && poolMemory.isEmpty && instances.isEmpty }

    public var allCPUs: CPUSet { instances.reduce(poolCPUs) { $0.union($1.cpus) } }
}

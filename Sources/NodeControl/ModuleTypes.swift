import NodeBasics

/// What the module says about itself and the machine.
public struct ModuleInfo: Equatable, Sendable, Codable {
    public var abiVersion: Int
    public var cpuIDLimit: Int
    public var nodeIDLimit: Int
    public var maxInstances: Int
    public var instances: Int
    public var reservedCPUs: Int
    public var reservedBytes: UInt64
}

/// A CPU the module holds offline for an LWK.
public struct ReservedCPU: Equatable, Sendable, Codable {
    public var cpu: Int
    public var apicID: Int
    public var numaNode: Int
    /// The instance it is assigned to, nil while it sits in the reserved pool.
    public var instance: Int?

    public init(cpu: Int, apicID: Int, numaNode: Int, instance: Int?) {
        self.cpu = cpu
        self.apicID = apicID
        self.numaNode = numaNode
        self.instance = instance
    }
}

/// A physically contiguous run of memory the module took from Linux.
public struct MemoryChunk: Equatable, Sendable, Codable {
    public var physicalAddress: UInt64
    public var bytes: UInt64
    public var numaNode: Int
    public var instance: Int?
}

/// One NUMA node as the module sees it.
public struct NodeMemoryInfo: Equatable, Sendable, Codable {
    public var node: Int
    public var hasCPUs: Bool
    public var chunks: Int
    public var managedBytes: UInt64
    public var freeBytes: UInt64
    /// The module never reserves memory that would leave less than this free.
    public var floorBytes: UInt64
    public var reservedBytes: UInt64
}

public struct InstanceStatus: Equatable, Sendable, Codable {
    public var index: Int
    public var state: InstanceState
    public var cpus: Int
    public var memoryBytes: UInt64
    public var imageBytes: UInt64
    public var entry: UInt64
    public var kernelArgsLength: Int
    public var kmsgBytes: Int
    /// Time since the LWK reported running (nil unless running): its real uptime,
    /// whoever booted it.
    public var uptimeSeconds: Double?
}

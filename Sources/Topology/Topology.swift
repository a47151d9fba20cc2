import Foundation
import NodeBasics

/// One compute node as the partitioner needs to see it: which CPUs exist and how they
/// are grouped, which NUMA nodes hold how much memory of which kind, and how far apart
/// they are. Plain values: loading (hwloc, sysfs) happens elsewhere.
public struct Topology: Equatable, Sendable, Codable {
    public var source: TopologySource
    public var machine: Machine
    public var packages: [Package]
    public var numaNodes: [NUMANode]
    public var cores: [Core]
    public var distances: DistanceMatrix?
    /// Present only for the machine we run on: online CPUs, free memory.
    public var live: LiveState?

    public init(
        source: TopologySource, machine: Machine, packages: [Package], numaNodes: [NUMANode],
        cores: [Core], distances: DistanceMatrix?, live: LiveState? = nil
    ) {
        self.source = source
        self.machine = machine
        self.packages = packages
        self.numaNodes = numaNodes.sorted { $0.osIndex < $1.osIndex }
        self.cores = cores
        self.distances = distances
        self.live = live
    }

    /// Every CPU (processing unit, hardware thread) in Linux numbering.
    public var cpus: CPUSet { CPUSet(cores.flatMap(\.cpus)) }

    public func numaNode(osIndex: Int) -> NUMANode? { numaNodes.first { $0.osIndex == osIndex } }

    /// The NUMA node whose CPU set holds `cpu`.
    public func numaNode(ofCPU cpu: Int) -> NUMANode? { numaNodes.first { $0.cpus.contains(cpu) } }

    public func core(ofCPU cpu: Int) -> Core? { cores.first { $0.cpus.contains(cpu) } }

    /// Hardware threads per core when every core has the same number, else nil.
    public var uniformThreadsPerCore: Int? {
        let counts = Set(cores.map(\.cpus.count))
        return counts.count == 1 ? counts.first : nil
    }
}

public struct Machine: Equatable, Sendable, Codable {
    /// As the OS reports it, e.g. "Intel(R) Xeon Phi(TM) CPU 7250 @ 1.40GHz".
    public var cpuModel: String?
    public var cpuVendor: String?
    /// x86 family and model numbers when known (6/87 is Knights Landing).
    public var cpuFamilyNumber: Int?
    public var cpuModelNumber: Int?
    /// Xeon Phi (Knights Landing / Mill) cluster mode and memory mode, when known.
    public var clusterMode: ModeReading?
    public var memoryMode: ModeReading?

    public init(
        cpuModel: String? = nil, cpuVendor: String? = nil, cpuFamilyNumber: Int? = nil,
        cpuModelNumber: Int? = nil, clusterMode: ModeReading? = nil, memoryMode: ModeReading? = nil
    ) {
        self.cpuModel = cpuModel
        self.cpuVendor = cpuVendor
        self.cpuFamilyNumber = cpuFamilyNumber
        self.cpuModelNumber = cpuModelNumber
        self.clusterMode = clusterMode
        self.memoryMode = memoryMode
    }

    /// Knights Landing (family 6 model 0x57) or Knights Mill (0x85), by number or name.
    public var isXeonPhi: Bool {
        if cpuFamilyNumber == 6, let model = cpuModelNumber, model == 0x57 || model == 0x85 { return true }
        return cpuModel?.localizedXeonPhi ?? false
    }
}

/// A BIOS mode (KNL cluster or memory mode) as far as we know it: hwloc says it outright
/// when its KNL support read it from the firmware; otherwise we infer it from the NUMA
/// layout, which sometimes leaves more than one candidate (Quadrant, Hemisphere and
/// All-to-All look alike from Linux).
public struct ModeReading: Equatable, Sendable, Codable {
    /// Lower-case names: `quadrant`, `snc4`, `flat`, `hybrid50`, …
    public var candidates: [String]
    /// Where the reading came from, for humans.
    public var source: String
    public var isInferred: Bool

    public init(candidates: [String], source: String, isInferred: Bool) {
        self.candidates = candidates
        self.source = source
        self.isInferred = isInferred
    }

    public func matches(_ name: String) -> Bool { candidates.contains(name.lowercased()) }

    public var description: String { candidates.joined(separator: " or ") }
}

public struct Package: Equatable, Sendable, Codable {
    public var osIndex: Int?
    public var cpus: CPUSet
    public var cpuModel: String?

    public init(osIndex: Int?, cpus: CPUSet, cpuModel: String? = nil) {
        self.osIndex = osIndex
        self.cpus = cpus
        self.cpuModel = cpuModel
    }
}

public enum MemoryKind: String, Equatable, Sendable, Codable, CaseIterable {
    case ddr, mcdram, hbm, unknown
}

public struct NUMANode: Equatable, Sendable, Codable {
    public var osIndex: Int
    public var memoryBytes: UInt64
    /// Local CPUs in Linux numbering; empty for a CPU-less (memory-only) node.
    public var cpus: CPUSet
    public var kind: MemoryKind
    /// Why `kind` was chosen, in words an admin can check.
    public var kindReason: String
    /// hwloc's subtype label (`MCDRAM`, `HBM`, …) when it set one.
    public var subtype: String?
    /// For a CPU-less node, the CPUs it sits next to (an SNC cluster's CPUs for its
    /// MCDRAM), when the topology says so.
    public var nearCPUs = CPUSet()
    /// hwloc's memory attributes (on Linux, the firmware's HMAT): the best bandwidth in
    /// MiB/s and latency in ns that any CPU gets from this node; nil when hwloc has none.
    public var bandwidth: UInt64?
    public var latency: UInt64?

    public init(
        osIndex: Int, memoryBytes: UInt64, cpus: CPUSet, kind: MemoryKind = .unknown,
        kindReason: String = "", subtype: String? = nil, bandwidth: UInt64? = nil, latency: UInt64? = nil
    ) {
        self.osIndex = osIndex
        self.memoryBytes = memoryBytes
        self.cpus = cpus
        self.kind = kind
        self.kindReason = kindReason
        self.subtype = subtype
        self.bandwidth = bandwidth
        self.latency = latency
    }

    public var isCPULess: Bool { cpus.isEmpty }
}

public struct Core: Equatable, Sendable, Codable {
    public var packageIndex: Int?
    /// Its hardware threads in Linux numbering, lowest first: the first is the one a
    /// "first thread of each core" rule keeps.
    public var cpus: [Int]

    public init(packageIndex: Int?, cpus: [Int]) {
        self.packageIndex = packageIndex
        self.cpus = cpus.sorted()
    }
}

/// The NUMA distance matrix (ACPI SLIT), by NUMA OS index. 10 means local.
public struct DistanceMatrix: Equatable, Sendable, Codable {
    public var nodes: [Int]
    /// `values[i][j]`: distance from `nodes[i]` to `nodes[j]`.
    public var values: [[UInt64]]

    public init(nodes: [Int], values: [[UInt64]]) {
        self.nodes = nodes
        self.values = values
    }

    public func distance(from: Int, to: Int) -> UInt64? {
        guard let i = nodes.firstIndex(of: from), let j = nodes.firstIndex(of: to) else { return nil }
        return values[i][j]
    }
}

/// What only the running machine can tell: which CPUs are online right now and how much
/// memory each NUMA node has free.
public struct LiveState: Equatable, Sendable, Codable {
    /// CPUs the kernel knows of, online or not (`/sys/devices/system/cpu/present`).
    public var presentCPUs: CPUSet
    public var onlineCPUs: CPUSet
    /// MemFree per NUMA node OS index.
    public var freeBytes: [Int: UInt64]

    enum CodingKeys: String, CodingKey {
        case presentCPUs = "presentCpus"
        case onlineCPUs = "onlineCpus"
        case freeBytes
    }

    public init(presentCPUs: CPUSet, onlineCPUs: CPUSet, freeBytes: [Int: UInt64]) {
        self.presentCPUs = presentCPUs
        self.onlineCPUs = onlineCPUs
        self.freeBytes = freeBytes
    }

    public var offlineCPUs: CPUSet { presentCPUs.subtracting(onlineCPUs) }
}

extension String {
    var localizedXeonPhi: Bool { range(of: "Xeon Phi", options: .caseInsensitive) != nil }
}

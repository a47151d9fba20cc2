import NodeBasics
import Topology

/// A node profile as the admin wrote it: format version 1. Every value keeps the place it
/// was written so that resolution can point back at it.
public struct Profile: Sendable {
    public static let formatVersion = 1

    public var path: String
    public var name: Located<String>
    public var description: String?
    public var expectations: [Located<Expectation>]
    public var instances: [InstanceSpec]
}

/// Something the profile asserts about the node before anything is planned.
public enum Expectation: Equatable, Sendable {
    /// Case-insensitive substring of the CPU model name.
    case cpuModel(String)
    case clusterMode(String)
    case memoryMode(String)
    case cores(CountRange)
    case numaNodes(CountRange)
}

/// `68`, or at least / at most bounds.
public struct CountRange: Equatable, Sendable, CustomStringConvertible {
    public var minimum: Int?
    public var maximum: Int?

    public func contains(_ value: Int) -> Bool {
        (minimum.map { value >= $0 } ?? true) && (maximum.map { value <= $0 } ?? true)
    }

    public var description: String {
        switch (minimum, maximum) {
        case let (low?, high?) where low == high: return "\(low)"
        case let (low?, high?): return "between \(low) and \(high)"
        case let (low?, nil): return "at least \(low)"
        case let (nil, high?): return "at most \(high)"
        case (nil, nil): return "any number"
        }
    }
}

/// One LWK instance (an IHK "OS"): its CPUs, memory, IKC map and kernel.
public struct InstanceSpec: Sendable {
    public var name: Located<String>
    public var location: SourceLocation
    public var cpus: Located<CPUSpec>
    public var memory: [MemorySpec]
    public var ikc: Located<IKCSpec>
    public var kernel: KernelSpec
}

public enum CPUSpec: Equatable, Sendable {
    /// Exact Linux CPU numbers.
    case list(CPUSet)
    /// Keep `cores` cores of every NUMA node (or package) for Linux, the rest to the LWK.
    case rule(CPURule)
}

public struct CPURule: Equatable, Sendable {
    public enum Domain: String, Sendable, CaseIterable { case numa, package }
    public enum Threads: String, Sendable, CaseIterable { case all, first }

    public var linuxCoresPerDomain: Int
    public var domain: Domain
    public var threads: Threads
}

public struct MemorySpec: Sendable {
    public var numa: Located<NodeSelector>
    public var size: Located<SizeSpec>
}

public enum NodeSelector: Equatable, Sendable, CustomStringConvertible {
    case osIndex(Int)
    case kind(MemoryKind)

    public var description: String {
        switch self {
        case .osIndex(let index): return "NUMA \(index)"
        case .kind(let kind): return "\(kind.rawValue) nodes"
        }
    }
}

public enum SizeSpec: Equatable, Sendable {
    case bytes(UInt64)
    /// Of the node's total memory, 0 < p ≤ 100.
    case percent(Double)
    /// As much as the node can give while keeping Linux's floor.
    case all
}

public enum IKCSpec: Equatable, Sendable {
    /// Each LWK CPU served by a Linux CPU on its own NUMA node.
    case auto
    case explicit([IKCRouteSpec])
}

public struct IKCRouteSpec: Equatable, Sendable {
    public var lwkCPUs: Located<CPUSet>
    public var linuxCPU: Located<Int>
}

public struct KernelSpec: Sendable {
    /// Nil means the image this project builds.
    public var image: Located<String>?
    public var args: [Located<String>]
    public var dumpLevel: Located<Int>?
}

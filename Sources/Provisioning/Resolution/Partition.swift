import NodeBasics
import Topology

/// A profile resolved against one node: exactly which CPUs, how many bytes on which NUMA
/// node, which Linux CPU serves which LWK CPUs, and the kernel command line. This is what
/// gets applied, recorded and compared; it holds nothing that depends on the file it came
/// from.
public struct Partition: Equatable, Sendable, Codable {
    public var profileName: String
    public var instances: [ResolvedInstance]

    public init(profileName: String, instances: [ResolvedInstance]) {
        self.profileName = profileName
        self.instances = instances
    }

    public var lwkCPUs: CPUSet { instances.reduce(CPUSet()) { $0.union($1.cpus) } }

    /// Bytes reserved per NUMA node over all instances.
    public var memoryByNode: [Int: UInt64] {
        var total: [Int: UInt64] = [:]
        for instance in instances {
            for slice in instance.memory { total[slice.numa, default: 0] += slice.bytes }
        }
        return total
    }
}

/// One LWK instance, numbered as its device will be (`/dev/mcosN`).
public struct ResolvedInstance: Equatable, Sendable, Codable {
    public var index: Int
    public var name: String
    public var cpus: CPUSet
    public var memory: [NodeMemory]
    public var ikc: [IKCRoute]
    /// `default` for the image this project builds, else a path.
    public var kernelImage: String
    public var kernelArgs: String

    public init(index: Int, name: String, cpus: CPUSet, memory: [NodeMemory], ikc: [IKCRoute], kernelImage: String, kernelArgs: String) {
        self.index = index
        self.name = name
        self.cpus = cpus
        self.memory = memory.sorted { $0.numa < $1.numa }
        self.ikc = ikc
        self.kernelImage = kernelImage
        self.kernelArgs = kernelArgs
    }

    public var memoryBytes: UInt64 { memory.reduce(0) { $0 + $1.bytes } }
}

public struct NodeMemory: Equatable, Sendable, Codable {
    public var numa: Int
    public var kind: MemoryKind
    public var bytes: UInt64

    public init(numa: Int, kind: MemoryKind, bytes: UInt64) {
        self.numa = numa
        self.kind = kind
        self.bytes = bytes
    }
}

/// LWK CPUs whose inter-kernel messages one Linux CPU handles.
public struct IKCRoute: Equatable, Sendable, Codable {
    public var lwkCPUs: CPUSet
    public var linuxCPU: Int

    // Spelt so that JSON's snake_case conversion gives `lwk_cpus` and `linux_cpu`.
    enum CodingKeys: String, CodingKey {
        case lwkCPUs = "lwkCpus"
        case linuxCPU = "linuxCpu"
    }

    public init(lwkCPUs: CPUSet, linuxCPU: Int) {
        self.lwkCPUs = lwkCPUs
        self.linuxCPU = linuxCPU
    }
}

extension Array where Element == IKCRoute {
    /// McKernel's `-r` syntax: `4-35:0+36-67:1`.
    public var mcrebootSyntax: String { map { "\($0.lwkCPUs):\($0.linuxCPU)" }.joined(separator: "+") }
}

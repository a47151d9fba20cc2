import CMcosABI
import Foundation
import NodeBasics

/// Where mcexec's proxy thread runs: on the NUMA node of the Linux CPU that the applied
/// profile's IKC map names as the server of the program's LWK CPU, so that the proxy,
/// its stack and the buffers of the system calls it performs for the program stay on the
/// Linux side of that route, as McKernel's mcexec binds its proxy threads. Bound with
/// libnuma: the CPUs with numa_run_on_node, the memory preferred with numa_set_preferred
/// (preferred, not bound: a full node must not fail the program's I/O).
///
/// Called by the launcher once the module has picked the LWK CPU, and by each further
/// proxy thread for the CPU its program thread runs on.
enum ProxyBinding {
    struct Choice: Equatable {
        var linuxCPU: Int
        var node: Int
    }

    /// Binds the calling thread (the first one before any other exists, so the threads
    /// it starts begin there too); nil when nothing is known about the route or libnuma
    /// cannot bind.
    static func bind(lwkCPU: Int, instance: Int, record: StateRecordFile = StateRecordFile()) -> Choice? {
        guard case .record(let routes) = record.read(as: IKCRoutes.self),
              let linuxCPU = routes.server(of: lwkCPU, instance: instance),
              let node = LibNUMA.node(ofCPU: linuxCPU),
              LibNUMA.runOnNode(node)
        else { return nil }
        LibNUMA.preferNode(node)
        return Choice(linuxCPU: linuxCPU, node: node)
    }
}

/// The IKC map of the applied profile, from the state record: which Linux CPU serves
/// each LWK CPU of each instance.
struct IKCRoutes: Decodable, Equatable {
    struct Instance: Decodable, Equatable {
        var index: Int
        /// The instance's CPUs in Linux numbering; LWK CPU n is the n-th lowest.
        var cpus: CPUSet
        var ikc: [Route]
    }

    struct Route: Decodable, Equatable {
        var lwkCPUs: CPUSet
        var linuxCPU: Int

        // The record's snake_case keys, as the decoder converts them.
        enum CodingKeys: String, CodingKey {
            case lwkCPUs = "lwkCpus"
            case linuxCPU = "linuxCpu"
        }
    }

    var instances: [Instance]

    private enum RecordKeys: String, CodingKey { case partition }
    private enum PartitionKeys: String, CodingKey { case instances }

    init(instances: [Instance]) {
        self.instances = instances
    }

    init(from decoder: Decoder) throws {
        instances = try decoder.container(keyedBy: RecordKeys.self)
            .nestedContainer(keyedBy: PartitionKeys.self, forKey: .partition)
            .decode([Instance].self, forKey: .instances)
    }

    /// The Linux CPU that serves `context` of `instance` (what the module calls an LWK
    /// CPU: a context, on LWK CPU mcos_context_cpu(); the same without time_sharing),
    /// or nil.
    func server(of context: Int, instance: Int) -> Int? {
        guard let found = instances.first(where: { $0.index == instance }) else { return nil }
        let members = found.cpus.members
        guard context >= 0, let index = UInt32(exactly: context), !members.isEmpty else { return nil }
        let linuxNumber = members[Int(mcos_context_cpu(index, UInt32(members.count)))]
        return found.ikc.first { $0.lwkCPUs.contains(linuxNumber) }?.linuxCPU
    }
}

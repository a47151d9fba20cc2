import CHwloc
import Foundation
import NodeBasics

public struct TopologyLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var remedy: String
    public var description: String { "\(message)\n  hint: \(remedy)" }
}

/// Loads a topology through hwloc and turns it into plain values. The hwloc handle never
/// leaves this file.
public enum TopologyLoader {
    public static func load(_ source: TopologySource) throws(TopologyLoadError) -> Topology {
        skipUnneededPlugins()
        var handle: hwloc_topology_t?
        guard hwloc_topology_init(&handle) == 0, let handle else {
            throw TopologyLoadError(message: "hwloc could not allocate a topology", remedy: "check that the machine is not out of memory")
        }
        defer { hwloc_topology_destroy(handle) }

        try configure(handle, for: source)
        // Memory-side caches tell KNL's cache and hybrid modes apart; I/O only costs time.
        hwloc_topology_set_type_filter(handle, HWLOC_OBJ_MEMCACHE, HWLOC_TYPE_FILTER_KEEP_ALL)
        hwloc_topology_set_io_types_filter(handle, HWLOC_TYPE_FILTER_KEEP_NONE)
        guard hwloc_topology_load(handle) == 0 else {
            throw loadFailure(source, errno: errno)
        }

        var topology = HwlocReader(handle: handle).read(source: source)
        if source.isLive {
            topology.live = LiveStateReader.read()
        }
        return topology
    }

    /// hwloc dlopens its plugins (PCI, OpenCL, GL, libxml2) on first use, which costs a
    /// plain `hwloc-info` most of its run time. mcprov needs none of them: it filters I/O
    /// devices out, and hwloc's built-in XML reader handles every file `lstopo --of xml`
    /// writes. An admin's own HWLOC_PLUGINS_BLACKLIST is left alone.
    private static func skipUnneededPlugins() {
        let plugins = ["hwloc_pci", "hwloc_opencl", "hwloc_gl", "hwloc_cuda", "hwloc_nvml", "hwloc_rsmi", "hwloc_levelzero", "hwloc_xml_libxml"]
        setenv("HWLOC_PLUGINS_BLACKLIST", plugins.joined(separator: ","), 0)
    }

    private static func configure(_ handle: hwloc_topology_t, for source: TopologySource) throws(TopologyLoadError) {
        switch source {
        case .live:
            // Include CPUs and memory hidden from us by cgroups: the partition is about
            // the whole node, not our own allowance.
            hwloc_topology_set_flags(handle, UInt(HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED.rawValue))
        case .xml(let path):
            guard FileManager.default.isReadableFile(atPath: path) else {
                let exists = FileManager.default.fileExists(atPath: path)
                throw TopologyLoadError(
                    message: exists ? "cannot read topology file \(path): permission denied" : "topology file \(path) does not exist",
                    remedy: "capture a node's topology with `lstopo --of xml > node.xml` and pass --topology node.xml")
            }
            if hwloc_topology_set_xml(handle, path) != 0 {
                throw loadFailure(source, errno: errno)
            }
        case .synthetic(let description):
            if hwloc_topology_set_synthetic(handle, description) != 0 {
                throw TopologyLoadError(
                    message: "hwloc rejects the synthetic topology \"\(description)\"",
                    remedy: "write it as hwloc does, e.g. synthetic:\"pack:1 numa:4 core:4 pu:2\" (see hwloc's synthetic topology documentation)")
            }
        }
    }

    private static func loadFailure(_ source: TopologySource, errno: Int32) -> TopologyLoadError {
        let reason = String(cString: strerror(errno))
        switch source {
        case .xml(let path):
            return TopologyLoadError(
                message: "hwloc cannot load \(path) as a topology (\(reason))",
                remedy: "the file must be hwloc XML as written by `lstopo --of xml` (hwloc 1.x or 2.x)")
        default:
            return TopologyLoadError(message: "hwloc cannot load the topology of \(source) (\(reason))", remedy: "run `lstopo` to see whether hwloc works on this machine")
        }
    }
}

/// Walks a loaded hwloc topology.
private struct HwlocReader {
    let handle: hwloc_topology_t

    func read(source: TopologySource) -> Topology {
        let root = hwloc_get_root_obj(handle)!
        let packages = objects(HWLOC_OBJ_PACKAGE).map { package in
            Package(
                osIndex: osIndex(package),
                cpus: cpus(package.pointee.cpuset),
                cpuModel: info(package, "CPUModel"))
        }
        var machine = Machine(
            cpuModel: info(root, "CPUModel") ?? packages.lazy.compactMap(\.cpuModel).first,
            cpuVendor: info(root, "CPUVendor") ?? firstPackageInfo("CPUVendor"),
            cpuFamilyNumber: (info(root, "CPUFamilyNumber") ?? firstPackageInfo("CPUFamilyNumber")).flatMap { Int($0) },
            cpuModelNumber: (info(root, "CPUModelNumber") ?? firstPackageInfo("CPUModelNumber")).flatMap { Int($0) })

        let distances = numaDistances()
        let rawNodes = objects(HWLOC_OBJ_NUMANODE).map { node in
            NUMANode(
                osIndex: Int(node.pointee.os_index),
                memoryBytes: node.pointee.attr.pointee.numanode.local_memory,
                cpus: cpus(node.pointee.cpuset),
                subtype: node.pointee.subtype.map { String(cString: $0) },
                bandwidth: bestValue(of: hwloc_memattr_id_t(HWLOC_MEMATTR_ID_BANDWIDTH.rawValue), for: node),
                latency: bestValue(of: hwloc_memattr_id_t(HWLOC_MEMATTR_ID_LATENCY.rawValue), for: node))
        }
        let nodes = MemoryKindClassifier.classify(NUMALocality.assignCPUs(rawNodes), distances: distances, machine: machine)
        (machine.clusterMode, machine.memoryMode) = KnightsLandingModes.read(
            hwlocClusterMode: info(root, "ClusterMode"), hwlocMemoryMode: info(root, "MemoryMode"),
            machine: machine, nodes: nodes, memorySideCaches: memorySideCacheCount())

        return Topology(
            source: source, machine: machine, packages: packages, numaNodes: nodes,
            cores: cores(packages: packages), distances: distances)
    }

    /// Cores with their threads. Topologies without Core objects (some synthetic or
    /// trimmed ones) get one core per PU.
    private func cores(packages: [Package]) -> [Core] {
        func packageIndex(of cpu: Int?) -> Int? {
            guard let cpu else { return nil }
            return packages.firstIndex { $0.cpus.contains(cpu) }
        }
        let coreObjects = objects(HWLOC_OBJ_CORE)
        if coreObjects.isEmpty {
            return objects(HWLOC_OBJ_PU).map {
                let cpu = Int($0.pointee.os_index)
                return Core(packageIndex: packageIndex(of: cpu), cpus: [cpu])
            }
        }
        return coreObjects.map { core in
            let threads = cpus(core.pointee.cpuset).members
            return Core(packageIndex: packageIndex(of: threads.first), cpus: threads)
        }
    }

    private func objects(_ type: hwloc_obj_type_t) -> [hwloc_obj_t] {
        let count = hwloc_get_nbobjs_by_type(handle, type)
        guard count > 0 else { return [] }
        return (0..<UInt32(count)).compactMap { hwloc_get_obj_by_type(handle, type, $0) }
    }

    private func osIndex(_ object: hwloc_obj_t) -> Int? {
        let index = object.pointee.os_index
        return index == UInt32.max ? nil : Int(index)  // HWLOC_UNKNOWN_INDEX
    }

    private func cpus(_ bitmap: hwloc_const_bitmap_t?) -> CPUSet {
        guard let bitmap, hwloc_bitmap_weight(bitmap) > 0 else { return CPUSet() }
        var members: [Int] = []
        var index = hwloc_bitmap_first(bitmap)
        while index >= 0 {
            members.append(Int(index))
            index = hwloc_bitmap_next(bitmap, index)
        }
        return CPUSet(members)
    }

    private func info(_ object: hwloc_obj_t, _ name: String) -> String? {
        hwloc_obj_get_info_by_name(object, name).map { String(cString: $0) }
    }

    private func firstPackageInfo(_ name: String) -> String? {
        objects(HWLOC_OBJ_PACKAGE).lazy.compactMap { info($0, name) }.first
    }

    /// The best value of a memory attribute for a NUMA node over every initiator hwloc
    /// knows (highest bandwidth, lowest latency: hwloc knows which is best), or nil.
    private func bestValue(of attribute: hwloc_memattr_id_t, for node: hwloc_obj_t) -> UInt64? {
        var initiator = hwloc_location()
        var value: hwloc_uint64_t = 0
        guard hwloc_memattr_get_best_initiator(handle, attribute, node, 0, &initiator, &value) == 0, value > 0 else { return nil }
        return value
    }

    /// hwloc 2.1+ has MemCache objects; older files (and the KNL quirk of hwloc 2.0)
    /// record the MCDRAM cache as an L3 cache with subtype `MemorySideCache`.
    private func memorySideCacheCount() -> Int {
        let labelled = objects(HWLOC_OBJ_L3CACHE).filter {
            $0.pointee.subtype.map { String(cString: $0) == "MemorySideCache" } ?? false
        }
        return objects(HWLOC_OBJ_MEMCACHE).count + labelled.count
    }

    /// The OS-provided NUMA latency matrix (the SLIT on x86), if hwloc has one.
    private func numaDistances() -> DistanceMatrix? {
        var count: UInt32 = 1
        var matrix: UnsafeMutablePointer<hwloc_distances_s>?
        let kind = UInt(HWLOC_DISTANCES_KIND_MEANS_LATENCY.rawValue)
        guard hwloc_distances_get_by_type(handle, HWLOC_OBJ_NUMANODE, &count, &matrix, kind, 0) == 0,
              count >= 1, let matrix
        else { return nil }
        defer { hwloc_distances_release(handle, matrix) }

        let size = Int(matrix.pointee.nbobjs)
        let nodes = (0..<size).map { Int(matrix.pointee.objs[$0]!.pointee.os_index) }
        let values = (0..<size).map { row in
            (0..<size).map { column in matrix.pointee.values[row * size + column] }
        }
        return DistanceMatrix(nodes: nodes, values: values)
    }
}

import CNuma

/// The few libnuma calls mcexec makes.
enum LibNUMA {
    /// Whether the kernel has NUMA support; libnuma's other calls are undefined without it.
    static var isAvailable: Bool { numa_available() >= 0 }

    /// The nodes a numactl node string names on this machine, or nil if libnuma refuses it
    /// (it says why on stderr).
    static func parseNodeString(_ text: String) -> [Int]? {
        guard isAvailable, let mask = numa_parse_nodestring_all(text) else { return nil }
        defer { numa_bitmask_free(mask) }
        return (0..<Int(mask.pointee.size)).filter { numa_bitmask_isbitset(mask, UInt32($0)) != 0 }
    }

    /// Runs the calling task on the CPUs of `node` only; false if libnuma cannot (a
    /// cpuset that excludes them).
    static func runOnNode(_ node: Int) -> Bool {
        isAvailable && numa_run_on_node(Int32(node)) == 0
    }

    /// Takes the calling task's new memory from `node` first.
    static func preferNode(_ node: Int) {
        if isAvailable { numa_set_preferred(Int32(node)) }
    }

    /// The NUMA node of a Linux CPU, or nil.
    static func node(ofCPU cpu: Int) -> Int? {
        guard isAvailable else { return nil }
        let node = numa_node_of_cpu(Int32(cpu))
        return node >= 0 ? Int(node) : nil
    }
}

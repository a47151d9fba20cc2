import CMcosABI
import Foundation
import NodeBasics

/// The control device of the kernel module: reserve and release CPUs and memory, create
/// and destroy OS instances, and ask what is held. Every call maps one ioctl; the module
/// makes each one all-or-nothing, and undoing a sequence of them is the caller's job.
public final class ModuleClient {
    public static let controlDevice = MCOS_CTL_DEVICE

    private let device: DeviceFile

    public init() throws(ModuleError) {
        device = try DeviceFile(path: Self.controlDevice, operation: "open \(Self.controlDevice)")
        let info = try self.info()
        guard info.abiVersion == Int(MCOS_ABI_VERSION) else {
            throw ModuleError(
                kind: .incompatible, operation: "open \(Self.controlDevice)",
                message: "the loaded module speaks ABI \(info.abiVersion), this mcprov ABI \(MCOS_ABI_VERSION)",
                remedy: "load the mcos.ko built from the same source as this mcprov", errno: 0)
        }
    }

    /// Whether the control device exists at all, without opening it.
    public static var isLoaded: Bool { FileManager.default.fileExists(atPath: controlDevice) }

    public func info() throws(ModuleError) -> ModuleInfo {
        var request = mcos_info()
        request.size = abiSize(mcos_info.self)
        if case .failure(let code) = device.control(mcos_ioc_get_info, &request) {
            throw .from(code, "query the module")
        }
        return ModuleInfo(
            abiVersion: Int(request.abi_version), cpuIDLimit: Int(request.nr_cpu_ids), nodeIDLimit: Int(request.nr_node_ids),
            maxInstances: Int(request.max_os), instances: Int(request.nr_os), reservedCPUs: Int(request.nr_reserved_cpus),
            reservedBytes: request.reserved_bytes)
    }

    // MARK: CPUs

    /// Takes the CPUs offline and holds them. All or nothing.
    public func reserveCPUs(_ cpus: CPUSet) throws(ModuleError) {
        let operation = "reserve CPUs \(cpus)"
        if case .failure(let code) = device.controlCPUList(mcos_ioc_reserve_cpus, cpus) {
            throw .from(
                code, operation,
                busy: "one of CPUs \(cpus) is already reserved, or Linux refused to take it offline",
                invalid: "one of CPUs \(cpus) does not exist, is offline, or is CPU 0")
        }
    }

    /// Brings the CPUs back online; nil releases every reserved, unassigned CPU.
    public func releaseCPUs(_ cpus: CPUSet?) throws(ModuleError) {
        let operation = cpus.map { "release CPUs \($0)" } ?? "release all CPUs"
        if case .failure(let code) = device.controlCPUList(mcos_ioc_release_cpus, cpus) {
            throw .from(
                code, operation, busy: "a CPU is still assigned to an OS instance",
                invalid: cpus.map { "not all of CPUs \($0) are reserved" })
        }
    }

    public func reservedCPUs() throws(ModuleError) -> [ReservedCPU] {
        var query = mcos_cpu_query()
        query.size = abiSize(mcos_cpu_query.self)
        if case .failure(let code) = device.control(mcos_ioc_query_cpus, &query) { throw .from(code, "query reserved CPUs") }
        var entries = [mcos_cpu_info](repeating: mcos_cpu_info(), count: Int(query.total))
        let result = entries.withUnsafeMutableBufferPointer { buffer -> Result<Int, Errno> in
            query.capacity = UInt32(buffer.count)
            query.info_ptr = UInt64(UInt(bitPattern: buffer.baseAddress))
            return device.control(mcos_ioc_query_cpus, &query)
        }
        if case .failure(let code) = result { throw .from(code, "query reserved CPUs") }
        return entries.prefix(Int(min(query.total, query.capacity))).map {
            ReservedCPU(cpu: Int($0.cpu), apicID: Int($0.apic_id), numaNode: Int($0.node), instance: $0.os < 0 ? nil : Int($0.os))
        }
    }

    // MARK: Memory

    /// Reserves `bytes` on `node` in physically contiguous chunks, the largest order
    /// (MCOS_MEM_MAX_ORDER, 4 MiB) first, none smaller than `4 KiB << minimumOrder`: by
    /// default only the largest, the granule profiles are sized in. All or nothing.
    @discardableResult
    public func reserveMemory(bytes: UInt64, node: Int, minimumOrder: Int = Int(MCOS_MEM_MAX_ORDER)) throws(ModuleError) -> UInt64 {
        var request = mcos_mem_request()
        request.size = abiSize(mcos_mem_request.self)
        request.node = Int32(node)
        request.min_order = UInt32(minimumOrder)
        request.bytes = bytes
        let operation = "reserve \(formatBytes(bytes)) on NUMA \(node)"
        if case .failure(let code) = device.control(mcos_ioc_reserve_mem, &request) {
            throw .from(
                code, operation,
                invalid: "NUMA \(node) does not exist or has no memory, or the size is not a multiple of the chunk size",
                noMemory: "NUMA \(node) could give only \(formatBytes(request.obtained)) in contiguous chunks above its floor; nothing was kept")
        }
        return request.obtained
    }

    /// Returns every unassigned chunk of `node` (all nodes when nil) to Linux.
    @discardableResult
    public func releaseMemory(node: Int?) throws(ModuleError) -> UInt64 {
        var request = mcos_mem_release()
        request.size = abiSize(mcos_mem_release.self)
        request.flags = node == nil ? UInt32(MCOS_F_ALL) : 0
        request.node = Int32(node ?? -1)
        if case .failure(let code) = device.control(mcos_ioc_release_mem, &request) {
            throw .from(code, node.map { "release memory of NUMA \($0)" } ?? "release all memory", busy: "memory is still assigned to an OS instance")
        }
        return request.released
    }

    public func memoryChunks(node: Int? = nil) throws(ModuleError) -> [MemoryChunk] {
        var query = mcos_mem_query()
        query.size = abiSize(mcos_mem_query.self)
        query.node = Int32(node ?? -1)
        if case .failure(let code) = device.control(mcos_ioc_query_mem, &query) { throw .from(code, "query reserved memory") }
        var chunks = [mcos_mem_chunk](repeating: mcos_mem_chunk(), count: Int(query.total))
        let result = chunks.withUnsafeMutableBufferPointer { buffer -> Result<Int, Errno> in
            query.capacity = UInt32(buffer.count)
            query.chunks_ptr = UInt64(UInt(bitPattern: buffer.baseAddress))
            return device.control(mcos_ioc_query_mem, &query)
        }
        if case .failure(let code) = result { throw .from(code, "query reserved memory") }
        return chunks.prefix(Int(min(query.total, query.capacity))).map {
            MemoryChunk(physicalAddress: $0.phys, bytes: $0.bytes, numaNode: Int($0.node), instance: $0.os < 0 ? nil : Int($0.os))
        }
    }

    public func nodeInfo(_ node: Int) throws(ModuleError) -> NodeMemoryInfo {
        var request = mcos_node_info()
        request.size = abiSize(mcos_node_info.self)
        request.node = Int32(node)
        if case .failure(let code) = device.control(mcos_ioc_query_node, &request) {
            throw .from(code, "query NUMA \(node)", invalid: "NUMA \(node) does not exist")
        }
        return NodeMemoryInfo(
            node: node, hasCPUs: request.has_cpu != 0, chunks: Int(request.nr_chunks), managedBytes: request.managed_bytes,
            freeBytes: request.free_bytes, floorBytes: request.floor_bytes, reservedBytes: request.reserved_bytes)
    }

    // MARK: OS instances

    /// Creates an instance and returns its number N (`/dev/mcosN`).
    public func createInstance() throws(ModuleError) -> Int {
        switch device.control(mcos_ioc_create_os) {
        case .success(let index): return index
        case .failure(let code): throw .from(code, "create an OS instance", busy: "the module already has its maximum of instances")
        }
    }

    public func destroyInstance(_ index: Int) throws(ModuleError) {
        var request = mcos_os_id()
        request.size = abiSize(mcos_os_id.self)
        request.index = UInt32(index)
        if case .failure(let code) = device.control(mcos_ioc_destroy_os, &request) {
            throw .from(code, "destroy OS \(index)", busy: "OS \(index) is running or its device is open; shut it down first")
        }
    }

    public func instance(_ index: Int) throws(ModuleError) -> InstanceClient {
        try InstanceClient(index: index)
    }
}

import CMcosABI
import Foundation
import NodeBasics

/// One OS instance's device, `/dev/mcosN`: give it reserved CPUs and memory, load an
/// image, set kernel arguments, boot, shut down, and read its log.
public final class InstanceClient {
    public let index: Int
    private let device: DeviceFile

    init(index: Int) throws(ModuleError) {
        self.index = index
        device = try DeviceFile(path: "/dev/mcos\(index)", operation: "open OS \(index)")
    }

    public func assignCPUs(_ cpus: CPUSet) throws(ModuleError) {
        try cpuListCall(mcos_ioc_assign_cpus, cpus, "assign CPUs \(cpus) to OS \(index)",
                        busy: "a CPU is assigned elsewhere or the OS is running", invalid: "not all of CPUs \(cpus) are reserved")
    }

    public func unassignCPUs(_ cpus: CPUSet?) throws(ModuleError) {
        try cpuListCall(mcos_ioc_unassign_cpus, cpus, cpus.map { "unassign CPUs \($0) from OS \(index)" } ?? "unassign all CPUs from OS \(index)",
                        busy: "OS \(index) is running", invalid: "not all of those CPUs belong to OS \(index)")
    }

    /// Assigns whole reserved chunks of `node` until at least `bytes` are assigned; nil
    /// assigns every unassigned chunk of the node.
    @discardableResult
    public func assignMemory(node: Int, bytes: UInt64?) throws(ModuleError) -> UInt64 {
        var request = mcos_mem_assign()
        request.size = abiSize(mcos_mem_assign.self)
        request.flags = bytes == nil ? UInt32(MCOS_F_ALL) : 0
        request.node = Int32(node)
        request.bytes = bytes ?? 0
        let operation = "assign \(bytes.map(formatBytes) ?? "all reserved memory") on NUMA \(node) to OS \(index)"
        if case .failure(let code) = device.control(mcos_ioc_assign_mem, &request) {
            throw .from(code, operation, busy: "OS \(index) is running", noMemory: "not enough reserved, unassigned memory on NUMA \(node)")
        }
        return request.assigned
    }

    public func unassignMemory(node: Int?) throws(ModuleError) {
        var request = mcos_mem_unassign()
        request.size = abiSize(mcos_mem_unassign.self)
        request.flags = node == nil ? UInt32(MCOS_F_ALL) : 0
        request.node = Int32(node ?? -1)
        if case .failure(let code) = device.control(mcos_ioc_unassign_mem, &request) {
            throw .from(code, "unassign memory from OS \(index)", busy: "OS \(index) is running")
        }
    }

    /// Copies an image into the instance's memory; returns its entry point.
    @discardableResult
    public func load(image: [UInt8], name: String) throws(ModuleError) -> UInt64 {
        var request = mcos_load()
        request.size = abiSize(mcos_load.self)
        let result = image.withUnsafeBytes { bytes -> Result<Int, Errno> in
            request.image_ptr = UInt64(UInt(bitPattern: bytes.baseAddress))
            request.image_bytes = UInt64(bytes.count)
            return device.control(mcos_ioc_load, &request)
        }
        if case .failure(let code) = result {
            if code.value == ENOEXEC {
                throw ModuleError(
                    kind: .invalidArgument, operation: "load \(name) into OS \(index)",
                    message: "\(name) is not an LWK image (an x86-64 ELF executable)", remedy: "build the LWK with `make kernel`", errno: code.value)
            }
            throw .from(code, "load \(name) into OS \(index)", noMemory: "the image does not fit in the memory assigned to OS \(index)")
        }
        return request.entry
    }

    public func setKernelArguments(_ arguments: String) throws(ModuleError) {
        var text = Array(arguments.utf8CString).map { UInt8(bitPattern: $0) }
        let result = text.withUnsafeMutableBufferPointer { buffer -> Result<Int, Errno> in
            var request = mcos_kargs()
            request.size = abiSize(mcos_kargs.self)
            request.len = UInt32(buffer.count)
            request.args_ptr = UInt64(UInt(bitPattern: buffer.baseAddress))
            return device.control(mcos_ioc_set_kargs, &request)
        }
        if case .failure(let code) = result {
            throw .from(code, "set kernel arguments of OS \(index)", busy: "OS \(index) is running",
                        invalid: "the arguments are longer than \(MCOS_KARGS_MAX - 1) bytes")
        }
    }

    /// Starts the LWK and waits (in the module, up to 10 s) until it reports running.
    public func boot() throws(ModuleError) {
        guard case .failure(let code) = device.control(mcos_ioc_boot) else { return }
        let operation = "boot OS \(index)"
        let log = "the LWK's log (`mcprov kmsg --instance \(index)`) says why"
        switch code.value {
        case ENOEXEC:
            throw ModuleError(kind: .invalidArgument, operation: operation, message: "the loaded image is not an LWK image",
                              remedy: "build the LWK with `make kernel`; \(log)", errno: code.value)
        case EOPNOTSUPP:
            throw ModuleError(kind: .incompatible, operation: operation, message: "this kernel's trampoline cannot start an LWK",
                              remedy: "load mcos.ko with real_mode_header=0x<address from /proc/kallsyms>; dmesg gives the reason", errno: code.value)
        case ENOSPC:
            throw ModuleError(kind: .outOfMemory, operation: operation, message: "OS \(index) has too little memory for the LWK image and its tables",
                              remedy: "give the instance more memory", errno: code.value)
        case EIO:
            throw ModuleError(kind: .other, operation: operation, message: "the LWK panicked while booting",
                              remedy: log, errno: code.value)
        case ETIMEDOUT:
            throw ModuleError(kind: .other, operation: operation, message: "the LWK did not report running in time",
                              remedy: log, errno: code.value)
        default:
            throw .from(code, operation, busy: "OS \(index) is already running or booting",
                        invalid: "OS \(index) has no CPU, or no image is loaded")
        }
    }

    public func shutdown() throws(ModuleError) {
        if case .failure(let code) = device.control(mcos_ioc_shutdown) { throw .from(code, "shut down OS \(index)") }
    }

    public func status() throws(ModuleError) -> InstanceStatus {
        var request = mcos_os_status()
        request.size = abiSize(mcos_os_status.self)
        if case .failure(let code) = device.control(mcos_ioc_status, &request) { throw .from(code, "query OS \(index)") }
        let state: InstanceState
        switch Int(request.state) {
        case Int(MCOS_OS_INACTIVE.rawValue): state = .inactive
        case Int(MCOS_OS_BOOTING.rawValue): state = .booting
        case Int(MCOS_OS_RUNNING.rawValue): state = .running
        case Int(MCOS_OS_SHUTDOWN.rawValue): state = .shutdown
        case Int(MCOS_OS_PANIC.rawValue): state = .panic
        case Int(MCOS_OS_HUNGUP.rawValue): state = .hungup
        case Int(MCOS_OS_LOADED.rawValue): state = .loaded
        default: state = .unknown
        }
        return InstanceStatus(
            index: Int(request.index), state: state, cpus: Int(request.nr_cpus), memoryBytes: request.mem_bytes,
            imageBytes: request.image_bytes, entry: request.entry, kernelArgsLength: Int(request.kargs_len), kmsgBytes: Int(request.kmsg_bytes),
            uptimeSeconds: state == .running ? Double(request.running_ns) / 1e9 : nil)
    }

    /// The LWK's log as far as it is buffered.
    public func kernelMessages() throws(ModuleError) -> String {
        var buffer = [UInt8](repeating: 0, count: Int(MCOS_KMSG_SIZE))
        var copied = 0
        let result = buffer.withUnsafeMutableBufferPointer { bytes -> Result<Int, Errno> in
            var request = mcos_kmsg_read()
            request.size = abiSize(mcos_kmsg_read.self)
            request.buf_ptr = UInt64(UInt(bitPattern: bytes.baseAddress))
            request.buf_len = UInt32(bytes.count)
            let result = device.control(mcos_ioc_kmsg_read, &request)
            copied = Int(request.copied)
            return result
        }
        if case .failure(let code) = result {
            let operation = "read the log of OS \(index)"
            // The module keeps the LWK's log (pids, addresses) from users, as dmesg_restrict does.
            if code.value == EPERM {
                throw ModuleError(
                    kind: .permissionDenied, operation: operation, message: "kmsg needs root (or CAP_SYSLOG)",
                    remedy: "see mcos.kmsg_restrict: root may open the LWK's log to everyone with "
                        + "`echo 0 > /sys/module/mcos/parameters/kmsg_restrict`",
                    errno: code.value)
            }
            throw .from(code, operation)
        }
        // The ring may hold NUL padding between records; text is what matters.
        return String(decoding: buffer.prefix(copied).filter { $0 != 0 }, as: UTF8.self)
    }

    public func clearKernelMessages() throws(ModuleError) {
        if case .failure(let code) = device.control(mcos_ioc_kmsg_clear) { throw .from(code, "clear the log of OS \(index)") }
    }

    private func cpuListCall(_ request: UInt, _ cpus: CPUSet?, _ operation: String, busy: String, invalid: String) throws(ModuleError) {
        if case .failure(let code) = device.controlCPUList(request, cpus) {
            throw ModuleError.from(code, operation, busy: busy, invalid: invalid)
        }
    }
}

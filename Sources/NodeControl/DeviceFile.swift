import CMcosABI
import Foundation
import NodeBasics

/// An open device file; closed when the last reference goes.
final class DeviceFile {
    let path: String
    let descriptor: Int32

    /// Opens read-write when allowed, read-only otherwise (queries need no more), so
    /// that a non-root admin can still look.
    init(path: String, operation: String) throws(ModuleError) {
        self.path = path
        var fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0, errno == EACCES || errno == EPERM {
            fd = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENXIO || code == ENODEV {
                if path == ModuleClient.controlDevice { throw .notLoaded(operation) }
                throw ModuleError(
                    kind: .noSuchInstance, operation: operation, message: "\(path) does not exist",
                    remedy: "list instances with `mcprov module query`", errno: code)
            }
            throw ModuleError.from(code, operation)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Issues an ioctl with `argument` passed by address; returns the ioctl's result.
    @discardableResult
    func control<Argument>(_ request: UInt, _ argument: inout Argument) -> Result<Int, Errno> {
        let result = withUnsafeMutablePointer(to: &argument) { ioctl(descriptor, request, $0) }
        return result < 0 ? .failure(Errno(value: errno)) : .success(Int(result))
    }

    /// An ioctl without argument.
    @discardableResult
    func control(_ request: UInt) -> Result<Int, Errno> {
        let result = ioctl(descriptor, request)
        return result < 0 ? .failure(Errno(value: errno)) : .success(Int(result))
    }
}

extension DeviceFile {
    /// An ioctl taking a `mcos_cpu_list`: the given CPUs, or every one (MCOS_F_ALL) for nil.
    func controlCPUList(_ request: UInt, _ cpus: CPUSet?) -> Result<Int, Errno> {
        var numbers = (cpus ?? CPUSet()).members.map { UInt32($0) }
        return numbers.withUnsafeMutableBufferPointer { buffer -> Result<Int, Errno> in
            var list = mcos_cpu_list()
            list.size = abiSize(mcos_cpu_list.self)
            list.flags = cpus == nil ? UInt32(MCOS_F_ALL) : 0
            list.count = cpus == nil ? 0 : UInt32(buffer.count)
            list.cpus_ptr = cpus == nil ? 0 : UInt64(UInt(bitPattern: buffer.baseAddress))
            return control(request, &list)
        }
    }
}

/// The `size` field every ABI struct starts with.
func abiSize<T>(_ type: T.Type) -> UInt32 { UInt32(MemoryLayout<T>.size) }

/// An errno returned by an ioctl.
struct Errno: Error {
    var value: Int32
}

extension ModuleError {
    static func from(_ code: Errno, _ operation: String, busy: String? = nil, invalid: String? = nil, noMemory: String? = nil) -> ModuleError {
        from(code.value, operation, busy: busy, invalid: invalid, noMemory: noMemory)
    }
}

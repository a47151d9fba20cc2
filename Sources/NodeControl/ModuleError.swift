import Foundation

/// A failed operation on the kernel module, said so that an admin knows which resource
/// is at fault and what to do.
public struct ModuleError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case notLoaded, permissionDenied, busy, outOfMemory, invalidArgument, noSuchInstance, incompatible, other
    }

    public var kind: Kind
    /// The operation, e.g. "reserve CPUs 2-3".
    public var operation: String
    /// What went wrong, naming the resource.
    public var message: String
    public var remedy: String
    public var errno: Int32

    public var description: String { "\(operation): \(message)\n  hint: \(remedy)" }

    public init(kind: Kind, operation: String, message: String, remedy: String, errno: Int32) {
        self.kind = kind
        self.operation = operation
        self.message = message
        self.remedy = remedy
        self.errno = errno
    }

    public static func notLoaded(_ operation: String) -> ModuleError {
        ModuleError(
            kind: .notLoaded, operation: operation,
            message: "kernel module not loaded (\(ModuleClient.controlDevice) does not exist)",
            remedy: "load it with `insmod mcos.ko real_mode_header=0x$(awk '$3 == \"real_mode_header\" {print $1}' /proc/kallsyms)` (build it with `make kmod`; the address lets it boot LWKs)", errno: ENOENT)
    }

    /// The usual reading of an errno from the module; operations refine it where they
    /// know more (which CPU, which node).
    static func from(_ code: Int32, _ operation: String, busy: String? = nil, invalid: String? = nil, noMemory: String? = nil) -> ModuleError {
        let reason = String(cString: strerror(code))
        switch code {
        case EPERM, EACCES:
            return ModuleError(
                kind: .permissionDenied, operation: operation, message: "permission denied",
                remedy: "changing the node needs root (CAP_SYS_ADMIN); queries do not", errno: code)
        case EBUSY:
            return ModuleError(
                kind: .busy, operation: operation, message: busy ?? "the resource is busy",
                remedy: "see `mcprov module query` for what is reserved and assigned", errno: code)
        case ENOMEM:
            return ModuleError(
                kind: .outOfMemory, operation: operation, message: noMemory ?? "not enough memory",
                remedy: "ask for less, or free memory on the node (drop caches, compact) and retry", errno: code)
        case EINVAL, ERANGE, E2BIG:
            return ModuleError(
                kind: .invalidArgument, operation: operation, message: invalid ?? "the module refused the arguments (\(reason))",
                remedy: "check CPU numbers, NUMA nodes and sizes against `mcprov topology`", errno: code)
        case ENODEV, ENXIO:
            return ModuleError(
                kind: .noSuchInstance, operation: operation, message: "no such OS instance",
                remedy: "list instances with `mcprov module query`", errno: code)
        case ENOTTY:
            return ModuleError(
                kind: .incompatible, operation: operation, message: "the loaded module does not know this request",
                remedy: "load the mcos.ko built from the same source as this mcprov", errno: code)
        default:
            return ModuleError(
                kind: .other, operation: operation, message: reason,
                remedy: "see the kernel log (dmesg) for the module's own message", errno: code)
        }
    }
}

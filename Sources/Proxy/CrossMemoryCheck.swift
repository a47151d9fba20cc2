import CMcosABI
import Glibc
import Kernel

/// MCOS_PROXY_CMA_ALLOWED: before the LWK copies between two of its programs for
/// process_vm_readv or process_vm_writev, whether Linux would let this program reach
/// the other one, asked about the other program's mcexec (whose pid is the program's).
/// Opening its /proc/PID/mem takes ptrace's access check, as process_vm_readv does
/// (the same user, not made undumpable, and what Yama's ptrace_scope allows).
enum CrossMemoryCheck {
    static func allowed(pid: UInt64, writing: Bool) -> Int64 {
        guard let pid = Int32(exactly: pid), pid > 0 else { return -Errno.srch }
        let fd = open("/proc/\(pid)/mem", (writing ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: return -Errno.srch
            case EACCES, EPERM: return -Errno.perm
            default: return -Int64(errno)
            }
        }
        close(fd)
        return 0
    }
}

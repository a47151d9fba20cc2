import CMcexec
import Glibc
import Kernel

/// MCOS_PROXY_CMA_ALLOWED: before the LWK copies between two of its programs for
/// process_vm_readv or process_vm_writev, whether Linux would let this program reach
/// the other one, asked about the other program's mcexec (whose pid is the program's).
/// Linux's own call answers: it checks ptrace's access (the same user, not made
/// undumpable, what Yama's ptrace_scope allows) before it touches any memory, and then
/// fails with EFAULT at an address no process can map, so nothing is read or written.
/// (Opening /proc/PID/mem checks the same, but with the file-system credentials, not
/// the real ones, and at the cost of a path walk: it took twice as long.)
/// `linuxProcess`: the LWK has no program of that pid and would pass the call on to be
/// made here; refused with ENOSYS if the process runs mcexec (another LWK's program,
/// or one ending): its memory is a proxy's, not a program's.
enum CrossMemoryCheck {
    /// Above every user address, with 4-level and 5-level page tables alike.
    private static let unmappable = 1 << 63

    static func allowed(pid: UInt64, writing: Bool, linuxProcess: Bool = false) -> Int64 {
        guard let pid = Int32(exactly: pid), pid > 0 else { return -Errno.srch }
        var remote: (Int, Int) = (unmappable, 1)  // struct iovec
        var byte: UInt8 = 0
        let call = writing ? Syscall.processVmWritev : Syscall.processVmReadv
        let result = withUnsafeMutablePointer(to: &byte) { local in
            var vector: (Int, Int) = (Int(bitPattern: local), 1)
            return withUnsafePointer(to: &vector) { local in
                withUnsafePointer(to: &remote) { remote in
                    mcexec_raw_syscall(Int(call.rawValue), Int(pid), Int(bitPattern: local), 1, Int(bitPattern: remote), 1, 0)
                }
            }
        }
        // EFAULT: past the access check, so allowed.
        guard result >= 0 || result == -Int(Errno.fault.rawValue) else {
            return result == -Int(Errno.acces.rawValue) ? -Errno.perm : Int64(result)
        }
        return linuxProcess && runsMcexec(pid) ? -Errno.noSys : 0
    }

    /// Whether process `pid` runs the same executable file as this one.
    static func runsMcexec(_ pid: Int32) -> Bool {
        var mine = stat(), theirs = stat()
        guard stat("/proc/self/exe", &mine) == 0, stat("/proc/\(pid)/exe", &theirs) == 0 else { return false }
        return mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino
    }
}

import CLinuxSignalABI

/// Linux's signal ABI as the host's headers define it (Tests/CLinuxSignalABI), each
/// value under its C spelling: `kernel` from the kernel's UAPI headers, `glibc` from
/// <signal.h> and <sys/ucontext.h>.
enum LinuxSignalHeaders {
    static let kernel = table(linux_signal_abi_kernel)
    static let glibc = table(linux_signal_abi_glibc)

    static func table(_ view: (UnsafeMutablePointer<UInt>?) -> UnsafePointer<linux_abi_value>?) -> [String: Int64] {
        var count: UInt = 0
        guard let values = view(&count) else { return [:] }
        var table: [String: Int64] = [:]
        for index in 0..<Int(count) { table[String(cString: values[index].name)] = values[index].value }
        return table
    }
}

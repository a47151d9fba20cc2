import CMcexec
import Glibc
import Kernel

/// Performs a prepared call in mcexec's process: places the checked copies, hands the
/// call to Linux with the raw syscall instruction, and gives the program what Linux
/// wrote into the copies.
enum OffloadedCall {
    static func perform(_ call: PreparedCall, memory: some ProgramMemory) -> Int64 {
        var scratch = call.scratch
        let result = scratch.withUnsafeMutableBytes { buffer -> Int64 in
            let base = UInt64(UInt(bitPattern: buffer.baseAddress))
            for offset in call.relocations {
                buffer.storeBytes(of: base + call.scratch.word(at: offset), toByteOffset: offset, as: UInt64.self)
            }
            let arguments = call.arguments.map { passed -> UInt64 in
                switch passed {
                case .value(let value): return value
                case .scratch(let offset): return base + UInt64(offset)
                }
            }
            return raw(call.number, arguments)
        }
        guard result >= 0 else { return result }
        for back in call.copyBack where back.isWritten(result: result) {
            _ = memory.write(Array(scratch[back.scratch]), to: back.address)
        }
        if call.opensByPath && isProcessMemory(Int32(truncatingIfNeeded: result)) {
            close(Int32(truncatingIfNeeded: result))
            return -Errno.acces
        }
        return result
    }

    static func raw(_ number: UInt32, _ a: [UInt64]) -> Int64 {
        func argument(_ i: Int) -> Int { Int(bitPattern: UInt(a[i])) }
        return Int64(mcexec_raw_syscall(Int(number), argument(0), argument(1), argument(2), argument(3), argument(4), argument(5)))
    }

    /// Whether `descriptor` is a /proc/<pid>/mem file (`ProcessMemoryFile`).
    private static func isProcessMemory(_ descriptor: Int32) -> Bool {
        // struct statfs: 120 bytes, f_type first.
        var info = [UInt64](repeating: 0, count: 15)
        let got = info.withUnsafeMutableBytes { raw(Syscall.fstatfs.rawValue, [UInt64(descriptor), UInt64(UInt(bitPattern: $0.baseAddress)), 0, 0, 0, 0]) }
        let type = Int64(bitPattern: info[0])
        guard got == 0, type == ProcessMemoryFile.procfsType else { return false }
        var path = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/fd/\(descriptor)", &path, path.count - 1)
        // Unnamed on procfs: refused, since it cannot be told apart.
        guard length > 0 else { return true }
        return ProcessMemoryFile.matches(fileSystemType: type, path: String(decoding: path.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

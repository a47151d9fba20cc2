import Glibc
import Kernel

/// `ProgramMemory` through a pipe of mcexec's own: writing the program's bytes into it
/// makes Linux read them (EFAULT, not SIGBUS, where the LWK has no page), and reading
/// from it into the program's memory makes Linux write them. One per proxy thread; the
/// pipe is always left empty. Each round moves what Linux managed to: less than asked
/// when the pipe is small (a user over pipe-user-pages-soft gets pipes of a page or two)
/// or when a page faults part-way, and then the next round starts at that page and fails.
final class PipedProgramMemory: ProgramMemory {
    let readEnd: Int32, writeEnd: Int32
    /// Less than a pipe holds (64 KiB), so that a write never waits.
    private static let chunk = 32 << 10

    /// A pipe whose ends are moved to `floor` or above, out of the program's way; nil,
    /// with errno set, when Linux makes none.
    init?(descriptorFloor floor: Int32) {
        var ends: [Int32] = [0, 0]
        let made = ends.withUnsafeMutableBytes {
            OffloadedCall.raw(Syscall.pipe2.rawValue, [UInt64(UInt(bitPattern: $0.baseAddress)), UInt64(O_CLOEXEC | O_NONBLOCK), 0, 0, 0, 0])
        }
        guard made == 0 else {
            errno = Int32(truncatingIfNeeded: -made)  // the raw instruction leaves errno alone
            return nil
        }
        readEnd = Launcher.movedOutOfTheWay(ends[0], floor: floor)
        writeEnd = Launcher.movedOutOfTheWay(ends[1], floor: floor)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    var descriptors: Set<Int32> { [readEnd, writeEnd] }

    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let written = Glibc.write(writeEnd, UnsafeRawPointer(bitPattern: UInt(address) &+ UInt(done)), min(Self.chunk, count - done))
            guard written > 0 else { return nil }
            let got = bytes.withUnsafeMutableBytes { Glibc.read(readEnd, $0.baseAddress! + done, written) }
            guard got == written else { drain(); return nil }
            done += written
        }
        return bytes
    }

    func write(_ bytes: [UInt8], to address: UInt64) -> Bool {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(writeEnd, $0.baseAddress! + done, min(Self.chunk, bytes.count - done)) }
            guard written > 0 else { return false }
            let got = Glibc.read(readEnd, UnsafeMutableRawPointer(bitPattern: UInt(address) &+ UInt(done)), written)
            guard got == written else { drain(); return false }
            done += written
        }
        return true
    }

    private func drain() {
        var sink = [UInt8](repeating: 0, count: 4096)
        while sink.withUnsafeMutableBytes({ Glibc.read(readEnd, $0.baseAddress!, $0.count) }) > 0 {}
    }
}

import Foundation
import NodeBasics

/// One change to the node at a time. An exclusive flock(2) on a file in the state
/// directory, with the holder's description written into it so that a waiter can say
/// who holds it. The kernel drops the lock when the holder dies, even by `kill -9`.
public final class ApplyLock {
    public struct Busy: Error, CustomStringConvertible {
        public var holder: String
        public var waited: TimeInterval
        public var description: String {
            "another mcprov holds the node lock (\(holder)); gave up after \(Int(waited)) s\n  hint: wait for it to finish, or raise --lock-timeout; the lock goes away by itself when that process ends"
        }
    }

    private let descriptor: Int32

    /// Waits up to `timeout` seconds for the lock. The state directory must pass
    /// `StateDirectoryGuard`; the lock file is never opened through a link.
    public init(directory: URL, purpose: String, timeout: TimeInterval) throws {
        try StateDirectoryGuard.prepare(directory)
        let url = directory.appendingPathComponent("lock")
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard fd >= 0 else { throw StateFileError(url, errno: errno, writing: true) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw StateFileError(path: url.path, problem: "is not a regular file", remedy: "remove it; mcprov makes its lock file itself")
        }
        let start = Date()
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let waited = Date().timeIntervalSince(start)
            if waited >= timeout {
                let holder = Self.holder(fd) ?? "unknown holder"
                close(fd)
                throw Busy(holder: holder, waited: waited)
            }
            usleep(100_000)
        }
        descriptor = fd
        let text = "pid \(getpid()), \(purpose), since \(ISO8601DateFormatter().string(from: Date()))\n"
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(descriptor, 0)
        close(descriptor)  // releases the flock
    }

    static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import Foundation

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

    /// Waits up to `timeout` seconds for the lock.
    public init(directory: URL, purpose: String, timeout: TimeInterval) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
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

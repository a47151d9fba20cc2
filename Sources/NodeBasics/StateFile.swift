import Foundation

/// A state file or directory mcprov will not use, with what to do about it.
public struct StateFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var problem: String
    public var remedy: String

    public init(path: String, problem: String, remedy: String) {
        self.path = path
        self.problem = problem
        self.remedy = remedy
    }

    /// A file that could not be opened, read or written.
    public init(_ url: URL, errno code: Int32, writing: Bool) {
        if code == ELOOP {
            self.init(path: url.path, problem: "is a symbolic link", remedy: "remove it; mcprov never follows links in its state directory")
        } else {
            self.init(path: url.path, problem: "cannot be \(writing ? "written" : "read"): \(String(cString: strerror(code)))",
                      remedy: "mcprov changes the node as root; check the state directory")
        }
    }

    public var description: String { "\(path): \(problem)\n  hint: \(remedy)" }
}

/// The files of the state directory: read never through a symbolic link (whoever
/// planted it would choose what mcprov reads) and only when regular, written whole.
public enum StateFile {
    /// The file's bytes, or nil when it does not exist.
    public static func read(_ url: URL) throws(StateFileError) -> Data? {
        let fd = open(url.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw StateFileError(url, errno: code, writing: false)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw StateFileError(path: url.path, problem: "is not a regular file",
                                 remedy: "remove it; mcprov writes its state files itself")
        }
        guard let data = readAll(fd) else { throw StateFileError(url, errno: errno, writing: false) }
        return data
    }

    /// The file decoded, nil when it does not exist; one that does not decode is an
    /// error naming it, never taken for an empty one.
    public static func decode<Value: Decodable>(
        _ type: Value.Type, from url: URL, decoder: JSONDecoder = JSONDecoder(), holds what: String
    ) throws(StateFileError) -> Value? {
        guard let data = try read(url) else { return nil }
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw StateFileError(
                path: url.path, problem: "cannot be read as \(what) (\(error.localizedDescription))",
                remedy: "it was damaged or written by something else; move it away (mv \(url.path) \(url.path).bad) and run mcprov again")
        }
    }

    /// Replaces the file at `url` whole: a temporary file beside it, written and synced,
    /// renamed over it, and the directory synced, so that a crash leaves the old file
    /// or the new one, never part of one. Links are neither followed nor written through.
    public static func write(_ data: Data, to url: URL) throws(StateFileError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        unlink(temporary.path)
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateFileError(url, errno: errno, writing: true) }
        let written = data.withUnsafeBytes { writeAll(fd, $0) }
        let synced = written && fsync(fd) == 0
        let code = errno
        close(fd)
        guard synced, rename(temporary.path, url.path) == 0 else {
            let failed = synced ? errno : code
            unlink(temporary.path)
            throw StateFileError(url, errno: failed, writing: true)
        }
        syncDirectory(directory)
    }

    /// Removes the file (a missing one is fine) and syncs its directory.
    public static func remove(_ url: URL) throws(StateFileError) {
        guard unlink(url.path) == 0 || errno == ENOENT else { throw StateFileError(url, errno: errno, writing: true) }
        syncDirectory(url.deletingLastPathComponent())
    }

    private static func syncDirectory(_ directory: URL) {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

}

/// Everything left to read from `fd`; nil on an error (errno says which).
private func readAll(_ fd: Int32) -> Data? {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { return nil }
        if count == 0 { return data }
        data.append(contentsOf: buffer.prefix(count))
    }
}

/// Writes all of `bytes` to `fd`, again after EINTR and short writes; false on an error
/// or a write of nothing.
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var done = 0
    while done < bytes.count {
        let count = write(fd, bytes.baseAddress! + done, bytes.count - done)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { return false }
        done += count
    }
    return true
}

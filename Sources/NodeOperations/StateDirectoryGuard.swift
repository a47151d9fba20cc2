import Foundation
import NodeBasics

/// The state directory as mcprov, which changes the node as root, will use it: a real
/// directory (not a link), owned by root (or by the user mcprov runs as, who can only
/// harm themselves), that nobody else may write. Anyone who could change its files
/// could choose what teardown writes back into /proc/irq or which CPUs a plan takes.
public enum StateDirectoryGuard {
    /// Creates the directory when it is missing (0755) and refuses one that fails the
    /// rules above.
    public static func prepare(_ directory: URL) throws(StateFileError) {
        if !exists(directory) {
            let parent = directory.deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            if mkdir(directory.path, 0o755) != 0 && errno != EEXIST {
                throw StateFileError(path: directory.path, problem: "cannot be created: \(String(cString: strerror(errno)))",
                                     remedy: "mcprov changes the node as root; run it as root, or set MCPROV_STATE_DIR")
            }
        }
        try check(directory)
    }

    /// Refuses a directory that fails the rules; one that does not exist passes (a
    /// reader then finds nothing in it).
    public static func check(_ directory: URL) throws(StateFileError) {
        var info = stat()
        guard lstat(directory.path, &info) == 0 else { return }
        if let problem = problem(mode: UInt32(info.st_mode), owner: info.st_uid, user: geteuid()) {
            throw StateFileError(
                path: directory.path, problem: problem,
                remedy: "mcprov keeps its state only where nobody else can change it: remove it (mcprov makes a new one) "
                    + "or make it root's own: chown root:root \(directory.path); chmod 755 \(directory.path)")
        }
    }

    /// What is wrong with a directory of this mode and owner for mcprov run by `user`.
    static func problem(mode: UInt32, owner: uid_t, user: uid_t) -> String? {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFLNK): return "is a symbolic link"
        case UInt32(S_IFDIR): break
        default: return "is not a directory"
        }
        if owner != 0 && owner != user { return "belongs to uid \(owner), not to root" }
        if mode & 0o022 != 0 { return "may be written by others (mode \(String(mode & 0o7777, radix: 8)))" }
        return nil
    }

    private static func exists(_ directory: URL) -> Bool {
        var info = stat()
        return lstat(directory.path, &info) == 0
    }
}

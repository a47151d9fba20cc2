/// /proc/<pid>/mem and /proc/<pid>/task/<tid>/mem give whoever opens them a process's
/// memory by offset. Opened by a program through mcexec, /proc/self/mem would be
/// mcexec's memory, past every pointer check; so a descriptor just opened by path that
/// is such a file (on procfs, for any process: an LWK program has no business in
/// another's memory) is closed and the open fails with EACCES, as if Linux had refused it.
enum ProcessMemoryFile {
    /// PROC_SUPER_MAGIC, statfs(2)'s f_type of procfs.
    static let procfsType: Int64 = 0x9fa0

    /// Whether an opened file, known by its file system type and the path Linux gives
    /// for it (readlink of /proc/self/fd/N), is a process's memory.
    static func matches(fileSystemType: Int64, path: String) -> Bool {
        guard fileSystemType == procfsType else { return false }
        // …/<pid>/mem or …/<pid>/task/<tid>/mem, wherever procfs is mounted.
        let parts = path.split(separator: "/")
        guard parts.count >= 2, parts.last == "mem" else { return false }
        return parts[parts.count - 2].allSatisfy(\.isASCIIDigit)
    }
}

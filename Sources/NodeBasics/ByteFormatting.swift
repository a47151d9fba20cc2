/// Sizes for humans, in binary units as `free -h` and `numactl -H` print them:
/// `16 GiB`, `15.7 GiB`, `512 MiB`.
public func formatBytes(_ bytes: UInt64) -> String {
    let units: [(String, UInt64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
    for (name, size) in units where bytes >= size {
        if bytes % size == 0 { return "\(bytes / size) \(name)" }
        let tenths = (bytes * 10 + size / 2) / size
        return "\(tenths / 10).\(tenths % 10) \(name)"
    }
    return "\(bytes) B"
}

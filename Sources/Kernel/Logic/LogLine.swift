/// Lines of the LWK's kernel log, in McKernel's shape: `[  3]: message`, the number being
/// the LWK CPU that wrote it (-1 before per-CPU state exists).
public enum LogLine {
    public static func format(cpu: Int, _ message: String) -> String {
        "[\(padded(cpu, width: 3))]: \(message)\n"
    }

    /// `0x00000000fee00000`-style hexadecimal, zero-padded to `digits`.
    public static func hex(_ value: UInt64, digits: Int = 16) -> String {
        let text = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Right-aligned decimal.
    public static func padded(_ value: Int, width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// CPUs in the kernel's list syntax: ascending runs, `0-3,8,10-11`.
    public static func cpuList(_ cpus: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        let sorted = cpus.sorted()
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// Bytes as McKernel prints them: exact count, then a MiB figure for humans.
    public static func bytes(_ value: UInt64) -> String {
        "\(value) bytes (\(value >> 20) MiB)"
    }
}

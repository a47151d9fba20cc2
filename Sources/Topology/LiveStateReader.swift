import Foundation
import NodeBasics

/// Reads what changes while the machine runs, from sysfs.
enum LiveStateReader {
    static let sysfs = "/sys/devices/system"

    static func read() -> LiveState {
        let online = readCPUList("\(sysfs)/cpu/online") ?? CPUSet()
        let present = readCPUList("\(sysfs)/cpu/present") ?? online
        var free: [Int: UInt64] = [:]
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: "\(sysfs)/node")) ?? []
        for name in nodes where name.hasPrefix("node") {
            guard let index = Int(name.dropFirst(4)),
                  let meminfo = try? String(contentsOfFile: "\(sysfs)/node/\(name)/meminfo", encoding: .utf8),
                  let bytes = memFree(fromNodeMeminfo: meminfo)
            else { continue }
            free[index] = bytes
        }
        return LiveState(presentCPUs: present, onlineCPUs: online, freeBytes: free)
    }

    static func readCPUList(_ path: String) -> CPUSet? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return try? CPUSet(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `Node 1 MemFree:        16213252 kB` → bytes.
    static func memFree(fromNodeMeminfo text: String) -> UInt64? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count >= 4, fields[2] == "MemFree:", let kib = UInt64(fields[3]) {
                return kib * 1024
            }
        }
        return nil
    }
}

import Foundation
import NodeBasics

/// irqbalance would spread device interrupts back onto the LWK CPUs. When it runs (as a
/// systemd service), apply restarts it with those CPUs banned through
/// IRQBALANCE_BANNED_CPULIST in the service manager's environment, as McKernel's
/// mcreboot does with its own mechanism; teardown lifts the ban and restarts it again.
public struct IRQBalance {
    /// Runs a command; returns its exit status.
    public typealias Runner = ([String]) -> Int32

    let run: Runner

    public init(run: @escaping Runner = IRQBalance.execute) {
        self.run = run
    }

    public var isActive: Bool { run(["systemctl", "is-active", "--quiet", "irqbalance"]) == 0 }

    @discardableResult
    public func ban(_ cpus: CPUSet) -> Bool {
        run(["systemctl", "set-environment", "IRQBALANCE_BANNED_CPULIST=\(cpus)"]) == 0
            && run(["systemctl", "restart", "irqbalance"]) == 0
    }

    @discardableResult
    public func unban() -> Bool {
        run(["systemctl", "unset-environment", "IRQBALANCE_BANNED_CPULIST"]) == 0
            && run(["systemctl", "restart", "irqbalance"]) == 0
    }

    public static func execute(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return 127 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension StateStore {
    var irqBalanceURL: URL { directory.appendingPathComponent("irqbalance-banned") }

    /// Remembers that irqbalance was restarted with a ban, for teardown.
    public func noteIRQBalanceBan(_ cpus: CPUSet) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try cpus.description.write(to: irqBalanceURL, atomically: true, encoding: .utf8)
    }

    public var irqBalanceBan: String? {
        try? String(contentsOf: irqBalanceURL, encoding: .utf8)
    }

    public func clearIRQBalanceBan() {
        try? FileManager.default.removeItem(at: irqBalanceURL)
    }
}

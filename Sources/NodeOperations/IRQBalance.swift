import Foundation
import NodeBasics

/// irqbalance would spread device interrupts back onto the LWK CPUs. When it runs (as a
/// systemd service), apply restarts it with those CPUs banned through
/// IRQBALANCE_BANNED_CPULIST in the service manager's environment, as McKernel's
/// mcreboot does with its own mechanism; teardown lifts the ban and restarts it again.
public struct IRQBalance {
    /// Runs a command (the program's absolute path first); returns its exit status.
    public typealias Runner = ([String]) -> Int32

    /// Where systemctl may be. Never looked up in PATH: mcprov runs as root, and a PATH
    /// entry someone else can write would choose what it runs.
    public static let systemctlPaths = ["/usr/bin/systemctl", "/bin/systemctl"]

    /// systemctl's path, nil without systemd (then irqbalance is not a service here).
    let systemctl: String?
    let run: Runner

    public init(systemctl: String? = IRQBalance.findSystemctl(), run: @escaping Runner = IRQBalance.execute) {
        self.systemctl = systemctl
        self.run = run
    }

    /// The first of `systemctlPaths` that is an executable file.
    public static func findSystemctl(isExecutable: (String) -> Bool = FileManager.default.isExecutableFile(atPath:)) -> String? {
        systemctlPaths.first(where: isExecutable)
    }

    public var isActive: Bool { systemctl(["is-active", "--quiet", "irqbalance"]) }

    @discardableResult
    public func ban(_ cpus: CPUSet) -> Bool {
        systemctl(["set-environment", "IRQBALANCE_BANNED_CPULIST=\(cpus)"]) && systemctl(["restart", "irqbalance"])
    }

    @discardableResult
    public func unban() -> Bool {
        systemctl(["unset-environment", "IRQBALANCE_BANNED_CPULIST"]) && systemctl(["restart", "irqbalance"])
    }

    private func systemctl(_ arguments: [String]) -> Bool {
        guard let systemctl else { return false }
        return run([systemctl] + arguments) == 0
    }

    public static func execute(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return 127 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// irqbalance's ban together with its record, in the order that keeps the record true
/// through a crash: the ban is recorded before irqbalance gets it, and forgotten only
/// once irqbalance has lost it. A record without a ban only makes teardown restart
/// irqbalance once more; a ban without a record would stay until someone noticed.
public struct IRQBalanceBan {
    let irqBalance: IRQBalance
    let store: StateStore

    public init(irqBalance: IRQBalance, store: StateStore) {
        self.irqBalance = irqBalance
        self.store = store
    }

    /// Restarts irqbalance with `cpus` banned (none: without a ban). False when
    /// systemctl failed; the record then still covers whatever irqbalance got.
    public func set(_ cpus: CPUSet) throws(StateFileError) -> Bool {
        if cpus.isEmpty { return try lift() }
        try store.noteIRQBalanceBan(cpus)
        return irqBalance.ban(cpus)
    }

    /// Restarts irqbalance without a ban, then forgets the ban.
    public func lift() throws(StateFileError) -> Bool {
        guard irqBalance.unban() else { return false }
        try store.clearIRQBalanceBan()
        return true
    }
}

extension StateStore {
    var irqBalanceURL: URL { directory.appendingPathComponent("irqbalance-banned") }

    /// Remembers that irqbalance is restarted with a ban, for teardown.
    public func noteIRQBalanceBan(_ cpus: CPUSet) throws(StateFileError) {
        try save(Data(cpus.description.utf8), to: irqBalanceURL)
    }

    /// The CPUs irqbalance was told to leave alone, nil when it was not; a file that does
    /// not read as a CPU list is an error.
    public func irqBalanceBan() throws(StateFileError) -> CPUSet? {
        try StateDirectoryGuard.check(directory)
        guard let data = try StateFile.read(irqBalanceURL) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let cpus = try? CPUSet(parsing: text) else {
            throw StateFileError(
                path: irqBalanceURL.path, problem: "does not hold a CPU list (\"\(text.prefix(40))\")",
                remedy: "it records the CPUs irqbalance was told to leave alone; move it away (mv \(irqBalanceURL.path) \(irqBalanceURL.path).bad), "
                    + "run `systemctl unset-environment IRQBALANCE_BANNED_CPULIST; systemctl restart irqbalance`, and run mcprov again")
        }
        return cpus
    }

    public func clearIRQBalanceBan() throws(StateFileError) {
        try StateFile.remove(irqBalanceURL)
    }
}

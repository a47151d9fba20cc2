import Foundation
import NodeBasics
import NodeControl

/// Gives everything back: shuts every instance down, destroys it, releases all CPUs and
/// memory, restores IRQ affinities and clears the record. Works from the module's view,
/// so it needs no record, and does nothing (successfully) on a node with nothing applied.
public struct Teardown {
    public struct Busy: Error, CustomStringConvertible {
        public var users: [String]
        public var description: String {
            "programs are running on the LWK (\(users.joined(separator: "; ")))\n  hint: wait for them, stop them, or run `mcprov teardown --force`, which ends them"
        }
    }

    let module: ModuleClient
    let store: StateStore
    let irqAffinity: IRQAffinity
    let irqBalance: IRQBalance
    let progress: (String) -> Void

    public init(module: ModuleClient, store: StateStore, irqAffinity: IRQAffinity = IRQAffinity(), irqBalance: IRQBalance = IRQBalance(),
                progress: @escaping (String) -> Void) {
        self.module = module
        self.store = store
        self.irqAffinity = irqAffinity
        self.irqBalance = irqBalance
        self.progress = progress
    }

    /// Returns false when there was nothing to give back.
    @discardableResult
    public func run(force: Bool) throws -> Bool {
        let view = try module.view()
        // Read before anything changes: a record that cannot be read stops teardown here,
        // with its remedy, rather than half-way.
        let saved = try store.savedIRQAffinities()
        let banned = try store.irqBalanceBan()
        let users = view.instances.flatMap { DeviceUsers.processes(using: "/dev/mcos\($0.index)") }
        if !users.isEmpty {
            guard force else { throw Busy(users: users.map(\.description)) }
            for user in users {
                progress("  ending \(user.description)")
                kill(user.pid, SIGKILL)
            }
            usleep(200_000)
        }
        guard !view.isEmpty || store.record != nil || !saved.isEmpty || banned != nil else { return false }
        for instance in view.instances {
            let device = try module.instance(instance.index)
            let state = try device.status().state
            if state != .inactive && state != .loaded && state != .shutdown {
                progress("  shut down os \(instance.index) (\(state.rawValue))")
                try device.shutdown()
            }
            progress("  destroy os \(instance.index)")
            try module.destroyInstance(instance.index)
        }
        if !view.allCPUs.isEmpty {
            progress("  release CPUs \(view.allCPUs)")
            try module.releaseCPUs(nil)
        }
        let bytes = try module.releaseMemory(node: nil)
        if bytes > 0 { progress("  release \(formatBytes(bytes)) of memory") }
        if !saved.isEmpty {
            progress("  restore the affinity of \(saved.count) IRQ\(saved.count == 1 ? "" : "s")")
            irqAffinity.restore(saved)
            try store.clearIRQAffinities()
        }
        if let banned {
            progress("  restart irqbalance without the ban on CPUs \(banned)")
            let lifted = try IRQBalanceBan(irqBalance: irqBalance, store: store).lift()
            if !lifted {
                progress("  irqbalance did not restart: the ban is kept in \(store.irqBalanceURL.path) for the next teardown")
            }
        }
        try store.clear()
        return true
    }
}

/// Processes holding a device open: the proxies of programs running on the LWK.
public enum DeviceUsers {
    public struct User: CustomStringConvertible {
        public var pid: pid_t
        public var command: String
        public var description: String { "pid \(pid) \(command)" }
    }

    public static func processes(using device: String) -> [User] {
        let me = getpid()
        var users: [User] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != me else { continue }
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            let holds = fds.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == device }
            guard holds else { continue }
            let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            users.append(User(pid: pid, command: command))
        }
        return users
    }
}

import Foundation
import NodeBasics
import NodeControl
import Provisioning
import Topology

/// The steps of creating an instance, in the order apply takes them; their names are
/// what the test switches use.
public enum ApplyStep: String, CaseIterable, Sendable {
    case compact = "compact-memory"
    case reserveMemory = "reserve-memory"
    case reserveCPUs = "reserve-cpus"
    case steerIRQs = "steer-irqs"
    case banIRQBalance = "ban-irqbalance"
    case create = "create"
    case assignCPUs = "assign-cpus"
    case assignMemory = "assign-memory"
    case load = "load"
    case kernelArgs = "kernel-args"
    case boot = "boot"
    case waitRunning = "wait-running"
    case shutdown = "shutdown"
    case unassignCPUs = "unassign-cpus"
    case releaseCPUs = "release-cpus"
    case restoreIRQs = "restore-irqs"
    case unassignMemory = "unassign-memory"
    case releaseMemory = "release-memory"
    case destroy = "destroy"
    case record = "record"

    var title: String {
        switch self {
        case .compact: return "compact memory"
        case .reserveMemory: return "reserve memory"
        case .reserveCPUs: return "reserve CPUs"
        case .steerIRQs: return "move IRQs off the LWK CPUs"
        case .banIRQBalance: return "keep irqbalance off the LWK CPUs"
        case .create: return "create the OS instance"
        case .assignCPUs: return "assign CPUs"
        case .assignMemory: return "assign memory"
        case .load: return "load the LWK image"
        case .kernelArgs: return "set kernel arguments"
        case .boot: return "boot"
        case .waitRunning: return "wait until running"
        case .shutdown: return "shut down"
        case .unassignCPUs: return "unassign CPUs"
        case .releaseCPUs: return "release CPUs to Linux"
        case .restoreIRQs: return "give IRQs their CPUs back"
        case .unassignMemory: return "unassign memory"
        case .releaseMemory: return "release memory to Linux"
        case .destroy: return "destroy the OS instance"
        case .record: return "write the state record"
        }
    }
}

/// Carries out a plan through the module. Every step registers its undo; when a step
/// fails, or SIGINT/SIGTERM arrives, what was done is undone in reverse order and the
/// node is left as it was.
public final class Applier {
    let module: ModuleClient
    let store: StateStore
    let switches: TestSwitches
    let progress: (String) -> Void
    public var bootTimeout: TimeInterval = 30
    public var irqBalance = IRQBalance()
    var undo = UndoStack()

    public init(module: ModuleClient, store: StateStore, switches: TestSwitches = .fromEnvironment, progress: @escaping (String) -> Void) {
        self.module = module
        self.store = store
        self.switches = switches
        self.progress = progress
    }

    /// Runs one step: test switches, interruption, the action, and its undo.
    /// `what` describes the undo for the failure report; nil when there is nothing to
    /// undo (a copy into memory that goes away with the instance, a setting).
    func step(_ step: ApplyStep, _ detail: String, undo what: String?, _ action: () throws(ModuleError) -> Void,
              undoneBy reverse: @escaping () throws(ModuleError) -> Void = {}) throws(UndoStack.Failure) {
        progress("  \(step.title): \(detail)")
        let checked = { () throws(ModuleError) in
            try Interruption.check(before: step)
            try self.switches.before(step)
            try action()
        }
        if let what {
            try undo.perform(checked, undo: what, by: reverse)
        } else {
            try undo.perform(checked)
        }
    }

    /// Creates, loads and boots one instance on freshly reserved resources
    /// (`InstanceSteps.create`).
    public func create(_ instance: ResolvedInstance, image: LWKImageData) throws(UndoStack.Failure) {
        try run(InstanceSteps.create(instance), os: instance.index, image: image, previousImage: nil)
    }

    func waitRunning(_ device: InstanceClient) throws(ModuleError) {
        let deadline = Date().addingTimeInterval(bootTimeout)
        while true {
            let status = try device.status()
            switch status.state {
            case .running: return
            case .panic, .hungup, .shutdown:
                throw ModuleError(
                    kind: .other, operation: "boot os \(device.index)", message: "the LWK stopped in state \(status.state.rawValue)",
                    remedy: "its log says why:\n\(kmsgTail(device))", errno: EIO)
            default:
                guard Date() < deadline else {
                    throw ModuleError(
                        kind: .other, operation: "boot os \(device.index)",
                        message: "the LWK did not reach running within \(Int(bootTimeout)) s (state \(status.state.rawValue))",
                        remedy: "its log says how far it got:\n\(kmsgTail(device))", errno: ETIMEDOUT)
                }
                usleep(100_000)
            }
        }
    }

    /// Writes the record; the last step, so a failure here still undoes the rest.
    public func record(_ record: StateRecord) throws(UndoStack.Failure) {
        try step(.record, store.directory.path, undo: nil, { () throws(ModuleError) in
            do { try store.write(record) } catch {
                throw Self.stateDirectoryError("write the state record", error, store)
            }
        })
        undo.commit()
    }

    /// Creates the instance that must get number `index` (the profile's, or the one an
    /// undo brings back); any other number is destroyed again and refused.
    func createInstance(_ index: Int, operation: String, remedy: String) throws(ModuleError) {
        let created = try module.createInstance()
        guard created == index else {
            try? module.destroyInstance(created)
            throw ModuleError(kind: .busy, operation: operation, message: "the module gave os \(created) instead", remedy: remedy, errno: EBUSY)
        }
    }

    /// Moves device interrupts off `cpus` and saves the affinities it changed (what a
    /// later teardown restores); returns them with the saved set as it was before.
    func steerIRQs(_ irq: IRQAffinity, awayFrom cpus: CPUSet) throws(ModuleError) -> (touched: [Int: String], savedBefore: [Int: String]) {
        let savedBefore = store.savedIRQAffinities()
        let touched = irq.steer(awayFrom: cpus)
        do { try store.saveIRQAffinities(touched) } catch {
            irq.restore(touched)
            throw Self.stateDirectoryError("save IRQ affinities", error, store)
        }
        return (touched, savedBefore)
    }

    static let irqBalanceFailed = ModuleError(
        kind: .other, operation: "restart irqbalance", message: "systemctl failed",
        remedy: "see `systemctl status irqbalance`; or stop irqbalance before applying", errno: EIO)

    static func stateDirectoryError(_ operation: String, _ error: Error, _ store: StateStore) -> ModuleError {
        ModuleError(kind: .other, operation: operation, message: "\(error.localizedDescription)",
                    remedy: "check that \(store.directory.path) is writable", errno: EIO)
    }

    func kmsgTail(_ device: InstanceClient) -> String {
        let text = (try? device.kernelMessages()) ?? ""
        let lines = text.split(separator: "\n").suffix(10)
        return lines.isEmpty ? "    (the LWK wrote nothing)" : lines.map { "    \($0)" }.joined(separator: "\n")
    }

    /// Drops clean caches and compacts memory, as mcreboot does, so that the page
    /// allocator has more contiguous 4 MiB blocks to give. Best effort: a node that
    /// cannot be compacted still gets smaller chunks.
    func compactMemory() {
        try? "1".write(toFile: "/proc/sys/vm/compact_memory", atomically: false, encoding: .utf8)
    }
}

import Foundation
import NodeBasics
import NodeControl
import Provisioning

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
    var irqAffinity = IRQAffinity()
    var undo = UndoStack()

    public init(module: ModuleClient, store: StateStore, switches: TestSwitches = .fromEnvironment, progress: @escaping (String) -> Void) {
        self.module = module
        self.store = store
        self.switches = switches
        self.progress = progress
    }

    /// Creates, loads and boots one instance on freshly reserved resources
    /// (`InstanceSteps.create`).
    public func create(_ instance: ResolvedInstance, image: LWKImageData) throws(UndoStack.Failure) {
        try run(InstanceSteps.create(instance), os: instance.index, image: image, previousImage: nil)
    }

    /// Restarts an applied instance with its new configuration, CPU and memory deltas
    /// included (`InstanceSteps.restart`). A failure boots the previous configuration
    /// again on the previous resources.
    public func restart(
        _ instance: ResolvedInstance, previous: ResolvedInstance, image: LWKImageData, previousImage: LWKImageData
    ) throws(UndoStack.Failure) {
        try run(InstanceSteps.restart(from: previous, to: instance), os: instance.index, image: image, previousImage: previousImage)
    }

    /// Removes an applied instance the profile no longer has (`InstanceSteps.remove`).
    public func remove(_ instance: ResolvedInstance, previousImage: LWKImageData) throws(UndoStack.Failure) {
        try run(InstanceSteps.remove(instance), os: instance.index, image: previousImage, previousImage: previousImage)
    }

    /// Carries out the steps in order, each registering its undo. `image` is what `load`
    /// loads; `previousImage` what undoing a shutdown boots again.
    func run(_ steps: [InstanceStep], os index: Int, image: LWKImageData, previousImage: LWKImageData?) throws(UndoStack.Failure) {
        let context = StepContext(os: index, image: image, previousImage: previousImage, bootTimeout: bootTimeout)
        for step in steps {
            // Nothing to tell an irqbalance that does not run and was not banned (nor to
            // undo); a ban record that cannot be read fails the step.
            if step == .banIRQBalance, !irqBalance.isActive, case .success(nil) = Result(catching: { () throws(StateFileError) in try store.irqBalanceBan() }) {
                continue
            }
            try perform(step.execution(context), as: step.label)
        }
    }

    /// Writes the record; the last step, so a failure here still undoes the rest.
    public func record(_ record: StateRecord) throws(UndoStack.Failure) {
        let write = StepExecution(detail: store.directory.path, action: { applier throws(ModuleError) in
            do { try applier.store.write(record) } catch {
                throw Self.stateDirectoryError("write the state record", error, applier.store)
            }
        })
        try perform(write, as: .record)
        undo.commit()
    }

    /// Runs one step: its progress line, the test switches, interruption, the action,
    /// and its undo.
    func perform(_ execution: StepExecution, as label: StepLabel) throws(UndoStack.Failure) {
        progress("  \(label.title): \(execution.detail)")
        let checked = { () throws(ModuleError) in
            try Interruption.check(before: label)
            try self.switches.before(label)
            try execution.action(self)
        }
        if let reverse = execution.undo {
            try undo.perform(checked, undo: reverse.text, by: { () throws(ModuleError) in try reverse.run(self) })
        } else {
            try undo.perform(checked)
        }
    }

    func device(_ index: Int) throws(ModuleError) -> InstanceClient {
        try module.instance(index)
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

    /// Creates the instance that must get number `index` (the profile's, or the one an
    /// undo brings back); any other number is destroyed again and refused.
    func createInstance(_ index: Int, operation: String, remedy: String) throws(ModuleError) {
        let created = try module.createInstance()
        guard created == index else {
            try? module.destroyInstance(created)
            throw ModuleError(kind: .busy, operation: operation, message: "the module gave os \(created) instead", remedy: remedy, errno: EBUSY)
        }
    }

    static func stateDirectoryError(_ operation: String, _ error: Error, _ store: StateStore) -> ModuleError {
        if let error = error as? StateFileError {
            return ModuleError(kind: .other, operation: operation, message: "\(error.path) \(error.problem)", remedy: error.remedy, errno: EIO)
        }
        return ModuleError(kind: .other, operation: operation, message: "\(error.localizedDescription)",
                           remedy: "check that \(store.directory.path) is writable", errno: EIO)
    }

    func kmsgTail(_ device: InstanceClient) -> String {
        let text = (try? device.kernelMessages()) ?? ""
        let lines = text.split(separator: "\n").suffix(10)
        return lines.isEmpty ? "    (the LWK wrote nothing)" : lines.map { "    \($0)" }.joined(separator: "\n")
    }

    /// Drops clean caches and compacts memory, as mcreboot does, so that the page
    /// allocator has more contiguous blocks of the largest order to give. Best effort: a
    /// node that cannot be compacted still gets smaller chunks.
    func compactMemory() {
        try? "1".write(toFile: "/proc/sys/vm/compact_memory", atomically: false, encoding: .utf8)
    }
}

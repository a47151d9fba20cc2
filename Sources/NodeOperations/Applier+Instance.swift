import Foundation
import NodeBasics
import NodeControl
import Provisioning
import Topology

extension Applier {
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
    /// loads; `previousImage` what `bootPrevious` boots again (restarts and removals
    /// have one, a new instance has none and never plans that undo).
    func run(_ steps: [InstanceStep], os index: Int, image: LWKImageData, previousImage: LWKImageData?) throws(UndoStack.Failure) {
        // The device is opened afresh for every call: after destroy and create again, an
        // old descriptor only answers ENODEV.
        let device = { [module] () throws(ModuleError) -> InstanceClient in try module.instance(index) }
        let irq = IRQAffinity()
        for planned in steps {
            // Nothing to tell an irqbalance that does not run (nor to undo).
            if planned.action == .banIRQBalance, !irqBalance.isActive, store.irqBalanceBan == nil { continue }
            let undoText = planned.undo?.text(os: index)
            // What an undo needs to know about the node as the step found it.
            var poolBefore: UInt64 = 0
            var savedBefore: [Int: String] = [:]
            var touched: [Int: String] = [:]
            var banBefore: String?
            var banned = false
            let undo: () throws(ModuleError) -> Void
            switch planned.undo {
            case nil: undo = {}
            case .bootPrevious(let args)?:
                let old = previousImage ?? image
                undo = { [self] () throws(ModuleError) in
                    let os = try device()
                    try os.shutdown()  // whatever state the failed steps left: back to inactive
                    _ = try os.load(image: old.bytes, name: old.name)
                    try os.setKernelArguments(args)
                    try os.boot()
                    try waitRunning(os)
                }
            case .assignCPUs(let cpus)?: undo = { () throws(ModuleError) in try device().assignCPUs(cpus) }
            case .unassignCPUs(let cpus)?: undo = { () throws(ModuleError) in try device().unassignCPUs(cpus) }
            case .reserveCPUs(let cpus)?: undo = { [module] () throws(ModuleError) in try module.reserveCPUs(cpus) }
            case .releaseCPUs(let cpus)?: undo = { [module] () throws(ModuleError) in try module.releaseCPUs(cpus) }
            case .narrowIRQs?, .restoreIRQs?:
                // Both write back the affinities the step found and the saved originals.
                undo = { [store] in
                    irq.restore(touched)
                    try? store.replaceIRQAffinities(savedBefore)
                }
            case .previousIRQBalanceBan?:
                undo = { [store, irqBalance] in
                    guard banned else { return }
                    if let banBefore, let cpus = try? CPUSet(parsing: banBefore) {
                        irqBalance.ban(cpus)
                        try? store.noteIRQBalanceBan(cpus)
                    } else {
                        irqBalance.unban()
                        store.clearIRQBalanceBan()
                    }
                }
            case .restoreMemory(let numa, let bytes)?:
                undo = { [self] () throws(ModuleError) in try restoreMemory(device(), numa: numa, bytes: bytes, poolBefore: poolBefore) }
            case .releaseReservation(let numa, _)?:
                undo = { [module] () throws(ModuleError) in try module.undoReservation(node: numa, unassignedBefore: poolBefore) }
            case .recreate?:
                undo = { [self] () throws(ModuleError) in
                    try createInstance(index, operation: "create os \(index) again", remedy: "run `mcprov teardown`")
                }
            case .destroy?: undo = { [module] () throws(ModuleError) in try module.destroyInstance(index) }
            case .shutdown?: undo = { () throws(ModuleError) in try device().shutdown() }
            }

            let action: () throws(ModuleError) -> Void
            let detail: String
            switch planned.action {
            case .compactMemory:
                detail = "best effort, for contiguous chunks"
                action = { [self] in compactMemory() }
            case .shutdown:
                detail = "os \(index)"
                action = { () throws(ModuleError) in
                    let os = try device()
                    let state = try os.status().state
                    if state == .running || state == .booting || state == .panic || state == .hungup { try os.shutdown() }
                }
            case .unassignCPUs(let cpus):
                detail = "\(cpus) from os \(index)"
                action = { () throws(ModuleError) in try device().unassignCPUs(cpus) }
            case .releaseCPUs(let cpus):
                detail = "\(cpus)"
                action = { [module] () throws(ModuleError) in try module.releaseCPUs(cpus) }
            case .restoreIRQs(let cpus):
                detail = "of CPUs \(cpus)"
                action = { [module, store] () throws(ModuleError) in
                    savedBefore = store.savedIRQAffinities()
                    let held = CPUSet(try module.reservedCPUs().map(\.cpu))
                    let (current, kept) = irq.reopen(cpus, saved: savedBefore, stillHeld: held)
                    touched = current
                    do { try store.replaceIRQAffinities(kept) } catch {
                        irq.restore(touched)
                        throw Self.stateDirectoryError("save IRQ affinities", error, store)
                    }
                }
            case .reserveCPUs(let cpus):
                detail = "\(cpus)"
                action = { [module] () throws(ModuleError) in try module.reserveCPUs(cpus) }
            case .steerIRQs(let cpus):
                detail = "away from CPUs \(cpus)"
                action = { [self] () throws(ModuleError) in
                    (touched, savedBefore) = try steerIRQs(irq, awayFrom: cpus)
                }
            case .banIRQBalance:
                detail = "every CPU the module holds"
                action = { [module, store, irqBalance] () throws(ModuleError) in
                    banBefore = store.irqBalanceBan
                    guard irqBalance.isActive || banBefore != nil else { return }
                    banned = true
                    let held = CPUSet(try module.reservedCPUs().map(\.cpu))
                    let done: Bool
                    if held.isEmpty {
                        done = irqBalance.unban()
                        store.clearIRQBalanceBan()
                    } else {
                        done = irqBalance.ban(held) && (try? store.noteIRQBalanceBan(held)) != nil
                    }
                    guard done else { throw Self.irqBalanceFailed }
                }
            case .assignCPUs(let cpus):
                detail = "\(cpus) to os \(index)"
                action = { () throws(ModuleError) in try device().assignCPUs(cpus) }
            case .unassignMemory(let numa):
                detail = "all of os \(index) on NUMA \(numa)"
                action = { [module] () throws(ModuleError) in
                    poolBefore = try module.unassignedBytes(node: numa)
                    try device().unassignMemory(node: numa)
                }
            case .releaseMemory(let numa):
                detail = "NUMA \(numa)"
                action = { [module] () throws(ModuleError) in try module.releaseMemory(node: numa) }
            case .reserveMemory(let numa, let bytes):
                switch planned.undo {
                case .restoreMemory(_, let had)?:
                    // Growing: see growReservation.
                    detail = "\(formatBytes(bytes)) more on NUMA \(numa)"
                    action = { [self, module] () throws(ModuleError) in
                        poolBefore = try module.unassignedBytes(node: numa)
                        try growReservation(device, numa: numa, bytes: bytes, had: had, poolBefore: poolBefore)
                    }
                case .releaseReservation?:
                    // A new instance's: a failure part-way gives back what was reserved.
                    detail = "\(formatBytes(bytes)) on NUMA \(numa)"
                    action = { [self, module] () throws(ModuleError) in
                        poolBefore = try module.unassignedBytes(node: numa)
                        try reserveMemory(bytes, numa: numa, cleanUp: true)
                    }
                default:
                    // Shrinking: the `restoreMemory` of the node's unassign covers it.
                    detail = "\(formatBytes(bytes)) on NUMA \(numa)"
                    action = { [self] () throws(ModuleError) in try reserveMemory(bytes, numa: numa, cleanUp: false) }
                }
            case .assignMemory(let numa, let bytes):
                detail = "\(formatBytes(bytes)) of NUMA \(numa) to os \(index)"
                action = { () throws(ModuleError) in _ = try device().assignMemory(node: numa, bytes: bytes) }
            case .create(let name):
                detail = "os \(index) \"\(name)\""
                action = { [self] () throws(ModuleError) in
                    try createInstance(index, operation: "create os \(index)", remedy: "another instance exists; see `mcprov status`")
                }
            case .destroy:
                detail = "os \(index)"
                action = { [module] () throws(ModuleError) in try module.destroyInstance(index) }
            case .load:
                detail = "\(image.name) (\(formatBytes(UInt64(image.bytes.count))))"
                action = { () throws(ModuleError) in _ = try device().load(image: image.bytes, name: image.name) }
            case .kernelArgs(let args):
                detail = "\"\(args)\""
                action = { () throws(ModuleError) in try device().setKernelArguments(args) }
            case .boot:
                detail = "os \(index)"
                action = { () throws(ModuleError) in try device().boot() }
            case .waitRunning:
                detail = "up to \(Int(bootTimeout)) s"
                action = { [self] () throws(ModuleError) in try waitRunning(device()) }
            }
            try step(planned.step, detail, undo: undoText, action, undoneBy: undo)
        }
    }

    /// Reserves `bytes` more on a node where the instance holds `had`. A partial
    /// reservation sits in the pool beside the instance's chunks, and the module releases
    /// a node only as a whole, so a failure restores the node's old amount at once.
    func growReservation(_ device: () throws(ModuleError) -> InstanceClient, numa: Int, bytes: UInt64, had: UInt64, poolBefore: UInt64) throws(ModuleError) {
        do throws(ModuleError) {
            try reserveMemory(bytes, numa: numa, cleanUp: false)
        } catch {
            do throws(ModuleError) {
                try restoreMemory(device(), numa: numa, bytes: had, poolBefore: poolBefore)
            } catch let undo {
                throw ModuleError(kind: error.kind, operation: error.operation, message: "\(error.message); and then: \(undo.description)",
                                  remedy: "run `mcprov teardown`", errno: error.errno)
            }
            throw error
        }
    }

    /// Brings a node's memory back to what the instance held before the apply: it holds
    /// `bytes` there again and the node's pool holds what it did (`poolBefore`). When the
    /// pool holds exactly the old chunks (the failure came before anything was released
    /// or reserved), they are assigned again; otherwise the node's pool is given back as a
    /// whole (the only way the module has) and the old amount reserved and assigned anew.
    func restoreMemory(_ os: InstanceClient, numa: Int, bytes: UInt64, poolBefore: UInt64) throws(ModuleError) {
        try os.shutdown()  // unassigning needs INACTIVE: a later step may have loaded an image
        try os.unassignMemory(node: numa)
        let pool = try module.unassignedBytes(node: numa)
        if pool != poolBefore + bytes {
            guard poolBefore == 0 else {
                throw ModuleError(
                    kind: .busy, operation: "restore the memory of os \(os.index) on NUMA \(numa)",
                    message: "NUMA \(numa) already held \(formatBytes(poolBefore)) unassigned before; the chunks cannot be told apart",
                    remedy: "run `mcprov teardown`, then apply again", errno: EBUSY)
            }
            if pool > 0 { try module.releaseMemory(node: numa) }
            if bytes > 0 { try reserveMemory(bytes, numa: numa, cleanUp: true) }
        }
        if bytes > 0 { _ = try os.assignMemory(node: numa, bytes: bytes) }
    }

    /// Memory is reserved a slice at a time so that a long reservation shows how far it
    /// got (on a terminal) and SIGINT/SIGTERM is heeded between slices.
    public static let reservationSlice: UInt64 = 1 << 30

    /// Reserves `bytes` on `numa`. With `cleanUp`, what a failed call reserved is
    /// released again (guarded: only when the node's pool was empty before, see
    /// `undoReservation`); without, the caller's undo covers it. When the node has
    /// chunks assigned to an instance, RELEASE_MEM would refuse that cleanup, so the
    /// reservation is made in one all-or-nothing call instead, without progress.
    func reserveMemory(_ bytes: UInt64, numa: Int, cleanUp: Bool) throws(ModuleError) {
        var sliceBytes = Self.reservationSlice
        var before: UInt64 = 0
        if cleanUp {
            let chunks = try module.memoryChunks(node: numa)
            before = chunks.filter { $0.instance == nil }.reduce(0) { $0 + $1.bytes }
            if chunks.contains(where: { $0.instance != nil }) { sliceBytes = bytes }
        }
        let meter = ReservationMeter(total: bytes, numa: numa, slice: sliceBytes)
        var done: UInt64 = 0
        do {
            while done < bytes {
                if done > 0 { try Interruption.check(before: .reserveMemory) }
                let slice = min(sliceBytes, bytes - done)
                _ = try module.reserveMemory(bytes: slice, node: numa)
                done += slice
                meter.show(done)
            }
            meter.finish()
        } catch {
            meter.finish()
            if cleanUp, done > 0 { try? module.undoReservation(node: numa, unassignedBefore: before) }
            throw error
        }
    }
}

/// A progress line for a reservation of more than one slice, on standard error when it
/// is a terminal: `reserved 3 GiB of 12 GiB on NUMA 1`, rewritten in place.
struct ReservationMeter {
    let total: UInt64
    let numa: Int
    let shown: Bool

    init(total: UInt64, numa: Int, slice: UInt64, terminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.numa = numa
        self.shown = terminal && total > slice
    }

    static func line(_ done: UInt64, of total: UInt64, numa: Int) -> String {
        "    reserved \(formatBytes(done)) of \(formatBytes(total)) on NUMA \(numa) (\(done * 100 / max(total, 1)) %)"
    }

    func show(_ done: UInt64) {
        guard shown else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.line(done, of: total, numa: numa)).utf8))
    }

    func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

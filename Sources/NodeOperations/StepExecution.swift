import Foundation
import NodeControl

/// What a step needs to know beyond its own values: the instance, the image `load`
/// loads, the one undoing a shutdown boots again, and how long a boot may take.
struct StepContext {
    var os: Int
    var image: LWKImageData
    /// nil for a new instance, which never undoes a shutdown.
    var previousImage: LWKImageData?
    var bootTimeout: TimeInterval
}

/// A step ready to run: the detail its progress line gives, what it does and how it is
/// undone (its name is the `InstanceStep`'s `label`). The action and its undo run on the `Applier` they are given; what
/// the action finds and the undo needs (the node's pool before a reservation, the
/// affinities before IRQs are moved) is captured by the two of them and no one else.
struct StepExecution {
    typealias Effect = (Applier) throws(ModuleError) -> Void

    struct Undo {
        /// How the failure report names it: "released CPUs 2-3".
        var text: String
        var run: Effect

        init(_ text: String, run: @escaping Effect) {
            self.text = text
            self.run = run
        }
    }

    var detail: String
    var action: Effect
    /// nil when there is nothing to undo: a copy into memory that goes away with the
    /// instance, a setting, or what an earlier step's undo covers.
    var undo: Undo?
}

extension InstanceStep {
    /// The step's executor: one per kind, each capturing its own state.
    func execution(_ context: StepContext) -> StepExecution {
        let os = context.os
        switch self {
        case .compactMemory: return .compactMemory()
        case .reserveMemory(let numa, let bytes): return .reserveMemory(numa: numa, bytes: bytes)
        case .growMemory(let numa, let bytes, let had): return .growMemory(os: os, numa: numa, bytes: bytes, had: had)
        case .unassignMemory(let numa, let had): return .unassignMemory(os: os, numa: numa, had: had)
        case .releaseMemory(let numa): return .releaseMemory(numa: numa)
        case .reserveShrunkMemory(let numa, let bytes): return .reserveShrunkMemory(numa: numa, bytes: bytes)
        case .assignMemory(let numa, let bytes): return .assignMemory(os: os, numa: numa, bytes: bytes)
        case .reserveCPUs(let cpus): return .reserveCPUs(cpus)
        case .releaseCPUs(let cpus): return .releaseCPUs(cpus)
        case .assignCPUs(let cpus): return .assignCPUs(cpus, os: os)
        case .assignAddedCPUs(let cpus): return .assignAddedCPUs(cpus, os: os)
        case .unassignCPUs(let cpus): return .unassignCPUs(cpus, os: os)
        case .steerIRQs(let cpus): return .steerIRQs(cpus)
        case .restoreIRQs(let cpus): return .restoreIRQs(cpus)
        case .banIRQBalance: return .banIRQBalance()
        case .create(let name): return .create(os: os, name: name)
        case .destroy: return .destroy(os: os)
        case .shutdown(let args): return .shutdown(os: os, previousKernelArgs: args, previousImage: context.previousImage ?? context.image)
        case .load: return .load(os: os, image: context.image)
        case .kernelArgs(let args): return .kernelArgs(args, os: os)
        case .boot: return .boot(os: os)
        case .waitRunning: return .waitRunning(os: os, timeout: context.bootTimeout)
        }
    }
}

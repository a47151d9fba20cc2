/// How a step is called: `name` by the test switches (MCPROV_TEST_FAIL_AT,
/// MCPROV_TEST_PAUSE_AT) and the VM scenarios that set them, so the names are an
/// interface; `title` by progress lines and failure reports.
public struct StepLabel: Equatable, Sendable {
    public let name: String
    public let title: String

    /// The last step of an apply, which belongs to no instance.
    public static let record = StepLabel(name: "record", title: "write the state record")
}

extension InstanceStep {
    /// The step's label, given here and nowhere else. Kinds that differ only in what
    /// they find and undo share a name, so that MCPROV_TEST_FAIL_AT=reserve-memory fails a
    /// reservation whether it is new, grown or shrunk.
    public var label: StepLabel {
        switch self {
        case .compactMemory: return StepLabel(name: "compact-memory", title: "compact memory")
        case .reserveMemory, .growMemory, .reserveShrunkMemory: return StepLabel(name: "reserve-memory", title: "reserve memory")
        case .unassignMemory: return StepLabel(name: "unassign-memory", title: "unassign memory")
        case .releaseMemory: return StepLabel(name: "release-memory", title: "release memory to Linux")
        case .assignMemory: return StepLabel(name: "assign-memory", title: "assign memory")
        case .reserveCPUs: return StepLabel(name: "reserve-cpus", title: "reserve CPUs")
        case .releaseCPUs: return StepLabel(name: "release-cpus", title: "release CPUs to Linux")
        case .assignCPUs, .assignAddedCPUs: return StepLabel(name: "assign-cpus", title: "assign CPUs")
        case .unassignCPUs: return StepLabel(name: "unassign-cpus", title: "unassign CPUs")
        case .steerIRQs: return StepLabel(name: "steer-irqs", title: "move IRQs off the LWK CPUs")
        case .restoreIRQs: return StepLabel(name: "restore-irqs", title: "give IRQs their CPUs back")
        case .banIRQBalance: return StepLabel(name: "ban-irqbalance", title: "keep irqbalance off the LWK CPUs")
        case .create: return StepLabel(name: "create", title: "create the OS instance")
        case .destroy: return StepLabel(name: "destroy", title: "destroy the OS instance")
        case .shutdown: return StepLabel(name: "shutdown", title: "shut down")
        case .load: return StepLabel(name: "load", title: "load the LWK image")
        case .kernelArgs: return StepLabel(name: "kernel-args", title: "set kernel arguments")
        case .boot: return StepLabel(name: "boot", title: "boot")
        case .waitRunning: return StepLabel(name: "wait-running", title: "wait until running")
        }
    }
}

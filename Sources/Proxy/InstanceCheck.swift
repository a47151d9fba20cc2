import NodeBasics
import NodeControl

/// Where mcexec learns which OS instances exist and their state. The live node answers
/// through mcprov's state record and the kernel module; tests answer with fixed values.
protocol InstanceProbe {
    /// The instances of the profile `mcprov apply` applied, nil when none is applied.
    func appliedInstances() -> [Int]?
    /// Throws ModuleError .notLoaded or .noSuchInstance when that is the case.
    func state(of instance: Int) throws(ModuleError) -> InstanceState
    /// How many LWK CPUs the instance has.
    func cpus(of instance: Int) throws(ModuleError) -> Int
    /// The instance's CPUs as the module reserved them (Linux number, APIC id, node).
    func reservedCPUs(of instance: Int) throws(ModuleError) -> [ReservedCPU]
}

/// This machine.
struct LiveInstanceProbe: InstanceProbe {
    func appliedInstances() -> [Int]? {
        AppliedInstances.read()
    }

    func state(of instance: Int) throws(ModuleError) -> InstanceState {
        guard ModuleClient.isLoaded else { throw .notLoaded("find OS \(instance)") }
        return try ModuleClient().instance(instance).status().state
    }

    func cpus(of instance: Int) throws(ModuleError) -> Int {
        try ModuleClient().instance(instance).status().cpus
    }

    func reservedCPUs(of instance: Int) throws(ModuleError) -> [ReservedCPU] {
        try ModuleClient().reservedCPUs().filter { $0.instance == instance }
    }
}

enum InstanceCheck {
    /// The instance to use: the one typed, else the applied profile's first (lowest)
    /// instance, else 0 as McKernel does (an LWK booted by hand with `mcprov module`).
    static func choose(requested: Int?, probe: some InstanceProbe) -> Int {
        requested ?? probe.appliedInstances()?.min() ?? 0
    }

    /// Succeeds only when `instance` exists and is running; otherwise says why and how to
    /// get there.
    static func requireRunning(_ instance: Int, probe: some InstanceProbe) throws(MCExecError) {
        let state: InstanceState
        let noProfile = probe.appliedInstances() == nil ? " (no profile is applied on this node)" : ""
        do throws(ModuleError) { state = try probe.state(of: instance) } catch {
            switch error.kind {
            case .notLoaded:
                throw MCExecError("no LWK: the mcos kernel module is not loaded" + noProfile, remedy: error.remedy + "; then boot an LWK with `mcprov apply PROFILE`", status: .failure)
            case .noSuchInstance:
                throw MCExecError("OS \(instance) does not exist" + noProfile, remedy: "boot one with `mcprov apply PROFILE`; `mcprov status` shows what is applied, or give another OS number (mcexec N program)", status: .failure)
            default:
                throw MCExecError("cannot query OS \(instance): \(error.message)", remedy: error.remedy, status: .failure)
            }
        }
        switch state {
        case .running:
            return
        case .panic, .hungup:
            throw MCExecError("OS \(instance) is \(state.rawValue), not running", remedy: "its log (`mcprov kmsg --instance \(instance)`) says why; then `mcprov teardown` and `mcprov apply PROFILE`", status: .failure)
        case .booting:
            throw MCExecError("OS \(instance) is still booting", remedy: "wait for `mcprov status` to show it running, then retry", status: .failure)
        default:
            throw MCExecError("OS \(instance) is \(state.rawValue), not running", remedy: "boot it with `mcprov apply PROFILE`; `mcprov status` shows the node", status: .failure)
        }
    }

    /// -c names an LWK CPU of the instance (numbered from 0). The module takes any
    /// context of a time-shared CPU as naming that CPU, so a number past the CPUs
    /// would silently pick CPU N mod their count: refused here instead.
    static func requireCPU(_ cpu: Int?, of instance: Int, probe: some InstanceProbe) throws(MCExecError) {
        guard let cpu else { return }
        let count: Int
        do throws(ModuleError) { count = try probe.cpus(of: instance) } catch {
            throw MCExecError("cannot query OS \(instance): \(error.message)", remedy: error.remedy, status: .failure)
        }
        guard cpu >= count else { return }
        throw MCExecError("OS \(instance) has no LWK CPU \(cpu): it has \(count)" + (count > 0 ? " (0-\(count - 1))" : ""),
                          remedy: "LWK CPUs are numbered from 0; `mcprov status` shows how many there are", status: .failure)
    }
}

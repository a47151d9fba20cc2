import NodeBasics
import NodeControl

/// The executors of the CPU and IRQ steps.
extension StepExecution {
    static func reserveCPUs(_ cpus: CPUSet) -> StepExecution {
        StepExecution(
            detail: "\(cpus)",
            action: { applier throws(ModuleError) in try applier.module.reserveCPUs(cpus) },
            undo: Undo("released CPUs \(cpus)") { applier throws(ModuleError) in try applier.module.releaseCPUs(cpus) })
    }

    static func releaseCPUs(_ cpus: CPUSet) -> StepExecution {
        StepExecution(
            detail: "\(cpus)",
            action: { applier throws(ModuleError) in try applier.module.releaseCPUs(cpus) },
            undo: Undo("reserved CPUs \(cpus) again") { applier throws(ModuleError) in try applier.module.reserveCPUs(cpus) })
    }

    static func assignCPUs(_ cpus: CPUSet, os: Int) -> StepExecution {
        StepExecution(detail: "\(cpus) to os \(os)", action: { applier throws(ModuleError) in
            try applier.device(os).assignCPUs(cpus)
        })
    }

    static func assignAddedCPUs(_ cpus: CPUSet, os: Int) -> StepExecution {
        var execution = assignCPUs(cpus, os: os)
        execution.undo = Undo("unassigned CPUs \(cpus) from os \(os)") { applier throws(ModuleError) in
            try applier.device(os).unassignCPUs(cpus)
        }
        return execution
    }

    static func unassignCPUs(_ cpus: CPUSet, os: Int) -> StepExecution {
        StepExecution(
            detail: "\(cpus) from os \(os)",
            action: { applier throws(ModuleError) in try applier.device(os).unassignCPUs(cpus) },
            undo: Undo("assigned CPUs \(cpus) to os \(os) again") { applier throws(ModuleError) in try applier.device(os).assignCPUs(cpus) })
    }

    static func steerIRQs(_ cpus: CPUSet) -> StepExecution {
        var change = IRQChange()
        return StepExecution(
            detail: "away from CPUs \(cpus)",
            action: { applier throws(ModuleError) in change = try applier.steerIRQs(awayFrom: cpus) },
            undo: Undo("restored IRQ affinities") { applier in applier.revert(change) })
    }

    static func restoreIRQs(_ cpus: CPUSet) -> StepExecution {
        var change = IRQChange()
        return StepExecution(
            detail: "of CPUs \(cpus)",
            action: { applier throws(ModuleError) in change = try applier.giveIRQsBack(cpus) },
            undo: Undo("moved IRQs off CPUs \(cpus) again") { applier in applier.revert(change) })
    }

    static func banIRQBalance() -> StepExecution {
        var change: IRQBalanceChange?
        return StepExecution(
            detail: "every CPU the module holds",
            action: { applier throws(ModuleError) in change = try applier.banHeldCPUs() },
            undo: Undo("restarted irqbalance with the previous ban") { applier in applier.revert(change) })
    }
}

import NodeBasics
import NodeControl

/// The executors of the memory steps. A node's memory goes back to Linux only as a
/// whole, so what a reservation or an unassignment must undo depends on what the node's
/// pool held before it: each of those steps notes it for its own undo.
extension StepExecution {
    static func compactMemory() -> StepExecution {
        StepExecution(detail: "best effort, for contiguous chunks", action: { applier in applier.compactMemory() })
    }

    /// A new instance's memory: a failure part-way gives back what it reserved.
    static func reserveMemory(numa: Int, bytes: UInt64) -> StepExecution {
        var poolBefore: UInt64 = 0
        return StepExecution(
            detail: "\(formatBytes(bytes)) on NUMA \(numa)",
            action: { applier throws(ModuleError) in
                poolBefore = try applier.module.unassignedBytes(node: numa)
                try applier.reserveMemory(bytes, numa: numa, cleanUp: true)
            },
            undo: Undo("released \(formatBytes(bytes)) on NUMA \(numa)") { applier throws(ModuleError) in
                try applier.module.undoReservation(node: numa, unassignedBefore: poolBefore)
            })
    }

    /// Growing an instance's memory on a node: see `Applier.growReservation`.
    static func growMemory(os: Int, numa: Int, bytes: UInt64, had: UInt64) -> StepExecution {
        var poolBefore: UInt64 = 0
        return StepExecution(
            detail: "\(formatBytes(bytes)) more on NUMA \(numa)",
            action: { applier throws(ModuleError) in
                poolBefore = try applier.module.unassignedBytes(node: numa)
                try applier.growReservation(os: os, numa: numa, bytes: bytes, had: had, poolBefore: poolBefore)
            },
            undo: restoreMemory(os: os, numa: numa, bytes: had) { poolBefore })
    }

    static func unassignMemory(os: Int, numa: Int, had: UInt64) -> StepExecution {
        var poolBefore: UInt64 = 0
        return StepExecution(
            detail: "all of os \(os) on NUMA \(numa)",
            action: { applier throws(ModuleError) in
                poolBefore = try applier.module.unassignedBytes(node: numa)
                try applier.device(os).unassignMemory(node: numa)
            },
            undo: restoreMemory(os: os, numa: numa, bytes: had) { poolBefore })
    }

    /// The undo of the first step on a node whose amount changes: the instance holds
    /// `bytes` there again and the pool what it held before that step.
    private static func restoreMemory(os: Int, numa: Int, bytes: UInt64, poolBefore: @escaping () -> UInt64) -> Undo {
        let text = bytes == 0 ? "released the memory of os \(os) on NUMA \(numa)" : "os \(os) holds \(formatBytes(bytes)) on NUMA \(numa) again"
        return Undo(text) { applier throws(ModuleError) in
            try applier.restoreMemory(applier.device(os), numa: numa, bytes: bytes, poolBefore: poolBefore())
        }
    }

    static func releaseMemory(numa: Int) -> StepExecution {
        StepExecution(detail: "NUMA \(numa)", action: { applier throws(ModuleError) in
            try applier.module.releaseMemory(node: numa)
        })
    }

    /// Shrinking: the `unassignMemory` undo of the node covers it.
    static func reserveShrunkMemory(numa: Int, bytes: UInt64) -> StepExecution {
        StepExecution(detail: "\(formatBytes(bytes)) on NUMA \(numa)", action: { applier throws(ModuleError) in
            try applier.reserveMemory(bytes, numa: numa, cleanUp: false)
        })
    }

    static func assignMemory(os: Int, numa: Int, bytes: UInt64) -> StepExecution {
        StepExecution(detail: "\(formatBytes(bytes)) of NUMA \(numa) to os \(os)", action: { applier throws(ModuleError) in
            _ = try applier.device(os).assignMemory(node: numa, bytes: bytes)
        })
    }
}

import NodeBasics
import NodeControl

/// The executors of the steps on the instance itself. The device is opened afresh for
/// every call: after destroy and create again, an old descriptor only answers ENODEV.
extension StepExecution {
    static func create(os: Int, name: String) -> StepExecution {
        StepExecution(
            detail: "os \(os) \"\(name)\"",
            action: { applier throws(ModuleError) in
                try applier.createInstance(os, operation: "create os \(os)", remedy: "another instance exists; see `mcprov status`")
            },
            undo: Undo("destroyed os \(os)") { applier throws(ModuleError) in try applier.module.destroyInstance(os) })
    }

    static func destroy(os: Int) -> StepExecution {
        StepExecution(
            detail: "os \(os)",
            action: { applier throws(ModuleError) in try applier.module.destroyInstance(os) },
            undo: Undo("created os \(os) again") { applier throws(ModuleError) in
                try applier.createInstance(os, operation: "create os \(os) again", remedy: "run `mcprov teardown`")
            })
    }

    /// Undone by booting `previousImage` again with `previousKernelArgs`, from whatever
    /// state the failed steps left.
    static func shutdown(os: Int, previousKernelArgs args: String, previousImage image: LWKImageData) -> StepExecution {
        StepExecution(
            detail: "os \(os)",
            action: { applier throws(ModuleError) in
                let device = try applier.device(os)
                let state = try device.status().state
                if state == .running || state == .booting || state == .panic || state == .hungup { try device.shutdown() }
            },
            undo: Undo("booted os \(os) again with \"\(args)\"") { applier throws(ModuleError) in
                let device = try applier.device(os)
                try device.shutdown()  // back to inactive, whatever the failed steps left
                _ = try device.load(image: image.bytes, name: image.name)
                try device.setKernelArguments(args)
                try device.boot()
                try applier.waitRunning(device)
            })
    }

    static func load(os: Int, image: LWKImageData) -> StepExecution {
        StepExecution(detail: "\(image.name) (\(formatBytes(UInt64(image.bytes.count))))", action: { applier throws(ModuleError) in
            _ = try applier.device(os).load(image: image.bytes, name: image.name)
        })
    }

    static func kernelArgs(_ args: String, os: Int) -> StepExecution {
        StepExecution(detail: "\"\(args)\"", action: { applier throws(ModuleError) in
            try applier.device(os).setKernelArguments(args)
        })
    }

    static func boot(os: Int) -> StepExecution {
        StepExecution(
            detail: "os \(os)",
            action: { applier throws(ModuleError) in try applier.device(os).boot() },
            undo: Undo("shut down os \(os)") { applier throws(ModuleError) in try applier.device(os).shutdown() })
    }

    static func waitRunning(os: Int, timeout: Double) -> StepExecution {
        StepExecution(detail: "up to \(Int(timeout)) s", action: { applier throws(ModuleError) in
            try applier.waitRunning(applier.device(os))
        })
    }
}

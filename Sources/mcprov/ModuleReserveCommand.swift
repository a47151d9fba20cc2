import ArgumentParser
import NodeBasics
import NodeControl
import Provisioning

struct ModuleReserveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reserve",
        abstract: "Take CPUs and memory from Linux and hold them for an LWK.",
        discussion: """
            CPUs are taken first, then memory node by node. All or nothing: if any step fails,
            the steps already done are undone in reverse order and the node is as before.
            """)

    @Option(help: ArgumentHelp("CPUs to take offline, in Linux numbering.", valueName: "LIST"))
    var cpus: String?

    @Option(help: ArgumentHelp("Memory to reserve per NUMA node, as mcreboot's -m: 512M@0,4G@1.", valueName: "SIZE@NODE,…"))
    var memory: String?

    func validate() throws {
        guard cpus != nil || memory != nil else { throw ValidationError("say what to reserve: --cpus, --memory, or both") }
    }

    func run() throws {
        var cpuSet: CPUSet?
        if let cpus {
            do { cpuSet = try CPUSet(parsing: cpus) } catch { throw ValidationError("--cpus: \(error.message)") }
        }
        var requests: [MemoryRequestSyntax.Request] = []
        if let memory {
            switch MemoryRequestSyntax.parse(memory) {
            case .success(let parsed): requests = parsed
            case .failure(let error): throw ValidationError("--memory: \(error.message)")
            }
        }
        let module = try openModule()
        var undo = UndoStack()
        do {
            if let cpuSet {
                try undo.perform({ () throws(ModuleError) in try module.reserveCPUs(cpuSet) },
                                 undo: "released CPUs \(cpuSet)", by: { () throws(ModuleError) in try module.releaseCPUs(cpuSet) })
                Console.out("reserved CPUs \(cpuSet)")
            }
            for request in requests {
                let before = try module.unassignedBytes(node: request.node)
                try undo.perform({ () throws(ModuleError) in try module.reserveMemory(bytes: request.bytes, node: request.node) },
                                 undo: "released \(formatBytes(request.bytes)) on NUMA \(request.node)",
                                 by: { () throws(ModuleError) in try module.undoReservation(node: request.node, unassignedBefore: before) })
                Console.out("reserved \(formatBytes(request.bytes)) on NUMA \(request.node)")
            }
            undo.commit()
        } catch let failure as UndoStack.Failure {
            Console.error("mcprov: \(failure.description)")
            throw ExitCode.failure
        } catch let error as ModuleError {
            Console.error("mcprov: \(undo.rollback(after: error).description)")
            throw ExitCode.failure
        }
    }
}

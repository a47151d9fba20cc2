import ArgumentParser
import NodeBasics

struct ModuleReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Give reserved CPUs and memory back to Linux.",
        discussion: "Only what no OS instance holds can be released; destroy the instance first.")

    @Option(help: ArgumentHelp("CPUs to bring back online, or all.", valueName: "LIST|all"))
    var cpus: String?

    @Option(help: ArgumentHelp("NUMA node whose reserved memory to give back, or all.", valueName: "NODE|all"))
    var memory: String?

    @Flag(help: "Release every reserved CPU and all reserved memory.")
    var all = false

    func validate() throws {
        guard all || cpus != nil || memory != nil else { throw ValidationError("say what to release: --cpus, --memory, or --all") }
    }

    /// nil: nothing asked; .some(nil): all.
    func run() throws {
        var cpuSet: CPUSet?? = nil
        if let text = all ? "all" : cpus {
            do { cpuSet = .some(text == "all" ? nil : try CPUSet(parsing: text)) } catch { throw ValidationError("--cpus: \(error.message)") }
        }
        var node: Int?? = nil
        if let text = all ? "all" : memory {
            guard text == "all" || (Int(text) ?? -1) >= 0 else {
                throw ValidationError("--memory: \"\(text)\" is not a NUMA node number or all")
            }
            node = .some(Int(text))
        }
        let module = try openModule()
        do {
            if let cpuSet {
                try module.releaseCPUs(cpuSet)
                Console.out("released \(cpuSet.map { "CPUs \($0)" } ?? "all CPUs")")
            }
            if let node {
                let bytes = try module.releaseMemory(node: node)
                Console.out("released \(formatBytes(bytes)) \(node.map { "on NUMA \($0)" } ?? "in all")")
            }
        } catch {
            throw error.exit()
        }
    }
}

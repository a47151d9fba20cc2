import ArgumentParser

/// McKernel's mcexec options that shape how a program is placed on the LWK, parsed and
/// checked so that scripts written for McKernel keep working. -c, -m and -s take
/// effect; -n, -t and -h are accepted and have no effect yet (one single-threaded
/// program per mcexec, no heap pre-extension).
struct LaunchOptions: ParsableArguments {
    @Option(name: .customShort("n"), help: ArgumentHelp("Processes per node: splits the LWK's CPUs between that many ranks (accepted, no effect yet).", valueName: "N"))
    var processesPerNode: Int?

    @Option(name: .customShort("t"), help: ArgumentHelp("Proxy threads serving offloaded system calls (accepted, no effect yet: one).", valueName: "N"))
    var threads: Int?

    @Option(name: .customShort("c"), help: ArgumentHelp("LWK CPU to run the program on (LWK numbering, from 0; default: any idle one).", valueName: "cpu"))
    var cpu: Int?

    @Option(name: .customShort("m"), help: ArgumentHelp("Take the program's memory only from these NUMA nodes of the LWK, in numactl's syntax (e.g. 1 for KNL's MCDRAM in flat mode, 0,1, 4-7, all, !0); it gets ENOMEM when they are full. Default: its CPU's node first, then any.", valueName: "nodes"))
    var memoryNodes: String?

    @Option(name: .customShort("h"), help: ArgumentHelp("Extend the heap by at least this much at a time (e.g. 2M; accepted, no effect yet).", valueName: "size"))
    var heapExtension: String?

    @Option(name: .customShort("s"), help: ArgumentHelp("Stack bytes mapped at start, and the stack's maximum (e.g. 2M,1G). The stack is mapped whole at start: max if given, else premap (default: the stack rlimit), 128K to 256M.", valueName: "premap[,max]"))
    var stack: String?

    @Flag(name: .long, help: "Tell on stderr where the program runs, what mcexec refuses for it, and where it faulted.")
    var verbose = false

    /// -m as mcos_proc_create's numa_mask (bit n = node n); 0 without -m.
    var numaMask: UInt32 {
        guard let memoryNodes, case .success(let nodes) = NodeString.parse(memoryNodes) else { return 0 }
        return nodes.reduce(0) { $0 | 1 << UInt32($1) }
    }

    /// The stack size -s asks for (its max, else its premap).
    var stackMaximum: UInt64? {
        stack.flatMap(StackArgument.init).map { $0.maximum ?? $0.premap }
    }

    mutating func validate() throws {
        if let processesPerNode, processesPerNode < 1 { throw ValidationError("-n must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("-t must be at least 1") }
        if let cpu, cpu < 0 { throw ValidationError("-c must be an LWK CPU number (0 or more)") }
        if let memoryNodes, case .failure(let error) = NodeString.parse(memoryNodes) {
            throw ValidationError(error.description)
        }
        if let heapExtension, SizeArgument(heapExtension) == nil {
            throw ValidationError("-h '\(heapExtension)' is not a size such as 2M or 1G")
        }
        if let stack, StackArgument(stack) == nil {
            throw ValidationError("-s '\(stack)' is not <premap>[,<max>] with sizes such as 2M,1G and max ≥ premap")
        }
    }
}

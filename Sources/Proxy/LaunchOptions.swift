import ArgumentParser
import CMcosABI
import Foundation

/// McKernel's mcexec options that shape how a program is placed on the LWK, parsed and
/// checked so that scripts written for McKernel keep working. -n, -c, -m, -s and -t take
/// effect; -h is accepted and has no effect yet (no heap pre-extension).
struct LaunchOptions: ParsableArguments {
    @Option(name: .customShort("n"), help: ArgumentHelp("Processes per node: the N mcexec -n N that one launcher (mpiexec, srun) starts split the LWK's CPUs into N equal shares of neighbouring CPUs, one per rank; each waits until all N came. A rank is the launcher's local rank (MPI_LOCALRANKID, OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID, else PMI_RANK mod N), else the order of arrival. The program, its threads and its forks' children run on its share only.", valueName: "N"))
    var processesPerNode: Int?

    @Option(name: .customLong("rank-timeout"), help: ArgumentHelp("With -n: how long to wait for the job's other ranks before giving up (default: 60).", valueName: "seconds"))
    var rankTimeout: Int = 60

    @Option(name: [.customShort("t"), .long], help: ArgumentHelp("The most threads the program may have at once on the LWK, its first included: one per LWK CPU, or with time_sharing several sharing a CPU (default: OMP_NUM_THREADS when it is a list of positive numbers, its first; else no bound but the idle CPUs).", valueName: "N"))
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

    /// -t as mcos_proc_create's nr_cpus: the most LWK CPUs the program's threads may hold
    /// at once; without -t, OMP_NUM_THREADS as libgomp reads it, so that an OpenMP program
    /// gets the CPUs for the threads it will start; 0 (no bound but the idle CPUs) without
    /// either. A number beyond 2^32 - 1 bounds as much as that.
    func threadCPUs(environment: [String: String]) -> UInt32 {
        if let threads { return UInt32(clamping: threads) }
        return environment["OMP_NUM_THREADS"].flatMap(Self.openMPThreads) ?? 0
    }

    /// The threads OMP_NUM_THREADS gives an OpenMP program's outermost parallel region:
    /// the first of its comma-separated positive numbers (blanks around each allowed);
    /// nil when it is not such a list, which libgomp ignores.
    static func openMPThreads(_ value: String) -> UInt32? {
        let numbers = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) && $0.contains { $0 != "0" } }) else { return nil }
        return UInt32(numbers[0]) ?? .max  // digits only: too many for 32 bits
    }

    /// The stack size -s asks for (its max, else its premap).
    var stackMaximum: UInt64? {
        stack.flatMap(StackArgument.init).map { $0.maximum ?? $0.premap }
    }

    mutating func validate() throws {
        if let processesPerNode, processesPerNode < 1 || processesPerNode > Int(MCOS_RANKS_MAX) {
            throw ValidationError("-n must be from 1 to \(MCOS_RANKS_MAX) (the ranks of the job on this node)")
        }
        if rankTimeout < 0 || rankTimeout > Int(MCOS_RANK_TIMEOUT_MAX_MS / 1000) {
            throw ValidationError("--rank-timeout must be from 0 to \(MCOS_RANK_TIMEOUT_MAX_MS / 1000) seconds")
        }
        if processesPerNode != nil && cpu != nil {
            throw ValidationError("-c and -n exclude each other: -n gives each rank its share of the LWK's CPUs")
        }
        if let threads, threads < 1 {
            throw ValidationError("-t must be at least 1 (the most LWK CPUs the program's threads may hold at once, its first thread's included); without -t the bound is OMP_NUM_THREADS if set, else the idle CPUs")
        }
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

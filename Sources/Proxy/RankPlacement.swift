import CMcosABI
import Glibc
import Kernel
import NodeControl

/// `mcexec -n N`: the N mcexec processes of one MPI job on this node split the LWK's
/// CPUs between them. Each takes a rank, from its launcher's local rank or else in
/// order of arrival, and waits in the module until all N have come (MCOS_IOC_RANK_JOIN);
/// rank r then runs its program, its threads and its forks' children on share r:
/// CPUs / N of the instance's CPUs, next to each other (NUMA node first, then the
/// hardware's APIC order, which keeps SMT siblings and cores of a cache together).
enum RankPlacement {
    /// Where launchers put a process's rank on its node, most specific first: MPICH's
    /// Hydra, Open MPI, Slurm. PMI_RANK (PMI-1's job-wide rank) last, taken modulo N,
    /// which is the local rank when ranks fill nodes in blocks of N.
    static let localRankVariables = ["MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "PMI_RANK"]

    /// The rank the launcher gave this process, and the variable it came from; nil when
    /// no launcher said (ranks then go in order of arrival).
    static func localRank(environment: [String: String], ranks: Int) throws(MCExecError) -> (rank: Int, variable: String)? {
        for variable in localRankVariables {
            guard let text = environment[variable] else { continue }
            guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = Int(text) else {
                throw MCExecError("\(variable)='\(text)' is not a rank (a number from 0), so mcexec -n cannot tell which share of the LWK's CPUs is this process's",
                                  remedy: "unset it, or start mcexec from an MPI launcher that sets it", status: .failure)
            }
            if variable == "PMI_RANK" { return (value % ranks, variable) }
            guard value < ranks else {
                throw MCExecError("\(variable)=\(value) is not a rank of -n \(ranks) (ranks 0-\(ranks - 1) on this node)",
                                  remedy: "give -n the number of ranks the launcher starts on each node", status: .failure)
            }
            return (value, variable)
        }
        return nil
    }

    /// The instance's CPUs (in LWK numbering: LWK CPU n is its n-th lowest Linux CPU)
    /// cut into `ranks` equal shares of neighbours; CPUs left over when `ranks` does not
    /// divide their count run nothing of the job. nil when there are fewer CPUs than ranks.
    static func shares(of cpus: [ReservedCPU], ranks: Int) -> [[Int]]? {
        guard ranks > 0, cpus.count >= ranks else { return nil }
        let lwkOrder = cpus.sorted { $0.cpu < $1.cpu }
        let neighbours = lwkOrder.indices.sorted { a, b in
            let (x, y) = (lwkOrder[a], lwkOrder[b])
            if x.numaNode != y.numaNode { return x.numaNode < y.numaNode }
            if x.apicID != y.apicID { return x.apicID < y.apicID }
            return a < b
        }
        let size = cpus.count / ranks
        return (0..<ranks).map { rank in neighbours[rank * size..<(rank + 1) * size].sorted() }
    }

    /// A share as mcos_proc_create's cpu_mask.
    static func mask(_ share: [Int]) -> CPUShare {
        var words: [UInt64] = [0, 0, 0, 0]
        for cpu in share where cpu >= 0 && cpu < 64 * words.count { words[cpu / 64] |= 1 << UInt64(cpu % 64) }
        return CPUShare(words: (words[0], words[1], words[2], words[3]))
    }

    /// Joins the job on `device` (a /dev/mcosN of the instance): the rank the module
    /// settled on once all `ranks` came, or why not.
    static func join(device: Int32, instance: Int, ranks: Int, wish: (rank: Int, variable: String)?, timeoutSeconds: Int) throws(MCExecError) -> Int {
        var join = mcos_rank_join()
        join.size = UInt32(MemoryLayout<mcos_rank_join>.size)
        join.ranks = UInt32(ranks)
        join.rank = Int32(wish?.rank ?? -1)
        join.timeout_ms = UInt32(timeoutSeconds * 1000)
        var result = deviceControl(device, mcos_ioc_rank_join, &join)
        while result == -Int(EINTR) {  // a signal mcexec ignores, or stopped and continued
            result = deviceControl(device, mcos_ioc_rank_join, &join)
        }
        switch result {
        case 0...:
            return Int(join.rank)
        case -Int(ETIMEDOUT):
            throw MCExecError("mcexec -n \(ranks): not all \(ranks) ranks of this job came within \(timeoutSeconds) s (a job is the mcexec processes one launcher started on OS \(instance))",
                              remedy: "start exactly \(ranks) mcexec -n \(ranks) per node from one launcher (mpiexec, srun), or give --rank-timeout more time", status: .failure)
        case -Int(EEXIST):
            let said = wish.map { "\($0.variable)=\($0.rank)" } ?? "its rank"
            throw MCExecError("mcexec -n \(ranks): another process of this job took rank \(wish?.rank ?? -1) already (\(said))",
                              remedy: "each rank on a node needs its own local rank; check the launcher's options", status: .failure)
        case -Int(EINVAL):
            throw MCExecError("mcexec -n \(ranks): the module refuses it (at most \(MCOS_RANKS_MAX) ranks, --rank-timeout at most \(MCOS_RANK_TIMEOUT_MAX_MS / 1000) s)",
                              remedy: "give fewer ranks or a shorter timeout", status: .failure)
        case -Int(ENOTTY):
            throw MCExecError("the loaded mcos module predates mcexec -n", remedy: "load the module installed with this mcexec (`mcprov teardown`, then `mcprov apply PROFILE`)", status: .failure)
        default:
            throw MCExecError("mcexec -n \(ranks): joining the job's ranks on OS \(instance) failed: \(String(cString: strerror(Int32(-result))))",
                              remedy: "`mcprov status` shows the node", status: .failure)
        }
    }
}

/// What -n gave this mcexec: its rank, the ranks, and the LWK CPUs of its share.
struct RankShare: Equatable {
    var rank: Int
    var ranks: Int
    var cpus: [Int]

    var mask: CPUShare { RankPlacement.mask(cpus) }
}

extension mcos_proc_create {
    /// cpu_mask, whose words are imported as a tuple.
    var cpuShare: CPUShare {
        get { CPUShare(words: cpu_mask) }
        set { cpu_mask = newValue.words }
    }
}

extension Launcher {
    /// -n: joins the job's ranks on the instance and returns this one's share of its
    /// CPUs; nil without -n. Refuses at once, without waiting, more ranks than CPUs.
    func joinRanks(probe: some InstanceProbe, environment: [String: String]) throws(MCExecError) -> RankShare? {
        guard let ranks = options.processesPerNode else { return nil }
        let cpus: [ReservedCPU]
        do throws(ModuleError) { cpus = try probe.reservedCPUs(of: instance) } catch {
            throw MCExecError("cannot query OS \(instance): \(error.message)", remedy: error.remedy, status: .failure)
        }
        guard let shares = RankPlacement.shares(of: cpus, ranks: ranks) else {
            throw MCExecError("mcexec -n \(ranks): OS \(instance) has \(cpus.count) LWK CPUs, fewer than the ranks, each of which needs one at least",
                              remedy: "give -n at most \(cpus.count), or the LWK more CPUs in its profile", status: .failure)
        }
        let wish = try RankPlacement.localRank(environment: environment, ranks: ranks)
        let device = try openDevice()
        defer { close(device) }
        let rank = try RankPlacement.join(device: device, instance: instance, ranks: ranks, wish: wish, timeoutSeconds: options.rankTimeout)
        let share = RankShare(rank: rank, ranks: ranks, cpus: shares[rank])
        verbose("rank \(rank) of \(ranks)" + (wish.map { " (\($0.variable))" } ?? " (order of arrival)") + ": LWK CPUs \(LogLine.cpuList(share.cpus))")
        return share
    }
}

import CMcosABI
import Kernel
import NodeControl
import Testing
@testable import mcexec

/// mcexec -n: which rank a process is, and which LWK CPUs each rank gets.
@Suite struct RankPlacementTests {
    /// Linux CPUs 8-15 given to the LWK, numbered as many machines number them: the
    /// even ones on node 0, the odd ones on node 1; APIC ids put SMT siblings together.
    static let interleaved: [ReservedCPU] = (8...15).map { cpu in
        ReservedCPU(cpu: cpu, apicID: 100 - cpu, numaNode: cpu % 2, instance: 0)
    }

    @Test func sharesKeepANodeTogether() throws {
        // LWK CPU n is Linux CPU 8+n: node 0 has LWK CPUs 0, 2, 4, 6.
        let two = try #require(RankPlacement.shares(of: Self.interleaved, ranks: 2))
        #expect(two == [[0, 2, 4, 6], [1, 3, 5, 7]], "one node per rank, whatever the numbering")
        let four = try #require(RankPlacement.shares(of: Self.interleaved, ranks: 4))
        #expect(four == [[4, 6], [0, 2], [5, 7], [1, 3]], "neighbours in APIC order within a node")
        #expect(Set(four.joined()).count == 8, "no CPU in two shares")
    }

    @Test func sharesAreEqualAndLeftoversRunNothing() throws {
        let cpus = (0..<7).map { ReservedCPU(cpu: $0, apicID: $0, numaNode: 0, instance: 1) }
        let shares = try #require(RankPlacement.shares(of: cpus.reversed(), ranks: 3))
        #expect(shares == [[0, 1], [2, 3], [4, 5]], "7 CPUs, 3 ranks: 2 each, LWK CPU 6 unused; input order does not matter")
        #expect(RankPlacement.shares(of: cpus, ranks: 7)?.count == 7)
        #expect(RankPlacement.shares(of: cpus, ranks: 8) == nil, "fewer CPUs than ranks")
        #expect(RankPlacement.shares(of: cpus, ranks: 0) == nil)
        #expect(RankPlacement.shares(of: [], ranks: 1) == nil)
    }

    @Test func localRankFromTheLauncher() throws {
        #expect(try RankPlacement.localRank(environment: [:], ranks: 4) == nil, "order of arrival")
        #expect(try RankPlacement.localRank(environment: ["MPI_LOCALRANKID": "3", "PMI_RANK": "1"], ranks: 4)! == (3, "MPI_LOCALRANKID"))
        #expect(try RankPlacement.localRank(environment: ["OMPI_COMM_WORLD_LOCAL_RANK": "1"], ranks: 2)! == (1, "OMPI_COMM_WORLD_LOCAL_RANK"))
        #expect(try RankPlacement.localRank(environment: ["SLURM_LOCALID": "0"], ranks: 2)! == (0, "SLURM_LOCALID"))
        #expect(try RankPlacement.localRank(environment: ["PMI_RANK": "13"], ranks: 4)! == (1, "PMI_RANK"), "the job's rank, modulo the ranks per node")
        for bad in ["", "-1", "x", "1.5", " 2"] {
            #expect(throws: MCExecError.self) { try RankPlacement.localRank(environment: ["SLURM_LOCALID": bad], ranks: 4) }
        }
        let error = #expect(throws: MCExecError.self) { try RankPlacement.localRank(environment: ["MPI_LOCALRANKID": "4"], ranks: 4) }
        #expect(error?.message.contains("MPI_LOCALRANKID=4") == true && error?.remedy?.contains("-n") == true)
    }

    @Test func maskNamesTheShare() {
        let share = RankShare(rank: 1, ranks: 2, cpus: [1, 63, 64, 200])
        let mask = share.mask
        #expect(mask.words == (1 << 1 | 1 << 63, 1, 0, 1 << 8))
        #expect(mask.members(of: 256) == [1, 63, 64, 200])
        #expect(RankPlacement.mask([]).isAll, "no -n: every CPU")
        var create = mcos_proc_create()
        create.cpuShare = mask
        #expect(create.cpu_mask.0 == mask.words.0 && create.cpu_mask.3 == mask.words.3 && create.cpuShare == mask)
    }

    @Test func optionsOfMinusN() throws {
        let command = try MCExec.parseAsRoot(["-n", "4", "--rank-timeout", "5", "prog"]) as! MCExec
        #expect(command.options.processesPerNode == 4 && command.options.rankTimeout == 5)
        #expect((try MCExec.parseAsRoot(["prog"]) as! MCExec).options.rankTimeout == 60)
        for bad in [["-n", "0"], ["-n", "257"], ["-n", "2", "-c", "1"], ["--rank-timeout", "-1"], ["--rank-timeout", "3601"]] {
            #expect(throws: (any Error).self, "\(bad)") { try MCExec.parseAsRoot(bad + ["prog"]) }
        }
    }
}

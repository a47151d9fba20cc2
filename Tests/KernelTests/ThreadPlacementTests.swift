import Testing
import CMcosABI
@testable import Kernel

/// Where a process's threads run: CPU grants, thread placement, affinity masks, the run
/// queue and its timer.
@Suite struct ThreadPlacementTests {
    /// Two nodes of four CPUs each (LWK CPUs 0-3 on node 0, 4-7 on node 1), and a node
    /// without CPUs between them in distance.
    static let placement = CPUPlacement(nodes: [0, 0, 0, 0, 1, 1, 1, 1], distances: [[10, 21, 12], [21, 10, 12], [12, 12, 10]])

    @Test func grantNearestFirst() {
        let p = Self.placement
        #expect(p.grant(wanted: 3, first: 5, idle: Array(0...7)) == [5, 4, 6])
        #expect(p.grant(wanted: 6, first: 5, idle: Array(0...7)) == [5, 4, 6, 7, 0, 1])
        #expect(p.grant(wanted: 0, first: nil, idle: [6, 2, 7]) == [2, 6, 7], "every idle one, the lowest first")
        #expect(p.grant(wanted: 9, first: 1, idle: [1, 5]) == [1, 5], "fewer when fewer are idle")
        #expect(p.grant(wanted: 1, first: 3, idle: [1, 5]) == nil, "the first CPU asked for is busy")
        #expect(p.grant(wanted: 1, first: nil, idle: []) == nil)
        let bare = CPUPlacement(nodes: [0, 7], distances: [[10]])
        #expect(bare.grant(wanted: 2, first: 1, idle: [0, 1]) == [1, 0], "an unknown node is far, not a trap")
        #expect(bare.distance(0, 9) == Int.max && bare.distance(1, 1) == 0)
    }

    @Test func placeTheFewestThreadsFirst() {
        let p = Self.placement, cpus = [4, 5, 6, 0]
        var threads = [Int](repeating: 0, count: 8)
        threads[4] = 1
        #expect(p.place(allowed: cpus, threads: threads, near: 4, exclusive: true) == .cpu(5), "same node, then the lowest index")
        threads[5] = 1; threads[6] = 1
        #expect(p.place(allowed: cpus, threads: threads, near: 4, exclusive: true) == .cpu(0), "the other node when this one is full")
        threads[0] = 1
        guard case .full = p.place(allowed: cpus, threads: threads, near: 4, exclusive: true) else {
            Issue.record("without time_sharing a CPU takes one thread")
            return
        }
        #expect(p.place(allowed: cpus, threads: threads, near: 4, exclusive: false) == .cpu(4), "time sharing: a tie, near first")
        threads[4] = 2
        #expect(p.place(allowed: cpus, threads: threads, near: 4, exclusive: false) == .cpu(5))
        #expect(p.place(allowed: [], threads: threads, near: 4, exclusive: false)
            == .full("no CPU of the process is in the thread's affinity"))
    }

    @Test func affinityMasks() throws {
        typealias A = CPUAffinity
        #expect(A.maskBytes(cpuCount: 8) == 8 && A.maskBytes(cpuCount: 64) == 8 && A.maskBytes(cpuCount: 65) == 16)
        #expect(try A.get([1, 3], length: 128, cpuCount: 8) == [0b1010, 0, 0, 0, 0, 0, 0, 0], "the kernel's size, not the caller's")
        #expect(try A.get([1, 3, 64], length: 16, cpuCount: 70).count == 16)
        #expect(throws: Errno.inval) { try A.get([1], length: 4, cpuCount: 8) }
        #expect(throws: Errno.inval) { try A.get([1], length: 8, cpuCount: 65) }
        #expect(throws: Errno.inval) { try A.get([1], length: 12, cpuCount: 8) }
        #expect(A.cpus(in: A.mask([0, 9, 70], bytes: 16)) == [0, 9, 70])

        let memory = WordMemory()
        memory.map(0x40_0000)
        memory.setBytes(0x40_0000, [0b1111_0000, 0xff])
        func set(_ length: UInt64) throws(Errno) -> [Int] {
            try A.set(mask: 0x40_0000, length: length, processCPUs: [4, 5, 6, 7], cpuCount: 8, memory: memory)
        }
        #expect(try set(8) == [4, 5, 6, 7])
        #expect(try set(1) == [4, 5, 6, 7], "a shorter mask leaves the rest out")
        memory.setBytes(0x40_0000, [0b0011_0000, 0, 0, 0, 0, 0, 0, 0, 0xff])
        #expect(try set(4096) == [4, 5], "read up to the kernel's size only")
        memory.setBytes(0x40_0000, [0b0000_1111])
        #expect(throws: Errno.inval) { try set(8) }
        #expect(throws: Errno.inval) { try set(0) }
        #expect(throws: Errno.fault) { try A.set(mask: 0x90_0000, length: 8, processCPUs: [4], cpuCount: 8, memory: memory) }
    }

    @Test func contextsTakeTurnsAndOnlyThoseAtWorkHaveTheTimer() {
        var turns = ContextTurns(contexts: [1, 3, 5])
        #expect(turns.running == 1 && turns.next() == 3, "a boot starts with every context looking")
        turns.begin(1, now: 0)
        turns.sleep(until: nil)
        turns.begin(3, now: 5)
        turns.sleep(until: 900)
        turns.begin(5, now: 10)
        turns.sleep(until: nil)
        #expect(turns.next() == nil && turns.atWork == 0)
        #expect(turns.timer(sliceTicks: 50) == 900, "all asleep: the timer only for the nearest timeout")
        turns.wakeAll()  // an interrupt while 5 halted
        #expect(turns.states == [.looking, .looking, .looking] && turns.timer(sliceTicks: 50) == nil)
        turns.begin(5, now: 20)
        #expect(turns.othersLooking && turns.next() == 1)
        turns.atWorkNow()  // 5 gives its turn to the others with work left
        turns.begin(1, now: 30)
        turns.sleep(until: nil)
        #expect(turns.next() == 3)
        turns.begin(3, now: 40)
        let news = (turns.atWorkNow(), turns.atWorkNow())
        #expect(news == (true, false), "3 heads for user mode, which is news once")
        #expect(turns.atWork == 2 && turns.timer(sliceTicks: 50) == 90, "two at work: a turn ends by the timer")
        #expect(!turns.othersLooking)
        turns.begin(5, now: 90)
        turns.sleep(until: 200)
        #expect(turns.next() == 3 && turns.timer(sliceTicks: 50) == 200, "one at work: only the timeout")
        turns.begin(3, now: 95)
        turns.wake(5)  // a kick from 3: 5 has work
        #expect(turns.states == [.asleep, .atWork, .atWork] && turns.deadlines[2] == nil)
        #expect(turns.timer(sliceTicks: UInt64.max) == UInt64.max)
    }

    @Test func contextsSitOnTheirCPUsInLayers() {
        let layout = ContextLayout(cpus: 3, perCPU: 4)
        #expect(layout.count == 12 && layout.contexts(on: 1) == [1, 4, 7, 10] && layout.cpu(of: 10) == 1)
        #expect(ContextLayout(cpus: 0, perCPU: 0).count == 1)
        #expect(ContextLayout.perCPU(timeSharing: false, requested: 8, most: 32) == (1, nil))
        #expect(ContextLayout.perCPU(timeSharing: true, requested: 8, most: 32) == (8, nil))
        #expect(ContextLayout.perCPU(timeSharing: true, requested: 99, most: 32).0 == 32)
        // 64 CPUs with 8 each would need 513 pairs of rings; the largest block, 2 MiB,
        // of 4 KiB rings holds 255 besides the master channel's.
        let inArea = Int(UInt64(FrameAllocator.largestBlockBytes) / 4096) / 2 - 1
        #expect(inArea == 255)
        let (fit, told) = ContextLayout.perCPU(timeSharing: true, requested: 8, most: 32, cpus: 64, mostInAll: inArea)
        #expect(fit == 3 && told?.contains("3 contexts per CPU") == true)
        #expect(ContextLayout.perCPU(timeSharing: true, requested: 8, most: 32, cpus: 2, mostInAll: inArea) == (8, nil))
        #expect(ContextLayout.perCPU(timeSharing: true, requested: 8, most: 32, cpus: 600, mostInAll: inArea).0 == 1)
    }
}

/// mcexec -n's share of the LWK's CPUs, as PROC_CPUS carries it.
@Suite struct CPUShareTests {
    @Test func membership() {
        let share = CPUShare(words: (0b1010, 0, 1 << 63, 0))
        #expect(share.contains(1) && share.contains(3) && share.contains(191))
        #expect(!share.contains(0) && !share.contains(2) && !share.contains(64) && !share.contains(-1) && !share.contains(256))
        #expect(share.members(of: 4) == [1, 3], "CPUs beyond the instance's are not members")
        #expect(share.members(of: 200) == [1, 3, 191])
        #expect(CPUShare.all.contains(255) && CPUShare.all.members(of: 3) == [0, 1, 2] && CPUShare.all.isAll)
        #expect(!share.isAll && share != .all)
        #expect(MCOS_CPU_MASK_WORDS == 4, "CPUShare has four words")
    }

    @Test func cpuListInTheKernelsSyntax() {
        #expect(LogLine.cpuList([3, 0, 1, 2, 8, 10, 11]) == "0-3,8,10-11")
        #expect(LogLine.cpuList([5]) == "5" && LogLine.cpuList([]) == "")
    }
}

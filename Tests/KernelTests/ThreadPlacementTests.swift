import Testing
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

    @Test func runQueueTakesTurns() {
        var queue = RunQueue()
        var running = queue.next(now: 0)
        #expect(running == nil && queue.isIdle)
        let told = [queue.add(1), queue.add(2), queue.add(1)]
        #expect(told == [true, false, false], "only an idle CPU must be told")
        running = queue.next(now: 10)
        #expect(running == 1 && queue.sliceStart == 10)
        running = queue.next(now: 20)
        #expect(running == 1, "it keeps the CPU until it blocks or yields")
        running = queue.next(now: 30, yield: true)
        #expect(running == 2 && queue.waiting == [1])
        queue.remove(2)  // blocks
        #expect(queue.current == nil)
        running = queue.next(now: 40)
        #expect(running == 1)
        running = queue.next(now: 50, yield: true)
        #expect(running == 1 && queue.sliceStart == 50, "alone, a yield starts a new slice")
        queue.add(3)
        queue.remove(3)
        #expect(queue.runnableCount == 1 && queue.contains(1) && !queue.contains(3))
    }

    @Test func theTimerRunsOnlyWhenNeeded() {
        var queue = RunQueue()
        queue.add(1)
        _ = queue.next(now: 100)
        #expect(queue.timer(timeSharing: true, sliceTicks: 50, deadline: nil) == nil, "one thread, no timeout: tickless")
        #expect(queue.timer(timeSharing: true, sliceTicks: 50, deadline: 400) == 400)
        queue.add(2)
        #expect(queue.needsTimeSlices(timeSharing: true) && !queue.needsTimeSlices(timeSharing: false))
        #expect(queue.timer(timeSharing: true, sliceTicks: 50, deadline: 400) == 150)
        #expect(queue.timer(timeSharing: true, sliceTicks: 50, deadline: 120) == 120)
        #expect(queue.timer(timeSharing: false, sliceTicks: 50, deadline: nil) == nil, "without time_sharing threads only yield")
        #expect(queue.timer(timeSharing: true, sliceTicks: UInt64.max, deadline: nil) == UInt64.max)
    }
}

import CMcosABI
import Testing
@testable import Kernel

/// Node pages from the host's heap, counted.
struct TestPages: RegionPages {
    var live = 0

    mutating func allocatePage() -> UnsafeMutableRawPointer? {
        live += 1
        return .allocate(byteCount: 4096, alignment: 4096)
    }

    mutating func releasePage(_ page: UnsafeMutableRawPointer) {
        live -= 1
        page.deallocate()
    }
}

@Suite struct RegionMapTests {
    static let rw = MCOS_PROT_READ | MCOS_PROT_WRITE, rx = MCOS_PROT_READ | MCOS_PROT_EXEC

    @Test func rangesMustBeAlignedAndInUserSpace() {
        #expect(UserSpace.range(start: 0x40_0000, bytes: 1)! == (0x40_0000, 0x40_1000))
        #expect(UserSpace.range(start: 0x40_0001, bytes: 1) == nil)
        #expect(UserSpace.range(start: 0x40_0000, bytes: 0) == nil)
        #expect(UserSpace.range(start: 0x1000, bytes: 0x1000) == nil, "below MCOS_USER_START")
        #expect(UserSpace.range(start: MCOS_USER_END - 0x1000, bytes: 0x1000)! == (MCOS_USER_END - 0x1000, MCOS_USER_END))
        #expect(UserSpace.range(start: MCOS_USER_END - 0x1000, bytes: 0x2000) == nil)
        #expect(UserSpace.range(start: 0x40_0000, bytes: .max) == nil)
    }

    /// Every length a program can pass rounds up or is refused, never traps: the last
    /// page's start once did (brk(-4096), mremap's lengths), which in the LWK is a panic.
    @Test func pageUpAtTheTop() {
        #expect(UserSpace.pageUp(0) == 0)
        #expect(UserSpace.pageUp(1) == 0x1000)
        #expect(UserSpace.pageUp(0x1000) == 0x1000)
        #expect(UserSpace.pageUp(0xffff_ffff_ffff_e001) == 0xffff_ffff_ffff_f000)
        #expect(UserSpace.pageUp(0xffff_ffff_ffff_f000) == 0xffff_ffff_ffff_f000)
        #expect(UserSpace.pageUp(0xffff_ffff_ffff_f001) == nil)
        #expect(UserSpace.pageUp(.max) == nil)
        var brk = ProgramBreak(start: 0x60_0000)
        #expect(brk.step(to: 0xffff_ffff_ffff_f000) == .refuse)
        #expect(brk.step(to: .max) == .refuse)
    }

    @Test func leafFlagsFollowProtection() {
        let rw = PageTables.userLeafFlags(protection: Self.rw)
        #expect(rw & PageTables.writable != 0 && rw & PageTables.noExecute != 0 && rw & PageTables.user != 0)
        let rx = PageTables.userLeafFlags(protection: Self.rx)
        #expect(rx & PageTables.writable == 0 && rx & PageTables.noExecute == 0 && rx & PageTables.present != 0)
        #expect(PageTables.userLeafFlags(protection: Self.rx, loading: true) & PageTables.writable != 0, "the proxy fills it first")
        #expect(PageTables.userLeafFlags(protection: 0) & PageTables.present == 0, "PROT_NONE")
    }

    @Test func insertRefusesOverlapAndMerges() {
        var map = RegionMap(pages: TestPages())
        do {
            let result = map.reserve(4)
            #expect(result)
        }
        let step1 = map.insert(UserRegion(start: 0x1_0000, end: 0x3_0000, protection: Self.rw))
        #expect(step1)
        let step2 = map.insert(UserRegion(start: 0x2_0000, end: 0x4_0000, protection: Self.rw))
        #expect(!step2)
        let step3 = map.insert(UserRegion(start: 0x3_0000, end: 0x4_0000, protection: Self.rw))
        #expect(step3)
        #expect(map.allRegions() == [UserRegion(start: 0x1_0000, end: 0x4_0000, protection: Self.rw)])
        let step4 = map.insert(UserRegion(start: 0x4_0000, end: 0x5_0000, protection: Self.rx))
        #expect(step4)
        #expect(map.count == 2 && map.mappedBytes == 0x4_0000)
        do {
            let result = map.insert(UserRegion(start: 0x0_f000, end: 0x1_0000, protection: Self.rw))
            #expect(result, "joins the one above")
        }
        #expect(map.allRegions().first == UserRegion(start: 0x0_f000, end: 0x4_0000, protection: Self.rw) && map.count == 2)
    }

    @Test func removeSplitsAndTrims() {
        var map = RegionMap(pages: TestPages())
        do {
            let result = map.reserve(3)
            #expect(result)
        }
        map.insert(UserRegion(start: 0x10_0000, end: 0x20_0000, protection: Self.rw))
        map.insert(UserRegion(start: 0x30_0000, end: 0x31_0000, protection: Self.rx))
        #expect(map.splits(removing: 0x18_0000, end: 0x30_8000) == 0)
        map.remove(start: 0x18_0000, end: 0x30_8000)
        #expect(map.allRegions() == [UserRegion(start: 0x10_0000, end: 0x18_0000, protection: Self.rw),
                                     UserRegion(start: 0x30_8000, end: 0x31_0000, protection: Self.rx)])
        #expect(map.mappedBytes == 0x8_0000 + 0x8000)
        #expect(map.splits(removing: 0x12_0000, end: 0x13_0000) == 1)
        map.remove(start: 0x12_0000, end: 0x13_0000)
        #expect(map.allRegions().count == 3 && map.mappedBytes == 0x7_0000 + 0x8000)
        map.remove(start: 0x20_0000, end: 0x30_0000)
        #expect(map.count == 3, "unmapping a hole changes nothing")
        map.remove(start: 0, end: MCOS_USER_END)
        #expect(map.count == 0 && map.mappedBytes == 0)
    }

    @Test func protectNeedsEveryPageMapped() {
        var map = RegionMap(pages: TestPages())
        do {
            let result = map.reserve(3)
            #expect(result)
        }
        map.insert(UserRegion(start: 0x10_0000, end: 0x14_0000, protection: Self.rw))
        #expect(map.splits(protecting: 0x11_0000, end: 0x12_0000, protection: MCOS_PROT_READ) == 2)
        #expect(map.splits(protecting: 0x11_0000, end: 0x12_0000, protection: Self.rw) == 0)
        let step5 = map.protect(start: 0x11_0000, end: 0x12_0000, protection: MCOS_PROT_READ)
        #expect(step5)
        #expect(map.count == 3 && map.allRegions()[1] == UserRegion(start: 0x11_0000, end: 0x12_0000, protection: MCOS_PROT_READ))
        let hole = map.protect(start: 0x13_0000, end: 0x15_0000, protection: MCOS_PROT_READ)
        #expect(!hole, "ENOMEM: 0x14_0000 up is a hole")
        #expect(map.mappedEnd(from: 0x13_0000, upTo: 0x15_0000) == 0x14_0000)
        #expect(map.mappedEnd(from: 0x14_0000, upTo: 0x15_0000) == 0x14_0000)
        let step6 = map.protect(start: 0x11_0000, end: 0x12_0000, protection: Self.rw)
        #expect(step6)
        #expect(map.allRegions() == [UserRegion(start: 0x10_0000, end: 0x14_0000, protection: Self.rw)], "merged back")
        #expect(map.covers(start: 0x10_0000, end: 0x14_0000) && !map.covers(start: 0x10_0000, end: 0x14_1000))
        #expect(map.region(containing: 0x13_ffff)?.start == 0x10_0000 && map.region(containing: 0x14_0000) == nil)
    }

    /// Shared anonymous memory beside private memory of the same protection: never
    /// one region with it, and mprotect over both keeps each one's kind.
    @Test func sharedMemoryStaysItsOwnRegion() {
        var map = RegionMap(pages: TestPages())
        do {
            let result = map.reserve(4)
            #expect(result)
        }
        let shared = Self.rw | UserSpace.sharedMapping
        map.insert(UserRegion(start: 0x10_0000, end: 0x12_0000, protection: Self.rw))
        map.insert(UserRegion(start: 0x12_0000, end: 0x14_0000, protection: shared))
        #expect(map.count == 2, "not merged")
        #expect(map.splits(protecting: 0x11_0000, end: 0x13_0000, protection: MCOS_PROT_READ) == 2)
        let done = map.protect(start: 0x11_0000, end: 0x13_0000, protection: MCOS_PROT_READ)
        #expect(done)
        #expect(map.allRegions() == [UserRegion(start: 0x10_0000, end: 0x11_0000, protection: Self.rw),
                                     UserRegion(start: 0x11_0000, end: 0x12_0000, protection: MCOS_PROT_READ),
                                     UserRegion(start: 0x12_0000, end: 0x13_0000, protection: MCOS_PROT_READ | UserSpace.sharedMapping),
                                     UserRegion(start: 0x13_0000, end: 0x14_0000, protection: shared)])
        let back = map.protect(start: 0x10_0000, end: 0x14_0000, protection: Self.rw)
        #expect(back)
        #expect(map.allRegions() == [UserRegion(start: 0x10_0000, end: 0x12_0000, protection: Self.rw),
                                     UserRegion(start: 0x12_0000, end: 0x14_0000, protection: shared)], "each kind merged back with its own")
    }

    @Test func mmapPlacementIsTopDownIntoTheHighestHole() {
        var map = RegionMap(pages: TestPages())
        do {
            let result = map.reserve(4)
            #expect(result)
        }
        let top = MCOS_USER_MMAP_TOP, bottom = MCOS_USER_START
        #expect(map.findFree(bytes: 0x2000, top: top, bottom: bottom) == top - 0x2000)
        map.insert(UserRegion(start: top - 0x2000, end: top, protection: Self.rw))
        #expect(map.findFree(bytes: 0x1000, top: top, bottom: bottom) == top - 0x3000)
        map.insert(UserRegion(start: top - 0x5000, end: top - 0x3000, protection: Self.rw))
        #expect(map.findFree(bytes: 0x1000, top: top, bottom: bottom) == top - 0x3000, "the one-page hole")
        #expect(map.findFree(bytes: 0x2000, top: top, bottom: bottom) == top - 0x7000)
        map.insert(UserRegion(start: MCOS_USER_STACK_TOP - 0x10_0000, end: MCOS_USER_STACK_TOP, protection: Self.rw))
        #expect(map.findFree(bytes: 0x1000, top: top, bottom: bottom) == top - 0x3000, "the stack above the top does not count")
        #expect(map.findFree(bytes: 0x3000, top: 0x5_0000, bottom: 0x1_0000) == 0x4_d000)
        #expect(map.findFree(bytes: 0x5_0000, top: 0x5_0000, bottom: 0x1_0000) == nil)
        var low = RegionMap(pages: TestPages())
        do {
            let result = low.reserve(1)
            #expect(result)
        }
        low.insert(UserRegion(start: 0x1_0000, end: 0x4_0000, protection: Self.rw))
        #expect(low.findFree(bytes: 0x1000, top: 0x5_0000, bottom: 0x1_0000) == 0x4_f000)
        #expect(low.findFree(bytes: 0x2_0000, top: 0x5_0000, bottom: 0x1_0000) == nil)
    }

    /// mprotect of every other page of 128 MiB: one region per page, each change in
    /// O(log n), and all of it back in one piece.
    @Test func everyOtherPageIsARegionOfItsOwn() {
        var map = RegionMap(pages: TestPages())
        let start: UInt64 = 0x10_0000_0000, pages: UInt64 = 32768
        do {
            let result = map.reserve(1)
            #expect(result)
        }
        map.insert(UserRegion(start: start, end: start + pages * 4096, protection: Self.rw))
        for page in stride(from: UInt64(0), to: pages, by: 2) {
            let at = start + page * 4096
            do {
                let result = map.reserve(map.splits(protecting: at, end: at + 4096, protection: MCOS_PROT_READ))
                #expect(result)
            }
            do {
                let result = map.protect(start: at, end: at + 4096, protection: MCOS_PROT_READ)
                #expect(result)
            }
        }
        #expect(map.count == Int(pages) && map.mappedBytes == pages * 4096)
        #expect(map.pageCount * RegionMap<TestPages>.nodesPerPage >= Int(pages))
        #expect(map.region(containing: start + 4097) == UserRegion(start: start + 4096, end: start + 8192, protection: Self.rw))
        do {
            let result = map.protect(start: start, end: start + pages * 4096, protection: Self.rw)
            #expect(result)
        }
        #expect(map.count == 1)
        map.remove(start: start, end: start + pages * 4096)
        #expect(map.count == 0)
        let pagesUsed = map.pageCount
        map.releaseAll()
        #expect(map.pages.live == 0 && pagesUsed > 0)
    }

    /// Linux's vm.max_map_count: the split that would go beyond it is ENOMEM, and a
    /// change that splits nothing still works there.
    @Test func regionsStopAtTheMapCount() {
        var map = RegionMap(pages: TestPages())
        let start: UInt64 = 0x10_0000_0000, pages = UInt64(RegionMap<TestPages>.maxRegions) + 10
        do {
            let result = map.reserve(1)
            #expect(result)
        }
        map.insert(UserRegion(start: start, end: start + pages * 4096, protection: Self.rw))
        var page: UInt64 = 1
        while map.reserve(map.splits(protecting: start + page * 4096, end: start + page * 4096 + 4096, protection: MCOS_PROT_READ)) {
            do {
                let result = map.protect(start: start + page * 4096, end: start + page * 4096 + 4096, protection: MCOS_PROT_READ)
                #expect(result)
            }
            page += 2
        }
        #expect(map.count <= RegionMap<TestPages>.maxRegions && map.count >= RegionMap<TestPages>.maxRegions - 1)
        let last = start + (page - 2) * 4096
        do {
            let result = map.protect(start: last, end: last + 4096, protection: Self.rw)
            #expect(result, "joins its neighbours: fewer regions")
        }
        #expect(map.count < RegionMap<TestPages>.maxRegions - 1)
    }

    /// Random changes against a model that keeps one protection per page.
    @Test func randomChangesMatchAPageModel() {
        var map = RegionMap(pages: TestPages(), seed: 7)
        let start: UInt64 = 0x40_0000, pages = 512
        var model = [UInt32?](repeating: nil, count: pages)
        var random: UInt64 = 12345
        func next(_ n: Int) -> Int {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Int((random >> 33) % UInt64(n))
        }
        for _ in 0..<4000 {
            let first = next(pages), count = 1 + next(min(32, pages - first))
            let low = start + UInt64(first) * 4096, high = low + UInt64(count) * 4096
            let protection = UInt32(next(8))
            switch next(3) {
            case 0:
                if model[first..<(first + count)].allSatisfy({ $0 == nil }) {
                    do {
                        let result = map.reserve(1)
                        #expect(result)
                    }
                    do {
                        let result = map.insert(UserRegion(start: low, end: high, protection: protection))
                        #expect(result)
                    }
                    for page in first..<(first + count) { model[page] = protection }
                } else {
                    do {
                        let result = !map.insert(UserRegion(start: low, end: high, protection: protection))
                        #expect(result)
                    }
                }
            case 1:
                do {
                    let result = map.reserve(map.splits(removing: low, end: high))
                    #expect(result)
                }
                map.remove(start: low, end: high)
                for page in first..<(first + count) { model[page] = nil }
            default:
                let covered = model[first..<(first + count)].allSatisfy { $0 != nil }
                #expect(map.covers(start: low, end: high) == covered)
                if covered {
                    do {
                        let result = map.reserve(map.splits(protecting: low, end: high, protection: protection))
                        #expect(result)
                    }
                    do {
                        let result = map.protect(start: low, end: high, protection: protection)
                        #expect(result)
                    }
                    for page in first..<(first + count) { model[page] = protection }
                }
            }
        }
        // The map is the model, merged.
        var expected: [UserRegion] = []
        for (page, protection) in model.enumerated() {
            guard let protection else { continue }
            let low = start + UInt64(page) * 4096
            if let last = expected.last, last.end == low, last.protection == protection {
                expected[expected.count - 1].end = low + 4096
            } else {
                expected.append(UserRegion(start: low, end: low + 4096, protection: protection))
            }
        }
        #expect(map.allRegions() == expected)
        #expect(map.count == expected.count && map.mappedBytes == UInt64(model.compactMap { $0 }.count) * 4096)
    }

    @Test func programBreakFollowsLinuxRules() {
        var brk = ProgramBreak(start: 0x60_0000)
        #expect(brk.step(to: 0) == .refuse, "glibc's first query")
        #expect(brk.step(to: 0x5f_0000) == .refuse)
        #expect(brk.step(to: 0x60_0010) == .grow(from: 0x60_0000, to: 0x60_1000))
        brk.commit(0x60_0010)
        #expect(brk.step(to: 0x60_0800) == .move)
        #expect(brk.step(to: 0x62_1000) == .grow(from: 0x60_1000, to: 0x62_1000))
        brk.commit(0x62_1000)
        #expect(brk.step(to: 0x60_0000) == .shrink(from: 0x60_0000, to: 0x62_1000))
        #expect(brk.step(to: MCOS_USER_END + 0x1000) == .refuse)
    }
}

@Suite struct ProcessEndTests {
    @Test func waitStatusesAreWaitpids() {
        #expect(ProcessEnd.exitStatus(code: 42) == 0x2a00)
        #expect(ProcessEnd.exitStatus(code: 0x1ff) == 0xff00)
        #expect(ProcessEnd.signalStatus(9) == 9)
    }

    @Test func exceptionsMapToLinuxSignals() {
        #expect(CPUException.signal(vector: 14) == 11 && CPUException.signal(vector: 13) == 11)
        #expect(CPUException.signal(vector: 12) == 11 && CPUException.signal(vector: 11) == 11)
        #expect(CPUException.signal(vector: 6) == 4)
        #expect(CPUException.signal(vector: 0) == 8 && CPUException.signal(vector: 16) == 8 && CPUException.signal(vector: 19) == 8)
        #expect(CPUException.signal(vector: 17) == 7)
        #expect(CPUException.signal(vector: 3) == 5 && CPUException.signal(vector: 1) == 5)
        #expect(CPUException.signal(vector: 2) == nil && CPUException.signal(vector: 18) == nil)
        #expect(CPUException.faultAddress(vector: 14, cr2: 0xdead, rip: 0x40_1000) == 0xdead)
        #expect(CPUException.faultAddress(vector: 6, cr2: 0xdead, rip: 0x40_1000) == 0x40_1000)
        #expect(CPUException.faultAddress(vector: 13, cr2: 0xdead, rip: 0x40_1000) == 0)
    }

    @Test func exceptionKindsForTheGenericKernel() {
        #expect(CPUException.kind(vector: 14) == .pageFault)
        #expect(CPUException.kind(vector: 16) == .floatingPoint && CPUException.kind(vector: 19) == .floatingPoint)
        for vector: UInt64 in [0, 1, 2, 3, 6, 7, 13, 17, 18, 32, .max] { #expect(CPUException.kind(vector: vector) == .other, "\(vector)") }
    }

    @Test func faultLinesHaveLinuxsShape() {
        #expect(CPUException.faultMessage(name: "a.out", pid: 123, vector: 14, address: 0, rip: 0x40_1136, rsp: 0xfff_ffff_e000, error: 4)
            == "a.out[123]: segfault at 0 ip 0000000000401136 sp 00000fffffffe000 error 4")
        #expect(CPUException.faultMessage(name: "123", pid: 123, vector: 6, address: 0, rip: 0x40_1136, rsp: 0x7000, error: 0)
            == "123[123] trap invalid opcode ip:401136 sp:7000 error:0")
    }
}

@Suite struct ProcessClockTests {
    @Test func tscCountsFromTheBase() {
        let clock = ProcessClock(tscKHz: 2_000_000, baseTSC: 1_000, realtime: 1_700_000_000_000_000_000, monotonic: 5_000_000_000)
        #expect(clock.elapsed(tsc: 1_000) == 0)
        #expect(clock.elapsed(tsc: 1_000 + 2_000_000_000) == 1_000_000_000)
        #expect(clock.elapsed(tsc: 999) == 0, "never negative")
        #expect(clock.read(ProcessClock.realtimeID, tsc: 1_000 + 3_000) == 1_700_000_000_000_001_500)
        #expect(clock.read(ProcessClock.monotonicCoarseID, tsc: 1_000 + 2_000) == 5_000_001_000)
        #expect(clock.read(ProcessClock.boottimeID, tsc: 1_000) == 5_000_000_000)
        #expect(clock.read(ProcessClock.processCPUTimeID, tsc: 1_000 + 2_000) == 1_000)
        #expect(clock.read(99, tsc: 0) == nil)
        // A year of uptime at 4 GHz does not overflow.
        let year: UInt64 = 365 * 86_400
        let fast = ProcessClock(tscKHz: 4_000_000, baseTSC: 0, realtime: 0, monotonic: 0)
        #expect(fast.elapsed(tsc: year * 4_000_000_000) == year * 1_000_000_000)
        #expect(ProcessClock.timespec(1_500_000_123) == (1, 500_000_123))
        #expect(ProcessClock.timeval(1_500_000_123) == (1, 500_000))
    }
}

@Suite struct UserPageTableTests {
    @Test func userMappingsCanBeProtectedUnmappedAndEmptied() {
        var memory = FakeMemory()
        let kernelRoot = memory.allocateTable()!
        memory.write(kernelRoot + 254 * 8, 0xaaaa_0003)
        memory.write(kernelRoot + 255 * 8, 0xbbbb_0003)
        let root = PageTables.createRoot(kernelRoot: kernelRoot, memory: &memory)!
        #expect(memory.read(root + 255 * 8) == 0xbbbb_0003 && memory.read(root + 254 * 8) == 0xaaaa_0003)
        let flags = PageTables.userLeafFlags(protection: MCOS_PROT_READ | MCOS_PROT_WRITE)
        #expect(PageTables.mapUser(virtual: 0x40_0000, physical: 0x100_0000, flags: flags, root: root, memory: &memory))
        #expect(PageTables.mapUser(virtual: 0x40_1000, physical: 0x100_5000, flags: flags, root: root, memory: &memory))
        // The user bit at every level.
        var table = root
        for shift: UInt64 in [39, 30, 21] {
            let entry = memory.read(table + ((0x40_0000 >> shift) & 511) * 8)
            #expect(entry & PageTables.user != 0)
            table = entry & PageTables.addressMask
        }
        #expect(PageTables.userFrame(0x40_1008, root: root, memory: memory)! == (0x100_5008, true, false))
        #expect(PageTables.protectUser(virtual: 0x40_1000, flags: PageTables.userLeafFlags(protection: MCOS_PROT_READ), root: root, memory: &memory))
        #expect(PageTables.userFrame(0x40_1008, root: root, memory: memory)! == (0x100_5008, false, false))
        // A Linux frame (a file's shared page) says so, for the kernel's slot.
        #expect(PageTables.mapUser(virtual: 0x40_2000, physical: 0x8000_0000, flags: flags | PageTables.linuxFrame, root: root, memory: &memory))
        #expect(PageTables.userFrame(0x40_2010, root: root, memory: memory)! == (0x8000_0010, true, true))
        #expect(PageTables.protectUser(virtual: 0x40_1000, flags: PageTables.userLeafFlags(protection: 0), root: root, memory: &memory))
        #expect(PageTables.userFrame(0x40_1008, root: root, memory: memory) == nil, "PROT_NONE is not reachable")
        #expect(PageTables.unmapUser(virtual: 0x40_0000, root: root, memory: &memory) == 0x100_0000)
        #expect(PageTables.unmapUser(virtual: 0x40_0000, root: root, memory: &memory) == nil)
        #expect(PageTables.userFrame(0x9000_0000, root: root, memory: memory) == nil)
        #expect(PageTables.mapUser(virtual: 0x40_2000, physical: 0x100_6000, flags: PageTables.userLeafFlags(protection: 0), root: root, memory: &memory))
        #expect(PageTables.userFrame(0x40_2000, root: root, memory: memory) == nil, "mmap(PROT_NONE) keeps its frame unreachable")
        #expect(PageTables.ownedFrame(0x40_2000, root: root, memory: memory) == 0x100_6000, "but owned (madvise zeroes it)")
        #expect(PageTables.ownedFrame(0x40_1000, root: root, memory: memory) == 0x100_5000)
        #expect(PageTables.ownedFrame(0x40_0000, root: root, memory: memory) == nil, "unmapped")
        #expect(PageTables.ownedFrame(0x9000_0000, root: root, memory: memory) == nil, "no table")

        var frames: [UInt64] = [], tables: [UInt64] = []
        PageTables.detachUserHalf(root: root, memory: &memory)
        PageTables.emptyUserHalf(root: root, memory: &memory) { physical, isTable in
            if isTable { tables.append(physical) } else { frames.append(physical) }
        }
        #expect(frames == [0x100_5000, 0x100_6000], "PROT_NONE pages' frames are freed too")
        #expect(tables.count == 3 && !tables.contains(root), "PDPT, PD, PT; never the root (its CPU keeps it) nor the kernel's")
        #expect((0..<UInt64(512)).allSatisfy { PageTables.kernelSlots.contains($0) || memory.read(root + $0 * 8) == 0 }, "the user half is empty again")
        #expect(memory.read(root + 255 * 8) == 0xbbbb_0003 && memory.read(kernelRoot + 255 * 8) == 0xbbbb_0003)
    }
}

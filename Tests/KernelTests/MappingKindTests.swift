import Testing
@testable import Kernel

@Suite struct MappingKindTests {
    @Test func kindsFromMmapFlags() throws {
        #expect(try MappingKind.of(flags: 0x22, file: nil, offset: 0) == .anonymousPrivate)
        #expect(try MappingKind.of(flags: 0x21, file: nil, offset: 0) == .anonymousShared)
        #expect(try MappingKind.of(flags: 0x02, file: 7, offset: 4096) == .filePrivate(file: 7, offset: 4096))
        #expect(try MappingKind.of(flags: 0x03, file: 7, offset: 0) == .fileShared(file: 7, offset: 0), "MAP_SHARED_VALIDATE")
        #expect(throws: Errno.inval) { try MappingKind.of(flags: 0x20, file: nil, offset: 0) }
        #expect(throws: Errno.inval) { try MappingKind.of(flags: 0x26, file: nil, offset: 0) }  // MAP_TYPE 6: neither
        #expect(throws: Errno.inval) { try MappingKind.of(flags: 0x02, file: 7, offset: 100) }
        #expect(throws: Errno.badf) { try MappingKind.of(flags: 0x02, file: nil, offset: 0) }
    }

    @Test func adviceByKind() throws {
        typealias A = MadviseAdvice
        #expect(try MappingKind.anonymousPrivate.advice(A.dontNeed) == .zeroFill)
        #expect(try MappingKind.filePrivate(file: 1, offset: 0).advice(A.dontNeed) == .refetchFile)
        #expect(try MappingKind.fileShared(file: 1, offset: 0).advice(A.dontNeed) == .nothing)
        #expect(throws: Errno.inval) { try MappingKind.anonymousShared.advice(A.free) }
        #expect(try MappingKind.anonymousShared.advice(A.remove) == .punchHole)
        #expect(throws: Errno.acces) { try MappingKind.filePrivate(file: 1, offset: 0).advice(A.remove) }
        #expect(throws: Errno.inval) { try MappingKind.anonymousPrivate.advice(A.remove) }
        #expect(try MappingKind.fileShared(file: 1, offset: 0).advice(A.willNeed) == .nothing)
    }

    @Test func copyOnWriteAcrossFork() {
        var frames = FrameReferences(capacity: 16)
        // Parent's private writable page: read-only in both; shared page stays writable.
        #expect(frames.fork(frame: 10, kind: .anonymousPrivate, writable: true) == .init(makeReadOnly: true))
        #expect(frames.fork(frame: 11, kind: .anonymousShared, writable: true) == .init(makeReadOnly: false))
        #expect(frames.fork(frame: 12, kind: .filePrivate(file: 1, offset: 0), writable: false) == .init(makeReadOnly: false))
        #expect(frames.count(10) == 2)
        // The child writes first: it copies; the parent is then the last user and takes over.
        #expect(frames.writeFault(frame: 10, kind: .anonymousPrivate, regionWritable: true) == .copy)
        let lastOfTen = frames.release(10)
        #expect(!lastOfTen)
        #expect(frames.writeFault(frame: 10, kind: .anonymousPrivate, regionWritable: true) == .takeOver)
        #expect(frames.writeFault(frame: 12, kind: .filePrivate(file: 1, offset: 0), regionWritable: false) == .refuse)
        #expect(frames.writeFault(frame: 11, kind: .anonymousShared, regionWritable: true) == .refuse, "shared frames are never read-only for COW")
        let first = frames.release(11), second = frames.release(11)
        #expect(!first && second, "freed with its last mapper")
        let twelve = frames.release(12)
        #expect(!twelve && frames.isEmpty)
    }

    /// Thousands of frames shared and let go of in another order, as forks and ends
    /// do: each count right at every step, nothing left at the end.
    @Test func manyFramesCountedAndForgotten() {
        var frames = FrameReferences(capacity: 3000)
        var expected: [UInt64: UInt32] = [:]
        var state: UInt64 = 42
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for _ in 0..<20000 {
            let frame = next() % 3000 * 4096
            if next() % 3 == 0 {
                let last = frames.release(frame)
                #expect(last == ((expected[frame] ?? 1) <= 1))
                if let now = expected[frame] { expected[frame] = now > 2 ? now - 1 : nil }
            } else {
                let counted = frames.share(frame)
                #expect(counted)
                expected[frame] = (expected[frame] ?? 1) + 1
            }
        }
        for frame in stride(from: UInt64(0), to: 3000 * 4096, by: 4096) { #expect(frames.count(frame) == expected[frame] ?? 1) }
        #expect(frames.entries == expected.count)
        for (frame, count) in expected { for _ in 1..<count { _ = frames.release(frame) } }
        #expect(frames.isEmpty)
    }

    /// The room is made once: a frame beyond it is refused and left uncounted, while
    /// frames already counted go on counting, and a frame let go of makes room again.
    @Test func framesBeyondTheRoomAreRefused() {
        var frames = FrameReferences(capacity: 3)
        let firstThree = [UInt64(1), 2, 3].map { frames.share($0) }
        #expect(firstThree == [true, true, true])
        let fourth = frames.share(4)
        #expect(!fourth, "a fourth frame needs a slot there is no room for")
        #expect(frames.count(4) == 1 && frames.entries == 3)
        let forked = frames.fork(frame: 5, kind: .anonymousShared, writable: true)
        #expect(forked == nil)
        let again = frames.share(2)
        #expect(again && frames.count(2) == 3, "a counted frame needs no new slot")
        let lastOfOne = frames.release(1)
        #expect(!lastOfOne && frames.count(1) == 1)
        let fourthNow = frames.share(4)
        #expect(fourthNow && frames.count(4) == 2, "the slot 1 left is 4's")
        #expect(FrameReferences(capacity: 0).capacity == 0)
        var none = FrameReferences(capacity: -5)
        let refused = none.share(7), last = none.release(7)
        #expect(!refused && last)
    }

    /// A map of one region [0x10000, 0x14000) (private) and one shared at 0x20000.
    static func plan(_ address: UInt64, _ old: UInt64, _ new: UInt64, _ flags: UInt64, _ target: UInt64 = 0) throws(Errno) -> RemapRequest.Plan {
        let regions = [RemapRequest.Region(start: 0x10000, end: 0x14000, isShared: false),
                       RemapRequest.Region(start: 0x20000, end: 0x22000, isShared: true)]
        return try RemapRequest.plan(
            address: address, oldLength: old, newLength: new, flags: flags, newAddress: target, userEnd: 0x1_0000_0000,
            region: { address in regions.first { $0.start <= address && address < $0.end } },
            isFree: { start, end in !regions.contains { $0.start < end && start < $0.end } },
            findFree: { _ in 0x8000_0000 })
    }

    @Test func remapAsLinux() throws {
        typealias R = RemapRequest
        #expect(try Self.plan(0x10000, 0x4000, 0x1000, 0) == .shrink(address: 0x10000, unmapStart: 0x11000, unmapEnd: 0x14000))
        #expect(try Self.plan(0x10000, 0x4000, 0x6000, 0) == .grow(address: 0x10000, newEnd: 0x16000))
        #expect(throws: Errno.noMem) { try Self.plan(0x10000, 0x4000, 0x20000, 0) }
        #expect(try Self.plan(0x10000, 0x4000, 0x20000, R.mayMove)
                == .move(from: 0x10000, fromBytes: 0x4000, to: 0x8000_0000, newBytes: 0x20000, replacesTarget: false, keepsOld: false))
        #expect(try Self.plan(0x10000, 0x4000, 0x4000, R.mayMove | R.fixed, 0x40000)
                == .move(from: 0x10000, fromBytes: 0x4000, to: 0x40000, newBytes: 0x4000, replacesTarget: true, keepsOld: false))
        #expect(try Self.plan(0x10000, 0x4000, 0x4000, R.mayMove | R.dontUnmap)
                == .move(from: 0x10000, fromBytes: 0x4000, to: 0x8000_0000, newBytes: 0x4000, replacesTarget: false, keepsOld: true))
        // MREMAP_DONTUNMAP takes new_address as a hint, checked as MREMAP_FIXED's is.
        #expect(try Self.plan(0x10000, 0x4000, 0x4000, R.mayMove | R.dontUnmap, 0x40000)
                == .move(from: 0x10000, fromBytes: 0x4000, to: 0x40000, newBytes: 0x4000, replacesTarget: false, keepsOld: true))
        #expect(try Self.plan(0x10000, 0x4000, 0x4000, R.mayMove | R.dontUnmap, 0x20000)
                == .move(from: 0x10000, fromBytes: 0x4000, to: 0x8000_0000, newBytes: 0x4000, replacesTarget: false, keepsOld: true))
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x4000, 0x4000, R.mayMove | R.dontUnmap, 0x40001) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x4000, 0x4000, R.mayMove | R.dontUnmap, 0x12000) }
        // Linux's EINVALs, in its order.
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x4000, 0x4000, 8) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x4000, 0x4000, R.fixed, 0x40000) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x4000, 0x5000, R.mayMove | R.dontUnmap) }
        #expect(throws: Errno.inval) { try Self.plan(0x10001, 0x4000, 0x5000, 0) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x4000, 0, 0) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x4000, 0x4000, R.mayMove | R.fixed, 0x12000) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0, 0x1000, R.mayMove) }
        // Zero old length duplicates a shared mapping.
        #expect(try Self.plan(0x20000, 0, 0x2000, R.mayMove)
                == .move(from: 0x20000, fromBytes: 0, to: 0x8000_0000, newBytes: 0x2000, replacesTarget: false, keepsOld: false))
        // The old range must be inside one mapping.
        #expect(throws: Errno.fault) { try Self.plan(0x30000, 0x1000, 0x2000, R.mayMove) }
        #expect(throws: Errno.fault) { try Self.plan(0x12000, 0x4000, 0x6000, R.mayMove) }
        // Hostile lengths and addresses: Linux's errors, never an overflow.
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0xffff_ffff_ffff_0000, 0x1000, 0) }
        #expect(throws: Errno.fault) { try Self.plan(0x30000, .max, 0x1000, R.mayMove) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, .max, 0x1000, R.mayMove) }
        #expect(throws: Errno.inval) { try Self.plan(0x10000, 0x1000, .max, R.mayMove) }
        #expect(throws: Errno.inval) { try Self.plan(0x8000_0000_0000, 0x2000, 0x1000, 0) }
        #expect(throws: Errno.fault) { try Self.plan(0xffff_ffff_ffff_f000, 0x2000, 0x2000, R.mayMove | R.fixed, 0x40000) }
    }

    @Test func msyncChecks() throws {
        let mapped: (UInt64, UInt64) -> Bool = { start, end in start >= 0x10000 && end <= 0x14000 }
        try MemorySync.check(address: 0x10000, length: 0x100, flags: MemorySync.sync, isMapped: mapped)
        try MemorySync.check(address: 0x10000, length: 0, flags: MemorySync.async | MemorySync.invalidate, isMapped: mapped)
        #expect(throws: Errno.inval) { try MemorySync.check(address: 0x10000, length: 1, flags: 5, isMapped: mapped) }
        #expect(throws: Errno.inval) { try MemorySync.check(address: 0x10000, length: 1, flags: 8, isMapped: mapped) }
        #expect(throws: Errno.inval) { try MemorySync.check(address: 0x10001, length: 1, flags: 4, isMapped: mapped) }
        #expect(throws: Errno.noMem) { try MemorySync.check(address: 0x13000, length: 0x2000, flags: 4, isMapped: mapped) }
    }
}

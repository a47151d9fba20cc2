import Foundation
import Testing
@testable import Kernel

/// The checks a loader relies on, one malformed case at a time, then real programs.
@Suite struct ELFParserTests {
    typealias Segment = ELFFixtures.Segment
    static let rx = ProgramHeader.read | ProgramHeader.execute
    static let rw = ProgramHeader.read | ProgramHeader.write

    func parse(_ bytes: [UInt8]) -> Result<ELFImage, ELFError> {
        do throws(ELFError) { return .success(try ELFImage(parsing: bytes)) } catch { return .failure(error) }
    }

    func error(_ bytes: [UInt8]) -> ELFError? {
        if case .failure(let error) = parse(bytes) { return error }
        return nil
    }

    @Test func minimalStaticExecutable() throws {
        let image = try parse(ELFFixtures.executable()).get()
        #expect(image.linking == .staticExecutable)
        #expect(image.fileType == .executable)
        #expect(image.entry == 0x40_0100)
        #expect(image.loadSegments.count == 1)
        #expect(image.programHeadersAddress == 0x40_0040, "program headers in the first page of the text")
    }

    @Test func identificationErrors() {
        #expect(error([]) == .badMagic)
        #expect(error(Array("#!/bin/sh\necho hi\n".utf8)) == .badMagic)
        #expect(error([0x7f, 0x45, 0x4c, 0x46, 2, 1]) == .truncated(needed: 64, have: 6))
        var file = ELFFixtures.executable()
        file[4] = 1
        #expect(error(file) == .wrongClass(1))
        file = ELFFixtures.executable(); file[5] = 2
        #expect(error(file) == .wrongEndianness(2))
        file = ELFFixtures.executable(); file[20] = 0
        #expect(error(file) == .wrongVersion(0))
        #expect(error(ELFFixtures.executable(machine: 183)) == .wrongMachine(183), "AArch64")
        #expect(error(ELFFixtures.executable(type: 1)) == .notExecutable(type: 1))
        #expect(error(ELFFixtures.executable(type: 4)) == .notExecutable(type: 4))
    }

    @Test func programHeaderTableErrors() {
        var file = ELFFixtures.executable()
        file[54] = 32
        #expect(error(file) == .badProgramHeaderSize(32))
        file = ELFFixtures.executable(); file[32] = 0; file[33] = 0x30  // e_phoff = 0x3000 > file
        #expect(error(file) == .programHeadersOutsideFile)
        file = ELFFixtures.executable(); file[56] = 0xff; file[57] = 0xff  // 65535 entries
        #expect(error(file) == .truncated(needed: 64 + 65535 * 56, have: 0x2000))
        #expect(error(ELFFixtures.executable(segments: [])) == .noLoadableSegment)
    }

    @Test func segmentErrors() {
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: Self.rx, fileSize: 0x3000, memorySize: 0x3000)])) == .segmentOutsideFile(index: 0))
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: Self.rx, offset: .max - 4)])) == .segmentOutsideFile(index: 0), "no overflow")
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: Self.rx, fileSize: 0x1000, memorySize: 0x800)])) == .fileSizeAboveMemorySize(index: 0))
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: Self.rx, offset: 0, address: 0x40_0010)])) == .unalignedSegment(index: 0))
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: Self.rx, alignment: 0x1800)])) == .unalignedSegment(index: 0))
        let overlapping = [
            Segment(flags: Self.rx),
            Segment(flags: Self.rw, offset: 0x1800, address: 0x40_0800, fileSize: 0x100, memorySize: 0x100),
        ]
        #expect(error(ELFFixtures.executable(segments: overlapping)) == .overlappingSegments(index: 1))
        let sharingAPage = [
            Segment(flags: Self.rx, fileSize: 0x800, memorySize: 0x800),
            Segment(flags: Self.rw, offset: 0x1900, address: 0x40_0900, fileSize: 0x100, memorySize: 0x100),
        ]
        #expect(error(ELFFixtures.executable(segments: sharingAPage)) == .overlappingSegments(index: 1))
        let descending = [
            Segment(flags: Self.rx),
            Segment(flags: Self.rw, offset: 0x1000, address: 0x30_0000, fileSize: 0x100, memorySize: 0x100),
        ]
        #expect(error(ELFFixtures.executable(segments: descending)) == .overlappingSegments(index: 1))
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: Self.rx, address: 0x1000_0000_0000)])) == .segmentOutsideUserSpace(index: 0))
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: Self.rx, memorySize: .max)])) == .segmentOutsideUserSpace(index: 0))
        #expect(error(ELFFixtures.executable(entry: 0x50_0000)) == .entryNotInText(entry: 0x50_0000))
        #expect(error(ELFFixtures.executable(segments: [Segment(flags: ProgramHeader.read)])) == .entryNotInText(entry: 0x40_0100), "entry in a non-executable segment")
        // Program headers at 64 but the only segment starts at file page 1.
        let headersNotLoaded = [Segment(flags: Self.rx, offset: 0x1000, address: 0x40_1000)]
        #expect(error(ELFFixtures.executable(entry: 0x40_1000, segments: headersNotLoaded)) == .programHeadersNotLoaded)
    }

    @Test func interpreterAndSharedLibraries() throws {
        let interpreter = Array("/lib64/ld-linux-x86-64.so.2\0".utf8)
        let dynamic = ELFFixtures.executable(
            segments: [Segment(flags: Self.rx), Segment(type: ProgramHeader.interpreter, offset: 0x400, fileSize: UInt64(interpreter.count))],
            extra: [(0x400, interpreter)])
        #expect(try parse(dynamic).get().linking == .dynamic(interpreter: "/lib64/ld-linux-x86-64.so.2"))
        let unterminated = ELFFixtures.executable(
            segments: [Segment(flags: Self.rx), Segment(type: ProgramHeader.interpreter, offset: 0x400, fileSize: 4)],
            extra: [(0x400, Array("/lib".utf8))])
        #expect(error(unterminated) == .malformedSegment(index: 1))

        // ET_DYN without PT_INTERP: static-PIE only with DT_FLAGS_1 & DF_1_PIE.
        func dynamicSection(flags1: UInt64) -> [UInt8] {
            var bytes: [UInt8] = []
            for word in [0x6fff_fffb, flags1, 0, 0] as [UInt64] { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(i)))) } }
            return bytes
        }
        let segments = [Segment(flags: Self.rx, address: 0), Segment(type: ProgramHeader.dynamic, offset: 0x800, address: 0x800, fileSize: 32, memorySize: 32)]
        let pie = ELFFixtures.executable(type: 3, entry: 0x100, segments: segments, extra: [(0x800, dynamicSection(flags1: 0x0800_0000))])
        #expect(try parse(pie).get().linking == .staticPIE)
        let library = ELFFixtures.executable(type: 3, entry: 0x100, segments: segments, extra: [(0x800, dynamicSection(flags1: 0))])
        #expect(error(library) == .sharedLibrary)
    }

    @Test func explanationsNameTheProblem() {
        #expect(ELFError.wrongClass(1).explanation.contains("32-bit"))
        #expect(ELFError.notExecutable(type: 1).explanation.contains("object file"))
        #expect(ELFError.wrongMachine(183).explanation.contains("x86-64"))
    }

    // MARK: Real programs

    @Test(arguments: [["-static"], ["-static-pie"], []])
    func realPrograms(flags: [String]) throws {
        let path = try ELFFixtures.compile(ELFFixtures.helloSource, flags: flags)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let image = try parse(bytes).get()
        switch flags {
        case ["-static"]: #expect(image.linking == .staticExecutable)
        case ["-static-pie"]: #expect(image.linking == .staticPIE)
        default:
            guard case .dynamic(let interpreter) = image.linking else { Issue.record("not dynamic: \(image.linking)"); return }
            #expect(interpreter.hasPrefix("/lib"))
        }
        #expect(image.entry == (try ELFFixtures.readelfEntry(path)))
        let loads = try ELFFixtures.readelfLoads(path)
        #expect(image.loadSegments.count == loads.count)
        for (segment, load) in zip(image.loadSegments, loads) {
            #expect(segment.offset == load.offset && segment.virtualAddress == load.address)
            #expect(segment.fileSize == load.fileSize && segment.memorySize == load.memorySize)
        }
    }

    @Test func busyboxIsAcceptedWhenStatic() throws {
        let path = "/usr/bin/busybox"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let image = try parse([UInt8](Data(contentsOf: URL(fileURLWithPath: path)))).get()
        // Debian's busybox package is dynamic, busybox-static is not; both must parse.
        #expect(image.loadSegments.count >= 2)
    }
}

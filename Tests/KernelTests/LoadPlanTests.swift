import CMcosABI
import Foundation
import Testing
@testable import Kernel

@Suite struct LoadPlanTests {
    typealias Segment = ELFFixtures.Segment
    static let page: UInt64 = 4096

    @Test func textAndBssAreMappedPageByPage() throws {
        let segments = [
            Segment(flags: ProgramHeader.read | ProgramHeader.execute, fileSize: 0x1234, memorySize: 0x1234),
            // .data at an unaligned address, with .bss running two pages further.
            Segment(flags: ProgramHeader.read | ProgramHeader.write, offset: 0x1e10, address: 0x40_2e10, fileSize: 0x100, memorySize: 0x2000),
        ]
        let image = try ELFImage(parsing: ELFFixtures.executable(segments: segments, fileBytes: 0x3000))
        let plan = try LoadPlan(image: image)
        #expect(plan.loadBias == 0)
        #expect(plan.mappings == [
            .init(start: 0x40_0000, end: 0x40_2000, fileOffset: 0, copyBytes: 0x1234, protection: [.read, .execute]),
            .init(start: 0x40_2000, end: 0x40_5000, fileOffset: 0x1000, copyBytes: 0xf10, protection: [.read, .write]),
        ])
        #expect(plan.mappings[1].zeroStart == 0x40_2f10, "bss starts right after the file bytes")
        #expect(plan.programBreak == 0x40_5000)
        #expect(plan.entry == 0x40_0100 && plan.programHeaders == 0x40_0040)
        #expect(plan.programHeaderCount == 2 && plan.programHeaderEntrySize == 56)
    }

    @Test func dynamicProgramsAreRefused() throws {
        let interpreter = Array("/lib64/ld-linux-x86-64.so.2\0".utf8)
        let file = ELFFixtures.executable(
            segments: [Segment(flags: ProgramHeader.read | ProgramHeader.execute),
                       Segment(type: ProgramHeader.interpreter, offset: 0x400, fileSize: UInt64(interpreter.count))],
            extra: [(0x400, interpreter)])
        #expect(throws: LoadPlan.PlanError.dynamicExecutable(interpreter: "/lib64/ld-linux-x86-64.so.2")) {
            try LoadPlan(image: try ELFImage(parsing: file))
        }
    }

    /// The plan against readelf for gcc's -static and -static-pie, and the invariants
    /// the LWK's loader will assume.
    @Test(arguments: [["-static"], ["-static-pie"]])
    func realStaticPrograms(flags: [String]) throws {
        let path = try ELFFixtures.compile(ELFFixtures.helloSource, flags: flags)
        let image = try ELFImage(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        let plan = try LoadPlan(image: image)
        let bias: UInt64 = flags == ["-static"] ? 0 : 0x0000_0010_0000_0000  // MCOS_USER_PIE_BASE
        #expect(plan.loadBias == bias)
        #expect(plan.entry == (try ELFFixtures.readelfEntry(path)) + bias)

        let loads = try ELFFixtures.readelfLoads(path)
        #expect(plan.mappings.count == loads.count)
        var previousEnd: UInt64 = 0
        for (mapping, load) in zip(plan.mappings, loads) {
            let address = load.address + bias
            #expect(mapping.start % Self.page == 0 && mapping.end % Self.page == 0)
            #expect(mapping.start <= address && address - mapping.start < Self.page)
            #expect(mapping.end >= address + load.memorySize && mapping.end - (address + load.memorySize) < Self.page)
            #expect(mapping.fileOffset == load.offset - (address - mapping.start))
            #expect(mapping.copyBytes == (address - mapping.start) + load.fileSize)
            #expect(mapping.start >= previousEnd, "ascending, no shared page")
            previousEnd = mapping.end
            var expected: LoadPlan.Protection = []
            if load.flags.contains("R") { expected.insert(.read) }
            if load.flags.contains("W") { expected.insert(.write) }
            if load.flags.contains("E") { expected.insert(.execute) }
            #expect(mapping.protection == expected)
        }
        // AT_PHDR: the first segment maps the file from offset 0, so headers are at +64.
        #expect(plan.programHeaders == plan.mappings[0].start + 64)
        #expect(plan.programBreak == previousEnd)
        #expect(!plan.executableStack)
    }

    @Test func staticPIEBaseIsCheckedAndAligned() throws {
        let path = try ELFFixtures.compile("int main(void) { return 0; }", flags: ["-static-pie"])
        let image = try ELFImage(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(throws: LoadPlan.PlanError.badBase(0x1234)) { try LoadPlan(image: image, staticPIEBase: 0x1234) }
        #expect(throws: LoadPlan.PlanError.badBase(0x0fff_ffff_e000)) { try LoadPlan(image: image, staticPIEBase: 0x0fff_ffff_e000) }
        #expect(try LoadPlan(image: image, staticPIEBase: 0x10_0000).loadBias == 0x10_0000)
    }

    @Test func anAlignmentPastUserSpaceIsABadBaseNotATrap() throws {
        let segment = ELFFixtures.Segment(flags: ProgramHeader.read | ProgramHeader.execute, alignment: 1 << 62)
        let image = try ELFImage(parsing: ELFFixtures.executable(type: 3, segments: [segment]), as: .interpreter)
        #expect(throws: LoadPlan.PlanError.badBase(0x10_0000)) { try LoadPlan(placing: image, at: 0x10_0000) }
        #expect(ProgramLoad.interpreterBase(for: image, below: MCOS_USER_MMAP_TOP) == nil)
    }
}

@Suite struct ExecutableStackTests {
    @Test func onlyAnExecutableGNUStackAsksForIt() throws {
        typealias Segment = ELFFixtures.Segment
        let text = Segment(flags: ProgramHeader.read | ProgramHeader.execute)
        func plan(_ extra: [Segment]) throws -> LoadPlan { try LoadPlan(image: try ELFImage(parsing: ELFFixtures.executable(segments: [text] + extra))) }
        #expect(try !plan([]).executableStack, "absent: non-executable, as Linux does for 64-bit programs")
        #expect(try !plan([Segment(type: ProgramHeader.gnuStack, flags: ProgramHeader.read | ProgramHeader.write, fileSize: 0, memorySize: 0)]).executableStack)
        #expect(try plan([Segment(type: ProgramHeader.gnuStack, flags: 7, fileSize: 0, memorySize: 0)]).executableStack)
    }
}

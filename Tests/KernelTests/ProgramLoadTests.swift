import Foundation
import Testing
@testable import Kernel

/// Dynamic programs with their interpreter, checked against Debian's own binaries and
/// ld.so as `readelf -l` describes them and as the host's Linux loaded them.
@Suite struct ProgramLoadTests {
    typealias Segment = ELFFixtures.Segment
    typealias T = InitialStack.AuxType
    static let page: UInt64 = 4096
    static let interpreterPath = "/lib64/ld-linux-x86-64.so.2"
    static let random = [UInt8](0..<16)

    static func read(_ path: String, as role: ELFImage.Role = .program) throws -> ELFImage {
        try ELFImage(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))), as: role)
    }

    /// Each plan mapping covers its readelf LOAD line moved by `bias`, as binfmt_elf maps it.
    static func expectMatches(_ plan: LoadPlan, readelf path: String, bias: UInt64) throws {
        let loads = try ELFFixtures.readelfLoads(path)
        #expect(plan.loadBias == bias)
        #expect(plan.mappings.count == loads.count)
        for (mapping, load) in zip(plan.mappings, loads) {
            let address = load.address + bias
            #expect(mapping.start == address / page * page)
            #expect(mapping.end == (address + load.memorySize + page - 1) / page * page)
            #expect(mapping.fileOffset == load.offset - (address - mapping.start))
            #expect(mapping.copyBytes == (address - mapping.start) + load.fileSize)
        }
        #expect(plan.entry == (try ELFFixtures.readelfEntry(path)) + bias)
    }

    /// A PIE (/bin/ls, /bin/sh) and an ET_EXEC (python3) with Debian's ld.so.
    @Test(arguments: ["/bin/ls", "/bin/sh", "/usr/bin/python3"])
    func debianDynamicPrograms(path: String) throws {
        let program = try Self.read(path)
        #expect(program.linking == .dynamic(interpreter: Self.interpreterPath))
        let interpreter = try Self.read(Self.interpreterPath, as: .interpreter)
        #expect(interpreter.linking == .sharedObject)
        let load = try ProgramLoad(program: program, interpreter: interpreter)

        let bias: UInt64 = program.fileType == .executable ? 0 : 0x10_0000_0000  // MCOS_USER_PIE_BASE
        try Self.expectMatches(load.program, readelf: path, bias: bias)
        let plan = try #require(load.interpreter)
        try Self.expectMatches(plan, readelf: Self.interpreterPath, bias: load.interpreterBase)

        // ld.so ends in the last page-aligned slot below the mmap top and mmap starts below it.
        let mmapTop: UInt64 = 0xf00_0000_0000  // MCOS_USER_MMAP_TOP
        #expect(load.interpreterBase % Self.page == 0)
        #expect(plan.mappings.last!.end <= mmapTop && mmapTop - plan.mappings.last!.end < Self.page)
        #expect(load.mmapTop == plan.mappings.first!.start && load.mmapTop > load.program.programBreak)
        #expect(load.entry == load.interpreterBase + (try ELFFixtures.readelfEntry(Self.interpreterPath)))

        let process = InitialStack.Process(load: load, random: Self.random, executablePath: Array(path.utf8))
        let stack = try InitialStack(top: 0x0fff_ffff_f000, arguments: [path], environment: [], process: process)
        var aux: [UInt64: UInt64] = [:]
        for entry in stack.auxiliaryVector { aux[entry.type] = entry.value }
        #expect(aux[T.base] == load.interpreterBase)
        #expect(aux[T.entry] == load.program.entry, "AT_ENTRY is the program's, not ld.so's")
        #expect(aux[T.phdr] == program.programHeadersAddress! + bias)
        #expect(aux[T.phnum] == UInt64(program.programHeaders.count) && aux[T.phent] == 56)
        let readelf = try ELFFixtures.run("/usr/bin/readelf", ["-lW", path]).output
        #expect(readelf.contains("There are \(program.programHeaders.count) program headers"))
    }

    /// The host's Linux loaded /bin/true with this ld.so: given the same bases, the plan's
    /// auxv has Linux's numbers and Linux's order, less the vDSO and rseq entries.
    @Test func auxvAsTheHostsLinuxBuiltIt() throws {
        let output = try ELFFixtures.run("/bin/true", [], environment: ["LD_SHOW_AUXV": "1"]).output
        var linux: [(name: String, value: String)] = []
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            linux.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func value(_ name: String) throws -> UInt64 {
            let text = try #require(linux.first { $0.name == name }?.value)
            // glibc prints AT_HWCAP in hex without 0x, the counts in decimal.
            if text.hasPrefix("0x") { return try #require(UInt64(text.dropFirst(2), radix: 16)) }
            return try #require(UInt64(text, radix: name == "AT_HWCAP" ? 16 : 10))
        }
        // Linux's bases are above the LWK's user range: compare where things are
        // relative to them, with the LWK's own bases.
        let program = try Self.read("/bin/true")
        let interpreter = try Self.read(Self.interpreterPath, as: .interpreter)
        let load = try ProgramLoad(program: program, interpreter: interpreter)
        let linuxBias = try value("AT_PHDR") - program.programHeadersAddress!
        let linuxBase = try value("AT_BASE"), linuxEntry = try value("AT_ENTRY"), linuxPHDR = try value("AT_PHDR")
        #expect(linuxBias % Self.page == 0 && linuxBase % Self.page == 0)
        #expect(linuxEntry - linuxBias == load.program.entry - load.program.loadBias)

        var process = InitialStack.Process(load: load, random: Self.random, executablePath: Array("/bin/true".utf8))
        process.hardwareCapabilities = try value("AT_HWCAP")
        process.minimumSignalStackSize = try value("AT_MINSIGSTKSZ")
        let stack = try InitialStack(top: 0x0fff_ffff_f000, arguments: ["/bin/true"], environment: [], process: process)
        var ours: [UInt64: UInt64] = [:]
        for entry in stack.auxiliaryVector { ours[entry.type] = entry.value }
        for (name, type) in [("AT_PHENT", T.phent), ("AT_PHNUM", T.phnum), ("AT_FLAGS", T.flags),
                             ("AT_PAGESZ", T.pagesz), ("AT_CLKTCK", T.clktck), ("AT_HWCAP", T.hwcap),
                             ("AT_MINSIGSTKSZ", T.minimumSignalStackSize)] {
            let expected = try value(name)
            #expect(ours[type] == expected, "\(name)")
        }
        #expect(ours[T.phdr]! - load.program.loadBias == linuxPHDR - linuxBias)
        #expect(ours[T.entry]! - load.program.loadBias == linuxEntry - linuxBias)
        let names: [UInt64: String] = [
            T.minimumSignalStackSize: "AT_MINSIGSTKSZ", T.hwcap: "AT_HWCAP", T.pagesz: "AT_PAGESZ", T.clktck: "AT_CLKTCK",
            T.phdr: "AT_PHDR", T.phent: "AT_PHENT", T.phnum: "AT_PHNUM", T.base: "AT_BASE", T.flags: "AT_FLAGS",
            T.entry: "AT_ENTRY", T.uid: "AT_UID", T.euid: "AT_EUID", T.gid: "AT_GID", T.egid: "AT_EGID",
            T.secure: "AT_SECURE", T.random: "AT_RANDOM", T.hwcap2: "AT_HWCAP2", T.execfn: "AT_EXECFN", T.platform: "AT_PLATFORM",
        ]
        let ourOrder = stack.auxiliaryVector.dropLast().map { names[$0.type] ?? "?" }
        // AT_RSEQ_FEATURE_SIZE and AT_RSEQ_ALIGN (27, 28) are unnamed in Debian 12's glibc.
        let linuxOrder = linux.map(\.name).filter { $0.hasPrefix("AT_") && $0 != "AT_SYSINFO_EHDR" && !$0.hasPrefix("AT_???") }
        #expect(ourOrder == linuxOrder)
    }

    static func sharedObject(segments: [Segment] = [Segment(flags: ProgramHeader.read | ProgramHeader.execute, address: 0)]) throws -> ELFImage {
        try ELFImage(parsing: ELFFixtures.executable(type: 3, entry: 0x100, segments: segments), as: .interpreter)
    }

    static func dynamicProgram() throws -> ELFImage {
        let path = Array("/lib/ld.so\0".utf8)
        return try ELFImage(parsing: ELFFixtures.executable(
            segments: [Segment(flags: ProgramHeader.read | ProgramHeader.execute),
                       Segment(type: ProgramHeader.interpreter, offset: 0x400, fileSize: UInt64(path.count))],
            extra: [(0x400, path)]))
    }

    @Test func staticProgramsKeepTheirPlan() throws {
        let image = try ELFImage(parsing: ELFFixtures.executable())
        let load = try ProgramLoad(program: image, interpreter: nil)
        #expect(load.program == (try LoadPlan(image: image)))
        #expect(load.interpreter == nil && load.interpreterBase == 0 && load.entry == 0x40_0100)
        #expect(load.mmapTop == 0xf00_0000_0000)
        #expect(throws: ProgramLoad.LoadError.unexpectedInterpreter) {
            try ProgramLoad(program: image, interpreter: try Self.sharedObject())
        }
    }

    @Test func interpreterRefusals() throws {
        let program = try Self.dynamicProgram()
        #expect(throws: ProgramLoad.LoadError.interpreterMissing("/lib/ld.so")) { try ProgramLoad(program: program, interpreter: nil) }
        #expect(ProgramLoad.LoadError.interpreterMissing("/lib/ld.so").errno == .noEnt)
        // A shared object is not a program, and an interpreter may not want one itself.
        #expect(throws: ELFError.sharedLibrary) { try ELFImage(parsing: ELFFixtures.executable(type: 3, entry: 0x100, segments: [Segment(flags: 5, address: 0)])) }
        let path = Array("/lib/ld.so\0".utf8)
        #expect(throws: ELFError.interpreterNeedsInterpreter) {
            try ELFImage(parsing: ELFFixtures.executable(
                type: 3, entry: 0x100,
                segments: [Segment(flags: 5, address: 0), Segment(type: ProgramHeader.interpreter, offset: 0x400, fileSize: UInt64(path.count))],
                extra: [(0x400, path)]), as: .interpreter)
        }
        // No room between the program and the top, or an ET_EXEC interpreter on the program.
        #expect(throws: ProgramLoad.LoadError.interpreterDoesNotFit) {
            try ProgramLoad(program: program, interpreter: try Self.sharedObject(), interpreterTop: 0x40_1000)
        }
        let fixed = try ELFImage(parsing: ELFFixtures.executable(), as: .interpreter)
        #expect(fixed.linking == .staticExecutable)
        #expect(throws: ProgramLoad.LoadError.interpreterDoesNotFit) { try ProgramLoad(program: program, interpreter: fixed) }
        #expect(ProgramLoad.LoadError.interpreterDoesNotFit.errno == .noMem)
    }

    @Test func interpreterBaseKeepsTheLargestAlignment() throws {
        let huge = try Self.sharedObject(segments: [
            Segment(flags: ProgramHeader.read | ProgramHeader.execute, address: 0, alignment: 0x20_0000),
            Segment(flags: ProgramHeader.read | ProgramHeader.write, offset: 0x1000, address: 0x20_1000, alignment: 0x20_0000),
        ])
        let load = try ProgramLoad(program: try Self.dynamicProgram(), interpreter: huge)
        #expect(load.interpreterBase % 0x20_0000 == 0)
        #expect(load.interpreterBase == 0xf00_0000_0000 - 0x40_0000)
        #expect(load.entry == load.interpreterBase + 0x100)
        #expect(ProgramLoad.interpreterBase(for: huge, below: 0x1_0000) == nil)
    }
}

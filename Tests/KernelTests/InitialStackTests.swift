import Testing
@testable import Kernel

/// The initial stack read back the way glibc's _start and busybox read it.
@Suite struct InitialStackTests {
    static let top: UInt64 = 0x7fff_ffff_f000
    static let random: [UInt8] = Array(0..<16)

    /// A reader over the built image, by virtual address.
    struct Reader {
        let stack: InitialStack
        func word(_ address: UInt64) -> UInt64 {
            let at = Int(address - stack.base)
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(stack.bytes[at + byte]) << (8 * UInt64(byte)) }
            return value
        }
        func string(_ address: UInt64) -> String {
            var at = Int(address - stack.base)
            var bytes: [UInt8] = []
            while stack.bytes[at] != 0 { bytes.append(stack.bytes[at]); at += 1 }
            return String(decoding: bytes, as: UTF8.self)
        }
        func bytes(_ address: UInt64, _ count: Int) -> [UInt8] {
            let at = Int(address - stack.base)
            return Array(stack.bytes[at..<(at + count)])
        }
    }

    func process() -> InitialStack.Process {
        var process = InitialStack.Process(programHeaders: 0x40_0040, programHeaderCount: 10, entry: 0x40_14f0, random: Self.random,
                                           executablePath: Array("/bin/hostname".utf8))
        process.uid = 1000; process.euid = 1000; process.gid = 100; process.egid = 100
        process.hardwareCapabilities = 0x178b_fbff
        return process
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5])
    func layoutGlibcReads(extraArguments: Int) throws {
        let arguments = ["hostname"] + (0..<extraArguments).map { "arg\($0)" }
        let environment = ["PATH=/bin", "HOME=/root", "TERM=vt100"]
        let stack = try InitialStack(top: Self.top, arguments: arguments, environment: environment, process: process())
        let reader = Reader(stack: stack)
        let rsp = stack.stackPointer
        #expect(rsp % 16 == 0, "the ABI wants %rsp 16-byte aligned at _start")
        #expect(stack.base + UInt64(stack.bytes.count) == Self.top)
        #expect(reader.word(Self.top - 8) == 0, "end marker")

        // argc, argv[], NULL, envp[], NULL, auxv: walked as _start does.
        #expect(reader.word(rsp) == UInt64(arguments.count))
        var at = rsp + 8
        var previous: UInt64 = 0
        for argument in arguments {
            let pointer = reader.word(at)
            #expect(reader.string(pointer) == argument)
            #expect(pointer > previous, "argv strings ascending, argv[0] lowest")
            previous = pointer
            at += 8
        }
        #expect(reader.word(at) == 0); at += 8
        for variable in environment {
            #expect(reader.string(reader.word(at)) == variable)
            at += 8
        }
        #expect(reader.word(at) == 0); at += 8

        var aux: [UInt64: UInt64] = [:]
        var order: [UInt64] = []
        while true {
            let type = reader.word(at), value = reader.word(at + 8)
            at += 16
            order.append(type)
            if type == InitialStack.AuxType.null { break }
            #expect(aux[type] == nil, "each type once")
            aux[type] = value
        }
        typealias T = InitialStack.AuxType
        #expect(order.last == T.null && order.count == 19)
        #expect(order.first == T.hwcap && aux[T.minimumSignalStackSize] == nil && aux[T.hwcap2] == 0)
        #expect(aux[T.sysinfoEHDR] == nil, "no vDSO")
        #expect(aux[T.phdr] == 0x40_0040 && aux[T.phent] == 56 && aux[T.phnum] == 10)
        #expect(aux[T.pagesz] == 4096 && aux[T.clktck] == 100 && aux[T.entry] == 0x40_14f0 && aux[T.base] == 0)
        #expect(aux[T.uid] == 1000 && aux[T.euid] == 1000 && aux[T.gid] == 100 && aux[T.egid] == 100 && aux[T.secure] == 0)
        #expect(aux[T.hwcap] == 0x178b_fbff)
        #expect(reader.bytes(aux[T.random]!, 16) == Self.random)
        #expect(reader.string(aux[T.platform]!) == "x86_64")
        #expect(reader.string(aux[T.execfn]!) == "/bin/hostname")
        // Everything the pointers name lies between the table and the top.
        for pointer in [aux[T.random]!, aux[T.platform]!, aux[T.execfn]!] { #expect(pointer >= at && pointer < Self.top) }
        #expect(stack.auxiliaryVector.count == 19)
    }

    @Test func noArgumentsNoEnvironment() throws {
        let stack = try InitialStack(top: Self.top, arguments: [] as [String], environment: [], process: process())
        let reader = Reader(stack: stack)
        #expect(reader.word(stack.stackPointer) == 0)
        #expect(reader.word(stack.stackPointer + 8) == 0 && reader.word(stack.stackPointer + 16) == 0)
        #expect(reader.word(stack.stackPointer + 24) == InitialStack.AuxType.hwcap)
    }

    @Test func refusals() {
        #expect(throws: InitialStack.BuildError.badTop(Self.top + 8)) {
            try InitialStack(top: Self.top + 8, arguments: ["a"], environment: [], process: process())
        }
        #expect(throws: InitialStack.BuildError.badTop(0x1000)) {
            try InitialStack(top: 0x1000, arguments: ["a"], environment: [], process: process())
        }
        #expect(throws: InitialStack.BuildError.embeddedNUL(index: 1, isEnvironment: false)) {
            try InitialStack(top: Self.top, arguments: ["a", "b\0c"], environment: [], process: process())
        }
        #expect(throws: InitialStack.BuildError.embeddedNUL(index: 0, isEnvironment: true)) {
            try InitialStack(top: Self.top, arguments: ["a"], environment: ["X=\0"], process: process())
        }
        var short = process()
        short.random = [1, 2, 3]
        #expect(throws: InitialStack.BuildError.randomNot16Bytes) {
            try InitialStack(top: Self.top, arguments: ["a"], environment: [], process: short)
        }
        let huge = [String](repeating: String(repeating: "x", count: 1000), count: 100)
        #expect(throws: (any Error).self) { try InitialStack(top: Self.top, arguments: huge, environment: [], process: process(), limit: 64 << 10) }
    }

    @Test func processFromLoadPlan() throws {
        let image = try ELFImage(parsing: ELFFixtures.executable())
        let plan = try LoadPlan(image: image)
        let process = InitialStack.Process(plan: plan, random: Self.random, executablePath: Array("a".utf8))
        #expect(process.programHeaders == plan.programHeaders && process.entry == plan.entry)
        #expect(process.programHeaderCount == 1 && process.programHeaderEntrySize == 56)
    }
}

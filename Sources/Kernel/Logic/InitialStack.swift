/// The stack an x86-64 Linux program finds at its entry point (System V AMD64 ABI
/// §3.4.1 and Linux's create_elf_tables), built as bytes to copy just below `top`:
///
///     top →   8 zero bytes (end marker)
///             AT_EXECFN string, envp strings, argv strings (argv[0] lowest)
///             16 random bytes (AT_RANDOM), "x86_64\0" (AT_PLATFORM)
///             padding so that RSP ends 16-byte aligned
///             auxv pairs … AT_NULL, 0
///             envp[0] … NULL
///             argv[0] … NULL
///     RSP →   argc
///
/// glibc's _start reads argc at (%rsp) and finds argv, envp and then auxv by walking
/// past the NULLs, so the order is fixed; the ABI wants %rsp 16-byte aligned there.
public struct InitialStack: Equatable {
    /// auxv types (elf.h).
    public enum AuxType {
        public static let null: UInt64 = 0, phdr: UInt64 = 3, phent: UInt64 = 4, phnum: UInt64 = 5
        public static let pagesz: UInt64 = 6, base: UInt64 = 7, flags: UInt64 = 8, entry: UInt64 = 9
        public static let uid: UInt64 = 11, euid: UInt64 = 12, gid: UInt64 = 13, egid: UInt64 = 14
        public static let platform: UInt64 = 15, hwcap: UInt64 = 16, clktck: UInt64 = 17
        public static let secure: UInt64 = 23, random: UInt64 = 25, hwcap2: UInt64 = 26, execfn: UInt64 = 31
        /// The vDSO's ELF header. Never given: the LWK has no vDSO, so glibc finds no
        /// __vdso_clock_gettime and friends and makes the real system calls instead.
        public static let sysinfoEHDR: UInt64 = 33
        public static let minimumSignalStackSize: UInt64 = 51
    }

    /// The values auxv carries that are not addresses inside the stack.
    public struct Process: Equatable {
        public var programHeaders: UInt64
        public var programHeaderEntrySize: UInt64 = 56
        public var programHeaderCount: UInt64
        public var entry: UInt64
        /// AT_BASE: the interpreter's base; 0 for static programs.
        public var interpreterBase: UInt64 = 0
        public var uid: UInt64 = 0, euid: UInt64 = 0, gid: UInt64 = 0, egid: UInt64 = 0
        public var secure = false
        /// AT_HWCAP: CPUID.1:EDX on x86-64, as Linux passes it.
        public var hardwareCapabilities: UInt64 = 0
        /// AT_HWCAP2: on x86-64 bit 0 is ring-3 MONITOR/MWAIT, bit 1 FSGSBASE enabled.
        public var hardwareCapabilities2: UInt64 = 0
        /// AT_MINSIGSTKSZ: the bytes the kernel's signal frame takes (it grows with the
        /// XSAVE area). nil leaves it out, and glibc then computes it from CPUID leaf
        /// 0xd itself, which is better than a constant that understates the frame.
        public var minimumSignalStackSize: UInt64?
        /// AT_CLKTCK: USER_HZ, 100 on every Linux x86-64 ABI.
        public var clockTicks: UInt64 = 100
        public var pageSize: UInt64 = 4096
        /// AT_RANDOM: 16 bytes glibc seeds its stack protector and pointer guard with.
        public var random: [UInt8]
        /// AT_EXECFN: the path the program was started as.
        public var executablePath: [UInt8]

        public init(programHeaders: UInt64, programHeaderCount: UInt64, entry: UInt64, random: [UInt8], executablePath: [UInt8]) {
            self.programHeaders = programHeaders
            self.programHeaderCount = programHeaderCount
            self.entry = entry
            self.random = random
            self.executablePath = executablePath
        }

        /// From a load plan, with the plan's program header numbers and entry.
        public init(plan: LoadPlan, random: [UInt8], executablePath: [UInt8]) {
            self.init(programHeaders: plan.programHeaders, programHeaderCount: plan.programHeaderCount, entry: plan.entry,
                      random: random, executablePath: executablePath)
            programHeaderEntrySize = plan.programHeaderEntrySize
        }
    }

    public enum BuildError: Error, Equatable {
        /// An argument (`isEnvironment` false) or environment string holds a NUL byte.
        case embeddedNUL(index: Int, isEnvironment: Bool)
        case randomNot16Bytes
        /// `top` is not 16-byte aligned, or too low to hold `limit` bytes and a guard page.
        case badTop(UInt64)
        /// The image would need `needed` bytes, over the `limit` given (Linux allows a
        /// quarter of the stack rlimit for argv+envp; E2BIG there).
        case tooLarge(needed: UInt64, limit: UInt64)
    }

    /// Bytes to copy to [base, top).
    public var bytes: [UInt8]
    public var base: UInt64
    /// The initial RSP: where argc is; 16-byte aligned.
    public var stackPointer: UInt64
    /// auxv as laid out, AT_NULL last (for logs and tests).
    public var auxiliaryVector: [(type: UInt64, value: UInt64)]

    public static func == (a: InitialStack, b: InitialStack) -> Bool {
        a.bytes == b.bytes && a.base == b.base && a.stackPointer == b.stackPointer
    }

    public static let platform: [UInt8] = [0x78, 0x38, 0x36, 0x5f, 0x36, 0x34]  // "x86_64"

    /// Lays out the stack for `arguments` and `environment` (C strings without their
    /// NUL) ending at `top` (exclusive, 16-byte aligned), at most `limit` bytes.
    public init(top: UInt64, arguments: [[UInt8]], environment: [[UInt8]], process: Process, limit: UInt64 = 2 << 20) throws(BuildError) {
        guard top % 16 == 0 else { throw .badTop(top) }
        guard process.random.count == 16 else { throw .randomNot16Bytes }
        for (index, string) in arguments.enumerated() where string.contains(0) { throw .embeddedNUL(index: index, isEnvironment: false) }
        for (index, string) in environment.enumerated() where string.contains(0) { throw .embeddedNUL(index: index, isEnvironment: true) }

        // Strings first, from the bottom of the string area up; then the block below.
        var strings: [UInt8] = []
        var argumentOffsets: [UInt64] = [], environmentOffsets: [UInt64] = []
        func append(_ string: [UInt8]) -> UInt64 {
            let offset = UInt64(strings.count)
            strings.append(contentsOf: string)
            strings.append(0)
            return offset
        }
        let platformOffset = append(Self.platform)
        let randomOffset = UInt64(strings.count)
        strings.append(contentsOf: process.random)
        for argument in arguments { argumentOffsets.append(append(argument)) }
        for variable in environment { environmentOffsets.append(append(variable)) }
        let execfnOffset = append(process.executablePath)
        strings.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])  // end marker

        let stringCount = UInt64(strings.count)
        guard stringCount <= limit else { throw .tooLarge(needed: stringCount, limit: limit) }
        guard top >= limit + ELFImage.pageSize else { throw .badTop(top) }
        let stringsBase = top - stringCount
        func address(_ offset: UInt64) -> UInt64 { stringsBase + offset }

        // Linux's order (create_elf_tables: ARCH_DLINFO first), without AT_SYSINFO_EHDR
        // (no vDSO) and the AT_RSEQ_* pair of Linux 6.3+ (the LWK has no rseq).
        var aux: [(type: UInt64, value: UInt64)] = []
        if let size = process.minimumSignalStackSize { aux.append((AuxType.minimumSignalStackSize, size)) }
        aux += [
            (AuxType.hwcap, process.hardwareCapabilities),
            (AuxType.pagesz, process.pageSize),
            (AuxType.clktck, process.clockTicks),
            (AuxType.phdr, process.programHeaders),
            (AuxType.phent, process.programHeaderEntrySize),
            (AuxType.phnum, process.programHeaderCount),
            (AuxType.base, process.interpreterBase),
            (AuxType.flags, 0),
            (AuxType.entry, process.entry),
            (AuxType.uid, process.uid),
            (AuxType.euid, process.euid),
            (AuxType.gid, process.gid),
            (AuxType.egid, process.egid),
            (AuxType.secure, process.secure ? 1 : 0),
            (AuxType.random, address(randomOffset)),
            (AuxType.hwcap2, process.hardwareCapabilities2),
            (AuxType.execfn, address(execfnOffset)),
            (AuxType.platform, address(platformOffset)),
            (AuxType.null, 0),
        ]
        var table: [UInt64] = [UInt64(arguments.count)]
        for offset in argumentOffsets { table.append(address(offset)) }
        table.append(0)
        for offset in environmentOffsets { table.append(address(offset)) }
        table.append(0)
        for entry in aux { table.append(entry.type); table.append(entry.value) }

        // Rounding down from the table's natural start is the padding that aligns argc.
        let stackPointer = (stringsBase - UInt64(table.count) * 8) / 16 * 16
        guard top - stackPointer <= limit else { throw .tooLarge(needed: top - stackPointer, limit: limit) }

        var image = [UInt8](repeating: 0, count: Int(top - stackPointer))
        for (index, word) in table.enumerated() { image.setWord(word, at: index * 8) }
        let stringsAt = Int(stringsBase - stackPointer)
        for (index, byte) in strings.enumerated() { image[stringsAt + index] = byte }

        bytes = image
        base = stackPointer
        self.stackPointer = stackPointer
        auxiliaryVector = aux
    }

    /// Convenience for Swift strings (mcexec's CommandLine.arguments and environment).
    public init(top: UInt64, arguments: [String], environment: [String], process: Process, limit: UInt64 = 2 << 20) throws(BuildError) {
        try self.init(top: top, arguments: arguments.map { Array($0.utf8) }, environment: environment.map { Array($0.utf8) },
                      process: process, limit: limit)
    }
}

import CMcosABI

/// Reads and checks an ELF64 x86-64 program (see `ELFImage`). Every offset and size in
/// the file is checked against the file before it is used, and additions that could
/// overflow are done in a way that cannot.
extension ELFImage {
    public static let pageSize: UInt64 = 4096

    // ELF constants (elf.h).
    static let headerBytes: UInt64 = 64
    static let programHeaderBytes: UInt16 = 56
    static let machineX86_64: UInt16 = 62
    static let typeRelocatable: UInt16 = 1, typeExecutable: UInt16 = 2, typeShared: UInt16 = 3
    static let dynamicFlags1: UInt64 = 0x6fff_fffb, flag1PIE: UInt64 = 0x0800_0000, dynamicNull: UInt64 = 0

    public init(parsing bytes: [UInt8], as role: Role = .program) throws(ELFError) {
        var result: Result<ELFImage, ELFError> = .failure(.badMagic)
        bytes.withUnsafeBytes { buffer in
            do throws(ELFError) { result = .success(try ELFImage(parsing: buffer, as: role)) } catch { result = .failure(error) }
        }
        self = try result.get()
    }

    /// Reads `file` as `role`: an interpreter is the ET_DYN (or, rarely, ET_EXEC) that a
    /// dynamic program's PT_INTERP names, so a shared object is what it should be.
    public init(parsing file: UnsafeRawBufferPointer, as role: Role = .program) throws(ELFError) {
        let size = UInt64(file.count)
        func u16(_ at: UInt64) -> UInt16 { file.loadUnaligned(fromByteOffset: Int(at), as: UInt16.self) }
        func u32(_ at: UInt64) -> UInt32 { file.loadUnaligned(fromByteOffset: Int(at), as: UInt32.self) }
        func u64(_ at: UInt64) -> UInt64 { file.loadUnaligned(fromByteOffset: Int(at), as: UInt64.self) }
        /// Whether [offset, offset + length) is inside the file, without overflowing.
        func inFile(_ offset: UInt64, _ length: UInt64) -> Bool { offset <= size && length <= size - offset }

        // e_ident first: a short non-ELF file is "not an ELF", not "truncated".
        guard size >= 4, file[0] == 0x7f, file[1] == 0x45, file[2] == 0x4c, file[3] == 0x46 else { throw .badMagic }
        guard size >= Self.headerBytes else { throw .truncated(needed: Self.headerBytes, have: size) }
        guard file[4] == 2 else { throw .wrongClass(file[4]) }
        guard file[5] == 1 else { throw .wrongEndianness(file[5]) }
        guard u32(20) == 1 else { throw .wrongVersion(u32(20)) }
        guard u16(18) == Self.machineX86_64 else { throw .wrongMachine(u16(18)) }
        let type = u16(16)
        guard type == Self.typeExecutable || type == Self.typeShared else { throw .notExecutable(type: type) }

        let phoff = u64(32), phentsize = u16(54), phnum = UInt64(u16(56))
        guard phentsize == Self.programHeaderBytes else { throw .badProgramHeaderSize(phentsize) }
        // phnum is at most 65535 and phentsize 56, so the product cannot overflow.
        let tableBytes = phnum * UInt64(phentsize)
        guard phoff <= size else { throw .programHeadersOutsideFile }
        guard inFile(phoff, tableBytes) else { throw .truncated(needed: phoff + tableBytes, have: size) }

        var headers: [ProgramHeader] = []
        for index in 0..<phnum {
            let at = phoff + index * UInt64(phentsize)
            headers.append(ProgramHeader(
                type: u32(at), flags: u32(at + 4), offset: u64(at + 8), virtualAddress: u64(at + 16),
                fileSize: u64(at + 32), memorySize: u64(at + 40), alignment: u64(at + 48)))
        }

        // Segments that carry data the loader reads must be in the file.
        var interpreter: String?
        var markedPIE = false
        for (index, header) in headers.enumerated() {
            switch header.type {
            case ProgramHeader.load:
                guard inFile(header.offset, header.fileSize) else { throw .segmentOutsideFile(index: index) }
            case ProgramHeader.interpreter:
                guard inFile(header.offset, header.fileSize) else { throw .segmentOutsideFile(index: index) }
                let start = Int(header.offset), count = Int(header.fileSize)
                guard interpreter == nil, count >= 2, file[start + count - 1] == 0 else { throw .malformedSegment(index: index) }
                var path: [UInt8] = []
                for offset in start..<(start + count - 1) { path.append(file[offset]) }
                interpreter = String(decoding: path, as: UTF8.self)
            case ProgramHeader.dynamic:
                guard inFile(header.offset, header.fileSize) else { throw .segmentOutsideFile(index: index) }
                // DT_FLAGS_1 & DF_1_PIE is what tells a static-PIE from a shared library.
                var at = header.offset
                while at + 16 <= header.offset + header.fileSize {
                    let tag = u64(at), value = u64(at + 8)
                    if tag == Self.dynamicNull { break }
                    if tag == Self.dynamicFlags1, value & Self.flag1PIE != 0 { markedPIE = true }
                    at += 16
                }
            default:
                break
            }
        }

        let linking: Linking
        if let interpreter {
            guard role == .program else { throw .interpreterNeedsInterpreter }
            linking = .dynamic(interpreter: interpreter)
        } else if type == Self.typeExecutable {
            linking = .staticExecutable
        } else if role == .interpreter {
            linking = .sharedObject
        } else if markedPIE {
            linking = .staticPIE
        } else {
            throw .sharedLibrary
        }

        self.init(
            fileType: type == Self.typeExecutable ? .executable : .positionIndependent, linking: linking, entry: u64(24),
            programHeaderOffset: phoff, programHeaderEntrySize: phentsize, programHeaders: headers, fileBytes: size)
        try checkLoadSegments()
    }

    /// The rules a page-by-page loader relies on: each PT_LOAD congruent with its file
    /// offset modulo the page size, no more file than memory bytes, in ascending order
    /// without sharing a page (GNU ld and lld never emit that for executables; refusing
    /// it keeps every page's protection that of one segment), inside user space; and the
    /// entry point in an executable one.
    func checkLoadSegments() throws(ELFError) {
        var previousEnd: UInt64?
        var entryInText = false
        var sawLoad = false
        for (index, header) in programHeaders.enumerated() where header.type == ProgramHeader.load {
            sawLoad = true
            guard header.fileSize <= header.memorySize else { throw .fileSizeAboveMemorySize(index: index) }
            guard header.alignment & (header.alignment &- 1) == 0,
                  header.virtualAddress % Self.pageSize == header.offset % Self.pageSize else { throw .unalignedSegment(index: index) }
            guard header.virtualAddress < MCOS_USER_END, header.memorySize <= MCOS_USER_END - header.virtualAddress
            else { throw .segmentOutsideUserSpace(index: index) }
            let firstPage = header.virtualAddress / Self.pageSize * Self.pageSize
            let end = header.virtualAddress + header.memorySize
            if let previousEnd, firstPage < (previousEnd + Self.pageSize - 1) / Self.pageSize * Self.pageSize {
                throw .overlappingSegments(index: index)
            }
            previousEnd = end
            if header.flags & ProgramHeader.execute != 0, entry >= header.virtualAddress, entry < end { entryInText = true }
        }
        guard sawLoad else { throw .noLoadableSegment }
        guard entryInText else { throw .entryNotInText(entry: entry) }
        guard programHeadersAddress != nil else { throw .programHeadersNotLoaded }
    }

    /// Where the program headers are in memory as linked (add the load bias): PT_PHDR's
    /// address if present, else the PT_LOAD whose file bytes hold them (as Linux does).
    public var programHeadersAddress: UInt64? {
        for header in programHeaders where header.type == ProgramHeader.phdr { return header.virtualAddress }
        let tableBytes = UInt64(programHeaders.count) * UInt64(programHeaderEntrySize)
        for header in programHeaders where header.type == ProgramHeader.load {
            if programHeaderOffset >= header.offset, programHeaderOffset - header.offset <= header.fileSize,
               tableBytes <= header.fileSize - (programHeaderOffset - header.offset) {
                return header.virtualAddress + (programHeaderOffset - header.offset)
            }
        }
        return nil
    }
}

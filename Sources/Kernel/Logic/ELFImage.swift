/// An ELF64 x86-64 executable's header and program headers, read from its bytes and
/// checked so that a loader can trust every number in them. Only what loading needs is
/// kept; section headers are never looked at (the kernel does not either).
///
/// Pure and allocation-light so that both mcexec (before it bothers the LWK) and the
/// LWK (which must not trust the proxy) run the same checks.
public struct ELFImage {
    /// `e_type`.
    public enum FileType: Equatable {
        case executable  // ET_EXEC: linked at fixed addresses
        case positionIndependent  // ET_DYN: PIE or shared library
    }

    /// How the program must be started.
    public enum Linking: Equatable {
        /// ET_EXEC without PT_INTERP: loaded where it was linked.
        case staticExecutable
        /// ET_DYN without PT_INTERP, marked PIE: loaded at a chosen base, relocates itself.
        case staticPIE
        /// PT_INTERP present: needs the named dynamic loader (ld.so) first.
        case dynamic(interpreter: String)
        /// ET_DYN without PT_INTERP and not marked PIE, read as an interpreter (ld.so):
        /// loaded at a chosen base beside a dynamic program, never started on its own.
        case sharedObject
    }

    /// What the file is read as: the program execve names, or the PT_INTERP it asks for.
    public enum Role: Equatable {
        case program
        case interpreter
    }

    public var fileType: FileType
    public var linking: Linking
    /// `e_entry` as linked (before any load bias).
    public var entry: UInt64
    /// `e_phoff`, `e_phentsize`, `e_phnum`: AT_PHDR, AT_PHENT, AT_PHNUM come from them.
    public var programHeaderOffset: UInt64
    public var programHeaderEntrySize: UInt16
    public var programHeaders: [ProgramHeader]
    /// Bytes in the file; every file range above is inside it.
    public var fileBytes: UInt64

    /// The PT_LOAD entries, in file order (which the checks ensure is ascending vaddr).
    public var loadSegments: [ProgramHeader] { programHeaders.filter { $0.type == ProgramHeader.load } }

    /// PT_GNU_STACK asks for an executable stack. Without it a 64-bit program gets a
    /// non-executable one, as on Linux since 5.8 (READ_IMPLIES_EXEC is 32-bit only).
    public var wantsExecutableStack: Bool {
        for header in programHeaders where header.type == ProgramHeader.gnuStack {
            return header.flags & ProgramHeader.execute != 0
        }
        return false
    }
}

/// One program header (`Elf64_Phdr`).
public struct ProgramHeader: Equatable {
    public var type: UInt32
    public var flags: UInt32
    public var offset: UInt64
    public var virtualAddress: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    public var alignment: UInt64

    public init(type: UInt32, flags: UInt32, offset: UInt64, virtualAddress: UInt64, fileSize: UInt64, memorySize: UInt64, alignment: UInt64) {
        self.type = type
        self.flags = flags
        self.offset = offset
        self.virtualAddress = virtualAddress
        self.fileSize = fileSize
        self.memorySize = memorySize
        self.alignment = alignment
    }

    // p_type values (elf.h).
    public static let load: UInt32 = 1, dynamic: UInt32 = 2, interpreter: UInt32 = 3
    public static let phdr: UInt32 = 6, tls: UInt32 = 7, gnuStack: UInt32 = 0x6474_e551
    // p_flags bits.
    public static let execute: UInt32 = 1, write: UInt32 = 2, read: UInt32 = 4
}

/// Why bytes are not a program the LWK can load. Each case carries what a message needs;
/// `ELFError.explanation` words it (the file name and remedy are the caller's to add).
public enum ELFError: Error, Equatable {
    /// The file ends before `needed` bytes (the ELF or a program header table needs them).
    case truncated(needed: UInt64, have: UInt64)
    case badMagic
    /// EI_CLASS is not ELFCLASS64 (1 is a 32-bit program).
    case wrongClass(UInt8)
    /// EI_DATA is not ELFDATA2LSB.
    case wrongEndianness(UInt8)
    case wrongVersion(UInt32)
    /// e_machine is not EM_X86_64 (62).
    case wrongMachine(UInt16)
    /// e_type is neither ET_EXEC nor ET_DYN (a relocatable object or a core dump).
    case notExecutable(type: UInt16)
    /// ET_DYN without PT_INTERP that is not marked PIE: a shared library, not a program.
    case sharedLibrary
    case badProgramHeaderSize(UInt16)
    /// The program header table, or segment `index`, lies (partly) outside the file.
    case programHeadersOutsideFile
    case segmentOutsideFile(index: Int)
    /// PT_INTERP that is empty, not NUL-terminated, or PT_INTERP/PT_DYNAMIC twice.
    case malformedSegment(index: Int)
    case noLoadableSegment
    /// p_filesz > p_memsz for PT_LOAD `index`.
    case fileSizeAboveMemorySize(index: Int)
    /// p_vaddr and p_offset of PT_LOAD `index` differ modulo the page size, or p_align is
    /// not a power of two: it cannot be mapped page by page.
    case unalignedSegment(index: Int)
    /// PT_LOAD `index` overlaps, shares a page with, or comes before the previous one.
    case overlappingSegments(index: Int)
    /// PT_LOAD `index` reaches past the end of the user half of the address space.
    case segmentOutsideUserSpace(index: Int)
    /// The entry point is not inside an executable PT_LOAD.
    case entryNotInText(entry: UInt64)
    /// The program headers are not inside a PT_LOAD, so AT_PHDR could not point at them.
    case programHeadersNotLoaded
    /// An interpreter with a PT_INTERP of its own: ld.so never has one, and a chain of
    /// interpreters is not something Linux starts either (it would ignore it and crash).
    case interpreterNeedsInterpreter

    /// One line for a person, without file name.
    public var explanation: String {
        switch self {
        case .truncated(let needed, let have):
            return "it is truncated (" + String(have) + " bytes, its headers need " + String(needed) + ")"
        case .badMagic: return "it is not an ELF file"
        case .wrongClass(let value): return value == 1 ? "it is a 32-bit program; only x86-64 programs run on the LWK" : "it has an unknown ELF class " + String(value)
        case .wrongEndianness: return "it is not a little-endian ELF file"
        case .wrongVersion(let value): return "it has an unknown ELF version " + String(value)
        case .wrongMachine(let machine): return "it is built for another architecture (ELF machine " + String(machine) + "); the LWK runs x86-64 programs"
        case .notExecutable(let type): return type == 1 ? "it is an object file (.o), not a program: link it" : (type == 4 ? "it is a core dump, not a program" : "its ELF type " + String(type) + " is not a program")
        case .sharedLibrary: return "it is a shared library, not a program"
        case .badProgramHeaderSize(let size): return "its program header entries are " + String(size) + " bytes, not 56"
        case .programHeadersOutsideFile: return "its program header table lies outside the file (truncated or corrupt)"
        case .segmentOutsideFile(let index): return "program header " + String(index) + " points outside the file (truncated or corrupt)"
        case .malformedSegment(let index): return "program header " + String(index) + " is malformed"
        case .noLoadableSegment: return "it has no loadable segment"
        case .fileSizeAboveMemorySize(let index): return "segment " + String(index) + " has more file bytes than memory bytes"
        case .unalignedSegment(let index): return "segment " + String(index) + " is not page-aligned (p_vaddr and p_offset differ modulo 4096)"
        case .overlappingSegments(let index): return "segment " + String(index) + " overlaps or shares a page with the previous one"
        case .segmentOutsideUserSpace(let index): return "segment " + String(index) + " lies outside the user address space"
        case .entryNotInText: return "its entry point is not in an executable segment"
        case .programHeadersNotLoaded: return "its program headers are not in a loaded segment (AT_PHDR would be wrong)"
        case .interpreterNeedsInterpreter: return "it is a program interpreter that asks for an interpreter itself"
        }
    }
}

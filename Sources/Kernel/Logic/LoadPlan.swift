import CMcosABI

/// What loading an `ELFImage` into a fresh address space means, page by page: which
/// virtual ranges to map with which protection, which file bytes go where, and what is
/// zero. The LWK follows it to fill its own page tables (copying, not mapping, the file:
/// the file lives in Linux's page cache); mcexec uses it to check and to tell.
public struct LoadPlan: Equatable {
    public struct Protection: OptionSet, Equatable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        // MCOS_PROT_*, so that a mapping's protection goes to the LWK as it is.
        public static let read = Protection(rawValue: UInt8(MCOS_PROT_READ))
        public static let write = Protection(rawValue: UInt8(MCOS_PROT_WRITE))
        public static let execute = Protection(rawValue: UInt8(MCOS_PROT_EXEC))
    }

    /// One PT_LOAD, page-aligned. [start, start + copyBytes) receives the file bytes
    /// [fileOffset, fileOffset + copyBytes); [start + copyBytes, end) is zero. As with
    /// Linux's mmap of the segment, the copy starts at the page boundary, so the bytes
    /// before p_vaddr in the first page are the file's (that is how the ELF header and
    /// program headers become visible at AT_PHDR).
    public struct Mapping: Equatable {
        public var start: UInt64
        public var end: UInt64
        public var fileOffset: UInt64
        public var copyBytes: UInt64
        public var protection: Protection

        public var bytes: UInt64 { end - start }
        /// The part that must be zero-filled (.bss and the tail of the last file page).
        public var zeroStart: UInt64 { start + copyBytes }
    }

    public var mappings: [Mapping]
    /// Added to every address the file names: 0 for ET_EXEC, the base for static-PIE.
    public var loadBias: UInt64
    /// Entry point after the bias (AT_ENTRY, and where the first user RIP goes).
    public var entry: UInt64
    /// AT_PHDR, AT_PHENT, AT_PHNUM.
    public var programHeaders: UInt64
    public var programHeaderEntrySize: UInt64
    public var programHeaderCount: UInt64
    /// The initial program break: the page after the highest mapping (Linux adds a
    /// random offset; the LWK does not, so runs are reproducible).
    public var programBreak: UInt64
    public var executableStack: Bool

    public enum PlanError: Error, Equatable {
        /// Dynamic programs need ld.so first, which the LWK does not load.
        case dynamicExecutable(interpreter: String)
        /// The static-PIE base is not page-aligned or pushes a segment out of user space.
        case badBase(UInt64)
    }

    /// Default base for static-PIE programs: MCOS_USER_PIE_BASE, inside the unified
    /// address space (Linux's ELF_ET_DYN_BASE would be above MCOS_USER_END), without
    /// randomization so runs are reproducible.
    public static let defaultStaticPIEBase: UInt64 = MCOS_USER_PIE_BASE

    /// Plans a static `image` (dynamic ones need their interpreter: `ProgramLoad`);
    /// `staticPIEBase` is used only for static-PIE.
    public init(image: ELFImage, staticPIEBase: UInt64 = LoadPlan.defaultStaticPIEBase) throws(PlanError) {
        if case .dynamic(let interpreter) = image.linking { throw .dynamicExecutable(interpreter: interpreter) }
        try self.init(placing: image, at: staticPIEBase)
    }

    /// Plans any image: ET_EXEC where it was linked (`base` unused), ET_DYN with its
    /// lowest page at `base` rounded up to the largest segment alignment, so that 2 MiB-
    /// aligned segments stay so. Linux rounds ELF_ET_DYN_BASE down instead, but its base
    /// is random anyway; rounding up keeps the program at or above the base asked for.
    public init(placing image: ELFImage, at base: UInt64) throws(PlanError) {
        let page = ELFImage.pageSize
        let bias: UInt64
        if image.fileType == .executable {
            bias = 0
        } else {
            let alignment = Self.largestAlignment(of: image)
            let firstPage = (image.loadSegments.first?.virtualAddress ?? 0) / page * page
            // p_align is the file's: a power of two, but possibly past the user range.
            guard base % page == 0, alignment <= MCOS_USER_END, base <= MCOS_USER_END - alignment else { throw .badBase(base) }
            let alignedBase = (base + alignment - 1) / alignment * alignment
            // A segment linked above 0 is moved down by its first page, as Linux does
            // (load_bias = base - ELF_PAGESTART(first p_vaddr)).
            guard alignedBase >= firstPage else { throw .badBase(base) }
            bias = alignedBase - firstPage
        }
        var mappings: [Mapping] = []
        for segment in image.loadSegments {
            // The parser checked each segment fits below MCOS_USER_END unbiased; biased it must still.
            let (virtualAddress, wrapped) = segment.virtualAddress.addingReportingOverflow(bias)
            guard !wrapped, virtualAddress <= MCOS_USER_END,
                  segment.memorySize <= MCOS_USER_END - virtualAddress else { throw .badBase(base) }
            let start = virtualAddress / page * page
            let end = (virtualAddress + segment.memorySize + page - 1) / page * page
            let lead = virtualAddress - start
            var protection: Protection = []
            if segment.flags & ProgramHeader.read != 0 { protection.insert(.read) }
            if segment.flags & ProgramHeader.write != 0 { protection.insert(.write) }
            if segment.flags & ProgramHeader.execute != 0 { protection.insert(.execute) }
            mappings.append(Mapping(
                start: start, end: end, fileOffset: segment.offset - lead,
                copyBytes: segment.fileSize == 0 ? 0 : lead + segment.fileSize, protection: protection))
        }
        self.mappings = mappings
        loadBias = bias
        entry = image.entry &+ bias
        // checkLoadSegments() guaranteed the headers are loaded.
        programHeaders = (image.programHeadersAddress ?? 0) &+ bias
        programHeaderEntrySize = UInt64(image.programHeaderEntrySize)
        programHeaderCount = UInt64(image.programHeaders.count)
        programBreak = mappings.last?.end ?? 0
        executableStack = image.wantsExecutableStack
    }

    /// The largest power-of-two p_align of the PT_LOADs, at least a page (Linux's
    /// maximum_alignment()).
    static func largestAlignment(of image: ELFImage) -> UInt64 {
        var alignment = ELFImage.pageSize
        for segment in image.loadSegments where segment.alignment > alignment { alignment = segment.alignment }
        return alignment
    }

    /// [first page, end of last page) the image's PT_LOADs cover as linked (Linux's
    /// total_mapping_size()).
    static func span(of image: ELFImage) -> UInt64 {
        let page = ELFImage.pageSize
        guard let first = image.loadSegments.first, let last = image.loadSegments.last else { return 0 }
        let end = (last.virtualAddress + last.memorySize + page - 1) / page * page
        return end - first.virtualAddress / page * page
    }
}

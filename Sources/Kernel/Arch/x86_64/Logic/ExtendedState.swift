/// A thread's x87/SSE/AVX state as the CPU saves it, and as a signal frame carries it.
///
/// The area is FXSAVE's 512-byte legacy region; with XSAVE it goes on with the 64-byte
/// XSAVE header (XSTATE_BV, then zeros in the standard form) and the extended components.
/// In a signal frame (Linux's struct _fpstate / struct _xstate) the legacy region's
/// software-reserved bytes 464 ..< 512 hold struct _fpx_sw_bytes, which says that an
/// XSAVE area follows and how big it is, and FP_XSTATE_MAGIC2 follows the area:
///
///     0    fcw fsw ftw fop rip rdp   24 mxcsr   28 mxcsr_mask   32 st0-7   160 xmm0-15
///     464  magic1 (FP_XSTATE_MAGIC1)  468 extended_size  472 xfeatures  480 xstate_size
///     512  XSAVE header: xstate_bv, xcomp_bv, reserved      576  AVX and later components
///     size FP_XSTATE_MAGIC2
public struct ExtendedStateLayout: Equatable, Sendable {
    /// XSAVE in use (CR4.OSXSAVE); else FXSAVE alone.
    public var usesXSAVE: Bool
    /// XCR0: the state components a thread has (bit 0 x87, 1 SSE, 2 AVX ...).
    public var features: UInt64
    /// Bytes of the area: CPUID.(EAX=0DH,ECX=0):EBX for `features`; 512 without XSAVE.
    public var size: Int
    /// The MXCSR bits the CPU accepts (FXSAVE's MXCSR_MASK; 0xffbf when that reads 0).
    /// Restoring an MXCSR with any other bit set raises #GP.
    public var mxcsrMask: UInt32

    public static func xsave(features: UInt64, size: Int, mxcsrMask: UInt32) -> ExtendedStateLayout {
        ExtendedStateLayout(usesXSAVE: true, features: features, size: max(size, minimumXSAVESize), mxcsrMask: mxcsrMask)
    }

    public static func fxsave(mxcsrMask: UInt32) -> ExtendedStateLayout {
        ExtendedStateLayout(usesXSAVE: false, features: x87AndSSE, size: legacyBytes, mxcsrMask: mxcsrMask)
    }

    public static let magic1: UInt32 = 0x4650_5853, magic2: UInt32 = 0x4650_5845
    /// FP_XSTATE_MAGIC2_SIZE.
    public static let magic2Bytes = 4
    public static let x87AndSSE: UInt64 = 0b11
    static let sseAndAVX: UInt64 = 0b110
    /// MXCSR_DEFAULT: every exception masked, round to nearest.
    static let mxcsrInitial: UInt64 = 0x1f80
    static let legacyBytes = 512, headerBytes = 64
    static let minimumXSAVESize = legacyBytes + headerBytes
    static let mxcsrOffset = 24
    /// struct _fpx_sw_bytes in the legacy region, and its fields.
    static let softwareBytesOffset = 464, softwareBytes = 48
    static let magic1Offset = 464, extendedSizeOffset = 468, xfeaturesOffset = 472, xstateSizeOffset = 480
    /// The XSAVE header's XSTATE_BV (which components the area holds; the others are in
    /// their initial state) and XCOMP_BV (0: the standard form).
    static let xstateBVOffset = 512, xcompBVOffset = 520

    /// xstate_sigframe_size: what a signal frame reserves for the state.
    public var frameBytes: Int { usesXSAVE ? size + Self.magic2Bytes : size }

    /// Alignment the frame gives the state (XSAVE needs 64; FXSAVE 16).
    public static let frameAlignment: UInt64 = 64

    /// The state as a signal frame carries it, from the thread's saved area `state`
    /// (`size` bytes, standard form, as XSAVE or FXSAVE wrote it). With XSAVE the
    /// header is what XSAVE writes into a cleared one, XSTATE_BV always with x87 and SSE
    /// so that a handler that edits only the legacy region sees its edits restored; the
    /// software bytes describe the area, and MAGIC2 closes it. Without XSAVE the
    /// software bytes are zero: no magic, the legacy layout alone.
    public func signalFrameImage(of state: [UInt8]) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: size)
        for index in 0..<min(size, state.count) { image[index] = state[index] }
        for index in Self.softwareBytesOffset..<Self.softwareBytesOffset + Self.softwareBytes { image[index] = 0 }
        guard usesXSAVE else { return image }
        let present = image.word(at: Self.xstateBVOffset) | Self.x87AndSSE
        for index in Self.xstateBVOffset..<Self.xstateBVOffset + Self.headerBytes { image[index] = 0 }
        image.setWord(present, at: Self.xstateBVOffset)
        image.setField(UInt64(Self.magic1), at: Self.magic1Offset, size: 4)
        image.setField(UInt64(frameBytes), at: Self.extendedSizeOffset, size: 4)
        image.setWord(features, at: Self.xfeaturesOffset)
        image.setField(UInt64(size), at: Self.xstateSizeOffset, size: 4)
        image.append(contentsOf: [0, 0, 0, 0])
        image.setField(UInt64(Self.magic2), at: size, size: Self.magic2Bytes)
        return image
    }

    /// What rt_sigreturn makes of the state a frame points to.
    public enum Restored: Equatable, Sendable {
        /// No state (fpstate NULL): every component to its initial state.
        case initial
        /// Load this area (`size` bytes, standard form, XSTATE_BV saying which
        /// components it holds; the others go to their initial state). It is valid:
        /// XRSTOR or FXRSTOR of it cannot fault.
        case area([UInt8])
        /// Linux's XRSTOR or FXRSTOR would fault on it (misaligned, unreadable, a
        /// reserved MXCSR bit, a bad XSAVE header): a bad frame, and the state goes to
        /// its initial values.
        case invalid
    }

    /// The state at `address` (sigcontext's fpstate), as Linux's fpu__restore_sig takes
    /// it: with both magics and sizes that fit this CPU, the XSAVE area for the
    /// components sw_bytes' xfeatures names (bytes past the program's xstate_size read
    /// as zero, every component's initial value); without them the legacy FP/SSE region
    /// only, everything else initial.
    public func restored(from address: UInt64, memory: some UserMemoryReader) -> Restored {
        if address == 0 { return .initial }
        guard let legacy = memory.read(address, count: Self.legacyBytes) else { return .invalid }
        guard usesXSAVE else { return legacyArea(legacy, at: address) }
        let magic = UInt32(legacy.field(at: Self.magic1Offset, size: 4))
        let extendedSize = Int(legacy.field(at: Self.extendedSizeOffset, size: 4))
        let xstateSize = Int(legacy.field(at: Self.xstateSizeOffset, size: 4))
        guard magic == Self.magic1, xstateSize >= Self.minimumXSAVESize, xstateSize <= size, xstateSize <= extendedSize else {
            return legacyArea(legacy, at: address)
        }
        guard let closing = memory.read(address &+ UInt64(xstateSize), count: Self.magic2Bytes) else { return .invalid }
        guard UInt32(closing.field(at: 0, size: Self.magic2Bytes)) == Self.magic2 else { return legacyArea(legacy, at: address) }
        guard address % 64 == 0,
              let rest = memory.read(address &+ UInt64(Self.legacyBytes), count: xstateSize - Self.legacyBytes) else { return .invalid }
        var area = legacy + rest + [UInt8](repeating: 0, count: size - xstateSize)
        let restoring = legacy.word(at: Self.xfeaturesOffset) & features
        let present = area.word(at: Self.xstateBVOffset)
        guard present & ~features == 0,
              area[(Self.xstateBVOffset + 8)..<(Self.xstateBVOffset + Self.headerBytes)].allSatisfy({ $0 == 0 }) else { return .invalid }
        if restoring & Self.sseAndAVX != 0 {
            guard mxcsrIsValid(area) else { return .invalid }
        } else {
            area.setField(Self.mxcsrInitial, at: Self.mxcsrOffset, size: 4)
        }
        area.setWord(present & restoring, at: Self.xstateBVOffset)
        return .area(area)
    }

    /// The legacy region alone (FXRSTOR's 16-byte alignment): with XSAVE, an area whose
    /// header says x87 and SSE only.
    func legacyArea(_ legacy: [UInt8], at address: UInt64) -> Restored {
        guard address % 16 == 0, mxcsrIsValid(legacy) else { return .invalid }
        guard usesXSAVE else { return .area(legacy) }
        var area = legacy + [UInt8](repeating: 0, count: size - Self.legacyBytes)
        area.setWord(Self.x87AndSSE, at: Self.xstateBVOffset)
        return .area(area)
    }

    func mxcsrIsValid(_ area: [UInt8]) -> Bool {
        area.field(at: Self.mxcsrOffset, size: 4) & ~UInt64(mxcsrMask) == 0
    }
}

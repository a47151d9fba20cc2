import CMcosABI
import Kernel

/// Where mcexec puts the program in the unified address space, as plain numbers so that
/// the rules can be tested without an LWK. The rules (mcos_abi.h): everything of the
/// program lies in [MCOS_USER_START, MCOS_USER_END); static-PIE programs load at
/// MCOS_USER_PIE_BASE; the stack ends at MCOS_USER_STACK_TOP and grows down.
enum ProgramLayout {
    static let userStart = UInt64(MCOS_USER_START), userEnd = UInt64(MCOS_USER_END)
    static let stackTop = UInt64(MCOS_USER_STACK_TOP), mmapTop = UInt64(MCOS_USER_MMAP_TOP)
    static let pieBase = UInt64(MCOS_USER_PIE_BASE)
    static let page: UInt64 = 4096

    /// Stack bounds: at least 128 KiB, at most 256 MiB (mapped, zero-filled, up front).
    static let minimumStack: UInt64 = 128 << 10, maximumStack: UInt64 = 256 << 20
    /// What an unlimited RLIMIT_STACK gives (Linux's default soft limit).
    static let defaultStack: UInt64 = 8 << 20

    /// Stack bytes: `requested` (mcexec -s …,max) if given, else the soft RLIMIT_STACK
    /// (nil: unlimited), bounded and rounded up to pages.
    static func stackBytes(rlimit: UInt64?, requested: UInt64? = nil) -> UInt64 {
        let wanted = requested ?? rlimit ?? defaultStack
        let bounded = min(max(wanted, minimumStack), maximumStack)
        return (bounded + page - 1) / page * page
    }

    /// The stack's mapping: [top - bytes, top).
    static func stackRange(bytes: UInt64) -> Range<UInt64> {
        (stackTop - bytes)..<stackTop
    }

    /// argv + envp may take a quarter of the stack, as on Linux (E2BIG beyond).
    static func argumentLimit(stackBytes: UInt64) -> UInt64 {
        stackBytes / 4
    }

    typealias Segment = (start: UInt64, end: UInt64, protection: UInt32)

    static func segments(_ plan: LoadPlan) -> [Segment] {
        plan.mappings.map { ($0.start, $0.end, UInt32($0.protection.rawValue)) }
    }

    /// The mappings as the LWK is asked for them: page-aligned, clipped so that none
    /// starts inside the previous one (two segments may share a page; the first one's
    /// protection then holds for it, and both copy their file bytes there as on Linux).
    static func regions(_ segments: [Segment]) -> [(start: UInt64, bytes: UInt64, protection: UInt32)] {
        var regions: [(start: UInt64, bytes: UInt64, protection: UInt32)] = []
        var previousEnd: UInt64 = 0
        for segment in segments.sorted(by: { $0.start < $1.start }) {
            let start = max(segment.start, previousEnd)
            if segment.end > start {
                regions.append((start, segment.end - start, segment.protection))
            }
            previousEnd = max(previousEnd, segment.end)
        }
        return regions
    }

    /// Why the segments cannot live in the unified range, or nil when they can: inside
    /// the user range, below the anonymous-mmap area (the stack is above it).
    static func refusal(_ segments: [Segment]) -> String? {
        for segment in segments where segment.start < userStart || segment.end > mmapTop {
            return "a segment at 0x\(String(segment.start, radix: 16))-0x\(String(segment.end, radix: 16)) lies outside the LWK's program range 0x\(String(userStart, radix: 16))-0x\(String(mmapTop, radix: 16))"
        }
        return nil
    }

    static func refusal(_ plan: LoadPlan) -> String? { refusal(segments(plan)) }

    /// The program's segments and its interpreter's (ProgramLoad keeps them apart).
    static func segments(_ load: ProgramLoad) -> [Segment] {
        segments(load.program) + (load.interpreter.map(segments) ?? [])
    }

    static func refusal(_ load: ProgramLoad) -> String? { refusal(segments(load)) }

    /// The lowest descriptor mcexec moves its own files to, above those a program
    /// commonly uses: near the top of the soft RLIMIT_NOFILE, but never so high that the
    /// kernel grows the descriptor table just for it.
    static func descriptorFloor(nofileSoftLimit: UInt64) -> Int32 {
        let limit = min(nofileSoftLimit, 4096)
        return limit > 64 ? Int32(limit - 16) : 10
    }
}

extension ProgramEnd {
    /// From a wait status as waitpid(2) encodes it (the LWK's PROC_EXIT).
    init(waitStatus status: UInt32) {
        let signal = Int32(status & 0x7f)
        if signal == 0 {
            self = .exited(Int32((status >> 8) & 0xff))
        } else {
            self = .signaled(signal, coreDumped: status & 0x80 != 0)
        }
    }
}

import CMcosABI

/// What execve loads for one program: the program's own plan and, when it names a
/// PT_INTERP, the interpreter's (ld.so) beside it, with the numbers the interpreter finds
/// in auxv to then map the libraries and jump to the program (Linux's load_elf_binary and
/// load_elf_interp).
///
/// Where things go in the unified user range, and why they cannot collide:
///
///     MCOS_USER_STACK_TOP   the stack, growing down (its own region, above the mmap top)
///     MCOS_USER_MMAP_TOP    ← the interpreter, its last page just below this line
///                           ← mmap, top-down first fit from below the interpreter
///                           ↑ the program break, growing up
///     MCOS_USER_PIE_BASE    an ET_DYN program (PIE), 64 GiB up
///     0x400000 (typically)  an ET_EXEC program, where it was linked
///
/// The interpreter is the first thing placed in the mmap area, at its top, as Linux's
/// load_elf_interp does by mapping ld.so like any file: every later mmap (the libraries
/// ld.so loads, malloc's arenas) is found free below it by the same top-down search
/// (`RegionMap.findFree`) once the interpreter's regions are in the map, the break grows
/// from the program's end far below, and the stack lives above MCOS_USER_MMAP_TOP. No
/// randomisation, so that runs are reproducible (as for static-PIE).
public struct ProgramLoad: Equatable {
    public var program: LoadPlan
    /// The interpreter's plan, nil for a static program.
    public var interpreter: LoadPlan?
    /// The first user RIP: the interpreter's entry for a dynamic program, else the program's.
    public var entry: UInt64
    /// AT_BASE: the interpreter's load bias (its ELF header's address), 0 when static.
    public var interpreterBase: UInt64
    /// Where anonymous and file mmap must stay below: the interpreter's lowest page, or
    /// MCOS_USER_MMAP_TOP for a static program.
    public var mmapTop: UInt64

    public enum LoadError: Error, Equatable {
        /// The program's or the interpreter's plan failed (a base pushes it out of range).
        case program(LoadPlan.PlanError)
        case interpreter(LoadPlan.PlanError)
        /// The program has PT_INTERP but no interpreter image was given.
        case interpreterMissing(String)
        /// A static program was given an interpreter, or the interpreter image was not
        /// read as one (`ELFImage.Role.interpreter`).
        case unexpectedInterpreter
        /// The interpreter does not fit between the program and `mmapTop`, or (an ET_EXEC
        /// interpreter, linked at fixed addresses) overlaps the program.
        case interpreterDoesNotFit

        /// The errno execve answers with: ENOEXEC for a file that is not what it should
        /// be, ENOMEM where the address space cannot hold it (as Linux's mmap failures).
        public var errno: Errno {
            switch self {
            case .program(.dynamicExecutable), .interpreter(.dynamicExecutable), .unexpectedInterpreter: return .libBad
            case .interpreterMissing: return .noEnt
            case .program(.badBase), .interpreter(.badBase), .interpreterDoesNotFit: return .noMem
            }
        }
    }

    /// Plans `program` and, when it is dynamic, `interpreter` (read from the path its
    /// PT_INTERP names, with role `.interpreter`). An ET_DYN program goes at
    /// `programBase`; the interpreter ends just below `interpreterTop`.
    public init(program: ELFImage, interpreter: ELFImage?, programBase: UInt64 = MCOS_USER_PIE_BASE,
                interpreterTop: UInt64 = MCOS_USER_MMAP_TOP) throws(LoadError) {
        let programPlan: LoadPlan
        do throws(LoadPlan.PlanError) { programPlan = try LoadPlan(placing: program, at: programBase) } catch { throw .program(error) }

        guard case .dynamic(let path) = program.linking else {
            guard interpreter == nil else { throw .unexpectedInterpreter }
            self.program = programPlan
            self.interpreter = nil
            entry = programPlan.entry
            interpreterBase = 0
            mmapTop = interpreterTop
            return
        }
        guard let interpreter else { throw .interpreterMissing(path) }
        switch interpreter.linking {
        case .sharedObject, .staticExecutable: break
        case .staticPIE, .dynamic: throw .unexpectedInterpreter
        }

        let interpreterPlan: LoadPlan
        if interpreter.fileType == .executable {
            do throws(LoadPlan.PlanError) { interpreterPlan = try LoadPlan(placing: interpreter, at: 0) } catch { throw .interpreter(error) }
        } else {
            guard let base = Self.interpreterBase(for: interpreter, below: interpreterTop) else { throw .interpreterDoesNotFit }
            do throws(LoadPlan.PlanError) { interpreterPlan = try LoadPlan(placing: interpreter, at: base) } catch { throw .interpreter(error) }
        }
        guard let lowest = interpreterPlan.mappings.first?.start, let highest = interpreterPlan.mappings.last?.end,
              highest <= interpreterTop, Self.disjoint(programPlan, interpreterPlan)
        else { throw .interpreterDoesNotFit }
        // The break grows up from the program towards the interpreter: it must start below.
        guard interpreter.fileType == .executable || programPlan.programBreak <= lowest else { throw .interpreterDoesNotFit }

        self.program = programPlan
        self.interpreter = interpreterPlan
        entry = interpreterPlan.entry
        interpreterBase = interpreterPlan.loadBias
        mmapTop = interpreter.fileType == .executable ? interpreterTop : lowest
    }

    /// The highest base at which `image` (ET_DYN) ends at or below `top`, aligned to its
    /// largest segment alignment; nil when it cannot fit above MCOS_USER_START.
    public static func interpreterBase(for image: ELFImage, below top: UInt64) -> UInt64? {
        let span = LoadPlan.span(of: image), alignment = LoadPlan.largestAlignment(of: image)
        guard span > 0, top >= span, top - span >= MCOS_USER_START else { return nil }
        let base = (top - span) / alignment * alignment
        return base >= MCOS_USER_START ? base : nil
    }

    static func disjoint(_ a: LoadPlan, _ b: LoadPlan) -> Bool {
        for x in a.mappings {
            for y in b.mappings where x.start < y.end && y.start < x.end { return false }
        }
        return true
    }
}

extension InitialStack.Process {
    /// auxv's load numbers as Linux gives them to a program and its interpreter: AT_PHDR,
    /// AT_PHENT, AT_PHNUM and AT_ENTRY are the program's (ld.so finds the program through
    /// them), AT_BASE the interpreter's bias (0 when static).
    public init(load: ProgramLoad, random: [UInt8], executablePath: [UInt8]) {
        self.init(plan: load.program, random: random, executablePath: executablePath)
        interpreterBase = load.interpreterBase
    }
}

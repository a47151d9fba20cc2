import CMcosABI
import Foundation
import Kernel

/// The program mcexec was asked to run, found, read, and checked to be something the
/// LWK can load: an x86-64 ELF executable, static or dynamic (then with the dynamic
/// loader its PT_INTERP names, read and checked too). Done before anything talks to the
/// kernel module, so that a typo costs nothing and every refusal says what to do.
struct CheckedProgram {
    /// The path that was opened (after the PATH search), absolute where Linux could
    /// resolve it: what /proc/self/exe names for the program, whose own is mcexec.
    var path: String
    var image: ELFImage
    /// Where the program and its interpreter go, the entry and AT_BASE.
    var load: ProgramLoad
    /// The interpreter's path (PT_INTERP) for a dynamic program.
    var interpreterPath: String?

    /// For a `#!` script: the interpreter's argv (interpreter, its argument, the
    /// script's path, the script's arguments); nil runs the request's argv.
    var scriptArgv: [String]?

    /// The program's own plan.
    var plan: LoadPlan { load.program }
}

enum ProgramCheck {
    /// Finds `program` as execvp would: a name with a slash is a path, any other name is
    /// looked up in `searchPath` (PATH's value; Linux's default when unset).
    static func resolve(_ program: String, searchPath: String?) throws(MCExecError) -> String {
        if program.contains("/") {
            guard FileManager.default.fileExists(atPath: program) else {
                throw MCExecError("\(program): no such file", remedy: "check the path", status: .notFound)
            }
            return program
        }
        let directories = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        var foundButNotExecutable: String?
        for directory in directories {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            foundButNotExecutable = foundButNotExecutable ?? candidate
        }
        if let candidate = foundButNotExecutable { return candidate }  // check() explains why it cannot run
        throw MCExecError("\(program): command not found in PATH", remedy: "give the program's path (e.g. ./\(program)) or add its directory to PATH", status: .notFound)
    }

    /// The program at `path`, or for a `#!` script its interpreter (as binfmt_script
    /// reads the line: the interpreter as named, never looked up in PATH; itself a
    /// script up to Linux's five levels), with the argv Linux would give it.
    static func checkScriptOrProgram(path: String, request: LaunchRequest, depth: Int = 0) throws(MCExecError) -> CheckedProgram {
        let name = request.program
        guard let head = head(of: path) else { return try check(path: path, name: name) }
        switch ScriptLine.parse(head) {
        case .notScript:
            return try check(path: path, name: name)
        case .refused(let errno):
            throw MCExecError("\(name): its #! line cannot be used (\(String(cString: strerror(errno.rawValue))))",
                              remedy: "the line must name the interpreter's path, e.g. #!/bin/sh", status: errno == .noEnt ? .notFound : .cannotExecute)
        case .script(let line):
            guard access(path, X_OK) == 0 else {
                throw MCExecError("\(name) is not executable", remedy: "make it executable (chmod +x \(path))", status: .cannotExecute)
            }
            let interpreter = String(decoding: line.interpreter, as: UTF8.self)
            guard depth < ExecArguments.maximumInterpreterDepth else {
                throw MCExecError("\(name): too many levels of #! scripts (this one is the \(depth + 1)th)",
                                  remedy: "Linux follows five; name a program on one of the #! lines", status: .cannotExecute)
            }
            let arguments = (line.argument.map { [String(decoding: $0, as: UTF8.self)] } ?? []) + [path] + request.arguments
            var program = try checkScriptOrProgram(path: interpreter, request: LaunchRequest(instance: request.instance, program: interpreter, arguments: arguments),
                                                   depth: depth + 1)
            program.scriptArgv = program.scriptArgv ?? [interpreter] + arguments
            return program
        }
    }

    /// The first ScriptLine.bufferBytes of a readable regular file, nil otherwise
    /// (check() then says why).
    static func head(of path: String) -> [UInt8]? {
        // never open a FIFO or a device: that could block or have effects
        guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: ScriptLine.bufferBytes) else { return nil }
        return [UInt8](data)
    }

    /// Reads and checks the file at `path`, shown to the user as `name`.
    static func check(path: String, name: String) throws(MCExecError) -> CheckedProgram {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MCExecError("\(name): no such file", remedy: "check the path", status: .notFound)
        }
        guard !isDirectory.boolValue else {
            throw MCExecError("\(name) is a directory", remedy: "give the program inside it", status: .cannotExecute)
        }
        guard access(path, X_OK) == 0 else {
            throw MCExecError("\(name) is not executable", remedy: "make it executable (chmod +x \(path)), or check the file system is not mounted noexec", status: .cannotExecute)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MCExecError("\(name) cannot be read", remedy: "mcexec reads the program to load it onto the LWK: make it readable for you (chmod +r \(path))", status: .cannotExecute)
        }
        let bytes = [UInt8](data)
        let image: ELFImage
        do throws(ELFError) { image = try ELFImage(parsing: bytes) } catch {
            throw MCExecError("\(name) cannot run on the LWK: \(error.explanation)", remedy: remedy(for: error, bytes: bytes), status: .cannotExecute)
        }
        guard case .dynamic(let interpreterPath) = image.linking else {
            return try plan(name: name, path: path, image: image, interpreter: nil, interpreterPath: nil)
        }
        let interpreter = try readInterpreter(interpreterPath, for: name)
        return try plan(name: name, path: path, image: image, interpreter: interpreter, interpreterPath: interpreterPath)
    }

    /// `path` as realpath(3) resolves it, or as it is if it cannot.
    static func absolute(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The dynamic loader a program's PT_INTERP names, as Linux's execve reads it: a
    /// missing one is ENOENT (127 from a shell), one that is no loader ENOEXEC-like (126).
    static func readInterpreter(_ path: String, for name: String) throws(MCExecError) -> ELFImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw MCExecError("\(name): its dynamic loader \(path) does not exist", remedy: "install the C library it was built for, or link it with -static", status: .notFound)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MCExecError("\(name): its dynamic loader \(path) cannot be read", remedy: "make it readable for you (chmod +r \(path))", status: .cannotExecute)
        }
        do throws(ELFError) { return try ELFImage(parsing: [UInt8](data), as: .interpreter) } catch {
            throw MCExecError("\(name) cannot run on the LWK: its dynamic loader \(path): \(error.explanation)",
                              remedy: "reinstall the C library (its ld.so), or link the program with -static", status: .cannotExecute)
        }
    }

    static func plan(name: String, path: String, image: ELFImage, interpreter: ELFImage?, interpreterPath: String?) throws(MCExecError) -> CheckedProgram {
        do throws(ProgramLoad.LoadError) {
            let load = try ProgramLoad(program: image, interpreter: interpreter, programBase: UInt64(MCOS_USER_PIE_BASE))
            return CheckedProgram(path: absolute(path), image: image, load: load, interpreterPath: interpreterPath)
        } catch {
            switch error {
            case .interpreterMissing(let loader):
                throw MCExecError("\(name): its dynamic loader \(loader) does not exist", remedy: "install the C library it was built for, or link it with -static", status: .notFound)
            case .unexpectedInterpreter, .program(.dynamicExecutable), .interpreter(.dynamicExecutable):
                throw MCExecError("\(name) cannot run on the LWK: its dynamic loader \(interpreterPath ?? "") is not one",
                                  remedy: "reinstall the C library (its ld.so), or link the program with -static", status: .cannotExecute)
            case .interpreterDoesNotFit:
                throw MCExecError("\(name) cannot run on the LWK: its dynamic loader \(interpreterPath ?? "") does not fit beside it in the LWK's program range",
                                  remedy: "link it at a lower address (the default of gcc), or with -static", status: .cannotExecute)
            case .program(.badBase(let base)), .interpreter(.badBase(let base)):
                throw MCExecError("\(name) cannot be placed at 0x\(String(base, radix: 16))", remedy: "this is a bug in mcexec; please report it with the program", status: .cannotExecute)
            }
        }
    }

    static func remedy(for error: ELFError, bytes: [UInt8]) -> String {
        switch error {
        case .badMagic:
            return "mcexec runs ELF programs; check the file is the program and not, e.g., a wrapper or a text file"
        case .wrongClass, .wrongMachine:
            return "rebuild it for x86-64 (gcc -m64 -static)"
        case .notExecutable:
            return "link it into an executable (gcc -static -o prog prog.o)"
        case .sharedLibrary:
            return "give the program that uses this library"
        default:
            return "the file looks damaged or truncated: rebuild or reinstall it"
        }
    }
}

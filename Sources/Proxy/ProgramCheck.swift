import CMcosABI
import Foundation
import Kernel

/// The program mcexec was asked to run, found, read, and checked to be something the
/// LWK can load: a static x86-64 ELF executable. Done before anything talks to the
/// kernel module, so that a typo costs nothing and every refusal says what to do.
struct CheckedProgram {
    /// The path that was opened (after the PATH search).
    var path: String
    var image: ELFImage
    var plan: LoadPlan
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
        do throws(LoadPlan.PlanError) {
            return CheckedProgram(path: path, image: image, plan: try LoadPlan(image: image, staticPIEBase: UInt64(MCOS_USER_PIE_BASE)))
        } catch {
            switch error {
            case .dynamicExecutable(let interpreter):
                throw MCExecError(
                    "\(name) cannot run on the LWK: dynamic executables are not supported yet: link it with -static",
                    remedy: "it needs the dynamic loader \(interpreter); rebuild it with `gcc -static` (or -static-pie), or use a static build such as busybox-static",
                    status: .cannotExecute)
            case .badBase(let base):
                throw MCExecError("\(name) cannot be placed at 0x\(String(base, radix: 16))", remedy: "this is a bug in mcexec; please report it with the program", status: .cannotExecute)
            }
        }
    }

    static func remedy(for error: ELFError, bytes: [UInt8]) -> String {
        switch error {
        case .badMagic where bytes.starts(with: Array("#!".utf8)):
            return "it is a script; scripts are not supported yet: run a static build of its interpreter with the script as argument"
        case .badMagic:
            return "mcexec runs ELF programs; check the file is the program and not, e.g., a wrapper or a text file"
        case .wrongClass, .wrongMachine:
            return "rebuild it for x86-64 (gcc -m64 -static)"
        case .notExecutable:
            return "link it into an executable (gcc -static -o prog prog.o)"
        case .sharedLibrary:
            return "give the program that uses this library, linked with -static"
        default:
            return "the file looks damaged or truncated: rebuild or reinstall it"
        }
    }
}

/// What the command line asks for once options are parsed: McKernel's
/// `mcexec [options] [<os#>] <program> [args…]`. The words after the options are split
/// here, because the OS number is optional and positional: a first word of digits
/// followed by at least one more word is the instance (as in McKernel; run a program
/// named like a number as `./42`).
struct LaunchRequest: Equatable {
    /// OS instance index as typed; nil lets mcexec pick (see `InstanceCheck.choose`).
    var instance: Int?
    /// The program as typed (a path, or a name looked up in PATH).
    var program: String
    /// argv[1...]; argv[0] is `program` as typed, as a shell would pass it.
    var arguments: [String]

    init(instance: Int?, program: String, arguments: [String]) {
        self.instance = instance
        self.program = program
        self.arguments = arguments
    }

    init(words: [String]) throws(MCExecError) {
        var words = words[...]
        var instance: Int?
        if words.count >= 2, let first = words.first, !first.isEmpty, first.allSatisfy(\.isASCIIDigit), let index = Int(first) {
            instance = index
            words = words.dropFirst()
        }
        guard let program = words.first, !program.isEmpty else {
            throw MCExecError("no program given", remedy: "usage: mcexec [options] [<os#>] <program> [args…]", status: .failure)
        }
        // Options come before the program; anything dash-led here was not an option mcexec knows.
        if program.hasPrefix("-") {
            throw MCExecError("unknown option '\(program)'", remedy: "see `mcexec --help`; options go before the program", status: .failure)
        }
        self.init(instance: instance, program: program, arguments: Array(words.dropFirst()))
    }

    /// argv as the program will see it.
    var argv: [String] { [program] + arguments }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

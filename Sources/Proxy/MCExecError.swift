/// Why mcexec stops before the program runs: what is wrong, naming the program or the
/// OS instance, what to do about it, and the exit status a shell script can test.
struct MCExecError: Error, Equatable, CustomStringConvertible {
    /// Exit statuses, following the shell's conventions where one exists.
    enum Status: Int32 {
        /// Something about the node or the LWK (module, instance state, not implemented).
        case failure = 1
        /// Found but cannot be executed (the shell's 126).
        case cannotExecute = 126
        /// Not found (the shell's 127).
        case notFound = 127
    }

    var message: String
    var remedy: String?
    var status: Status

    init(_ message: String, remedy: String? = nil, status: Status) {
        self.message = message
        self.remedy = remedy
        self.status = status
    }

    /// `mcexec: <message>` then `  hint: <remedy>`, as mcprov prints its errors.
    var description: String {
        "mcexec: \(message)" + (remedy.map { "\n  hint: \($0)" } ?? "")
    }
}

/// The `#!` line of a script, read as Linux's binfmt_script reads it from the first
/// BINPRM_BUF_SIZE bytes of the file:
///
/// - the line ends at the first newline in those bytes; with none, at the end of the
///   buffer, but only if a space, tab or NUL follows the interpreter's name there (else
///   its path may be cut: ENOEXEC);
/// - spaces and tabs (only those) around the name are skipped, trailing ones trimmed;
/// - the name ends at the first space, tab or NUL; whatever follows up to the end of the
///   line (spaces inside kept, a NUL ending it early) is the one optional argument.
public struct ScriptLine: Equatable {
    /// BINPRM_BUF_SIZE: the bytes execve reads to recognise a format.
    public static let bufferBytes = 256

    public var interpreter: [UInt8]
    public var argument: [UInt8]?

    public enum ParseResult: Equatable {
        /// Not a script: the next format (ELF) is tried, and ENOEXEC if none fits.
        case notScript
        case script(ScriptLine)
        /// A `#!` file whose line Linux refuses: an errno for execve.
        case refused(Errno)
    }

    /// Parses the head of a file (bytes past `bufferBytes` are ignored; a shorter file is
    /// read as if zero-padded, as Linux's buffer is).
    public static func parse(_ head: [UInt8]) -> ParseResult {
        var buffer = [UInt8](repeating: 0, count: bufferBytes)
        for index in 0..<min(head.count, bufferBytes) { buffer[index] = head[index] }
        guard buffer[0] == UInt8(ascii: "#"), buffer[1] == UInt8(ascii: "!") else { return .notScript }
        func isSpaceOrTab(_ at: Int) -> Bool { buffer[at] == 0x20 || buffer[at] == 0x09 }
        func isTerminator(_ at: Int) -> Bool { isSpaceOrTab(at) || buffer[at] == 0 }
        /// The first index in [from, through] that is not a space or tab.
        func nextNonSpace(_ from: Int, through last: Int) -> Int? {
            var at = from
            while at <= last { if !isSpaceOrTab(at) { return at }; at += 1 }
            return nil
        }
        /// The first index in [from, through] that is a space, tab or NUL.
        func nextTerminator(_ from: Int, through last: Int) -> Int? {
            var at = from
            while at <= last { if isTerminator(at) { return at }; at += 1 }
            return nil
        }

        let bufferEnd = bufferBytes - 1
        var lineEnd: Int
        if let newline = buffer.firstIndex(of: 0x0a) {
            lineEnd = newline
        } else {
            // All spaces to the end, or a name running into the end: ENOEXEC.
            guard let name = nextNonSpace(2, through: bufferEnd), nextTerminator(name, through: bufferEnd) != nil
            else { return .refused(.noExec) }
            lineEnd = bufferEnd
        }
        while isSpaceOrTab(lineEnd - 1) { lineEnd -= 1 }

        guard let nameStart = nextNonSpace(2, through: lineEnd), nameStart != lineEnd else { return .refused(.noExec) }
        var argumentStart: Int?
        let separator = nextTerminator(nameStart, through: lineEnd)
        if let separator, buffer[separator] != 0 { argumentStart = nextNonSpace(separator, through: lineEnd) }

        // The strings are C strings up to the line's end, the separator, or an earlier NUL.
        func string(from start: Int, to end: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            var at = start
            while at < end, buffer[at] != 0 { bytes.append(buffer[at]); at += 1 }
            return bytes
        }
        let nameEnd = argumentStart != nil ? separator! : lineEnd
        let interpreter = string(from: nameStart, to: nameEnd)
        // An empty name (a NUL right after "#!") is what open_exec("") refuses.
        guard !interpreter.isEmpty else { return .refused(.noEnt) }
        return .script(ScriptLine(interpreter: interpreter, argument: argumentStart.map { string(from: $0, to: lineEnd) }))
    }
}

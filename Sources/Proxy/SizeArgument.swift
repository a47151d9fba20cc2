/// Sizes on mcexec's command line, as McKernel takes them: a number with an optional
/// binary suffix, `k`, `m`, `g` or `t` in either case ("2M" is 2 MiB).
struct SizeArgument: Equatable {
    var bytes: UInt64

    init?(_ text: String) {
        guard let last = text.last else { return nil }
        let shifts: [Character: UInt64] = ["k": 10, "m": 20, "g": 30, "t": 40]
        let shift = shifts[Character(last.lowercased())]
        let digits = shift == nil ? Substring(text) : text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = UInt64(digits) else { return nil }
        let scale = UInt64(1) << (shift ?? 0)
        let (product, overflow) = value.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        bytes = product
    }
}

/// `-s <premap>[,<max>]`: stack bytes mapped at start, and the stack's maximum size.
struct StackArgument: Equatable {
    var premap: UInt64
    var maximum: UInt64?

    init?(_ text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 2, let premap = SizeArgument(String(parts[0])) else { return nil }
        self.premap = premap.bytes
        if parts.count == 2 {
            guard let maximum = SizeArgument(String(parts[1])), maximum.bytes >= premap.bytes else { return nil }
            self.maximum = maximum.bytes
        }
    }
}

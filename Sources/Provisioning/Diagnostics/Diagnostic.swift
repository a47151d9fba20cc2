/// A place in a profile, 1-based like compilers print it.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// One finding about a profile: where, what is wrong, and what to do about it.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var severity: Severity
    /// Nil for findings about the node rather than a place in the file.
    public var location: SourceLocation?
    public var message: String
    public var hint: String?

    public static func error(_ message: String, at location: SourceLocation?, hint: String? = nil) -> Diagnostic {
        Diagnostic(severity: .error, location: location, message: message, hint: hint)
    }

    public static func warning(_ message: String, at location: SourceLocation?, hint: String? = nil) -> Diagnostic {
        Diagnostic(severity: .warning, location: location, message: message, hint: hint)
    }

    /// `profiles/x.yaml:12:9: error: CPU 300 does not exist on this node` and, indented
    /// below it, the hint.
    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        var text = "\(place)\(severity.rawValue): \(message)"
        if let hint { text += "\n    hint: \(hint)" }
        return text
    }
}

/// Findings collected while reading, resolving and checking a profile: every problem is
/// reported at once, in file order, rather than one per run.
public struct Diagnostics: Sendable {
    public private(set) var all: [Diagnostic] = []

    public init() {}

    public mutating func append(_ diagnostic: Diagnostic) {
        if !all.contains(diagnostic) { all.append(diagnostic) }
    }

    public mutating func error(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        append(.error(message, at: location, hint: hint))
    }

    public mutating func warning(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        append(.warning(message, at: location, hint: hint))
    }

    public mutating func merge(_ other: Diagnostics) {
        for diagnostic in other.all { append(diagnostic) }
    }

    public var errors: [Diagnostic] { sorted.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { sorted.filter { $0.severity == .warning } }
    public var hasErrors: Bool { all.contains { $0.severity == .error } }

    /// File order; findings without a location last, in the order they were found.
    public var sorted: [Diagnostic] {
        let located = all.filter { $0.location != nil }.sorted { $0.location! < $1.location! }
        return located + all.filter { $0.location == nil }
    }
}

/// A value read from a profile, with the place it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}

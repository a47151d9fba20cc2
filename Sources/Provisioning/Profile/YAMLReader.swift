import Foundation
import Yams

/// Reads a composed YAML tree with the care a profile deserves: every type mismatch and
/// unknown key becomes a diagnostic at its line and column, and reading goes on so that
/// one run reports everything.
struct YAMLReader {
    let file: String
    var diagnostics = Diagnostics()

    init(file: String) { self.file = file }

    func location(of node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The entries of a mapping after checking every key against `known`. `context` names
    /// the mapping in messages (e.g. "instance 0").
    mutating func mapping(_ node: Node, _ context: String, known: [String]) -> MappingEntries? {
        guard case .mapping(let mapping) = node else {
            typeMismatch(node, expected: "a mapping of \(known.map { "`\($0)`" }.joined(separator: ", "))", for: context)
            return nil
        }
        var entries = MappingEntries(location: location(of: node))
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                diagnostics.error("keys in \(context) must be plain words", at: location(of: key))
                continue
            }
            guard known.contains(scalar.string) else {
                diagnostics.error(
                    "unknown key `\(scalar.string)` in \(context)", at: location(of: key),
                    hint: Suggestion.hint(for: scalar.string, among: known))
                if let meant = Suggestion.closest(to: scalar.string, among: known) { entries.misspelled.insert(meant) }
                continue
            }
            entries.values[scalar.string] = (key, value)
        }
        return entries
    }

    /// Reports a required key that is absent, unless a misspelling of it was already
    /// reported: one mistake, one message.
    mutating func require(_ key: String, in entries: MappingEntries, _ message: String, hint: String) {
        guard entries[key] == nil, !entries.misspelled.contains(key) else { return }
        diagnostics.error(message, at: entries.location, hint: hint)
    }

    mutating func string(_ node: Node, _ what: String) -> Located<String>? {
        guard case .scalar(let scalar) = node, node.null == nil else {
            typeMismatch(node, expected: "a string", for: what)
            return nil
        }
        return Located(scalar.string, at: location(of: node))
    }

    mutating func integer(_ node: Node, _ what: String) -> Located<Int>? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: "")) else {
            typeMismatch(node, expected: "a whole number", for: what)
            return nil
        }
        return Located(value, at: location(of: node))
    }

    mutating func sequence(_ node: Node, _ what: String, hint: String? = nil) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            typeMismatch(node, expected: "a list", for: what, hint: hint)
            return nil
        }
        return Array(sequence)
    }

    /// A word out of a fixed set, with a did-you-mean for near misses.
    mutating func choice(_ node: Node, _ what: String, among allowed: [String]) -> Located<String>? {
        guard let word = string(node, what) else { return nil }
        guard allowed.contains(word.value.lowercased()) else {
            diagnostics.error(
                "`\(word.value)` is not a valid \(what)", at: word.location,
                hint: Suggestion.hint(for: word.value, among: allowed))
            return nil
        }
        return Located(word.value.lowercased(), at: word.location)
    }

    mutating func typeMismatch(_ node: Node, expected: String, for what: String, hint: String? = nil) {
        diagnostics.error("\(what) must be \(expected), not \(describe(node))", at: location(of: node), hint: hint)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if node.null != nil { return "empty" }
            return "\"\(scalar.string)\""
        }
    }
}

/// A mapping's known entries by key, and the keys that were misspelt.
struct MappingEntries {
    var location: SourceLocation
    var values: [String: (key: Node, value: Node)] = [:]
    var misspelled: Set<String> = []

    subscript(key: String) -> (key: Node, value: Node)? { values[key] }
    var isEmpty: Bool { values.isEmpty }
}

/// Turns Yams's parse errors into a located diagnostic.
enum YAMLSyntaxDiagnostic {
    static func make(_ error: Error, file: String, text: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        guard let yamlError = error as? YamlError else {
            return .error("cannot read the profile as YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return .error(
                "YAML syntax error: \(problem)\(while_)", at: at(mark),
                hint: "check indentation (spaces, not tabs), quotes and colons around this place")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            let second = repeatedKey(duplicates.first ?? "", after: context.mark, in: text)
            let place = second.map { SourceLocation(file: file, line: $0.line, column: $0.column) } ?? at(context.mark)
            return .error(
                "duplicate key \(names) in the same mapping", at: place,
                hint: "the first one is at line \(context.mark.line); keep one of them")
        case .reader(let problem, _, _, _):
            return .error("cannot read the profile: \(problem)", at: SourceLocation(file: file, line: 1, column: 1),
                          hint: "profiles are UTF-8 text")
        default:
            return .error("cannot read the profile as YAML: \(yamlError)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// Yams points at the first occurrence of a duplicated key; the second one, at the
    /// same indentation further down, is the one to remove, so point there.
    static func repeatedKey(_ key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        for number in first.line..<lines.count {
            let line = lines[number]
            let indent = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(indent).drop { $0 == "-" || $0 == " " }
            let column = line.count - rest.count + 1
            guard column == first.column else { continue }
            if rest.hasPrefix("\(key):") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                return (number + 1, column)
            }
        }
        return nil
    }
}

/// Where a topology comes from: the machine we run on, a file written by
/// `lstopo --of xml`, or an hwloc synthetic description.
public enum TopologySource: Equatable, Sendable, Codable, CustomStringConvertible {
    case live
    case xml(path: String)
    case synthetic(description: String)

    /// Reads the `--topology` argument: `live`, `synthetic:"pack:1 numa:4 core:4 pu:2"`,
    /// or a path to an XML file.
    public init(argument: String) {
        if argument == "live" {
            self = .live
        } else if argument.hasPrefix("synthetic:") {
            var description = String(argument.dropFirst("synthetic:".count))
            if description.count >= 2, let first = description.first, first == "\"" || first == "'",
               description.last == first {
                description = String(description.dropFirst().dropLast())
            }
            self = .synthetic(description: description)
        } else {
            self = .xml(path: argument)
        }
    }

    public var description: String {
        switch self {
        case .live: return "this machine"
        case .xml(let path): return path
        case .synthetic(let description): return "synthetic:\"\(description)\""
        }
    }

    public var isLive: Bool { self == .live }
}

/// `mcexec -m`'s argument, in numactl's node syntax: `1`, `0,2`, `4-7`, `all`, `!0`
/// (every node but 0), `+0-1` (relative to the nodes this task may use).
///
/// A plain list names the LWK's nodes by number and is taken as written: the LWK, which
/// knows where its memory is, refuses a node it has none on, and says so. Everything
/// else means something only against this machine's nodes, so libnuma parses it exactly
/// as numactl does (`numa_parse_nodestring_all`).
enum NodeString {
    /// The LWK keeps a process's nodes in a 32-bit mask.
    static let highestLWKNode = 31

    static func parse(_ text: String, libnuma: (String) -> [Int]? = LibNUMA.parseNodeString) -> Result<[Int], NodeStringError> {
        let nodes: [Int]
        if let plain = NodeList(text) {
            nodes = plain.nodes
        } else if let parsed = libnuma(text) {
            nodes = parsed
        } else {
            return .failure(.unparseable(text))
        }
        guard !nodes.isEmpty else { return .failure(.noNode(text)) }
        if let node = nodes.first(where: { $0 > highestLWKNode }) { return .failure(.beyondLWK(text, node)) }
        return .success(nodes)
    }
}

enum NodeStringError: Error, Equatable, CustomStringConvertible {
    case unparseable(String)
    case noNode(String)
    case beyondLWK(String, Int)

    var description: String {
        switch self {
        case .unparseable(let text):
            return "-m '\(text)' is not a list of NUMA nodes numactl accepts here, such as 1, 0,1, 4-7, all or !0"
        case .noNode(let text):
            return "-m '\(text)' names no NUMA node"
        case .beyondLWK(let text, let node):
            return "-m '\(text)': NUMA node \(node) is beyond what the LWK supports (0-\(NodeString.highestLWKNode))"
        }
    }
}

/// A plain list of NUMA node numbers: `0,2,4-7`.
struct NodeList: Equatable {
    var nodes: [Int]

    init?(_ text: String) {
        var nodes: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
                  let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]), low <= high, high < 1 << 16 else { return nil }
            nodes.append(contentsOf: low...high)
        }
        self.nodes = nodes
    }
}

import Foundation
import NodeBasics

/// `SIZE@NODE[,SIZE@NODE…]`, the memory syntax of McKernel's `mcreboot.sh -m`, for the
/// low-level commands: `512M@0,4G@1`. Sizes are absolute and on the granule (`MemoryGranule`).
public enum MemoryRequestSyntax {
    public struct Request: Equatable, Sendable {
        public var node: Int
        public var bytes: UInt64
    }

    public static func parse(_ text: String) -> Result<[Request], SyntaxError> {
        var requests: [Request] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let node = Int(parts[1].trimmingCharacters(in: .whitespaces)), node >= 0 else {
                return .failure(SyntaxError(message: "\"\(item)\" is not SIZE@NODE (like 512M@0)"))
            }
            guard case .success(.bytes(let bytes)) = SizeParser.parse(String(parts[0])), bytes > 0 else {
                return .failure(SyntaxError(message: "\"\(parts[0])\" is not a memory size like 512M or 4G"))
            }
            guard MemoryGranule.isAligned(bytes) else {
                return .failure(SyntaxError(message: "\(formatBytes(bytes)) is not a multiple of \(MemoryGranule.text)"))
            }
            requests.append(Request(node: node, bytes: bytes))
        }
        return .success(requests)
    }

    public struct SyntaxError: Error, Sendable {
        public var message: String
    }
}

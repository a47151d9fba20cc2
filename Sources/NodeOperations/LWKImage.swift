import Foundation

/// Finds the LWK image a profile names. `default` is the image this project builds
/// (`make kernel`), looked for where an install or the VM tests put it.
public enum LWKImage {
    public struct NotFound: Error, CustomStringConvertible {
        public var looked: [String]
        public var description: String {
            "no LWK image found (looked at \(looked.joined(separator: ", ")))\n  hint: build it with `make kernel`, set MCPROV_LWK_IMAGE, or give `kernel: {image: PATH}` in the profile"
        }
    }

    public static func locate(_ name: String) throws -> URL {
        if name != "default" {
            guard FileManager.default.isReadableFile(atPath: name) else { throw NotFound(looked: [name]) }
            return URL(fileURLWithPath: name)
        }
        // MCPROV_LWK_IMAGE, when set, is the only place looked at: an explicit choice
        // must not silently fall back to another image.
        if let override = ProcessInfo.processInfo.environment["MCPROV_LWK_IMAGE"] {
            guard FileManager.default.isReadableFile(atPath: override) else { throw NotFound(looked: [override]) }
            return URL(fileURLWithPath: override)
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            binary.appendingPathComponent("../lib/mcprov/mcos-lwk.elf").standardized.path,
            "/usr/local/lib/mcprov/mcos-lwk.elf",
            "/usr/lib/mcprov/mcos-lwk.elf",
        ]
        guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            throw NotFound(looked: candidates)
        }
        return URL(fileURLWithPath: found)
    }
}

/// An LWK image as read from disk.
public struct LWKImageData: Sendable {
    public var bytes: [UInt8]
    public var name: String

    public init(bytes: [UInt8], name: String) {
        self.bytes = bytes
        self.name = name
    }
}

import Foundation
import Provisioning

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

    /// Finds and reads the image; throws `NotFound` or the read's error.
    public static func read(_ name: String) throws -> LWKImageData {
        let url = try locate(name)
        return LWKImageData(bytes: [UInt8](try Data(contentsOf: url)), name: url.path)
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

/// The LWK images an apply needs. Those the profile's instances boot are read before
/// anything changes, once each, so a missing image stops the apply before its first
/// step; an applied instance's own image is needed only if its change fails, and is read
/// then.
public struct LWKImages {
    private var byName: [String: LWKImageData] = [:]
    /// The first one read, in the profile's order.
    private var first: LWKImageData?
    private let readPrevious: (String) -> LWKImageData?

    public init(
        for partition: Partition, read: (String) throws -> LWKImageData = LWKImage.read,
        readPrevious: @escaping (String) -> LWKImageData? = { try? LWKImage.read($0) }
    ) throws {
        self.readPrevious = readPrevious
        for instance in partition.instances where byName[instance.kernelImage] == nil {
            let image = try read(instance.kernelImage)
            byName[instance.kernelImage] = image
            first = first ?? image
        }
    }

    /// The image an instance of the profile boots, read up front (an instance of another
    /// partition gets what `previous` finds for it).
    func image(for instance: ResolvedInstance) -> LWKImageData {
        byName[instance.kernelImage] ?? previous(of: instance, else: LWKImageData(bytes: [], name: instance.kernelImage))
    }

    /// The image to boot again if a change to the applied `before` fails. An instance
    /// rebuilt from the module without a record has no known image: `fallback`.
    func previous(of before: ResolvedInstance, else fallback: LWKImageData) -> LWKImageData {
        byName[before.kernelImage] ?? readPrevious(before.kernelImage) ?? fallback
    }

    /// What a removed instance boots again if its removal fails and its own image is
    /// unknown: any image the profile boots.
    func fallback(for removed: ResolvedInstance) -> LWKImageData {
        first ?? LWKImageData(bytes: [], name: removed.kernelImage)
    }
}

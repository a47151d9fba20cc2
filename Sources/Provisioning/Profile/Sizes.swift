import CMcosABI
import Foundation
import NodeBasics

/// Memory sizes in profiles. LWK memory is reserved in chunks of the module's largest
/// order, MCOS_MEM_MAX_ORDER (4 MiB: x86-64's largest buddy order with 4 KiB pages, and
/// one large page of the LWK's own mappings), so absolute sizes must be multiples of it;
/// percentages and `all` are rounded down to it.
public enum MemoryGranule {
    /// The page the module's chunk orders count in.
    static let pageBytes: UInt64 = 4096
    public static let bytes: UInt64 = pageBytes << MCOS_MEM_MAX_ORDER
    /// "4 MiB", as messages name the granule.
    public static var text: String { formatBytes(bytes) }

    public static func roundDown(_ bytes: UInt64) -> UInt64 { bytes - bytes % Self.bytes }
    public static func isAligned(_ bytes: UInt64) -> Bool { bytes % Self.bytes == 0 }
}

/// Reads `512M`, `16G`, `16GiB`, `1.5T`, `90%`, `all`, or a plain number of bytes. Units
/// are binary (1G = 2^30 bytes), as in mcreboot's `-m`.
enum SizeParser {
    static let units: [(suffixes: [String], shift: UInt64)] = [
        (["T", "TB", "TIB"], 40), (["G", "GB", "GIB"], 30), (["M", "MB", "MIB"], 20), (["K", "KB", "KIB"], 10), (["B", ""], 0),
    ]

    /// The size, or why the text is not one.
    static func parse(_ raw: String) -> Result<SizeSpec, SizeSyntaxError> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.lowercased() == "all" { return .success(.all) }
        if text.hasSuffix("%") {
            guard let percent = Double(text.dropLast().trimmingCharacters(in: .whitespaces)) else {
                return .failure(SizeSyntaxError(text: raw))
            }
            guard percent > 0, percent <= 100 else {
                return .failure(SizeSyntaxError(text: raw, reason: "a percentage must be more than 0 and at most 100"))
            }
            return .success(.percent(percent))
        }
        let upper = text.uppercased()
        let numberEnd = upper.firstIndex { !($0.isNumber || $0 == ".") } ?? upper.endIndex
        let number = String(upper[..<numberEnd])
        let unit = upper[numberEnd...].trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, let shift = units.first(where: { $0.suffixes.contains(unit) })?.shift else {
            return .failure(SizeSyntaxError(text: raw))
        }
        let multiplier = UInt64(1) << shift
        if let whole = UInt64(number) {
            let (bytes, overflow) = whole.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { return .failure(SizeSyntaxError(text: raw, reason: "that is more memory than any machine has")) }
            return .success(.bytes(bytes))
        }
        guard let fraction = Double(number), fraction >= 0, fraction * Double(multiplier) < 1.8e19 else {
            return .failure(SizeSyntaxError(text: raw))
        }
        let bytes = fraction * Double(multiplier)
        guard bytes == bytes.rounded() else {
            return .failure(SizeSyntaxError(text: raw, reason: "\(raw) is not a whole number of bytes"))
        }
        return .success(.bytes(UInt64(bytes)))
    }
}

struct SizeSyntaxError: Error {
    var text: String
    var reason: String?

    var message: String {
        reason ?? "\"\(text)\" is not a memory size"
    }
    static let hint = "write a size like 512M, 16G or 1.5T (binary units), a percentage of the node like 90%, or all"
}

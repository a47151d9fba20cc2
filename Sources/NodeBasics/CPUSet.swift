/// A set of Linux CPU numbers, written the way the kernel writes them
/// (`/sys/devices/system/cpu/online`, `taskset -c`): `0-3,8,10-11`.
public struct CPUSet: Hashable, Sendable, Sequence {
    /// Sorted, without duplicates.
    public private(set) var members: [Int]

    public init() { members = [] }

    public init<S: Sequence>(_ cpus: S) where S.Element == Int {
        members = Array(Set(cpus)).sorted()
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var first: Int? { members.first }
    public var last: Int? { members.last }

    public func makeIterator() -> IndexingIterator<[Int]> { members.makeIterator() }

    public func contains(_ cpu: Int) -> Bool {
        var low = 0, high = members.count
        while low < high {
            let mid = (low + high) / 2
            if members[mid] == cpu { return true }
            if members[mid] < cpu { low = mid + 1 } else { high = mid }
        }
        return false
    }

    public func union(_ other: CPUSet) -> CPUSet { CPUSet(members + other.members) }
    public func intersection(_ other: CPUSet) -> CPUSet {
        let smaller = count <= other.count ? self : other
        let larger = count <= other.count ? other : self
        return CPUSet(smaller.members.filter(larger.contains))
    }
    public func subtracting(_ other: CPUSet) -> CPUSet { CPUSet(members.filter { !other.contains($0) }) }
    public func isSubset(of other: CPUSet) -> Bool { members.allSatisfy(other.contains) }
    public func isDisjoint(with other: CPUSet) -> Bool { intersection(other).isEmpty }
}

// MARK: - The kernel's list syntax

extension CPUSet: CustomStringConvertible {
    /// `4-67,72-135`; the empty set prints as an empty string, like sysfs.
    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
    }

    /// Maximal runs of consecutive CPU numbers.
    public var ranges: [ClosedRange<Int>] {
        var result: [ClosedRange<Int>] = []
        for cpu in members {
            if let last = result.last, last.upperBound + 1 == cpu {
                result[result.count - 1] = last.lowerBound...cpu
            } else {
                result.append(cpu...cpu)
            }
        }
        return result
    }
}

public struct CPUListSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Zero-based offset of the offending character in the list.
    public var offset: Int
    public var message: String
    public var description: String { message }
}

extension CPUSet {
    /// Largest CPU number accepted in a list; keeps a typo like `0-4294967295` from
    /// allocating gigabytes. Linux's own limit (CONFIG_NR_CPUS_RANGE_END) is 8192.
    public static let maximumCPU = 65_535

    /// Parses `0-3,8,10-11` (white space around items allowed). An empty string is the
    /// empty set.
    public init(parsing text: String) throws(CPUListSyntaxError) {
        var cpus: [Int] = []
        var offset = 0
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        if text.trimmingSpaces.isEmpty { self.init(); return }
        for item in items {
            defer { offset += item.count + 1 }
            let trimmed = String(item).trimmingSpaces
            guard !trimmed.isEmpty else {
                throw CPUListSyntaxError(offset: offset, message: "empty item in CPU list \"\(text)\"")
            }
            let bounds = trimmed.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let low = Int(bounds[0]), low >= 0,
                  bounds.count == 1 || Int(bounds[1]) != nil
            else {
                throw CPUListSyntaxError(
                    offset: offset,
                    message: "\"\(trimmed)\" is not a CPU number or a range like 4-67")
            }
            let high = bounds.count == 2 ? Int(bounds[1])! : low
            guard high >= low else {
                throw CPUListSyntaxError(offset: offset, message: "range \(trimmed) runs backwards")
            }
            guard high <= CPUSet.maximumCPU else {
                throw CPUListSyntaxError(
                    offset: offset, message: "CPU \(high) is beyond any machine (at most \(CPUSet.maximumCPU))")
            }
            cpus.append(contentsOf: low...high)
        }
        self.init(cpus)
    }
}

extension CPUSet: Codable {
    /// Encoded as an array of CPU numbers, the form scripts consume most easily.
    public init(from decoder: Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([Int].self))
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(members)
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

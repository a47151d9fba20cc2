/// Text in a fixed buffer, for the paths that must not allocate: a panic (the heap may be
/// what failed) and the lines written on the way to one. What does not fit is cut.
public struct FixedText {
    public let storage: UnsafeMutablePointer<UInt8>
    public let capacity: Int
    public private(set) var count = 0

    public init(storage: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.storage = storage
        self.capacity = capacity
    }

    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage, count: count) }

    public mutating func append(byte: UInt8) {
        guard count < capacity else { return }
        storage[count] = byte
        count += 1
    }

    public mutating func append(_ text: StaticString) {
        let start = text.utf8Start
        for index in 0..<text.utf8CodeUnitCount { append(byte: start[index]) }
    }

    /// `0x` and `value` in hexadecimal, zero-padded to `digits`.
    public mutating func append(hex value: UInt64, digits: Int = 16) {
        append("0x")
        var length = 1
        while length < 16 && value >> (4 * UInt64(length)) != 0 { length += 1 }
        for position in stride(from: max(length, digits) - 1, through: 0, by: -1) {
            let nibble = position < 16 ? UInt8(truncatingIfNeeded: value >> (4 * UInt64(position))) & 0xf : 0
            append(byte: nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10)
        }
    }

    /// `value` in decimal, right-aligned to `width` with spaces.
    public mutating func append(decimal value: Int, width: Int = 0) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var magnitude = value.magnitude
        var length = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[length] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                length += 1
            } while magnitude > 0
        }
        let total = length + (value < 0 ? 1 : 0)
        for _ in 0..<max(0, width - total) { append(byte: 0x20) }
        if value < 0 { append(byte: 0x2d) }
        withUnsafeBytes(of: &digits) { buffer in
            for index in stride(from: length - 1, through: 0, by: -1) { append(byte: buffer[index]) }
        }
    }

    /// The start of a kmsg line, as `LogLine.format` writes it: `[  3]: `.
    public mutating func appendLinePrefix(cpu: Int) {
        append("[")
        append(decimal: cpu, width: 3)
        append("]: ")
    }
}

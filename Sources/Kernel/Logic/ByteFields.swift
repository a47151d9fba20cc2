/// Fields of a C struct held as bytes, little-endian as every ABI the LWK serves: the
/// images of the structs the kernel writes into a program's memory or reads from it.
extension Array where Element == UInt8 {
    /// The `size`-byte field at `offset` (1 ... 8 bytes).
    public func field(at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(self[offset + index]) << UInt64(8 * index) }
        return value
    }

    /// Stores the low `size` bytes of `value` at `offset`.
    public mutating func setField(_ value: UInt64, at offset: Int, size: Int) {
        for index in 0..<size { self[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(8 * index)) }
    }

    public func word(at offset: Int) -> UInt64 { field(at: offset, size: 8) }

    public mutating func setWord(_ value: UInt64, at offset: Int) { setField(value, at: offset, size: 8) }
}

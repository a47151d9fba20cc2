import NodeBasics
import Testing

@Suite struct ByteFormattingTests {
    @Test func bytesForHumans() {
        #expect(formatBytes(16 << 30) == "16 GiB")
        #expect(formatBytes(512 << 20) == "512 MiB")
        #expect(formatBytes(16_836_000_000) == "15.7 GiB")
        #expect(formatBytes(100) == "100 B")
    }
}

import Testing
@testable import Kernel

@Suite struct MemoryBindingTests {
    @Test func unboundTakesTheCPUsNodeFirstThenAnyOther() {
        #expect(MemoryBinding.order(cpuNode: 0, mask: 0, nodes: [1, 0]) == [0, 1])
        #expect(MemoryBinding.order(cpuNode: 1, mask: 0, nodes: [0, 1, 2]) == [1, 0, 2])
        #expect(MemoryBinding.order(cpuNode: 0, mask: 0, nodes: [1]) == [0, 1], "its node is tried even when unlisted")
    }

    @Test func boundTakesOnlyTheMasksNodes() {
        #expect(MemoryBinding.order(cpuNode: 0, mask: 0b10, nodes: [0, 1]) == [1], "KNL flat mode: MCDRAM only")
        #expect(MemoryBinding.order(cpuNode: 2, mask: 0b1101, nodes: [0, 1, 2, 3]) == [2, 0, 3], "its CPU's node first")
        #expect(MemoryBinding.order(cpuNode: 0, mask: 0b100, nodes: [0, 1]) == nil, "no LWK memory on node 2")
        #expect(MemoryBinding.order(cpuNode: 0, mask: 1 << 31, nodes: [0, 31]) == [31])
    }
}

import Testing
import NodeBasics

@Suite struct CPUSetTests {
    @Test func parsesTheKernelListSyntax() throws {
        let set = try CPUSet(parsing: "4-7, 0,10-11,9")
        #expect(set.members == [0, 4, 5, 6, 7, 9, 10, 11])
        #expect(set.description == "0,4-7,9-11")
    }

    @Test func emptyStringIsTheEmptySet() throws {
        #expect(try CPUSet(parsing: "").isEmpty)
        #expect(CPUSet().description == "")
    }

    @Test(arguments: [
        ("4-", 0), ("a", 0), ("1,,2", 2), ("7-3", 0), ("1-2-3", 0), ("0,70000", 2), ("-1", 0),
    ])
    func rejectsMalformedLists(text: String, offset: Int) {
        #expect(throws: CPUListSyntaxError.self) { try CPUSet(parsing: text) }
        do {
            _ = try CPUSet(parsing: text)
        } catch {
            #expect(error.offset == offset, "offset for \(text)")
        }
    }

    @Test func setOperations() {
        let a = CPUSet([1, 2, 3, 4]), b = CPUSet([3, 4, 5])
        #expect(a.union(b).description == "1-5")
        #expect(a.intersection(b).description == "3-4")
        #expect(a.subtracting(b).description == "1-2")
        #expect(CPUSet([3]).isSubset(of: a))
        #expect(!a.isDisjoint(with: b))
        #expect(a.contains(4) && !a.contains(5))
    }

    @Test func roundTripsThroughText() throws {
        let set = CPUSet([0, 1, 2, 8, 9, 64, 100, 101, 102, 103])
        #expect(try CPUSet(parsing: set.description) == set)
    }
}

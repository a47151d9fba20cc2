import NodeBasics

/// Grammar for messages about CPU sets: "CPU 20 is", "CPUs 8-10 are".
extension CPUSet {
    var named: String { count == 1 ? "CPU \(self)" : "CPUs \(self)" }
    var isOrAre: String { count == 1 ? "is" : "are" }
    var hasOrHave: String { count == 1 ? "has" : "have" }
    var doesOrDo: String { count == 1 ? "does" : "do" }
}

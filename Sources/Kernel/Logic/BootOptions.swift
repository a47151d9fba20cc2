import CMcosABI

/// The LWK's kernel command line, parsed. Names follow McKernel's so that its users find
/// their options again; anything unknown is kept and reported in the kernel log.
public struct BootOptions: Equatable {
    public var hidos = false
    public var dumpLevel = 24
    public var timeSharing = false
    /// `time_sharing=K`: contexts per CPU (ContextLayout), `time_sharing` alone
    /// `defaultContexts`. Each is a thread or process the CPU can hold at once.
    public var contextsPerCPU = BootOptions.defaultContexts
    public static let defaultContexts = 8
    public static let mostContexts = Int(MCOS_MAX_CONTEXTS_PER_CPU)
    public var idleHalt = false
    public var allowOversubscribe = false
    public var anonOnDemand = false
    public var turbo = false
    public var safeKernelMap = false
    /// `pti=on`: page-table isolation, as Linux names it. In user mode a CPU runs on a
    /// root that maps the program and only the few kernel pages entry and exit need,
    /// so a Meltdown-class CPU cannot read the instance's memory from user mode. Off by
    /// default: it costs two CR3 writes (and the TLB they flush) per system call and
    /// interrupt, and the LWK has no PCID to spare that yet.
    public var pageTableIsolation = false
    /// Test images only: fault on purpose at this point (of boot, or of a program's
    /// first system call), to exercise the panic path, or corrupt what is shared. Any other image takes
    /// `test_fault=` for an unknown word.
    public var testFault: TestFault?
    /// Words the LWK does not know, in order.
    public var unknown: [String] = []
    /// Known words with a value that is not valid, in order.
    public var invalid: [String] = []

    public enum TestFault: Equatable {
        case pageFault
        /// In kernel mode, on the first system call of a program: a panic while a
        /// proxy waits on Linux.
        case inSyscall
        /// Once RUNNING: the shared ring headers say absurd sizes (IKC `slots`, kmsg
        /// `data_bytes`), as a hostile or buggy party could write them, and the log
        /// wraps once; the LWK must go on within its rings.
        case ringHeaders
    }

    public init() {}

    /// Splits on spaces; `name` or `name=value`. `testFaults`: whether this image is a
    /// test image, which knows `test_fault=`.
    public init(parsing line: String, testFaults: Bool = false) {
        self.init()
        for word in line.split(separator: " ") where !word.isEmpty {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0]
            let value = parts.count == 2 ? parts[1] : nil
            switch (name, value) {
            case ("hidos", nil): hidos = true
            case ("time_sharing", nil): timeSharing = true
            case ("time_sharing", let value?):
                if let count = Int(value), count >= 1, count <= Self.mostContexts {
                    timeSharing = true
                    contextsPerCPU = count
                } else {
                    invalid.append(String(word))
                }
            case ("idle_halt", nil): idleHalt = true
            case ("allow_oversubscribe", nil): allowOversubscribe = true
            case ("anon_on_demand", nil): anonOnDemand = true
            case ("turbo", nil): turbo = true
            case ("safe_kernel_map", nil): safeKernelMap = true
            case ("pti", "on"): pageTableIsolation = true
            case ("pti", "off"): pageTableIsolation = false
            case ("pti", _): invalid.append(String(word))
            case ("dump_level", let value?):
                if let level = Int(value), level == 0 || level == 24 { dumpLevel = level } else { invalid.append(String(word)) }
            case ("test_fault", let value?) where testFaults:
                switch value {
                case "page": testFault = .pageFault
                case "syscall": testFault = .inSyscall
                case "rings": testFault = .ringHeaders
                default: invalid.append(String(word))
                }
            case ("test_fault", nil) where testFaults:
                invalid.append(String(word))
            case ("hidos", _?), ("idle_halt", _?), ("allow_oversubscribe", _?),
                 ("anon_on_demand", _?), ("turbo", _?), ("safe_kernel_map", _?), ("dump_level", nil):
                invalid.append(String(word))
            default:
                unknown.append(String(word))
            }
        }
    }
}

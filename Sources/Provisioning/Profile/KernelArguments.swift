/// The LWK's kernel arguments we know, following McKernel's names so that its users find
/// their options again. Unknown arguments are passed through with a warning: the LWK
/// reports the ones it does not understand in its log.
public enum KernelArguments {
    public enum Kind: Sendable {
        case flag, number(allowed: [Int]), word(allowed: [String])
        /// A flag, or `name=N` with N in `range`.
        case flagOrCount(ClosedRange<Int>)
    }

    public struct Known: Sendable {
        public var name: String
        public var kind: Kind
        public var meaning: String
    }

    public static let known: [Known] = [
        Known(name: "hidos", kind: .flag, meaning: "enable the inter-kernel channels; always on, added by mcprov"),
        Known(name: "dump_level", kind: .number(allowed: [0, 24]), meaning: "what a crash dump holds: 0 all LWK memory, 24 kernel memory only; set with `dump_level:`"),
        Known(name: "time_sharing", kind: .flagOrCount(1...32),
              meaning: "an LWK CPU holds several threads or processes (time_sharing=N: N each, 8 without a value) and gives each 1 ms turns while more than one has work"),
        Known(name: "idle_halt", kind: .flag, meaning: "halt idle LWK CPUs instead of polling"),
        Known(name: "allow_oversubscribe", kind: .flag, meaning: "allow more threads than LWK CPUs"),
        Known(name: "anon_on_demand", kind: .flag, meaning: "demand-page anonymous memory instead of pre-mapping it"),
        Known(name: "turbo", kind: .flag, meaning: "allow turbo frequencies on LWK CPUs"),
        Known(name: "safe_kernel_map", kind: .flag, meaning: "map the LWK kernel conservatively"),
        Known(name: "pti", kind: .word(allowed: ["on", "off"]),
              meaning: "page-table isolation, as Linux's: programs run on page tables without the LWK's memory (on), or with it, supervisor-only (off, the default)"),
    ]

    /// Default crash-dump level: kernel memory only, as McKernel's mcreboot.
    public static let defaultDumpLevel = 24
    public static var dumpLevels: [Int] {
        if case .number(let allowed) = known.first(where: { $0.name == "dump_level" })!.kind { return allowed }
        return []
    }

    public static func lookup(_ name: String) -> Known? { known.first { $0.name == name } }

    /// The command line handed to the LWK: `hidos`, the profile's arguments in order, and
    /// `dump_level=N` last.
    public static func commandLine(args: [String], dumpLevel: Int) -> String {
        let rest = args.filter { $0 != "hidos" && !$0.hasPrefix("dump_level=") }
        return (["hidos"] + rest + ["dump_level=\(dumpLevel)"]).joined(separator: " ")
    }
}

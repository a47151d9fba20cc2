import Foundation

extension Resolver {
    /// Checks the kernel arguments and builds the LWK's command line.
    mutating func kernelCommandLine(_ spec: KernelSpec) -> String {
        var dumpLevel = spec.dumpLevel
        var args: [String] = []
        var seen: [String: SourceLocation] = [:]
        for arg in spec.args {
            let text = arg.value.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.contains(" ") else {
                diagnostics.error(
                    "kernel argument \"\(arg.value)\" must be one word", at: arg.location,
                    hint: "give each argument as its own list item")
                continue
            }
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0], value = parts.count == 2 ? parts[1] : nil
            if let earlier = seen[name] {
                diagnostics.error("kernel argument `\(name)` is given twice (also at line \(earlier.line))", at: arg.location)
                continue
            }
            seen[name] = arg.location
            guard let known = KernelArguments.lookup(name) else {
                let names = KernelArguments.known.map(\.name)
                let guess = Suggestion.closest(to: name, among: names)
                diagnostics.warning(
                    "unknown kernel argument `\(name)` is passed to the LWK unchecked", at: arg.location,
                    hint: guess.map { "did you mean `\($0)`?" } ?? "known arguments: \(names.joined(separator: ", "))")
                args.append(text)
                continue
            }
            switch known.kind {
            case .flag:
                if value != nil {
                    diagnostics.error("`\(name)` takes no value", at: arg.location, hint: "write just `\(name)`; leave it out to turn it off")
                } else if name == "hidos" {
                    diagnostics.warning("`hidos` is always on; no need to list it", at: arg.location)
                } else {
                    args.append(name)
                }
            case .flagOrCount(let range):
                if value == nil || value.flatMap({ Int($0) }).map(range.contains) == true {
                    args.append(text)
                } else {
                    diagnostics.error("`\(name)` takes no value or a count from \(range.lowerBound) to \(range.upperBound)", at: arg.location,
                                      hint: "write `\(name)` or `\(name)=\(range.upperBound / 4)`")
                }
            case .word(let allowed):
                if let value, allowed.contains(value) {
                    args.append(text)
                } else {
                    let choices = allowed.map { "\(name)=\($0)" }.joined(separator: " or ")
                    diagnostics.error("`\(name)` takes one of \(allowed.joined(separator: ", "))", at: arg.location, hint: "write \(choices)")
                }
            case .number:
                if name == "dump_level" {
                    if let dumpLevel {
                        diagnostics.error(
                            "dump level is set twice (also `dump_level:` at line \(dumpLevel.location.line))", at: arg.location,
                            hint: "keep `dump_level:` and drop the argument")
                    } else if let number = value.flatMap({ Int($0) }) {
                        dumpLevel = Located(number, at: arg.location)
                    } else {
                        diagnostics.error("`dump_level` needs a number, like dump_level=24", at: arg.location)
                    }
                }
            }
        }
        let level = dumpLevel?.value ?? KernelArguments.defaultDumpLevel
        if let dumpLevel, !KernelArguments.dumpLevels.contains(dumpLevel.value) {
            diagnostics.error(
                "dump level \(dumpLevel.value) is not supported", at: dumpLevel.location,
                hint: "0 dumps all LWK memory, 24 (the default) kernel memory only")
        }
        if let image = spec.image, topology.source.isLive, !FileManager.default.fileExists(atPath: image.value) {
            diagnostics.error(
                "kernel image \(image.value) does not exist", at: image.location,
                hint: "build it with `make kernel`, or use `image: default`")
        }
        return KernelArguments.commandLine(args: args, dumpLevel: level)
    }
}

import Foundation
@testable import Provisioning
import NodeBasics
import TestSupport
import Testing

@Suite struct ProfileParserTests {
    @Test(arguments: ["knl-quad.yaml", "knl-snc4-flat.yaml", "knl-quad-cache.yaml", "xeon-2s.yaml"])
    func shippedProfilesParseCleanly(name: String) {
        let (profile, diagnostics) = ProfileParser.parse(contentsOf: Fixtures.profile(name))
        #expect(diagnostics.all.isEmpty, "\(diagnostics.all)")
        #expect(profile?.instances.count == 1)
        #expect(profile?.description?.isEmpty == false)
    }

    @Test func knlQuadSaysWhatItMeans() throws {
        let (parsed, _) = ProfileParser.parse(contentsOf: Fixtures.profile("knl-quad.yaml"))
        let profile = try #require(parsed)
        #expect(profile.name.value == "knl-quad")
        #expect(profile.expectations.map(\.value) == [.clusterMode("quadrant"), .memoryMode("flat")])
        let lwk = try #require(profile.instances.first)
        #expect(lwk.cpus.value == .rule(CPURule(linuxCoresPerDomain: 4, domain: .numa, threads: .all)))
        #expect(lwk.memory.map(\.numa.value) == [.kind(.mcdram), .kind(.ddr)])
        #expect(lwk.memory.map(\.size.value) == [.all, .percent(60)])
        #expect(lwk.ikc.value == .auto)
        #expect(lwk.kernel.args.map(\.value) == ["time_sharing"])
        #expect(lwk.kernel.dumpLevel?.value == 24)
        #expect(lwk.kernel.image == nil)
    }

    @Test func locationsAreLineAndColumnOfTheValue() throws {
        let (profile, _) = ProfileParser.parse(yaml: "name: x\ninstances:\n  - cpus: \"4-7\"\n    memory: [{numa: 0, size: 1G}]\n", path: "p.yaml")
        let cpus = try #require(profile?.instances.first?.cpus)
        #expect(cpus.location == SourceLocation(file: "p.yaml", line: 3, column: 11))
    }

    @Test func cpuListErrorPointsIntoTheList() {
        let (_, diagnostics) = ProfileParser.parse(yaml: "name: x\ninstances:\n  - cpus: \"4-7,9-x\"\n    memory: [{numa: 0, size: 1G}]\n", path: "p.yaml")
        let error = diagnostics.errors.first
        #expect(error?.message == "\"9-x\" is not a CPU number or a range like 4-67")
        #expect(error?.location?.column == 15)
    }

    @Test func cpuListsMayBeWrittenAsNumbers() throws {
        let (profile, diagnostics) = ProfileParser.parse(yaml: "name: x\ninstances:\n  - cpus: 5\n    memory: [{numa: 0, size: 1G}]\n", path: "p.yaml")
        #expect(!diagnostics.hasErrors)
        #expect(profile?.instances.first?.cpus.value == .list(CPUSet([5])))
    }
}

@Suite struct SizeTests {
    @Test(arguments: [
        ("512M", SizeSpec.bytes(512 << 20)), ("16G", .bytes(16 << 30)), ("16GiB", .bytes(16 << 30)), ("1.5G", .bytes(3 << 29)),
        ("2T", .bytes(2 << 40)), ("4194304", .bytes(4 << 20)), ("90%", .percent(90)), ("12.5 %", .percent(12.5)), ("all", .all), ("ALL", .all),
    ])
    func parses(text: String, expected: SizeSpec) throws {
        #expect(try SizeParser.parse(text).get() == expected)
    }

    @Test(arguments: ["", "16 bananas", "G", "0%", "101%", "-5G", "1.0000001K", "99999999999999T", "%"])
    func rejects(text: String) {
        #expect(throws: SizeSyntaxError.self) { try SizeParser.parse(text).get() }
    }

    @Test func granule() {
        #expect(MemoryGranule.bytes == 4 << 20 && MemoryGranule.text == "4 MiB", "the module's largest chunk")
        #expect(MemoryGranule.roundDown((4 << 20) + 1) == 4 << 20)
        #expect(MemoryGranule.isAligned(16 << 30))
        #expect(!MemoryGranule.isAligned(1023 << 20))
    }
}

@Suite struct WordingTests {
    @Test func suggestions() {
        #expect(Suggestion.closest(to: "kernal", among: ["name", "cpus", "kernel"]) == "kernel")
        #expect(Suggestion.closest(to: "cpu", among: ["name", "cpus", "kernel"]) == "cpus")
        #expect(Suggestion.closest(to: "zzzzzz", among: ["name", "cpus"]) == nil)
        #expect(Suggestion.editDistance("tiem", "time") == 1)
    }

    @Test func kernelCommandLine() {
        #expect(KernelArguments.commandLine(args: ["idle_halt", "hidos"], dumpLevel: 0) == "hidos idle_halt dump_level=0")
    }

    @Test func countRanges() {
        #expect(CountRange(minimum: 2, maximum: nil).description == "at least 2")
        #expect(CountRange(minimum: 68, maximum: 68).description == "68")
        #expect(CountRange(minimum: 64, maximum: 72).contains(68))
    }
}

/// The JSON Schema shipped for editors must know exactly the keys the parser knows.
@Suite struct SchemaTests {
    func object(_ value: Any?, _ path: String...) throws -> [String: Any] {
        var current = value
        for key in path { current = (current as? [String: Any])?[key] }
        return try #require(current as? [String: Any], "no object at \(path)")
    }

    @Test func schemaAndParserAgreeOnKeys() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("profiles/schema/profile-v1.schema.json")
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        #expect(Set(try object(schema, "properties").keys) == Set(ProfileParser.topKeys))
        #expect(Set(try object(schema, "properties", "expect", "properties").keys) == Set(ProfileParser.expectKeys))
        let instance = try object(schema, "$defs", "instance", "properties")
        #expect(Set(instance.keys) == Set(ProfileParser.instanceKeys))
        #expect(Set(try object(instance, "kernel", "properties").keys) == Set(ProfileParser.kernelKeys))
        #expect(Set(try object(instance, "memory", "items", "properties").keys) == Set(ProfileParser.memoryKeys))
        let ikcRoute = try #require(((instance["ikc"] as? [String: Any])?["oneOf"] as? [Any])?.last as? [String: Any])
        #expect(Set(try object(ikcRoute, "items", "properties").keys) == Set(ProfileParser.ikcKeys))
        #expect(Set(try object(schema, "properties", "expect", "properties", "cluster_mode")["enum"] as? [String] ?? []) == Set(ProfileParser.clusterModes))
    }
}

@Suite struct MemoryRequestSyntaxTests {
    @Test func parsesMcrebootStyle() throws {
        let requests = try MemoryRequestSyntax.parse("512M@0, 4G@1").get()
        #expect(requests == [.init(node: 0, bytes: 512 << 20), .init(node: 1, bytes: 4 << 30)])
    }

    @Test(arguments: ["512M", "512M@", "@1", "5M@1", "1G@-1", "lots@0", ""])
    func rejects(text: String) {
        #expect(throws: MemoryRequestSyntax.SyntaxError.self) { try MemoryRequestSyntax.parse(text).get() }
    }
}

import Foundation
import TestSupport
@testable import Kernel

/// ELF files for the loader tests: synthetic ones written byte by byte (to reach every
/// malformed case), and real ones built with gcc at test time.
enum ELFFixtures {
    struct Segment {
        var type: UInt32 = ProgramHeader.load
        var flags: UInt32 = ProgramHeader.read
        var offset: UInt64 = 0
        var address: UInt64 = 0x40_0000
        var fileSize: UInt64 = 0x1000
        var memorySize: UInt64 = 0x1000
        var alignment: UInt64 = 0x1000
    }

    /// A minimal ET_EXEC: header, program headers at 64, an RX segment from offset 0 with
    /// the entry inside, file padded to `fileBytes`.
    static func executable(
        type: UInt16 = 2, machine: UInt16 = 62, entry: UInt64 = 0x40_0100,
        segments: [Segment] = [Segment(flags: ProgramHeader.read | ProgramHeader.execute)],
        fileBytes: Int = 0x2000, extra: [(offset: Int, bytes: [UInt8])] = []
    ) -> [UInt8] {
        var file = [UInt8](repeating: 0, count: fileBytes)
        func put16(_ at: Int, _ value: UInt16) { for i in 0..<2 { file[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
        func put32(_ at: Int, _ value: UInt32) { for i in 0..<4 { file[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
        func put64(_ at: Int, _ value: UInt64) { for i in 0..<8 { file[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) } }
        file[0...3] = [0x7f, 0x45, 0x4c, 0x46]
        file[4] = 2; file[5] = 1; file[6] = 1
        put16(16, type); put16(18, machine); put32(20, 1); put64(24, entry)
        put64(32, 64); put16(52, 64); put16(54, 56); put16(56, UInt16(segments.count))
        for (index, segment) in segments.enumerated() {
            let at = 64 + index * 56
            put32(at, segment.type); put32(at + 4, segment.flags); put64(at + 8, segment.offset)
            put64(at + 16, segment.address); put64(at + 24, segment.address)
            put64(at + 32, segment.fileSize); put64(at + 40, segment.memorySize); put64(at + 48, segment.alignment)
        }
        for patch in extra { file.replaceSubrange(patch.offset..<(patch.offset + patch.bytes.count), with: patch.bytes) }
        return file
    }

    /// Compiles `source` with gcc and `flags` into a temporary directory; returns the
    /// path of the program. gcc is part of the build machine (and of the VM harness).
    static func compile(_ source: String, flags: [String], name: String = "program") throws -> String {
        let directory = Scratch.directory("elf")
        let sourceFile = directory.appendingPathComponent("\(name).c")
        try source.write(to: sourceFile, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent(name).path
        let result = try run("/usr/bin/gcc", flags + ["-O1", "-o", output, sourceFile.path])
        guard result.status == 0 else { throw CompileError(message: result.output) }
        return output
    }

    struct CompileError: Error { var message: String }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `readelf -lW`'s LOAD lines as (offset, vaddr, filesz, memsz, flags).
    static func readelfLoads(_ path: String) throws -> [(offset: UInt64, address: UInt64, fileSize: UInt64, memorySize: UInt64, flags: String)] {
        let output = try run("/usr/bin/readelf", ["-lW", path]).output
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.first == "LOAD", fields.count >= 8 else { return nil }
            func hex(_ text: Substring) -> UInt64 { UInt64(text.dropFirst(2), radix: 16) ?? .max }
            // Flags are one to three words ("R", "R E", "RW"); the alignment ends the line.
            let flags = fields[6..<(fields.count - 1)].joined()
            return (hex(fields[1]), hex(fields[2]), hex(fields[4]), hex(fields[5]), flags)
        }
    }

    static func readelfEntry(_ path: String) throws -> UInt64 {
        let output = try run("/usr/bin/readelf", ["-hW", path]).output
        let line = output.split(separator: "\n").first { $0.contains("Entry point address") }!
        return UInt64(line.split(separator: " ").last!.dropFirst(2), radix: 16)!
    }

    static let helloSource = """
        #include <stdio.h>
        int counter = 42; char big[1 << 20];
        int main(int argc, char **argv) { printf("%s %d\\n", argv[0], counter + big[argc]); return 0; }
        """
}

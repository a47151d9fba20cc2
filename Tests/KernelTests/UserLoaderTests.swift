import Foundation
import Testing
@testable import Kernel

/// The strongest host check of the load plan and the initial stack short of the LWK
/// itself: a tiny user-space loader (C, below) maps a static program exactly as the plan
/// says, copies the stack image built by `InitialStack`, and jumps to the entry with
/// RSP at argc, as the LWK will. If static glibc and busybox start, print and exit as
/// they do natively, the plan and the stack are what they accept.
@Suite(.serialized) struct UserLoaderTests {
    /// Reads the launch file (mappings, entry, stack) the test writes, maps, and jumps.
    static let loaderSource = #"""
        #define _GNU_SOURCE
        #include <fcntl.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/mman.h>
        #include <unistd.h>

        static uint64_t next(FILE *f) { uint64_t v; if (fread(&v, 8, 1, f) != 1) { perror("launch"); exit(90); } return v; }

        int main(int argc, char **argv) {
            if (argc != 3) return 91;
            int program = open(argv[1], O_RDONLY);
            FILE *launch = fopen(argv[2], "rb");
            if (program < 0 || !launch) { perror("open"); return 92; }
            uint64_t count = next(launch);
            for (uint64_t i = 0; i < count; i++) {
                uint64_t start = next(launch), end = next(launch), offset = next(launch), copy = next(launch), prot = next(launch);
                void *at = mmap((void *)start, end - start, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
                if (at != (void *)start) { perror("mmap segment"); return 93; }
                if (copy && pread(program, at, copy, offset) != (ssize_t)copy) { perror("pread"); return 94; }
                int p = ((prot & 1) ? PROT_READ : 0) | ((prot & 2) ? PROT_WRITE : 0) | ((prot & 4) ? PROT_EXEC : 0);
                if (mprotect(at, end - start, p)) { perror("mprotect"); return 95; }
            }
            uint64_t entry = next(launch), rsp = next(launch), base = next(launch), bytes = next(launch);
            uint64_t low = (base & ~0xfffULL) - (1 << 20), top = (base + bytes + 0xfff) & ~0xfffULL;
            void *stack = mmap((void *)low, top - low, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (stack != (void *)low) { perror("mmap stack"); return 96; }
            if (fread((void *)base, 1, bytes, launch) != bytes) { perror("stack"); return 97; }
            fflush(NULL);
            /* As at a fresh execve: RSP at argc, RDX 0 (no rtld_fini), other registers 0. */
            __asm__ volatile("mov %0, %%rsp\n xor %%edx, %%edx\n xor %%ebp, %%ebp\n jmp *%1" :: "r"(rsp), "r"(entry) : "memory");
            __builtin_unreachable();
        }
        """#

    /// Exercises what static glibc start-up reads from the stack and auxv: argv, envp,
    /// AT_RANDOM (stack protector), AT_PHDR (TLS), AT_EXECFN, AT_PLATFORM, malloc (brk).
    static let probeSource = #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/auxv.h>
        __thread int tls = 7;
        int main(int argc, char **argv) {
            for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
            printf("PROBE=%s\n", getenv("PROBE"));
            printf("execfn=%s platform=%s pagesz=%lu\n", (char *)getauxval(AT_EXECFN), (char *)getauxval(AT_PLATFORM), getauxval(AT_PAGESZ));
            char *p = malloc(1 << 20); memset(p, 1, 1 << 20);
            printf("tls=%d malloc=%d aligned=%d\n", tls, p[12345], (int)(((unsigned long)__builtin_frame_address(0)) % 16 == 0));
            return 42;
        }
        """#

    static let stackTop: UInt64 = 0x7000_0000_0000
    static let pieBase: UInt64 = 0x10_0000_0000

    static let loader: String? = try? ELFFixtures.compile(loaderSource, flags: ["-static", "-Wl,-Ttext-segment=0x60000000"], name: "loader")

    /// Runs `program` under the loader with `arguments` (argv[0] included).
    func runOnLoader(_ program: String, arguments: [String], environment: [String]) throws -> (status: Int32, output: String) {
        let loader = try #require(Self.loader, "gcc could not build the test loader")
        let image = try ELFImage(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: program))))
        let plan = try LoadPlan(image: image, staticPIEBase: Self.pieBase)
        var process = InitialStack.Process(plan: plan, random: (0..<16).map { UInt8($0 * 7) }, executablePath: Array(program.utf8))
        process.uid = UInt64(getuid()); process.euid = UInt64(geteuid()); process.gid = UInt64(getgid()); process.egid = UInt64(getegid())
        let stack = try InitialStack(top: Self.stackTop, arguments: arguments, environment: environment, process: process)

        var words: [UInt64] = [UInt64(plan.mappings.count)]
        for mapping in plan.mappings {
            words += [mapping.start, mapping.end, mapping.fileOffset, mapping.copyBytes, UInt64(mapping.protection.rawValue)]
        }
        words += [plan.entry, stack.stackPointer, stack.base, UInt64(stack.bytes.count)]
        var launch = Data()
        for word in words { withUnsafeBytes(of: word.littleEndian) { launch.append(contentsOf: $0) } }
        launch.append(contentsOf: stack.bytes)
        let launchFile = FileManager.default.temporaryDirectory.appendingPathComponent("launch-\(UUID().uuidString)")
        try launch.write(to: launchFile)
        defer { try? FileManager.default.removeItem(at: launchFile) }
        return try ELFFixtures.run(loader, [program, launchFile.path], environment: [:])
    }

    @Test(arguments: [["-static"], ["-static-pie"]])
    func staticGlibcStartsAndExits(flags: [String]) throws {
        let program = try ELFFixtures.compile(Self.probeSource, flags: flags, name: "probe")
        let result = try runOnLoader(program, arguments: [program, "one", "two words"], environment: ["PROBE=yes", "HOME=/"])
        #expect(result.status == 42)
        let native = try ELFFixtures.run(program, ["one", "two words"], environment: ["PROBE": "yes", "HOME": "/"])
        #expect(native.status == 42)
        #expect(result.output == native.output)
        #expect(result.output.contains("argv[2]=two words\nPROBE=yes\nexecfn=\(program) platform=x86_64 pagesz=4096\ntls=7 malloc=1"))
    }

    @Test func staticBusyboxRunsApplets() throws {
        // busybox-static is installed by scripts/install-deps.sh: the test needs it.
        let busybox = "/usr/bin/busybox"
        try #require(FileManager.default.fileExists(atPath: busybox), "install busybox-static (scripts/install-deps.sh)")
        let linking = try ELFImage(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: busybox)))).linking
        try #require(linking == .staticExecutable, "\(busybox) is not a static executable")
        let hostname = try runOnLoader(busybox, arguments: ["hostname"], environment: ["PATH=/bin"])
        #expect(hostname.status == 0)
        #expect(hostname.output == (try ELFFixtures.run(busybox, ["hostname"])).output)
        let echo = try runOnLoader(busybox, arguments: ["busybox", "echo", "hello", "LWK"], environment: [])
        #expect(echo.status == 0 && echo.output == "hello LWK\n")
        let failing = try runOnLoader(busybox, arguments: ["sh", "-c", "exit 7"], environment: [])
        #expect(failing.status == 7)
    }
}

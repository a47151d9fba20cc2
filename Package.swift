// swift-tools-version:6.0
//
// mcprov: partition a compute node between Linux and a lightweight kernel.
// Targets, leaves first:
//   NodeBasics    what both tools share: CPU sets, byte sizes, instance states, the state record
//   CHwloc        hwloc 2.x through pkg-config (system library)
//   CMcosABI      the kernel module's ABI: kmod/mcos_abi.h, header only
//   CMcexec       mcexec's C shim: the raw syscall instruction, CPUID, signal notes
//   CNuma         libnuma, for mcexec's node strings and the binding of its proxy
//   Topology      the node's topology as plain values, loaded through hwloc
//   NodeControl   the client of the kernel module: every operation, typed errors
//   Provisioning  profiles, resolution, validation, plans (pure logic, no side effects)
//   NodeOperations  apply and its decisions, teardown, the state record, the lock: the side effects
//   Kernel        the LWK's logic, host-testable (allocator, page tables, ABI structs via CMcosABI)
//   mcprov        the command-line tool, one file per subcommand
//   mcexec        runs a program on the LWK and serves its system calls on Linux
import PackageDescription

let package = Package(
    name: "mcprov",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mcprov", targets: ["mcprov"]),
        .executable(name: "mcexec", targets: ["mcexec"]),
        .library(name: "Provisioning", targets: ["Provisioning"]),
        .library(name: "Topology", targets: ["Topology"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "NodeBasics"),
        .systemLibrary(
            name: "CHwloc",
            path: "Sources/Topology/CHwloc",
            pkgConfig: "hwloc",
            providers: [.apt(["libhwloc-dev"])]
        ),
        .systemLibrary(name: "CMcosABI", path: "Sources/CMcosABI"),
        .systemLibrary(name: "CMcexec", path: "Sources/CMcexec"),
        .systemLibrary(name: "CNuma", path: "Sources/CNuma", providers: [.apt(["libnuma-dev"])]),
        .target(
            name: "Topology",
            dependencies: ["NodeBasics", "CHwloc"],
            path: "Sources/Topology",
            exclude: ["CHwloc"]
        ),
        .target(
            name: "NodeControl",
            dependencies: ["NodeBasics", "CMcosABI"]
        ),
        .target(
            name: "Provisioning",
            dependencies: [
                "NodeBasics",
                "Topology",
                "CMcosABI",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // MCPROV_TEST_HOOKS: the VM tests' failure injection (TestSwitches), in debug
        // builds (swift test) and the VM tests' mcprov-test-hooks only, never in release.
        .target(
            name: "NodeOperations",
            dependencies: ["NodeBasics", "Topology", "Provisioning", "NodeControl"],
            swiftSettings: [.define("MCPROV_TEST_HOOKS", .when(configuration: .debug))]
        ),
        // The LWK's logic (Logic/, and the architecture's in Arch/x86_64/Logic/), built for
        // the host here so it can be unit-tested; `make kernel` builds the same files with
        // the Image/ folders in Embedded Swift for x86_64-unknown-none-elf.
        .target(
            name: "Kernel",
            dependencies: ["CMcosABI"],
            path: "Sources/Kernel",
            exclude: ["Image", "Arch/x86_64/Image"]
        ),
        .executableTarget(
            name: "mcprov",
            dependencies: [
                "NodeBasics",
                "Topology",
                "NodeControl",
                "Provisioning",
                "NodeOperations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // mcexec: starts a Linux program on the LWK and is its proxy on Linux. It reads
        // the program with the LWK's own ELF loader (Kernel), asks the module about the
        // instance (NodeControl) and reads the state record (NodeBasics); nothing of
        // planning or hwloc.
        .executableTarget(
            name: "mcexec",
            dependencies: [
                "NodeBasics",
                "CMcosABI",
                "CMcexec",
                "CNuma",
                "Kernel",
                "NodeControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Proxy"
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Linux's signal ABI from the host's own headers (the kernel's UAPI and glibc's),
        // for KernelTests to check the LWK's signal frame and constants against: test-only.
        .target(name: "CLinuxSignalABI", path: "Tests/CLinuxSignalABI"),
        .testTarget(name: "NodeBasicsTests", dependencies: ["NodeBasics", "TestSupport"]),
        .testTarget(name: "TopologyTests", dependencies: ["NodeBasics", "Topology", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ProvisioningTests",
            dependencies: ["NodeBasics", "Topology", "Provisioning", "TestSupport"],
            exclude: ["Golden", "BadProfiles"]
        ),
        .testTarget(name: "KernelTests", dependencies: ["Kernel", "CMcosABI", "CLinuxSignalABI", "TestSupport"]),
        .testTarget(name: "NodeOperationsTests", dependencies: ["NodeOperations", "NodeBasics", "Topology", "Provisioning", "TestSupport"]),
        .testTarget(name: "NodeControlTests", dependencies: ["NodeControl"]),
        .testTarget(name: "mcprovTests", dependencies: ["mcprov", "TestSupport"]),
        .testTarget(name: "ProxyTests", dependencies: ["mcexec", "NodeBasics", "CMcosABI", "CMcexec", "CNuma", "Kernel", "NodeControl", "TestSupport"]),
    ]
)

// swift-tools-version:6.0
//
// mcprov: partition a compute node between Linux and a lightweight kernel.
// Targets, leaves first:
//   CHwloc        hwloc 2.x through pkg-config (system library)
//   Topology      the node's topology as plain values, loaded through hwloc
//   CMcosABI      the kernel module's ABI: kmod/mcos_abi.h, header only
//   CMcexec       mcexec's C shim: the raw syscall instruction, CPUID, signal notes
//   NodeControl   the client of the kernel module: every operation, typed errors
//   NodeOperations  apply, teardown, the state record, the lock: the side effects
//   Kernel        the LWK's logic (allocator, page tables, boot options, log lines)
//   Provisioning  profiles, resolution, validation, plans (pure logic, no side effects)
//   mcprov        the command-line tool, one file per subcommand
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
        .systemLibrary(
            name: "CHwloc",
            path: "Sources/Topology/CHwloc",
            pkgConfig: "hwloc",
            providers: [.apt(["libhwloc-dev"])]
        ),
        .target(
            name: "Topology",
            dependencies: ["CHwloc"],
            path: "Sources/Topology",
            exclude: ["CHwloc"]
        ),
        .systemLibrary(name: "CMcosABI", path: "Sources/CMcosABI"),
        .systemLibrary(name: "CMcexec", path: "Sources/CMcexec"),
        .target(
            name: "NodeControl",
            dependencies: ["CMcosABI", "Topology"]
        ),
        .target(
            name: "Provisioning",
            dependencies: [
                "Topology",
                "CMcosABI",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "NodeOperations",
            dependencies: ["Provisioning", "NodeControl", "Topology"]
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
                "Provisioning",
                "Topology",
                "NodeControl",
                "NodeOperations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // mcexec: starts a Linux program on the LWK and is its proxy on Linux (issue 6).
        .executableTarget(
            name: "mcexec",
            dependencies: [
                "Kernel",
                "CMcosABI",
                "CMcexec",
                "NodeControl",
                "NodeOperations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Proxy"
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "TestSupport"]),
        .testTarget(
            name: "ProvisioningTests",
            dependencies: ["Provisioning", "Topology", "TestSupport"],
            exclude: ["Golden", "BadProfiles"]
        ),
        .testTarget(name: "KernelTests", dependencies: ["Kernel", "CMcosABI", "TestSupport"]),
        .testTarget(name: "NodeOperationsTests", dependencies: ["NodeOperations", "Provisioning", "TestSupport"]),
        .testTarget(name: "NodeControlTests", dependencies: ["NodeControl", "TestSupport"]),
        .testTarget(name: "mcprovTests", dependencies: ["mcprov", "TestSupport"]),
        .testTarget(name: "ProxyTests", dependencies: ["mcexec", "Kernel", "NodeControl", "TestSupport"]),
    ]
)

import Foundation
import NodeControl

/// Switches for the VM tests, which make a step fail or stall. They exist only in test
/// builds, under the MCPROV_TEST_HOOKS compilation condition (debug builds, so `swift
/// test`, and the mcprov-test-hooks the VM tests stage); a release build has no trace
/// of them and ignores the variables:
///   MCPROV_TEST_FAIL_AT=STEP           the step fails as if the module had refused it
///   MCPROV_TEST_PAUSE_AT=STEP:SECONDS  sleep before the step (for kill -9 and lock tests)
/// Step names: see `StepLabel`.
#if MCPROV_TEST_HOOKS
public struct TestSwitches: Sendable {
    public var failAt: String?
    public var pauseAt: String?
    public var pauseSeconds: Double = 0

    public static let fromEnvironment: TestSwitches = {
        let environment = ProcessInfo.processInfo.environment
        var switches = TestSwitches(failAt: environment["MCPROV_TEST_FAIL_AT"])
        if let pause = environment["MCPROV_TEST_PAUSE_AT"] {
            let parts = pause.split(separator: ":")
            switches.pauseAt = parts.first.map(String.init)
            switches.pauseSeconds = parts.count > 1 ? Double(parts[1]) ?? 0 : 0
        }
        return switches
    }()

    func before(_ step: StepLabel) throws(ModuleError) {
        if pauseAt == step.name, pauseSeconds > 0 {
            usleep(useconds_t(pauseSeconds * 1_000_000))
        }
        if failAt == step.name {
            throw ModuleError(
                kind: .other, operation: step.title, message: "failure injected by MCPROV_TEST_FAIL_AT=\(step.name)",
                remedy: "unset MCPROV_TEST_FAIL_AT (a test-only switch)", errno: EIO)
        }
    }
}
#else
public struct TestSwitches: Sendable {
    public static let fromEnvironment = TestSwitches()

    func before(_ step: StepLabel) throws(ModuleError) {}
}
#endif

/// SIGINT and SIGTERM during apply: noted, and acted on between steps by undoing what
/// was done, instead of dying half-way.
public enum Interruption {
    nonisolated(unsafe) static var signalled: sig_atomic_t = 0

    public static func install() {
        signal(SIGINT) { _ in Interruption.signalled = 1 }
        signal(SIGTERM) { _ in Interruption.signalled = 1 }
    }

    static func check(before step: StepLabel) throws(ModuleError) {
        if signalled != 0 {
            throw ModuleError(
                kind: .other, operation: step.title, message: "interrupted (SIGINT or SIGTERM) before this step",
                remedy: "run the command again when ready", errno: EINTR)
        }
    }
}

import Foundation
import Testing
@testable import Kernel

/// What survives execve, against a host program that sets things up, execs itself and
/// reports what the new image sees.
@Suite struct ExecTransitionTests {
    static let survivor = """
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        static void handler(int signal) { (void)signal; }
        int main(int argc, char **argv) {
            if (argc == 1) {
                struct sigaction action; memset(&action, 0, sizeof action);
                action.sa_handler = handler; action.sa_flags = SA_ONSTACK | SA_RESTART; sigaddset(&action.sa_mask, SIGINT);
                sigaction(SIGUSR1, &action, 0);
                signal(SIGUSR2, SIG_IGN);
                sigset_t blocked; sigemptyset(&blocked); sigaddset(&blocked, SIGTERM); sigaddset(&blocked, SIGHUP);
                sigprocmask(SIG_BLOCK, &blocked, 0);
                raise(SIGHUP);
                static char stack[65536]; stack_t alternate = { .ss_sp = stack, .ss_size = sizeof stack, .ss_flags = 0 };
                sigaltstack(&alternate, 0);
                execl("/proc/self/exe", argv[0], "again", (char *)0);
                return 1;
            }
            struct sigaction usr1, usr2; sigaction(SIGUSR1, 0, &usr1); sigaction(SIGUSR2, 0, &usr2);
            sigset_t blocked, pending; sigprocmask(SIG_BLOCK, 0, &blocked); sigpending(&pending);
            stack_t alternate; sigaltstack(0, &alternate);
            printf("usr1 %d %x %d\\n", usr1.sa_handler == SIG_DFL, usr1.sa_flags & ~0x04000000, sigismember(&usr1.sa_mask, SIGINT));
            printf("usr2 %d\\n", usr2.sa_handler == SIG_IGN);
            printf("blocked %d %d\\n", sigismember(&blocked, SIGTERM), sigismember(&blocked, SIGHUP));
            printf("pending %d\\n", sigismember(&pending, SIGHUP));
            printf("altstack %d\\n", (alternate.ss_flags & SS_DISABLE) != 0);
            return 0;
        }
        """

    @Test func keptAndResetAsOnTheHost() throws {
        let program = try ELFFixtures.compile(Self.survivor, flags: [], name: "survivor")
        let host = try ELFFixtures.run(program, []).output
        #expect(host == "usr1 1 0 0\nusr2 1\nblocked 1 1\npending 1\naltstack 1\n")

        var dispositions = [SignalDisposition](repeating: .default, count: 64)
        dispositions[Int(Signal.usr1) - 1] = SignalDisposition(
            handler: 0x40_1000, flags: SignalActionFlag.onStack | SignalActionFlag.restart, restorer: 0x40_2000, mask: Signal.bit(Signal.int))
        dispositions[Int(Signal.usr2) - 1] = SignalDisposition(handler: SignalDisposition.ignoreHandler, flags: SignalActionFlag.restart)
        let blocked = Signal.bit(Signal.term) | Signal.bit(Signal.hup)
        let before = ExecContext(
            pid: 500, callingThread: 500, threads: [500], dispositions: dispositions, blocked: blocked,
            threadPending: Signal.bit(Signal.hup), signalStack: SignalStack(base: 0x7000_0000, size: 65536, flags: 0))
        let after = ExecTransition(execing: before, isVforkChild: false).after
        #expect(after.dispositions[Int(Signal.usr1) - 1] == .default, "handler, flags, mask and restorer gone")
        #expect(after.dispositions[Int(Signal.usr2) - 1] == SignalDisposition(handler: SignalDisposition.ignoreHandler))
        #expect(after.blocked == blocked && after.threadPending == Signal.bit(Signal.hup))
        #expect(after.signalStack == SignalStack())
    }

    @Test func otherThreadsGoAndTheCallerTakesThePid() {
        let before = ExecContext(
            pid: 500, callingThread: 502, threads: [500, 501, 502], dispositions: [SignalDisposition](repeating: .default, count: 64),
            processPending: Signal.bit(Signal.usr1), robustList: 0x7000_1000, clearChildTID: 0x7000_2000)
        let transition = ExecTransition(execing: before, isVforkChild: false)
        #expect(transition.threadsToKill == [500, 501])
        #expect(transition.after.threads == [500] && transition.after.callingThread == 500)
        #expect(transition.after.processPending == Signal.bit(Signal.usr1))
        #expect(transition.robustListToRelease == 0x7000_1000 && transition.clearChildTIDToWake == 0)
        #expect(transition.after.robustList == 0 && transition.after.clearChildTID == 0)
        #expect(!transition.releasesVforkParent)
        // A vfork child shares its parent's memory: its clear_child_tid is woken, the parent released.
        let vfork = ExecTransition(execing: before, isVforkChild: true)
        #expect(vfork.clearChildTIDToWake == 0x7000_2000 && vfork.releasesVforkParent)
    }
}

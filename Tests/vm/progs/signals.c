// SPDX-License-Identifier: GPL-2.0
/*
 * signals - signal handlers as Linux runs them, one subcommand per behaviour,
 * for 86-signals, which runs each natively and on the LWK and compares the
 * output and the exit status.  Nothing printed depends on where it runs (no
 * addresses, pids or times): values are printed as comparisons.
 *
 *   frame      the rt_sigframe: siginfo, ucontext, uc_sigmask, FP state and its
 *              magics, registers, selectors; FP state back after the handler
 *   registers  SIGSEGV whose handler moves RIP past the fault: every register
 *              (and an XMM one) is back after rt_sigreturn
 *   faults     SIGSEGV (MAPERR, ACCERR), SIGFPE, SIGILL, SIGTRAP (int3),
 *              handlers that siglongjmp out or return
 *   altstack   sigaltstack, SA_ONSTACK, a stack overflow onto the alternate stack
 *   flags      SA_RESETHAND, SA_NODEFER, sa_mask, SA_SIGINFO off
 *   mask       blocked signals pending, sigpending, delivery on unblock
 *   self       kill, tkill, tgkill to itself: SI_USER / SI_TKILL
 *   timedwait  rt_sigtimedwait: pending, timeout (EAGAIN), SIGALRM from alarm
 *   alarm      alarm + pause
 *   restart    read of an empty pipe cut by SIGALRM: SA_RESTART restarts it,
 *              without it EINTR
 *   suspend    sigsuspend until SIGUSR1 from outside (prints "ready" first)
 *   stop       job control: stopped by SIGTSTP, continued by SIGCONT (whose
 *              handler runs), ended by SIGUSR1, all from outside
 *   in-group PROGRAM ARGS   exec PROGRAM in a process group of its own
 *   bad-*      hostile: the program must die by SIGSEGV (status 139)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jump;
static volatile int handled, depth, max_depth, calls;

static void on(int sig, void (*handler)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL)) {
		perror("sigaction");
		exit(2);
	}
}

static int blocked_now(int sig)
{
	sigset_t now;

	sigprocmask(SIG_SETMASK, NULL, &now);
	return sigismember(&now, sig);
}

/* ---- frame ---- */

static unsigned int mxcsr_get(void)
{
	unsigned int v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void mxcsr_set(unsigned int v) { __asm__ volatile("ldmxcsr %0" :: "m"(v)); }

/* sigcontext's oldmask (glibc's mcontext_t calls it __reserved1) holds the first word of uc_sigmask */
static int oldmask_matches(ucontext_t *uc)
{
	uint64_t oldmask, first;

	memcpy(&oldmask, (char *)&uc->uc_mcontext + 168, 8);
	memcpy(&first, &uc->uc_sigmask, 8);
	return oldmask == first;
}

static void frame_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	struct _fpstate *fp = (struct _fpstate *)uc->uc_mcontext.fpregs;
	unsigned char *bytes = (unsigned char *)fp;
	uint32_t magic1, extended, xstate;
	uint64_t xfeatures, xstate_bv;
	printf("frame: signal %d, si_signo %d, si_code %d, si_pid is mine %d, si_uid is mine %d\n", sig,
	       si->si_signo, si->si_code, si->si_pid == getpid(), si->si_uid == getuid());
	printf("frame: uc_flags %#lx, uc_link %p, uc_stack flags %d\n", (unsigned long)uc->uc_flags,
	       (void *)uc->uc_link, uc->uc_stack.ss_flags);
	printf("frame: uc_sigmask has SIGUSR2 %d, SIGUSR1 %d; mask in handler has SIGUSR1 %d\n",
	       sigismember(&uc->uc_sigmask, SIGUSR2), sigismember(&uc->uc_sigmask, SIGUSR1), blocked_now(SIGUSR1));
	printf("frame: cs %#llx, ss %#llx, oldmask is uc_sigmask %d\n",
	       (unsigned long long)(uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff),
	       (unsigned long long)((uc->uc_mcontext.gregs[REG_CSGSFS] >> 48) & 0xffff),
	       oldmask_matches(uc));
	printf("frame: info at rsi inside the frame %d, uc past info %d\n",
	       (char *)si > (char *)uc, (char *)si - (char *)uc == 304);
	printf("frame: fpstate set %d, 64-byte aligned %d, above the frame %d\n", fp != NULL,
	       ((uintptr_t)fp & 63) == 0, (char *)fp > (char *)si);
	printf("frame: saved mxcsr %#x, handler's mxcsr %#x\n", fp->mxcsr, mxcsr_get());
	memcpy(&magic1, bytes + 464, 4);
	memcpy(&extended, bytes + 468, 4);
	memcpy(&xfeatures, bytes + 472, 8);
	memcpy(&xstate, bytes + 480, 4);
	if (magic1 == 0x46505853U) {
		uint32_t magic2;

		memcpy(&magic2, bytes + xstate, 4);
		memcpy(&xstate_bv, bytes + 512, 8);
		printf("frame: xsave magic1 ok, extended size is xstate size + 4 %d, magic2 ok %d, x87+SSE present %d, xfeatures has them %d\n",
		       extended == xstate + 4, magic2 == 0x46505845U, (xstate_bv & 3) == 3, (xfeatures & 3) == 3);
	} else {
		printf("frame: fxsave layout (no xsave magic)\n");
	}
	mxcsr_set(0x1f80 | 0x6000);	/* the handler's own change must not survive */
	handled++;
}

static int t_frame(void)
{
	sigset_t set;

	on(SIGUSR1, frame_handler, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	mxcsr_set(0x1f80 | 0x2000);	/* round down: the program's own FP state */
	kill(getpid(), SIGUSR1);
	printf("frame: handled %d; after: mxcsr %#x, SIGUSR1 blocked %d, SIGUSR2 blocked %d\n", handled, mxcsr_get(),
	       blocked_now(SIGUSR1), blocked_now(SIGUSR2));
	return 0;
}

/* ---- registers ---- */

uint64_t probe_regs[17];
extern char probe_fault[], probe_after[];
void regs_probe(void);
__asm__(
	".text\n.globl regs_probe\nregs_probe:\n"
	"push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
	"mov $0x1001, %rax\nmov $0x1002, %rbx\nmov $0x1003, %rcx\nmov $0x1004, %rdx\n"
	"mov $0x1005, %rsi\nmov $0x1006, %rdi\nmov $0x1007, %rbp\nmov $0x1008, %r8\n"
	"mov $0x1009, %r9\nmov $0x100a, %r10\nmov $0x100b, %r11\nmov $0x100c, %r12\n"
	"mov $0x100d, %r13\nmov $0x100e, %r14\nmov $0x100f, %r15\n"
	"movq %r15, %xmm5\n"
	".globl probe_fault\nprobe_fault:\n"
	"movq 0x10, %r11\n"
	".globl probe_after\nprobe_after:\n"
	"mov %rax, probe_regs+0(%rip)\nmov %rbx, probe_regs+8(%rip)\nmov %rcx, probe_regs+16(%rip)\n"
	"mov %rdx, probe_regs+24(%rip)\nmov %rsi, probe_regs+32(%rip)\nmov %rdi, probe_regs+40(%rip)\n"
	"mov %rbp, probe_regs+48(%rip)\nmov %r8, probe_regs+56(%rip)\nmov %r9, probe_regs+64(%rip)\n"
	"mov %r10, probe_regs+72(%rip)\nmov %r11, probe_regs+80(%rip)\nmov %r12, probe_regs+88(%rip)\n"
	"mov %r13, probe_regs+96(%rip)\nmov %r14, probe_regs+104(%rip)\nmov %r15, probe_regs+112(%rip)\n"
	"movq %xmm5, %rax\nmov %rax, probe_regs+120(%rip)\n"
	"pushf\npop %rax\nmov %rax, probe_regs+128(%rip)\n"
	"pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

static void registers_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	volatile double clobber = 1.5;
	int saved_ok = g[REG_RAX] == 0x1001 && g[REG_RBX] == 0x1002 && g[REG_RCX] == 0x1003 && g[REG_RDX] == 0x1004 &&
		       g[REG_RSI] == 0x1005 && g[REG_RDI] == 0x1006 && g[REG_RBP] == 0x1007 && g[REG_R8] == 0x1008 &&
		       g[REG_R9] == 0x1009 && g[REG_R10] == 0x100a && g[REG_R11] == 0x100b && g[REG_R12] == 0x100c &&
		       g[REG_R13] == 0x100d && g[REG_R14] == 0x100e && g[REG_R15] == 0x100f;

	printf("registers: signal %d code %d addr %#lx, rip at the fault %d, trapno %lld err %lld cr2 %#llx, saved ok %d\n",
	       sig, si->si_code, (unsigned long)si->si_addr, g[REG_RIP] == (greg_t)probe_fault,
	       (long long)g[REG_TRAPNO], (long long)g[REG_ERR], (unsigned long long)g[REG_CR2], saved_ok);
	clobber = clobber * 3.25;	/* the handler uses XMM registers too */
	g[REG_RIP] = (greg_t)probe_after;
	handled++;
}

static int t_registers(void)
{
	on(SIGSEGV, registers_handler, 0);
	regs_probe();
	int ok = 1;
	for (int i = 0; i < 15; i++)
		ok &= probe_regs[i] == (uint64_t)(0x1001 + i);
	printf("registers: handled %d, all 15 back %d, xmm5 back %d, DF clear %d\n", handled, ok,
	       probe_regs[15] == 0x100f, !(probe_regs[16] & 0x400));
	return 0;
}

/* ---- faults ---- */

static void jump_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	printf("faults: signal %d, si_code %d, trapno %lld, handled with SIG blocked %d\n", sig, si->si_code,
	       (long long)uc->uc_mcontext.gregs[REG_TRAPNO], blocked_now(sig));
	siglongjmp(jump, 1);
}

static void trap_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	printf("faults: SIGTRAP %d, si_code %#x, trapno %lld, rip after int3 %d\n", sig, si->si_code,
	       (long long)uc->uc_mcontext.gregs[REG_TRAPNO], *((unsigned char *)uc->uc_mcontext.gregs[REG_RIP] - 1) == 0xcc);
}

static volatile uintptr_t unmapped = 0x10;

static int t_faults(void)
{
	volatile int zero = 0;
	volatile int *ro;

	on(SIGSEGV, jump_handler, 0);
	on(SIGFPE, jump_handler, 0);
	on(SIGILL, jump_handler, 0);
	on(SIGTRAP, trap_handler, 0);
	if (!sigsetjmp(jump, 1))
		*(volatile int *)(uintptr_t)unmapped = 1;
	printf("faults: after SIGSEGV (unmapped), SIGSEGV blocked %d\n", blocked_now(SIGSEGV));
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sigsetjmp(jump, 1))
		*ro = 1;
	printf("faults: after SIGSEGV (read-only)\n");
	if (!sigsetjmp(jump, 1))
		printf("%d\n", 1 / zero);
	printf("faults: after SIGFPE\n");
	if (!sigsetjmp(jump, 1))
		__asm__ volatile("ud2");
	printf("faults: after SIGILL\n");
	__asm__ volatile("int3");
	printf("faults: after SIGTRAP\n");
	return 0;
}

/* ---- altstack ---- */

static char *alt_base;
static size_t alt_size = 64 * 1024;

static void alt_handler(int sig, siginfo_t *si, void *ctx)
{
	stack_t now;
	char here;

	(void)ctx;
	sigaltstack(NULL, &now);
	printf("altstack: signal %d code %d, on the alternate stack %d, sigaltstack says SS_ONSTACK %d\n", sig,
	       si->si_code, &here > alt_base && &here <= alt_base + alt_size, now.ss_flags == SS_ONSTACK);
	siglongjmp(jump, 1);
}

static volatile long sink;

static long recurse(long n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	sink += pad[0];
	if (sink == -1)	/* never: keeps the compiler from calling it endless */
		return 0;
	return recurse(n + 1) + pad[0];
}

static ucontext_t main_ctx, deep_ctx;

static void deep(void)
{
	if (!sigsetjmp(jump, 1))
		recurse(0);
	printf("altstack: back from the overflow\n");
	swapcontext(&deep_ctx, &main_ctx);
}

static int t_altstack(void)
{
	stack_t ss, old;
	char *stack;
	size_t stack_size = 256 * 1024;

	sigaltstack(NULL, &old);
	printf("altstack: initially flags %d size %zu\n", old.ss_flags, old.ss_size);
	alt_base = malloc(alt_size);
	ss.ss_sp = alt_base;
	ss.ss_size = 1000;
	ss.ss_flags = 0;
	int r = sigaltstack(&ss, NULL);
	printf("altstack: too small: %d %s\n", r, strerror(errno));
	ss.ss_size = alt_size;
	ss.ss_flags = 7;
	r = sigaltstack(&ss, NULL);
	printf("altstack: bad flags: %d %s\n", r, strerror(errno));
	ss.ss_flags = 0;
	printf("altstack: set: %d\n", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	printf("altstack: now flags %d, same base %d, size %zu\n", old.ss_flags, old.ss_sp == alt_base, old.ss_size);
	on(SIGSEGV, alt_handler, SA_ONSTACK);
	/* a stack of our own with a guard page below it, to overflow */
	stack = mmap(NULL, stack_size + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(stack, 4096, PROT_NONE);
	getcontext(&deep_ctx);
	deep_ctx.uc_stack.ss_sp = stack + 4096;
	deep_ctx.uc_stack.ss_size = stack_size;
	deep_ctx.uc_link = &main_ctx;
	makecontext(&deep_ctx, deep, 0);
	swapcontext(&main_ctx, &deep_ctx);
	sigaltstack(NULL, &old);
	printf("altstack: after: flags %d\n", old.ss_flags);
	ss.ss_flags = SS_DISABLE;
	printf("altstack: disable: %d\n", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	printf("altstack: disabled flags %d\n", old.ss_flags);
	return 0;
}

/* ---- flags ---- */

static void plain_handler(int sig)
{
	printf("flags: plain handler %d, depth %d, SIGUSR2 blocked %d\n", sig, depth, blocked_now(SIGUSR2));
}

static void nodefer_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	(void)ctx;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	printf("flags: handler %d at depth %d, own signal blocked %d\n", sig, depth, blocked_now(sig));
	if (++calls < 3)
		raise(sig);
	depth--;
}

static int t_flags(void)
{
	struct sigaction sa, got;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plain_handler;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &got);
	printf("flags: after SA_RESETHAND: default %d, flags keep RESETHAND %d\n", got.sa_handler == SIG_DFL,
	       (got.sa_flags & SA_RESETHAND) != 0);
	on(SIGUSR1, nodefer_handler, SA_NODEFER);
	raise(SIGUSR1);
	printf("flags: SA_NODEFER nested to depth %d\n", max_depth);
	max_depth = 0;
	calls = 0;
	on(SIGUSR1, nodefer_handler, 0);
	raise(SIGUSR1);
	printf("flags: without SA_NODEFER depth %d, %d calls one after the other\n", max_depth, calls);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0x00000400;	/* SA_UNSUPPORTED: cleared by the kernel */
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGUSR2, NULL, &got);
	printf("flags: unknown flag kept %d\n", (got.sa_flags & 0x400) != 0);
	return 0;
}

/* ---- mask ---- */

static void note_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	printf("mask: handler %d code %d\n", sig, si->si_code);
	handled++;
}

static int t_mask(void)
{
	sigset_t set, pending;

	on(SIGUSR1, note_handler, 0);
	on(SIGUSR2, note_handler, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	sigpending(&pending);
	printf("mask: blocked, pending USR1 %d USR2 %d TERM %d, handled %d\n", sigismember(&pending, SIGUSR1),
	       sigismember(&pending, SIGUSR2), sigismember(&pending, SIGTERM), handled);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sigpending(&pending);
	printf("mask: unblocked, handled %d (a standard signal is not queued twice), pending USR1 %d\n", handled,
	       sigismember(&pending, SIGUSR1));
	return 0;
}

/* ---- self ---- */

static void self_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	printf("self: signal %d si_code %d, si_pid is mine %d, si_uid is mine %d\n", sig, si->si_code,
	       si->si_pid == getpid(), si->si_uid == getuid());
}

static int t_self(void)
{
	on(SIGUSR1, self_handler, 0);
	on(SIGRTMIN + 2, self_handler, 0);
	printf("self: kill -> %d\n", kill(getpid(), SIGUSR1));
	printf("self: tkill -> %ld\n", syscall(SYS_tkill, getpid(), SIGUSR1));
	printf("self: tgkill -> %ld\n", syscall(SYS_tgkill, getpid(), getpid(), SIGRTMIN + 2));
	printf("self: kill 0 (exists) -> %d\n", kill(getpid(), 0));
	errno = 0;
	int r = kill(getpid(), 65);
	printf("self: kill 65 -> %d %s\n", r, strerror(errno));
	return 0;
}

/* ---- timedwait ---- */

static int t_timedwait(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 }, short_wait = { 0, 100 * 1000 * 1000 }, long_wait = { 10, 0 };
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	memset(&si, 0, sizeof(si));
	r = sigtimedwait(&set, &si, &zero);
	printf("timedwait: pending -> %d, si_signo %d si_code %d\n", r, si.si_signo, si.si_code);
	errno = 0;
	r = sigtimedwait(&set, &si, &short_wait);
	printf("timedwait: nothing -> %d %s\n", r, strerror(errno));
	alarm(1);
	memset(&si, 0, sizeof(si));
	r = sigtimedwait(&set, &si, &long_wait);
	printf("timedwait: alarm -> %d, si_signo %d si_code %#x\n", r, si.si_signo, si.si_code);
	return 0;
}

/* ---- alarm ---- */

/* who sent SIGALRM (SI_KERNEL natively) does not reach the LWK: not printed */
static void alarm_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	printf("alarm: handler %d, si_signo %d\n", sig, si->si_signo);
	handled++;
}

static int t_alarm(void)
{
	int r;

	on(SIGALRM, alarm_handler, 0);
	alarm(1);
	r = pause();
	printf("alarm: pause -> %d %s, handled %d\n", r, strerror(errno), handled);
	return 0;
}

/* ---- restart ---- */

static int pipe_fds[2];

static void write_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	(void)ctx;
	printf("restart: handler %d writes a byte\n", sig);
	if (write(pipe_fds[1], "x", 1) != 1)
		printf("restart: write failed\n");
}

static int t_restart(void)
{
	char c = 0;
	ssize_t r;

	if (pipe(pipe_fds))
		return 2;
	on(SIGALRM, write_handler, SA_RESTART);
	alarm(1);
	r = read(pipe_fds[0], &c, 1);
	printf("restart: SA_RESTART read -> %zd '%c'\n", r, r == 1 ? c : '-');
	on(SIGALRM, write_handler, 0);
	alarm(1);
	errno = 0;
	r = read(pipe_fds[0], &c, 1);
	printf("restart: no SA_RESTART read -> %zd %s\n", r, strerror(errno));
	r = read(pipe_fds[0], &c, 1);
	printf("restart: the byte is still there -> %zd '%c'\n", r, r == 1 ? c : '-');
	on(SIGUSR2, write_handler, SA_RESTART);
	raise(SIGUSR2);
	r = read(pipe_fds[0], &c, 1);
	printf("restart: after a handled self-signal read -> %zd '%c'\n", r, r == 1 ? c : '-');
	return 0;
}

/* ---- suspend ---- */

static int t_suspend(void)
{
	sigset_t set, empty, now;
	int r;

	on(SIGUSR1, note_handler, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&empty);
	printf("ready\n");
	fflush(stdout);
	r = sigsuspend(&empty);
	sigprocmask(SIG_SETMASK, NULL, &now);
	printf("suspend: -> %d %s, handled %d, SIGUSR1 blocked again %d\n", r, strerror(errno), handled,
	       sigismember(&now, SIGUSR1));
	return 0;
}

/* ---- stop ---- */

static volatile int got_usr1;

static void stop_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	(void)ctx;
	printf("stop: handler %d\n", sig);
	if (sig == SIGUSR1)
		got_usr1 = 1;
}

/* Stopped by SIGTSTP (the shell checks), continued by SIGCONT (its handler runs), ended by SIGUSR1. */
static int t_stop(void)
{
	sigset_t set, empty;
	int wakes = 0;

	on(SIGUSR1, stop_handler, 0);
	on(SIGCONT, stop_handler, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCONT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&empty);
	printf("ready\n");
	fflush(stdout);
	while (!got_usr1) {
		sigsuspend(&empty);
		wakes++;
	}
	printf("stop: woken %d times\n", wakes);
	return 0;
}

/* in-group PROGRAM ARGS: exec it in a process group of its own, in the shell's
 * session (not orphaned: a terminal stop signal stops it, as a job's). */
static int in_group(char **argv)
{
	if (setpgid(0, 0))
		perror("setpgid");
	execvp(argv[0], argv);
	perror("execvp");
	return 127;
}

/* ---- hostile ---- */

static void fix_cs_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_CSGSFS] = (uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffLL) | 0x08;
}

/*
 * An XSAVE header XRSTOR refuses (XCOMP_BV with the compacted-form bit, which
 * the standard-form XRSTOR Linux uses faults on); without the XSAVE magic, an
 * MXCSR with reserved bits.  (QEMU's TCG does not check MXCSR's reserved bits
 * in XRSTOR, so that case would go on natively in the test guest.)
 */
static void bad_fp_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
	uint32_t magic1;
	uint64_t compacted = (1ULL << 63) | 3;

	(void)sig;
	(void)si;
	memcpy(&magic1, fp + 464, 4);
	if (magic1 == 0x46505853U)
		memcpy(fp + 520, &compacted, 8);
	else
		uc->uc_mcontext.fpregs->mxcsr = 0xffff0000;
}

static void bad_rip_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x0000800000000000ULL;
}

static void never(int sig) { printf("bad: FAILED: handler %d ran\n", sig); }

static int t_bad(const char *how)
{
	struct sigaction sa;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("bad: %s\n", how);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (!strcmp(how, "bad-handler-kernel") || !strcmp(how, "bad-handler-noncanonical")) {
		sa.sa_handler = (void (*)(int))(how[12] == 'k' ? 0xffff800000001000ULL : 0x0000800000001000ULL);
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
	} else if (!strcmp(how, "bad-stack")) {
		sa.sa_handler = never;
		sigaction(SIGILL, &sa, NULL);
		__asm__ volatile("mov $0x1000, %rsp\nud2");
	} else if (!strcmp(how, "bad-sigreturn-cs")) {
		on(SIGUSR1, fix_cs_handler, 0);
		raise(SIGUSR1);
	} else if (!strcmp(how, "bad-sigreturn-fp")) {
		on(SIGUSR1, bad_fp_handler, 0);
		raise(SIGUSR1);
	} else if (!strcmp(how, "bad-sigreturn-rip")) {
		on(SIGUSR1, bad_rip_handler, 0);
		raise(SIGUSR1);
	} else if (!strcmp(how, "bad-sigreturn-garbage")) {
		static uint64_t garbage[512] __attribute__((aligned(64)));

		memset(garbage, 0xff, sizeof(garbage));
		__asm__ volatile("lea 8+%0, %%rsp\nmov $15, %%eax\nsyscall" :: "m"(garbage[0]) : "memory");
	} else {
		return 2;
	}
	printf("bad: FAILED: still running\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "frame"))
		return t_frame();
	if (!strcmp(c, "registers"))
		return t_registers();
	if (!strcmp(c, "faults"))
		return t_faults();
	if (!strcmp(c, "altstack"))
		return t_altstack();
	if (!strcmp(c, "flags"))
		return t_flags();
	if (!strcmp(c, "mask"))
		return t_mask();
	if (!strcmp(c, "self"))
		return t_self();
	if (!strcmp(c, "timedwait"))
		return t_timedwait();
	if (!strcmp(c, "alarm"))
		return t_alarm();
	if (!strcmp(c, "restart"))
		return t_restart();
	if (!strcmp(c, "suspend"))
		return t_suspend();
	if (!strcmp(c, "stop"))
		return t_stop();
	if (!strcmp(c, "in-group") && argc > 2)
		return in_group(argv + 2);
	if (!strncmp(c, "bad-", 4))
		return t_bad(c);
	fprintf(stderr, "usage: signals frame|registers|faults|altstack|flags|mask|self|timedwait|alarm|restart|suspend|bad-*\n");
	return 2;
}

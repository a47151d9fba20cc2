// SPDX-License-Identifier: GPL-2.0
/*
 * hostile - what an ordinary program may do to its kernel, run natively and
 * on the LWK by Tests/vm/scenarios/81-lwk-hostile.sh, which compares the
 * output and exit status of both runs (lines starting with "pid" masked).
 * Linux survives every one of these; so must the LWK, with the same answers.
 *
 * usage: hostile nt|tf|tfsyscall|storm MIB|numbers|args|as UID COMMAND...
 *   nt         EFLAGS.NT set, then a system call and exit: the next program on
 *              the CPU must still run (scenario 81 runs one after it)
 *   tf         EFLAGS.TF set: a single-step trap, SIGTRAP
 *   tfsyscall  EFLAGS.TF set right before a system call
 *   storm MIB  mprotect of every other page of MIB MiB: one mapping per page
 *   numbers    system call numbers as Linux reads them: the low 32 bits, x32
 *   args       every system call the LWK serves itself, with kernel-half,
 *              non-canonical and unmapped pointers, lengths that overflow and
 *              ranges that wrap: each result printed
 *   as         runs COMMAND as UID (group UID, no supplementary groups) with
 *              the signal dispositions it has (busybox's setpriv cannot)
 */
#include <grp.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "raw_syscall.h"

#define PAGE 4096ul


#define sys(nr, ...) sys_(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sys_(nr, a, b, c, d, e, f, ...) sys6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* A result as both sides can print it: errors by number, values as "ok". */
static void show(const char *what, long r)
{
	if (r < 0 && r >= -4095)
		printf("%s = -%ld\n", what, -r);
	else
		printf("%s = ok\n", what);
}

static void flags_or(unsigned long bits)
{
	__asm__ volatile("pushfq; orq %0, (%%rsp); popfq" :: "r"(bits) : "memory", "cc");
}

static int t_nt(void)
{
	flags_or(0x4000);	/* NT */
	printf("pid %ld\n", sys(SYS_getpid, 0));
	printf("nt: set, a system call made, exiting with it set\n");
	return 0;
}

static int t_tf(void)
{
	fflush(stdout);
	flags_or(0x100);	/* TF: a trap after the next instruction */
	__asm__ volatile("nop; nop");
	printf("tf: FAILED: no single-step trap\n");
	return 1;
}

static int t_tfsyscall(void)
{
	long ret;

	fflush(stdout);
	__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; syscall"
			 : "=a"(ret) : "a"((long)SYS_getpid) : "rcx", "r11", "memory", "cc");
	printf("tfsyscall: FAILED: no single-step trap (%ld)\n", ret);
	return 1;
}

/*
 * Every other page of MIB MiB made read-only: one mapping per page, 16384
 * for 128 MiB (Linux allows 65530, vm.max_map_count).  The pages keep their
 * data, and the whole range unmaps in one call.
 */
static int t_storm(const char *mib)
{
	size_t n = (size_t)atoi(mib) << 20, pages = n / PAGE, i, failed = 0;
	unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long first = 0;

	if (p == MAP_FAILED) {
		printf("storm: mmap of %s MiB failed\n", mib);
		return 1;
	}
	for (i = 0; i < pages; i++)
		p[i * PAGE] = (unsigned char)i;
	for (i = 0; i < pages; i += 2) {
		long r = sys(SYS_mprotect, p + i * PAGE, PAGE, PROT_READ);

		if (r && !failed++)
			first = r;
	}
	printf("storm: %zu calls, %zu failed (first %ld)\n", pages / 2, failed, first);
	for (i = 1; i < pages; i += 2)
		p[i * PAGE] ^= 0xff;
	for (i = 0; i < pages; i++)
		if (p[i * PAGE] != (unsigned char)(i & 1 ? ~i : i)) {
			printf("storm: FAILED: page %zu lost its data\n", i);
			return 1;
		}
	printf("storm: every page kept its data\n");
	show("storm: munmap of the whole range", sys(SYS_munmap, p, n));
	return 0;
}

/*
 * Linux reads the number as the low 32 bits of rax: mmap + 2^32 is mmap.
 * Numbers with the x32 bit (1 << 30) are x32 calls, which Debian's kernels
 * refuse (ENOSYS), and so must the LWK.
 */
static int t_numbers(void)
{
	long high = 1l << 32, x32 = 1l << 30;
	long p = sys(SYS_mmap + high, 0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	show("mmap + 2^32", p);
	if (p > 0) {
		((char *)p)[0] = 1;
		show("mprotect + 2^32", sys(SYS_mprotect + high, p, PAGE, PROT_READ));
		show("madvise + 2^32", sys(SYS_madvise + high, p + PAGE, PAGE, MADV_DONTNEED));
		show("munmap + 2^32", sys(SYS_munmap + high, p, 2 * PAGE));
	}
	printf("pid %ld\n", sys(SYS_getpid + high, 0));
	show("brk(0) + 2^32", sys(SYS_brk + high, 0));
	show("x32 getpid", sys(SYS_getpid | x32, 0));
	show("x32 mmap", sys(SYS_mmap | x32, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	show("x32 write", sys(SYS_write | x32, 1, "x32 write ran\n", 14));
	show("number 0xffffffff", sys(0xffffffffl, 0));
	show("number 2^32 - 2", sys(0xfffffffel, 0));
	show("number 0x7fffffff", sys(0x7fffffffl, 0));
	show("number 1000", sys(1000, 0));
	show("write + 2^32", sys(SYS_write + high, 1, "write + 2^32 ran\n", 17));
	fflush(stdout);
	sys(SYS_exit_group + (7l << 32), 3);
	printf("FAILED: exit_group + 2^32 returned\n");
	return 1;
}

/* ---- args: hostile arguments to the calls the LWK serves itself ---- */

static const unsigned long kernel_half = 0xffff800000000000ul;	/* Linux's direct map */
static const unsigned long vsyscall = 0xffffffffff600000ul;
static const unsigned long noncanonical = 0x8000000000000000ul;
static const unsigned long above_user = 0x0000800000000000ul;	/* first non-canonical */
static const unsigned long last_user_page = 0x00007ffffffff000ul;
static const unsigned long far_user = 0x0000100000000000ul;	/* 16 TiB: unmapped */

struct pointer { const char *name; unsigned long value; };

static struct pointer bad_pointers[] = {
	{ "NULL+8", 8 },
	{ "below mmap_min_addr", 0x1000 },
	{ "kernel half", kernel_half },
	{ "vsyscall page", vsyscall },
	{ "top of memory", 0xfffffffffffffff8ul },
	{ "non-canonical", noncanonical },
	{ "first non-canonical", above_user },
	{ "last user page", last_user_page },
	{ "16 TiB", far_user },
	{ NULL, 0 },
};

static unsigned char *page_pair;	/* a read-write page, then an unmapped one */
static unsigned char *readonly_page;

/* `fn` called with each of bad_pointers but `except` (0: none) */
static void each_bad_pointer(const char *call, long (*fn)(unsigned long), unsigned long except)
{
	char what[160];

	for (struct pointer *p = bad_pointers; p->name; p++) {
		if (except && p->value == except)
			continue;
		snprintf(what, sizeof(what), "%s(%s)", call, p->name);
		show(what, fn(p->value));
	}
}

/* The bad pointers but `except`, a straddling, a read-only and a good one */
static void with_pointers_except(const char *call, long (*fn)(unsigned long), unsigned long except)
{
	char what[160];

	each_bad_pointer(call, fn, except);
	snprintf(what, sizeof(what), "%s(straddling the end of a mapping)", call);
	show(what, fn((unsigned long)page_pair + PAGE - 8));
	snprintf(what, sizeof(what), "%s(a read-only page)", call);
	show(what, fn((unsigned long)readonly_page));
	snprintf(what, sizeof(what), "%s(a good pointer)", call);
	show(what, fn((unsigned long)page_pair));
}

static void with_pointers(const char *call, long (*fn)(unsigned long))
{
	with_pointers_except(call, fn, 0);
}

static char *guarded_page;	/* followed by a PROT_NONE page */

/* The bad pointers alone, for calls that a good one would let wait or create something */
static void with_bad_pointers(const char *call, long (*fn)(unsigned long))
{
	char what[160];

	each_bad_pointer(call, fn, 0);
	/*
	 * 4 bytes before a PROT_NONE page: even an 8-byte set straddles it.  Not
	 * page_pair's hole: by now another mapping may fill it, and a readable
	 * mask would let rt_sigsuspend wait for ever.
	 */
	snprintf(what, sizeof(what), "%s(straddling the end of a mapping)", call);
	show(what, fn((unsigned long)guarded_page + PAGE - 4));
}

static long clock_to(unsigned long p) { return sys(SYS_clock_gettime, CLOCK_MONOTONIC, p); }
static long realtime_to(unsigned long p) { return sys(SYS_clock_gettime, CLOCK_REALTIME, p); }
static long timeofday_to(unsigned long p) { return sys(SYS_gettimeofday, p, 0); }
static long timezone_to(unsigned long p) { return sys(SYS_gettimeofday, 0, p); }
static long sigaction_from(unsigned long p) { return sys(SYS_rt_sigaction, SIGUSR1, p, 0, 8); }
static long sigaction_to(unsigned long p) { return sys(SYS_rt_sigaction, SIGUSR1, 0, p, 8); }
static long sigmask_from(unsigned long p) { return sys(SYS_rt_sigprocmask, SIG_BLOCK, p, 0, 8); }
static long sigmask_to(unsigned long p) { return sys(SYS_rt_sigprocmask, SIG_BLOCK, 0, p, 8); }
static long fs_to(unsigned long p) { return sys(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, p); }

/*
 * Ranges with what they must not be used for: COVERS_US reaches the
 * program's own memory (a discard there would zero its stack, on Linux as
 * on the LWK); LWK_GAP is user space on Linux that the LWK's unified range
 * (up to 16 TiB) does not have, so a mapping there succeeds only natively.
 */
enum { COVERS_US = 1, LWK_GAP = 2 };

struct range { const char *name; unsigned long start, length; int not_for; };

static struct range bad_ranges[] = {
	{ "zero length", 0x10000000, 0, 0 },
	{ "unaligned", 0x10000001, PAGE, 0 },
	{ "below mmap_min_addr", 0x1000, PAGE, 0 },
	{ "page 0", 0, PAGE, 0 },
	{ "length ~0", 0x10000000, ~0ul, 0 },
	{ "length ~0 - 4095", 0x10000000, ~0ul - 4095, 0 },
	{ "length 2^63", 0x10000000, 1ul << 63, COVERS_US },
	{ "length 2^47", 0x10000000, 1ul << 47, COVERS_US },
	{ "wrapping", 0xfffffffffffff000ul, 2 * PAGE, 0 },
	{ "kernel half", kernel_half, PAGE, 0 },
	{ "vsyscall page", vsyscall, PAGE, 0 },
	{ "non-canonical", noncanonical, PAGE, 0 },
	{ "first non-canonical", above_user, PAGE, 0 },
	{ "across the user end", last_user_page, 2 * PAGE, 0 },
	{ "last user page", last_user_page, PAGE, 0 },
	{ "16 TiB", far_user, PAGE, LWK_GAP },
	{ "all of user space", 0, above_user, COVERS_US },
	{ NULL, 0, 0, 0 },
};

static void with_ranges(const char *call, long (*fn)(unsigned long, unsigned long), int skip)
{
	char what[160];

	for (struct range *r = bad_ranges; r->name; r++) {
		if (r->not_for & skip)
			continue;
		snprintf(what, sizeof(what), "%s(%s)", call, r->name);
		show(what, fn(r->start, r->length));
	}
}

static long do_munmap(unsigned long a, unsigned long n) { return sys(SYS_munmap, a, n); }
static long do_mprotect(unsigned long a, unsigned long n) { return sys(SYS_mprotect, a, n, PROT_READ); }
static long do_madvise(unsigned long a, unsigned long n) { return sys(SYS_madvise, a, n, MADV_DONTNEED); }
static long do_willneed(unsigned long a, unsigned long n) { return sys(SYS_madvise, a, n, MADV_WILLNEED); }
/* a growth: the old range must be one mapping, the new length one Linux takes */
static long do_mremap(unsigned long a, unsigned long n) { return sys(SYS_mremap, a, n, n + PAGE, 1 /* MREMAP_MAYMOVE */, 0); }

static long do_mmap_fixed(unsigned long a, unsigned long n)
{
	return sys(SYS_mmap, a, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static long do_mmap_noreplace(unsigned long a, unsigned long n)
{
	return sys(SYS_mmap, a, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
}

/* A hint is only a hint: where it cannot be, the mapping goes elsewhere. */
static long do_mmap_hint(unsigned long a, unsigned long n)
{
	long r = sys(SYS_mmap, a, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r > 0 && (unsigned long)r < last_user_page)
		sys(SYS_munmap, r, n);
	return r;
}

static void t_memory_args(void)
{
	unsigned long base = 0x10000000;	/* 256 MiB: nothing of ours */
	char what[160];

	/* brk: a refused request leaves the break where it was */
	long start = sys(SYS_brk, 0);
	unsigned long brks[] = { 1, kernel_half, noncanonical, above_user, last_user_page, ~0ul - 4095, ~0ul, 0x1000 };
	for (unsigned i = 0; i < sizeof(brks) / sizeof(brks[0]); i++) {
		snprintf(what, sizeof(what), "brk(%#lx) keeps the break", brks[i]);
		printf("%s: %s\n", what, sys(SYS_brk, brks[i]) == start ? "yes" : "no");
	}

	with_ranges("munmap", do_munmap, 0);
	with_ranges("mprotect", do_mprotect, 0);
	with_ranges("madvise(DONTNEED)", do_madvise, COVERS_US);
	with_ranges("madvise(WILLNEED)", do_willneed, 0);
	with_ranges("mremap", do_mremap, 0);
	with_ranges("mmap(MAP_FIXED)", do_mmap_fixed, LWK_GAP);
	with_ranges("mmap(MAP_FIXED_NOREPLACE)", do_mmap_noreplace, LWK_GAP);
	with_ranges("mmap(hint)", do_mmap_hint, 0);

	/* protections and flags beyond the known ones */
	long p = sys(SYS_mmap, base, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	show("mmap at 256 MiB", p);
	show("mprotect(PROT_SEM)", sys(SYS_mprotect, base, PAGE, PROT_READ | 0x8));
	show("mprotect(prot 0x10)", sys(SYS_mprotect, base, PAGE, 0x10));
	show("mprotect(prot 2^32 + 1)", sys(SYS_mprotect, base, PAGE, (1l << 32) | 1));
	show("mprotect(GROWSDOWN | GROWSUP)", sys(SYS_mprotect, base, PAGE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));
	show("mprotect(GROWSDOWN)", sys(SYS_mprotect, base, PAGE, PROT_READ | PROT_GROWSDOWN));
	show("mprotect(GROWSDOWN) unmapped", sys(SYS_mprotect, base + 8 * PAGE, PAGE, PROT_READ | PROT_GROWSDOWN));
	show("mprotect over a hole", sys(SYS_mprotect, base, 8 * PAGE, PROT_READ));
	show("madvise(advice -1)", sys(SYS_madvise, base, PAGE, -1));
	show("madvise(advice 2^32 + DONTNEED)", sys(SYS_madvise, base, PAGE, (1l << 32) | MADV_DONTNEED));
	show("madvise(advice 2^32)", sys(SYS_madvise, base, PAGE, 1l << 32));
	show("madvise(length -1 from the end)", sys(SYS_madvise, base, -PAGE, MADV_DONTNEED));
	show("mmap(length 0)", sys(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	show("mmap(length ~0)", sys(SYS_mmap, 0, ~0ul, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	show("mmap(length 2^47)", sys(SYS_mmap, 0, 1ul << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	show("mmap(offset 1)", sys(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1));
	show("mmap(offset ~0 & ~4095)", sys(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, ~0ul & ~4095ul));
	show("mmap(no type)", sys(SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0));
	show("mmap(prot 0x8)", sys(SYS_mmap, base + 8 * PAGE, PAGE, PROT_READ | 0x8, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	show("mmap(MAP_FIXED unaligned)", sys(SYS_mmap, base + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	show("munmap at 256 MiB", sys(SYS_munmap, base, 16 * PAGE));
}

static void t_signal_args(void)
{
	char what[160];
	long sigs[] = { 0, -1, 65, 64, 1l << 32 | SIGUSR2, SIGKILL, SIGSTOP };
	unsigned long sizes[] = { 0, 4, 16, ~0ul, 1ul << 32 | 8 };
	unsigned long action[4] = { (unsigned long)SIG_IGN, 0, 0, ~0ul };
	unsigned long old[4], mask = ~0ul;

	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		snprintf(what, sizeof(what), "rt_sigaction(%#lx, SIG_IGN)", (unsigned long)sigs[i]);
		show(what, sys(SYS_rt_sigaction, sigs[i], action, 0, 8));
		snprintf(what, sizeof(what), "rt_sigaction(%#lx, read only)", (unsigned long)sigs[i]);
		show(what, sys(SYS_rt_sigaction, sigs[i], 0, old, 8));
		snprintf(what, sizeof(what), "rt_sigaction(%#lx, kernel-half action)", (unsigned long)sigs[i]);
		show(what, sys(SYS_rt_sigaction, sigs[i], kernel_half, 0, 8));
	}
	show("rt_sigaction(SIGUSR2) read back", sys(SYS_rt_sigaction, SIGUSR2, 0, old, 8));
	printf("rt_sigaction(SIGUSR2) mask read back: %#lx\n", old[3]);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(what, sizeof(what), "rt_sigaction(size %#lx)", sizes[i]);
		show(what, sys(SYS_rt_sigaction, SIGUSR1, 0, old, sizes[i]));
		snprintf(what, sizeof(what), "rt_sigprocmask(size %#lx)", sizes[i]);
		show(what, sys(SYS_rt_sigprocmask, SIG_BLOCK, 0, old, sizes[i]));
	}
	for (long how = -1; how <= 3; how++) {
		snprintf(what, sizeof(what), "rt_sigprocmask(how %ld)", how);
		show(what, sys(SYS_rt_sigprocmask, how, &mask, 0, 8));
		snprintf(what, sizeof(what), "rt_sigprocmask(how %ld, no set)", how);
		show(what, sys(SYS_rt_sigprocmask, how, 0, old, 8));
	}
	/* the set applies before the old one is written: EFAULT, mask changed */
	unsigned long usr1 = 1ul << (SIGUSR1 - 1);
	show("rt_sigprocmask(SIG_SETMASK, kernel-half old)", sys(SYS_rt_sigprocmask, SIG_SETMASK, &usr1, kernel_half, 8));
	sys(SYS_rt_sigprocmask, SIG_BLOCK, 0, old, 8);
	printf("rt_sigprocmask: mask after: %#lx\n", old[0]);
	show("rt_sigprocmask(SIG_SETMASK, all)", sys(SYS_rt_sigprocmask, SIG_SETMASK, &mask, old, 8));
	sys(SYS_rt_sigprocmask, SIG_BLOCK, 0, old, 8);
	printf("rt_sigprocmask: all blocked but KILL and STOP: %#lx\n", old[0]);
	mask = 0;
	sys(SYS_rt_sigprocmask, SIG_SETMASK, &mask, 0, 8);
	with_pointers("rt_sigaction(act)", sigaction_from);
	with_pointers("rt_sigaction(oldact)", sigaction_to);
	with_pointers("rt_sigprocmask(set)", sigmask_from);
	with_pointers("rt_sigprocmask(oldset)", sigmask_to);
	sys(SYS_rt_sigprocmask, SIG_SETMASK, &mask, 0, 8);
}

/*
 * The calls threads and processes added (issue 12's and 13's): futex with
 * hostile words, timeouts and second words; clone3 with a hostile struct;
 * the signal waits with hostile sets, infos and timeouts.  Each fails before
 * it could wait or create anything, natively as on the LWK.
 */
static long futex_wait_at(unsigned long p) { return sys(SYS_futex, p, FUTEX_WAIT_PRIVATE, 1, 0); }
static long futex_timeout_at(unsigned long p)
{
	static uint32_t word;	/* 0, as the call expects: only the timeout fails */

	return sys(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, p);
}
static long futex_requeue_to(unsigned long p)
{
	static uint32_t word = 5;

	return sys(SYS_futex, &word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, p, 5);
}
static long futex_wake_op_on(unsigned long p)
{
	static uint32_t word;

	return sys(SYS_futex, &word, FUTEX_WAKE_OP_PRIVATE, 1, 1, p, FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
}
static long clone3_from(unsigned long p) { return sys(SYS_clone3, p, 88); }
static long sigtimedwait_set(unsigned long p)
{
	static const struct timespec now;	/* an empty set must not wait */

	return sys(SYS_rt_sigtimedwait, p, 0, &now, 8);
}
static long sigtimedwait_timeout(unsigned long p)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	return sys(SYS_rt_sigtimedwait, &set, 0, p, 8);
}
static long sigsuspend_mask(unsigned long p) { return sys(SYS_rt_sigsuspend, p, 8); }

static int t_process_args(void)
{
	static uint32_t word;
	uint64_t args[11] = { 0 };

	guarded_page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guarded_page == MAP_FAILED || mprotect(guarded_page + PAGE, PAGE, PROT_NONE)) {
		printf("process args: FAILED: setting up\n");
		return 1;
	}
	/* a good or read-only timeout, timespec or set is all zeros: nothing waits */
	memset(page_pair, 0, PAGE);
	with_pointers("futex(WAIT, uaddr)", futex_wait_at);
	with_pointers("futex(WAIT, timeout)", futex_timeout_at);
	/*
	 * Linux itself disagrees about a private requeue target in the last user
	 * page, which is never mapped: 6.1's access_ok checks the word's end
	 * (EFAULT), 6.12's only its start (no fault).
	 */
	with_pointers_except("futex(CMP_REQUEUE, uaddr2)", futex_requeue_to, last_user_page);
	with_pointers("futex(WAKE_OP, uaddr2)", futex_wake_op_on);
	memset(page_pair, 0, PAGE);	/* WAKE_OP wrote its 1s */
	show("futex(WAKE, kernel half)", sys(SYS_futex, kernel_half, FUTEX_WAKE_PRIVATE, 1));
	show("futex(WAKE, non-canonical)", sys(SYS_futex, noncanonical, FUTEX_WAKE_PRIVATE, 1));
	show("futex(WAIT, misaligned)", sys(SYS_futex, (unsigned long)page_pair + 1, FUTEX_WAIT_PRIVATE, 0, 0));
	show("futex(WAKE, misaligned)", sys(SYS_futex, (unsigned long)page_pair + 2, FUTEX_WAKE_PRIVATE, 1));
	show("futex(WAIT, other value)", sys(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, 0));
	show("futex(WAIT_BITSET, bitset 0)", sys(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 0, 0, 0));
	show("futex(WAKE_BITSET, bitset 0)", sys(SYS_futex, &word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, 0, 0));
	show("futex(op 99)", sys(SYS_futex, &word, 99 | FUTEX_PRIVATE_FLAG, 0, 0));
	show("futex(op 2^32 + WAKE)", sys(SYS_futex, &word, 1l << 32 | FUTEX_WAKE_PRIVATE, 1));
	show("futex(CMP_REQUEUE, other value)", sys(SYS_futex, &word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &word, 7));
	show("futex(CMP_REQUEUE, negative count)", sys(SYS_futex, &word, FUTEX_CMP_REQUEUE_PRIVATE, 1, -1l, &word, 0));

	with_bad_pointers("clone3(args)", clone3_from);
	show("clone3(size 0)", sys(SYS_clone3, args, 0));
	show("clone3(size 63)", sys(SYS_clone3, args, 63));
	show("clone3(size 2 pages)", sys(SYS_clone3, args, 2 * PAGE));
	show("clone3(size 2^32 + 88)", sys(SYS_clone3, args, 1l << 32 | 88));
	args[0] = CLONE_THREAD;	/* without CLONE_SIGHAND */
	show("clone3(CLONE_THREAD alone)", sys(SYS_clone3, args, 88));
	args[0] = 0;
	args[4] = 65;	/* exit_signal beyond the signals */
	show("clone3(exit_signal 65)", sys(SYS_clone3, args, 88));
	args[4] = SIGCHLD;
	args[0] = 1ul << 63;	/* no such flag */
	show("clone3(flag bit 63)", sys(SYS_clone3, args, 88));

	with_pointers("rt_sigtimedwait(set)", sigtimedwait_set);
	with_pointers("rt_sigtimedwait(timeout)", sigtimedwait_timeout);
	show("rt_sigtimedwait(sigsetsize 4)", sys(SYS_rt_sigtimedwait, page_pair, 0, 0, 4));
	with_bad_pointers("rt_sigsuspend(mask)", sigsuspend_mask);
	show("rt_sigsuspend(sigsetsize 16)", sys(SYS_rt_sigsuspend, page_pair, 16));
	return 0;
}

static int t_args(void)
{
	char what[160];

	page_pair = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	readonly_page = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page_pair == MAP_FAILED || readonly_page == MAP_FAILED || munmap(page_pair + PAGE, PAGE)) {
		printf("args: FAILED: setting up\n");
		return 1;
	}
	with_pointers("clock_gettime(MONOTONIC)", clock_to);
	with_pointers("clock_gettime(REALTIME)", realtime_to);
	long clocks[] = { -1, 12, 100, 1l << 32 | CLOCK_MONOTONIC, 1l << 32 };
	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		snprintf(what, sizeof(what), "clock_gettime(clock %#lx)", (unsigned long)clocks[i]);
		show(what, sys(SYS_clock_gettime, clocks[i], page_pair));
	}
	with_pointers("gettimeofday(tv)", timeofday_to);
	with_pointers("gettimeofday(tz)", timezone_to);
	t_signal_args();
	t_memory_args();

	unsigned long fs = 0;
	sys(SYS_arch_prctl, 0x1003, &fs);
	unsigned long bases[] = { kernel_half, noncanonical, above_user, last_user_page, last_user_page - 1, far_user };
	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		long r = sys(SYS_arch_prctl, 0x1002, bases[i]);

		sys(SYS_arch_prctl, 0x1002, fs);	/* glibc's TLS again, before printing */
		snprintf(what, sizeof(what), "arch_prctl(ARCH_SET_FS, %#lx)", bases[i]);
		show(what, r);
	}
	with_pointers("arch_prctl(ARCH_GET_FS)", fs_to);
	show("arch_prctl(0)", sys(SYS_arch_prctl, 0, 0));
	show("arch_prctl(2^32 + ARCH_GET_FS)", sys(SYS_arch_prctl, 1l << 32 | 0x1003, page_pair));
	show("set_robust_list(kernel half, 24)", sys(SYS_set_robust_list, kernel_half, 24));
	show("set_robust_list(NULL, ~0)", sys(SYS_set_robust_list, 0, ~0ul));
	show("set_robust_list(NULL, 2^32 + 24)", sys(SYS_set_robust_list, 0, 1ul << 32 | 24));
	show("set_tid_address(kernel half)", sys(SYS_set_tid_address, kernel_half));
	show("sched_yield(junk)", sys(SYS_sched_yield, kernel_half, noncanonical, ~0ul));
	if (t_process_args())
		return 1;
	printf("args: done\n");
	return 0;
}

static int run_as(char **argv)
{
	uid_t uid = (uid_t)atoi(argv[0]);

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("hostile as: dropping privileges");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "nt"))
		return t_nt();
	if (!strcmp(c, "tf"))
		return t_tf();
	if (!strcmp(c, "tfsyscall"))
		return t_tfsyscall();
	if (!strcmp(c, "storm") && argc > 2)
		return t_storm(argv[2]);
	if (!strcmp(c, "numbers"))
		return t_numbers();
	if (!strcmp(c, "args"))
		return t_args();
	if (!strcmp(c, "as") && argc > 3)
		return run_as(argv + 2);
	fprintf(stderr, "usage: hostile nt|tf|tfsyscall|storm MIB|numbers|args|as UID COMMAND...\n");
	return 2;
}

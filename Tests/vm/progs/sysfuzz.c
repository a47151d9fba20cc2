// SPDX-License-Identifier: GPL-2.0
/*
 * sysfuzz - random system calls with hostile arguments, run as a program on
 * the LWK (Tests/vm/scenarios/82-lwk-sysfuzz.sh).  Seeded and bounded:
 *
 *   sysfuzz SEED CALLS REPORT
 *
 * Most calls go to what the LWK serves itself (memory, signals, clocks,
 * arch_prctl...), the rest are random numbers: offloaded calls, unknown
 * numbers, x32 numbers, numbers above 2^32.  Arguments come from a menu of
 * hostile values: kernel-half, non-canonical and unmapped addresses, the
 * LWK's own window, lengths that overflow, ranges that wrap or overlap the
 * program's scratch arena, every signal number.
 *
 * What it must not do is destroy itself or the guest, so:
 * - memory calls aim at the arena (4 MiB at 4 TiB, with unmapped margins) or
 *   at hostile addresses, never at the program's own code, data or stack;
 *   brk only grows from where it started, and goes back;
 * - the thread pointer is put back right after every ARCH_SET_FS;
 * - a signal it sends itself is first unblocked and ignored;
 * - offloaded calls that block, end or reshape the proxy (mcexec), or damage
 *   the guest even as an unprivileged user, are never made (`denied`); the
 *   scenario runs it as uid 65534 in an empty directory, stdin /dev/null,
 *   with a file size limit and SIGXFSZ ignored;
 * - pointers handed to offloaded calls never point at mcexec's own range
 *   (16 TiB up to 128 TiB): what mcexec does with those is mcexec's
 *   business, checked on its side.
 * No libc after the start: raw system calls only (TLS may be gone
 * between two calls), and the report goes to the file REPORT through a
 * descriptor far from the ones the random calls reach.  It ends with exit(0) and a line
 * "sysfuzz: seed S, N calls (...)", so any other end is a failure.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../../kmod/mcos_abi.h"
#include "raw_syscall.h"

#define PAGE		4096ul
#define ARENA		0x40000000000ul		/* 4 TiB: nothing else near */
#define ARENA_BYTES	(4ul << 20)
#define MARGIN		(1ul << 20)		/* unmapped on both sides */
#define REPORT_FD	900


/* ---- output without libc ---- */

static char line[256];
static unsigned line_len;

static void put(const char *s)
{
	while (*s && line_len < sizeof(line) - 1)
		line[line_len++] = *s++;
}

static void put_number(unsigned long v)
{
	char digits[24];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n && line_len < sizeof(line) - 1)
		line[line_len++] = digits[--n];
}

static void flush_line(void)
{
	line[line_len++] = '\n';
	sys6(SYS_write, REPORT_FD, (long)line, line_len, 0, 0, 0);
	line_len = 0;
}

/* ---- randomness ---- */

static uint64_t state;

static uint64_t next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ull;
}

static uint64_t below(uint64_t n) { return n ? next() % n : 0; }
static int chance(unsigned percent) { return below(100) < percent; }

/* ---- hostile values ---- */

static uint64_t any_address(int offloaded)
{
	static const uint64_t fixed[] = {
		0, 8, 0x1000, 0xfff8,
		0xffff800000000000ull,		/* Linux's direct map */
		0xffffffff81000000ull,		/* Linux's text */
		0xffffffffff600000ull,		/* vsyscall */
		0xfffffffffffffff8ull,
		0x8000000000000000ull,		/* non-canonical */
		0x0000800000000000ull,
		0x00007ffffffff000ull,
		MCOS_LWK_BASE,			/* the LWK's own image (its window) */
		MCOS_LWK_PHYS_MAP,		/* the LWK's physical map */
		MCOS_USER_END - 4096,		/* just under the user end */
		MCOS_USER_END,			/* the user end */
	};

	switch (below(8)) {
	case 0: case 1: case 2:
		return ARENA - MARGIN + below(ARENA_BYTES + 2 * MARGIN);	/* arena and margins */
	case 3:
		return ARENA + below(ARENA_BYTES / PAGE) * PAGE - below(16);	/* page edges */
	case 4: {
		uint64_t a = fixed[below(sizeof(fixed) / sizeof(fixed[0]))] + below(0x2000);
		/* mcexec's range is its own business (see the top) */
		if (offloaded && a >= MCOS_USER_END && a < 0x0000800000000000ull)
			a = ARENA;
		return a;
	}
	case 5:
		return 0x10000 + below(0x300000);	/* low, unmapped (the program is at 4 MiB) */
	case 6:
		return next() | 0x8000000000000000ull;	/* kernel half or non-canonical */
	default:
		return offloaded ? next() & 0xffffffffull : next();
	}
}

static uint64_t any_length(void)
{
	static const uint64_t fixed[] = {
		0, 1, 7, 8, 4095, 4096, 4097, 8192, ARENA_BYTES, ARENA_BYTES + PAGE,
		~0ull, ~0ull - 4095, 1ull << 47, 1ull << 63, 0x7ffffffff000ull, 1ull << 32,
	};

	switch (below(4)) {
	case 0: return fixed[below(sizeof(fixed) / sizeof(fixed[0]))];
	case 1: return below(16) * PAGE;
	case 2: return below(ARENA_BYTES + 2 * MARGIN);
	default: return next() >> below(64);
	}
}

static uint64_t any_value(int offloaded)
{
	switch (below(6)) {
	case 0: return below(8);			/* descriptors, small flags */
	case 1: return (uint64_t)-1 - below(2);
	case 2: return any_address(offloaded);
	case 3: return any_length();
	case 4: return next() & 0xffffffffull;
	default: return offloaded ? next() & 0x7fffffffffffull & ~0x700000000000ull : next();
	}
}

/* An arena range, page-aligned or not, possibly over its edges. */
static void arena_range(uint64_t *start, uint64_t *length)
{
	uint64_t first = ARENA - MARGIN + below((ARENA_BYTES + 2 * MARGIN) / PAGE) * PAGE;

	*start = chance(90) ? first : first + below(PAGE);
	*length = chance(80) ? (1 + below(64)) * PAGE : any_length();
	if (chance(5)) {
		/* bit 44 set: at 16 TiB or above, in the kernel half or non-canonical */
		*start = (any_address(0) | 0x100000000000ull) & ~(PAGE - 1);
		*length = any_length();
		return;
	}
	/* never reach beyond the margins: that is the program's own memory */
	if (*start >= ARENA - MARGIN && *start < ARENA + ARENA_BYTES + MARGIN &&
	    (*length > ARENA + ARENA_BYTES + MARGIN - *start))
		*length = ARENA + ARENA_BYTES + MARGIN - *start;
}

/* ---- what may be called ---- */

/*
 * Offloaded calls never made: they end or block the program or its proxy,
 * signal or trace processes, change the proxy's own memory, limits or
 * namespaces, or change the guest beyond what uid 65534 may in an empty
 * directory (unlinking, renaming, FIFOs, filling tmpfs, SysV and POSIX IPC,
 * keys).  Most would fail as uid 65534 anyway; they are out because a
 * failure here must mean a bug, not a lucky argument.
 */
static const int denied[] = {
	7, 23, 34, 35, 37, 38, 22, 41, 42, 43, 53, 60, 61, 62, 65, 69, 70, 73, 82, 84, 87,
	29, 30, 31, 64, 66, 67, 68, 71, 220,		/* SysV IPC */
	101, 109, 112, 128, 129, 130, 133, 135, 151, 152, 153, 154, 155, 157, 160, 161,
	163, 165, 166, 167, 168, 169, 172, 173, 175, 176, 200, 202, 206, 208, 213, 216,
	222, 223, 230, 231, 232, 234, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250,
	253, 259, 263, 264, 270, 271, 272, 281, 282, 283, 284, 285, 286, 288, 289, 290,
	291, 293, 294, 297, 298, 299, 300, 302, 308, 310, 311, 313, 316, 317, 319, 320,
	321, 323, 325, 329, 330, 331, 333, 424, 425, 426, 428, 429, 430, 431, 432, 433,
	434, 435, 436, 438, 440, 441, 442, 444, 445, 446, 447, 448, 449, 453, 454, 455,
	456, 460, 462,
	216,						/* remap_file_pages */
	335,						/* uretprobe (6.11+): SIGILL outside a probe */
	56, 57, 58, 59, 322, 435,			/* clone, fork, vfork, execve, execveat, clone3 */
	/* served by the LWK: made by fuzz_local, with arguments that spare the program */
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_brk, SYS_mremap, SYS_arch_prctl,
	SYS_rt_sigreturn, SYS_exit, SYS_exit_group,
};

static int is_denied(uint32_t nr)
{
	for (unsigned i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if ((uint32_t)denied[i] == nr)
			return 1;
	return 0;
}

/* What the LWK serves itself, and how often each is tried (weights). */
enum {
	C_MMAP, C_MUNMAP, C_MPROTECT, C_MADVISE, C_BRK, C_SIGACTION, C_SIGPROCMASK,
	C_CLOCK, C_TIMEOFDAY, C_ARCH_PRCTL, C_ROBUST, C_TID, C_MREMAP, C_RSEQ,
	C_SELF_SIGNAL, C_TRIVIAL, C_LOCAL_COUNT,
};
static const unsigned weights[C_LOCAL_COUNT] = {
	12, 8, 12, 8, 5, 8, 8, 5, 3, 4, 2, 2, 3, 2, 6, 2,
};

static uint64_t initial_brk, thread_pointer;
static unsigned long counts[3];		/* local, offloaded, numbers */

static long call(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
	return sys6(nr, (long)a, (long)b, (long)c, (long)d, (long)e, (long)f);
}

static uint64_t any_signal(void)
{
	return chance(90) ? below(66) : any_value(0);
}

static void fuzz_local(void)
{
	unsigned total = 0, pick;
	uint64_t a, n;
	long r;

	for (int i = 0; i < C_LOCAL_COUNT; i++)
		total += weights[i];
	pick = (unsigned)below(total);
	int which = 0;
	while (pick >= weights[which])
		pick -= weights[which++];
	counts[0]++;

	switch (which) {
	case C_MMAP: {
		static const uint64_t flag_bits[] = {
			MAP_PRIVATE, MAP_SHARED, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE,
			MAP_NORESERVE, MAP_GROWSDOWN, MAP_STACK, MAP_HUGETLB, 0x40,
			1ull << 40,
		};
		uint64_t flags = chance(70) ? MAP_PRIVATE | MAP_ANONYMOUS : 0;
		for (int i = 0; i < 3; i++)
			if (chance(40))
				flags |= flag_bits[below(sizeof(flag_bits) / sizeof(flag_bits[0]))];
		arena_range(&a, &n);
		if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && chance(50))
			a = any_address(0);
		if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && chance(30))
			n = chance(50) ? any_length() : (1 + below(32)) * PAGE;
		if (n > (64ul << 20) && n < (1ul << 40))
			n = PAGE;	/* a big mapping that succeeds only costs time */
		r = call(SYS_mmap, a, n, chance(80) ? below(8) : any_value(0), flags,
			 chance(80) ? (uint64_t)-1 : any_value(0), chance(90) ? 0 : any_value(0));
		/* keep only what lies in the arena: the rest would pile up */
		if (r > 0 && ((uint64_t)r < ARENA - MARGIN || (uint64_t)r >= ARENA + ARENA_BYTES + MARGIN))
			call(SYS_munmap, r, n, 0, 0, 0, 0);
		break;
	}
	case C_MUNMAP:
		arena_range(&a, &n);
		call(SYS_munmap, a, n, 0, 0, 0, 0);
		break;
	case C_MPROTECT:
		arena_range(&a, &n);
		call(SYS_mprotect, a, n, chance(85) ? below(8) : any_value(0), 0, 0, 0);
		break;
	case C_MADVISE:
		arena_range(&a, &n);
		call(SYS_madvise, a, n, chance(80) ? below(30) : any_value(0), 0, 0, 0);
		break;
	case C_BRK:
		switch (below(3)) {
		case 0: a = initial_brk + below(64) * PAGE + below(PAGE); break;
		case 1: a = any_address(0) | 0x100000000000ull; break;	/* never below the start */
		default: a = below(0x400000);			/* below the program: refused */
		}
		call(SYS_brk, a, 0, 0, 0, 0, 0);
		call(SYS_brk, initial_brk, 0, 0, 0, 0, 0);
		break;
	case C_SIGACTION:
		call(SYS_rt_sigaction, any_signal(), chance(50) ? any_address(0) : 0,
		     chance(50) ? any_address(0) : 0, chance(90) ? 8 : any_value(0), 0, 0);
		break;
	case C_SIGPROCMASK:
		call(SYS_rt_sigprocmask, chance(80) ? below(4) : any_value(0),
		     chance(60) ? any_address(0) : 0, chance(50) ? any_address(0) : 0,
		     chance(90) ? 8 : any_value(0), 0, 0);
		break;
	case C_CLOCK:
		call(SYS_clock_gettime, chance(70) ? below(16) : any_value(0), any_address(0), 0, 0, 0, 0);
		break;
	case C_TIMEOFDAY:
		call(SYS_gettimeofday, chance(70) ? any_address(0) : 0, chance(50) ? any_address(0) : 0, 0, 0, 0, 0);
		break;
	case C_ARCH_PRCTL:
		switch (below(3)) {
		case 0:
			call(SYS_arch_prctl, 0x1002, any_value(0), 0, 0, 0, 0);
			call(SYS_arch_prctl, 0x1002, thread_pointer, 0, 0, 0, 0);
			break;
		case 1:
			call(SYS_arch_prctl, 0x1003, any_address(0), 0, 0, 0, 0);
			break;
		default:
			a = chance(50) ? 0x1000 + below(0x40) : any_value(0);
			if ((uint32_t)a == 0x1002 || (uint32_t)a == 0x1001)	/* FS or GS: set above */
				a = 0x1003;
			call(SYS_arch_prctl, a, any_address(0), 0, 0, 0, 0);
		}
		break;
	case C_ROBUST:
		call(SYS_set_robust_list, any_address(0), chance(50) ? 24 : any_value(0), 0, 0, 0, 0);
		break;
	case C_TID:
		call(SYS_set_tid_address, any_address(0), 0, 0, 0, 0, 0);
		break;
	case C_MREMAP:
		arena_range(&a, &n);
		call(SYS_mremap, a, n, any_length(), below(8), any_address(0), 0);
		break;
	case C_RSEQ:
		call(SYS_rseq, any_address(0), any_value(0), any_value(0), any_value(0), 0, 0);
		break;
	case C_SELF_SIGNAL: {
		uint64_t sig = below(66), ignore[4] = { 1 /* SIG_IGN */, 0, 0, 0 };
		uint64_t bit = sig >= 1 && sig <= 64 ? 1ull << (sig - 1) : 0;
		long pid = call(SYS_getpid, 0, 0, 0, 0, 0, 0);

		if (sig == 9 || sig == 19)	/* SIGKILL ends it, SIGSTOP cannot be ignored */
			break;
		call(SYS_rt_sigaction, sig, (uint64_t)ignore, 0, 8, 0, 0);
		call(SYS_rt_sigprocmask, 1 /* SIG_UNBLOCK */, (uint64_t)&bit, 0, 8, 0, 0);
		if (chance(50))
			call(SYS_kill, pid, sig, 0, 0, 0, 0);
		else
			call(SYS_tgkill, pid, pid, sig, 0, 0, 0);
		break;
	}
	default:
		call(chance(50) ? SYS_getpid : chance(50) ? SYS_gettid : SYS_sched_yield,
		     any_value(0), any_value(0), any_value(0), 0, 0, 0);
	}
}

static void fuzz_offloaded(void)
{
	uint32_t nr;

	do
		nr = (uint32_t)below(464);
	while (is_denied(nr));
	counts[1]++;
	call(nr, any_value(1), any_value(1), any_value(1), any_value(1), any_value(1), any_value(1));
}

/*
 * Numbers as Linux reads them: the low 32 bits; x32 ones (bit 30) are
 * ENOSYS.  One whose low half is denied becomes a call of fuzz_local.
 */
static void fuzz_number(void)
{
	uint64_t nr;
	uint32_t low;

	switch (below(4)) {
	case 0: nr = next(); break;
	case 1: nr = (1ull << 30) | below(600); break;		/* x32 */
	case 2: nr = (next() << 32) | below(464); break;	/* above 2^32 */
	default: nr = 464 + below(1u << 20); break;		/* unknown */
	}
	low = (uint32_t)nr;
	if (is_denied(low)) {
		fuzz_local();
		return;
	}
	counts[2]++;
	call((long)nr, any_value(1), any_value(1), any_value(1), any_value(1), any_value(1), any_value(1));
}

/* The arena read-write again, with strings some calls may take as paths. */
static void refresh_arena(void)
{
	static const char *const strings[] = {
		"scratch", ".", "..", "/", "/dev/null", "/proc/uptime", "sub", "",
	};
	char *p = (char *)ARENA;

	call(SYS_mmap, ARENA, ARENA_BYTES, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1, 0);
	for (unsigned i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		char *at = p + i * PAGE + PAGE - 64;

		for (const char *s = strings[i]; (*at++ = *s); s++)
			;
	}
}

/* Every signal number through both calls, once, before the random part. */
static void every_signal(void)
{
	uint64_t old[4], ignore[4] = { 1, 0, 0, 0 }, all = ~0ull, none = 0;

	for (uint64_t sig = 0; sig <= 70; sig++) {
		call(SYS_rt_sigaction, sig, 0, (uint64_t)old, 8, 0, 0);
		call(SYS_rt_sigaction, sig, (uint64_t)ignore, 0, 8, 0, 0);
		call(SYS_rt_sigaction, sig, 0xffff800000000000ull, 0xffff800000000000ull, 8, 0, 0);
		call(SYS_rt_sigprocmask, 0, (uint64_t)&all, (uint64_t)old, 8, 0, 0);
		call(SYS_rt_sigprocmask, 2, (uint64_t)&none, 0, 8, 0, 0);
		counts[0] += 5;
	}
}

int main(int argc, char **argv)
{
	unsigned long calls, i;

	if (argc < 4) {
		static const char usage[] = "usage: sysfuzz SEED CALLS REPORT\n";
		write(2, usage, sizeof(usage) - 1);
		return 2;
	}
	state = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull | 1;
	calls = strtoul(argv[2], NULL, 0);
	int report = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (report < 0 || dup2(report, REPORT_FD) != REPORT_FD || close(report) ||
	    open("/dev/null", O_RDWR) < 0 || open("scratch", O_CREAT | O_RDWR, 0600) < 0)
		return 3;
	initial_brk = (uint64_t)call(SYS_brk, 0, 0, 0, 0, 0, 0);
	call(SYS_arch_prctl, 0x1003, (uint64_t)&thread_pointer, 0, 0, 0, 0);
	if (call(SYS_mmap, ARENA, ARENA_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0) != (long)ARENA)
		return 4;
	refresh_arena();
	every_signal();

	for (i = 0; i < calls; i++) {
		if (i % 1000 == 0)
			refresh_arena();
		if (i % 20000 == 0) {
			put("sysfuzz: ");
			put_number(i);
			put(" calls");
			flush_line();
		}
		unsigned kind = (unsigned)below(100);
		if (kind < 65)
			fuzz_local();
		else if (kind < 90)
			fuzz_offloaded();
		else
			fuzz_number();
	}
	put("sysfuzz: seed ");
	put(argv[1]);
	put(", ");
	put_number(counts[0] + counts[1] + counts[2]);
	put(" calls (");
	put_number(counts[0]);
	put(" served by the kernel itself on the LWK, ");
	put_number(counts[1]);
	put(" offloaded, ");
	put_number(counts[2]);
	put(" other numbers)");
	flush_line();
	sys6(SYS_exit_group, 0, 0, 0, 0, 0, 0);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * lwkprog - small checks a static program makes of its kernel, run natively
 * and through mcexec on the LWK by Tests/vm/scenarios/77-mcexec.sh, which
 * compares the output and exit status of both runs.  Everything printed
 * must be the same on both sides except the lines starting with "pid"
 * (the pid of the run differs).
 *
 * usage: lwkprog write|read|open DIR|stat PATH|getpid|brk|mmap|clock|
 *                remap|mremap|madvise|signals|alloc MIB|bigread FILE|exit42|
 *                segv|spin|args ...|peek ADDRESS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static uint64_t sum(const unsigned char *p, size_t n, uint64_t h)
{
	while (n--)
		h = (h ^ *p++) * 1099511628211ull;	/* FNV-1a */
	return h;
}

static int fail(const char *what)
{
	printf("FAILED %s: %s\n", what, strerror(errno));
	return 1;
}

static int t_write(void)
{
	static const char msg[] = "hello from write(2)\n";

	if (write(1, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		return fail("write");
	return 0;
}

/* Reads fd to its end in len-byte calls; prints "<what> N bytes, fnv H". */
static int hash_to_end(int fd, unsigned char *buf, size_t len, const char *what)
{
	uint64_t h = 1469598103934665603ull, total = 0;
	ssize_t got;

	while ((got = read(fd, buf, len)) > 0) {
		h = sum(buf, got, h);
		total += got;
	}
	if (got < 0)
		return fail("read");
	printf("%s %llu bytes, fnv %016llx\n", what, (unsigned long long)total, (unsigned long long)h);
	return 0;
}

static int t_read(void)
{
	unsigned char buf[4096];

	return hash_to_end(0, buf, sizeof(buf), "read");
}

static int t_open(const char *dir)
{
	char path[256], buf[64] = { 0 };
	int fd;

	snprintf(path, sizeof(path), "%s/lwkprog-open.txt", dir);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return fail("open for writing");
	if (write(fd, "written by lwkprog\n", 19) != 19)
		return fail("write");
	if (close(fd))
		return fail("close");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("open for reading");
	if (read(fd, buf, sizeof(buf) - 1) != 19)
		return fail("read back");
	close(fd);
	printf("read back: %s", buf);
	if (open("/nonexistent/x", O_RDONLY) >= 0 || errno != ENOENT)
		return fail("ENOENT expected");
	printf("missing file: %s\n", strerror(errno));
	if (close(12345) == 0 || errno != EBADF)
		return fail("EBADF expected");
	printf("bad fd: %s\n", strerror(errno));
	return unlink(path) ? fail("unlink") : 0;
}

static int t_stat(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return fail("stat");
	printf("%s: mode %o size %lld nlink %lu uid %u\n", path, st.st_mode,
	       (long long)st.st_size, (unsigned long)st.st_nlink, st.st_uid);
	return 0;
}

static int t_getpid(void)
{
	pid_t a = getpid(), b = (pid_t)syscall(SYS_getpid);

	printf("pid %d\n", (int)a);
	printf("getpid stable: %s\n", a == b && a > 0 ? "yes" : "no");
	printf("uid %u gid %u\n", getuid(), getgid());
	return 0;
}

static int t_brk(void)
{
	char *start = sbrk(0), *p;
	size_t i, n = 8u << 20;

	p = sbrk(n);
	if (p == (void *)-1)
		return fail("sbrk");
	for (i = 0; i < n; i += 4096)
		p[i] = (char)i;
	for (i = 0; i < n; i += 4096)
		if (p[i] != (char)i)
			return fail("brk memory");
	if (sbrk(-(long)n) == (void *)-1 || sbrk(0) != start)
		return fail("sbrk shrink");
	p = malloc(1 << 20);
	memset(p, 7, 1 << 20);
	free(p);
	printf("brk: grew 8 MiB, touched, shrank back\n");
	return 0;
}

static int t_mmap(void)
{
	size_t n = 16u << 20, i;
	unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail("mmap");
	for (i = 0; i < n; i += 4096)
		if (p[i])
			return fail("not zero");
	memset(p, 0x5a, n);
	printf("mmap: 16 MiB zeroed, fnv %016llx\n",
	       (unsigned long long)sum(p, n, 1469598103934665603ull));
	if (mprotect(p, 4096, PROT_READ))
		return fail("mprotect");
	if (munmap(p, n))
		return fail("munmap");
	printf("mmap: unmapped\n");
	return 0;
}

/*
 * Memory Linux reads and writes for the program (offloaded write/read)
 * while the program maps, unmaps and re-protects it: Linux must see the
 * current page each time, and a read-only page must refuse (EFAULT).
 */
static int t_remap(void)
{
	char line[16];
	int i, fd[2];

	for (i = 0; i < 4; i++) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return fail("mmap");
		memset(p, 'a' + i, 8);
		p[8] = '\n';
		if (write(1, p, 9) != 9)	/* Linux reads the program's page */
			return fail("write");
		if (munmap(p, 1 << 20))
			return fail("munmap");
	}
	if (pipe(fd))
		return fail("pipe");
	char *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return fail("mmap");
	write(fd[1], "into-rw", 7);
	if (read(fd[0], q, 7) != 7)	/* Linux writes the program's page */
		return fail("read into a writable page");
	snprintf(line, sizeof(line), "%.7s", q);
	printf("read into a writable page: %s\n", line);
	if (mprotect(q, 4096, PROT_READ))
		return fail("mprotect");
	write(fd[1], "into-ro", 7);
	if (read(fd[0], q, 7) >= 0 || errno != EFAULT)
		return fail("EFAULT expected for a read-only page");
	printf("read into a read-only page: %s\n", strerror(errno));
	printf("the page still holds: %.7s\n", q);
	return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static const char *result(int r)
{
	return r ? strerror(errno) : "ok";
}

/* Whether [p, p + n) is mapped, as msync says (ENOMEM for a hole). */
static const char *mapped(void *p, size_t n)
{
	return msync(p, n, MS_ASYNC) ? (errno == ENOMEM ? "no" : strerror(errno)) : "yes";
}

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i / 4096 + i % 251);
}

static const char *holds(const unsigned char *p, size_t n, unsigned char seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i / 4096 + i % 251))
			return "no";
	return "yes";
}

/*
 * mremap and msync: a mapping shrinks, grows in place when the space after it
 * is free (and only then without MREMAP_MAYMOVE), moves with its bytes to a
 * free place or a fixed one (replacing what was there), leaves zeroed pages
 * behind with MREMAP_DONTUNMAP; Linux reads the moved pages for it; realloc
 * of a large block keeps its bytes; Linux's errors for bad flags, holes and
 * overlaps.  msync of a mapped range succeeds, of a hole is ENOMEM.
 */
static int t_mremap(void)
{
	size_t page = 4096;
	unsigned char *p, *q, *r, back[4096];
	int fd[2], i;

	p = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p + 4 * page, 12 * page))
		return fail("mmap");
	fill(p, 4 * page, 1);
	q = mremap(p, 4 * page, 8 * page, 0);
	printf("mremap: grown in place: %s, same address: %s, bytes kept: %s, new pages zero: %s\n",
	       q == MAP_FAILED ? strerror(errno) : "ok", q == p ? "yes" : "no",
	       holds(p, 4 * page, 1), all_zero(p + 4 * page, 4 * page) ? "yes" : "no");
	printf("mremap: part of a mapping grown in place: %s\n",
	       mremap(p, 2 * page, 3 * page, 0) == MAP_FAILED ? strerror(errno) : "ok");
	fill(p, 8 * page, 2);
	q = mmap(p + 8 * page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q == MAP_FAILED)
		return fail("mmap after it");
	printf("mremap: grown into a mapping without MREMAP_MAYMOVE: %s\n",
	       mremap(p, 8 * page, 64 * page, 0) == MAP_FAILED ? strerror(errno) : "ok");
	r = mremap(p, 8 * page, 256 * page, MREMAP_MAYMOVE);
	if (r == MAP_FAILED)
		return fail("mremap MREMAP_MAYMOVE");
	printf("mremap: moved: %s, bytes kept: %s, the rest zero: %s, old range mapped: %s, the mapping after it kept: %s\n",
	       r != p ? "yes" : "no", holds(r, 8 * page, 2), all_zero(r + 8 * page, 248 * page) ? "yes" : "no",
	       mapped(p, 8 * page), mapped(q, page));
	if (pipe(fd))
		return fail("pipe");
	if (write(fd[1], r + 5 * page, page) != (ssize_t)page || read(fd[0], back, page) != (ssize_t)page)
		return fail("write and read back a moved page");
	printf("mremap: Linux reads a moved page: %s\n", memcmp(back, r + 5 * page, page) ? "differs" : "the same");
	if (read(fd[0], r, 0) < 0 || write(fd[1], "moved!", 6) != 6 || read(fd[0], r + 7 * page, 6) != 6)
		return fail("read into a moved page");
	printf("mremap: Linux writes a moved page: %.6s\n", (char *)r + 7 * page);
	fill(r, 8 * page, 3);
	q = mremap(r, 256 * page, 2 * page, 0);
	printf("mremap: shrunk: %s, same address: %s, bytes kept: %s, tail mapped: %s\n",
	       q == MAP_FAILED ? strerror(errno) : "ok", q == r ? "yes" : "no", holds(r, 2 * page, 3),
	       mapped(r + 2 * page, 254 * page));
	p = mmap(NULL, 6 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap a target");
	memset(p, 'z', 6 * page);
	q = mremap(r, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, p + 2 * page);
	printf("mremap: to a fixed address: %s, there: %s, bytes kept: %s, the target's neighbours kept: %s, old range mapped: %s\n",
	       q == MAP_FAILED ? strerror(errno) : "ok", q == p + 2 * page ? "yes" : "no", holds(p + 2 * page, 2 * page, 3),
	       p[2 * page - 1] == 'z' && p[4 * page] == 'z' ? "yes" : "no", mapped(r, 2 * page));
	/* Debian 12's glibc passes no new_address for it: the call, with 0 */
	q = (void *)syscall(SYS_mremap, p, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	if (q == MAP_FAILED) {
		printf("mremap: MREMAP_DONTUNMAP: %s\n", strerror(errno));
	} else {
		printf("mremap: MREMAP_DONTUNMAP: moved: %s, bytes kept: %s, old range mapped: %s, and zero: %s\n",
		       q != p ? "yes" : "no", q[0] == 'z' && q[2 * page - 1] == 'z' ? "yes" : "no",
		       mapped(p, 2 * page), all_zero(p, 2 * page) ? "yes" : "no");
		munmap(q, 2 * page);
	}
	printf("mremap: unknown flags: %s\n", mremap(p, page, page, 0x80) == MAP_FAILED ? strerror(errno) : "ok");
	printf("mremap: MREMAP_FIXED without MREMAP_MAYMOVE: %s\n",
	       mremap(p, page, page, MREMAP_FIXED, p + 8 * page) == MAP_FAILED ? strerror(errno) : "ok");
	printf("mremap: onto itself: %s\n",
	       mremap(p, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, p + page) == MAP_FAILED ? strerror(errno) : "ok");
	printf("mremap: an unaligned address: %s\n", mremap(p + 1, page, page, 0) == MAP_FAILED ? strerror(errno) : "ok");
	printf("mremap: a hole: %s\n", mremap(r, page, 2 * page, MREMAP_MAYMOVE) == MAP_FAILED ? strerror(errno) : "ok");
	if (mprotect(p + 4 * page, 2 * page, PROT_READ))
		return fail("mprotect");
	printf("mremap: across two mappings: %s\n",
	       mremap(p + 3 * page, 2 * page, 4 * page, MREMAP_MAYMOVE) == MAP_FAILED ? strerror(errno) : "ok");
	printf("mremap: a new length of 0: %s\n", mremap(p, page, 0, MREMAP_MAYMOVE) == MAP_FAILED ? strerror(errno) : "ok");
	printf("mremap: a huge new length: %s\n",
	       mremap(p, page, (size_t)1 << 62, MREMAP_MAYMOVE) == MAP_FAILED ? strerror(errno) : "ok");
	printf("msync: MS_SYNC: %s, MS_ASYNC|MS_SYNC: %s, unaligned: %s, unknown flags: %s, 0 bytes of a hole: %s\n",
	       result(msync(p, page, MS_SYNC)), result(msync(p, page, MS_ASYNC | MS_SYNC)),
	       result(msync(p + 1, page, MS_SYNC)), result(msync(p, page, 0x40)), result(msync(r, 0, MS_SYNC)));
	{
		unsigned char *block = malloc(1 << 20), *grown;
		const char *kept = "yes";
		size_t n;

		if (!block)
			return fail("malloc");
		fill(block, 1 << 20, 4);
		for (n = 2 << 20; n <= 64 << 20; n <<= 1, block = grown) {
			grown = realloc(block, n);
			if (!grown)
				return fail("realloc");
			if (*holds(grown, 1 << 20, 4) == 'n')
				kept = "no";
			memset(grown + n / 2, 0x5a, n / 2);
		}
		printf("mremap: realloc from 1 MiB to 64 MiB kept the first MiB: %s\n", kept);
		free(block);
	}
	for (i = 0; i < 2; i++)
		close(fd[i]);
	return 0;
}

/*
 * madvise: hints change nothing; MADV_DONTNEED leaves the pages reading as
 * zero, for the program and for Linux reading them for it, and only those;
 * a range with a hole is still applied to its mapped part, then ENOMEM.
 */
static int t_madvise(void)
{
	size_t page = 4096;
	unsigned char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char back[4096];
	int fd[2];

	if (p == MAP_FAILED)
		return fail("mmap");
	memset(p, 'x', 3 * page);
	if (madvise(p, 3 * page, MADV_WILLNEED) || madvise(p, 3 * page, MADV_SEQUENTIAL) ||
	    madvise(p, 3 * page, MADV_NORMAL))
		return fail("madvise hints");
	printf("madvise: hints keep the data: %s\n", p[page] == 'x' ? "yes" : "no");
	if (madvise(p + page, page, MADV_DONTNEED))
		return fail("madvise MADV_DONTNEED");
	printf("madvise: DONTNEED zeroed the middle page: %s, its neighbours kept: %s\n",
	       all_zero(p + page, page) ? "yes" : "no",
	       p[page - 1] == 'x' && p[2 * page] == 'x' ? "yes" : "no");
	if (pipe(fd))
		return fail("pipe");
	if (write(fd[1], p + page, page) != (ssize_t)page || read(fd[0], back, page) != (ssize_t)page)
		return fail("write and read back the middle page");
	printf("madvise: Linux reads it as zero too: %s\n", all_zero(back, page) ? "yes" : "no");
	p[page] = 'y';
	printf("madvise: it is writable again: %c\n", p[page]);
	printf("madvise: unaligned start: %s\n", result(madvise(p + 1, page, MADV_DONTNEED)));
	printf("madvise: unknown advice: %s\n", result(madvise(p, page, 12345)));
	printf("madvise: MADV_REMOVE on private memory: %s\n", result(madvise(p, page, MADV_REMOVE)));
	printf("madvise: 0 bytes: %s\n", result(madvise(p, 0, MADV_DONTNEED)));
	if (munmap(p + 2 * page, page))
		return fail("munmap");
	printf("madvise: a range with a hole: %s\n", result(madvise(p, 3 * page, MADV_DONTNEED)));
	printf("madvise: its mapped part zeroed anyway: %s\n", all_zero(p, 2 * page) ? "yes" : "no");
	return munmap(p, 2 * page) ? fail("munmap") : 0;
}

/*
 * Signals sent to itself (on the LWK: through the proxy) take effect as the
 * program's dispositions and mask say: ignored, ignored by default, held
 * while blocked and dropped once ignored, and finally fatal when unblocked:
 * the program dies by SIGUSR2 (status 140 in a shell).
 */
static int t_signals(void)
{
	sigset_t set;

	signal(SIGUSR1, SIG_IGN);
	kill(getpid(), SIGUSR1);
	printf("signals: SIGUSR1 with SIG_IGN: still running\n");
	kill(getpid(), SIGCHLD);
	kill(getpid(), SIGWINCH);
	printf("signals: SIGCHLD and SIGWINCH, ignored by default: still running\n");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGINT);
	printf("signals: SIGINT blocked: still running\n");
	signal(SIGINT, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("signals: SIGINT ignored while pending, then unblocked: still running\n");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR2);
	printf("signals: SIGUSR2 blocked: still running\n");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("signals: FAILED: SIGUSR2 did not end the program once unblocked\n");
	return 1;
}

/* Maps and touches MIB MiB of anonymous memory. */
static int t_alloc(const char *mib)
{
	size_t n = (size_t)atoi(mib) << 20, i;
	unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		printf("alloc: %s MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i += 4096)
		p[i] = 1;
	printf("alloc: %s MiB mapped and touched\n", mib);
	return 0;
}

static int t_clock(void)
{
	struct timespec a, b, r;
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	time_t now = time(NULL);

	clock_gettime(CLOCK_MONOTONIC, &a);
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_REALTIME, &r);
	long long ms = (b.tv_sec - a.tv_sec) * 1000LL + (b.tv_nsec - a.tv_nsec) / 1000000;
	printf("monotonic advanced >= 20 ms: %s\n", ms >= 19 ? "yes" : "no");
	printf("realtime within 5 s of time(): %s\n",
	       llabs((long long)r.tv_sec - (long long)now) <= 5 ? "yes" : "no");
	return 0;
}

static int t_bigread(const char *path)
{
	size_t n = 1u << 20;
	unsigned char *buf = malloc(n);
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf)
		return fail("open");
	return hash_to_end(fd, buf, n, "bigread");
}

static int t_args(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	printf("HOME=%s\n", getenv("HOME") ? getenv("HOME") : "(unset)");
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "write"))
		return t_write();
	if (!strcmp(c, "read"))
		return t_read();
	if (!strcmp(c, "open") && argc > 2)
		return t_open(argv[2]);
	if (!strcmp(c, "stat") && argc > 2)
		return t_stat(argv[2]);
	if (!strcmp(c, "getpid"))
		return t_getpid();
	if (!strcmp(c, "brk"))
		return t_brk();
	if (!strcmp(c, "mmap"))
		return t_mmap();
	if (!strcmp(c, "clock"))
		return t_clock();
	if (!strcmp(c, "alloc") && argc > 2)
		return t_alloc(argv[2]);
	if (!strcmp(c, "signals"))
		return t_signals();
	if (!strcmp(c, "madvise"))
		return t_madvise();
	if (!strcmp(c, "remap"))
		return t_remap();
	if (!strcmp(c, "mremap"))
		return t_mremap();
	if (!strcmp(c, "bigread") && argc > 2)
		return t_bigread(argv[2]);
	if (!strcmp(c, "exit42")) {
		printf("exiting with 42\n");
		return 42;
	}
	if (!strcmp(c, "segv")) {
		volatile uintptr_t bad = 8;

		printf("about to fault\n");
		*(volatile int *)bad = 1;
		return 0;
	}
	/*
	 * Reads one byte at a (kernel) address: the page fault that ends the
	 * program tells in its error code whether the page table user mode runs
	 * on had a translation there (present bit set: a protection fault) or
	 * not, which 84-lwk-pti reads from the LWK's log.
	 */
	if (!strcmp(c, "peek") && argc > 2) {
		volatile uint8_t *p = (volatile uint8_t *)strtoull(argv[2], NULL, 0);

		printf("peek: reading %p\n", (void *)p);
		printf("peek: FAILED: read %#x\n", *p);
		return 1;
	}
	if (!strcmp(c, "spin")) {
		printf("spinning\n");
		for (;;)
			;
	}
	if (!strcmp(c, "args"))
		return t_args(argc, argv);
	fprintf(stderr, "usage: lwkprog write|read|open DIR|stat PATH|getpid|brk|mmap|clock|remap|mremap|bigread FILE|exit42|segv|spin|args ...|peek ADDRESS\n");
	return 2;
}

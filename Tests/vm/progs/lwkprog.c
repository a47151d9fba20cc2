// SPDX-License-Identifier: GPL-2.0
/*
 * lwkprog - small checks a static program makes of its kernel, run natively
 * and through mcexec on the LWK by Tests/vm/scenarios/77-mcexec.sh, which
 * compares the output and exit status of both runs.  Everything printed
 * must be the same on both sides except the lines starting with "pid"
 * (the pid of the run differs).
 *
 * usage: lwkprog write|read|open DIR|stat PATH|getpid|brk|mmap|clock|
 *                remap|madvise|signals|alloc MIB|bigread FILE|exit42|segv|
 *                spin|args ...|peek ADDRESS
 */
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
	fprintf(stderr, "usage: lwkprog write|read|open DIR|stat PATH|getpid|brk|mmap|clock|remap|bigread FILE|exit42|segv|spin|args ...|peek ADDRESS\n");
	return 2;
}

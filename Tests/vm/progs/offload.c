// SPDX-License-Identifier: GPL-2.0
/*
 * offload - what a system call costs a program on the LWK against the same
 * call on Linux, and what its proxy costs Linux meanwhile.  One static
 * binary for `make bench`, run natively and through mcexec.
 *
 *   offload calls N FILE  median ns of N timed calls each: umask and a 4 KiB
 *                         pread of FILE (both offloaded to mcexec on the
 *                         LWK), getpid and clock_gettime (both served by
 *                         the LWK itself); "name ns" lines
 *   offload compute SECS  computes for SECS seconds, reading only the TSC
 *                         after a 10 ms calibration: nothing for mcexec to
 *                         do, so its own CPU time meanwhile is the point
 *   offload launch CMD... runs CMD with BENCH_LAUNCH_NS set to now; with
 *   offload started       as CMD's program, prints "startup_ns" since then:
 *                         from the launcher's fork to the program's main
 *   offload now           CLOCK_MONOTONIC in ns, for timing from a shell
 *
 * Calls are timed with the TSC around each one (converted with
 * clock_gettime over the whole run), so the clock read itself, which is a
 * system call on the LWK, does not add to what is measured.
 */
#include "bench.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum call { UMASK, PREAD, GETPID, CLOCK_GETTIME };

static const char *const call_names[] = { "umask", "pread_4k", "getpid", "clock_gettime" };

/* One call, made with the raw syscall instruction where libc might not. */
static void make_call(enum call call, int fd, char *page)
{
	struct timespec t;

	switch (call) {
	case UMASK:
		syscall(SYS_umask, 022);
		break;
	case PREAD:
		if (syscall(SYS_pread64, fd, page, 4096, 0) != 4096)
			exit(1);
		break;
	case GETPID:
		syscall(SYS_getpid);
		break;
	case CLOCK_GETTIME:
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
		break;
	}
}

/* Median TSC ticks of one call over n calls. */
static uint64_t median_ticks(enum call call, int n, int fd, char *page, uint64_t *ticks)
{
	int i;

	for (i = 0; i < n; i++) {
		uint64_t t0 = __rdtsc();

		make_call(call, fd, page);
		ticks[i] = __rdtsc() - t0;
	}
	qsort(ticks, n, sizeof(*ticks), by_value);
	return ticks[n / 2];
}

static int calls(int n, const char *path)
{
	static char page[4096];
	uint64_t *ticks = calloc(n, sizeof(*ticks)), medians[4];
	int fd = open(path, O_RDONLY), call;
	struct clock_pair start;
	double scale;

	if (fd < 0 || !ticks || n < 1) {
		fprintf(stderr, "offload: cannot open %s or no memory\n", path);
		return 1;
	}
	start = clock_now();
	for (call = UMASK; call <= CLOCK_GETTIME; call++) {
		median_ticks(call, n / 10 + 1, fd, page, ticks);	/* warm */
		medians[call] = median_ticks(call, n, fd, page, ticks);
	}
	scale = ns_per_tick(start, clock_now());
	for (call = UMASK; call <= CLOCK_GETTIME; call++)
		printf("%s %.0f\n", call_names[call], medians[call] * scale);
	return 0;
}

static int compute(double seconds)
{
	struct clock_pair start = clock_now();
	uint64_t tsc_end, x = 1;
	volatile uint64_t sink;

	/* The TSC rate, then nothing but the TSC until the end. */
	tsc_end = start.tsc + (uint64_t)(seconds * 1e9 / tsc_scale());
	while (__rdtsc() < tsc_end) {
		int i;

		for (i = 0; i < 1000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	}
	sink = x;
	(void)sink;
	printf("computed %.1f s\n", seconds);
	return 0;
}

static int launch(char **argv)
{
	char stamp[32];
	pid_t pid;
	int status;

	snprintf(stamp, sizeof(stamp), "%llu", (unsigned long long)monotonic_ns());
	setenv("BENCH_LAUNCH_NS", stamp, 1);
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int started(void)
{
	uint64_t now = monotonic_ns();
	const char *stamp = getenv("BENCH_LAUNCH_NS");

	if (!stamp)
		return 1;
	printf("startup_ns %llu\n", (unsigned long long)(now - strtoull(stamp, NULL, 10)));
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "calls") && argc == 4)
		return calls(atoi(argv[2]), argv[3]);
	if (!strcmp(c, "compute") && argc == 3)
		return compute(atof(argv[2]));
	if (!strcmp(c, "launch") && argc > 2)
		return launch(argv + 2);
	if (!strcmp(c, "started"))
		return started();
	if (!strcmp(c, "now")) {
		printf("%llu\n", (unsigned long long)monotonic_ns());
		return 0;
	}
	fprintf(stderr, "usage: offload calls N FILE | compute SECS | launch CMD... | started | now\n");
	return 2;
}

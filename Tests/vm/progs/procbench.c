// SPDX-License-Identifier: GPL-2.0
/*
 * procbench - what processes cost a program on the LWK against the same on
 * Linux, for `make bench`: built twice, static (procbench) and dynamic
 * (procbench-dyn, against the glibc staged into the guest), and run natively
 * and through mcexec.  Each mode prints "name ns" lines.
 *
 *   procbench fork N        fork of a child that _exits at once, and the
 *                           parent's waitpid of it: fork_exit_wait, the
 *                           median over N
 *   procbench exec N PATH   N times: a child that execs PATH ten times in a
 *                           row (each exec's program execs the next), from
 *                           the first execve to the last program's main:
 *                           exec, the median over N of the time per exec
 *   procbench started       as `offload launch`'s program: startup_ns since
 *                           BENCH_LAUNCH_NS, from the launcher's fork to main
 *   procbench cma N         process_vm_readv from a forked child's memory,
 *                           8 bytes (cma_read_8b, what a call costs) and
 *                           4 MiB (cma_read_4m), each the median over N: the
 *                           copy MPI libraries make of a large message
 *
 * The clock is CLOCK_MONOTONIC (a vDSO read natively, LWK-local on the LWK):
 * a fork or an exec costs microseconds to milliseconds, the clock far less.
 * Any failure ends the program with a message and status 1.
 */
#include "bench.h"

#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXECS_PER_RUN	10

static int count_of(const char *text)
{
	int n = atoi(text);

	if (n < 1 || n > 100000)
		die("a count of 1 to 100000, not %s", text);
	return n;
}

static uint64_t median(uint64_t *samples, int n)
{
	qsort(samples, n, sizeof(*samples), by_value);
	return samples[n / 2];
}

static void wait_for_success(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("a child ended with status %#x", status);
}

static int fork_exit_wait(int n)
{
	uint64_t *samples = calloc(n, sizeof(*samples));
	int i;

	if (!samples)
		die("no memory for %d samples", n);
	for (i = 0; i < n; i++) {
		uint64_t t0 = monotonic_ns();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			die("fork: %s", strerror(errno));
		wait_for_success(pid);
		samples[i] = monotonic_ns() - t0;
	}
	printf("fork_exit_wait %llu\n", (unsigned long long)median(samples, n));
	return 0;
}

/* One step of an exec chain: exec PATH with one exec fewer left, or report. */
static int chain(char **argv)
{
	uint64_t now = monotonic_ns(), t0 = strtoull(argv[4], NULL, 10);
	int left = atoi(argv[2]);
	char next[16];

	if (left <= 0) {
		printf("%llu\n", (unsigned long long)((now - t0) / EXECS_PER_RUN));
		return 0;
	}
	snprintf(next, sizeof(next), "%d", left - 1);
	execv(argv[3], (char *[]){ argv[3], "chain", next, argv[3], argv[4], NULL });
	die("execv %s: %s", argv[3], strerror(errno));
	return 1;
}

/* A child that runs a chain of exec of path; its report, read from a pipe. */
static uint64_t exec_run(const char *path)
{
	char stamp[32], left[16], report[64] = "";
	int fds[2];
	ssize_t got;
	pid_t pid;

	if (pipe(fds) != 0)
		die("pipe: %s", strerror(errno));
	snprintf(left, sizeof(left), "%d", EXECS_PER_RUN - 1);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		snprintf(stamp, sizeof(stamp), "%llu", (unsigned long long)monotonic_ns());
		execv(path, (char *[]){ (char *)path, "chain", left, (char *)path, stamp, NULL });
		_exit(127);
	}
	if (pid < 0)
		die("fork: %s", strerror(errno));
	close(fds[1]);
	got = read(fds[0], report, sizeof(report) - 1);
	close(fds[0]);
	wait_for_success(pid);
	if (got <= 0)
		die("no report from the exec chain of %s", path);
	return strtoull(report, NULL, 10);
}

static int exec_chains(int n, const char *path)
{
	uint64_t *samples = calloc(n, sizeof(*samples));
	int i;

	if (!samples)
		die("no memory for %d samples", n);
	if (access(path, X_OK) != 0)
		die("%s: %s", path, strerror(errno));
	for (i = 0; i < n; i++)
		samples[i] = exec_run(path);
	printf("exec %llu\n", (unsigned long long)median(samples, n));
	return 0;
}

static int started(void)
{
	uint64_t now = monotonic_ns();
	const char *stamp = getenv("BENCH_LAUNCH_NS");

	if (!stamp)
		die("started: BENCH_LAUNCH_NS is not set (run it with offload launch)");
	printf("startup_ns %llu\n", (unsigned long long)(now - strtoull(stamp, NULL, 10)));
	return 0;
}

#define CMA_BYTES	(4u << 20)

/* The median of n process_vm_readv of `bytes` from pid's `remote` into `local`. */
static uint64_t cma_reads(pid_t pid, char *local, void *remote, size_t bytes, int n)
{
	uint64_t *samples = calloc(n, sizeof(*samples)), result;
	int i;

	if (!samples)
		die("no memory for %d samples", n);
	for (i = 0; i < n; i++) {
		struct iovec to = { local, bytes }, from = { remote, bytes };
		uint64_t t0 = monotonic_ns();
		ssize_t got = process_vm_readv(pid, &to, 1, &from, 1, 0);

		samples[i] = monotonic_ns() - t0;
		if (got != (ssize_t)bytes)
			die("process_vm_readv of %zu bytes: %zd (%s)", bytes, got, strerror(errno));
	}
	if (local[bytes - 1] != (char)0x5a)
		die("process_vm_readv read the wrong bytes");
	result = median(samples, n);
	free(samples);
	return result;
}

/* A child fills 4 MiB and says where, then waits for its pipe to close. */
static int cma(int n)
{
	char *local = malloc(CMA_BYTES);
	int up[2], down[2];
	void *remote;
	pid_t pid;

	if (!local || pipe(up) != 0 || pipe(down) != 0)
		die("cma: no memory or pipe: %s", strerror(errno));
	memset(local, 0, CMA_BYTES);
	pid = fork();
	if (pid == 0) {
		char *buffer = malloc(CMA_BYTES), done;

		close(down[1]);
		if (!buffer)
			_exit(1);
		memset(buffer, 0x5a, CMA_BYTES);
		if (write(up[1], &buffer, sizeof(buffer)) != sizeof(buffer))
			_exit(1);
		_exit(read(down[0], &done, 1) == 0 ? 0 : 1);
	}
	if (pid < 0)
		die("fork: %s", strerror(errno));
	close(down[0]);
	if (read(up[0], &remote, sizeof(remote)) != sizeof(remote))
		die("cma: the child did not say where its memory is");
	printf("cma_read_8b %llu\n", (unsigned long long)cma_reads(pid, local + CMA_BYTES - 8, (char *)remote + CMA_BYTES - 8, 8, n));
	printf("cma_read_4m %llu\n", (unsigned long long)cma_reads(pid, local, remote, CMA_BYTES, n));
	close(down[1]);
	wait_for_success(pid);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "fork") && argc == 3)
		return fork_exit_wait(count_of(argv[2]));
	if (!strcmp(c, "exec") && argc == 4)
		return exec_chains(count_of(argv[2]), argv[3]);
	if (!strcmp(c, "chain") && argc == 5)
		return chain(argv);
	if (!strcmp(c, "started"))
		return started();
	if (!strcmp(c, "cma") && argc == 3)
		return cma(count_of(argv[2]));
	fprintf(stderr, "usage: procbench fork N | exec N PATH | started | cma N\n");
	return 2;
}

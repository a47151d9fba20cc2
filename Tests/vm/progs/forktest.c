// SPDX-License-Identifier: GPL-2.0
/*
 * forktest - fork, vfork, posix_spawn and the wait calls as Linux does them,
 * for 93-fork, which runs each case natively and on the LWK and compares the
 * output and the exit status.  Nothing printed depends on where it runs (no
 * pids, addresses or times: a pid is printed as a comparison, "ppid is the
 * parent yes").  A parent prints only before it forks and after it reaped the
 * child, which prints only while its parent waits for it: the lines come in
 * the same order every time.  On the LWK each process holds an idle LWK CPU
 * of its own, and each of its threads one more: no case has more than three
 * alive at once (but eagain, which wants a fourth).  The program runs itself
 * again by the path it was started with (argv[0], which must hold a '/').
 *
 *   basic          fork: the child's pid is what fork returned, its ppid the
 *                  parent; it exits 7; a second wait finds no child (ECHILD)
 *   memory         32 MiB of malloc, a small malloc, data, bss, the stack and
 *                  a __thread variable, filled by the parent: the child finds
 *                  them all, overwrites them, and the parent's stay as they were
 *   pipe           1 MiB from the child through a pipe; a file both write to
 *                  at the offset they share through the fork
 *   signals        SIGCHLD with its siginfo (SA_SIGINFO, taken in sigsuspend);
 *                  a child killed by the parent's SIGTERM, one by abort()
 *   wait-variants  waitpid WNOHANG while the child runs, waitid(P_PID,
 *                  WEXITED), wait4 with a struct rusage, waitpid(-1)
 *   vfork          vfork then execve of this program and vfork then _exit(5);
 *                  posix_spawn of this program and of /bin/sh -c 'exit 4';
 *                  system("exit 6")
 *   threads        a process with a second thread (in pthread_cond_wait) forks:
 *                  the child is alone, and starts and joins a thread of its own
 *   chain N        a child forks a child ... N deep; each waits for its own
 *                  and exits with its depth plus its child's status (N <= 20)
 *   many N         N forks one after the other, each child exits, is reaped
 *   reaping        SIGCHLD ignored, or SA_NOCLDWAIT: a child is reaped as it
 *                  ends (waitpid finds none, ECHILD), a child's child too;
 *                  SIG_DFL: it waits for
 *                  waitpid; across execve, SIG_IGN stays and a handler's
 *                  SA_NOCLDWAIT goes (the program runs itself again: reaped-exec)
 *   eagain         two children alive, then a third fork: on an LWK of three
 *                  CPUs none is left for it, EAGAIN.  Natively the fork
 *                  succeeds and this fails: it is for the LWK only
 * and what the vfork case execs: hello PPID WORDS...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "children.h"
#include "said.h"

extern char **environ;

/* The path this program was started by: what it execs to run itself again. */
static const char *self;

/* How a wait status says the child ended. */
static int killed_by(int status, int sig)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void pipe_checked(int fds[2])
{
	if (pipe(fds))
		exit(failure("pipe"));
}

static int write_all(int fd, const void *buf, size_t bytes)
{
	const char *at = buf;

	while (bytes) {
		ssize_t done = write(fd, at, bytes);

		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return -1;
		at += done;
		bytes -= done;
	}
	return 0;
}

/* a byte through fd, to say "go on" or "ready"; 0 once one came */
static int send_byte(int fd)
{
	return write_all(fd, "!", 1);
}

static int await_byte(int fd)
{
	char byte;
	ssize_t got;

	do
		got = read(fd, &byte, 1);
	while (got < 0 && errno == EINTR);
	return got == 1 ? 0 : -1;
}

/* ---- basic: fork's two returns, the child's pid and ppid, one wait only ---- */

static int t_basic(void)
{
	pid_t parent = getpid(), child, told;
	int report[2], status, again;

	pipe_checked(report);
	printf("basic: fork, the child exits 7\n");
	child = fork_checked();
	if (child == 0) {
		int good = getppid() == parent && getpid() != parent;

		told = getpid();
		printf("child: fork returned 0, ppid is the parent %s, pid is not the parent's %s\n",
		       yes(getppid() == parent), yes(getpid() != parent));
		if (write_all(report[1], &told, sizeof(told)))
			exit(failure("write"));
		exit(good ? 7 : 1);
	}
	if (read(report[0], &told, sizeof(told)) != sizeof(told))
		return failure("read");
	status = reap(child);
	printf("parent: fork returned the child's pid %s, waitpid: the child %s\n", yes(told == child), ending(status));
	errno = 0;
	printf("a second wait: %s\n", waitpid(-1, &again, 0) < 0 ? errno_name(errno) : "a child");
	return exited_with(status, 7) && told == child && errno == ECHILD ? 0 : 1;
}

/* ---- memory: a full copy, the child's writes its own ---- */

#define BIG_BYTES	(32u << 20)
#define SMALL_BYTES	4096
#define PARENT_SEED	0x5eed0001ull
#define CHILD_SEED	0xc41d0002ull

static uint64_t data_words[64] = { 1, 2, 3 };
static uint64_t bss_words[1024];
static __thread uint64_t tls_words[16];

/* Every region a process has memory in: heap (mmap'ed and brk), data, bss, stack, TLS. */
struct regions {
	struct { const char *name; uint64_t *words; size_t count; } r[6];
};

static uint64_t pattern(size_t i, uint64_t seed)
{
	return (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
}

static void fill(uint64_t *words, size_t count, uint64_t seed)
{
	for (size_t i = 0; i < count; i++)
		words[i] = pattern(i, seed);
}

static int holds(const uint64_t *words, size_t count, uint64_t seed)
{
	for (size_t i = 0; i < count; i++)
		if (words[i] != pattern(i, seed))
			return 0;
	return 1;
}

static void fill_all(struct regions *m, uint64_t seed)
{
	for (int i = 0; i < 6; i++)
		fill(m->r[i].words, m->r[i].count, seed);
}

/* prints which regions hold seed's pattern; whether all do */
static int print_holding(const char *who, struct regions *m, uint64_t seed)
{
	int all = 1;

	printf("%s:", who);
	for (int i = 0; i < 6; i++) {
		int good = holds(m->r[i].words, m->r[i].count, seed);

		printf(" %s %s%s", m->r[i].name, yes(good), i < 5 ? "," : "\n");
		all &= good;
	}
	return all;
}

static int t_memory(void)
{
	uint64_t stack_words[512];
	struct regions m = { .r = {
		{ "32 MiB malloc", malloc(BIG_BYTES), BIG_BYTES / 8 },
		{ "small malloc", malloc(SMALL_BYTES), SMALL_BYTES / 8 },
		{ "data", data_words, 64 },
		{ "bss", bss_words, 1024 },
		{ "stack", stack_words, 512 },
		{ "TLS", tls_words, 16 },
	} };
	pid_t child;
	int status, unchanged;

	if (!m.r[0].words || !m.r[1].words)
		return failure("malloc");
	fill_all(&m, PARENT_SEED);
	printf("memory: the parent filled its memory, forks\n");
	child = fork_checked();
	if (child == 0) {
		int found = print_holding("child finds the parent's", &m, PARENT_SEED), written;

		fill_all(&m, CHILD_SEED);
		written = print_holding("child reads its own writes", &m, CHILD_SEED);
		exit(found && written ? 0 : 1);
	}
	status = reap(child);
	printf("parent: the child %s\n", ending(status));
	unchanged = print_holding("parent's unchanged", &m, PARENT_SEED);
	free(m.r[0].words);
	free(m.r[1].words);
	return exited_with(status, 0) && unchanged ? 0 : 1;
}

/* ---- pipe: a pipe and a file offset, shared through the fork ---- */

#define PIPE_BYTES	(1u << 20)
#define CHUNK_BYTES	(64u << 10)

static unsigned char pipe_byte(size_t at)
{
	return (unsigned char)(at * 7 + at / 251);
}

static int send_through_pipe(int fd)
{
	static unsigned char chunk[CHUNK_BYTES];

	for (size_t at = 0; at < PIPE_BYTES; at += CHUNK_BYTES) {
		for (size_t i = 0; i < CHUNK_BYTES; i++)
			chunk[i] = pipe_byte(at + i);
		if (write_all(fd, chunk, CHUNK_BYTES))
			return failure("write to the pipe");
	}
	return 0;
}

/* reads fd to its end: how many bytes came, and whether each was as sent */
static size_t receive_from_pipe(int fd, int *intact)
{
	static unsigned char chunk[CHUNK_BYTES];
	size_t total = 0;
	ssize_t got;

	*intact = 1;
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*intact = 0;
			return total;
		}
		for (ssize_t i = 0; i < got; i++)
			*intact &= chunk[i] == pipe_byte(total + i);
		total += got;
	}
	return total;
}

static int pipe_case(void)
{
	int fds[2], status, intact;
	pid_t child;
	size_t total;

	pipe_checked(fds);
	printf("pipe: the child writes 1 MiB\n");
	child = fork_checked();
	if (child == 0) {
		close(fds[0]);
		exit(send_through_pipe(fds[1]));
	}
	close(fds[1]);
	total = receive_from_pipe(fds[0], &intact);
	close(fds[0]);
	status = reap(child);
	printf("parent: %zu bytes read, all as written %s; the child %s\n", total, yes(intact), ending(status));
	return total == PIPE_BYTES && intact && exited_with(status, 0) ? 0 : 1;
}

static const char before_fork[] = "the parent, before the fork\n";
static const char from_child[] = "the child, one line of ten\n";
static const char after_child[] = "the parent, after the child\n";

static int shared_offset_case(void)
{
	char path[] = "/tmp/forktest.XXXXXX", text[512], expected[512] = "";
	int fd = mkstemp(path), status, good;
	off_t offset;
	pid_t child;
	struct stat st;
	ssize_t got;

	if (fd < 0 || unlink(path))
		return failure("mkstemp, unlink");
	if (write_all(fd, before_fork, strlen(before_fork)))
		return failure("write");
	printf("shared offset: the parent writes, then the child, then the parent\n");
	child = fork_checked();
	if (child == 0) {
		for (int i = 0; i < 10; i++)
			if (write_all(fd, from_child, strlen(from_child)))
				exit(failure("write"));
		exit(0);
	}
	status = reap(child);
	offset = lseek(fd, 0, SEEK_CUR);
	if (write_all(fd, after_child, strlen(after_child)) || fstat(fd, &st))
		return failure("write, fstat");
	strcat(expected, before_fork);
	for (int i = 0; i < 10; i++)
		strcat(expected, from_child);
	strcat(expected, after_child);
	got = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	text[got > 0 ? got : 0] = 0;
	good = offset == (off_t)(strlen(before_fork) + 10 * strlen(from_child)) &&
	       st.st_size == (off_t)strlen(expected) && !strcmp(text, expected);
	printf("parent: the child %s; the child's writes moved the parent's offset %s\n", ending(status),
	       yes(offset == (off_t)(strlen(before_fork) + 10 * strlen(from_child))));
	printf("parent: file length %lld, the sum of the writes %s, in order %s\n", (long long)st.st_size,
	       yes(st.st_size == (off_t)strlen(expected)), yes(!strcmp(text, expected)));
	return exited_with(status, 0) && good ? 0 : 1;
}

/*
 * ---- shared: MAP_SHARED | MAP_ANONYMOUS memory is the same across fork ----
 * The parent fills 4 MiB, mprotects a page of it read-only and back, and
 * forks twice, one child after the other: each adds to every word and counts
 * in a shared counter while the parent waits; the parent then sees both children's writes, a
 * private mapping beside it its own, and after the children unmapped theirs
 * and ended, its own mapping still whole.  MADV_DONTNEED keeps shared bytes.
 */
static int t_shared(void)
{
	size_t words = (4u << 20) / sizeof(uint64_t), i;
	uint64_t *shared = mmap(NULL, 4u << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t *own = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int child, bad = 0;

	if (shared == MAP_FAILED || own == MAP_FAILED)
		return failure("mmap");
	for (i = 0; i < words; i++)
		shared[i] = i;
	own[0] = 7;
	if (mprotect(shared + 512, 4096, PROT_READ) || mprotect(shared + 512, 4096, PROT_READ | PROT_WRITE))
		return failure("mprotect");
	/* one child after the other: each adds to every word, which two at once would race on */
	for (child = 1; child <= 2; child++) {
		int status;

		if (!fork_checked()) {
			for (i = 1; i < words; i++)
				shared[i] += child;
			__atomic_add_fetch(&shared[0], 1, __ATOMIC_SEQ_CST);
			own[0] = 99;
			munmap(shared, 4u << 20);
			_exit(0);
		}
		if (wait(&status) < 0 || !exited_with(status, 0))
			return failure("wait");
	}
	for (i = 1; i < words; i++)
		bad += shared[i] != i + 3;
	printf("shared: children counted %lu, words with both children's writes %s, private word %lu\n",
	       (unsigned long)shared[0], bad ? "not all" : "all", (unsigned long)own[0]);
	if (madvise(shared, 4u << 20, MADV_DONTNEED))
		return failure("madvise");
	printf("shared: after MADV_DONTNEED word 100 is %lu\n", (unsigned long)shared[100]);
	return shared[0] != 2 || bad || own[0] != 7 || shared[100] != 103;
}

static int t_pipe(void)
{
	int piped = pipe_case();

	return shared_offset_case() | piped;
}

/* ---- signals: SIGCHLD with its siginfo, children killed ---- */

static volatile sig_atomic_t child_signalled;
static siginfo_t child_info;

static void on_child(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	child_info = *info;
	child_signalled = 1;
}

/*
 * SIGCHLD stays blocked but in sigsuspend: no wait call is interrupted by it,
 * and the handler runs exactly where the parent waits for it.
 */
static int sigchld_case(void)
{
	struct sigaction sa = { .sa_sigaction = on_child, .sa_flags = SA_SIGINFO };
	sigset_t chld, waiting;
	pid_t child;
	int status, good;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, &waiting) || sigaction(SIGCHLD, &sa, NULL))
		return failure("sigprocmask, sigaction");
	sigdelset(&waiting, SIGCHLD);
	printf("SIGCHLD: the child exits 3, the parent waits in sigsuspend\n");
	child = fork_checked();
	if (child == 0)
		_exit(3);
	while (!child_signalled)
		sigsuspend(&waiting);
	good = child_info.si_signo == SIGCHLD && child_info.si_code == CLD_EXITED &&
	       child_info.si_status == 3 && child_info.si_pid == child;
	printf("handler: %s, si_code CLD_EXITED %s, si_status %d, si_pid the child %s\n", signal_name(child_info.si_signo),
	       yes(child_info.si_code == CLD_EXITED), child_info.si_status, yes(child_info.si_pid == child));
	status = reap(child);
	printf("parent: the child %s\n", ending(status));
	return exited_with(status, 3) && good ? 0 : 1;
}

/* The child says it is ready, then waits in pause: the parent's SIGTERM ends it. */
static int sigterm_case(void)
{
	int ready[2], status;
	pid_t child;

	pipe_checked(ready);
	printf("SIGTERM: the parent kills the child\n");
	child = fork_checked();
	if (child == 0) {
		if (send_byte(ready[1]))
			_exit(1);
		for (;;)
			pause();
	}
	if (await_byte(ready[0]) || kill(child, SIGTERM))
		return failure("read, kill");
	status = reap(child);
	close(ready[0]);
	close(ready[1]);
	printf("parent: the child %s\n", ending(status));
	return killed_by(status, SIGTERM) ? 0 : 1;
}

static int abort_case(void)
{
	pid_t child;
	int status;

	printf("abort: the child calls abort()\n");
	child = fork_checked();
	if (child == 0)
		abort();
	status = reap(child);
	printf("parent: the child %s\n", ending(status));
	return killed_by(status, SIGABRT) ? 0 : 1;
}

static int t_signals(void)
{
	int bad = sigchld_case();

	bad |= sigterm_case();
	return abort_case() | bad;
}

/* ---- wait-variants: each way of waiting for a child ---- */

/* The child waits for a byte, then exits 11: waitpid WNOHANG finds it running, waitid ended. */
static int wnohang_waitid_case(void)
{
	int go[2], status = -1;
	pid_t child, running;
	siginfo_t info = { 0 };

	pipe_checked(go);
	printf("waitpid WNOHANG, then waitid(P_PID, WEXITED): the child waits for a byte, exits 11\n");
	child = fork_checked();
	if (child == 0)
		_exit(await_byte(go[0]) ? 1 : 11);
	running = waitpid(child, &status, WNOHANG);
	printf("WNOHANG while the child waits: %d\n", (int)running);
	if (send_byte(go[1]))
		return failure("write");
	if (waitid(P_PID, child, &info, WEXITED))
		return failure("waitid");
	close(go[0]);
	close(go[1]);
	printf("waitid: si_pid the child %s, si_code CLD_EXITED %s, si_status %d\n", yes(info.si_pid == child),
	       yes(info.si_code == CLD_EXITED), info.si_status);
	return running == 0 && info.si_pid == child && info.si_code == CLD_EXITED && info.si_status == 11 ? 0 : 1;
}

static int wait4_case(void)
{
	struct rusage usage;
	int status;
	pid_t child, got;

	printf("wait4 with a struct rusage: the child exits 12\n");
	child = fork_checked();
	if (child == 0)
		_exit(12);
	memset(&usage, 0xff, sizeof(usage));
	got = wait4(child, &status, 0, &usage);
	if (got < 0)
		return failure("wait4");
	/* what it holds differs from one run to the next: only that it was written */
	printf("wait4: returned the child %s, it %s, rusage written %s\n", yes(got == child), ending(status),
	       yes(usage.ru_maxrss >= 0 && usage.ru_utime.tv_usec >= 0 && usage.ru_utime.tv_usec < 1000000));
	return got == child && exited_with(status, 12) && usage.ru_maxrss >= 0 ? 0 : 1;
}

static int any_child_case(void)
{
	int status;
	pid_t child, got;

	printf("waitpid(-1): the child exits 13\n");
	child = fork_checked();
	if (child == 0)
		_exit(13);
	got = waitpid(-1, &status, 0);
	if (got < 0)
		return failure("waitpid");
	errno = 0;
	printf("waitpid(-1): returned the child %s, it %s; then WNOHANG: %s\n", yes(got == child), ending(status),
	       waitpid(-1, NULL, WNOHANG) < 0 ? errno_name(errno) : "a child");
	return got == child && exited_with(status, 13) && errno == ECHILD ? 0 : 1;
}

static int t_wait_variants(void)
{
	int bad = wnohang_waitid_case();

	bad |= wait4_case();
	return any_child_case() | bad;
}

/* ---- vfork: vfork, posix_spawn, system ---- */

static char *number(long n)
{
	char *text;

	if (asprintf(&text, "%ld", n) < 0)
		exit(failure("asprintf"));
	return text;
}

/* In the vfork child nothing but execve and _exit: it may run on the parent's memory. */
static pid_t vfork_exec(char *const argv[])
{
	pid_t pid;

	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execve(self, argv, environ);
		_exit(127);
	}
	return pid;
}

static pid_t vfork_exit(int code)
{
	pid_t pid;

	fflush(stdout);
	pid = vfork();
	if (pid == 0)
		_exit(code);
	return pid;
}

/* the status of what posix_spawn started from path with argv, or -1 said why */
static int spawned(const char *path, char *const argv[])
{
	pid_t pid;
	int err;

	fflush(stdout);
	err = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	if (err) {
		printf("FAILED posix_spawn of %s: %s\n", path, errno_name(err));
		return -1;
	}
	return reap(pid);
}

static int t_vfork(void)
{
	char *parent = number(getpid());
	char *const from_vfork[] = { (char *)self, "hello", parent, "from", "a vfork child", NULL };
	char *const from_spawn[] = { (char *)self, "hello", parent, "from", "posix_spawn", NULL };
	char *const shell[] = { "sh", "-c", "exit 4", NULL };
	pid_t child;
	int status, bad = 0;

	printf("vfork, then execve of this program\n");
	child = vfork_exec(from_vfork);
	if (child < 0)
		return failure("vfork");
	status = reap(child);
	printf("parent: the child %s\n", ending(status));
	bad |= !exited_with(status, 0);

	printf("vfork, then _exit(5)\n");
	child = vfork_exit(5);
	if (child < 0)
		return failure("vfork");
	status = reap(child);
	printf("parent: the child %s\n", ending(status));
	bad |= !exited_with(status, 5);

	printf("posix_spawn of this program\n");
	status = spawned(self, from_spawn);
	printf("parent: the child %s\n", ending(status));
	bad |= !exited_with(status, 0);

	printf("posix_spawn of /bin/sh -c 'exit 4'\n");
	status = spawned("/bin/sh", shell);
	printf("parent: the child %s\n", ending(status));
	bad |= !exited_with(status, 4);

	fflush(stdout);
	status = system("exit 6");
	printf("system(\"exit 6\"): %s\n", ending(status));
	bad |= !exited_with(status, 6);
	return bad;
}

static int t_hello(int argc, char **argv)
{
	printf("hello: ppid is the parent %s:", yes(atoi(argv[2]) == getppid()));
	for (int i = 3; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	return atoi(argv[2]) == getppid() ? 0 : 1;
}

/* ---- reaping: a child nobody waits for, as SIGCHLD's action says ---- */

static void on_child_quietly(int sig)
{
	(void)sig;
}

/* A child that exits 9 at once; 0 if waiting for it finds it reaped as 'reaped' says. */
static int wait_for_one(const char *how, int reaped)
{
	pid_t child = fork_checked(), got;
	int status = 0;

	if (child == 0)
		_exit(9);
	do
		got = waitpid(child, &status, 0);
	while (got < 0 && errno == EINTR);
	if (got < 0 && errno == ECHILD)
		printf("%s: waitpid finds no child (ECHILD): reaped as it ended\n", how);
	else if (got == child)
		printf("%s: waitpid finds the child, which %s\n", how, ending(status));
	else
		printf("%s: waitpid returned %d (%s)\n", how, (int)got, strerror(errno));
	return (got < 0 && errno == ECHILD && reaped) || (got == child && exited_with(status, 9) && !reaped) ? 0 : 1;
}

static int set_sigchld(void (*handler)(int), int flags)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL) ? failure("sigaction(SIGCHLD)") : 0;
}

/* The program again, as 'reaped-exec STEP', with SIGCHLD's action as it is now. */
static int exec_self(const char *step)
{
	char *const argv[] = { (char *)self, "reaped-exec", (char *)step, NULL };

	execv(self, argv);
	return failure("execv");
}

/* A child, which SIG_IGN leaves to be reaped, forks one of its own: its verdict comes by a pipe. */
static int inherited_by_a_child(void)
{
	int verdict[2];
	char bad = 1;
	pid_t child;

	if (pipe(verdict))
		return failure("pipe");
	child = fork_checked();
	if (child == 0) {
		bad = (char)wait_for_one("in a child, SIG_IGN inherited", 1);
		_exit(write(verdict[1], &bad, 1) == 1 ? 0 : 1);
	}
	close(verdict[1]);
	if (read(verdict[0], &bad, 1) != 1)
		bad = 1;
	close(verdict[0]);
	return bad;
}

static int t_reaping(void)
{
	int bad = 0;

	bad |= set_sigchld(SIG_IGN, 0) || wait_for_one("SIG_IGN", 1) || inherited_by_a_child();
	bad |= set_sigchld(SIG_DFL, 0) || wait_for_one("SIG_DFL", 0);
	bad |= set_sigchld(on_child_quietly, SA_NOCLDWAIT) || wait_for_one("a handler with SA_NOCLDWAIT", 1);
	bad |= set_sigchld(SIG_DFL, 0) || wait_for_one("SIG_DFL again", 0);
	if (bad || set_sigchld(on_child_quietly, SA_NOCLDWAIT))
		return 1;
	fflush(stdout);
	return exec_self("handler");
}

static int t_reaped_exec(const char *step)
{
	if (!strcmp(step, "handler")) {
		if (wait_for_one("after execve, the handler and its SA_NOCLDWAIT gone", 0) || set_sigchld(SIG_IGN, 0))
			return 1;
		fflush(stdout);
		return exec_self("ignored");
	}
	return wait_for_one("after execve, SIG_IGN kept", 1);
}

/* ---- threads: the forking thread alone in the child ---- */

#define PATIENCE_SECONDS	30

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int parked, released;

static void *parked_thread(void *arg)
{
	pthread_mutex_lock(&lock);
	parked = 1;
	pthread_cond_broadcast(&changed);
	while (!released)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
	return arg;
}

static int wait_parked(void)
{
	struct timespec patience;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &patience);
	patience.tv_sec += PATIENCE_SECONDS;
	pthread_mutex_lock(&lock);
	while (!parked && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&changed, &lock, &patience);
	pthread_mutex_unlock(&lock);
	return parked ? 0 : -1;
}

/* what the child's thread returns, to be seen through pthread_join */
static int joined_value;

static void *new_thread(void *arg)
{
	return arg;
}

/*
 * The child of a forking thread: the thread parked in the parent is not in it
 * (the mutex it waits with is free), and a thread of its own starts and joins.
 * It starts that thread once the parent's is gone: on the LWK each thread of
 * each process holds a CPU of its own.
 */
static int alone_in_child(int parent_done)
{
	pthread_t thread;
	void *value = NULL;
	int free_mutex = pthread_mutex_trylock(&lock) == 0, err;

	if (free_mutex)
		pthread_mutex_unlock(&lock);
	if (await_byte(parent_done))
		return failure("read");
	err = pthread_create(&thread, NULL, new_thread, &joined_value);
	if (!err)
		err = pthread_join(thread, &value);
	printf("child: the parent's thread is not here (its mutex is free) %s, a thread of its own started and joined %s\n",
	       yes(free_mutex), err ? errno_name(err) : yes(value == &joined_value));
	return free_mutex && !err && value == &joined_value ? 0 : 1;
}

static int t_threads(void)
{
	pthread_t thread;
	int done[2], err, status;
	pid_t child;

	pipe_checked(done);
	err = pthread_create(&thread, NULL, parked_thread, NULL);
	if (err || wait_parked()) {
		printf("FAILED the second thread: %s\n", err ? errno_name(err) : "did not park");
		return 1;
	}
	printf("threads: a second thread waits in pthread_cond_wait, the main one forks\n");
	child = fork_checked();
	if (child == 0)
		exit(alone_in_child(done[0]));
	pthread_mutex_lock(&lock);
	released = 1;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	err = pthread_join(thread, NULL);
	if (err || send_byte(done[1])) {
		printf("FAILED pthread_join, write: %s\n", errno_name(err ? err : errno));
		return 1;
	}
	status = reap(child);
	printf("parent: its thread joined, the child %s\n", ending(status));
	return exited_with(status, 0) ? 0 : 1;
}

/* ---- chain: children of children ---- */

/* At depth (the first child is at 1), forks the next unless the last: the sum of the depths from here down. */
static int descend(int depth, int levels)
{
	pid_t child;
	int status;

	if (depth == levels) {
		printf("depth %d: the last, exits %d\n", depth, depth);
		return depth;
	}
	child = fork_checked();
	if (child == 0)
		exit(descend(depth + 1, levels));
	status = reap(child);
	printf("depth %d: its child %s\n", depth, ending(status));
	return WIFEXITED(status) ? depth + WEXITSTATUS(status) : 255;
}

static int t_chain(int levels)
{
	int sum, expected = levels * (levels + 1) / 2;

	printf("chain: %d deep, each exits with its depth plus its child's status\n", levels);
	sum = descend(0, levels);
	printf("chain: the statuses sum to %d, expected %d\n", sum, expected);
	return sum == expected ? 0 : 1;
}

/* ---- many: one fork after the other ---- */

static int t_many(int n)
{
	int good = 0;

	for (int i = 0; i < n; i++) {
		pid_t child = fork_checked();

		if (child == 0)
			_exit(i % 100);
		good += exited_with(reap(child), i % 100);
	}
	printf("many: %d children forked, exited and reaped, %d with the status expected\n", n, good);
	return good == n ? 0 : 1;
}

/* ---- eagain: no LWK CPU left for a new process ---- */

/* A child that waits until the parent closes hold's write end: then it exits 0. */
static pid_t holding_child(int hold[2])
{
	pid_t child = fork_checked();
	char byte;

	if (child == 0) {
		close(hold[1]);
		_exit(read(hold[0], &byte, 1) == 0 ? 0 : 1);
	}
	return child;
}

static int t_eagain(void)
{
	int hold[2], err, first_status, second_status;
	pid_t first, second, third;

	pipe_checked(hold);
	first = holding_child(hold);
	second = holding_child(hold);
	printf("eagain: two children alive, a third fork\n");
	fflush(stdout);
	third = fork();
	err = errno;
	if (third == 0)
		_exit(0);
	if (third < 0) {
		printf("third fork: %s\n", errno_name(err));
	} else {
		printf("third fork: FAILED, it succeeded (an LWK of three CPUs has none left for it)\n");
		reap(third);
	}
	close(hold[1]);
	first_status = reap(first);
	second_status = reap(second);
	printf("the first child %s, ", ending(first_status));
	printf("the second %s\n", ending(second_status));
	return third < 0 && err == EAGAIN && exited_with(first_status, 0) && exited_with(second_status, 0) ? 0 : 1;
}

/*
 * A fork of a process with 'mib' MiB of MAP_SHARED | MAP_ANONYMOUS memory, every
 * page written: the child maps the same frames.  Succeeds natively; on the LWK,
 * past the room its count of shared frames has, fails with ENOMEM (which 94-
 * fork-shared-room expects there).  0 either way; 1 for anything else.
 */
static int t_big_shared(const char *mib)
{
	size_t bytes = (size_t)strtoul(mib, NULL, 10) << 20, i;
	char *shared = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t child;
	int err;

	if (!bytes || shared == MAP_FAILED)
		return failure("mmap");
	for (i = 0; i < bytes; i += 4096)
		shared[i] = 1;
	child = fork();
	err = errno;
	if (child == 0)
		_exit(shared[bytes - 4096] == 1 ? 0 : 1);
	if (child < 0) {
		printf("fork with %s MiB shared: %s\n", mib, errno_name(err));
		return err == ENOMEM ? 0 : 1;
	}
	printf("fork with %s MiB shared: the child %s\n", mib, ending(reap(child)));
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: forktest basic | memory | pipe | signals | wait-variants | vfork | threads |"
		" chain N | many N | eagain | big-shared MIB  (started by a path with a '/')\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	self = argv[0];
	if (!self || !strchr(self, '/'))
		return usage();
	if (!strcmp(c, "big-shared") && arg)
		return t_big_shared(arg);
	if (!strcmp(c, "basic"))
		return t_basic();
	if (!strcmp(c, "memory"))
		return t_memory();
	if (!strcmp(c, "pipe"))
		return t_pipe();
	if (!strcmp(c, "shared"))
		return t_shared();
	if (!strcmp(c, "signals"))
		return t_signals();
	if (!strcmp(c, "wait-variants"))
		return t_wait_variants();
	if (!strcmp(c, "vfork"))
		return t_vfork();
	if (!strcmp(c, "hello") && arg)
		return t_hello(argc, argv);
	if (!strcmp(c, "threads"))
		return t_threads();
	if (!strcmp(c, "chain") && arg && atoi(arg) > 0 && atoi(arg) <= 20)
		return t_chain(atoi(arg));
	if (!strcmp(c, "many") && arg && atoi(arg) > 0)
		return t_many(atoi(arg));
	if (!strcmp(c, "reaping"))
		return t_reaping();
	if (!strcmp(c, "reaped-exec") && arg)
		return t_reaped_exec(arg);
	if (!strcmp(c, "eagain"))
		return t_eagain();
	return usage();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * exectest - execve and execveat as Linux does them, for 92-exec, which runs
 * each case natively and on the LWK and compares the output and the exit
 * status.  Nothing printed depends on where it runs (no addresses, pids or
 * times): what execve must keep is printed as a comparison ("pid kept yes").
 * The program execs itself by the path it was started with (argv[0], which
 * must hold a '/'): on the LWK /proc/self/exe is mcexec.  It never forks.
 *
 *   chain N          execs itself N times; each step checks its pid and ppid,
 *                    its argv (an empty string and one with spaces among
 *                    them) and its environment, exactly as given
 *   signals          blocks SIGUSR2 and raises it, ignores SIGUSR1, handles
 *                    SIGTERM on an alternate stack, execs: blocked and pending
 *                    kept, SIG_IGN kept, the handler back to SIG_DFL, every
 *                    flag and mask cleared, no alternate stack
 *   inherit CMD...   ignores SIGINT, SIGHUP and SIGUSR1, blocks SIGUSR2 and
 *                    SIGWINCH, then execs CMD (natively the program, or mcexec
 *                    running it): inherited prints what its program started with
 *   fds              an fd without O_CLOEXEC (dup2'ed to fd 70, its offset
 *                    moved) and one with it (and a dup3 O_CLOEXEC to fd 71):
 *                    after the exec only those without are open
 *   state DIR        cwd, RLIMIT_NOFILE and umask across the exec
 *   errors DIR       every way execve and execveat fail, each errno printed,
 *                    the program still running after each; scratch files in DIR
 *   script DIR       execs a #!/bin/sh script (exit status 7)
 *   script-chain DIR N
 *                    execs a chain of N #! scripts, the last naming this program
 *   execveat         execveat(fd, "", AT_EMPTY_PATH) of itself
 *   status CODE      execs itself to exit with CODE
 *   die SIG          execs itself to kill itself with SIG
 *   threads N [main|other]
 *                    N threads (N - 1 started, waiting in pthread_cond_wait or
 *                    nanosleep), then one execs: the last started one (other,
 *                    the default) or the main one: the new program is alone
 *                    and has the pid
 *   dynamic          execs /usr/bin/echo (a dynamic program)
 *   dynamic-env      execs /usr/bin/env with an environment of its own
 * and what the cases exec: chain-step, signals-after, fds-after, state-after,
 * loop-end, hello, exit, kill, after-threads.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "said.h"

#define MAX_ARGS	32
/* Linux's MAX_ARG_STRLEN: the longest argument or environment string, its NUL included */
#define MAX_ARG_STRLEN	(32 * 4096)

extern char **environ;

/* The path this program was started by: what it execs to run itself again. */
static const char *self;

static char *path_in(const char *dir, const char *name)
{
	char *path;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		exit(failure("asprintf"));
	return path;
}

static char *number(long n)
{
	char *text;

	if (asprintf(&text, "%ld", n) < 0)
		exit(failure("asprintf"));
	return text;
}

/*
 * Execs path with argv[0] = argv0 and the arguments after mode (NULL ends
 * them) and envp; returns only if execve failed, having said so.
 */
static int exec_with(const char *path, const char *argv0, char *const envp[], const char *mode, va_list ap)
{
	const char *argv[MAX_ARGS + 1];
	int argc = 0;

	argv[argc++] = argv0;
	for (const char *arg = mode; arg && argc < MAX_ARGS; arg = va_arg(ap, const char *))
		argv[argc++] = arg;
	argv[argc] = NULL;
	fflush(stdout);
	execve(path, (char *const *)argv, envp);
	return failure("execve");
}

/* exec_self(mode, args..., NULL): runs this program again, in mode, with this environment */
static int __attribute__((sentinel)) exec_self(const char *mode, ...)
{
	va_list ap;
	int rc;

	va_start(ap, mode);
	rc = exec_with(self, self, environ, mode, ap);
	va_end(ap);
	return rc;
}

static int __attribute__((sentinel)) exec_self_env(char *const envp[], const char *mode, ...)
{
	va_list ap;
	int rc;

	va_start(ap, mode);
	rc = exec_with(self, self, envp, mode, ap);
	va_end(ap);
	return rc;
}

/* ---- chain: N execs of itself, each checking what it got ---- */

static char *const chain_env[] = { "EXECTEST_MARK=an exec chain, with spaces", "EXECTEST_EMPTY=", NULL };

/* argv[2...]: step, steps, pid, ppid, then the two awkward arguments */
static int chain_exec(int step, int steps, const char *pid, const char *ppid)
{
	return exec_self_env(chain_env, "chain-step", number(step), number(steps), pid, ppid, "", "two words", NULL);
}

static int t_chain(int steps)
{
	printf("chain: %d execs\n", steps);
	return chain_exec(1, steps, number(getpid()), number(getppid()));
}

static int environment_is(char *const expected[])
{
	int i;

	for (i = 0; expected[i]; i++)
		if (!environ[i] || strcmp(environ[i], expected[i]))
			return 0;
	return environ[i] == NULL;
}

static int t_chain_step(int argc, char **argv)
{
	int step = atoi(argv[2]), steps = atoi(argv[3]);
	int pid_kept = atoi(argv[4]) == getpid(), ppid_kept = atoi(argv[5]) == getppid();
	int args_intact = argc == 8 && !strcmp(argv[6], "") && !strcmp(argv[7], "two words");
	int env_intact = environment_is(chain_env);

	printf("step %d: pid kept %s, ppid kept %s, argv intact %s, envp intact %s\n", step,
	       yes(pid_kept), yes(ppid_kept), yes(args_intact), yes(env_intact));
	if (!pid_kept || !ppid_kept || !args_intact || !env_intact)
		return 1;
	if (step >= steps) {
		printf("chain: done\n");
		return 0;
	}
	return chain_exec(step + 1, steps, argv[4], argv[5]);
}

/* ---- signals: what execve keeps of the signal state, and what it resets ---- */

static volatile sig_atomic_t usr2_taken;

static void on_term(int sig)
{
	(void)sig;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_taken = 1;
}

static int t_signals(void)
{
	static char alternate_stack[64 * 1024];
	stack_t ss = { .ss_sp = alternate_stack, .ss_size = sizeof(alternate_stack) };
	struct sigaction sa = { .sa_handler = on_term, .sa_flags = SA_RESTART | SA_ONSTACK | SA_NODEFER };
	sigset_t usr2, pending;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &usr2, NULL) || signal(SIGUSR1, SIG_IGN) == SIG_ERR ||
	    sigaction(SIGTERM, &sa, NULL) || sigaltstack(&ss, NULL))
		return failure("setting up the signals");
	raise(SIGUSR2);
	sigpending(&pending);
	printf("before exec: SIGUSR2 blocked and pending %s\n", yes(sigismember(&pending, SIGUSR2)));
	return exec_self("signals-after", NULL);
}

/* The signals of set but sig, listed ("none" if none). */
static const char *others_in(const sigset_t *set, int sig)
{
	static char list[256];
	size_t at = 0;

	list[0] = 0;
	for (int s = 1; s < NSIG; s++)
		if (s != sig && sigismember(set, s) == 1)
			at += snprintf(list + at, sizeof(list) - at, "%s%d", at ? "," : "", s);
	return at ? list : "none";
}

static void print_disposition(int sig, const char *name)
{
	struct sigaction now;
	const char *handler;

	sigaction(sig, NULL, &now);
	handler = now.sa_handler == SIG_IGN ? "ignored" : now.sa_handler == SIG_DFL ? "default" : "a handler";
	printf("%s: %s, flags %#x, mask %s\n", name, handler, (unsigned int)now.sa_flags, others_in(&now.sa_mask, 0));
}

/*
 * What a program inherits from whoever starts it: SIGINT, SIGHUP and SIGUSR1
 * ignored, SIGUSR2 and SIGWINCH blocked; then execs the rest of the command
 * line, natively the program itself or mcexec running it.
 */
static int t_inherit(char **command)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) || signal(SIGINT, SIG_IGN) == SIG_ERR ||
	    signal(SIGHUP, SIG_IGN) == SIG_ERR || signal(SIGUSR1, SIG_IGN) == SIG_ERR)
		return failure("setting up the signals");
	execvp(command[0], command);
	return failure("execvp");
}

/* The signals blocked and those ignored, as this program started. */
static int t_inherited(void)
{
	sigset_t blocked, ignored;
	struct sigaction now;

	sigprocmask(SIG_SETMASK, NULL, &blocked);
	sigemptyset(&ignored);
	for (int s = 1; s < NSIG; s++)
		if (sigaction(s, NULL, &now) == 0 && now.sa_handler == SIG_IGN)
			sigaddset(&ignored, s);
	printf("blocked: %s\n", others_in(&blocked, 0));
	printf("ignored: %s\n", others_in(&ignored, 0));
	return 0;
}

static int t_signals_after(void)
{
	sigset_t blocked, pending, usr2;
	stack_t ss;

	sigprocmask(SIG_SETMASK, NULL, &blocked);
	sigpending(&pending);
	printf("SIGUSR2 blocked %s, others blocked: %s\n", yes(sigismember(&blocked, SIGUSR2)), others_in(&blocked, SIGUSR2));
	printf("SIGUSR2 pending %s, others pending: %s\n", yes(sigismember(&pending, SIGUSR2)), others_in(&pending, SIGUSR2));
	print_disposition(SIGUSR1, "SIGUSR1");
	print_disposition(SIGTERM, "SIGTERM");
	sigaltstack(NULL, &ss);
	printf("sigaltstack: %s\n", ss.ss_flags & SS_DISABLE ? "disabled" : "enabled");
	raise(SIGUSR1);
	printf("SIGUSR1 raised: still here\n");
	signal(SIGUSR2, on_usr2);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &usr2, NULL);
	printf("SIGUSR2 taken once unblocked %s\n", yes(usr2_taken));
	return 0;
}

/* ---- fds: O_CLOEXEC closes, the rest stays open, offsets and all ---- */

/*
 * Well above what the program opens: on the LWK the low numbers after 2 may
 * be mcexec's own, which the program cannot dup2 onto.
 */
#define KEPT_DUP	70	/* dup2 of the kept descriptor */
#define CLOSING_DUP	71	/* dup3 O_CLOEXEC of it */

static int t_fds(void)
{
	int kept = open(self, O_RDONLY), closing = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (kept < 0 || closing < 0)
		return failure("open");
	if (kept >= KEPT_DUP || closing >= KEPT_DUP) {
		printf("FAILED the descriptors opened are %d and %d, not below %d\n", kept, closing, KEPT_DUP);
		return 1;
	}
	if (dup2(kept, KEPT_DUP) != KEPT_DUP || dup3(kept, CLOSING_DUP, O_CLOEXEC) != CLOSING_DUP)
		return failure("dup2, dup3");
	/* the offset belongs to the open file, which fd 7 shares with kept */
	if (lseek(kept, 1, SEEK_SET) != 1)
		return failure("lseek");
	return exec_self("fds-after", number(kept), number(closing), NULL);
}

static void print_fd(const char *what, int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		printf("%s: closed (%s)\n", what, errno_name(errno));
	else
		printf("%s: open, FD_CLOEXEC %s\n", what, yes(flags & FD_CLOEXEC));
}

static int t_fds_after(int kept, int closing)
{
	char magic[4] = { 0 };

	print_fd("stdin", 0);
	print_fd("stdout", 1);
	print_fd("stderr", 2);
	print_fd("kept", kept);
	print_fd("O_CLOEXEC", closing);
	print_fd("dup2 of kept", KEPT_DUP);
	print_fd("dup3 O_CLOEXEC of kept", CLOSING_DUP);
	if (read(KEPT_DUP, magic, 3) != 3)
		return failure("read of the dup2");
	printf("the dup2 reads \"ELF\" from offset 1: %s\n", yes(!strcmp(magic, "ELF")));
	return 0;
}

/* ---- state: the directory, a resource limit, the umask ---- */

#define FILES_LIMIT	200

static int t_state(const char *dir)
{
	char *where = realpath(dir, NULL);
	struct rlimit files;

	if (!where || chdir(where) || getrlimit(RLIMIT_NOFILE, &files))
		return failure("realpath, chdir, getrlimit");
	files.rlim_cur = FILES_LIMIT;
	if (setrlimit(RLIMIT_NOFILE, &files))
		return failure("setrlimit");
	umask(027);
	return exec_self("state-after", where, NULL);
}

static int t_state_after(const char *where)
{
	char cwd[PATH_MAX];
	struct rlimit files;
	mode_t mask = umask(0);

	if (!getcwd(cwd, sizeof(cwd)) || getrlimit(RLIMIT_NOFILE, &files))
		return failure("getcwd, getrlimit");
	printf("cwd kept %s\n", yes(!strcmp(cwd, where)));
	printf("RLIMIT_NOFILE soft %llu\n", (unsigned long long)files.rlim_cur);
	printf("umask %03o\n", (unsigned int)mask);
	return 0;
}

/* ---- errors: every refusal, and the program goes on ---- */

static int wrong_errnos;

/* what failed with -1 and errno: prints its errno, which must be expected */
static void expect(const char *what, long rc, int expected)
{
	int err = errno;

	if (rc != -1) {
		printf("%s: returned %ld, FAILED\n", what, rc);
		wrong_errnos++;
	} else if (err != expected) {
		printf("%s: %s, expected %s; still here\n", what, errno_name(err), errno_name(expected));
		wrong_errnos++;
	} else {
		printf("%s: %s; still here\n", what, errno_name(err));
	}
}

/* dir/name, created anew with mode (umask aside) and holding text; its path */
static char *file_in(const char *dir, const char *name, const void *text, size_t bytes, mode_t mode)
{
	char *path = path_in(dir, name);
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, bytes) != (ssize_t)bytes || fchmod(fd, mode) || close(fd))
		exit(failure(path));
	return path;
}

static char *script_in(const char *dir, const char *name, const char *text)
{
	return file_in(dir, name, text, strlen(text), 0755);
}

/*
 * levels #! scripts in dir: loop1 names loop2 as its interpreter, and so on;
 * the last names this program with "loop-end".  Returns loop1's path.
 */
static char *script_chain_in(const char *dir, int levels)
{
	char name[16], line[PATH_MAX + 32];

	for (int level = 1; level <= levels; level++) {
		snprintf(name, sizeof(name), "loop%d", level);
		if (level < levels)
			snprintf(line, sizeof(line), "#!%s/loop%d\n", dir, level + 1);
		else
			snprintf(line, sizeof(line), "#!%s loop-end\n", self);
		free(script_in(dir, name, line));
	}
	return path_in(dir, "loop1");
}

/*
 * A copy of the dynamic program from whose PT_INTERP names a loader that does
 * not exist, in dir; its path, or NULL (said why) if from is not such a program.
 */
static char *missing_loader_in(const char *dir, const char *from)
{
	static const char missing[] = "/nonexistent/ld.so";
	static unsigned char image[4 << 20];
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	ssize_t bytes = fd < 0 ? -1 : read(fd, image, sizeof(image));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)image;

	if (fd >= 0)
		close(fd);
	if (bytes < (ssize_t)sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > (size_t)bytes ||
	    eh->e_phnum > ((size_t)bytes - eh->e_phoff) / sizeof(Elf64_Phdr)) {
		printf("missing loader: %s is not a 64-bit ELF program\n", from);
		return NULL;
	}
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(image + eh->e_phoff) + i;

		if (ph->p_type != PT_INTERP || ph->p_offset > (size_t)bytes || ph->p_filesz > (size_t)bytes - ph->p_offset ||
		    ph->p_filesz < sizeof(missing))
			continue;
		memset(image + ph->p_offset, 0, ph->p_filesz);
		memcpy(image + ph->p_offset, missing, sizeof(missing));
		return file_in(dir, "missing-loader", image, bytes, 0755);
	}
	printf("missing loader: %s has no PT_INTERP to change\n", from);
	return NULL;
}

/* An address with nothing mapped at it. */
static void *unmapped(void)
{
	void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED || munmap(page, 4096))
		exit(failure("mmap, munmap"));
	return page;
}

static long execve_raw(const void *path, const void *argv, const void *envp)
{
	fflush(stdout);
	return syscall(SYS_execve, path, argv, envp);
}

static long execveat_raw(int dirfd, const void *path, const void *argv, const void *envp, int flags)
{
	fflush(stdout);
	return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* What a path to this program cannot pass through: refusals of the target. */
static void target_errors(const char *dir, char *const argv[])
{
	char *plain = file_in(dir, "plain", "just text\n", 10, 0644);
	char *garbage = file_in(dir, "garbage", "\1\2\3 neither ELF nor #!\n", 24, 0755);
	char *through_file = path_in(plain, "x");
	char *noexec = path_in(dir, "noexec/exectest");
	char *loader = missing_loader_in(dir, "/usr/bin/echo");
	char long_name[PATH_MAX + 16];

	expect("missing file", execve_raw(path_in(dir, "missing"), argv, environ), ENOENT);
	expect("empty path", execve_raw("", argv, environ), ENOENT);
	expect("path through a regular file", execve_raw(through_file, argv, environ), ENOTDIR);
	expect("directory", execve_raw(dir, argv, environ), EACCES);
	expect("file without x bit", execve_raw(plain, argv, environ), EACCES);
	expect("garbage", execve_raw(garbage, argv, environ), ENOEXEC);
	expect("empty file", execve_raw(file_in(dir, "empty", "", 0, 0755), argv, environ), ENOEXEC);
	expect("#! without interpreter", execve_raw(script_in(dir, "no-interpreter", "#!\n"), argv, environ), ENOEXEC);
	expect("#! naming a missing interpreter",
	       execve_raw(script_in(dir, "missing-interpreter", "#!/nonexistent/sh\n"), argv, environ), ENOENT);
	expect("#! chain of 6 scripts", execve_raw(script_chain_in(dir, 6), argv, environ), ELOOP);
	if (loader)
		expect("missing PT_INTERP loader", execve_raw(loader, argv, environ), ENOENT);
	if (access(noexec, F_OK) == 0)
		expect("noexec mount", execve_raw(noexec, argv, environ), EACCES);
	else
		printf("noexec mount: %s is not there\n", noexec);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	expect("path longer than PATH_MAX", execve_raw(long_name, argv, environ), ENAMETOOLONG);
}

/* This program as the target, each time with one thing wrong in the call. */
static void argument_errors(char *const argv[])
{
	char *too_long = malloc(MAX_ARG_STRLEN + 1);
	const char *long_argv[] = { self, too_long, NULL };
	const char *long_envp[] = { too_long, NULL };
	void *bad = unmapped();
	const void *bad_entry[] = { self, bad, NULL };

	if (!too_long)
		exit(failure("malloc"));
	memset(too_long, 'x', MAX_ARG_STRLEN);
	too_long[MAX_ARG_STRLEN] = 0;
	expect("argument over MAX_ARG_STRLEN", execve_raw(self, long_argv, environ), E2BIG);
	memcpy(too_long, "LONG=", 5);
	expect("environment string over MAX_ARG_STRLEN", execve_raw(self, argv, long_envp), E2BIG);
	expect("argv unmapped", execve_raw(self, bad, environ), EFAULT);
	expect("argv with an unmapped string", execve_raw(self, bad_entry, environ), EFAULT);
	expect("envp unmapped", execve_raw(self, argv, bad), EFAULT);
	expect("envp with an unmapped string", execve_raw(self, argv, bad_entry), EFAULT);
	expect("path NULL", execve_raw(NULL, argv, environ), EFAULT);
	expect("path unmapped", execve_raw(bad, argv, environ), EFAULT);
	free(too_long);
}

/* execveat's own refusals: the directory descriptor, the flags, the symlink. */
static void execveat_errors(const char *dir, char *const argv[])
{
	int closed = dup(0), dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int file_fd = open(self, O_RDONLY | O_CLOEXEC);
	char *link = path_in(dir, "link");

	if (closed < 0 || close(closed) || dir_fd < 0 || file_fd < 0)
		exit(failure("dup, open"));
	unlink(link);
	if (symlink(self, link))
		exit(failure("symlink"));
	expect("execveat closed dirfd", execveat_raw(closed, "exectest", argv, environ, 0), EBADF);
	expect("execveat dirfd of a file", execveat_raw(file_fd, "exectest", argv, environ, 0), ENOTDIR);
	expect("execveat relative to a dirfd", execveat_raw(dir_fd, "garbage", argv, environ, 0), ENOEXEC);
	expect("execveat unknown flag", execveat_raw(AT_FDCWD, self, argv, environ, 0x1), EINVAL);
	expect("execveat AT_EMPTY_PATH of a directory", execveat_raw(dir_fd, "", argv, environ, AT_EMPTY_PATH), EACCES);
	expect("execveat empty path without AT_EMPTY_PATH", execveat_raw(file_fd, "", argv, environ, 0), ENOENT);
	expect("execveat AT_SYMLINK_NOFOLLOW of a symlink",
	       execveat_raw(AT_FDCWD, link, argv, environ, AT_SYMLINK_NOFOLLOW), ELOOP);
	close(file_fd);
	close(dir_fd);
}

static int t_errors(const char *dir)
{
	char *const argv[] = { (char *)self, "hello", "FAILED: the exec succeeded", NULL };
	struct sigaction now, sa = { .sa_handler = on_usr1 };
	int closing = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (closing < 0 || sigaction(SIGUSR1, &sa, NULL))
		return failure("open, sigaction");
	target_errors(dir, argv);
	argument_errors(argv);
	execveat_errors(dir, argv);
	/* a failed execve changed nothing: not the handlers, not the descriptors */
	sigaction(SIGUSR1, NULL, &now);
	printf("after the failures: SIGUSR1 handler kept %s, O_CLOEXEC descriptor open %s\n",
	       yes(now.sa_handler == on_usr1), yes(fcntl(closing, F_GETFD) == FD_CLOEXEC));
	return wrong_errnos ? 1 : 0;
}

/* ---- scripts ---- */

static int t_script(const char *dir)
{
	static const char text[] = "#!/bin/sh\n"
		"echo \"script: $# arguments\"\n"
		"for a in \"$@\"; do echo \"argument [$a]\"; done\n"
		"exit 7\n";
	char *script = script_in(dir, "args.sh", text);
	char *const argv[] = { "not the script's $0", "one", "two words", "", NULL };

	fflush(stdout);
	execve(script, argv, environ);
	return failure("execve of a script");
}

static int t_script_chain(const char *dir, int levels)
{
	char *first = script_chain_in(dir, levels);
	char *const argv[] = { first, "last argument", NULL };

	printf("a chain of %d #! scripts\n", levels);
	fflush(stdout);
	execve(first, argv, environ);
	return failure("execve of a script chain");
}

/* argv: self, loop-end, then the scripts innermost first, then the first one's arguments */
static int t_loop_end(int argc, char **argv)
{
	printf("loop-end:");
	for (int i = 2; i < argc; i++) {
		const char *slash = strrchr(argv[i], '/');

		printf(" [%s]", slash ? slash + 1 : argv[i]);
	}
	printf("\n");
	return 0;
}

/* ---- execveat of an open file ---- */

static int t_execveat(void)
{
	const char *argv[] = { self, "hello", number(getpid()), "via execveat AT_EMPTY_PATH", NULL };
	int fd = open(self, O_RDONLY);

	if (fd < 0)
		return failure("open");
	fflush(stdout);
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return failure("execveat");
}

static int t_hello(int argc, char **argv)
{
	printf("hello: pid kept %s:", yes(atoi(argv[2]) == getpid()));
	for (int i = 3; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	return 0;
}

/* ---- how the new program ends ---- */

static int t_exit(int code)
{
	printf("exiting with %d\n", code);
	return code;
}

static int t_kill(int sig)
{
	printf("killing myself with signal %d\n", sig);
	fflush(stdout);
	kill(getpid(), sig);
	printf("FAILED: alive after signal %d\n", sig);
	return 1;
}

/* ---- threads: the exec ends every other thread, its caller takes the pid ---- */

static pthread_mutex_t parking = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t parked_more = PTHREAD_COND_INITIALIZER, never = PTHREAD_COND_INITIALIZER;
static int parked;

static void park(int in_cond_wait)
{
	pthread_mutex_lock(&parking);
	parked++;
	pthread_cond_broadcast(&parked_more);
	if (in_cond_wait)
		for (;;)
			pthread_cond_wait(&never, &parking);
	pthread_mutex_unlock(&parking);
	for (;;)
		sleep(1000);
}

/* the odd ones sleep, the even ones wait for a condition variable */
static void *parked_thread(void *arg)
{
	park((long)arg % 2 == 0);
	return NULL;
}

/* Once the others are parked, execs after-threads with the pid from before. */
static void *exec_once_parked(void *wanted)
{
	struct timespec patience;

	clock_gettime(CLOCK_REALTIME, &patience);
	patience.tv_sec += 30;
	pthread_mutex_lock(&parking);
	while (parked < (long)wanted)
		if (pthread_cond_timedwait(&parked_more, &parking, &patience) == ETIMEDOUT) {
			printf("FAILED: %d of %ld threads parked\n", parked, (long)wanted);
			exit(1);
		}
	pthread_mutex_unlock(&parking);
	exit(exec_self("after-threads", number(getpid()), NULL));
}

static int t_threads(int n, int from_main)
{
	pthread_t thread;

	printf("threads: %d, the %s one execs\n", n, from_main ? "main" : "last started");
	for (long i = 1; i < n; i++) {
		int last = i == n - 1 && !from_main;
		int err = pthread_create(&thread, NULL, last ? exec_once_parked : parked_thread,
					 (void *)(last ? (long)n - 1 : i));

		if (err) {
			printf("FAILED pthread_create of thread %ld: %s\n", i + 1, errno_name(err));
			return 1;
		}
	}
	if (from_main)
		exec_once_parked((void *)(long)(n - 1));
	park(1);
	return 1;
}

static int t_after_threads(const char *pid)
{
	printf("after exec from a thread: pid kept %s, getpid == gettid %s\n",
	       yes(atoi(pid) == getpid()), yes(getpid() == (pid_t)syscall(SYS_gettid)));
	printf("ok\n");
	return 0;
}

/* ---- dynamic programs ---- */

static int t_dynamic(void)
{
	char *const argv[] = { "echo", "dynamic echo:", "two words", "", "end", NULL };

	fflush(stdout);
	execve("/usr/bin/echo", argv, environ);
	return failure("execve of /usr/bin/echo");
}

static int t_dynamic_env(void)
{
	char *const argv[] = { "env", NULL };
	char *const envp[] = { "EXECTEST_A=1", "EXECTEST_B=two words", "EXECTEST_C=", NULL };

	fflush(stdout);
	execve("/usr/bin/env", argv, envp);
	return failure("execve of /usr/bin/env");
}

static int usage(void)
{
	fprintf(stderr, "usage: exectest chain N | signals | fds | state DIR | errors DIR | script DIR |"
		" script-chain DIR N | execveat | inherit CMD... | inherited | status CODE | die SIG | threads N [main|other] |"
		" dynamic | dynamic-env  (started by a path with a '/')\n");
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
	if (!strcmp(c, "chain") && arg && atoi(arg) > 0)
		return t_chain(atoi(arg));
	if (!strcmp(c, "chain-step") && argc >= 6)
		return t_chain_step(argc, argv);
	if (!strcmp(c, "signals"))
		return t_signals();
	if (!strcmp(c, "signals-after"))
		return t_signals_after();
	if (!strcmp(c, "inherit") && arg)
		return t_inherit(argv + 2);
	if (!strcmp(c, "inherited"))
		return t_inherited();
	if (!strcmp(c, "fds"))
		return t_fds();
	if (!strcmp(c, "fds-after") && argc == 4)
		return t_fds_after(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(c, "state") && arg)
		return t_state(arg);
	if (!strcmp(c, "state-after") && arg)
		return t_state_after(arg);
	if (!strcmp(c, "errors") && arg)
		return t_errors(arg);
	if (!strcmp(c, "script") && arg)
		return t_script(arg);
	if (!strcmp(c, "script-chain") && argc == 4 && atoi(argv[3]) > 0)
		return t_script_chain(arg, atoi(argv[3]));
	if (!strcmp(c, "loop-end"))
		return t_loop_end(argc, argv);
	if (!strcmp(c, "execveat"))
		return t_execveat();
	if (!strcmp(c, "hello") && arg)
		return t_hello(argc, argv);
	if (!strcmp(c, "status") && arg)
		return exec_self("exit", arg, NULL);
	if (!strcmp(c, "exit") && arg)
		return t_exit(atoi(arg));
	if (!strcmp(c, "die") && arg)
		return exec_self("kill", arg, NULL);
	if (!strcmp(c, "kill") && arg)
		return t_kill(atoi(arg));
	if (!strcmp(c, "threads") && arg && atoi(arg) >= 2 && atoi(arg) <= 16 &&
	    (argc == 3 || !strcmp(argv[3], "main") || !strcmp(argv[3], "other")))
		return t_threads(atoi(arg), argc > 3 && !strcmp(argv[3], "main"));
	if (!strcmp(c, "after-threads") && arg)
		return t_after_threads(arg);
	if (!strcmp(c, "dynamic"))
		return t_dynamic();
	if (!strcmp(c, "dynamic-env"))
		return t_dynamic_env();
	return usage();
}

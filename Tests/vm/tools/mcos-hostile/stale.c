// SPDX-License-Identifier: GPL-2.0
/*
 * stale.c - "stale IDX": no mapping of an LWK process's frames outlives
 * the process, whoever holds it: a child forked after MADV_DOFORK, a
 * process that got the file by SCM_RIGHTS or by inheritance, a moved
 * mapping, threads faulting while the process ends.  Pages of an ended
 * process never show a later program's data, even before its EXIT is read.  And the system call number
 * 2^32 + 9 never reaches the proxy as 9.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "tests.h"

/* ---- another process with (or without) a view of the range ---- */

/*
 * A child that maps nothing of its own in the range.  It answers each
 * command byte on its socket: 'm' try to map the range from fd at
 * offset (answers the errno, 0 if it mapped), 's' scan the data pages
 * (answers a struct scan), 'q' quit.
 */
struct peer {
	pid_t pid;
	int sock;
};

static void peer_serve(int sock, int fd, uint64_t offset, uint32_t serial)
{
	struct scan s;
	char cmd;
	int err;
	void *got;

	while (read(sock, &cmd, 1) == 1) {
		switch (cmd) {
		case 'm':
			got = mmap((void *)(uintptr_t)MCOS_USER_START, RANGE_BYTES,
				   PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED_NOREPLACE, fd, (off_t)offset);
			err = got == MAP_FAILED ? errno : 0;
			if (write(sock, &err, sizeof(err)) != sizeof(err))
				_exit(1);
			break;
		case 's':
			scan_data(serial, &s);
			if (write(sock, &s, sizeof(s)) != sizeof(s))
				_exit(1);
			break;
		default:
			_exit(0);
		}
	}
	_exit(0);
}

/* Receive one descriptor over a unix socket. */
static int receive_fd(int sock)
{
	char data, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static void send_fd(int sock, int fd)
{
	char data = 0, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sock, &msg, 0) != 1)
		die("sendmsg: %s", strerror(errno));
}

/*
 * fd >= 0: a forked child that inherits it.  fd < 0: a process forked
 * now, before the file exists, that gets it later by SCM_RIGHTS
 * (peer_give), as an unrelated process would.
 */
static void peer_fork(struct peer *peer, int fd, uint64_t offset, uint32_t serial)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair: %s", strerror(errno));
	peer->pid = fork();
	if (peer->pid < 0)
		die("fork: %s", strerror(errno));
	if (!peer->pid) {
		close(sv[0]);
		if (fd < 0) {
			fd = receive_fd(sv[1]);
			if (read(sv[1], &offset, sizeof(offset)) != sizeof(offset))
				_exit(1);
		}
		peer_serve(sv[1], fd, offset, serial);
	}
	close(sv[1]);
	peer->sock = sv[0];
}

static void peer_give(struct peer *peer, int fd, uint64_t offset)
{
	send_fd(peer->sock, fd);
	if (write(peer->sock, &offset, sizeof(offset)) != sizeof(offset))
		die("write: %s", strerror(errno));
}

static void peer_ask(struct peer *peer, char cmd, void *answer, size_t len)
{
	if (write(peer->sock, &cmd, 1) != 1 || read(peer->sock, answer, len) != (ssize_t)len)
		die("peer %d does not answer", peer->pid);
}

static void peer_scan(struct peer *peer, struct scan *s)
{
	peer_ask(peer, 's', s, sizeof(*s));
}

static void peer_quit(struct peer *peer)
{
	char q = 'q';
	int status;

	if (write(peer->sock, &q, 1) != 1)
		kill(peer->pid, SIGKILL);
	close(peer->sock);
	waitpid(peer->pid, &status, 0);
}

/* A peer's view after its program ended (and maybe a later one wrote its own). */
static void expect_blind(const char *who, const struct scan *s)
{
	if (s->foreign)
		failed("%s: reads a later program's data (serial %u) through a stale mapping",
		       who, s->foreign_serial);
	else if (s->readable)
		failed("%s: still reads %u pages of an ended process", who, s->readable);
	else
		pass("%s: no page of the ended process is readable", who);
}

static void launch_or_die(struct lwk_process *p, int os, int cpu, enum program program,
			  uint32_t serial)
{
	int err = proc_launch(p, os, cpu, program, serial);

	if (err)
		die("launching a program (serial %u): %s", serial, errname(-err));
}

static void end_or_die(struct lwk_process *p)
{
	int err = proc_end(p);

	if (err)
		die("ending the program (serial %u): %s", p->serial, errname(-err));
}

/* ---- the checks ---- */

/* fork after MADV_DOFORK: refused, and the child never sees the frames. */
static void check_dofork(int os)
{
	struct lwk_process p, later;
	struct peer child;
	struct scan s;
	int err;

	if (proc_open(&p, os) || proc_create(&p, -1) || proc_map_range(&p) ||
	    proc_load(&p, PROGRAM_SPIN, 1))
		die("setting up the MADV_DOFORK program: %s", strerror(errno));
	err = madvise((void *)(uintptr_t)DATA_ADDR, DATA_PAGES * PAGE, MADV_DOFORK) ? errno : 0;
	if (err == EINVAL)
		pass("madvise(MADV_DOFORK) on the mapping: EINVAL");
	else
		failed("madvise(MADV_DOFORK) on the mapping: %s, expected EINVAL", errname(err));
	err = madvise((void *)(uintptr_t)MCOS_USER_START, RANGE_BYTES, MADV_DOFORK) ? errno : 0;
	if (err != EINVAL)
		failed("madvise(MADV_DOFORK) on the whole range: %s, expected EINVAL", errname(err));
	err = proc_start(&p);
	if (err)
		die("start: %s", errname(-err));

	peer_fork(&child, p.fd, p.map_offset, 1);
	peer_scan(&child, &s);
	if (s.readable)
		failed("a forked child reads %u pages of its parent's LWK process", s.readable);
	end_or_die(&p);
	peer_scan(&child, &s);
	expect_blind("forked child, after the process ended", &s);

	/* a later program on the same CPU, likely on the same frames */
	proc_close(&p);
	launch_or_die(&later, os, p.cpu, PROGRAM_SPIN, 2);
	peer_scan(&child, &s);
	expect_blind("forked child, while a later program runs", &s);
	end_or_die(&later);
	proc_close(&later);
	peer_quit(&child);
}

/* Another process with the file, inherited or received, cannot map it. */
static void check_other_mm(int os)
{
	struct peer received, inherited;
	struct lwk_process p, later;
	struct scan s;
	int err_r, err_i;

	peer_fork(&received, -1, 0, 3);
	launch_or_die(&p, os, -1, PROGRAM_SPIN, 3);
	peer_give(&received, p.fd, p.map_offset);
	peer_fork(&inherited, p.fd, p.map_offset, 3);
	peer_ask(&received, 'm', &err_r, sizeof(err_r));
	peer_ask(&inherited, 'm', &err_i, sizeof(err_i));
	if (err_r)
		pass("a process that got the file by SCM_RIGHTS cannot map it: %s", errname(err_r));
	else
		failed("a process that got the file by SCM_RIGHTS mapped its range");
	if (err_i)
		pass("a child that inherited the file cannot map it: %s", errname(err_i));
	else
		failed("a child that inherited the file mapped its range");
	/* what a peer that did map it reads now, it has mapped */
	if (!err_r)
		peer_scan(&received, &s);
	if (!err_i)
		peer_scan(&inherited, &s);

	end_or_die(&p);
	proc_close(&p);
	launch_or_die(&later, os, p.cpu, PROGRAM_SPIN, 4);
	if (!err_r) {
		peer_scan(&received, &s);
		expect_blind("the SCM_RIGHTS process, after the process ended", &s);
	}
	if (!err_i) {
		peer_scan(&inherited, &s);
		expect_blind("the inheriting child, after the process ended", &s);
	}
	end_or_die(&later);
	proc_close(&later);
	peer_quit(&received);
	peer_quit(&inherited);
}

/* Free address space of ours, as large as the range: just above it. */
#define ABOVE_RANGE	(MCOS_USER_END + (1ull << 40))

/* The mapping cannot move. */
static void check_mremap(int os)
{
	struct lwk_process p;
	void *spare, *moved;
	int err;

	launch_or_die(&p, os, -1, PROGRAM_SPIN, 5);
	spare = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (spare == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	moved = mremap((void *)(uintptr_t)DATA_ADDR, PAGE, PAGE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, spare);
	err = moved == MAP_FAILED ? errno : 0;
	if (err)
		pass("mremap of a page of the mapping: %s", errname(err));
	else
		failed("mremap moved a page of the mapping out of the unified range");
	moved = mremap((void *)(uintptr_t)MCOS_USER_START, RANGE_BYTES, RANGE_BYTES,
		       MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(uintptr_t)ABOVE_RANGE);
	if (moved == MAP_FAILED) {
		pass("mremap of the whole mapping: %s", errname(errno));
	} else {
		failed("mremap moved the whole mapping to %p", moved);
		munmap(moved, RANGE_BYTES);
	}
	end_or_die(&p);
	proc_close(&p);
	munmap(spare, PAGE);
}

/* Threads fault on the pages while the process ends. */
struct reader {
	pthread_t thread;
	volatile int *phase;	/* 1 reading, 2 the process has ended */
	uint32_t serial;
	unsigned int rounds, foreign, readable_after;
	uint32_t foreign_serial;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	struct scan s;

	while (*r->phase == 1) {
		scan_data(r->serial, &s);
		r->rounds++;
		if (s.foreign) {
			r->foreign += s.foreign;
			r->foreign_serial = s.foreign_serial;
		}
	}
	scan_data(r->serial, &s);
	r->readable_after = s.readable;
	r->foreign += s.foreign;
	return NULL;
}

static void check_threads(int os)
{
	struct reader readers[4];
	volatile int phase = 1;
	struct lwk_process p;
	unsigned int i, readable = 0, foreign = 0, rounds = 0;
	uint64_t word;
	int signal;

	launch_or_die(&p, os, -1, PROGRAM_SPIN, 6);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = (struct reader){ .phase = &phase, .serial = 6 };
		pthread_create(&readers[i].thread, NULL, reader_run, &readers[i]);
	}
	usleep(300 * 1000);
	end_or_die(&p);
	phase = 2;
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		pthread_join(readers[i].thread, NULL);
		readable += readers[i].readable_after;
		foreign += readers[i].foreign;
		rounds += readers[i].rounds;
	}
	printf("# %zu threads read the pages %u times while the process ended\n",
	       ARRAY_SIZE(readers), rounds);
	if (foreign)
		failed("threads saw %u words of another program", foreign);
	if (readable)
		failed("threads still read %u pages after the process ended", readable);
	else
		pass("threads faulting while the process ended: no page readable after its EXIT");
	signal = guarded_read(DATA_ADDR, &word);
	if (signal == SIGBUS)
		pass("a read after the process ended: SIGBUS");
	else
		failed("a read after the process ended: %s", signal ? strsignal(signal) : "read");
	proc_close(&p);
}

/*
 * A request that the CPU of an ending process refuses (-EBUSY) while the
 * end waits for its INVALIDATE_ACK returns with that answer and leaves the
 * EXIT unread: until an ioctl reads it the module takes the process for
 * alive, and a fault walks its page tables.  Another mm launches a program
 * on the other CPU meanwhile; the pages of the ended one must never show it.
 */
static void check_exit_unread(int os)
{
	unsigned int round, unread = 0, foreign = 0, readable = 0;
	struct lwk_process p, later;
	int ready[2], go[2], err, status;
	struct scan s;
	pid_t child;
	char byte;

	for (round = 0; round < 10; round++) {
		if (pipe(ready) || pipe(go))
			die("pipe: %s", strerror(errno));
		err = proc_open(&p, os);
		if (!err)
			err = proc_create(&p, -1);
		if (!err)
			err = proc_map_range(&p);
		if (!err)
			err = proc_load(&p, PROGRAM_SPIN, 10 + round);
		if (!err)
			err = proc_kill(&p, SIGKILL);
		if (err)
			die("a program killed before START: %s", errname(-err));
		unread += proc_load(&p, PROGRAM_SPIN, 10 + round) == -EBUSY;
		child = fork();
		if (child < 0)
			die("fork: %s", strerror(errno));
		if (!child) {
			launch_or_die(&later, os, -1, PROGRAM_SPIN, 100 + round);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &byte, 1) != 1)
				_exit(1);
			end_or_die(&later);
			proc_close(&later);
			_exit(0);
		}
		close(ready[1]);
		close(go[0]);
		if (read(ready[0], &byte, 1) == 1) {
			scan_data(p.serial, &s);
			foreign += s.foreign;
			readable += s.readable;
		} else {
			failed("round %u: no later program to look for", round);
		}
		if (write(go[1], "g", 1) != 1)
			die("pipe: %s", strerror(errno));
		waitpid(child, &status, 0);
		close(ready[0]);
		close(go[1]);
		proc_close(&p);
	}
	printf("# %u of %u requests after a KILL came back -EBUSY, the EXIT unread\n",
	       unread, round);
	if (foreign)
		failed("an ended program's pages showed %u words of a later one before its EXIT was read",
		       foreign);
	else if (readable)
		failed("an ended program's %u pages were readable before its EXIT was read", readable);
	else
		pass("an ended program whose EXIT is unread: no page readable, none of a later program");
}

static bool saw_number_9;

static int64_t big_number_syscall(const struct mcos_proc_event *ev)
{
	if (ev->number == 9)
		saw_number_9 = true;
	return -ENOSYS;
}

/* 2^32 + 9 is not 9 for the proxy. */
static void check_big_number(int os)
{
	struct lwk_process p;
	int err;

	launch_or_die(&p, os, -1, PROGRAM_BIG_NUMBER, 7);
	err = proc_wait_exit(&p, 20, big_number_syscall);
	if (err)
		failed("the program calling 2^32 + 9 did not end: %s", errname(-err));
	else if (saw_number_9)
		failed("system call number 2^32 + 9 reached the proxy as 9 (mmap)");
	else
		pass("system call number 2^32 + 9 never reached the proxy as 9 (exit status %#x)",
		     p.status);
	proc_close(&p);
}

int check_stale(int os)
{
	guard_install();
	check_dofork(os);
	check_other_mm(os);
	check_mremap(os);
	check_threads(os);
	check_exit_unread(os);
	check_big_number(os);
	return failures ? 1 : 0;
}

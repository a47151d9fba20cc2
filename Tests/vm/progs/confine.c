// SPDX-License-Identifier: GPL-2.0
/*
 * confine - a static program that tries, through the system calls mcexec
 * performs for it, to reach mcexec itself: its memory (pointers beyond the
 * unified range, an iovec with one bad entry, a string that runs off the
 * range's end, /proc/self/mem), its /dev/mcosN descriptor (directly, passed
 * as SCM_RIGHTS, taken with pidfd_getfd) and its process (seccomp, prctl,
 * personality, process_vm_readv).  Run on the LWK through mcexec by
 * Tests/vm/scenarios/78-mcexec-confine.sh: every attempt must fail with the
 * errno named here, and mcexec must go on serving the program.  Natively
 * most of them succeed, since there the memory and the process are the
 * program's own.
 *
 * Prints "ok NAME" or "ESCAPED NAME: ..." per attempt; exits with the number
 * of escapes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../../../kmod/mcos_abi.h"

static int escapes;

/* expect NAME: the call returned r (-1 and errno on failure); it must
 * have failed with errno 'want'. */
static void expect(const char *name, long r, int want)
{
	if (r == -1 && errno == want) {
		printf("ok %s (%s)\n", name, strerror(want));
		return;
	}
	printf("ESCAPED %s: returned %ld (%s), expected %s\n", name, r,
	       r == -1 ? strerror(errno) : "success", strerror(want));
	escapes++;
}

/* The first private writable mapping of mcexec's, above the unified range:
 * its heap if it has one (on the LWK, /proc/self/maps is mcexec's). */
static int mcexec_memory(uint64_t *start, uint64_t *end)
{
	char maps[65536], *line;
	ssize_t n, got = 0;
	int fd = open("/proc/self/maps", O_RDONLY);
	uint64_t s, e;
	char perms[8];
	int found = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, maps + got, sizeof(maps) - 1 - got)) > 0)
		got += n;
	close(fd);
	maps[got] = 0;
	for (line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3 || s < MCOS_USER_END ||
		    strcmp(perms, "rw-p"))
			continue;
		if (!found || strstr(line, "[heap]")) {
			*start = s;
			*end = e;
			found = 1;
		}
		if (strstr(line, "[heap]"))
			break;
	}
	return found ? 0 : -1;
}

/* The descriptor whose link names /dev/mcos<N>: mcexec's own. */
static int mcexec_descriptor(void)
{
	char path[64], target[64];
	int fd;

	for (fd = 0; fd < 65536; fd++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (!strncmp(target, "/dev/mcos", 9) && strcmp(target, "/dev/mcos-ctl"))
			return fd;
	}
	return -1;
}

static int nonempty(int fd)
{
	char c;

	return read(fd, &c, 1) > 0;
}

static void memory_attempts(void)
{
	uint64_t start, end;
	char good[16] = "program's bytes";
	struct iovec iov[2];
	int p[2];

	if (mcexec_memory(&start, &end)) {
		printf("ESCAPED maps: no mapping of mcexec's above the range in /proc/self/maps\n");
		escapes++;
		return;
	}
	printf("mcexec memory at 0x%lx-0x%lx\n", start, end);
	if (pipe2(p, O_NONBLOCK)) {
		perror("pipe2");
		exit(100);
	}
	expect("write from mcexec's memory", write(p[1], (void *)start, 16), EFAULT);
	write(p[1], "XXXXXXXX", 8);
	expect("read into mcexec's memory", read(p[0], (void *)(end - 8), 8), EFAULT);
	while (nonempty(p[0]))
		;
	iov[0].iov_base = good;
	iov[0].iov_len = sizeof(good);
	iov[1].iov_base = (void *)start;
	iov[1].iov_len = 16;
	expect("writev with one iovec in mcexec's memory", writev(p[1], iov, 2), EFAULT);
	if (nonempty(p[0])) {
		printf("ESCAPED writev: wrote part of its buffers\n");
		escapes++;
	}
	close(p[0]);
	close(p[1]);

	expect("open /proc/self/mem", open("/proc/self/mem", O_RDWR), EACCES);
	expect("open /proc/thread-self/mem", open("/proc/thread-self/mem", O_RDONLY), EACCES);
	{
		char local[16];
		struct iovec mine = { local, sizeof(local) }, theirs = { (void *)start, 16 };

		/* the LWK copies cross-memory itself, from the program's own pages only */
		expect("process_vm_readv of itself at mcexec's memory",
		       syscall(SYS_process_vm_readv, getpid(), &mine, 1, &theirs, 1, 0), EFAULT);
	}
}

/* A path filling the range's last page, without a NUL before its end:
 * Linux would read on into whatever mcexec has above the range. */
static void string_attempt(void)
{
	char *last = mmap((void *)(MCOS_USER_END - 4096), 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (last == MAP_FAILED) {
		printf("ok path past the range end (the LWK does not map its last page: %s)\n", strerror(errno));
		return;
	}
	memset(last, 'a', 4096);
	expect("path running past the range end", open(last + 4096 - 3, O_RDONLY), EFAULT);
	last[4095] = 0;
	if (open(last + 4096 - 3, O_RDONLY) != -1 || errno != ENOENT) {
		printf("ESCAPED path ending at the range end: %s, expected ENOENT\n", strerror(errno));
		escapes++;
	} else {
		printf("ok path ending just before the range end (ENOENT)\n");
	}
	munmap(last, 4096);
}

static void descriptor_attempts(void)
{
	int own = mcexec_descriptor(), pair[2], pidfd;
	char byte = 0, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cmsg;

	if (own < 0) {
		printf("ESCAPED descriptor: mcexec's /dev/mcosN not found in /proc/self/fd\n");
		escapes++;
		return;
	}
	printf("mcexec's descriptor is %d\n", own);
	expect("fcntl on mcexec's descriptor", fcntl(own, F_GETFD), EBADF);
	expect("dup of mcexec's descriptor", dup(own), EBADF);
	expect("ioctl on mcexec's descriptor", ioctl(own, 0, 0), EBADF);
	expect("close of mcexec's descriptor", close(own), EBADF);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair)) {
		perror("socketpair");
		exit(100);
	}
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &own, sizeof(int));
	expect("SCM_RIGHTS of mcexec's descriptor", sendmsg(pair[0], &msg, 0), EBADF);
	close(pair[0]);
	close(pair[1]);

	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0) {
		printf("pidfd_open: %s\n", strerror(errno));
		exit(100);
	}
	expect("pidfd_getfd of mcexec's descriptor", syscall(SYS_pidfd_getfd, pidfd, own, 0), ENOSYS);
	close(pidfd);
}

static void process_attempts(void)
{
	expect("seccomp strict mode", syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL), ENOSYS);
	expect("prctl PR_SET_SECCOMP", prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0), EINVAL);
	expect("prctl PR_SET_TSC", prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0), EINVAL);
	expect("personality READ_IMPLIES_EXEC", syscall(SYS_personality, READ_IMPLIES_EXEC), EINVAL);
	expect("remap_file_pages", syscall(SYS_remap_file_pages, 0x400000, 4096, 0, 0, 0), ENOSYS);
	expect("restart_syscall", syscall(SYS_restart_syscall), ENOSYS);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	memory_attempts();
	string_attempt();
	descriptor_attempts();
	process_attempts();
	printf("mcexec still serves: %s\n", escapes ? "with escapes" : "confined");
	return escapes;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * stall.c - "stall IDX": every call open to anyone, made with its user
 * buffer on a userfaultfd page that is never served, so the module's copy
 * to or from it waits for ever.  Prints what each call does ("stalled in
 * a user copy", "returned ...", or "blocked" when it waits for something
 * else), then "ready", and waits to be killed.  Meanwhile root's queries,
 * changes and teardown must go through: the scenario checks that.
 * Needs vm.unprivileged_userfaultfd = 1 for a user other than root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "tests.h"

struct stalled_call {
	const char *name;
	int (*call)(struct stalled_call *c);
	int fd;
	void *page;		/* never served */
	pthread_t thread;
	volatile int done;
	int err;
	bool faulted;
};

static int ret_errno(int ret)
{
	return ret < 0 ? errno : 0;
}

static int call_info(struct stalled_call *c)
{
	return ret_errno(ioctl(c->fd, MCOS_IOC_GET_INFO, c->page));
}

static int call_query_cpus(struct stalled_call *c)
{
	struct mcos_cpu_query q = {
		.size = sizeof(q), .capacity = 4, .info_ptr = (uintptr_t)c->page,
	};

	return ret_errno(ioctl(c->fd, MCOS_IOC_QUERY_CPUS, &q));
}

static int call_query_mem(struct stalled_call *c)
{
	struct mcos_mem_query q = {
		.size = sizeof(q), .capacity = 4, .node = -1,
		.chunks_ptr = (uintptr_t)c->page,
	};

	return ret_errno(ioctl(c->fd, MCOS_IOC_QUERY_MEM, &q));
}

static int call_query_node(struct stalled_call *c)
{
	return ret_errno(ioctl(c->fd, MCOS_IOC_QUERY_NODE, c->page));
}

static int call_status(struct stalled_call *c)
{
	return ret_errno(ioctl(c->fd, MCOS_IOC_STATUS, c->page));
}

static int call_kmsg(struct stalled_call *c)
{
	struct mcos_kmsg_read r = {
		.size = sizeof(r), .buf_ptr = (uintptr_t)c->page, .buf_len = PAGE,
	};

	return ret_errno(ioctl(c->fd, MCOS_IOC_KMSG_READ, &r));
}

static int call_read(struct stalled_call *c)
{
	return ret_errno(read(c->fd, c->page, PAGE));
}

static void *stalled_run(void *arg)
{
	struct stalled_call *c = arg;

	c->err = c->call(c);
	c->done = 1;
	return NULL;
}

/* A userfaultfd over 'pages' fresh anonymous pages, never served. */
static int unserved_pages(unsigned int pages, char **area)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0)
		die("userfaultfd: %s (set vm.unprivileged_userfaultfd = 1)", strerror(errno));
	if (ioctl(uffd, UFFDIO_API, &api))
		die("UFFDIO_API: %s", strerror(errno));
	*area = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*area == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	reg.range.start = (uintptr_t)*area;
	reg.range.len = pages * PAGE;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER: %s", strerror(errno));
	return uffd;
}

/* Note which calls' pages the kernel faulted on. */
static void collect_faults(int uffd, char *area, struct stalled_call *calls,
			   unsigned int n)
{
	struct uffd_msg msg;
	unsigned int i;

	while (read(uffd, &msg, sizeof(msg)) == sizeof(msg)) {
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		i = (msg.arg.pagefault.address - (uintptr_t)area) / PAGE;
		if (i < n)
			calls[i].faulted = true;
	}
}

static bool settled(struct stalled_call *calls, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!calls[i].done && !calls[i].faulted)
			return false;
	return true;
}

int check_stall(int os)
{
	struct stalled_call calls[] = {
		{ .name = "GET_INFO", .call = call_info },
		{ .name = "QUERY_CPUS", .call = call_query_cpus },
		{ .name = "QUERY_MEM", .call = call_query_mem },
		{ .name = "QUERY_NODE", .call = call_query_node },
		{ .name = "STATUS", .call = call_status },
		{ .name = "KMSG_READ", .call = call_kmsg },
		{ .name = "read()", .call = call_read },
	};
	unsigned int n = ARRAY_SIZE(calls), i, waited;
	char path[64], *area;
	int ctl, dev, uffd;

	ctl = open(MCOS_CTL_DEVICE, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), MCOS_OS_DEVICE_FMT, os);
	dev = open(path, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || dev < 0)
		die("open: %s", strerror(errno));
	uffd = unserved_pages(n, &area);
	for (i = 0; i < n; i++) {
		calls[i].fd = i < 4 ? ctl : dev;
		calls[i].page = area + i * PAGE;
		pthread_create(&calls[i].thread, NULL, stalled_run, &calls[i]);
		/* one at a time, so that each shows what it does alone */
		for (waited = 0; waited < 50 && !calls[i].done && !calls[i].faulted; waited++) {
			usleep(100 * 1000);
			collect_faults(uffd, area, calls, n);
		}
	}
	for (waited = 0; waited < 50 && !settled(calls, n); waited++) {
		usleep(100 * 1000);
		collect_faults(uffd, area, calls, n);
	}
	for (i = 0; i < n; i++) {
		if (calls[i].done)
			printf("%s: returned %s\n", calls[i].name, errname(calls[i].err));
		else if (calls[i].faulted)
			printf("%s: stalled in a user copy\n", calls[i].name);
		else
			printf("%s: blocked\n", calls[i].name);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

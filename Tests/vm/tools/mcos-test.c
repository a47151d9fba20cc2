// SPDX-License-Identifier: GPL-2.0
/*
 * mcos-test - issue each mcos ioctl from the command line (test tool until
 * the Swift client exists).  Build: gcc -static -O2 -Wall -o mcos-test mcos-test.c
 *
 * Usage: mcos-test [-u UID] [-e ERRNO] COMMAND [ARGS...]
 *   -u UID    drop to UID/GID before opening the device (e.g. 65534)
 *   -e ERRNO  the command must fail with ERRNO (name like EPERM or number);
 *             exit 0 if it does, 1 if it succeeds or fails otherwise
 * Exit: 0 as expected, 1 unexpected result, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../../kmod/mcos_abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int expect_errno;	/* 0: expect success */

static const struct {
	const char *name;
	int value;
} errnames[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY }, { "EINVAL", EINVAL }, { "ENOMEM", ENOMEM },
	{ "ENOSPC", ENOSPC }, { "ENOTTY", ENOTTY }, { "ENOEXEC", ENOEXEC },
	{ "ENOSYS", ENOSYS }, { "ENODEV", ENODEV }, { "EACCES", EACCES },
	{ "EOVERFLOW", EOVERFLOW }, { "EIO", EIO },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ETIMEDOUT", ETIMEDOUT },
	{ "ENOTCONN", ENOTCONN },
};

static const char *errname(int e)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (errnames[i].value == e)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

static int parse_errno(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (!strcmp(errnames[i].name, s))
			return errnames[i].value;
	return atoi(s);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mcos-test [-u UID] [-e ERRNO] COMMAND [ARGS]\n"
		"  info | query | node NODE\n"
		"  reserve-cpus LIST | release-cpus LIST|all\n"
		"  reserve-mem NODE SIZE [MIN_ORDER] | release-mem NODE|all\n"
		"  setup CPULIST SIZE@NODE...   (reserve, rolling back on failure)\n"
		"  create | destroy N | status N\n"
		"  assign-cpus N LIST | unassign-cpus N LIST|all\n"
		"  assign-mem N NODE SIZE|all | unassign-mem N NODE|all\n"
		"  load N FILE | kargs N STRING | boot N | shutdown N\n"
		"  kmsg N | read N | kmsg-clear N | ping N\n"
		"  proc-rules N running|stopped\n"
		"  fuzz\n"
		"  tgkill PID TID SIGNAL       (a signal for one thread, as tgkill(2))\n"
		"  foreground PROGRAM [ARGS]   (exec it with every signal default\n"
		"                               and unblocked, as a terminal's\n"
		"                               foreground job gets it)\n");
	exit(2);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mcos-test: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* ---- parsing ---- */

static unsigned long long parse_size(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad size '%s'", s);
	switch (*end) {
	case 'G': case 'g': v <<= 30; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'K': case 'k': v <<= 10; end++; break;
	}
	if (*end)
		die("bad size '%s'", s);
	return v;
}

static long parse_long(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end)
		die("bad number '%s'", s);
	return v;
}

/* "2-3,5" -> array; returns count. */
static unsigned int parse_cpus(const char *s, uint32_t *cpus, unsigned int max)
{
	unsigned int n = 0;
	long a, b;
	char *end;

	while (*s) {
		a = strtol(s, &end, 10);
		if (end == s || a < 0)
			die("bad cpu list");
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				die("bad cpu list");
		}
		for (; a <= b; a++) {
			if (n == max)
				die("cpu list too long");
			cpus[n++] = (uint32_t)a;
		}
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			die("bad cpu list");
	}
	if (!n)
		die("empty cpu list");
	return n;
}

/* ---- device access ---- */

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == EACCES)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mcos-test: open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static int open_ctl(void)
{
	return open_dev(MCOS_CTL_DEVICE);
}

static int open_os(const char *idx)
{
	char path[64];

	snprintf(path, sizeof(path), MCOS_OS_DEVICE_FMT, (unsigned int)parse_long(idx));
	return open_dev(path);
}

/*
 * Report an ioctl's result against what was expected and exit on
 * mismatch; returns 1 if the call succeeded (caller goes on printing).
 */
static int check(const char *what, int ret)
{
	int e = errno;

	if (ret >= 0 && !expect_errno)
		return 1;
	if (ret < 0 && e == expect_errno) {
		printf("%s: %s as expected\n", what, errname(e));
		exit(0);
	}
	if (ret >= 0)
		fprintf(stderr, "mcos-test: %s: succeeded, expected %s\n", what,
			errname(expect_errno));
	else
		fprintf(stderr, "mcos-test: %s: %s (%s)\n", what, strerror(e),
			errname(e));
	exit(1);
}

/* ---- commands ---- */

static int cpu_list_ioctl(int fd, unsigned long cmd, const char *what,
			  const char *list)
{
	static uint32_t cpus[8192];
	struct mcos_cpu_list l = { .size = sizeof(l) };

	if (!strcmp(list, "all")) {
		l.flags = MCOS_F_ALL;
	} else {
		l.count = parse_cpus(list, cpus, ARRAY_SIZE(cpus));
		l.cpus_ptr = (uintptr_t)cpus;
	}
	return ioctl(fd, cmd, &l) == 0 ? 0 : -errno;
}

static void do_info(int fd)
{
	struct mcos_info i = { .size = sizeof(i) };

	check("info", ioctl(fd, MCOS_IOC_GET_INFO, &i));
	printf("abi %u nr_cpu_ids %u nr_node_ids %u max_os %u nr_os %u "
	       "reserved_cpus %u reserved_bytes %llu\n",
	       i.abi_version, i.nr_cpu_ids, i.nr_node_ids, i.max_os, i.nr_os,
	       i.nr_reserved_cpus, (unsigned long long)i.reserved_bytes);
}

static void do_query(int fd)
{
	struct mcos_cpu_query cq = { .size = sizeof(cq) };
	struct mcos_mem_query mq = { .size = sizeof(mq), .node = -1 };
	struct mcos_cpu_info *ci;
	struct mcos_mem_chunk *mc;
	unsigned int i;

	check("query cpus", ioctl(fd, MCOS_IOC_QUERY_CPUS, &cq));
	cq.capacity = cq.total;
	ci = calloc(cq.total + 1, sizeof(*ci));
	cq.info_ptr = (uintptr_t)ci;
	check("query cpus", ioctl(fd, MCOS_IOC_QUERY_CPUS, &cq));
	printf("cpus: %u reserved\n", cq.total);
	for (i = 0; i < cq.total && i < cq.capacity; i++)
		printf("  cpu %u apic %u node %d os %d\n", ci[i].cpu,
		       ci[i].apic_id, ci[i].node, ci[i].os);

	check("query mem", ioctl(fd, MCOS_IOC_QUERY_MEM, &mq));
	mq.capacity = mq.total;
	mc = calloc(mq.total + 1, sizeof(*mc));
	mq.chunks_ptr = (uintptr_t)mc;
	check("query mem", ioctl(fd, MCOS_IOC_QUERY_MEM, &mq));
	printf("mem: %u chunks, %llu bytes\n", mq.total,
	       (unsigned long long)mq.total_bytes);
	for (i = 0; i < mq.total && i < mq.capacity; i++)
		printf("  node %d phys %#llx bytes %llu order %u os %d\n",
		       mc[i].node, (unsigned long long)mc[i].phys,
		       (unsigned long long)mc[i].bytes, mc[i].order, mc[i].os);
	free(ci);
	free(mc);
}

static void do_node(int fd, const char *node)
{
	struct mcos_node_info n = { .size = sizeof(n), .node = parse_long(node) };

	check("node", ioctl(fd, MCOS_IOC_QUERY_NODE, &n));
	printf("node %d has_cpu %u managed %llu free %llu floor %llu "
	       "reserved %llu chunks %u\n", n.node, n.has_cpu,
	       (unsigned long long)n.managed_bytes,
	       (unsigned long long)n.free_bytes,
	       (unsigned long long)n.floor_bytes,
	       (unsigned long long)n.reserved_bytes, n.nr_chunks);
}

static int reserve_mem(int fd, int node, unsigned long long bytes,
		       unsigned int min_order, unsigned long long *obtained)
{
	struct mcos_mem_request r = {
		.size = sizeof(r), .node = node, .bytes = bytes,
		.min_order = min_order,
	};
	int ret = ioctl(fd, MCOS_IOC_RESERVE_MEM, &r);

	*obtained = r.obtained;
	return ret == 0 ? 0 : -errno;
}

static int release_mem(int fd, const char *node, unsigned long long *released)
{
	struct mcos_mem_release r = { .size = sizeof(r) };
	int ret;

	if (!strcmp(node, "all"))
		r.flags = MCOS_F_ALL;
	else
		r.node = parse_long(node);
	ret = ioctl(fd, MCOS_IOC_RELEASE_MEM, &r);
	*released = r.released;
	return ret == 0 ? 0 : -errno;
}

/*
 * Reserve CPUs, then memory on each node; on any failure give back what
 * this command took, in reverse (the module makes each ioctl all or
 * nothing; rollback across ioctls is the tool's job).
 */
static void do_setup(int fd, int argc, char **argv)
{
	unsigned long long obtained, released;
	int i, ret, done = 0, cpus_taken = 0;
	char *at;

	ret = cpu_list_ioctl(fd, MCOS_IOC_RESERVE_CPUS, "reserve-cpus", argv[0]);
	if (ret)
		goto fail;
	cpus_taken = 1;
	for (i = 1; i < argc; i++) {
		at = strchr(argv[i], '@');
		if (!at)
			die("expected SIZE@NODE, got '%s'", argv[i]);
		*at = 0;
		ret = reserve_mem(fd, parse_long(at + 1), parse_size(argv[i]),
				  MCOS_MEM_DEF_MIN_ORDER, &obtained);
		if (ret) {
			printf("setup: node %s: got %llu of %s before failing\n",
			       at + 1, obtained, argv[i]);
			goto fail;
		}
		done = i;
	}
	printf("setup: done\n");
	errno = 0;
	check("setup", 0);
	return;

fail:
	for (i = done; i >= 1; i--) {
		at = argv[i] + strlen(argv[i]) + 1;	/* node after the '@' */
		if (release_mem(fd, at, &released))
			fprintf(stderr, "mcos-test: rollback: release-mem %s: %s\n",
				at, strerror(errno));
	}
	if (cpus_taken && cpu_list_ioctl(fd, MCOS_IOC_RELEASE_CPUS,
					 "release-cpus", argv[0]))
		fprintf(stderr, "mcos-test: rollback: release-cpus failed\n");
	printf("setup: rolled back\n");
	errno = -ret;
	check("setup", -1);
}

static void do_status(int fd)
{
	static const char *const names[] = {
		"INACTIVE", "BOOTING", "RUNNING", "SHUTDOWN", "PANIC", "HUNGUP",
		"LOADED",
	};
	struct mcos_os_status s = { .size = sizeof(s) };

	check("status", ioctl(fd, MCOS_IOC_STATUS, &s));
	printf("os %u state %s cpus %u mem %llu image %llu entry %#llx "
	       "kargs %u kmsg %u\n", s.index,
	       s.state < ARRAY_SIZE(names) ? names[s.state] : "?", s.nr_cpus,
	       (unsigned long long)s.mem_bytes,
	       (unsigned long long)s.image_bytes, (unsigned long long)s.entry,
	       s.kargs_len, s.kmsg_bytes);
}

/* IKC ping of every LWK CPU: "ping sent S answered A max_rtt_us R". */
static void do_ping(int fd)
{
	struct mcos_ikc_ping p = { .size = sizeof(p) };

	check("ping", ioctl(fd, MCOS_IOC_IKC_PING, &p));
	printf("ping sent %u answered %u max_rtt_us %llu\n", p.sent, p.answered,
	       (unsigned long long)(p.max_rtt_ns / 1000));
}

static void do_assign_mem(int fd, const char *node, const char *size)
{
	struct mcos_mem_assign a = { .size = sizeof(a) };

	a.node = strcmp(node, "all") ? parse_long(node) : -1;
	if (!strcmp(size, "all"))
		a.flags = MCOS_F_ALL;
	else
		a.bytes = parse_size(size);
	check("assign-mem", ioctl(fd, MCOS_IOC_ASSIGN_MEM, &a));
	printf("assigned %llu bytes\n", (unsigned long long)a.assigned);
}

static void do_unassign_mem(int fd, const char *node)
{
	struct mcos_mem_unassign u = { .size = sizeof(u) };

	if (!strcmp(node, "all"))
		u.flags = MCOS_F_ALL;
	else
		u.node = parse_long(node);
	check("unassign-mem", ioctl(fd, MCOS_IOC_UNASSIGN_MEM, &u));
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	buf = malloc(st.st_size + 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		die("%s: read failed", path);
	close(fd);
	*len = st.st_size;
	return buf;
}

static void do_load(int fd, const char *path)
{
	struct mcos_load l = { .size = sizeof(l) };
	size_t len;
	void *img = read_file(path, &len);

	l.image_ptr = (uintptr_t)img;
	l.image_bytes = len;
	check("load", ioctl(fd, MCOS_IOC_LOAD, &l));
	printf("loaded %zu bytes, entry %#llx\n", len,
	       (unsigned long long)l.entry);
}

static void do_kargs(int fd, const char *args)
{
	struct mcos_kargs k = {
		.size = sizeof(k), .len = strlen(args) + 1,
		.args_ptr = (uintptr_t)args,
	};

	check("kargs", ioctl(fd, MCOS_IOC_SET_KARGS, &k));
}

static void do_kmsg(int fd)
{
	static char buf[MCOS_KMSG_SIZE];
	struct mcos_kmsg_read r = {
		.size = sizeof(r), .buf_ptr = (uintptr_t)buf,
		.buf_len = sizeof(buf),
	};

	check("kmsg", ioctl(fd, MCOS_IOC_KMSG_READ, &r));
	fwrite(buf, 1, r.copied, stdout);
}

/* read() the kmsg text through the device file */
static void do_read(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	check("read", n < 0 ? -1 : 0);
}

/* ---- fuzz: malformed requests must fail cleanly with the right errno ---- */

static int fuzz_failures, fuzz_cases;

static void expect(const char *what, int ret, int want)
{
	int e = ret < 0 ? errno : 0;

	fuzz_cases++;
	if ((want == 0 && ret >= 0) || (want && ret < 0 && e == want))
		return;
	fuzz_failures++;
	printf("fuzz: %s: got %s, want %s\n", what,
	       ret >= 0 ? "success" : errname(e), want ? errname(want) : "success");
}

#define KPTR	((uint64_t)0xffffffff81000000ull)	/* kernel text */
#define NCPTR	((uint64_t)0x8000000000000000ull)	/* non-canonical */

static void fuzz_ctl(int fd)
{
	uint32_t cpus[4] = { 2, 2, 0, 0 };
	struct mcos_cpu_list l;
	struct mcos_mem_request r;
	struct mcos_mem_release rel;
	struct mcos_cpu_query cq;
	struct mcos_mem_query mq;
	struct mcos_node_info ni;
	struct mcos_os_id id;
	unsigned int i;
	char big[256];
	static const unsigned long unknown[] = {
		_IO(MCOS_IOC_MAGIC, 0x7f), _IO(MCOS_IOC_MAGIC, 0x1f),
		_IO('x', 1), _IOW(MCOS_IOC_MAGIC, 0x01, char[8]),
		_IOR(MCOS_IOC_MAGIC, 0x00, char[256]), 0, ~0ul,
		MCOS_IOC_BOOT, MCOS_IOC_STATUS, MCOS_IOC_LOAD,	/* wrong device */
	};

	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		expect("unknown ioctl on ctl", ioctl(fd, unknown[i], big), ENOTTY);

	/* argument pointers */
	expect("info NULL", ioctl(fd, MCOS_IOC_GET_INFO, NULL), EFAULT);
	expect("info kernel ptr", ioctl(fd, MCOS_IOC_GET_INFO, KPTR), EFAULT);
	expect("reserve NULL", ioctl(fd, MCOS_IOC_RESERVE_CPUS, NULL), EFAULT);
	expect("reserve kernel ptr", ioctl(fd, MCOS_IOC_RESERVE_CPUS, KPTR), EFAULT);
	expect("reserve non-canonical", ioctl(fd, MCOS_IOC_RESERVE_CPUS, NCPTR), EFAULT);
	expect("reserve-mem NULL", ioctl(fd, MCOS_IOC_RESERVE_MEM, NULL), EFAULT);
	expect("query-mem kernel ptr", ioctl(fd, MCOS_IOC_QUERY_MEM, KPTR), EFAULT);
	expect("destroy NULL", ioctl(fd, MCOS_IOC_DESTROY_OS, NULL), EFAULT);

	/* size fields */
	{
		static const uint32_t sizes[] = { 0, 1, 23, 25, 4096, 0xffffffffu };

		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			memset(&l, 0, sizeof(l));
			l.size = sizes[i];
			l.count = 1;
			l.cpus_ptr = (uintptr_t)cpus;
			expect("cpu list bad size", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
			memset(&r, 0, sizeof(r));
			r.size = sizes[i];
			r.bytes = 4096;
			expect("mem request bad size", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
			id.size = sizes[i];
			id.index = 0;
			expect("destroy bad size", ioctl(fd, MCOS_IOC_DESTROY_OS, &id), EINVAL);
		}
	}

	/* cpu lists */
#define CPUL(f, c, p) (l = (struct mcos_cpu_list){ .size = sizeof(l), .flags = (f), .count = (c), .cpus_ptr = (p) })
	CPUL(0, 0, (uintptr_t)cpus);
	expect("reserve count 0", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	CPUL(0, 0xffffffffu, (uintptr_t)cpus);
	expect("reserve huge count", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	CPUL(0, 1u << 20, (uintptr_t)cpus);
	expect("reserve count 2^20", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	CPUL(0, 1, 0);
	expect("reserve cpus NULL", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EFAULT);
	CPUL(0, 1, KPTR);
	expect("reserve cpus kernel ptr", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EFAULT);
	CPUL(0, 2, (uintptr_t)cpus);
	expect("reserve duplicate cpus", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	cpus[2] = 0;
	CPUL(0, 1, (uintptr_t)&cpus[2]);
	expect("reserve cpu 0", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	cpus[3] = 4095;
	CPUL(0, 1, (uintptr_t)&cpus[3]);
	expect("reserve cpu 4095", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	cpus[3] = 0xffffffffu;
	expect("reserve cpu 2^32-1", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	CPUL(4, 1, (uintptr_t)cpus);
	expect("reserve unknown flag", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	CPUL(0, 1, (uintptr_t)cpus);
	l.reserved0 = 1;
	expect("reserve reserved0", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	CPUL(MCOS_F_ALL, 0, 0);
	expect("reserve ALL", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EINVAL);
	CPUL(MCOS_F_ALL, 1, (uintptr_t)cpus);
	expect("release ALL with list", ioctl(fd, MCOS_IOC_RELEASE_CPUS, &l), EINVAL);
	CPUL(0, 1, (uintptr_t)cpus);
	expect("release unreserved cpu", ioctl(fd, MCOS_IOC_RELEASE_CPUS, &l), EINVAL);

	/* a real reservation of CPU 3, then misuse around it */
	cpus[0] = 3;
	CPUL(0, 1, (uintptr_t)cpus);
	expect("reserve cpu 3", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), 0);
	expect("reserve cpu 3 again", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), EBUSY);
	cq = (struct mcos_cpu_query){ .size = sizeof(cq), .capacity = 1 };
	expect("query cpus NULL array", ioctl(fd, MCOS_IOC_QUERY_CPUS, &cq), EFAULT);
	cq.info_ptr = KPTR;
	expect("query cpus kernel array", ioctl(fd, MCOS_IOC_QUERY_CPUS, &cq), EFAULT);
	cq.capacity = 0xffffffffu;
	expect("query cpus huge capacity", ioctl(fd, MCOS_IOC_QUERY_CPUS, &cq), EINVAL);
	cq = (struct mcos_cpu_query){ .size = sizeof(cq) };
	expect("query cpus count only", ioctl(fd, MCOS_IOC_QUERY_CPUS, &cq), 0);
	if (cq.total != 1)
		expect("query cpus total == 1", -1, 0);
	expect("release cpu 3", ioctl(fd, MCOS_IOC_RELEASE_CPUS, &l), 0);

	/* memory requests */
#define MEMR(n, b, o) (r = (struct mcos_mem_request){ .size = sizeof(r), .node = (n), .bytes = (b), .min_order = (o) })
	MEMR(-1, 4096, 0);
	expect("reserve-mem node -1", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(99999, 4096, 0);
	expect("reserve-mem node 99999", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(INT_MAX, 4096, 0);
	expect("reserve-mem node INT_MAX", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(0, 0, 0);
	expect("reserve-mem 0 bytes", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(0, 4097, 0);
	expect("reserve-mem unaligned", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(0, 4096, 10);
	expect("reserve-mem below min chunk", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(0, 4 << 20, 11);
	expect("reserve-mem min_order 11", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(0, 4 << 20, 0xffffffffu);
	expect("reserve-mem min_order huge", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);
	MEMR(0, 1ull << 62, 0);
	expect("reserve-mem 2^62 bytes", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), ENOMEM);
	MEMR(0, 0xfffffffffffff000ull, 0);
	expect("reserve-mem 2^64-4096 bytes", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), ENOMEM);
	MEMR(0, 4096, 0);
	r.flags = 0x80;
	expect("reserve-mem unknown flag", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), EINVAL);

	rel = (struct mcos_mem_release){ .size = sizeof(rel), .node = -5 };
	expect("release-mem node -5", ioctl(fd, MCOS_IOC_RELEASE_MEM, &rel), EINVAL);
	rel.node = 1 << 20;
	expect("release-mem node 2^20", ioctl(fd, MCOS_IOC_RELEASE_MEM, &rel), EINVAL);
	rel.node = 0;
	rel.flags = 2;
	expect("release-mem unknown flag", ioctl(fd, MCOS_IOC_RELEASE_MEM, &rel), EINVAL);

	MEMR(0, 4 << 20, 0);
	expect("reserve-mem 4M node 0", ioctl(fd, MCOS_IOC_RESERVE_MEM, &r), 0);
	mq = (struct mcos_mem_query){ .size = sizeof(mq), .node = -1, .capacity = 1,
				      .chunks_ptr = KPTR };
	expect("query-mem kernel array", ioctl(fd, MCOS_IOC_QUERY_MEM, &mq), EFAULT);
	mq.chunks_ptr = 0;
	expect("query-mem NULL array", ioctl(fd, MCOS_IOC_QUERY_MEM, &mq), EFAULT);
	mq.capacity = 0;
	mq.node = 77;
	expect("query-mem node 77", ioctl(fd, MCOS_IOC_QUERY_MEM, &mq), EINVAL);
	mq.node = -2;
	expect("query-mem node -2", ioctl(fd, MCOS_IOC_QUERY_MEM, &mq), EINVAL);
	rel = (struct mcos_mem_release){ .size = sizeof(rel), .flags = MCOS_F_ALL };
	expect("release-mem all", ioctl(fd, MCOS_IOC_RELEASE_MEM, &rel), 0);

	ni = (struct mcos_node_info){ .size = sizeof(ni), .node = -1 };
	expect("node -1", ioctl(fd, MCOS_IOC_QUERY_NODE, &ni), EINVAL);
	ni.node = 1 << 30;
	expect("node 2^30", ioctl(fd, MCOS_IOC_QUERY_NODE, &ni), EINVAL);

	id = (struct mcos_os_id){ .size = sizeof(id), .index = 99 };
	expect("destroy 99", ioctl(fd, MCOS_IOC_DESTROY_OS, &id), ENOENT);
	id.index = 0xffffffffu;
	expect("destroy 2^32-1", ioctl(fd, MCOS_IOC_DESTROY_OS, &id), ENOENT);
}

/* An ELF64 header good enough for the module's checks. */
static void make_elf(unsigned char *buf, size_t len)
{
	uint64_t phoff = 64;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	memset(buf, 0, len);
	memcpy(buf, "\177ELF", 4);
	buf[4] = 2;		/* ELFCLASS64 */
	buf[5] = 1;		/* little endian */
	buf[6] = 1;		/* EV_CURRENT */
	v16 = 2; memcpy(buf + 16, &v16, 2);	/* ET_EXEC */
	v16 = 62; memcpy(buf + 18, &v16, 2);	/* EM_X86_64 */
	v32 = 1; memcpy(buf + 20, &v32, 4);	/* e_version */
	v64 = 0x400000; memcpy(buf + 24, &v64, 8);	/* e_entry */
	memcpy(buf + 32, &phoff, 8);		/* e_phoff */
	v16 = 64; memcpy(buf + 52, &v16, 2);	/* e_ehsize */
	v16 = 56; memcpy(buf + 54, &v16, 2);	/* e_phentsize */
	v16 = 1; memcpy(buf + 56, &v16, 2);	/* e_phnum */
	/* one PT_LOAD covering the first page */
	v32 = 1; memcpy(buf + 64, &v32, 4);
	v64 = 4096; memcpy(buf + 64 + 32, &v64, 8);	/* p_filesz */
	memcpy(buf + 64 + 40, &v64, 8);			/* p_memsz */
}

/* mcexec -n's meeting of ranks: every malformed join fails at once, a lone
 * rank's job is complete, a job of two without the second times out */
static void fuzz_rank_join(int fd)
{
	struct mcos_rank_join j = { .size = sizeof(j), .ranks = 2, .rank = -1 };

	j.size = 8;
	expect("rank-join size 8", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), EINVAL);
	j.size = sizeof(j);
	expect("rank-join NULL", ioctl(fd, MCOS_IOC_RANK_JOIN, NULL), EFAULT);
	expect("rank-join kernel ptr", ioctl(fd, MCOS_IOC_RANK_JOIN, KPTR), EFAULT);
	j.ranks = 0;
	expect("rank-join 0 ranks", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), EINVAL);
	j.ranks = MCOS_RANKS_MAX + 1;
	expect("rank-join too many ranks", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), EINVAL);
	j.ranks = 2;
	j.rank = 2;
	expect("rank-join rank past the ranks", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), EINVAL);
	j.rank = -2;
	expect("rank-join rank -2", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), EINVAL);
	j.rank = -1;
	j.timeout_ms = MCOS_RANK_TIMEOUT_MAX_MS + 1;
	expect("rank-join timeout past the most", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), EINVAL);
	j.timeout_ms = 0;
	expect("rank-join 1 of 2, no time", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), ETIMEDOUT);
	j.timeout_ms = 100;
	expect("rank-join 1 of 2 again, 100 ms", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), ETIMEDOUT);
	j.ranks = 1;
	expect("rank-join alone", ioctl(fd, MCOS_IOC_RANK_JOIN, &j), 0);
	expect("rank-join alone: rank 0", j.rank == 0 ? 0 : (errno = EDOM, -1), 0);
}

static void fuzz_os(int ctl)
{
	static unsigned char img[8192];
	struct mcos_load ld;
	struct mcos_kargs k;
	struct mcos_kmsg_read kr;
	struct mcos_mem_assign a;
	struct mcos_mem_unassign u;
	struct mcos_mem_request r;
	struct mcos_mem_release rel;
	struct mcos_cpu_list l;
	struct mcos_os_id id;
	uint32_t cpu = 2;
	char path[64], kbuf[64], *two;
	int idx, fd;
	unsigned char *tail;
	void *volatile null_buf = NULL;	/* hidden from the compiler's checks */

	idx = ioctl(ctl, MCOS_IOC_CREATE_OS);
	expect("create", idx, 0);
	if (idx < 0)
		return;
	snprintf(path, sizeof(path), MCOS_OS_DEVICE_FMT, idx);
	fd = open_dev(path);

	expect("ctl ioctl on os dev", ioctl(fd, MCOS_IOC_RESERVE_CPUS, &l), ENOTTY);
	expect("create on os dev", ioctl(fd, MCOS_IOC_CREATE_OS), ENOTTY);
	expect("unknown ioctl on os dev", ioctl(fd, _IO(MCOS_IOC_MAGIC, 0x3f)), ENOTTY);
	expect("status NULL", ioctl(fd, MCOS_IOC_STATUS, NULL), EFAULT);
	expect("status kernel ptr", ioctl(fd, MCOS_IOC_STATUS, KPTR), EFAULT);

	fuzz_rank_join(fd);

	CPUL(0, 1, (uintptr_t)&cpu);
	expect("assign unreserved cpu", ioctl(fd, MCOS_IOC_ASSIGN_CPUS, &l), EINVAL);
	CPUL(0, 1, KPTR);
	expect("assign cpus kernel ptr", ioctl(fd, MCOS_IOC_ASSIGN_CPUS, &l), EFAULT);
	CPUL(0, 1, (uintptr_t)&cpu);
	expect("unassign unassigned cpu", ioctl(fd, MCOS_IOC_UNASSIGN_CPUS, &l), EINVAL);

	a = (struct mcos_mem_assign){ .size = sizeof(a), .node = 1 << 20, .bytes = 4096 };
	expect("assign-mem node 2^20", ioctl(fd, MCOS_IOC_ASSIGN_MEM, &a), EINVAL);
	a.node = 0;
	a.bytes = 100;
	expect("assign-mem unaligned", ioctl(fd, MCOS_IOC_ASSIGN_MEM, &a), EINVAL);
	a.bytes = 1ull << 40;
	expect("assign-mem more than pool", ioctl(fd, MCOS_IOC_ASSIGN_MEM, &a), ENOMEM);
	a.flags = MCOS_F_ALL;
	expect("assign-mem all with bytes", ioctl(fd, MCOS_IOC_ASSIGN_MEM, &a), EINVAL);
	u = (struct mcos_mem_unassign){ .size = sizeof(u), .node = -7 };
	expect("unassign-mem node -7", ioctl(fd, MCOS_IOC_UNASSIGN_MEM, &u), EINVAL);

	/* load: sizes, pointers, headers */
	make_elf(img, sizeof(img));
	ld = (struct mcos_load){ .size = sizeof(ld), .image_ptr = (uintptr_t)img,
				 .image_bytes = 16 };
	expect("load tiny image", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOEXEC);
	ld.image_bytes = sizeof(img);
	expect("load without memory", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOSPC);

	r = (struct mcos_mem_request){ .size = sizeof(r), .node = 0, .bytes = 4 << 20 };
	expect("reserve 4M for os", ioctl(ctl, MCOS_IOC_RESERVE_MEM, &r), 0);
	a = (struct mcos_mem_assign){ .size = sizeof(a), .node = 0, .flags = MCOS_F_ALL };
	expect("assign-mem all", ioctl(fd, MCOS_IOC_ASSIGN_MEM, &a), 0);
	rel = (struct mcos_mem_release){ .size = sizeof(rel), .flags = MCOS_F_ALL };
	expect("release assigned mem", ioctl(ctl, MCOS_IOC_RELEASE_MEM, &rel), EBUSY);

	ld.image_bytes = 1ull << 63;
	expect("load 2^63 bytes", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOSPC);
	ld.image_bytes = sizeof(img);
	ld.image_ptr = 0;
	expect("load NULL image", ioctl(fd, MCOS_IOC_LOAD, &ld), EFAULT);
	ld.image_ptr = KPTR;
	expect("load kernel image ptr", ioctl(fd, MCOS_IOC_LOAD, &ld), EFAULT);
	ld.image_ptr = (uintptr_t)img;
	img[18] = 3;	/* EM_386 */
	expect("load wrong machine", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOEXEC);
	make_elf(img, sizeof(img));
	img[4] = 1;	/* ELFCLASS32 */
	expect("load ELF32", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOEXEC);
	make_elf(img, sizeof(img));
	memset(img + 32, 0xff, 8);	/* e_phoff */
	expect("load phoff huge", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOEXEC);
	make_elf(img, sizeof(img));
	memset(img + 56, 0xff, 2);	/* e_phnum */
	expect("load phnum huge", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOEXEC);
	make_elf(img, sizeof(img));
	memset(img + 64 + 8, 0xff, 8);	/* p_offset */
	expect("load segment beyond file", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOEXEC);
	memset(img, 0x5a, sizeof(img));
	expect("load garbage", ioctl(fd, MCOS_IOC_LOAD, &ld), ENOEXEC);

	/* valid header, but the second page is unmapped */
	two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (two != MAP_FAILED) {
		make_elf((unsigned char *)two, 4096);
		tail = (unsigned char *)two + 4096;
		munmap(tail, 4096);
		ld.image_ptr = (uintptr_t)two;
		ld.image_bytes = 8192;
		expect("load half-unmapped image", ioctl(fd, MCOS_IOC_LOAD, &ld), EFAULT);
		munmap(two, 4096);
	}
	expect("boot without image", ioctl(fd, MCOS_IOC_BOOT), ENOEXEC);

	/* kernel args */
	memset(kbuf, 'a', sizeof(kbuf));
	k = (struct mcos_kargs){ .size = sizeof(k), .len = 0, .args_ptr = (uintptr_t)kbuf };
	expect("kargs len 0", ioctl(fd, MCOS_IOC_SET_KARGS, &k), EINVAL);
	k.len = MCOS_KARGS_MAX + 1;
	expect("kargs too long", ioctl(fd, MCOS_IOC_SET_KARGS, &k), EINVAL);
	k.len = 0xffffffffu;
	expect("kargs len 2^32-1", ioctl(fd, MCOS_IOC_SET_KARGS, &k), EINVAL);
	k.len = sizeof(kbuf);
	expect("kargs not terminated", ioctl(fd, MCOS_IOC_SET_KARGS, &k), EINVAL);
	kbuf[10] = 0;
	kbuf[63] = 0;
	expect("kargs embedded NUL", ioctl(fd, MCOS_IOC_SET_KARGS, &k), EINVAL);
	k.args_ptr = 0;
	expect("kargs NULL", ioctl(fd, MCOS_IOC_SET_KARGS, &k), EFAULT);
	k.args_ptr = KPTR;
	expect("kargs kernel ptr", ioctl(fd, MCOS_IOC_SET_KARGS, &k), EFAULT);

	/* kmsg */
	kr = (struct mcos_kmsg_read){ .size = sizeof(kr), .buf_len = 100 };
	expect("kmsg NULL buffer", ioctl(fd, MCOS_IOC_KMSG_READ, &kr), EFAULT);
	kr.buf_ptr = KPTR;
	expect("kmsg kernel buffer", ioctl(fd, MCOS_IOC_KMSG_READ, &kr), EFAULT);
	kr.flags = 1;
	expect("kmsg unknown flag", ioctl(fd, MCOS_IOC_KMSG_READ, &kr), EINVAL);
	expect("read() kmsg into NULL", read(fd, null_buf, 100), EFAULT);

	/* destroy with the device open: the fd stays safe */
	id = (struct mcos_os_id){ .size = sizeof(id), .index = idx };
	expect("destroy", ioctl(ctl, MCOS_IOC_DESTROY_OS, &id), 0);
	expect("status after destroy", ioctl(fd, MCOS_IOC_STATUS, &kr), ENODEV);
	expect("read after destroy", read(fd, kbuf, sizeof(kbuf)), 0);
	close(fd);
	expect("release mem after destroy", ioctl(ctl, MCOS_IOC_RELEASE_MEM, &rel), 0);
}

/* Random well-sized arguments with random contents; any errno is fine. */
static void fuzz_random(int ctl)
{
	static const struct { unsigned long cmd; unsigned int size; } cmds[] = {
		{ MCOS_IOC_GET_INFO, sizeof(struct mcos_info) },
		{ MCOS_IOC_RESERVE_CPUS, sizeof(struct mcos_cpu_list) },
		{ MCOS_IOC_RELEASE_CPUS, sizeof(struct mcos_cpu_list) },
		{ MCOS_IOC_QUERY_CPUS, sizeof(struct mcos_cpu_query) },
		{ MCOS_IOC_RESERVE_MEM, sizeof(struct mcos_mem_request) },
		{ MCOS_IOC_RELEASE_MEM, sizeof(struct mcos_mem_release) },
		{ MCOS_IOC_QUERY_MEM, sizeof(struct mcos_mem_query) },
		{ MCOS_IOC_QUERY_NODE, sizeof(struct mcos_node_info) },
		{ MCOS_IOC_DESTROY_OS, sizeof(struct mcos_os_id) },
		{ MCOS_IOC_ASSIGN_CPUS, sizeof(struct mcos_cpu_list) },
		{ MCOS_IOC_UNASSIGN_CPUS, sizeof(struct mcos_cpu_list) },
		{ MCOS_IOC_ASSIGN_MEM, sizeof(struct mcos_mem_assign) },
		{ MCOS_IOC_UNASSIGN_MEM, sizeof(struct mcos_mem_unassign) },
		{ MCOS_IOC_LOAD, sizeof(struct mcos_load) },
		{ MCOS_IOC_SET_KARGS, sizeof(struct mcos_kargs) },
		{ MCOS_IOC_STATUS, sizeof(struct mcos_os_status) },
		{ MCOS_IOC_KMSG_READ, sizeof(struct mcos_kmsg_read) },
	};
	static const uint64_t ptrs[] = { 0, KPTR, NCPTR, 1, 0x7ffffffff000ull };
	uint64_t buf[8];
	char path[64];
	unsigned int i, j, c;
	int fd, idx;

	srand(12345);
	idx = ioctl(ctl, MCOS_IOC_CREATE_OS);
	expect("create for random", idx, 0);
	if (idx < 0)
		return;
	snprintf(path, sizeof(path), MCOS_OS_DEVICE_FMT, idx);
	fd = open_dev(path);
	for (i = 0; i < 3000; i++) {
		c = rand() % ARRAY_SIZE(cmds);
		for (j = 0; j < 8; j++)
			buf[j] = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 11) ^ rand();
		/* mostly small values, so deeper checks are reached */
		for (j = 0; j < 8; j++)
			if (rand() % 2)
				buf[j] &= rand() % 2 ? 0x7 : 0xfffff;
		if (rand() % 4)
			buf[1] = ptrs[rand() % ARRAY_SIZE(ptrs)];
		if (rand() % 8)
			memcpy(buf, &cmds[c].size, sizeof(uint32_t));
		/* never reserve real memory at random: keep the test quick */
		if (cmds[c].cmd == MCOS_IOC_RESERVE_MEM && rand() % 4)
			buf[2] = 1ull << 62;
		ioctl(c < 9 ? ctl : fd, cmds[c].cmd, buf);
	}
	close(fd);
	fuzz_cases++;
}

static void fuzz_cleanup(int ctl)
{
	struct mcos_os_id id = { .size = sizeof(id) };
	struct mcos_mem_release rel = { .size = sizeof(rel), .flags = MCOS_F_ALL };
	struct mcos_cpu_list l = { .size = sizeof(l), .flags = MCOS_F_ALL };
	struct mcos_info info = { .size = sizeof(info) };

	for (id.index = 0; id.index < MCOS_MAX_OS; id.index++)
		ioctl(ctl, MCOS_IOC_DESTROY_OS, &id);
	expect("cleanup release-mem", ioctl(ctl, MCOS_IOC_RELEASE_MEM, &rel), 0);
	expect("cleanup release-cpus", ioctl(ctl, MCOS_IOC_RELEASE_CPUS, &l), 0);
	expect("info", ioctl(ctl, MCOS_IOC_GET_INFO, &info), 0);
	if (info.nr_os || info.nr_reserved_cpus || info.reserved_bytes)
		expect("nothing left after fuzz", -1, 0);
}

static void do_fuzz(void)
{
	int ctl = open_ctl();
	int devnull = open("/dev/null", O_RDWR);
	struct mcos_info info = { .size = sizeof(info) };

	expect("ioctl on /dev/null", ioctl(devnull, MCOS_IOC_GET_INFO, &info), ENOTTY);
	close(devnull);
	fuzz_ctl(ctl);
	fuzz_os(ctl);
	fuzz_random(ctl);
	fuzz_cleanup(ctl);
	close(ctl);
	printf("fuzz: %d cases, %d unexpected\n", fuzz_cases, fuzz_failures);
	exit(fuzz_failures ? 1 : 0);
}

/*
 * proc-rules N running|stopped: the process ioctls' and mmap's refusals
 * that need no program (run it as an unprivileged user too).
 */
/* Run the static-PIE build (mcos-test-pie): it lies above the unified range. */
static void do_proc_rules(const char *idx, const char *state)
{
	char path[64];
	struct mcos_proc_create c = { .size = sizeof(c), .lwk_cpu = -1 };
	struct mcos_proc_map m = { .size = sizeof(m), .prot = MCOS_PROT_READ,
				   .start = MCOS_USER_START, .bytes = 4096 };
	struct mcos_proc_start st = { .size = sizeof(st) };
	struct mcos_proc_event ev = { .size = sizeof(ev) };
	struct mcos_proc_reply r = { .size = sizeof(r) };
	struct mcos_proc_kill k = { .size = sizeof(k), .signal = 9 };
	size_t len = MCOS_USER_END - MCOS_USER_START;
	void *p;
	int fd;

	snprintf(path, sizeof(path), MCOS_OS_DEVICE_FMT, (unsigned int)parse_long(idx));
	fd = open(path, O_RDWR);
	expect("open O_RDWR", fd, 0);
	if (fd < 0)
		goto out;
	p = mmap((void *)MCOS_USER_START, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	expect("mmap before PROC_CREATE", p == MAP_FAILED ? -1 : 0, ENOENT);
	p = mmap((void *)(MCOS_USER_START + 4096), len - 4096, PROT_READ,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 4096);
	expect("mmap of part of the range", p == MAP_FAILED ? -1 : 0, EINVAL);
	p = mmap((void *)MCOS_USER_START, len, PROT_READ,
		 MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
	expect("mmap MAP_PRIVATE", p == MAP_FAILED ? -1 : 0, EINVAL);
	expect("PROC_MAP before CREATE", ioctl(fd, MCOS_IOC_PROC_MAP, &m), ESRCH);
	expect("PROC_START before CREATE", ioctl(fd, MCOS_IOC_PROC_START, &st), ESRCH);
	expect("PROC_WAIT before CREATE", ioctl(fd, MCOS_IOC_PROC_WAIT, &ev), ESRCH);
	expect("PROC_REPLY before CREATE", ioctl(fd, MCOS_IOC_PROC_REPLY, &r), ESRCH);
	expect("PROC_KILL before CREATE", ioctl(fd, MCOS_IOC_PROC_KILL, &k), ESRCH);
	k.signal = 0;
	expect("PROC_KILL signal 0", ioctl(fd, MCOS_IOC_PROC_KILL, &k), EINVAL);
	c.size = 8;
	expect("PROC_CREATE bad size", ioctl(fd, MCOS_IOC_PROC_CREATE, &c), EINVAL);
	c.size = sizeof(c);
	c.flags = 1;
	expect("PROC_CREATE flags", ioctl(fd, MCOS_IOC_PROC_CREATE, &c), EINVAL);
	c.flags = 0;
	c.lwk_cpu = -2;
	expect("PROC_CREATE cpu -2", ioctl(fd, MCOS_IOC_PROC_CREATE, &c), EINVAL);
	if (!strcmp(state, "running")) {
		c.lwk_cpu = 999;
		expect("PROC_CREATE cpu 999", ioctl(fd, MCOS_IOC_PROC_CREATE, &c), EINVAL);
	} else {
		c.lwk_cpu = -1;
		expect("PROC_CREATE, LWK not running", ioctl(fd, MCOS_IOC_PROC_CREATE, &c), ENOTCONN);
	}
	if (getuid())
		expect("BOOT unprivileged", ioctl(fd, MCOS_IOC_BOOT), EPERM);
	close(fd);
out:
	printf("proc-rules: %d cases, %d unexpected\n", fuzz_cases, fuzz_failures);
	exit(fuzz_failures ? 1 : 0);
}

/*
 * A script's background job starts with SIGINT and SIGQUIT ignored, and
 * busybox sh cannot undo that; the Ctrl-C checks need the dispositions of a
 * job started at a terminal, so this resets them and runs the program.
 */
static void do_foreground(char **argv)
{
	sigset_t none;
	int signal;

	for (signal = 1; signal < NSIG; signal++)
		if (signal != SIGKILL && signal != SIGSTOP)
			sigaction(signal, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	die("cannot run %s: %s", argv[0], strerror(errno));
}

static void drop_privileges(const char *uid_s)
{
	uid_t uid = parse_long(uid_s);

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		die("cannot drop to uid %u: %s", uid, strerror(errno));
}

int main(int argc, char **argv)
{
	const char *cmd;
	int opt, fd, ret;
	unsigned long long v;

	while ((opt = getopt(argc, argv, "+u:e:")) != -1) {
		switch (opt) {
		case 'u': drop_privileges(optarg); break;
		case 'e': expect_errno = parse_errno(optarg); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);

#define NEED(n) do { if (argc != (n) + 1) usage(); } while (0)
	if (!strcmp(cmd, "foreground") && argc > 1)
		do_foreground(argv + 1);
	if (!strcmp(cmd, "tgkill")) {
		NEED(3);
		if (syscall(SYS_tgkill, (pid_t)parse_long(argv[1]), (pid_t)parse_long(argv[2]), (int)parse_long(argv[3])))
			die("tgkill: %s", strerror(errno));
		return 0;
	}
	if (!strcmp(cmd, "fuzz")) {
		NEED(0);
		do_fuzz();
	}
	if (!strcmp(cmd, "proc-rules")) {
		NEED(2);
		do_proc_rules(argv[1], argv[2]);
	}
	if (!strcmp(cmd, "info") || !strcmp(cmd, "query") || !strcmp(cmd, "node") ||
	    !strcmp(cmd, "create")) {
		fd = open_ctl();
		if (!strcmp(cmd, "info")) {
			NEED(0);
			do_info(fd);
		} else if (!strcmp(cmd, "query")) {
			NEED(0);
			do_query(fd);
		} else if (!strcmp(cmd, "node")) {
			NEED(1);
			do_node(fd, argv[1]);
		} else {
			NEED(0);
			ret = ioctl(fd, MCOS_IOC_CREATE_OS);
			check("create", ret);
			printf("%d\n", ret);
		}
		return 0;
	}
	if (!strcmp(cmd, "reserve-cpus") || !strcmp(cmd, "release-cpus")) {
		NEED(1);
		fd = open_ctl();
		ret = cpu_list_ioctl(fd, !strcmp(cmd, "reserve-cpus") ?
				     MCOS_IOC_RESERVE_CPUS : MCOS_IOC_RELEASE_CPUS,
				     cmd, argv[1]);
		errno = -ret;
		check(cmd, ret ? -1 : 0);
		return 0;
	}
	if (!strcmp(cmd, "reserve-mem")) {
		if (argc != 3 && argc != 4)
			usage();
		fd = open_ctl();
		ret = reserve_mem(fd, parse_long(argv[1]), parse_size(argv[2]),
				  argc == 4 ? parse_long(argv[3]) : 0, &v);
		printf("obtained %llu\n", v);
		errno = -ret;
		check(cmd, ret ? -1 : 0);
		return 0;
	}
	if (!strcmp(cmd, "release-mem")) {
		NEED(1);
		fd = open_ctl();
		ret = release_mem(fd, argv[1], &v);
		errno = -ret;
		check(cmd, ret ? -1 : 0);
		printf("released %llu\n", v);
		return 0;
	}
	if (!strcmp(cmd, "setup")) {
		if (argc < 2)
			usage();
		do_setup(open_ctl(), argc - 1, argv + 1);
		return 0;
	}
	if (!strcmp(cmd, "destroy")) {
		struct mcos_os_id id = { .size = sizeof(id) };

		NEED(1);
		id.index = parse_long(argv[1]);
		check(cmd, ioctl(open_ctl(), MCOS_IOC_DESTROY_OS, &id));
		return 0;
	}

	/* per-instance commands: COMMAND N ... */
	if (argc < 2)
		usage();
	if (!strcmp(cmd, "status")) {
		NEED(1);
		do_status(open_os(argv[1]));
	} else if (!strcmp(cmd, "assign-cpus") || !strcmp(cmd, "unassign-cpus")) {
		NEED(2);
		fd = open_os(argv[1]);
		ret = cpu_list_ioctl(fd, cmd[0] == 'a' ? MCOS_IOC_ASSIGN_CPUS :
				     MCOS_IOC_UNASSIGN_CPUS, cmd, argv[2]);
		errno = -ret;
		check(cmd, ret ? -1 : 0);
	} else if (!strcmp(cmd, "assign-mem")) {
		NEED(3);
		do_assign_mem(open_os(argv[1]), argv[2], argv[3]);
	} else if (!strcmp(cmd, "unassign-mem")) {
		NEED(2);
		do_unassign_mem(open_os(argv[1]), argv[2]);
	} else if (!strcmp(cmd, "load")) {
		NEED(2);
		do_load(open_os(argv[1]), argv[2]);
	} else if (!strcmp(cmd, "kargs")) {
		NEED(2);
		do_kargs(open_os(argv[1]), argv[2]);
	} else if (!strcmp(cmd, "boot")) {
		NEED(1);
		check(cmd, ioctl(open_os(argv[1]), MCOS_IOC_BOOT));
	} else if (!strcmp(cmd, "shutdown")) {
		NEED(1);
		check(cmd, ioctl(open_os(argv[1]), MCOS_IOC_SHUTDOWN));
	} else if (!strcmp(cmd, "kmsg")) {
		NEED(1);
		do_kmsg(open_os(argv[1]));
	} else if (!strcmp(cmd, "read")) {
		NEED(1);
		do_read(open_os(argv[1]));
	} else if (!strcmp(cmd, "ping")) {
		NEED(1);
		do_ping(open_os(argv[1]));
	} else if (!strcmp(cmd, "kmsg-clear")) {
		NEED(1);
		check(cmd, ioctl(open_os(argv[1]), MCOS_IOC_KMSG_CLEAR));
	} else {
		usage();
	}
	return 0;
}

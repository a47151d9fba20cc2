// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz.c - "fuzz IDX CALLS SEED [WORKERS]": the hostile proxy fuzzer.
 *
 * WORKERS processes (each its own mm, so each may hold a mapping of the
 * unified range) make CALLS calls in all, chosen by a seeded generator:
 * the process ioctls with random arguments and sizes, random ioctl
 * numbers, mmap with wrong offsets, lengths, addresses and flags, munmap,
 * mremap, madvise, fork, threads reading while their program ends, WAITs
 * cut short, a file closed while a thread waits on it.
 *
 * What must hold, checked as it goes: a page read through a mapping holds
 * zeros or its own program's pattern (serials are unique across workers);
 * once a program is known to have ended its pages fault; only the owner's
 * mm maps a range, only whole, at its own offset; the mapping never moves
 * and never goes to a child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "tests.h"

#define SLOTS		3
#define KERNEL_PTR	0xffffffff81000000ull
#define NONCANONICAL	0x8000000000000000ull
#define MAX_REPORTS	20
#define TIME_LIMIT	1800	/* seconds: a hang is a failure, said so */
/*
 * Programs each worker creates at most, whatever the number of calls: a
 * longer run makes more calls on the same few hundred programs, all of
 * which one boot of the LWK serves.
 */
#define PROCESSES	100

struct rng {
	uint64_t state;
};

static uint64_t rnd(struct rng *r)
{
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return r->state * 2685821657736338717ull;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

/* One open file of the device and what this worker knows of its process. */
struct slot {
	struct lwk_process p;	/* p.fd < 0: no file */
	bool created;
	bool gone;		/* known to have ended: EXIT seen, or ESRCH */
	bool in_call;		/* a SYSCALL event awaits its reply */
	uint32_t call;		/* its number */
};

/* The one mapping of the unified range this worker may hold. */
struct mapping {
	bool present;
	int slot;		/* -1: its file was closed (the mapping keeps it) */
	uint32_t serial;
	bool dead;		/* its program is known to have ended */
};

struct worker {
	int index;
	struct rng rng;
	int os, ctl;
	struct slot slots[SLOTS];
	struct mapping map;
	uint32_t *serials;	/* shared by the workers */
	unsigned long calls, creates, starts, exits, forks, races, problems;
	time_t deadline;
};

static void problem(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (++w->problems > MAX_REPORTS)
		return;
	printf("FAIL worker %d, call %lu: ", w->index, w->calls);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int ioctl_result(int ret)
{
	return ret < 0 ? -errno : 0;
}

static struct slot *pick_slot(struct worker *w, bool open)
{
	unsigned int start = below(&w->rng, SLOTS), i;
	struct slot *s;

	for (i = 0; i < SLOTS; i++) {
		s = &w->slots[(start + i) % SLOTS];
		if ((s->p.fd >= 0) == open)
			return s;
	}
	return NULL;
}

static int slot_index(struct worker *w, struct slot *s)
{
	return s - w->slots;
}

/* The program of a slot has ended (as far as this worker can tell). */
static void slot_gone(struct worker *w, struct slot *s)
{
	if (!s->created || s->gone)
		return;
	s->gone = true;
	w->exits++;
	if (w->map.present && w->map.slot == slot_index(w, s))
		w->map.dead = true;
}

/* What a process ioctl's errno says about the process. */
static void note_result(struct worker *w, struct slot *s, int err)
{
	if (err == -ESRCH || err == -ENODEV)
		slot_gone(w, s);
}

/* A pointer that is usually right, sometimes not. */
static uint64_t maybe_bad(struct worker *w, void *good)
{
	static const uint64_t bad[] = { 0, 1, KERNEL_PTR, NONCANONICAL, MCOS_USER_START };

	if (chance(&w->rng, 90))
		return (uintptr_t)good;
	return bad[below(&w->rng, ARRAY_SIZE(bad))];
}

static uint32_t maybe_size(struct worker *w, uint32_t size)
{
	static const uint32_t odd[] = { 0, 4, 8, 16, 64, 4096, 0xffffffffu };

	return chance(&w->rng, 95) ? size : odd[below(&w->rng, ARRAY_SIZE(odd))];
}

static void fill_random(struct worker *w, void *buf, size_t bytes)
{
	uint64_t *words = buf;
	size_t i;

	for (i = 0; i < bytes / sizeof(*words); i++)
		words[i] = chance(&w->rng, 50) ? below(&w->rng, 8) : rnd(&w->rng);
}

/* ---- files and processes ---- */

static void op_open(struct worker *w)
{
	struct slot *s = pick_slot(w, false);

	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	if (proc_open(&s->p, w->os))
		s->p.fd = -1;
}

/* The mapping, if it is this file's, keeps the file (and its process) alive. */
static void slot_close(struct worker *w, struct slot *s)
{
	if (w->map.present && w->map.slot == slot_index(w, s))
		w->map.slot = -1;
	close(s->p.fd);
	memset(s, 0, sizeof(*s));
	s->p.fd = -1;
}

static void op_close(struct worker *w)
{
	struct slot *s = pick_slot(w, true);

	if (s)
		slot_close(w, s);
}

static void op_create(struct worker *w)
{
	static const int32_t cpus[] = { -1, -1, -1, -1, 0, 1, -2, 2, 999 };
	struct slot *s = pick_slot(w, true);
	struct mcos_proc_create c;
	int err;

	if (!s || w->creates >= PROCESSES)
		return;
	c = (struct mcos_proc_create){
		.size = maybe_size(w, sizeof(c)),
		.lwk_cpu = cpus[below(&w->rng, ARRAY_SIZE(cpus))],
		.flags = chance(&w->rng, 5) ? rnd(&w->rng) : chance(&w->rng, 5) ? MCOS_CREATE_FORK : 0,
		.numa_mask = chance(&w->rng, 80) ? 0 : below(&w->rng, 8),
		/* a fork's child's fields: the worker is no child of any creator */
		.parent_fd = chance(&w->rng, 90) ? 0 : (int32_t)below(&w->rng, 64),
		.fork_token = chance(&w->rng, 90) ? 0 : rnd(&w->rng),
	};
	err = ioctl_result(ioctl(s->p.fd, MCOS_IOC_PROC_CREATE, maybe_bad(w, &c)));
	if (err)
		return;
	if (s->created)
		problem(w, "a second PROC_CREATE on one file succeeded");
	s->created = true;
	s->gone = false;
	s->p.cpu = c.lwk_cpu;
	s->p.map_offset = c.map_offset;
	s->p.serial = __atomic_add_fetch(w->serials, 1, __ATOMIC_RELAXED);
	w->creates++;
}

/* ---- the mapping ---- */

static void forget_mapping(struct worker *w)
{
	munmap((void *)(uintptr_t)MCOS_USER_START, RANGE_BYTES);
	w->map.present = false;
}

static void op_mmap(struct worker *w)
{
	struct slot *s = pick_slot(w, true), *other;
	uint64_t addr = MCOS_USER_START, len = RANGE_BYTES, offset;
	int flags = MAP_SHARED | MAP_FIXED_NOREPLACE, prot = PROT_READ | PROT_WRITE;
	unsigned int variant = below(&w->rng, 8);
	void *got;

	if (!s)
		return;
	offset = s->p.map_offset;
	switch (variant) {
	case 0: case 1: case 2:
		break;				/* the right way */
	case 3:
		other = &w->slots[below(&w->rng, SLOTS)];
		offset = chance(&w->rng, 50) ? 0 : other->p.map_offset + PAGE * below(&w->rng, 3);
		if (offset == s->p.map_offset)
			offset += PAGE;
		break;
	case 4:
		len -= PAGE * (1 + below(&w->rng, 4));
		if (chance(&w->rng, 50)) {
			addr += PAGE;
			offset += PAGE;
		}
		break;
	case 5:
		flags = MAP_PRIVATE | MAP_FIXED_NOREPLACE;
		prot = PROT_READ;	/* writable would be refused for its 16 TiB */
		break;
	case 6:
		addr = 0;			/* wherever the kernel likes */
		flags = MAP_SHARED;
		break;
	default:
		len = PAGE * (1 + below(&w->rng, 64));
		offset += below(&w->rng, 64) * PAGE;
		addr += offset - s->p.map_offset;
		break;
	}
	got = mmap((void *)(uintptr_t)addr, len, prot, flags, s->p.fd, (off_t)offset);
	if (got == MAP_FAILED)
		return;
	if (variant > 2 || !s->created) {
		problem(w, "mmap variant %u (created %d) succeeded at %p", variant,
			s->created, got);
		munmap(got, len);
		return;
	}
	w->map = (struct mapping){
		.present = true, .slot = slot_index(w, s), .serial = s->p.serial,
		.dead = s->gone,
	};
}

static void op_munmap(struct worker *w)
{
	uint64_t page;

	if (!w->map.present)
		return;
	if (chance(&w->rng, 60)) {
		forget_mapping(w);
		return;
	}
	page = DATA_ADDR + PAGE * below(&w->rng, DATA_PAGES);
	munmap((void *)(uintptr_t)page, PAGE * (1 + below(&w->rng, 2)));
}

static void op_mremap(struct worker *w)
{
	uint64_t from = DATA_ADDR + PAGE * below(&w->rng, DATA_PAGES);
	void *spare, *moved;

	if (!w->map.present)
		return;
	spare = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (spare == MAP_FAILED)
		return;
	switch (below(&w->rng, 3)) {
	case 0:
		moved = mremap((void *)(uintptr_t)from, PAGE, PAGE,
			       MREMAP_MAYMOVE | MREMAP_FIXED, spare);
		break;
	case 1:
		moved = mremap((void *)(uintptr_t)from, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
		break;
	default:
		moved = mremap((void *)(uintptr_t)MCOS_USER_START, RANGE_BYTES,
			       RANGE_BYTES, MREMAP_MAYMOVE | MREMAP_FIXED,
			       (void *)(uintptr_t)(MCOS_USER_END + (1ull << 40)));
		if (moved != MAP_FAILED) {
			problem(w, "mremap moved the whole mapping to %p", moved);
			munmap(moved, RANGE_BYTES);
			w->map.present = false;
		}
		moved = MAP_FAILED;
		break;
	}
	if (moved != MAP_FAILED) {
		problem(w, "mremap moved part of the mapping to %p", moved);
		munmap(moved, PAGE);
	}
	munmap(spare, 2 * PAGE);
}

static void op_madvise(struct worker *w)
{
	uint64_t start = DATA_ADDR + PAGE * below(&w->rng, DATA_PAGES);
	int advice = chance(&w->rng, 50) ? MADV_DOFORK : (int)below(&w->rng, 26);

	if (!w->map.present)
		return;
	if (!madvise((void *)(uintptr_t)start, PAGE, advice) && advice == MADV_DOFORK)
		problem(w, "madvise(MADV_DOFORK) on the mapping succeeded");
}

/* Every read: zeros or the own pattern; nothing readable once known dead. */
static void check_scan(struct worker *w, const struct scan *s, const char *who)
{
	if (s->foreign)
		problem(w, "%s: %u words of program %u in the pages of program %u",
			who, s->foreign, s->foreign_serial, w->map.serial);
	if (w->map.dead && s->readable)
		problem(w, "%s: %u pages readable after program %u ended", who,
			s->readable, w->map.serial);
}

static void op_scan(struct worker *w)
{
	struct scan s;

	if (!w->map.present)
		return;
	scan_data(w->map.serial, &s);
	check_scan(w, &s, "scan");
}

/* ---- the process ioctls ---- */

/* A process ioctl on the slot's file, its argument maybe made bad. */
static int slot_ioctl(struct worker *w, struct slot *s, unsigned long cmd, void *arg)
{
	int err = ioctl_result(ioctl(s->p.fd, cmd, maybe_bad(w, arg)));

	note_result(w, s, err);
	return err;
}

static void op_load(struct worker *w)
{
	struct slot *s = pick_slot(w, true);
	enum program program = chance(&w->rng, 50) ? PROGRAM_SPIN : PROGRAM_SYSCALLS;

	if (!s || !s->created || !w->map.present || w->map.slot != slot_index(w, s))
		return;
	note_result(w, s, proc_load(&s->p, program, s->p.serial));
}

static void op_proc_map(struct worker *w)
{
	static const uint64_t starts[] = {
		DATA_ADDR, CODE_ADDR, MCOS_USER_START, MCOS_USER_END - PAGE,
		MCOS_USER_END, 0, DATA_ADDR + 1, ~0ull - PAGE + 1,
	};
	struct slot *s = pick_slot(w, true);
	struct mcos_proc_map m;

	if (!s)
		return;
	m = (struct mcos_proc_map){
		.size = maybe_size(w, sizeof(m)),
		.prot = chance(&w->rng, 90) ? below(&w->rng, 8) : rnd(&w->rng),
		.start = chance(&w->rng, 70) ? starts[below(&w->rng, ARRAY_SIZE(starts))] :
			 MCOS_USER_START + (below(&w->rng, 1 << 20) << 12),
		.bytes = chance(&w->rng, 95) ? PAGE * (1 + below(&w->rng, 64)) :
			 chance(&w->rng, 50) ? rnd(&w->rng) : (16ull << 20),
	};
	slot_ioctl(w, s, MCOS_IOC_PROC_MAP, &m);
}

static void op_start(struct worker *w)
{
	struct slot *s = pick_slot(w, true);
	struct mcos_proc_start st;
	int err;

	if (!s)
		return;
	st = (struct mcos_proc_start){
		.size = maybe_size(w, sizeof(st)),
		.flags = chance(&w->rng, 5) ? rnd(&w->rng) : 0,
		.entry = chance(&w->rng, 85) ? CODE_ADDR : rnd(&w->rng),
		.sp = chance(&w->rng, 85) ? STACK_ADDR + PAGE - 16 : rnd(&w->rng),
		.brk = chance(&w->rng, 85) ? BRK_ADDR : rnd(&w->rng),
	};
	err = slot_ioctl(w, s, MCOS_IOC_PROC_START, &st);
	if (!err) {
		s->p.started = true;
		w->starts++;
	}
}

/*
 * A WAIT cut short after 1-5 ms.  The timer repeats: on a loaded host the
 * first expiry can come before the thread is in its WAIT, which then, for a
 * program that computes, has no end.
 */
static void short_timer(struct worker *w)
{
	struct timeval every = { .tv_usec = 1000 + below(&w->rng, 4000) };

	setitimer(ITIMER_REAL, &(struct itimerval){ .it_value = every, .it_interval = every }, NULL);
}

static void op_wait(struct worker *w)
{
	struct slot *s = pick_slot(w, true);
	struct mcos_proc_event ev;
	int err;

	if (!s || !s->p.started || s->gone)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.size = maybe_size(w, sizeof(ev));
	short_timer(w);
	err = ioctl_result(ioctl(s->p.fd, MCOS_IOC_PROC_WAIT, &ev));
	setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
	note_result(w, s, err);
	if (err)
		return;
	if (ev.kind == MCOS_EVENT_EXIT)
		slot_gone(w, s);
	else if (ev.kind == MCOS_EVENT_SYSCALL) {
		s->in_call = true;
		s->call = ev.number;
	}
	else
		problem(w, "WAIT returned event kind %u", ev.kind);
}

static void op_reply(struct worker *w)
{
	struct slot *s = pick_slot(w, true);
	struct mcos_proc_reply r;
	int err;

	if (!s)
		return;
	r = (struct mcos_proc_reply){
		.size = maybe_size(w, sizeof(r)),
		.reserved0 = chance(&w->rng, 5),
		.result = chance(&w->rng, 50) ? -(int64_t)below(&w->rng, 4096) : (int64_t)rnd(&w->rng),
	};
	err = slot_ioctl(w, s, MCOS_IOC_PROC_REPLY, &r);
	if (!err)
		s->in_call = false;
}

static void op_kill(struct worker *w)
{
	struct slot *s = pick_slot(w, true);
	struct mcos_proc_kill k;

	if (!s)
		return;
	k = (struct mcos_proc_kill){
		.size = maybe_size(w, sizeof(k)),
		.signal = chance(&w->rng, 90) ? below(&w->rng, 70) : rnd(&w->rng),
		.code = (int32_t)rnd(&w->rng),
		.pid = rnd(&w->rng),
		.uid = rnd(&w->rng),
		.status = (int32_t)rnd(&w->rng),
		.reserved = chance(&w->rng, 90) ? 0 : rnd(&w->rng),
	};
	slot_ioctl(w, s, MCOS_IOC_PROC_KILL, &k);
}

/*
 * PROC_PIN is only for the LWK's MCOS_PROXY_FILE_SHARE (the LWK asks it
 * when its program maps a file shared, if the random answers to its
 * FILE_FACTS said it may): with any address, at any other time, it must
 * never pin.
 */
static void op_pin(struct worker *w)
{
	static uint8_t own[4 * PAGE] __attribute__((aligned(PAGE)));
	struct slot *s = pick_slot(w, true);
	struct mcos_proc_pin pin;
	int err;

	if (!s)
		return;
	pin = (struct mcos_proc_pin){
		.size = maybe_size(w, sizeof(pin)),
		.reserved0 = chance(&w->rng, 90) ? 0 : (uint32_t)rnd(&w->rng),
		.address = chance(&w->rng, 50) ? (uint64_t)(uintptr_t)own : rnd(&w->rng),
	};
	err = slot_ioctl(w, s, MCOS_IOC_PROC_PIN, &pin);
	if (err >= 0 && !(s->in_call && s->call == MCOS_PROXY_FILE_SHARE))
		problem(w, "PROC_PIN without a FILE_SHARE pinned %d pages", err);
}

/* Queries anyone may make, with odd capacities and pointers. */
static void op_query(struct worker *w)
{
	static uint8_t buf[8192];
	struct mcos_cpu_query cq = { .size = sizeof(cq) };
	struct mcos_mem_query mq = { .size = sizeof(mq), .node = -1 };
	struct mcos_kmsg_read kr = { .size = sizeof(kr), .buf_len = sizeof(buf) };
	struct slot *s = pick_slot(w, true);
	int fd = s ? s->p.fd : -1;

	switch (below(&w->rng, 6)) {
	case 0:
		cq.capacity = below(&w->rng, 16);
		cq.info_ptr = maybe_bad(w, buf);
		ioctl(w->ctl, MCOS_IOC_QUERY_CPUS, maybe_bad(w, &cq));
		break;
	case 1:
		mq.capacity = chance(&w->rng, 90) ? below(&w->rng, 64) : rnd(&w->rng);
		mq.node = chance(&w->rng, 80) ? -1 : (int32_t)below(&w->rng, 4) - 2;
		mq.chunks_ptr = maybe_bad(w, buf);
		ioctl(w->ctl, MCOS_IOC_QUERY_MEM, maybe_bad(w, &mq));
		break;
	case 2:
		fill_random(w, buf, 64);
		ioctl(w->ctl, chance(&w->rng, 50) ? MCOS_IOC_GET_INFO : MCOS_IOC_QUERY_NODE,
		      maybe_bad(w, buf));
		break;
	case 3:
		ioctl(fd, MCOS_IOC_STATUS, maybe_bad(w, buf));
		break;
	case 4:
		kr.buf_ptr = maybe_bad(w, buf);
		ioctl(fd, MCOS_IOC_KMSG_READ, maybe_bad(w, &kr));
		break;
	default:
		if (read(fd, (void *)(uintptr_t)maybe_bad(w, buf), below(&w->rng, sizeof(buf))) < 0)
			break;
		break;
	}
}

/* Random numbers on both devices; the process ioctls only on the control one. */
static void op_junk_ioctl(struct worker *w)
{
	static const unsigned long process_ioctls[] = {
		MCOS_IOC_PROC_CREATE, MCOS_IOC_PROC_MAP, MCOS_IOC_PROC_START,
		MCOS_IOC_PROC_WAIT, MCOS_IOC_PROC_REPLY, MCOS_IOC_PROC_KILL,
		MCOS_IOC_PROC_PIN,
	};
	struct slot *s = pick_slot(w, true);
	uint64_t buf[64];
	unsigned long cmd;
	unsigned int i;
	int fd = w->ctl;

	cmd = _IOC(below(&w->rng, 4), chance(&w->rng, 80) ? MCOS_IOC_MAGIC : below(&w->rng, 256),
		   below(&w->rng, 0x50), below(&w->rng, 300));
	if (chance(&w->rng, 10))
		cmd = rnd(&w->rng) & 0xffffffffu;
	if (s && chance(&w->rng, 50))
		fd = s->p.fd;
	for (i = 0; i < ARRAY_SIZE(process_ioctls); i++)
		if (cmd == process_ioctls[i])
			fd = w->ctl;
	fill_random(w, buf, sizeof(buf));
	ioctl(fd, cmd, maybe_bad(w, buf));
}

/*
 * The next step a well-behaved proxy would take with a file: open, create,
 * map, load, start.  Without it few programs would ever run.
 */
static void op_advance(struct worker *w)
{
	struct slot *s = pick_slot(w, true);
	int err;

	if (!s) {
		op_open(w);
		return;
	}
	if (w->map.present && (w->map.dead || w->map.slot < 0)) {
		forget_mapping(w);
	} else if (!s->created) {
		if (w->creates >= PROCESSES)
			return;
		err = proc_create(&s->p, -1);
		if (!err) {
			s->created = true;
			s->p.serial = __atomic_add_fetch(w->serials, 1, __ATOMIC_RELAXED);
			w->creates++;
		}
	} else if (!w->map.present) {
		if (!proc_map_range(&s->p))
			w->map = (struct mapping){
				.present = true, .slot = slot_index(w, s),
				.serial = s->p.serial, .dead = s->gone,
			};
	} else if (w->map.slot == slot_index(w, s) && !s->p.started && !s->gone) {
		err = proc_load(&s->p, chance(&w->rng, 50) ? PROGRAM_SPIN : PROGRAM_SYSCALLS,
				s->p.serial);
		if (!err)
			err = proc_start(&s->p);
		note_result(w, s, err);
		if (!err)
			w->starts++;
	}
}

/* ---- fork, threads, a close under a waiting thread ---- */

/*
 * A child sees nothing of the range and cannot map it, nor have the LWK copy
 * its parent's program for it without a fork that program makes: any token
 * it names is nobody's.
 */
static void op_fork(struct worker *w)
{
	struct scan sc;
	unsigned int i;
	pid_t pid;
	int status;
	void *got;

	w->forks++;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		scan_data(0, &sc);
		if (sc.readable)
			_exit(3);
		for (i = 0; i < SLOTS; i++) {
			if (w->slots[i].p.fd < 0)
				continue;
			got = mmap((void *)(uintptr_t)MCOS_USER_START, RANGE_BYTES,
				   PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE,
				   w->slots[i].p.fd, (off_t)w->slots[i].p.map_offset);
			if (got != MAP_FAILED)
				_exit(4);
		}
		for (i = 0; i < SLOTS; i++) {
			struct lwk_process copy;
			struct mcos_proc_create c = {
				.size = sizeof(c), .lwk_cpu = -1, .flags = MCOS_CREATE_FORK,
				.parent_fd = w->slots[i].p.fd, .fork_token = rnd(&w->rng) | 1,
			};

			if (w->slots[i].p.fd < 0 || proc_open(&copy, w->os))
				continue;
			if (ioctl(copy.fd, MCOS_IOC_PROC_CREATE, &c) == 0)
				_exit(5);
			close(copy.fd);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		problem(w, "a forked child read the pages of its parent's LWK process");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
		problem(w, "a forked child mapped its parent's unified range");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
		problem(w, "a forked child had the LWK copy its parent's program with a made-up token");
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		problem(w, "a forked child ended with status %#x", status);
}

struct race_reader {
	pthread_t thread;
	volatile int *phase;
	uint32_t serial;
	struct scan last;
	unsigned int foreign;
	uint32_t foreign_serial;
};

static void *race_read(void *arg)
{
	struct race_reader *r = arg;
	sigset_t alarm_set;
	struct scan s;

	sigemptyset(&alarm_set);
	sigaddset(&alarm_set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alarm_set, NULL);
	while (*r->phase == 1) {
		scan_data(r->serial, &s);
		if (s.foreign) {
			r->foreign += s.foreign;
			r->foreign_serial = s.foreign_serial;
		}
	}
	scan_data(r->serial, &r->last);
	return NULL;
}

/* Threads read the pages while the program is killed and its EXIT read. */
static void op_race(struct worker *w)
{
	struct race_reader readers[2];
	volatile int phase = 1;
	struct slot *s;
	unsigned int i;
	int err;

	if (!w->map.present || w->map.slot < 0 || w->map.dead)
		return;
	s = &w->slots[w->map.slot];
	if (!s->p.started || s->gone)
		return;
	w->races++;
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = (struct race_reader){ .phase = &phase, .serial = w->map.serial };
		pthread_create(&readers[i].thread, NULL, race_read, &readers[i]);
	}
	usleep(below(&w->rng, 20000));
	s->p.ended = false;
	err = proc_end(&s->p);
	phase = 2;
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		pthread_join(readers[i].thread, NULL);
	note_result(w, s, err);
	if (!err)
		slot_gone(w, s);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		if (readers[i].foreign)
			problem(w, "a thread read %u words of program %u in program %u's pages",
				readers[i].foreign, readers[i].foreign_serial, w->map.serial);
		check_scan(w, &readers[i].last, "a thread after the EXIT");
	}
}

struct blocked_wait {
	int fd;
	volatile int done;
};

static void *wait_blocked(void *arg)
{
	struct blocked_wait *b = arg;
	struct mcos_proc_event ev = { .size = sizeof(ev) };

	ioctl(b->fd, MCOS_IOC_PROC_WAIT, &ev);
	b->done = 1;
	return NULL;
}

/*
 * close() while another thread waits on the file, then wake that thread.
 * A signal that comes before the thread is in its WAIT wakes nothing, and
 * a WAIT for a program that computes has no end: signal until it is out.
 */
static void op_close_waiting(struct worker *w)
{
	struct slot *s = pick_slot(w, true);
	struct blocked_wait b = { .done = 0 };
	pthread_t thread;

	if (!s || !s->p.started || s->gone)
		return;
	b.fd = s->p.fd;
	pthread_create(&thread, NULL, wait_blocked, &b);
	usleep(below(&w->rng, 5000));
	slot_close(w, s);
	usleep(below(&w->rng, 5000));
	while (!b.done) {
		pthread_kill(thread, SIGALRM);
		usleep(1000);
	}
	pthread_join(thread, NULL);
}

/* ---- the worker ---- */

struct op {
	void (*run)(struct worker *w);
	unsigned int weight;
};

static const struct op ops[] = {
	{ op_junk_ioctl, 300 }, { op_query, 80 }, { op_open, 30 },
	{ op_close, 15 }, { op_create, 30 }, { op_mmap, 40 },
	{ op_munmap, 10 }, { op_mremap, 15 }, { op_madvise, 20 },
	{ op_scan, 50 }, { op_load, 25 }, { op_proc_map, 40 },
	{ op_start, 30 }, { op_wait, 20 }, { op_reply, 25 },
	{ op_kill, 15 }, { op_pin, 5 }, { op_advance, 40 }, { op_fork, 1 },
	{ op_race, 3 }, { op_close_waiting, 3 },
};

static const struct op *pick_op(struct worker *w)
{
	static unsigned int total;
	unsigned int i, n;

	if (!total)
		for (i = 0; i < ARRAY_SIZE(ops); i++)
			total += ops[i].weight;
	n = below(&w->rng, total);
	for (i = 0; n >= ops[i].weight; i++)
		n -= ops[i].weight;
	return &ops[i];
}

static void worker_cleanup(struct worker *w)
{
	unsigned int i;

	if (w->map.present)
		forget_mapping(w);
	for (i = 0; i < SLOTS; i++)
		if (w->slots[i].p.fd >= 0)
			close(w->slots[i].p.fd);
}

static int worker_run(struct worker *w, unsigned long calls)
{
	unsigned int i;

	guard_install();
	alarm_interrupts();
	w->ctl = open(MCOS_CTL_DEVICE, O_RDONLY | O_CLOEXEC);
	if (w->ctl < 0)
		die("open %s: %s", MCOS_CTL_DEVICE, strerror(errno));
	for (i = 0; i < SLOTS; i++)
		w->slots[i].p.fd = -1;
	for (w->calls = 0; w->calls < calls; w->calls++) {
		if (!(w->calls % 1024) && time(NULL) > w->deadline) {
			problem(w, "still running after %d s", TIME_LIMIT);
			break;
		}
		if (w->calls && !(w->calls % 10000))
			printf("# worker %d: %lu calls, %lu processes\n", w->index, w->calls,
			       w->creates);
		pick_op(w)->run(w);
	}
	worker_cleanup(w);
	printf("# worker %d: %lu calls, %lu processes created, %lu started, %lu ends seen, "
	       "%lu forks, %lu races, %lu problems\n", w->index, w->calls, w->creates,
	       w->starts, w->exits, w->forks, w->races, w->problems);
	return w->problems ? 1 : 0;
}

int fuzz(int os, unsigned long calls, unsigned long seed, unsigned int workers)
{
	uint32_t *serials;
	unsigned int i, bad = 0;
	pid_t pids[16];
	int status;
	time_t t0 = time(NULL);

	if (!workers || workers > ARRAY_SIZE(pids))
		die("1 to %zu workers", ARRAY_SIZE(pids));
	serials = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (serials == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	*serials = 1000;
	printf("# fuzz: %lu calls, seed %lu, %u workers\n", calls, seed, workers);
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (!pids[i]) {
			struct worker w = {
				.index = i, .os = os, .serials = serials,
				.rng = { .state = (seed + 1) * 0x9e3779b97f4a7c15ull + i },
				.deadline = t0 + TIME_LIMIT,
			};

			_exit(worker_run(&w, calls / workers));
		}
	}
	for (i = 0; i < workers; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			bad++;
			if (!WIFEXITED(status))
				printf("FAIL worker %u died of signal %d\n", i, WTERMSIG(status));
		}
	}
	if (bad)
		failed("fuzz: %u of %u workers found problems (seed %lu)", bad, workers, seed);
	else
		pass("fuzz: %lu calls in %ld s, seed %lu: nothing reachable that should not be",
		     calls, (long)(time(NULL) - t0), seed);
	return bad ? 1 : 0;
}

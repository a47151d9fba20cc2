// SPDX-License-Identifier: GPL-2.0
/*
 * proxy.c - the minimal proxy of proxy.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

int failures;

void pass(const char *fmt, ...)
{
	va_list ap;

	printf("PASS ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void failed(const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mcos-hostile: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

/* "EPERM" for EPERM, "success" for 0 */
const char *errname(int e)
{
	static char buf[16];
	const char *name = e ? strerrorname_np(e) : "success";

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/* ---- guarded access ---- */

static __thread sigjmp_buf *guard_jump;

static void guard_signal(int signal)
{
	if (guard_jump)
		siglongjmp(*guard_jump, signal);
	/* not inside a guarded access: die of it */
	sigaction(signal, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
}

/* SA_NODEFER: the jump out of the handler leaves nothing blocked. */
void guard_install(void)
{
	struct sigaction sa = { .sa_handler = guard_signal, .sa_flags = SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

int guarded_read(uint64_t addr, uint64_t *value)
{
	sigjmp_buf jump;
	int signal;

	guard_jump = &jump;
	signal = sigsetjmp(jump, 0);
	if (!signal)
		*value = *(volatile uint64_t *)(uintptr_t)addr;
	guard_jump = NULL;
	return signal;
}

int guarded_copy(uint64_t dst, const void *src, size_t bytes)
{
	volatile uint8_t *to = (volatile uint8_t *)(uintptr_t)dst;
	const uint8_t *from = src;
	sigjmp_buf jump;
	size_t i;
	int signal;

	guard_jump = &jump;
	signal = sigsetjmp(jump, 0);
	if (!signal)
		for (i = 0; i < bytes; i++)
			to[i] = from[i];
	guard_jump = NULL;
	return signal;
}

/* ---- the pattern ---- */

#define PATTERN_TAG	0xa5c30000ull

uint64_t pattern_word(uint32_t serial, unsigned int page)
{
	return (uint64_t)serial << 32 | PATTERN_TAG | page;
}

/* The first word of every data page. */
void scan_data(uint32_t serial, struct scan *s)
{
	unsigned int page;
	uint64_t word;

	memset(s, 0, sizeof(*s));
	for (page = 0; page < DATA_PAGES; page++) {
		if (guarded_read(DATA_ADDR + page * PAGE, &word)) {
			s->faults++;
			continue;
		}
		s->readable++;
		if (!word)
			continue;
		if (word >> 32 == serial) {
			s->own++;
		} else {
			s->foreign++;
			s->foreign_serial = word >> 32;
		}
	}
}

/* ---- the programs ---- */

static const uint8_t spin_code[] = { 0xeb, 0xfe };	/* jmp $ */

/*
 * mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
 * called as number 2^32 + 9, then exit_group(what it returned).  Linux and
 * a fixed LWK use the low 32 bits (an LWK-local mmap); it must never reach
 * the proxy as number 9.
 */
static const uint8_t big_number_code[] = {
	0x48, 0xb8, 0x09, 0, 0, 0, 0x01, 0, 0, 0,	/* movabs rax, 0x100000009 */
	0x31, 0xff,					/* xor edi, edi */
	0xbe, 0x00, 0x10, 0, 0,				/* mov esi, 4096 */
	0xba, 0x03, 0, 0, 0,				/* mov edx, 3 */
	0x41, 0xba, 0x22, 0, 0, 0,			/* mov r10d, 0x22 */
	0x49, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff,	/* mov r8, -1 */
	0x45, 0x31, 0xc9,				/* xor r9d, r9d */
	0x0f, 0x05,					/* syscall */
	0x48, 0x89, 0xc7,				/* mov rdi, rax */
	0xb8, 0xe7, 0, 0, 0,				/* mov eax, 231 */
	0x0f, 0x05,					/* syscall */
	0xeb, 0xfe,					/* jmp $ */
};

/* write(0, NULL, 0) in a loop: every call goes to the proxy. */
static const uint8_t syscalls_code[] = {
	0xb8, 0x01, 0, 0, 0,				/* mov eax, 1 */
	0x31, 0xff,					/* xor edi, edi */
	0x31, 0xf6,					/* xor esi, esi */
	0x31, 0xd2,					/* xor edx, edx */
	0x0f, 0x05,					/* syscall */
	0xeb, 0xf1,					/* jmp back to the start */
};

static const struct {
	const uint8_t *code;
	size_t bytes;
} programs[] = {
	[PROGRAM_SPIN] = { spin_code, sizeof(spin_code) },
	[PROGRAM_BIG_NUMBER] = { big_number_code, sizeof(big_number_code) },
	[PROGRAM_SYSCALLS] = { syscalls_code, sizeof(syscalls_code) },
};

/* ---- the process ioctls ---- */

static int result(int ret)
{
	return ret < 0 ? -errno : 0;
}

int proc_open(struct lwk_process *p, int os)
{
	char path[64];

	memset(p, 0, sizeof(*p));
	p->cpu = -1;
	snprintf(path, sizeof(path), MCOS_OS_DEVICE_FMT, os);
	p->fd = open(path, O_RDWR | O_CLOEXEC);
	return p->fd < 0 ? -errno : 0;
}

int proc_create(struct lwk_process *p, int cpu)
{
	struct mcos_proc_create c = { .size = sizeof(c), .lwk_cpu = cpu };

	if (ioctl(p->fd, MCOS_IOC_PROC_CREATE, &c) < 0)
		return -errno;
	p->cpu = c.lwk_cpu;
	p->map_offset = c.map_offset;
	return 0;
}

int proc_map_range(struct lwk_process *p)
{
	void *want = (void *)(uintptr_t)MCOS_USER_START, *got;

	got = mmap(want, RANGE_BYTES, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED_NOREPLACE, p->fd, (off_t)p->map_offset);
	if (got == MAP_FAILED)
		return -errno;
	if (got != want) {
		munmap(got, RANGE_BYTES);
		return -EEXIST;
	}
	p->mapped = true;
	return 0;
}

static int proc_map(struct lwk_process *p, uint64_t start, uint64_t bytes,
		    uint32_t prot)
{
	struct mcos_proc_map m = {
		.size = sizeof(m), .prot = prot, .start = start, .bytes = bytes,
	};

	return result(ioctl(p->fd, MCOS_IOC_PROC_MAP, &m));
}

/*
 * Code, data and stack on the LWK; the code and the pattern written in
 * through the mapping (-EFAULT if a page of it faults).
 */
int proc_load(struct lwk_process *p, enum program program, uint32_t serial)
{
	uint64_t words[PAGE / sizeof(uint64_t)];
	unsigned int page, i;
	int err;

	err = proc_map(p, CODE_ADDR, PAGE, MCOS_PROT_READ | MCOS_PROT_EXEC);
	if (!err)
		err = proc_map(p, DATA_ADDR, DATA_PAGES * PAGE,
			       MCOS_PROT_READ | MCOS_PROT_WRITE);
	if (!err)
		err = proc_map(p, STACK_ADDR, PAGE, MCOS_PROT_READ | MCOS_PROT_WRITE);
	if (err)
		return err;
	p->serial = serial;
	if (guarded_copy(CODE_ADDR, programs[program].code, programs[program].bytes))
		return -EFAULT;
	for (page = 0; page < DATA_PAGES; page++) {
		for (i = 0; i < ARRAY_SIZE(words); i++)
			words[i] = pattern_word(serial, page);
		if (guarded_copy(DATA_ADDR + page * PAGE, words, sizeof(words)))
			return -EFAULT;
	}
	return 0;
}

int proc_start(struct lwk_process *p)
{
	struct mcos_proc_start s = {
		.size = sizeof(s), .entry = CODE_ADDR,
		.sp = STACK_ADDR + PAGE - 16, .brk = BRK_ADDR,
	};
	int err = result(ioctl(p->fd, MCOS_IOC_PROC_START, &s));

	p->started = !err;
	return err;
}

int proc_launch(struct lwk_process *p, int os, int cpu, enum program program,
		uint32_t serial)
{
	int err = proc_open(p, os);

	if (!err)
		err = proc_create(p, cpu);
	if (!err)
		err = proc_map_range(p);
	if (!err)
		err = proc_load(p, program, serial);
	if (!err)
		err = proc_start(p);
	return err;
}

int proc_kill(struct lwk_process *p, int signal)
{
	struct mcos_proc_kill k = { .size = sizeof(k), .signal = signal };

	return result(ioctl(p->fd, MCOS_IOC_PROC_KILL, &k));
}

static void wake(int signal)
{
}

/* SIGALRM does nothing but interrupt a blocking call (no SA_RESTART). */
void alarm_interrupts(void)
{
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = wake }, NULL);
}

int proc_wait_exit(struct lwk_process *p, unsigned int seconds,
		   int64_t (*on_syscall)(const struct mcos_proc_event *ev))
{
	time_t deadline = time(NULL) + seconds;
	struct mcos_proc_event ev;
	struct mcos_proc_reply r = { .size = sizeof(r) };
	int err = 0;

	alarm_interrupts();
	while (!p->ended) {
		if (time(NULL) > deadline) {
			err = -ETIMEDOUT;
			break;
		}
		alarm(1);
		memset(&ev, 0, sizeof(ev));
		ev.size = sizeof(ev);
		err = result(ioctl(p->fd, MCOS_IOC_PROC_WAIT, &ev));
		alarm(0);
		if (err == -EINTR)
			continue;
		if (err)
			break;
		if (ev.kind == MCOS_EVENT_EXIT) {
			p->ended = true;
			p->status = ev.status;
			break;
		}
		r.result = on_syscall ? on_syscall(&ev) : -ENOSYS;
		err = result(ioctl(p->fd, MCOS_IOC_PROC_REPLY, &r));
		if (err)
			break;
	}
	return err;
}

/* SIGKILL and its EXIT. */
int proc_end(struct lwk_process *p)
{
	int err = proc_kill(p, SIGKILL);

	return err ? err : proc_wait_exit(p, 10, NULL);
}

void proc_close(struct lwk_process *p)
{
	if (p->mapped)
		munmap((void *)(uintptr_t)MCOS_USER_START, RANGE_BYTES);
	if (p->fd >= 0)
		close(p->fd);
	p->mapped = false;
	p->fd = -1;
}

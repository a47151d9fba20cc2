/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proxy.h - a minimal proxy that drives /dev/mcosN the way a hostile user
 * could, without mcexec: tiny hand-assembled programs, data pages with a
 * pattern that names their program, and reads that survive SIGSEGV/SIGBUS.
 *
 * The tool is built static-PIE: it lies above the unified range, which it
 * maps at [MCOS_USER_START, MCOS_USER_END) as mcexec does, so an LWK
 * address is the same pointer here.
 */
#ifndef HOSTILE_PROXY_H
#define HOSTILE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../../../kmod/mcos_abi.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096ull
#define RANGE_BYTES	(MCOS_USER_END - MCOS_USER_START)

/* Where a test program lives on the LWK (and here, through the mapping). */
#define CODE_ADDR	0x400000ull
#define DATA_ADDR	0x1000000ull
#define DATA_PAGES	16u
#define STACK_ADDR	0x2000000ull
#define BRK_ADDR	0x3000000ull

enum program {
	PROGRAM_SPIN,		/* jmp $ */
	PROGRAM_BIG_NUMBER,	/* mmap as number 2^32 + 9, then exit_group(result) */
	PROGRAM_SYSCALLS,	/* write(0, NULL, 0) for ever: offloaded calls */
};

struct lwk_process {
	int fd;
	int cpu;
	uint64_t map_offset;
	uint32_t serial;	/* written into every word of its data pages */
	bool mapped;
	bool started;
	bool ended;
	int status;		/* wait status from its EXIT event */
};

/* What a scan of the data pages found. */
struct scan {
	unsigned int readable;	/* pages whose first word could be read */
	unsigned int faults;
	unsigned int own;	/* words of the expected program */
	unsigned int foreign;	/* words of another program */
	uint32_t foreign_serial;
};

/* -errno results unless said otherwise. */
int proc_open(struct lwk_process *p, int os);
int proc_create(struct lwk_process *p, int cpu);
int proc_map_range(struct lwk_process *p);
int proc_load(struct lwk_process *p, enum program program, uint32_t serial);
int proc_start(struct lwk_process *p);
int proc_launch(struct lwk_process *p, int os, int cpu, enum program program,
		uint32_t serial);
int proc_kill(struct lwk_process *p, int signal);
/* Serve events until EXIT (SYSCALLs get -ENOSYS, or on_syscall's answer). */
int proc_wait_exit(struct lwk_process *p, unsigned int seconds,
		   int64_t (*on_syscall)(const struct mcos_proc_event *ev));
int proc_end(struct lwk_process *p);
void proc_close(struct lwk_process *p);

uint64_t pattern_word(uint32_t serial, unsigned int page);
void scan_data(uint32_t serial, struct scan *s);

/* Guarded memory access: 0, or the signal (SIGSEGV/SIGBUS) it raised. */
void guard_install(void);
int guarded_read(uint64_t addr, uint64_t *value);
int guarded_copy(uint64_t dst, const void *src, size_t bytes);

void alarm_interrupts(void);

/* Test bookkeeping: one line per check, a count of failures. */
extern int failures;
void pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *errname(int e);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif

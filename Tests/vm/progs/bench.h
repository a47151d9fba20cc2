/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h - what the programs of `make bench` (noise, offload, kernels,
 * threadbench, procbench) share: the monotonic clock and the TSC's rate
 * against it, an order for qsort, memory that is touched before it is
 * measured with (so that no page fault lands in a measurement), and die().
 */
#ifndef BENCH_H
#define BENCH_H

#define _GNU_SOURCE	/* program_invocation_short_name */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

static inline uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* The TSC rate over a run: both clocks read at its start and its end. */
struct clock_pair {
	uint64_t tsc, ns;
};

static inline struct clock_pair clock_now(void)
{
	struct clock_pair c = { __rdtsc(), monotonic_ns() };

	return c;
}

static inline double ns_per_tick(struct clock_pair a, struct clock_pair b)
{
	return b.tsc > a.tsc ? (double)(b.ns - a.ns) / (double)(b.tsc - a.tsc) : 1.0;
}

/* The TSC rate over 20 ms, for what must be known before a run starts. */
static inline double tsc_scale(void)
{
	struct clock_pair a = clock_now(), b;

	do
		b = clock_now();
	while (b.ns - a.ns < 20000000);
	return ns_per_tick(a, b);
}

/* qsort's order for uint64_t, smallest first */
static inline int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Ends the program with "NAME: why" and status 1. */
static inline void __attribute__((noreturn, format(printf, 1, 2))) die(const char *why, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, why);
	vfprintf(stderr, why, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* bytes of memory, every page written once; the program ends without it */
static inline void *touched(size_t bytes)
{
	void *p = malloc(bytes);

	if (!p) {
		fprintf(stderr, "%s: no memory for %zu bytes\n", program_invocation_short_name, bytes);
		exit(1);
	}
	memset(p, 1, bytes);
	return p;
}

#endif

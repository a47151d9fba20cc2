// SPDX-License-Identifier: GPL-2.0
/*
 * limits.c - what one user may hold.
 *   "expire IDX SECONDS": a process created but never started is ended
 *   after SECONDS (mcos.start_timeout): its pages go, START is refused,
 *   its CPU takes another program.
 *   "cap IDX LIMIT": with mcos.user_cpu_limit = LIMIT, a user other than
 *   root holds at most LIMIT LWK CPUs (EAGAIN beyond); root is not capped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "tests.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int check_expire(int os, unsigned int seconds)
{
	struct lwk_process p, next;
	double t0, waited;
	uint64_t word;
	int err;

	guard_install();
	if (proc_open(&p, os) || proc_create(&p, 0) || proc_map_range(&p) ||
	    proc_load(&p, PROGRAM_SPIN, 11))
		die("creating a process on LWK CPU 0: %s", strerror(errno));
	t0 = now();
	while (!guarded_read(DATA_ADDR, &word) && now() - t0 < seconds + 15)
		usleep(100 * 1000);
	waited = now() - t0;
	if (!guarded_read(DATA_ADDR, &word)) {
		failed("a process created and never started still holds its pages after %.1f s",
		       waited);
		return 1;
	}
	if (waited + 1 < seconds)
		failed("the process was ended after %.1f s, before its %u s", waited, seconds);
	else
		pass("a process never started was ended after %.1f s (bound %u s)", waited, seconds);

	err = proc_start(&p);
	if (err == -ESRCH)
		pass("START after that: ESRCH");
	else
		failed("START after that: %s, expected ESRCH", errname(-err));
	proc_close(&p);

	err = proc_open(&next, os);
	if (!err)
		err = proc_create(&next, 0);
	if (err)
		failed("LWK CPU 0 does not take another program: %s", errname(-err));
	else
		pass("LWK CPU 0 takes another program");
	proc_close(&next);
	return failures ? 1 : 0;
}

int check_cap(int os, unsigned int limit)
{
	struct lwk_process held[8], extra;
	bool capped = getuid() != 0;
	unsigned int i;
	int err;

	if (limit >= ARRAY_SIZE(held))
		die("limit %u: at most %zu", limit, ARRAY_SIZE(held) - 1);
	for (i = 0; i < limit; i++) {
		err = proc_open(&held[i], os);
		if (!err)
			err = proc_create(&held[i], -1);
		if (err)
			die("process %u of %u: %s", i + 1, limit, errname(-err));
	}
	err = proc_open(&extra, os);
	if (!err)
		err = proc_create(&extra, -1);
	if (capped && err == -EAGAIN)
		pass("uid %u: process %u beyond the limit of %u: EAGAIN", getuid(), limit + 1, limit);
	else if (!capped && !err)
		pass("root: not capped (process %u created)", limit + 1);
	else
		failed("uid %u: process %u with a limit of %u: %s", getuid(), limit + 1, limit,
		       errname(-err));
	proc_close(&extra);

	if (capped) {
		proc_close(&held[0]);
		err = proc_open(&extra, os);
		if (!err)
			err = proc_create(&extra, -1);
		if (err)
			failed("after one process went, another was refused: %s", errname(-err));
		else
			pass("after one process went, another may come");
		proc_close(&extra);
	}
	for (i = 0; i < limit; i++)
		proc_close(&held[i]);
	return failures ? 1 : 0;
}

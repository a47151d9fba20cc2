// SPDX-License-Identifier: GPL-2.0
/*
 * omp - an OpenMP program (libgomp, linked statically) for 91-threads, which
 * runs it natively with OMP_NUM_THREADS=N and on the LWK with mcexec -t N
 * and the same OMP_NUM_THREADS, and compares the output and exit status.
 * Every result is exact (integers, and doubles that are whole multiples of
 * 1/4 far below 2^53), so it does not depend on how the loop was split.
 * Prints the thread counts, the results, and "name: ok" or "name: FAILED
 * why" per check; status 0 only if all pass.
 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ELEMENTS	(1 << 20)
#define BARRIER_ROUNDS	100
#define MAX_THREADS	64

static int64_t integers[ELEMENTS];
static double quarters[ELEMENTS];
static int failures;

static void check(const char *name, int good)
{
	if (good) {
		printf("%s: ok\n", name);
	} else {
		printf("%s: FAILED\n", name);
		failures++;
	}
}

static void fill(void)
{
	for (int i = 0; i < ELEMENTS; i++) {
		integers[i] = (int64_t)i * 7 % 1000 - 500;
		quarters[i] = (i % 64) * 0.25;
	}
}

/* The threads a parallel region has, counted as they arrive and as the runtime says. */
static void count_threads(void)
{
	int arrived = 0, team = 0;

#pragma omp parallel
	{
#pragma omp atomic
		arrived++;
#pragma omp single
		team = omp_get_num_threads();
	}
	printf("max threads: %d\n", omp_get_max_threads());
	printf("threads in a parallel region: %d arrived, team of %d\n", arrived, team);
	check("team", arrived == team && team == omp_get_max_threads());
}

static void sums(void)
{
	int64_t sum = 0, serial = 0;
	double dsum = 0, dserial = 0;

#pragma omp parallel for reduction(+:sum, dsum) schedule(static)
	for (int i = 0; i < ELEMENTS; i++) {
		sum += integers[i];
		dsum += quarters[i];
	}
	for (int i = 0; i < ELEMENTS; i++) {
		serial += integers[i];
		dserial += quarters[i];
	}
	printf("sum of integers: %lld\n", (long long)sum);
	printf("sum of quarters: %.2f\n", dsum);
	check("reduction", sum == serial && dsum == dserial);
}

/*
 * Each round every thread writes its slot, and after a barrier reads all of
 * them: a barrier that lets a thread through early shows as a stale slot.
 */
static void barrier_rounds(void)
{
	static int slots[MAX_THREADS];
	int stale = 0, team = 0;

	memset(slots, 0, sizeof(slots));
#pragma omp parallel reduction(+:stale)
	{
		int me = omp_get_thread_num(), size = omp_get_num_threads();

#pragma omp single
		team = size;
		for (int round = 1; round <= BARRIER_ROUNDS && size <= MAX_THREADS; round++) {
			slots[me] = round;
#pragma omp barrier
			for (int other = 0; other < size; other++)
				stale += slots[other] != round;
#pragma omp barrier
		}
	}
	printf("barrier rounds: %d, stale slots: %d\n", BARRIER_ROUNDS, stale);
	check("barrier", !stale && team <= MAX_THREADS);
}

/* A loop handed out dynamically: every index exactly once. */
static void dynamic_loop(void)
{
	static unsigned char seen[ELEMENTS / 64];
	int twice = 0, missed = 0;

	memset(seen, 0, sizeof(seen));
#pragma omp parallel for schedule(dynamic, 7) reduction(+:twice)
	for (int i = 0; i < ELEMENTS / 64; i++)
		twice += seen[i]++ != 0;
	for (int i = 0; i < ELEMENTS / 64; i++)
		missed += seen[i] == 0;
	printf("dynamic schedule: %d indices, %d twice, %d missed\n", ELEMENTS / 64, twice, missed);
	check("dynamic", !twice && !missed);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	fill();
	count_threads();
	sums();
	barrier_rounds();
	dynamic_loop();
	return failures ? 1 : 0;
}

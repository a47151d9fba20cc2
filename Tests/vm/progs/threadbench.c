// SPDX-License-Identifier: GPL-2.0
/*
 * threadbench - what threads cost a program on the LWK against the same on
 * Linux: one static binary (POSIX threads and libgomp) for `make bench`, run
 * natively on two Linux CPUs and through mcexec -t 2 on two LWK CPUs.  Each
 * mode prints "name ns" lines: the median over N repetitions.
 *
 *   threadbench futex N   two threads, each pinned to its own CPU of the
 *                         initial affinity mask, hand a turn back and forth
 *                         through two words with private FUTEX_WAIT and
 *                         FUTEX_WAKE, each waking the other only once it
 *                         is asleep: futex_wake, half a round trip less
 *                         that wait
 *   threadbench create N  pthread_create of a thread that returns at once,
 *                         and its pthread_join: create_join
 *   threadbench omp N     EPCC syncbench's way, with omp_get_max_threads()
 *                         threads: omp_barrier and omp_reduction, what a
 *                         barrier or a parallel region with a reduction adds
 *                         to each step of a loop over the delay of the same
 *                         loop run alone; and omp_threads, the team's size
 *
 * Times are the TSC, converted with clock_gettime over the whole run (as
 * offload does), so that reading the clock costs no system call in a
 * measurement.  Any failure ends the program with a message and status 1.
 */
#include "bench.h"

#include <linux/futex.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

/* EPCC's delay: a little work, the same in a test and in its reference. */
#define DELAY_STEPS	100
/* Steps of each OpenMP loop that one repetition times. */
#define OMP_INNER	50

static uint64_t *tick_buffer(int n)
{
	uint64_t *ticks = calloc(n, sizeof(*ticks));

	if (!ticks)
		die("no memory for %d samples", n);
	return ticks;
}

static uint64_t median(uint64_t *ticks, int n)
{
	qsort(ticks, n, sizeof(*ticks), by_value);
	return ticks[n / 2];
}

/* ---- futex: the wake-up of a thread waiting on another CPU ---- */

/*
 * A thread wakes the other only once the other has said it is about to
 * wait, and this long after, so that it is asleep in FUTEX_WAIT by then:
 * without it the two fall into step, each finding the other's word changed
 * while still in its own FUTEX_WAKE, and nobody sleeps.
 */
#define SETTLE_NS	200000

static uint32_t ping, pong;	/* the round each thread has posted */
static uint32_t main_waits, partner_waits;	/* the round each is about to wait for */
static int partner_cpu;
static uint64_t settle_ticks;
static unsigned char *partner_found_sleeper;	/* by round */

static long futex(uint32_t *word, int op, uint32_t value)
{
	return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* Says so in *waits, then sleeps in the kernel until *word is `round`. */
static void wait_for(uint32_t *word, uint32_t round, uint32_t *waits)
{
	uint32_t seen;

	__atomic_store_n(waits, round, __ATOMIC_RELEASE);
	while ((seen = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != round)
		if (futex(word, FUTEX_WAIT_PRIVATE, seen) && errno != EAGAIN && errno != EINTR)
			die("FUTEX_WAIT: %s", strerror(errno));
}

/* Until the other thread has said it waits for `round`, and the settle after that. */
static void until_asleep(uint32_t *waits, uint32_t round)
{
	uint64_t end;

	while (__atomic_load_n(waits, __ATOMIC_ACQUIRE) != round)
		_mm_pause();
	end = __rdtsc() + settle_ticks;
	while (__rdtsc() < end)
		;
}

/* Sets *word to `round` and wakes its waiter; whether one was asleep there. */
static int post(uint32_t *word, uint32_t round)
{
	long woken;

	__atomic_store_n(word, round, __ATOMIC_RELEASE);
	woken = futex(word, FUTEX_WAKE_PRIVATE, 1);
	if (woken < 0)
		die("FUTEX_WAKE: %s", strerror(errno));
	return woken == 1;
}

static void pin(int cpu)
{
	cpu_set_t one;
	int err;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	err = pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	if (err)
		die("cannot pin a thread to CPU %d: %s", cpu, strerror(err));
}

/* The first two CPUs of the caller's affinity mask. */
static void two_cpus(int *first, int *second)
{
	cpu_set_t mask;
	int cpu, found = 0;

	if (sched_getaffinity(0, sizeof(mask), &mask))
		die("sched_getaffinity: %s", strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++) {
		if (!CPU_ISSET(cpu, &mask))
			continue;
		*(found++ ? second : first) = cpu;
	}
	if (found < 2)
		die("two CPUs needed in the affinity mask, it has %d", CPU_COUNT(&mask));
}

static void *answer_rounds(void *rounds)
{
	uint32_t round, last = (uint32_t)(uintptr_t)rounds;

	pin(partner_cpu);
	for (round = 1; round <= last; round++) {
		wait_for(&ping, round, &partner_waits);
		until_asleep(&main_waits, round);
		partner_found_sleeper[round] = post(&pong, round);
	}
	return NULL;
}

/*
 * A round trip is a wake-up each way and the partner's settle between them.
 * Only rounds in which both wakes found the other thread asleep count: a
 * vCPU the host did not run in time is not the wake-up's doing.
 */
static int futex_mode(int n)
{
	uint32_t warm = n / 10 + 1, round;
	uint64_t *ticks = tick_buffer(n);
	struct clock_pair start = clock_now();
	int my_cpu, err, counted = 0;
	pthread_t partner;

	settle_ticks = SETTLE_NS / tsc_scale();
	partner_found_sleeper = calloc(warm + n + 1, 1);
	if (!partner_found_sleeper)
		die("no memory for %d rounds", warm + n);
	two_cpus(&my_cpu, &partner_cpu);
	err = pthread_create(&partner, NULL, answer_rounds, (void *)(uintptr_t)(warm + n));
	if (err)
		die("pthread_create: %s", strerror(err));
	pin(my_cpu);
	for (round = 1; round <= warm + n; round++) {
		uint64_t t0, t1;
		int found_sleeper;

		until_asleep(&partner_waits, round);
		t0 = __rdtsc();
		found_sleeper = post(&ping, round);
		wait_for(&pong, round, &main_waits);
		t1 = __rdtsc();
		if (round > warm && found_sleeper)	/* else 0: never a round trip */
			ticks[round - warm - 1] = t1 - t0;
	}
	err = pthread_join(partner, NULL);
	if (err)
		die("pthread_join: %s", strerror(err));
	for (round = warm + 1; round <= warm + n; round++)
		if (ticks[round - warm - 1] && partner_found_sleeper[round])
			ticks[counted++] = ticks[round - warm - 1];
	if (!counted || counted < n / 10)
		die("in only %d of %d rounds both wakes found the other thread asleep", counted, n);
	printf("futex_wake %.0f\n", (median(ticks, counted) - (double)settle_ticks) * ns_per_tick(start, clock_now()) / 2);
	return 0;
}

/* ---- create: a thread that does nothing, from pthread_create to its join ---- */

static void *return_at_once(void *arg)
{
	return arg;
}

static int create_mode(int n)
{
	int warm = n / 10 + 1, i, err;
	uint64_t *ticks = tick_buffer(n);
	struct clock_pair start = clock_now();

	for (i = 0; i < warm + n; i++) {
		uint64_t t0 = __rdtsc();
		pthread_t thread;

		err = pthread_create(&thread, NULL, return_at_once, NULL);
		if (err)
			die("pthread_create, thread %d: %s", i + 1, strerror(err));
		err = pthread_join(thread, NULL);
		if (err)
			die("pthread_join, thread %d: %s", i + 1, strerror(err));
		if (i >= warm)
			ticks[i - warm] = __rdtsc() - t0;
	}
	printf("create_join %.0f\n", median(ticks, n) * ns_per_tick(start, clock_now()));
	return 0;
}

/* ---- omp: EPCC syncbench's barrier and reduction, against its reference loop ---- */

/* Work the compiler must keep, and no memory access. */
static void delay(void)
{
	for (int i = 0; i < DELAY_STEPS; i++)
		__asm__ volatile("" : : "r"(i));
}

/* The same steps' delay, one thread alone (threads: as the loops it is the reference of). */
static uint64_t reference_loop(int threads)
{
	uint64_t t0 = __rdtsc();

	(void)threads;
	for (int step = 0; step < OMP_INNER; step++)
		delay();
	return __rdtsc() - t0;
}

static uint64_t barrier_loop(int threads)
{
	uint64_t t0 = __rdtsc();
	int team = 0;

#pragma omp parallel
	{
#pragma omp single nowait
		team = omp_get_num_threads();
		for (int step = 0; step < OMP_INNER; step++) {
			delay();
#pragma omp barrier
		}
	}
	if (team != threads)
		die("a team of %d threads, %d asked for", team, threads);
	return __rdtsc() - t0;
}

static uint64_t reduction_loop(int threads)
{
	uint64_t t0 = __rdtsc();
	int sum = 0;

	for (int step = 0; step < OMP_INNER; step++) {
#pragma omp parallel reduction(+:sum)
		{
			delay();
			sum += 1;
		}
	}
	if (sum != OMP_INNER * threads)
		die("a reduction of %d threads over %d steps gave %d", threads, OMP_INNER, sum);
	return __rdtsc() - t0;
}

/* The median of n repetitions of a loop, its first run (the team's start) left out. */
static uint64_t median_loop(uint64_t (*loop)(int), int threads, int n, uint64_t *ticks)
{
	loop(threads);
	for (int i = 0; i < n; i++)
		ticks[i] = loop(threads);
	return median(ticks, n);
}

static int omp_mode(int n)
{
	int threads = omp_get_max_threads();
	uint64_t *ticks = tick_buffer(n), barrier, reduction, alone;
	struct clock_pair start = clock_now();
	double scale;

	barrier = median_loop(barrier_loop, threads, n, ticks);
	reduction = median_loop(reduction_loop, threads, n, ticks);
	alone = median_loop(reference_loop, threads, n, ticks);
	scale = ns_per_tick(start, clock_now()) / OMP_INNER;
	printf("omp_threads %d\n", threads);
	printf("omp_barrier %.0f\n", ((double)barrier - alone) * scale);
	printf("omp_reduction %.0f\n", ((double)reduction - alone) * scale);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int n = argc == 3 ? atoi(argv[2]) : 0;

	if (n < 1) {
		fprintf(stderr, "usage: threadbench futex|create|omp N (N >= 1)\n");
		return 2;
	}
	if (!strcmp(mode, "futex"))
		return futex_mode(n);
	if (!strcmp(mode, "create"))
		return create_mode(n);
	if (!strcmp(mode, "omp"))
		return omp_mode(n);
	fprintf(stderr, "usage: threadbench futex|create|omp N (N >= 1)\n");
	return 2;
}

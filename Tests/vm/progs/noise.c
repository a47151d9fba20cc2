// SPDX-License-Identifier: GPL-2.0
/*
 * noise - OS noise probes for `make bench`: one static binary, run on a Linux
 * CPU (taskset) and on an LWK CPU (mcexec -c).  While it measures it makes
 * no system call and takes no page fault (its buffers are touched first), so
 * whatever stretches a sample came from outside the program.  Samples stay in
 * memory and are printed at the end.
 *
 *   noise calibrate USEC          how many work units take about USEC µs here
 *   noise fwq QUANTA UNITS [WAIT [TAIL]]
 *                        fixed work quanta: QUANTA back-to-back quanta of
 *                        UNITS work units each; prints each one's duration
 *                        (ns)
 *   noise detour SECONDS [WAIT [TAIL]]
 *                        selfish detour: reads the clock in a tight loop for
 *                        SECONDS and prints every gap much longer than the
 *                        loop's own step, as "start length" (ns from the
 *                        run's start)
 *
 * WAIT: seconds to spin before measuring, without a system call, after a
 * "# ready" line (and, with NOISE_GO=FILE, after FILE exists and a "# go"
 * line), so that the caller can act (sample, stop the proxy) before the
 * measurement and not during it.  TAIL: seconds to spin after measuring, before the
 * samples are printed, so that the caller can look at the proxy (sample its
 * CPU time) outside the measurement: under QEMU -icount whatever the caller
 * runs meanwhile, on any vCPU, would count as this CPU's noise.
 *
 * Time is the TSC, converted to ns by clock_gettime(CLOCK_MONOTONIC) at both
 * ends of the run (on the LWK that call is served locally, from the TSC too).
 */
#include "bench.h"
#include <unistd.h>

#define DETOUR_MAX	(1 << 18)	/* detours kept; more are only counted */
#define DETOUR_FACTOR	8		/* a gap this many steps long is a detour, */
#define DETOUR_MIN_NS	1000.0		/* and at least this long */

static volatile uint64_t sink;

/* A chain of dependent xorshift steps: the same instructions every time. */
static uint64_t work(uint64_t units, uint64_t x)
{
	while (units--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

/* Spins for `seconds` on the TSC alone. */
static void spin(double seconds)
{
	uint64_t end;

	if (seconds <= 0)
		return;
	end = __rdtsc() + (uint64_t)(seconds * 1e9 / tsc_scale());
	while (__rdtsc() < end)
		;
}

/*
 * Says "# ready" (the last output before the samples) with the monotonic time,
 * then, with NOISE_GO=FILE in the environment, waits (polling, 10 ms apart)
 * until FILE exists and says "# go" with the time: the caller samples what it
 * needs first and lets the probe go only then, so that none of its own work
 * falls into the measurement.  Then spins WAIT seconds and returns.
 */
static void announce_and_spin(double seconds)
{
	const char *go = getenv("NOISE_GO");

	if (seconds <= 0)
		return;
	printf("# ready %llu\n", (unsigned long long)monotonic_ns());
	fflush(stdout);
	if (go) {
		while (access(go, F_OK) != 0)
			spin(0.01);
		printf("# go %llu\n", (unsigned long long)monotonic_ns());
		fflush(stdout);
	}
	spin(seconds);
}

static int calibrate(double usec)
{
	uint64_t units = 1 << 14, best = UINT64_MAX;
	int i;

	for (i = 0; i < 50; i++) {
		uint64_t t0 = __rdtsc();

		sink = work(units, t0 | 1);
		if (__rdtsc() - t0 < best)
			best = __rdtsc() - t0;
	}
	printf("%llu\n", (unsigned long long)(usec * 1000.0 / (best * tsc_scale()) * units));
	return 0;
}

static int fwq(long quanta, uint64_t units, double tail)
{
	uint64_t *ticks = touched(quanta * sizeof(*ticks)), x = 1, t;
	struct clock_pair a, b;
	double scale;
	long i;

	sink = work(units, x);	/* warm the code path */
	a = clock_now();
	t = a.tsc;
	for (i = 0; i < quanta; i++) {
		uint64_t start = t;

		x = work(units, x | 1);
		t = __rdtsc();
		ticks[i] = t - start;
	}
	b = clock_now();
	sink = x;
	spin(tail);
	scale = ns_per_tick(a, b);
	printf("# fwq quanta %ld units %llu ns_per_tick %.6f\n", quanta, (unsigned long long)units, scale);
	for (i = 0; i < quanta; i++)
		printf("%.0f\n", ticks[i] * scale);
	return 0;
}

/*
 * The loop's usual step (the median over a short calibration) sets the
 * threshold: DETOUR_FACTOR steps, and never less than DETOUR_MIN_NS, the
 * scale at which an interrupt or a preemption shows.
 */
static uint64_t detour_threshold(double *step_ns, double *scale)
{
	enum { STEPS = 4096 };
	static uint64_t steps[STEPS];
	uint64_t prev = __rdtsc(), now, min_ticks;
	int i;

	for (i = 0; i < STEPS; i++) {
		now = __rdtsc();
		steps[i] = now - prev;
		prev = now;
	}
	qsort(steps, STEPS, sizeof(*steps), by_value);
	*scale = tsc_scale();
	*step_ns = steps[STEPS / 2] * *scale;
	min_ticks = (uint64_t)(DETOUR_MIN_NS / *scale);
	return steps[STEPS / 2] * DETOUR_FACTOR > min_ticks ? steps[STEPS / 2] * DETOUR_FACTOR : min_ticks;
}

static int detour(double seconds, double tail)
{
	struct detour { uint64_t start, length; } *seen = touched(DETOUR_MAX * sizeof(*seen));
	uint64_t threshold, end, prev, now, loops = 0, count = 0;
	struct clock_pair a, b;
	double step_ns, scale;
	long i;

	threshold = detour_threshold(&step_ns, &scale);
	a = clock_now();
	end = a.tsc + (uint64_t)(seconds * 1e9 / scale);
	prev = a.tsc;
	while ((now = __rdtsc()) < end) {
		if (now - prev > threshold) {
			if (count < DETOUR_MAX) {
				seen[count].start = prev - a.tsc;
				seen[count].length = now - prev;
			}
			count++;
		}
		prev = now;
		loops++;
	}
	b = clock_now();
	spin(tail);
	scale = ns_per_tick(a, b);
	printf("# detour seconds %.3f step_ns %.1f threshold_ns %.1f loops %llu detours %llu\n",
	       (b.ns - a.ns) / 1e9, step_ns, threshold * scale, (unsigned long long)loops,
	       (unsigned long long)count);
	for (i = 0; i < (long)count && i < DETOUR_MAX; i++)
		printf("%.0f %.0f\n", seen[i].start * scale, seen[i].length * scale);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "calibrate") && argc == 3)
		return calibrate(atof(argv[2]));
	if (!strcmp(c, "fwq") && argc >= 4 && argc <= 6) {
		announce_and_spin(argc >= 5 ? atof(argv[4]) : 0);
		return fwq(atol(argv[2]), strtoull(argv[3], NULL, 10), argc == 6 ? atof(argv[5]) : 0);
	}
	if (!strcmp(c, "detour") && argc >= 3 && argc <= 5) {
		announce_and_spin(argc >= 4 ? atof(argv[3]) : 0);
		return detour(atof(argv[2]), argc == 5 ? atof(argv[4]) : 0);
	}
	fprintf(stderr, "usage: noise calibrate USEC | fwq QUANTA UNITS [WAIT [TAIL]] | detour SECONDS [WAIT [TAIL]]\n");
	return 2;
}

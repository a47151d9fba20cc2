// SPDX-License-Identifier: GPL-2.0
/*
 * kernels - compute and memory kernels for `make bench`, single-threaded, one
 * static binary run on a Linux CPU and on an LWK CPU in the same guest:
 *
 *   kernels triad   STREAM-style a[i] = b[i] + s * c[i] over 3 x 16 MiB: MB/s
 *   kernels gups    random read-modify-write of 64-bit words of a 64 MiB
 *                   table, far beyond what 4 KiB pages' TLB reach covers:
 *                   million updates per second (MUP/s)
 *   kernels dgemm   C += A * B, 256 x 256 doubles, through OpenBLAS: MFLOP/s
 *   kernels stencil 7-point Jacobi sweeps over a 96^3 grid: million lattice
 *                   updates per second (MLUP/s)
 *
 * Each prints "name rate unit", the best of a few repetitions (memory is
 * allocated and touched before the first, so page faults stay out of it).
 */
#include "bench.h"

#include <cblas.h>

static double seconds(void)
{
	return monotonic_ns() * 1e-9;
}

/* The best (shortest) time of `repeats` runs of kernel(state). */
static double best_of(int repeats, void (*kernel)(void *), void *state)
{
	double best = 1e30;

	while (repeats--) {
		double t0 = seconds(), t;

		kernel(state);
		t = seconds() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

struct triad { double *a, *b, *c; size_t n; };

static void triad_once(void *state)
{
	struct triad *t = state;
	size_t i;

	for (i = 0; i < t->n; i++)
		t->a[i] = t->b[i] + 3.0 * t->c[i];
}

static int triad(void)
{
	struct triad t = { .n = 2u << 20 };
	double best;

	t.a = touched(t.n * sizeof(double));
	t.b = touched(t.n * sizeof(double));
	t.c = touched(t.n * sizeof(double));
	best = best_of(5, triad_once, &t);
	printf("triad %.1f MB/s\n", 3 * t.n * sizeof(double) / best / 1e6);
	return t.a[t.n / 2] == 0;
}

struct gups { uint64_t *table; size_t words, updates; };

static void gups_once(void *state)
{
	struct gups *g = state;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i;

	for (i = 0; i < g->updates; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		g->table[x & (g->words - 1)] ^= x;
	}
}

static int gups(void)
{
	struct gups g = { .words = 8u << 20, .updates = 4u << 20 };
	double best;

	g.table = touched(g.words * sizeof(uint64_t));
	best = best_of(3, gups_once, &g);
	printf("gups %.2f MUP/s\n", g.updates / best / 1e6);
	return 0;
}

struct dgemm { double *a, *b, *c; int n; };

static void dgemm_once(void *state)
{
	struct dgemm *d = state;

	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->n, d->n, d->n,
		    1.0, d->a, d->n, d->b, d->n, 1.0, d->c, d->n);
}

static int dgemm(void)
{
	struct dgemm d = { .n = 256 };
	size_t bytes = (size_t)d.n * d.n * sizeof(double);
	double best;

	d.a = touched(bytes);
	d.b = touched(bytes);
	d.c = touched(bytes);
	dgemm_once(&d);		/* OpenBLAS sets itself up on the first call */
	best = best_of(3, dgemm_once, &d);
	printf("dgemm %.1f MFLOP/s\n", 2.0 * d.n * d.n * d.n / best / 1e6);
	return 0;
}

struct stencil { double *in, *out; int n; };

static void stencil_sweep(void *state)
{
	struct stencil *s = state;
	int n = s->n, x, y, z;
	double *tmp;

#define AT(g, x, y, z) (g)[((size_t)(z) * n + (y)) * n + (x)]
	for (z = 1; z < n - 1; z++)
		for (y = 1; y < n - 1; y++)
			for (x = 1; x < n - 1; x++)
				AT(s->out, x, y, z) = (AT(s->in, x, y, z) + AT(s->in, x - 1, y, z) +
						       AT(s->in, x + 1, y, z) + AT(s->in, x, y - 1, z) +
						       AT(s->in, x, y + 1, z) + AT(s->in, x, y, z - 1) +
						       AT(s->in, x, y, z + 1)) * (1.0 / 7.0);
#undef AT
	tmp = s->in;
	s->in = s->out;
	s->out = tmp;
}

static int stencil(void)
{
	struct stencil s = { .n = 96 };
	size_t cells = (size_t)s.n * s.n * s.n;
	double best;

	s.in = touched(cells * sizeof(double));
	s.out = touched(cells * sizeof(double));
	best = best_of(5, stencil_sweep, &s);
	printf("stencil %.2f MLUP/s\n", (double)(s.n - 2) * (s.n - 2) * (s.n - 2) / best / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "triad"))
		return triad();
	if (!strcmp(c, "gups"))
		return gups();
	if (!strcmp(c, "dgemm"))
		return dgemm();
	if (!strcmp(c, "stencil"))
		return stencil();
	fprintf(stderr, "usage: kernels triad|gups|dgemm|stencil\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * runtime.c - what Embedded Swift expects from its C library: a heap
 * (posix_memalign/free, first fit over an address-ordered free list with
 * merging, one spinlock), the mem* functions the architecture does not
 * provide (its string.c has memset and memcpy), putchar on the
 * architecture's console, arc4random_buf.
 *
 * The heap starts as the 1 MiB the boot code gives it and grows from the
 * LWK's frames when nothing fits (lwk_heap_more, Frames.swift), into memory
 * no program can take: Swift traps when an allocation fails, and in the LWK
 * a trap is a panic.  What it grew by stays heap.
 */
#include "lwk.h"

/* Frames.swift: the window address of at least 'bytes' more for the heap, 0 if none */
uint64_t lwk_heap_more(size_t bytes);

/* ---- heap ---- */
struct block { size_t bytes; struct block *next; };	/* free block header */
struct used { size_t bytes, asked; void *base; };	/* before each allocation */

static struct block *free_list;
static uint32_t heap_lock;
/*
 * Bytes allocated and not freed, as asked for (rounded): not the remainders too
 * small to split that a block hands out with them, which vary with the free
 * list's layout, so that the figure (lwk_heap_used, the leak check of every
 * program's end line) moves only when something is held.
 */
static size_t heap_in_use;
static size_t heap_grown;	/* bytes taken from the frames beyond the first MiB */

void lwk_heap_init(void *start, size_t bytes)
{
	struct block *b = start;

	b->bytes = bytes;
	b->next = NULL;
	free_list = b;
}

size_t lwk_heap_used(void) { return heap_in_use; }
size_t lwk_heap_grown(void) { return heap_grown; }

static void heap_insert(struct block *b)
{
	struct block **p = &free_list;

	while (*p && *p < b)
		p = &(*p)->next;
	b->next = *p;
	*p = b;
	if (b->next && (char *)b + b->bytes == (char *)b->next) {
		b->bytes += b->next->bytes;
		b->next = b->next->next;
	}
	if (p != &free_list) {
		struct block *prev = (struct block *)((char *)p - offsetof(struct block, next));
		if ((char *)prev + prev->bytes == (char *)b) {
			prev->bytes += b->bytes;
			prev->next = b->next;
		}
	}
}

/* The first free block of at least 'need' bytes, taken off the list; NULL if none. */
static struct block *heap_take(size_t *need)
{
	struct block **p, *b;

	for (p = &free_list; (b = *p); p = &b->next) {
		if (b->bytes < *need)
			continue;
		if (b->bytes - *need >= 64) {
			struct block *rest = (struct block *)((char *)b + *need);
			rest->bytes = b->bytes - *need;
			rest->next = b->next;
			*p = rest;
		} else {
			*need = b->bytes;
			*p = b->next;
		}
		return b;
	}
	return NULL;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	struct block *b;
	size_t need, asked;
	int grown = 0;

	*out = NULL;
	if (align < 16)
		align = 16;
	if (size > ((size_t)1 << 40) || align > 4096)
		return 12;	/* ENOMEM */
	need = (size + sizeof(struct used) + align + 15) & ~(size_t)15;
	if (need < sizeof(struct block))
		need = sizeof(struct block);
	asked = need;
	for (;;) {
		lwk_spin_lock(&heap_lock);
		b = heap_take(&need);
		if (b)
			heap_in_use += asked;
		lwk_spin_unlock(&heap_lock);
		if (b || grown)
			break;
		/* the frame allocator takes its own lock and never the heap's */
		struct block *more = lwk_ptr(lwk_heap_more(need));
		if (!more)
			return 12;
		more->bytes = (need + 0xffff) & ~(size_t)0xffff;
		lwk_spin_lock(&heap_lock);
		heap_grown += more->bytes;
		heap_insert(more);
		lwk_spin_unlock(&heap_lock);
		grown = 1;
	}
	if (!b)
		return 12;
	uintptr_t a = ((uintptr_t)b + sizeof(struct used) + align - 1) & ~(uintptr_t)(align - 1);
	struct used *u = (struct used *)a - 1;
	u->bytes = need;
	u->asked = asked;
	u->base = b;
	*out = (void *)a;
	return 0;
}

void *malloc(size_t size)
{
	void *p;
	return posix_memalign(&p, 16, size) ? NULL : p;
}

void free(void *ptr)
{
	struct used *u;
	struct block *b;
	size_t asked;

	if (!ptr)
		return;
	u = (struct used *)ptr - 1;
	b = u->base;
	asked = u->asked;	/* the block's header may overlap u */
	b->bytes = u->bytes;
	lwk_spin_lock(&heap_lock);
	heap_in_use -= asked;
	heap_insert(b);
	lwk_spin_unlock(&heap_lock);
}

/* ---- memory and strings (memset, memcpy: the architecture's string.c) ---- */
void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* ---- console (the architecture's lwk_console_putc) ---- */
void lwk_console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		lwk_console_putc(s[i]);
}

int putchar(int c)
{
	lwk_console_putc((uint8_t)c);
	return c;
}

/* Hashing seeds: the cycle counter is enough for a kernel without secrets. */
void arc4random_buf(void *buf, size_t n)
{
	static uint64_t state;
	uint8_t *p = buf;

	if (!state)
		state = lwk_cycles() | 1;
	for (size_t i = 0; i < n; i++) {
		state ^= state << 13; state ^= state >> 7; state ^= state << 17;
		p[i] = (uint8_t)state;
	}
}

void __stack_chk_fail(void) { lwk_halt_forever(); }
void abort(void) { lwk_halt_forever(); }

void *lwk_ptr(uint64_t address) { return (void *)address; }

uint8_t *lwk_panic_text(void)
{
	static uint8_t text[LWK_PANIC_TEXT_BYTES];

	return text;
}

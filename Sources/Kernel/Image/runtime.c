// SPDX-License-Identifier: GPL-2.0
/*
 * runtime.c - what Embedded Swift expects from its C library: a heap
 * (posix_memalign/free, first fit over an address-ordered free list with
 * merging, one spinlock), mem* functions, putchar (COM2), arc4random_buf.
 */
#include "lwk.h"

/* ---- heap ---- */
struct block { size_t bytes; struct block *next; };	/* free block header */
struct used { size_t bytes; void *base; };		/* before each allocation */

static struct block *free_list;
static uint32_t heap_lock;
static size_t heap_in_use;

void lwk_heap_init(void *start, size_t bytes)
{
	struct block *b = start;

	b->bytes = bytes;
	b->next = NULL;
	free_list = b;
}

size_t lwk_heap_used(void) { return heap_in_use; }

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

int posix_memalign(void **out, size_t align, size_t size)
{
	struct block **p, *b;
	size_t need;

	if (align < 16)
		align = 16;
	need = (size + sizeof(struct used) + align + 15) & ~(size_t)15;
	if (need < sizeof(struct block))
		need = sizeof(struct block);
	lwk_spin_lock(&heap_lock);
	for (p = &free_list; (b = *p); p = &b->next) {
		if (b->bytes < need)
			continue;
		if (b->bytes - need >= 64) {
			struct block *rest = (struct block *)((char *)b + need);
			rest->bytes = b->bytes - need;
			rest->next = b->next;
			*p = rest;
		} else {
			need = b->bytes;
			*p = b->next;
		}
		heap_in_use += need;
		lwk_spin_unlock(&heap_lock);
		uintptr_t a = ((uintptr_t)b + sizeof(struct used) + align - 1) & ~(uintptr_t)(align - 1);
		struct used *u = (struct used *)a - 1;
		u->bytes = need;
		u->base = b;
		*out = (void *)a;
		return 0;
	}
	lwk_spin_unlock(&heap_lock);
	*out = NULL;
	return 12;	/* ENOMEM */
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

	if (!ptr)
		return;
	u = (struct used *)ptr - 1;
	b = u->base;
	b->bytes = u->bytes;
	lwk_spin_lock(&heap_lock);
	heap_in_use -= b->bytes;
	heap_insert(b);
	lwk_spin_unlock(&heap_lock);
}

/* ---- memory and strings ---- */
void *memset(void *d, int c, size_t n)
{
	void *r = d;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return r;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	return r;
}

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

/* ---- console: COM2 (0x2F8), never mixed with Linux's COM1 ---- */
#define COM2 0x2f8
void lwk_com2_putc(uint8_t c)
{
	int spins = 100000;

	while (!(lwk_inb(COM2 + 5) & 0x20) && --spins)
		lwk_pause();
	lwk_outb(COM2, c);
}

void lwk_com2_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		lwk_com2_putc(s[i]);
}

int putchar(int c)
{
	lwk_com2_putc((uint8_t)c);
	return c;
}

/* Hashing seeds: the TSC is enough for a kernel without secrets. */
void arc4random_buf(void *buf, size_t n)
{
	static uint64_t state;
	uint8_t *p = buf;

	if (!state)
		state = lwk_rdtsc() | 1;
	for (size_t i = 0; i < n; i++) {
		state ^= state << 13; state ^= state >> 7; state ^= state << 17;
		p[i] = (uint8_t)state;
	}
}

void __stack_chk_fail(void) { lwk_halt_forever(); }
void abort(void) { lwk_halt_forever(); }

/* ---- descriptor tables ---- */
extern uint8_t lwk_idt[4096];

struct __attribute__((packed)) lwk_dtr { uint16_t limit; uint64_t base; };

void lwk_idt_fill(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t h = lwk_vectors[v];

		if (!h && v >= 32)
			h = (uint64_t)(lwk_stray_stubs + (v - 32) * 16);
		uint8_t *g = lwk_idt + v * 16;
		uint64_t lo = 0, hi = 0;

		if (h) {
			/* int3 may come from ring 3 (DPL 3), to end as SIGTRAP, not #GP */
			uint64_t type = v == 3 ? 0xee : 0x8e;
			lo = (h & 0xffff) | (0x08ull << 16) | (type << 40) |
			     ((h >> 16) & 0xffff) << 48;
			hi = h >> 32;
		}
		memcpy(g, &lo, 8);
		memcpy(g + 8, &hi, 8);
	}
}

void *lwk_ptr(uint64_t address) { return (void *)address; }

/*
 * A CPU's own descriptor tables, in one page of its memory: the GDT the
 * SYSCALL/SYSRET MSR layout needs (STAR: kernel 0x08/0x10, user base 0x18 ->
 * data 0x20, code 0x28) and a TSS whose RSP0 is the CPU's kernel stack top,
 * where interrupts from ring 3 land.  The TSS is per CPU because ltr marks
 * its descriptor busy.  The percpu block for swapgs follows.
 */
#define PAGE_GDT	0
#define PAGE_TSS	128
#define PAGE_PERCPU	256
#define TSS_BYTES	104

extern void lwk_syscall_entry(void);
extern uint8_t lwk_boot_stack_top[];

struct lwk_percpu *lwk_cpu_tables(void *page, uint64_t kernel_stack_top, uint64_t cpu)
{
	uint8_t *p = page;
	uint64_t *gdt = (uint64_t *)(p + PAGE_GDT);
	uint8_t *tss = p + PAGE_TSS;
	uint64_t base = (uint64_t)tss;
	uint16_t iomap = TSS_BYTES;	/* no I/O bitmap */
	struct lwk_percpu *percpu = (struct lwk_percpu *)(p + PAGE_PERCPU);

	memset(page, 0, 4096);
	gdt[1] = 0x00af9a000000ffffull;	/* 0x08 kernel code, 64-bit */
	gdt[2] = 0x00cf92000000ffffull;	/* 0x10 kernel data */
	gdt[3] = 0x00cffa000000ffffull;	/* 0x18 user code, 32-bit (SYSRET layout only) */
	gdt[4] = 0x00cff2000000ffffull;	/* 0x20 user data */
	gdt[5] = 0x00affa000000ffffull;	/* 0x28 user code, 64-bit */
	gdt[6] = (TSS_BYTES - 1) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		 ((base >> 24) & 0xff) << 56;	/* 0x30 TSS, available */
	gdt[7] = base >> 32;
	memcpy(tss + 4, &kernel_stack_top, 8);	/* RSP0 */
	memcpy(tss + 102, &iomap, 2);
	percpu->kernel_rsp = kernel_stack_top;
	percpu->cpu = cpu;

	struct lwk_dtr gdtr = { 8 * 8 - 1, (uint64_t)gdt };
	struct lwk_dtr idtr = { 4095, (uint64_t)lwk_idt };
	lwk_load_gdt_idt(&gdtr, &idtr);
	__asm__ volatile("ltr %w0" :: "r"((uint16_t)0x30));
	return percpu;
}

uint64_t lwk_syscall_entry_address(void) { return (uint64_t)lwk_syscall_entry; }
uint64_t lwk_boot_stack_top_address(void) { return (uint64_t)lwk_boot_stack_top; }

/*
 * A new process must not see the previous one's FPU/SSE/AVX registers: XRSTOR
 * from an area whose XSTATE_BV is 0 puts every component in XCR0 in its
 * initial state (MXCSR comes from the legacy area: its default 0x1f80).
 * Without XSAVE, FNINIT and LDMXCSR do the x87 and SSE control parts.
 */
static uint8_t fpu_init_area[576] __attribute__((aligned(64)));

void lwk_fpu_reset(uint64_t xcr0)
{
	uint32_t mxcsr = 0x1f80;

	__asm__ volatile("fninit");
	if (xcr0) {
		memcpy(fpu_init_area + 24, &mxcsr, 4);
		__asm__ volatile("xrstor %0" :: "m"(fpu_init_area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	} else {
		__asm__ volatile("ldmxcsr %0" :: "m"(mxcsr));
	}
}

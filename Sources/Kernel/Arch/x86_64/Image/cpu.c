// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c - what an x86-64 CPU needs before it runs a program: the IDT, its
 * own GDT and TSS, and FPU/SSE/AVX state in its initial values.
 */
#include "lwk.h"

extern uint8_t lwk_idt[4096];
extern uint8_t lwk_user_entry_start[], lwk_user_entry_end[];

struct __attribute__((packed)) lwk_dtr { uint16_t limit; uint64_t base; };

/* The IDT, shared by every CPU: an exception's own stub, or the interrupt stub of its vector. */
void lwk_idt_fill(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t h = v < 32 ? lwk_vectors[v] :
			     (uint64_t)(lwk_interrupt_stubs + (v - 32) * 16);
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

/*
 * A CPU's own descriptor tables, in one page of its memory: the GDT the
 * SYSCALL/SYSRET MSR layout needs (STAR: kernel 0x08/0x10, user base 0x18 ->
 * data 0x20, code 0x28) and a TSS whose RSP0 is the CPU's kernel stack top,
 * where interrupts from ring 3 land.  The TSS is per CPU because ltr marks
 * its descriptor busy.  The percpu block for swapgs follows.  With page-table
 * isolation the rest of the page is the entry stack: interrupts from ring 3
 * land there (the kernel stack is not in the user root) and entry.S moves
 * their frame to the kernel stack.
 */
#define PAGE_GDT	0
#define PAGE_TSS	128
#define PAGE_PERCPU	256
#define TSS_BYTES	104

extern void lwk_syscall_entry(void);
extern void lwk_context_first(void);
extern uint8_t lwk_boot_stack_top[];

struct lwk_percpu *lwk_cpu_tables(void *page, uint64_t kernel_stack_top, uint64_t cpu,
				  uint64_t kernel_cr3, uint64_t user_cr3)
{
	uint8_t *p = page;
	uint64_t *gdt = (uint64_t *)(p + PAGE_GDT);
	uint8_t *tss = p + PAGE_TSS;
	uint64_t base = (uint64_t)tss;
	uint16_t iomap = TSS_BYTES;	/* no I/O bitmap */
	struct lwk_percpu *percpu = (struct lwk_percpu *)(p + PAGE_PERCPU);
	uint64_t entry_stack = (uint64_t)p + 4096;
	uint64_t rsp0 = user_cr3 ? entry_stack : kernel_stack_top;

	memset(page, 0, 4096);
	gdt[1] = 0x00af9a000000ffffull;	/* 0x08 kernel code, 64-bit */
	gdt[2] = 0x00cf92000000ffffull;	/* 0x10 kernel data */
	gdt[3] = 0x00cffa000000ffffull;	/* 0x18 user code, 32-bit (SYSRET layout only) */
	gdt[4] = 0x00cff2000000ffffull;	/* 0x20 user data */
	gdt[5] = 0x00affa000000ffffull;	/* 0x28 user code, 64-bit */
	gdt[6] = (TSS_BYTES - 1) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		 ((base >> 24) & 0xff) << 56;	/* 0x30 TSS, available */
	gdt[7] = base >> 32;
	memcpy(tss + 4, &rsp0, 8);	/* RSP0 */
	memcpy(tss + 102, &iomap, 2);
	percpu->kernel_rsp = kernel_stack_top;
	percpu->cpu = cpu;
	if (user_cr3) {
		percpu->kernel_cr3 = kernel_cr3;
		percpu->user_cr3 = user_cr3;
		percpu->entry_stack = entry_stack;
	}

	struct lwk_dtr gdtr = { 8 * 8 - 1, (uint64_t)gdt };
	struct lwk_dtr idtr = { 4095, (uint64_t)lwk_idt };
	lwk_load_gdt_idt(&gdtr, &idtr);
	__asm__ volatile("ltr %w0" :: "r"((uint16_t)0x30));
	return percpu;
}

/*
 * With isolation, the roots of the context that has the CPU now: the process
 * root every entry from ring 3 switches to (the context's own, or that of the
 * process a thread on it belongs to) and the user root ring 3 runs on.
 */
void lwk_cpu_set_roots(struct lwk_percpu *percpu, uint64_t kernel_cr3, uint64_t user_cr3)
{
	if (percpu->user_cr3 && user_cr3) {
		percpu->kernel_cr3 = kernel_cr3;
		percpu->user_cr3 = user_cr3;
	}
}

/*
 * The CPU's entries land on another context's kernel stack, and SYSCALL
 * tells lwk_syscall that context's index.  With isolation the TSS's RSP0 is
 * the entry stack, which stays.
 */
void lwk_cpu_set_context(struct lwk_percpu *percpu, uint64_t kernel_stack_top, uint64_t context)
{
	uint8_t *tss = (uint8_t *)percpu - PAGE_PERCPU + PAGE_TSS;

	percpu->kernel_rsp = kernel_stack_top;
	percpu->cpu = context;
	if (!percpu->user_cr3)
		memcpy(tss + 4, &kernel_stack_top, 8);	/* RSP0 */
}

/*
 * A stack for a context's first turn, as lwk_switch_stack saves one: zero
 * callee-saved registers but r12 = the context, returning to
 * lwk_context_first.  'top' is 16-byte aligned, as the call there needs.
 */
uint64_t lwk_context_stack(uint64_t top, uint64_t context)
{
	uint64_t *sp = (uint64_t *)top - 7;

	memset(sp, 0, 7 * sizeof(uint64_t));
	sp[3] = context;				/* r12 */
	sp[6] = (uint64_t)lwk_context_first;		/* return address */
	return (uint64_t)sp;
}

uint64_t lwk_syscall_entry_address(void) { return (uint64_t)lwk_syscall_entry; }
uint64_t lwk_boot_stack_top_address(void) { return (uint64_t)lwk_boot_stack_top; }
uint64_t lwk_user_entry_start_address(void) { return (uint64_t)lwk_user_entry_start; }
uint64_t lwk_user_entry_end_address(void) { return (uint64_t)lwk_user_entry_end; }
uint64_t lwk_idt_address(void) { return (uint64_t)lwk_idt; }

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

/*
 * A program's FPU/SSE/AVX registers around its signal handlers: saved into a
 * 64-byte aligned kernel area (XSAVE of every component in XCR0, standard
 * form; FXSAVE without XSAVE) and loaded back from one the kernel checked
 * (ExtendedStateLayout.restored), so XRSTOR/FXRSTOR cannot fault.  The
 * kernel itself never touches these registers (it is built without SSE), so
 * what they hold in kernel mode is the program's.
 */
void lwk_fpu_save(void *area, uint64_t xcr0)
{
	if (xcr0)
		__asm__ volatile("xsave (%0)" :: "r"(area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave (%0)" :: "r"(area) : "memory");
}

void lwk_fpu_restore(const void *area, uint64_t xcr0)
{
	if (xcr0)
		__asm__ volatile("xrstor (%0)" :: "r"(area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor (%0)" :: "r"(area) : "memory");
}

/* FXSAVE's MXCSR_MASK: the MXCSR bits this CPU accepts (0 means 0xffbf). */
uint32_t lwk_mxcsr_mask(void)
{
	static uint8_t area[512] __attribute__((aligned(16)));
	uint32_t mask;

	memset(area, 0, sizeof(area));
	__asm__ volatile("fxsave %0" : "=m"(area));
	memcpy(&mask, area + 28, 4);
	return mask ? mask : 0xffbf;
}

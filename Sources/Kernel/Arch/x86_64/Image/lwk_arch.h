/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwk_arch.h - x86-64 for the LWK, included by lwk.h (never on its own).
 * Everything here is a static inline wrapper over one instruction, or a
 * declaration of this folder's assembly (entry.S) and C (cpu.c, console.c,
 * string.c).  The generic C expects lwk_cpu_relax, lwk_cycles,
 * lwk_console_putc and lwk_halt_forever of every architecture.
 */
#ifndef LWK_ARCH_H
#define LWK_ARCH_H

/* What the generic C asks of the processor. */
LWK_INLINE void lwk_cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
LWK_INLINE uint64_t lwk_cycles(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
void lwk_console_putc(uint8_t c);	/* console.c */
void lwk_halt_forever(void) __attribute__((noreturn));	/* entry.S */

LWK_INLINE void lwk_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
LWK_INLINE uint8_t lwk_inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
LWK_INLINE uint64_t lwk_rdmsr(uint32_t msr) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
LWK_INLINE void lwk_wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory"); }
LWK_INLINE void lwk_cli(void) { __asm__ volatile("cli" ::: "memory"); }
LWK_INLINE void lwk_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
/* Takes an interrupt that waits (sti holds it back for one instruction: the nop). */
LWK_INLINE void lwk_sti_nop_cli(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }
LWK_INLINE uint64_t lwk_read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
LWK_INLINE uint64_t lwk_read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
LWK_INLINE void lwk_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
LWK_INLINE uint64_t lwk_read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
LWK_INLINE void lwk_write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
LWK_INLINE void lwk_invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
LWK_INLINE void lwk_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{ __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub)); }
LWK_INLINE void lwk_xsetbv(uint32_t reg, uint64_t v) { __asm__ volatile("xsetbv" :: "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }

/* The register frame entry.S builds for every interrupt, exception and SYSCALL. */
struct lwk_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * A CPU's block at KERNEL_GS_BASE, for the SYSCALL entry (entry.S reads it by
 * offset through %gs after swapgs).
 */
struct lwk_percpu {
	uint64_t kernel_rsp;	/* 0: top of this CPU's kernel stack (TSS RSP0 without pti) */
	uint64_t user_rsp;	/* 8: scratch while the entry switches stacks */
	uint64_t cpu;		/* 16: LWK CPU index */
	uint64_t kernel_cr3;	/* 24: with pti, the process root, switched to on entry */
	uint64_t user_cr3;	/* 32: with pti, the user root, switched to on exit; else 0 */
	uint64_t scratch;	/* 40: a register's while the entry switches CR3 */
	uint64_t entry_stack;	/* 48: with pti, top of the entry stack (= TSS RSP0) */
};

/* entry.S */
extern uint8_t lwk_image_end[];		/* the boot block follows */
extern uint64_t lwk_vectors[32];	/* exception stub per vector, 0 = none */
extern uint8_t lwk_interrupt_stubs[];	/* vectors 32..255, 16 bytes each */
void lwk_load_gdt_idt(void *gdtr, void *idtr);
extern uint64_t lwk_ap_cr3, lwk_ap_stack;
extern uint32_t lwk_ap_index;
void lwk_enter_user(uint64_t rip, uint64_t rsp, uint64_t kernel_stack_top) __attribute__((noreturn));
void lwk_resume_user(const struct lwk_frame *frame, uint64_t kernel_stack_top) __attribute__((noreturn));
void lwk_restart_on_stack(uint64_t top, uint64_t cpu) __attribute__((noreturn));
void lwk_switch_stack(uint64_t *save, uint64_t next);

/* cpu.c */
void lwk_idt_fill(void);		/* once: a gate per stub */
/*
 * per CPU, once: GDT with user segments and a TSS in 'page', the IDT, TR; returns the
 * percpu block.  user_cr3 != 0 (pti): ring 3 runs on it, and the TSS's RSP0 is the
 * entry stack at the end of 'page'.
 */
struct lwk_percpu *lwk_cpu_tables(void *page, uint64_t kernel_stack_top, uint64_t cpu,
				  uint64_t kernel_cr3, uint64_t user_cr3);
uint64_t lwk_user_entry_start_address(void);	/* the ways in and out of ring 3, */
uint64_t lwk_user_entry_end_address(void);	/* on pages of their own (lwk.ld) */
uint64_t lwk_idt_address(void);
void lwk_cpu_set_context(struct lwk_percpu *percpu, uint64_t kernel_stack_top, uint64_t context);
void lwk_cpu_set_roots(struct lwk_percpu *percpu, uint64_t kernel_cr3, uint64_t user_cr3);
uint64_t lwk_context_stack(uint64_t top, uint64_t context);
uint64_t lwk_syscall_entry_address(void);
uint64_t lwk_boot_stack_top_address(void);
void lwk_fpu_reset(uint64_t xcr0);	/* x87/SSE/AVX to their initial state */
void lwk_fpu_save(void *area, uint64_t xcr0);	/* XSAVE (xcr0 != 0) or FXSAVE, 64-byte aligned area */
void lwk_fpu_restore(const void *area, uint64_t xcr0);	/* XRSTOR or FXRSTOR of a checked area */
uint32_t lwk_mxcsr_mask(void);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwk.h - the LWK's seam to the hardware, imported by its Swift code
 * (-import-objc-header).  Everything here is a static inline wrapper over
 * one instruction, or a declaration of the C runtime (runtime.c) and the
 * assembly (entry.S).
 */
#ifndef LWK_H
#define LWK_H

#include <stdint.h>
#include <stddef.h>
#include "mcos_abi.h"

#define LWK_INLINE static inline __attribute__((always_inline))

LWK_INLINE void lwk_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
LWK_INLINE uint8_t lwk_inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
LWK_INLINE uint64_t lwk_rdmsr(uint32_t msr) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
LWK_INLINE void lwk_wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory"); }
LWK_INLINE uint64_t lwk_rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
LWK_INLINE void lwk_cli(void) { __asm__ volatile("cli" ::: "memory"); }
LWK_INLINE void lwk_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
LWK_INLINE void lwk_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
LWK_INLINE void lwk_pause(void) { __asm__ volatile("pause" ::: "memory"); }
LWK_INLINE uint64_t lwk_read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
LWK_INLINE uint64_t lwk_read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
LWK_INLINE void lwk_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

/* Shared memory with Linux: ordered accesses. */
LWK_INLINE uint64_t lwk_load64(const void *p) { return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED); }
LWK_INLINE uint64_t lwk_load_acquire64(const void *p) { return __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE); }
LWK_INLINE void lwk_store_release64(void *p, uint64_t v) { __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE); }
LWK_INLINE uint32_t lwk_load32(const void *p) { return __atomic_load_n((const uint32_t *)p, __ATOMIC_ACQUIRE); }
LWK_INLINE void lwk_store32(void *p, uint32_t v) { __atomic_store_n((uint32_t *)p, v, __ATOMIC_RELEASE); }
LWK_INLINE uint32_t lwk_add32(void *p, uint32_t v) { return __atomic_add_fetch((uint32_t *)p, v, __ATOMIC_SEQ_CST); }
LWK_INLINE uint8_t lwk_load8(const void *p) { return *(const volatile uint8_t *)p; }
LWK_INLINE void lwk_store8(void *p, uint8_t v) { *(volatile uint8_t *)p = v; }
LWK_INLINE void lwk_spin_lock(uint32_t *l) { while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) lwk_pause(); }
LWK_INLINE void lwk_spin_unlock(uint32_t *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* The register frame entry.S builds for every interrupt and exception. */
struct lwk_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* entry.S */
extern uint8_t lwk_image_end[];		/* the boot block follows */
extern uint64_t lwk_vectors[256];	/* stub address per vector, 0 = none */
void lwk_load_gdt_idt(void *gdtr, void *idtr);
extern uint64_t lwk_ap_cr3, lwk_ap_stack;
extern uint32_t lwk_ap_index;
void lwk_halt_forever(void) __attribute__((noreturn));

/* runtime.c */
void lwk_heap_init(void *start, size_t bytes);
size_t lwk_heap_used(void);
void lwk_com2_write(const char *s, size_t len);
void lwk_com2_putc(uint8_t c);
void lwk_idt_fill(void);		/* once: a gate per stub */
void lwk_tables_load(void);		/* per CPU: our GDT and IDT */
/* pointers Swift cannot form from a C array */
void *lwk_ptr(uint64_t address);
void *memset(void *d, int c, size_t n);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwk.h - the LWK's C seam, imported by its Swift code (-import-objc-header):
 * ordered accesses to memory shared with Linux, spinlocks, and the C runtime
 * (runtime.c).  What depends on the processor comes from the architecture's
 * lwk_arch.h (Sources/Kernel/Arch/<arch>/Image), found on the include path.
 */
#ifndef LWK_H
#define LWK_H

#include <stdint.h>
#include <stddef.h>

#define LWK_INLINE static inline __attribute__((always_inline))

#include "lwk_arch.h"

/* Shared memory with Linux: ordered accesses. */
LWK_INLINE uint64_t lwk_load64(const void *p) { return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED); }
LWK_INLINE void lwk_store64(void *p, uint64_t v) { __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); }
LWK_INLINE uint64_t lwk_load_acquire64(const void *p) { return __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE); }
LWK_INLINE void lwk_store_release64(void *p, uint64_t v) { __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE); }
LWK_INLINE uint32_t lwk_load32(const void *p) { return __atomic_load_n((const uint32_t *)p, __ATOMIC_ACQUIRE); }
LWK_INLINE void lwk_store32(void *p, uint32_t v) { __atomic_store_n((uint32_t *)p, v, __ATOMIC_RELEASE); }
LWK_INLINE uint32_t lwk_add32(void *p, uint32_t v) { return __atomic_add_fetch((uint32_t *)p, v, __ATOMIC_SEQ_CST); }
LWK_INLINE uint8_t lwk_load8(const void *p) { return *(const volatile uint8_t *)p; }
LWK_INLINE void lwk_store8(void *p, uint8_t v) { *(volatile uint8_t *)p = v; }
/* The old value; 'desired' stored only if it was 'expected' (a locked cmpxchg). */
LWK_INLINE uint32_t lwk_cmpxchg32(void *p, uint32_t expected, uint32_t desired)
{
	__atomic_compare_exchange_n((uint32_t *)p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return expected;
}
LWK_INLINE void lwk_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
LWK_INLINE void lwk_spin_lock(uint32_t *l) { while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) lwk_cpu_relax(); }
LWK_INLINE void lwk_spin_unlock(uint32_t *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }
/* The lock within 'spins' tries: 1 if taken, 0 if not. */
LWK_INLINE int lwk_spin_trylock(uint32_t *l, uint64_t spins)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
		if (!spins--)
			return 0;
		lwk_cpu_relax();
	}
	return 1;
}

/* runtime.c */
void lwk_heap_init(void *start, size_t bytes);
size_t lwk_heap_used(void);
size_t lwk_heap_grown(void);
void lwk_console_write(const char *s, size_t len);
/* a line of the panic path, which must not allocate */
#define LWK_PANIC_TEXT_BYTES 256
uint8_t *lwk_panic_text(void);
/* pointers Swift cannot form from a C array */
void *lwk_ptr(uint64_t address);

/* the architecture's string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif

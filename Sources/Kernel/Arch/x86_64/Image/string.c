// SPDX-License-Identifier: GPL-2.0
/*
 * string.c - memset and memcpy; the generic runtime.c builds the rest on
 * them.  The bulk goes 64 bytes a turn through an unrolled loop of quadword
 * moves (what Linux's memcpy does on CPUs without fast strings), the rest by
 * the string instructions.  Not one `rep movsb`: QEMU's TCG (the test and
 * bench guests) runs a rep string instruction one element per pass through
 * its translated code, and a page copied took 120 us by bytes, 14 us by
 * quadwords, 4 us by this loop there.  On hardware, copies larger than the
 * caches, such as an MPI message's, are bound by memory either way.
 */
#include "lwk.h"

void *memset(void *d, int c, size_t n)
{
	void *r = d;
	unsigned long pattern = 0x0101010101010101ul * (unsigned char)c;
	size_t blocks = n >> 6, quads = (n >> 3) & 7, tail = n & 7;

	if (blocks)
		__asm__ volatile("1:\n\t"
				 "movq %2, 0(%0)\n\tmovq %2, 8(%0)\n\t"
				 "movq %2, 16(%0)\n\tmovq %2, 24(%0)\n\t"
				 "movq %2, 32(%0)\n\tmovq %2, 40(%0)\n\t"
				 "movq %2, 48(%0)\n\tmovq %2, 56(%0)\n\t"
				 "leaq 64(%0), %0\n\t"
				 "decq %1\n\tjnz 1b"
				 : "+r"(d), "+r"(blocks) : "r"(pattern) : "memory", "cc");
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(quads) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(pattern) : "memory");
	return r;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;
	size_t blocks = n >> 6, quads = (n >> 3) & 7, tail = n & 7;

	if (blocks)
		__asm__ volatile("1:\n\t"
				 "movq 0(%1), %%r8\n\tmovq 8(%1), %%r9\n\t"
				 "movq 16(%1), %%r10\n\tmovq 24(%1), %%r11\n\t"
				 "movq %%r8, 0(%0)\n\tmovq %%r9, 8(%0)\n\t"
				 "movq %%r10, 16(%0)\n\tmovq %%r11, 24(%0)\n\t"
				 "movq 32(%1), %%r8\n\tmovq 40(%1), %%r9\n\t"
				 "movq 48(%1), %%r10\n\tmovq 56(%1), %%r11\n\t"
				 "movq %%r8, 32(%0)\n\tmovq %%r9, 40(%0)\n\t"
				 "movq %%r10, 48(%0)\n\tmovq %%r11, 56(%0)\n\t"
				 "leaq 64(%1), %1\n\tleaq 64(%0), %0\n\t"
				 "decq %2\n\tjnz 1b"
				 : "+r"(d), "+r"(s), "+r"(blocks) :: "memory", "cc", "r8", "r9", "r10", "r11");
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(quads) :: "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(tail) :: "memory");
	return r;
}

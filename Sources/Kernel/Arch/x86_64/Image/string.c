// SPDX-License-Identifier: GPL-2.0
/*
 * string.c - memset and memcpy with the string instructions (fast on every
 * x86-64 with ERMS); the generic runtime.c builds the rest on them.
 */
#include "lwk.h"

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

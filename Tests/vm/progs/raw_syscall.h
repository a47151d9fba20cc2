/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw x86-64 system call, for the test programs that must see exactly
 * what the kernel returns (a value or -errno in rax, no libc errno) and pass
 * numbers and arguments libc would refuse or change.
 */
#ifndef RAW_SYSCALL_H
#define RAW_SYSCALL_H

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * quiet: computes for about a second without a system call, then makes an
 * exactly known set of them: 5 getpid (the LWK answers them itself), 3
 * write (offloaded to Linux) and exit_group (local).  No libc, so nothing
 * else runs before or after: 89-lwk-quiet checks that the LWK's count of what
 * entered its kernel while the program ran is exactly that and no interrupt
 * it did not ask for.  The output is the same natively and on the LWK.
 */
#include "raw_syscall.h"

#define NR_write	1
#define NR_getpid	39
#define NR_exit_group	231
#define ITERATIONS	400000000ul

/* "quiet: round N, x = 0123456789abcdef\n": the computation in 16 hex digits */
static void put_result(int round, unsigned long x)
{
	char line[] = "quiet: round 0, x = 0000000000000000\n";
	int i;

	line[13] = (char)('0' + round);
	for (i = 0; i < 16; i++)
		line[20 + 15 - i] = "0123456789abcdef"[(x >> (4 * i)) & 0xf];
	sys6(NR_write, 1, (long)line, sizeof(line) - 1, 0, 0, 0);
}

__attribute__((used)) static void quiet_main(void)
{
	unsigned long x = 1, i;
	int round;

	for (i = 0; i < ITERATIONS; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		__asm__ volatile("" : "+r"(x));	/* no closed form: each step runs */
	}
	for (i = 0; i < 5; i++)
		sys6(NR_getpid, 0, 0, 0, 0, 0, 0);	/* asm volatile: made even unused */
	for (round = 0; round < 3; round++)
		put_result(round, x + (unsigned long)round);
	sys6(NR_exit_group, 0, 0, 0, 0, 0, 0);
	for (;;)
		;
}

/* The stack pointer comes 16-byte aligned from the kernel: align the call. */
__asm__(".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	andq $-16, %rsp\n"
	"	call quiet_main\n"
	"	hlt\n");

// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - the LWK's console: COM2 (0x2F8), never mixed with Linux's COM1.
 */
#include "lwk.h"

#define COM2		0x2f8
#define COM_LSR		5	/* line status register */
#define LSR_THRE	0x20	/* transmit holding register empty */

void lwk_console_putc(uint8_t c)
{
	int spins = 100000;

	while (!(lwk_inb(COM2 + COM_LSR) & LSR_THRE) && --spins)
		lwk_cpu_relax();
	lwk_outb(COM2, c);
}

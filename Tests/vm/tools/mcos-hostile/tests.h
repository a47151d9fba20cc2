/* SPDX-License-Identifier: GPL-2.0 */
/* tests.h - the commands of mcos-hostile; each returns the exit status. */
#ifndef HOSTILE_TESTS_H
#define HOSTILE_TESTS_H

int check_stale(int os);
int check_stall(int os);
int check_expire(int os, unsigned int seconds);
int check_cap(int os, unsigned int limit);
int fuzz(int os, unsigned long calls, unsigned long seed, unsigned int workers);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * said.h - how the programs that run natively and on the LWK word what they
 * saw (exectest, forktest, sharedmap): yes or no, errno and signal names, a FAILED line.
 * Names, not numbers, so that a scenario's diff reads as the man pages do.
 */
#ifndef SAID_H
#define SAID_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>

static inline const char *yes(int good)
{
	return good ? "yes" : "no";
}

static inline const char *errno_name(int err)
{
	static const struct { int err; const char *name; } names[] = {
#define NAME(e) { e, #e }
		NAME(EPERM), NAME(ENOENT), NAME(ESRCH), NAME(EINTR), NAME(EIO),
		NAME(E2BIG), NAME(ENOEXEC), NAME(EBADF), NAME(ECHILD), NAME(EAGAIN),
		NAME(ENOMEM), NAME(EACCES), NAME(EFAULT), NAME(EBUSY), NAME(EEXIST),
		NAME(ENOTDIR), NAME(EISDIR), NAME(EINVAL), NAME(EMFILE), NAME(ETXTBSY),
		NAME(EPIPE), NAME(ENAMETOOLONG), NAME(ENOSYS), NAME(ELOOP), NAME(ELIBBAD),
		NAME(EOVERFLOW), NAME(ENODEV), NAME(EOPNOTSUPP),
#undef NAME
	};
	static char unknown[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(unknown, sizeof(unknown), "errno %d", err);
	return unknown;
}

static inline const char *signal_name(int sig)
{
	static const struct { int sig; const char *name; } names[] = {
#define NAME(s) { s, #s }
		NAME(SIGHUP), NAME(SIGINT), NAME(SIGQUIT), NAME(SIGILL), NAME(SIGABRT),
		NAME(SIGBUS), NAME(SIGFPE), NAME(SIGKILL), NAME(SIGSEGV), NAME(SIGPIPE),
		NAME(SIGTERM), NAME(SIGCHLD),
#undef NAME
	};
	static char unknown[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
	snprintf(unknown, sizeof(unknown), "signal %d", sig);
	return unknown;
}

/* "FAILED what: ERRNO" for the call that just failed; 1, the program's status. */
static inline int failure(const char *what)
{
	printf("FAILED %s: %s\n", what, errno_name(errno));
	return 1;
}

#endif

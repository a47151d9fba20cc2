/* SPDX-License-Identifier: GPL-2.0 */
/*
 * children.h - forking and waiting in the programs that run natively and on
 * the LWK (forktest, sharedmap): a fork and a wait that end the program,
 * said why, and how a child ended, in words.
 */
#ifndef CHILDREN_H
#define CHILDREN_H

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "said.h"

static inline const char *ending(int status)
{
	static char text[64];

	if (WIFEXITED(status))
		snprintf(text, sizeof(text), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(text, sizeof(text), "killed by %s", signal_name(WTERMSIG(status)));
	else
		snprintf(text, sizeof(text), "wait status %#x", (unsigned int)status);
	return text;
}

static inline int exited_with(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/*
 * fork with nothing left in stdout's buffer, which the child would print
 * again; a failed fork ends the program, said why.
 */
static inline pid_t fork_checked(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(failure("fork"));
	return pid;
}

/* The status of child pid, once it ended; a failed wait ends the program. */
static inline int reap(pid_t pid)
{
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	if (got != pid)
		exit(failure("waitpid"));
	return status;
}

#endif

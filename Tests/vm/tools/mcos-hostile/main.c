// SPDX-License-Identifier: GPL-2.0
/*
 * mcos-hostile - drive /dev/mcosN as a hostile unprivileged user would,
 * without mcexec, and check that the module holds.  Built static-PIE, so
 * that it lies above the unified range it maps.
 *
 * Usage: mcos-hostile [-u UID] COMMAND IDX [ARGS]
 *   stale IDX               stale mappings of LWK frames (fork, DOFORK,
 *                           SCM_RIGHTS, mremap, threads), system call 2^32 + 9
 *   stall IDX               queries stalled on userfaultfd pages; prints
 *                           "ready" and waits to be killed
 *   expire IDX SECONDS      a process never started is ended after SECONDS
 *   cap IDX LIMIT           at most LIMIT LWK CPUs for a user other than root
 *   fuzz IDX CALLS SEED [WORKERS]
 *                           the hostile proxy fuzzer: CALLS calls in all
 * Lines start with PASS or FAIL; exit 0 if nothing failed, 1 if something
 * did, 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "tests.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: mcos-hostile [-u UID] stale IDX | stall IDX | expire IDX SECONDS |\n"
		"       cap IDX LIMIT | fuzz IDX CALLS SEED [WORKERS]\n");
	exit(2);
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

static void drop_privileges(const char *uid_s)
{
	uid_t uid = number(uid_s);

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		die("cannot drop to uid %u: %s", uid, strerror(errno));
}

int main(int argc, char **argv)
{
	const char *cmd;
	int opt, os;

	while ((opt = getopt(argc, argv, "+u:")) != -1) {
		if (opt != 'u')
			usage();
		drop_privileges(optarg);
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	cmd = argv[0];
	os = number(argv[1]);
	if (!strcmp(cmd, "stale") && argc == 2)
		return check_stale(os);
	if (!strcmp(cmd, "stall") && argc == 2)
		return check_stall(os);
	if (!strcmp(cmd, "expire") && argc == 3)
		return check_expire(os, number(argv[2]));
	if (!strcmp(cmd, "cap") && argc == 3)
		return check_cap(os, number(argv[2]));
	if (!strcmp(cmd, "fuzz") && (argc == 4 || argc == 5))
		return fuzz(os, number(argv[2]), number(argv[3]),
			    argc == 5 ? number(argv[4]) : 2);
	usage();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ranks: what one rank of `mcexec -n N` sees of its CPUs (95-ranks).  It
 * prints the CPUs its affinity names, the CPU its main thread runs on, the
 * CPU a second thread runs on and, with "fork", the CPU a forked child runs
 * on, each on a line of its own:
 *
 *   affinity 1
 *   main 1
 *   thread 1
 *   child 1
 *
 * then holds on for the seconds its first argument says (default 2), so that
 * the ranks of a job overlap.  Exit status 0, or 1 with a line on stderr.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *where(void *unused)
{
	(void)unused;
	printf("thread %d\n", sched_getcpu());
	return NULL;
}

int main(int argc, char **argv)
{
	int hold = argc > 1 ? atoi(argv[1]) : 2;
	int forks = argc > 2 && strcmp(argv[2], "fork") == 0;
	pthread_t thread;
	cpu_set_t set;
	int cpu, first = 1, status;
	pid_t child;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_getaffinity");
		return 1;
	}
	printf("affinity");
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &set)) {
			printf("%s%d", first ? " " : ",", cpu);
			first = 0;
		}
	}
	printf("\nmain %d\n", sched_getcpu());
	if (pthread_create(&thread, NULL, where, NULL) != 0 || pthread_join(thread, NULL) != 0) {
		fprintf(stderr, "ranks: no second thread\n");
		return 1;
	}
	if (forks) {
		child = fork();
		if (child < 0) {
			perror("fork");
			return 1;
		}
		if (child == 0) {
			printf("child %d\n", sched_getcpu());
			_exit(0);
		}
		if (waitpid(child, &status, 0) != child || status != 0) {
			fprintf(stderr, "ranks: the child ended with status %#x\n", status);
			return 1;
		}
	}
	sleep((unsigned int)hold);
	return 0;
}

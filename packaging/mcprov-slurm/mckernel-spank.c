// SPDX-License-Identifier: GPL-2.0
/*
 * mckernel-spank.c - a SPANK plugin for Slurm: `srun --mckernel ./app` starts
 * each task of the step on the node's lightweight kernel through mcexec, so a
 * job script names its programs as it would on Linux.
 *
 * SPANK lets a plugin change a task's environment but not the program Slurm
 * executes, and a plugin that executed mcexec itself from task_init would skip
 * what Slurm does after it (TaskProlog, TMPDIR, the user's limits).  So the
 * task's argv[0] is pointed at slurm-task, a three-line script of this
 * package, and the program it replaced travels in MCPROV_SLURM_PROGRAM:
 * Slurm then finishes setting the task up and executes slurm-task with the
 * task's own arguments, which runs `mcexec PROGRAM ARGS...`.
 *
 * The argv that S_JOB_ARGV hands out is the one slurmstepd executes (Slurm
 * 22.05 to today) for every step but --multi-prog, whose tasks have argvs of
 * their own: there, write mcexec in the multi-prog file instead.  Only
 * argv[0]'s pointer changes, in the task's own process, just before exec.
 */
#include <string.h>

#include <slurm/spank.h>

SPANK_PLUGIN(mckernel, 1);

#define TASK_PROGRAM	"/usr/libexec/mcprov/slurm-task"
#define PROGRAM_VARIABLE	"MCPROV_SLURM_PROGRAM"

static int wanted;

static int take_option(int value, const char *argument, int remote)
{
	(void)value;
	(void)argument;
	(void)remote;
	wanted = 1;
	return ESPANK_SUCCESS;
}

struct spank_option spank_options[] = {
	{ "mckernel", NULL,
	  "Run each task on the node's lightweight kernel (LWK) through mcexec; "
	  "ask for nodes that have one with --constraint=mckernel.",
	  0, 0, take_option },
	SPANK_OPTIONS_TABLE_END
};

int slurm_spank_task_init(spank_t spank, int ac, char **av)
{
	char **argv = NULL;
	size_t length;
	int argc = 0;

	(void)ac;
	(void)av;
	if (!wanted)
		return ESPANK_SUCCESS;
	if (spank_get_item(spank, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS ||
	    argc < 1 || !argv || !argv[0] || !argv[0][0]) {
		slurm_error("mckernel: the task's program is not known here; "
			    "run `mcexec PROGRAM` in the job instead of --mckernel");
		return ESPANK_ERROR;
	}
	/* srun --bcast=DIR/ sends a program whose name Slurm completes later. */
	length = strlen(argv[0]);
	if (argv[0][length - 1] == '/') {
		slurm_error("mckernel: --mckernel cannot run a program that --bcast "
			    "names by its directory; give --bcast the file's path");
		return ESPANK_ERROR;
	}
	if (spank_setenv(spank, PROGRAM_VARIABLE, argv[0], 1) != ESPANK_SUCCESS) {
		slurm_error("mckernel: cannot set %s for the task", PROGRAM_VARIABLE);
		return ESPANK_ERROR;
	}
	argv[0] = (char *)TASK_PROGRAM;
	return ESPANK_SUCCESS;
}

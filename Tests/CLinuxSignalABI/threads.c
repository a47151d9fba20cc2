/* The kernel's view: UAPI headers only. */
#include <stddef.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include "linux_thread_abi.h"

#define VALUE(name) { #name, (long long)(name) }
#define ARGS(member) { "clone_args." #member, (long long)offsetof(struct clone_args, member) }
#define ROBUST(member) { "robust_list_head." #member, (long long)offsetof(struct robust_list_head, member) }
#define WAITV(member) { "futex_waitv." #member, (long long)offsetof(struct futex_waitv, member) }

static const struct linux_abi_value thread_values[] = {
	VALUE(CSIGNAL), VALUE(CLONE_VM), VALUE(CLONE_FS), VALUE(CLONE_FILES), VALUE(CLONE_SIGHAND),
	VALUE(CLONE_PIDFD), VALUE(CLONE_PTRACE), VALUE(CLONE_VFORK), VALUE(CLONE_PARENT), VALUE(CLONE_THREAD),
	VALUE(CLONE_NEWNS), VALUE(CLONE_SYSVSEM), VALUE(CLONE_SETTLS), VALUE(CLONE_PARENT_SETTID),
	VALUE(CLONE_CHILD_CLEARTID), VALUE(CLONE_DETACHED), VALUE(CLONE_UNTRACED), VALUE(CLONE_CHILD_SETTID),
	VALUE(CLONE_NEWCGROUP), VALUE(CLONE_NEWUTS), VALUE(CLONE_NEWIPC), VALUE(CLONE_NEWUSER), VALUE(CLONE_NEWPID),
	VALUE(CLONE_NEWNET), VALUE(CLONE_IO), VALUE(CLONE_CLEAR_SIGHAND), VALUE(CLONE_INTO_CGROUP), VALUE(CLONE_NEWTIME),
	VALUE(CLONE_ARGS_SIZE_VER0), VALUE(CLONE_ARGS_SIZE_VER1), VALUE(CLONE_ARGS_SIZE_VER2),
	{ "sizeof struct clone_args", (long long)sizeof(struct clone_args) },
	ARGS(flags), ARGS(pidfd), ARGS(child_tid), ARGS(parent_tid), ARGS(exit_signal), ARGS(stack),
	ARGS(stack_size), ARGS(tls), ARGS(set_tid), ARGS(set_tid_size), ARGS(cgroup),

	VALUE(FUTEX_WAIT), VALUE(FUTEX_WAKE), VALUE(FUTEX_FD), VALUE(FUTEX_REQUEUE), VALUE(FUTEX_CMP_REQUEUE),
	VALUE(FUTEX_WAKE_OP), VALUE(FUTEX_LOCK_PI), VALUE(FUTEX_UNLOCK_PI), VALUE(FUTEX_TRYLOCK_PI),
	VALUE(FUTEX_WAIT_BITSET), VALUE(FUTEX_WAKE_BITSET), VALUE(FUTEX_WAIT_REQUEUE_PI),
	VALUE(FUTEX_CMP_REQUEUE_PI), VALUE(FUTEX_LOCK_PI2), VALUE(FUTEX_PRIVATE_FLAG), VALUE(FUTEX_CLOCK_REALTIME),
	{ "FUTEX_CMD_MASK", (long long)(unsigned int)FUTEX_CMD_MASK },
	{ "FUTEX_BITSET_MATCH_ANY", (long long)(unsigned int)FUTEX_BITSET_MATCH_ANY },
	VALUE(FUTEX_OP_SET), VALUE(FUTEX_OP_ADD), VALUE(FUTEX_OP_OR), VALUE(FUTEX_OP_ANDN), VALUE(FUTEX_OP_XOR),
	VALUE(FUTEX_OP_OPARG_SHIFT), VALUE(FUTEX_OP_CMP_EQ), VALUE(FUTEX_OP_CMP_NE), VALUE(FUTEX_OP_CMP_LT),
	VALUE(FUTEX_OP_CMP_LE), VALUE(FUTEX_OP_CMP_GT), VALUE(FUTEX_OP_CMP_GE),
	{ "FUTEX_OP(FUTEX_OP_ANDN, -2, FUTEX_OP_CMP_GE, -3)",
	  (long long)(unsigned int)FUTEX_OP(FUTEX_OP_ANDN, -2, FUTEX_OP_CMP_GE, -3) },
	{ "FUTEX_WAITERS", (long long)(unsigned int)FUTEX_WAITERS }, VALUE(FUTEX_OWNER_DIED), VALUE(FUTEX_TID_MASK),
	VALUE(ROBUST_LIST_LIMIT),
	{ "sizeof struct robust_list_head", (long long)sizeof(struct robust_list_head) },
	ROBUST(list.next), ROBUST(futex_offset), ROBUST(list_op_pending),
	VALUE(FUTEX_32), VALUE(FUTEX_WAITV_MAX),
	{ "sizeof struct futex_waitv", (long long)sizeof(struct futex_waitv) },
	WAITV(val), WAITV(uaddr), WAITV(flags), WAITV(__reserved),
};

const struct linux_abi_value *linux_thread_abi(unsigned long *count)
{
	*count = sizeof(thread_values) / sizeof(thread_values[0]);
	return thread_values;
}

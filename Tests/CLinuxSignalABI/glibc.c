/* What programs compile against: glibc's <signal.h> and <sys/ucontext.h>. */
#define _GNU_SOURCE
#include <stddef.h>
#include <signal.h>
#include <sys/ucontext.h>
#include "linux_signal_abi.h"

#define VALUE(name) { #name, (long long)(name) }
#define CONTEXT(member) { "ucontext_t." #member, (long long)offsetof(ucontext_t, member) }
#define INFO(member) { "siginfo_t." #member, (long long)offsetof(siginfo_t, member) }

static const struct linux_abi_value glibc_values[] = {
	VALUE(REG_R8), VALUE(REG_R9), VALUE(REG_R10), VALUE(REG_R11), VALUE(REG_R12), VALUE(REG_R13),
	VALUE(REG_R14), VALUE(REG_R15), VALUE(REG_RDI), VALUE(REG_RSI), VALUE(REG_RBP), VALUE(REG_RBX),
	VALUE(REG_RDX), VALUE(REG_RAX), VALUE(REG_RCX), VALUE(REG_RSP), VALUE(REG_RIP), VALUE(REG_EFL),
	VALUE(REG_CSGSFS), VALUE(REG_ERR), VALUE(REG_TRAPNO), VALUE(REG_OLDMASK), VALUE(REG_CR2),
	VALUE(SA_SIGINFO), VALUE(SA_ONSTACK), VALUE(SA_RESTART), VALUE(SA_NODEFER), VALUE(SA_RESETHAND),
	VALUE(SS_ONSTACK), VALUE(SS_DISABLE),
	VALUE(SI_USER), VALUE(SI_KERNEL), VALUE(SI_QUEUE), VALUE(SI_TKILL), VALUE(SEGV_MAPERR), VALUE(SEGV_ACCERR),
	{ "sizeof siginfo_t", (long long)sizeof(siginfo_t) },
	CONTEXT(uc_flags), CONTEXT(uc_link), CONTEXT(uc_stack), CONTEXT(uc_stack.ss_sp), CONTEXT(uc_stack.ss_flags),
	CONTEXT(uc_stack.ss_size), CONTEXT(uc_mcontext), CONTEXT(uc_mcontext.gregs), CONTEXT(uc_mcontext.fpregs),
	CONTEXT(uc_sigmask),
	INFO(si_signo), INFO(si_errno), INFO(si_code), INFO(si_pid), INFO(si_uid), INFO(si_value), INFO(si_timerid),
	INFO(si_overrun), INFO(si_status), INFO(si_utime), INFO(si_stime), INFO(si_addr),
};

const struct linux_abi_value *linux_signal_abi_glibc(unsigned long *count)
{
	*count = sizeof(glibc_values) / sizeof(glibc_values[0]);
	return glibc_values;
}

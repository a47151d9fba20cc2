/* The kernel's view: UAPI headers only. */
#include <stddef.h>
#include <linux/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include "linux_signal_abi.h"

/* arch/x86/include/asm/sigframe.h, which is not UAPI. */
struct rt_sigframe {
	char *pretcode;
	struct ucontext uc;
	siginfo_t info;
};

#define VALUE(name) { #name, (long long)(name) }
#define SIZE(type) { "sizeof " #type, (long long)sizeof(type) }
#define FRAME(member) { "rt_sigframe." #member, (long long)offsetof(struct rt_sigframe, member) }
#define INFO(member) { "siginfo." #member, (long long)offsetof(siginfo_t, member) }
#define FPSTATE(member) { "_fpstate_64." #member, (long long)offsetof(struct _fpstate_64, member) }
#define SWBYTES(member) { "_fpx_sw_bytes." #member, (long long)offsetof(struct _fpx_sw_bytes, member) }
#define XSTATE(member) { "_xstate." #member, (long long)offsetof(struct _xstate, member) }

static const struct linux_abi_value kernel_values[] = {
	VALUE(SA_NOCLDSTOP), VALUE(SA_NOCLDWAIT), VALUE(SA_SIGINFO), VALUE(SA_UNSUPPORTED),
	VALUE(SA_EXPOSE_TAGBITS), VALUE(SA_RESTORER), VALUE(SA_ONSTACK), VALUE(SA_RESTART),
	VALUE(SA_NODEFER), VALUE(SA_RESETHAND),
	VALUE(SS_ONSTACK), VALUE(SS_DISABLE), VALUE(SS_AUTODISARM), VALUE(SS_FLAG_BITS), VALUE(MINSIGSTKSZ),
	VALUE(SI_USER), VALUE(SI_KERNEL), VALUE(SI_QUEUE), VALUE(SI_TIMER), VALUE(SI_MESGQ), VALUE(SI_ASYNCIO),
	VALUE(SI_SIGIO), VALUE(SI_TKILL),
	VALUE(ILL_ILLOPC), VALUE(ILL_ILLOPN),
	VALUE(FPE_INTDIV), VALUE(FPE_INTOVF), VALUE(FPE_FLTDIV), VALUE(FPE_FLTOVF), VALUE(FPE_FLTUND),
	VALUE(FPE_FLTRES), VALUE(FPE_FLTINV),
	VALUE(SEGV_MAPERR), VALUE(SEGV_ACCERR), VALUE(BUS_ADRALN), VALUE(BUS_ADRERR),
	VALUE(TRAP_BRKPT), VALUE(TRAP_TRACE), VALUE(TRAP_HWBKPT),
	VALUE(CLD_EXITED), VALUE(CLD_KILLED), VALUE(CLD_DUMPED), VALUE(CLD_TRAPPED), VALUE(CLD_STOPPED),
	VALUE(CLD_CONTINUED),
	VALUE(UC_FP_XSTATE), VALUE(UC_SIGCONTEXT_SS), VALUE(UC_STRICT_RESTORE_SS),
	VALUE(FP_XSTATE_MAGIC1), VALUE(FP_XSTATE_MAGIC2), VALUE(FP_XSTATE_MAGIC2_SIZE),

	SIZE(struct rt_sigframe), SIZE(siginfo_t), SIZE(stack_t), SIZE(struct sigcontext),
	SIZE(struct _fpx_sw_bytes), SIZE(struct _fpstate_64), SIZE(struct _header),
	FRAME(pretcode), FRAME(uc), FRAME(uc.uc_flags), FRAME(uc.uc_link), FRAME(uc.uc_stack),
	FRAME(uc.uc_stack.ss_sp), FRAME(uc.uc_stack.ss_flags), FRAME(uc.uc_stack.ss_size),
	FRAME(uc.uc_mcontext), FRAME(uc.uc_mcontext.r8), FRAME(uc.uc_mcontext.r9), FRAME(uc.uc_mcontext.r10),
	FRAME(uc.uc_mcontext.r11), FRAME(uc.uc_mcontext.r12), FRAME(uc.uc_mcontext.r13),
	FRAME(uc.uc_mcontext.r14), FRAME(uc.uc_mcontext.r15), FRAME(uc.uc_mcontext.rdi),
	FRAME(uc.uc_mcontext.rsi), FRAME(uc.uc_mcontext.rbp), FRAME(uc.uc_mcontext.rbx),
	FRAME(uc.uc_mcontext.rdx), FRAME(uc.uc_mcontext.rax), FRAME(uc.uc_mcontext.rcx),
	FRAME(uc.uc_mcontext.rsp), FRAME(uc.uc_mcontext.rip), FRAME(uc.uc_mcontext.eflags),
	FRAME(uc.uc_mcontext.cs), FRAME(uc.uc_mcontext.gs), FRAME(uc.uc_mcontext.fs), FRAME(uc.uc_mcontext.ss),
	FRAME(uc.uc_mcontext.err), FRAME(uc.uc_mcontext.trapno), FRAME(uc.uc_mcontext.oldmask),
	FRAME(uc.uc_mcontext.cr2), FRAME(uc.uc_mcontext.fpstate), FRAME(uc.uc_mcontext.reserved1),
	FRAME(uc.uc_sigmask), FRAME(info),
	INFO(si_signo), INFO(si_errno), INFO(si_code), INFO(si_pid), INFO(si_uid), INFO(si_value),
	INFO(si_tid), INFO(si_overrun), INFO(si_status), INFO(si_utime), INFO(si_stime), INFO(si_addr),
	FPSTATE(cwd), FPSTATE(swd), FPSTATE(mxcsr), FPSTATE(mxcsr_mask), FPSTATE(st_space), FPSTATE(xmm_space),
	FPSTATE(sw_reserved),
	SWBYTES(magic1), SWBYTES(extended_size), SWBYTES(xfeatures), SWBYTES(xstate_size), SWBYTES(padding),
	XSTATE(xstate_hdr), XSTATE(xstate_hdr.xfeatures), XSTATE(ymmh),
};

const struct linux_abi_value *linux_signal_abi_kernel(unsigned long *count)
{
	*count = sizeof(kernel_values) / sizeof(kernel_values[0]);
	return kernel_values;
}

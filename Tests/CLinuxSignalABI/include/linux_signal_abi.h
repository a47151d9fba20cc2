/*
 * Linux's signal ABI as the host's own headers define it, for KernelTests: every
 * constant and offset the LWK's signal code lays out, each under its C spelling, so a
 * test compares the LWK's numbers with offsetof() and the macros themselves.
 *
 * Two views, one translation unit each (their types clash in one): kernel.c reads the
 * kernel's UAPI headers, with struct rt_sigframe composed as
 * arch/x86/include/asm/sigframe.h composes it; glibc.c reads <signal.h> and
 * <sys/ucontext.h>, what programs compile against.
 */
#ifndef LINUX_SIGNAL_ABI_H
#define LINUX_SIGNAL_ABI_H

struct linux_abi_value {
	const char *name;
	long long value;
};

/* A view's table; *count receives its length. */
const struct linux_abi_value *linux_signal_abi_kernel(unsigned long *count);
const struct linux_abi_value *linux_signal_abi_glibc(unsigned long *count);

#endif

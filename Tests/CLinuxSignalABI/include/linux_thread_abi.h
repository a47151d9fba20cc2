/*
 * Linux's thread ABI as the host's kernel headers define it, for KernelTests: the
 * clone flags and struct clone_args (<linux/sched.h>), the futex operations, words,
 * robust list and futex_waitv (<linux/futex.h>), each under its C spelling.
 */
#ifndef LINUX_THREAD_ABI_H
#define LINUX_THREAD_ABI_H

#include "linux_signal_abi.h"

const struct linux_abi_value *linux_thread_abi(unsigned long *count);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcexec.h - what mcexec, the proxy of a program on the LWK, needs from C.
 * Nothing of the module's ABI lives here (that is kmod/mcos_abi.h, module
 * CMcosABI): these are the instructions and libc corners Swift cannot reach.
 */
#ifndef MCEXEC_SHIM_H
#define MCEXEC_SHIM_H

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../kmod/mcos_abi.h"	/* struct mcos_proc_kill, for the signal handler */

/*
 * A system call exactly as the program made it, through the syscall
 * instruction, so that the result is the kernel's own (a value or -errno),
 * untouched by libc wrappers, and no wrapper second-guesses the arguments.
 */
static inline long mcexec_raw_syscall(long number, long a0, long a1, long a2,
				      long a3, long a4, long a5)
{
	long result;
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;

	__asm__ volatile("syscall"
			 : "=a"(result)
			 : "a"(number), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return result;
}

/*
 * Map 'bytes' of 'fd' from 'offset' (shared, read-write) at exactly
 * 'start', never over anything already there.  0, or -errno (-EEXIST:
 * something of mcexec's own is in the range).
 */
static inline long mcexec_map_fixed_noreplace(int fd, uint64_t start, uint64_t bytes,
					      uint64_t offset)
{
	void *want = (void *)(uintptr_t)start;
	void *got = mmap(want, bytes, PROT_READ | PROT_WRITE,
			 MAP_SHARED | 0x100000 /* MAP_FIXED_NOREPLACE */, fd, (off_t)offset);

	if (got == MAP_FAILED)
		return -(long)errno;
	if (got != want) {	/* a kernel older than 4.17 took it as a hint */
		munmap(got, bytes);
		return -EEXIST;
	}
	return 0;
}

/* AT_HWCAP on x86-64: CPUID.1:EDX, as Linux passes it. */
static inline uint64_t mcexec_hwcap(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

/*
 * The signals a program on the LWK may handle are noted here (not acted on)
 * and passed on to it: SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE,
 * SIGALRM, SIGTERM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSYS,
 * SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT and the real-time ones glibc leaves to
 * programs.  Their handlers have no
 * SA_RESTART: a signal cuts short the ioctl that waits for the program and
 * the program's offloaded call mcexec is making (which returns EINTR), so the
 * LWK learns of the signal before that call's result and restarts the call
 * or ends it with EINTR as the program's own action says.  A thread that
 * serves passes a signal on from its handler (mcexec_serving_channel); one
 * that does not notes it, and several signals may be noted before mcexec
 * looks: a bit each.  Use these functions from one Swift file: the variables
 * are per object file.
 *
 * Each proxy thread of mcexec serves one thread of the program, with the same
 * tid.  A signal aimed at one thread of mcexec is for that thread of the
 * program and is noted for the proxy thread that caught it: tgkill and tkill
 * (SI_TKILL), and what Linux sends the thread whose system call caused it
 * (SIGPIPE of a write to a closed pipe, SIGXFSZ: SI_USER from mcexec's own
 * pid, which nothing else can send).  Any other is for the whole process
 * (kill(1), Ctrl-C, alarm, sigqueue...) and is noted for whichever proxy
 * thread looks first.
 */
static inline volatile uint64_t *mcexec_noted_signals(void)
{
	static volatile uint64_t noted;

	return &noted;
}

static inline volatile uint64_t *mcexec_noted_thread_signals(void)
{
	static __thread volatile uint64_t noted;

	return &noted;
}

/*
 * Who sent each noted signal, as its siginfo says, for the LWK to tell the
 * program's handler (the last sender of a signal noted twice before mcexec
 * looked).  A kernel-made one (si_code > 0) has no sender: its pid and uid
 * stay 0, but for SIGCHLD's, which name the child and how it ended.
 */
struct mcexec_sender {
	int32_t code;
	uint32_t pid;
	uint32_t uid;
	int32_t status;
};

static inline struct mcexec_sender *mcexec_senders(void)
{
	static struct mcexec_sender senders[64];

	return senders;
}

static inline struct mcexec_sender *mcexec_thread_senders(void)
{
	static __thread struct mcexec_sender senders[64];

	return senders;
}

static inline int mcexec_is_thread_directed(const siginfo_t *info)
{
	return info->si_code == SI_TKILL ||
	       (info->si_code == SI_USER && info->si_pid == getpid());
}

/*
 * The channel (an open /dev/mcosN) on which the calling proxy thread serves its
 * program thread, or -1.  A signal caught while a thread serves goes to the LWK
 * from the handler itself: noted for later, one that came just before the thread
 * entered the program's call would wait with it, since nothing would cut that
 * call short any more.  Set and read from the Swift file that installs the
 * handler (Serving.swift).
 */
static inline volatile int *mcexec_serving_channel(void)
{
	static __thread volatile int fd = -1;

	return &fd;
}

/* The calling thread serves on channel 'fd' from now on (-1: no longer). */
static inline void mcexec_serve_on(int fd)
{
	*mcexec_serving_channel() = fd;
}

/*
 * 'signal' from 'sender' to the LWK on channel 'fd' (MCOS_IOC_PROC_KILL, with
 * MCOS_KILL_* 'flags'); 1 if it took it.  Safe in a signal handler.
 */
static inline int mcexec_pass_on(int fd, int signal, uint32_t flags, struct mcexec_sender sender)
{
	struct mcos_proc_kill kill = {
		.size = sizeof(kill), .signal = (uint32_t)signal,
		.flags = flags, .code = sender.code,
		.pid = sender.pid, .uid = sender.uid, .status = sender.status,
	};

	return mcexec_raw_syscall(SYS_ioctl, fd, (long)MCOS_IOC_PROC_KILL, (long)&kill, 0, 0, 0) == 0;
}

static inline void mcexec_note_signal(int signal, siginfo_t *info, void *context)
{
	int thread = mcexec_is_thread_directed(info);
	volatile uint64_t *noted = thread ? mcexec_noted_thread_signals() : mcexec_noted_signals();
	struct mcexec_sender *sender = (thread ? mcexec_thread_senders() : mcexec_senders()) + signal - 1;
	int child = signal == SIGCHLD && info->si_code > 0;
	int kernel = info->si_code > 0 && !child;
	struct mcexec_sender now = {
		.code = info->si_code,
		.pid = kernel ? 0 : (uint32_t)info->si_pid,
		.uid = kernel ? 0 : (uint32_t)info->si_uid,
		.status = child ? info->si_status : 0,
	};
	int channel = *mcexec_serving_channel();

	(void)context;
	if (channel >= 0 && mcexec_pass_on(channel, signal, thread ? MCOS_KILL_THREAD : 0, now))
		return;
	/* not serving, or the LWK refused (the thread or program ended): for later */
	__atomic_store_n(&sender->code, now.code, __ATOMIC_RELAXED);
	__atomic_store_n(&sender->pid, now.pid, __ATOMIC_RELAXED);
	__atomic_store_n(&sender->uid, now.uid, __ATOMIC_RELAXED);
	__atomic_store_n(&sender->status, now.status, __ATOMIC_RELAXED);
	__atomic_fetch_or(noted, 1ull << (signal - 1), __ATOMIC_SEQ_CST);
}

static inline int mcexec_forwards(int signal)
{
	switch (signal) {
	case SIGHUP: case SIGINT: case SIGQUIT: case SIGUSR1: case SIGUSR2:
	case SIGPIPE: case SIGALRM: case SIGTERM: case SIGVTALRM: case SIGPROF:
	case SIGXCPU: case SIGXFSZ: case SIGIO: case SIGPWR: case SIGSYS:
	case SIGTSTP: case SIGTTIN: case SIGTTOU: case SIGCONT:
	case SIGCHLD:	/* the program's children are this mcexec's (fork) */
		return 1;
	default:
		return signal >= SIGRTMIN && signal <= SIGRTMAX;
	}
}

/* mcexec_note_signal catches 'signal' from now on, with 'flags' besides SA_SIGINFO. */
static inline int mcexec_catch(int signal, int flags)
{
	struct sigaction action;

	__builtin_memset(&action, 0, sizeof(action));
	action.sa_sigaction = mcexec_note_signal;
	action.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&action.sa_mask);
	return sigaction(signal, &action, 0) < 0 ? -errno : 0;
}

/* From now on 'signal' is noted, unless it was ignored when mcexec started. */
static inline int mcexec_note(int signal)
{
	struct sigaction action;

	/* Ignored when we started (nohup; a script's background job):
	 * the program would have inherited that, so it stays ignored. */
	if (sigaction(signal, 0, &action) < 0)
		return -errno;
	if (action.sa_handler == SIG_IGN)
		return 0;
	/* a forked mcexec's program reaps its children as its parent did */
	return mcexec_catch(signal, action.sa_flags & SA_NOCLDWAIT);
}

/*
 * The signal state mcexec was started with, as sigset words (bit n-1 for
 * signal n): the calling thread's blocked mask and the signals whose action is
 * SIG_IGN.  A program keeps both across execve, so the one mcexec runs starts
 * with them, as it would natively.  Read before mcexec changes either.
 */
static inline void mcexec_inherited_signals(uint64_t *blocked, uint64_t *ignored)
{
	struct sigaction action;
	sigset_t mask;
	int signal;

	*blocked = 0;
	*ignored = 0;
	if (pthread_sigmask(SIG_BLOCK, 0, &mask) != 0)
		sigemptyset(&mask);
	for (signal = 1; signal <= 64; signal++) {
		if (sigismember(&mask, signal) == 1)
			*blocked |= 1ull << (signal - 1);
		/* glibc's own signals (32, 33) answer EINVAL: never ignored */
		if (sigaction(signal, 0, &action) == 0 && action.sa_handler == SIG_IGN)
			*ignored |= 1ull << (signal - 1);
	}
}

static inline int mcexec_forward_signals(void)
{
	int signal, err;

	for (signal = 1; signal <= 64; signal++) {
		if (!mcexec_forwards(signal))
			continue;
		err = mcexec_note(signal);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Blocks (SIG_BLOCK) or unblocks (SIG_UNBLOCK) the forwarded signals in the
 * calling thread; its mask before goes to 'old' unless that is 0.  A proxy
 * thread is born with them blocked, unblocks them once it serves its program
 * thread and blocks them again when that thread has ended: a signal for the
 * process is caught only by a thread that passes it on, and one aimed at a
 * new proxy thread waits until it can be.  0 or -errno.
 */
static inline int mcexec_mask_forwarded(int how, sigset_t *old)
{
	sigset_t set;
	int signal;

	sigemptyset(&set);
	for (signal = 1; signal <= 64; signal++)
		if (mcexec_forwards(signal))
			sigaddset(&set, signal);
	return -pthread_sigmask(how, &set, old);
}

/*
 * The program stopped by 'signal' on the LWK: mcexec stops by it too, with its
 * default action for the moment, so that the shell sees the job stopped.  A
 * SIGCONT (fg) resumes it here; that SIGCONT is noted and passed on as well.
 */
static inline void mcexec_stop_self(int signal)
{
	struct sigaction dfl, old;

	if (signal == SIGSTOP) {	/* its action is always the default */
		raise(signal);
		return;
	}
	__builtin_memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	if (sigaction(signal, &dfl, &old) < 0)
		return;
	raise(signal);
	sigaction(signal, &old, 0);
}

/* The sender of 'signal' (1-64), noted for the process or for the calling thread. */
static inline struct mcexec_sender mcexec_sender_of(int signal, int thread)
{
	struct mcexec_sender *s = (thread ? mcexec_thread_senders() : mcexec_senders()) + signal - 1;

	return (struct mcexec_sender){
		.code = __atomic_load_n(&s->code, __ATOMIC_RELAXED),
		.pid = __atomic_load_n(&s->pid, __ATOMIC_RELAXED),
		.uid = __atomic_load_n(&s->uid, __ATOMIC_RELAXED),
		.status = __atomic_load_n(&s->status, __ATOMIC_RELAXED),
	};
}

/*
 * MCOS_PROXY_CHILD_REAPING: mcexec's children (the program's) are reaped by
 * Linux as they end when 'reap' (SA_NOCLDWAIT), or wait for a wait call, as
 * the program's SIGCHLD action says; SIGCHLD is noted and passed on either
 * way.  0 or -errno.
 */
static inline int mcexec_reap_children(int reap)
{
	return mcexec_catch(SIGCHLD, reap ? SA_NOCLDWAIT : 0);
}

/*
 * MCOS_PROXY_INTERRUPT: a proxy thread's offloaded call is ended by SIGURG,
 * which mcexec does not pass on to the program (so the SIGURG of urgent data
 * on a socket of the program's never reaches it) and whose handler, without
 * SA_RESTART, does nothing: the call returns EINTR.  0 or -errno.
 */
static inline void mcexec_interrupted(int signal)
{
	(void)signal;
}

static inline int mcexec_catch_interrupts(void)
{
	struct sigaction action;
	sigset_t urgent;

	__builtin_memset(&action, 0, sizeof(action));
	action.sa_handler = mcexec_interrupted;
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGURG, &action, 0) < 0)
		return -errno;
	/* blocked, should mcexec's parent have blocked it: the proxy threads inherit this */
	sigemptyset(&urgent);
	sigaddset(&urgent, SIGURG);
	return -pthread_sigmask(SIG_UNBLOCK, &urgent, 0);
}

/* The signals for the process noted since the last call (bit N-1 for signal N), 0 if none. */
static inline uint64_t mcexec_take_signals(void)
{
	return __atomic_exchange_n(mcexec_noted_signals(), 0, __ATOMIC_SEQ_CST);
}

/* The same for the signals aimed at the calling thread. */
static inline uint64_t mcexec_take_thread_signals(void)
{
	return __atomic_exchange_n(mcexec_noted_thread_signals(), 0, __ATOMIC_SEQ_CST);
}

#endif

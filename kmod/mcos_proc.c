// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_proc.c - programs on the LWK: the process ioctls of /dev/mcosN
 * and the life of a process, from CREATE to its end (the unified range it
 * maps is mcos_map.c's).
 *
 * One open file drives at most one process, on one LWK CPU whose IKC
 * channel it then owns (the CPU is "busy": PING skips it, no other file
 * gets it) until the LWK reports PROC_EXIT.  Requests travel on the CPU's
 * Linux->LWK ring; answers come on its LWK->Linux ring to the thread that
 * waits, which spins briefly, then sleeps until the LWK interrupts it
 * (mcos_notify.c), or polls where no interrupt can be had.
 *
 * Each further thread of the process runs on an LWK CPU of its own, which
 * the LWK picks and names to the proxy (MCOS_PROXY_THREAD_CREATE).  A
 * proxy thread attaches a fresh open file to that CPU (THREAD_ATTACH): the
 * file is then that thread's channel, owns the CPU just as the process's
 * file owns its own (busy, counted against mcos.user_cpu_limit) until
 * THREAD_EXIT, and holds a reference to the process's file, which so
 * outlives all its threads.  WAIT, REPLY and KILL on a thread channel
 * serve that thread; the process is mapped once, through its own file,
 * and an INVALIDATE on any of its channels drops that mapping.  Every
 * channel frees its own CPU: once the process has ended, a thread
 * channel's WAIT fails with -ESRCH and frees it.  A thread channel closed
 * while its thread lives ends the whole process: nobody would serve that
 * thread's calls.
 *
 * Locking: mcos_lock only while choosing the CPU (never while waiting for
 * the LWK).  os->proc_lock around each ring access, each page-table walk
 * and each zap, after checking the LWK the process was created on still
 * exists (f->gen == os->boot_gen); teardown (shutdown, destroy, failed
 * boot) takes it, bumps boot_gen and zaps every proxy mapping, so nothing
 * here touches the instance's memory once it may go back to Linux.
 *
 * What one user may hold: a process created but not started within
 * mcos.start_timeout seconds is ended (its CPU is free again), and with
 * mcos.user_cpu_limit set, a caller without CAP_SYS_ADMIN holds at most
 * that many LWK CPUs under its uid, processes and threads together
 * (EAGAIN beyond).
 *
 * Errors while waiting: -EINTR (signal pending; the ioctl can simply be
 * repeated), -ENODEV (the LWK was shut down or the instance destroyed),
 * -EIO (the LWK panicked), -ETIMEDOUT (no answer to a request in time).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "mcos.h"

#define MCOS_REQ_TIMEOUT	(2 * HZ)	/* CREATE, START, KILL at release */
#define MCOS_MAP_TIMEOUT	(20 * HZ)	/* MAP zero-fills: slow under TCG */
#define MCOS_CREATE_TRIES	4	/* idle CPUs CREATE tries for "any" */
/*
 * Before it sleeps, a waiting thread spins as long as twice the last answer
 * that came quickly took, within these bounds: a proxy whose program calls
 * often keeps its CPU and answers sooner than any wake-up could; one whose
 * program computes spins the minimum once, then sleeps.
 */
#define MCOS_SPIN_MIN_NS	20000
#define MCOS_SPIN_MAX_NS	200000
/*
 * The longest sleep between two reads of the ring when the LWK interrupts:
 * a lost interrupt (it moved, a broken LWK) or a panic is noticed within it.
 */
#define MCOS_NAP		(HZ / 2)

static unsigned int start_timeout = 30;
module_param(start_timeout, uint, 0644);
MODULE_PARM_DESC(start_timeout,
		 "seconds a process may stay created but not started before it is ended (0: no bound)");

static unsigned int user_cpu_limit;
module_param(user_cpu_limit, uint, 0644);
MODULE_PARM_DESC(user_cpu_limit,
		 "LWK CPUs one uid may hold without CAP_SYS_ADMIN, on all instances (0: no limit)");

static void mcos_proc_start_expired(struct work_struct *work);

void mcos_proc_file_init(struct mcos_file *f, struct mcos_os *os,
			 struct file *filp)
{
	f->os = os;
	f->filp = filp;
	f->cpu = -1;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->link);
	INIT_DELAYED_WORK(&f->start_timer, mcos_proc_start_expired);
	mcos_ikc_waiter_init(&f->waiter);
}

/* ---- the channel, under proc_lock ---- */

/*
 * 0 if the LWK the process lives on is still there and sane, and, for a
 * thread channel, the process too.
 */
int mcos_proc_check(struct mcos_file *f)
{
	struct mcos_os *os = f->os;

	lockdep_assert_held(&os->proc_lock);
	if (!f->alive || f->gen != os->boot_gen || os->lwk != f->lwk)
		return -ENODEV;
	if (smp_load_acquire(&f->lwk->bb->status) == MCOS_BOOT_PANIC)
		return -EIO;
	if (f->parent && !f->parent->alive)
		return -ESRCH;
	return 0;
}

/* The file whose window maps the process: its own, or a thread's parent. */
static struct mcos_file *mcos_proc_mapper(struct mcos_file *f)
{
	return f->parent ?: f;
}

/* The process ended: its threads' proxies learn it now, not at their nap's end. */
static void mcos_proc_kick_threads(struct mcos_file *f)
{
	struct mcos_file *t;

	list_for_each_entry(t, &f->os->procs, link)
		if (t->parent == f)
			mcos_ikc_waiter_kick(&t->waiter);
}

/*
 * Forget the process (or thread): no mapping of its frames is left, its
 * CPU is free again (unless the LWK may still run it).  A thread channel
 * has no mapping of its own, and the CPUs of a process's threads are
 * theirs to free.  Under proc_lock.
 */
static void mcos_proc_forget(struct mcos_file *f, bool free_cpu)
{
	mcos_map_zap(f, MCOS_USER_START, MCOS_USER_END);
	if (free_cpu && f->cpu >= 0 && f->gen == f->os->boot_gen &&
	    f->os->lwk == f->lwk)
		clear_bit(f->cpu, f->lwk->busy);
	list_del_init(&f->link);
	f->alive = false;
	mcos_proc_kick_threads(f);
}

/* One packet on the process's channel, and the IPI; -EAGAIN: ring full. */
static int mcos_proc_try_send(struct mcos_file *f, u32 type, u64 seq,
			      const u64 *args, unsigned int nargs)
{
	int err;

	mutex_lock(&f->os->proc_lock);
	err = mcos_proc_check(f);
	if (err)
		goto out_unlock;
	if (!mcos_ikc_send(f->lwk, mcos_ikc_ring_to_lwk(f->cpu), type, seq,
			   args, nargs)) {
		err = -EAGAIN;
		goto out_unlock;
	}
	mcos_ikc_notify(f->lwk, f->cpu);
out_unlock:
	mutex_unlock(&f->os->proc_lock);
	return err;
}

/* Send, waiting up to 1 s for room in a full ring. */
static int mcos_proc_send(struct mcos_file *f, u32 type, u64 seq,
			  const u64 *args, unsigned int nargs)
{
	unsigned long deadline = jiffies + HZ;
	int err;

	for (;;) {
		err = mcos_proc_try_send(f, type, seq, args, nargs);
		if (err != -EAGAIN)
			return err;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(50, 100);
	}
}

/*
 * 1: a packet, 0: none yet, <0: the LWK is gone.  What a panicked LWK
 * sent before it panicked is still delivered, in order, before -EIO: a
 * START reply must not be lost because the program faulted right after.
 */
static int mcos_proc_recv(struct mcos_file *f, struct mcos_ikc_packet *pkt)
{
	int err;

	mutex_lock(&f->os->proc_lock);
	err = mcos_proc_check(f);
	if ((!err || err == -EIO) &&
	    mcos_ikc_recv(f->lwk, mcos_ikc_ring_from_lwk(f->cpu), pkt))
		err = 1;
	mutex_unlock(&f->os->proc_lock);
	return err;
}

/*
 * Sleep until the LWK's interrupt says a packet came, a signal, or 'nap'
 * jiffies.  The thread is its channel's sleeper from before its last look
 * at the ring until it wakes, so no packet slips past unannounced.
 */
static void mcos_proc_sleep(struct mcos_file *f, long nap, bool interruptible)
{
	struct mcos_os *os = f->os;
	bool sleep;

	mutex_lock(&os->proc_lock);
	sleep = !mcos_proc_check(f) &&
		mcos_notify_sleep_begin(f->lwk, f->cpu, &f->waiter);
	mutex_unlock(&os->proc_lock);
	if (!sleep)
		return;
	if (interruptible)
		wait_event_interruptible_timeout(f->waiter.wq, READ_ONCE(f->waiter.kicked), nap);
	else
		wait_event_timeout(f->waiter.wq, READ_ONCE(f->waiter.kicked), nap);
	mutex_lock(&os->proc_lock);
	if (f->gen == os->boot_gen && os->lwk == f->lwk)
		mcos_notify_sleep_end(f->lwk, f->cpu);
	mutex_unlock(&os->proc_lock);
}

/* Where no interrupt wakes the thread: sleeps that grow with the wait. */
static void mcos_proc_doze(u64 waited)
{
	if (waited < 10 * NSEC_PER_MSEC)
		usleep_range(10, 30);
	else
		usleep_range(200, 500);
}

/* The next spin, from how long the packet just taken took to come. */
static void mcos_proc_learn_spin(struct mcos_file *f, u64 waited)
{
	if (waited > MCOS_SPIN_MAX_NS)
		f->spin_ns = MCOS_SPIN_MIN_NS;
	else
		f->spin_ns = clamp_t(u64, 2 * waited, MCOS_SPIN_MIN_NS, MCOS_SPIN_MAX_NS);
}

/*
 * Next packet from the LWK.  timeout 0: no limit.  Spins briefly (an
 * offloaded call is often answered within microseconds), then sleeps until
 * the LWK's interrupt (or polls in growing steps if it has none), so that a
 * long computation costs Linux nothing.
 */
static int mcos_proc_poll(struct mcos_file *f, struct mcos_ikc_packet *pkt,
			  unsigned long timeout, bool interruptible)
{
	unsigned long deadline = jiffies + timeout;
	u64 t0 = ktime_get_ns(), waited;
	u64 spin = READ_ONCE(f->spin_ns) ?: MCOS_SPIN_MIN_NS;
	long nap;
	int r;

	for (;;) {
		r = mcos_proc_recv(f, pkt);
		if (r > 0)
			mcos_proc_learn_spin(f, ktime_get_ns() - t0);
		if (r)
			return r < 0 ? r : 0;
		if (interruptible && signal_pending(current))
			return -EINTR;
		if (timeout && time_after(jiffies, deadline))
			return -ETIMEDOUT;
		waited = ktime_get_ns() - t0;
		if (waited < spin) {
			cpu_relax();
			continue;
		}
		if (!mcos_notify_usable()) {
			mcos_proc_doze(waited);
			continue;
		}
		nap = MCOS_NAP;
		if (timeout)
			nap = clamp_t(long, (long)(deadline - jiffies), 1, MCOS_NAP);
		mcos_proc_sleep(f, nap, interruptible);
	}
}

/* ---- the proxy's mapping ---- */

/* Drop every mapping of the process's LWK addresses [start, end). */
static void mcos_proc_zap(struct mcos_file *f, u64 start, u64 end)
{
	mutex_lock(&f->os->proc_lock);
	mcos_map_zap(f, start, end);
	mutex_unlock(&f->os->proc_lock);
}

/*
 * The LWK asks before it unmaps or re-protects: drop that range of the
 * process's mapping (whichever of its channels asks), then ACK on that
 * channel.  Before the process's end it frees the tables a fault walks
 * once it has the ACK, maybe before anyone here reads its PROC_EXIT: from
 * then on nothing maps the process again.
 */
static int mcos_proc_invalidate(struct mcos_file *f,
				const struct mcos_ikc_packet *pkt)
{
	struct mcos_file *mapper = mcos_proc_mapper(f);
	u64 start = pkt->args[0], bytes = pkt->args[1];

	mutex_lock(&f->os->proc_lock);
	if (pkt->args[2] & MCOS_INVALIDATE_END)
		mapper->ending = true;
	mcos_map_zap(mapper, start, start + min(bytes, U64_MAX - start));
	mutex_unlock(&f->os->proc_lock);
	return mcos_proc_send(f, MCOS_IKC_INVALIDATE_ACK, pkt->seq, NULL, 0);
}

/*
 * The LWK's requests the module answers itself, whoever reads the channel:
 * INVALIDATE, and UNPIN (it gives Linux frames back, mcos_pin.c).  True if
 * 'pkt' was one; *err then says whether its ACK went.
 */
static bool mcos_proc_answer_lwk(struct mcos_file *f,
				 const struct mcos_ikc_packet *pkt, int *err)
{
	switch (pkt->type) {
	case MCOS_IKC_INVALIDATE:
		*err = mcos_proc_invalidate(f, pkt);
		return true;
	case MCOS_IKC_UNPIN:
		mcos_pin_release(f, pkt->args[0]);
		*err = mcos_proc_send(f, MCOS_IKC_UNPIN_ACK, pkt->seq, NULL, 0);
		return true;
	default:
		return false;
	}
}

/*
 * The process exited (PROC_EXIT) or was never created, or the thread
 * exited (THREAD_EXIT) or ended with its process: forget it and free its
 * CPU.  Takes proc_lock.
 */
static void mcos_proc_done(struct mcos_file *f)
{
	mutex_lock(&f->os->proc_lock);
	if (f->alive)	/* else its CPU may be another's by now */
		mcos_proc_forget(f, true);
	mutex_unlock(&f->os->proc_lock);
}

/* ---- requests that the LWK answers with PROC_REPLY ---- */

static int mcos_proc_request(struct mcos_file *f, u32 type, const u64 *args,
			     unsigned int nargs, unsigned long timeout,
			     u64 *result1)
{
	struct mcos_ikc_packet pkt;
	u64 seq = ++f->seq;
	int err;

	err = mcos_proc_send(f, type, seq, args, nargs);
	if (err)
		return err;
	for (;;) {
		err = mcos_proc_poll(f, &pkt, timeout, true);
		if (err)
			return err;
		if (pkt.type == MCOS_IKC_PROC_REPLY && pkt.seq == seq)
			break;
		if (mcos_proc_answer_lwk(f, &pkt, &err))
			continue;
		if (pkt.type == MCOS_IKC_PROC_EXIT) {
			mcos_proc_done(f);
			return -ESRCH;
		}
	}
	if (result1)
		*result1 = pkt.args[1];
	if (IS_ERR_VALUE(pkt.args[0]))
		return (int)pkt.args[0];	/* -errno from the LWK */
	return pkt.args[0] ? -EPROTO : 0;
}

/*
 * Before a KILL with MCOS_KILL_PROXY_GONE, after which the LWK frees the
 * process's frames without asking: every mapping of them goes, and no
 * fault maps them again.
 */
static void mcos_proc_unmap_for_good(struct mcos_file *f)
{
	mutex_lock(&f->os->proc_lock);
	f->ending = true;
	mcos_map_zap(f, MCOS_USER_START, MCOS_USER_END);
	mutex_unlock(&f->os->proc_lock);
}

/*
 * End a process whose proxy stopped talking (release, a request that timed
 * out, a process never started): KILL with MCOS_KILL_PROXY_GONE, then wait
 * a bounded time for its EXIT, acknowledging INVALIDATEs meanwhile.  With
 * PROXY_GONE the LWK frees the frames without asking, so every mapping of
 * them goes first and no fault may map them again.  If the LWK stays
 * silent its CPU stays busy (and is said so) until the LWK goes.
 */
static void mcos_proc_abandon(struct mcos_file *f)
{
	u64 args[2] = { SIGKILL, MCOS_KILL_PROXY_GONE };
	unsigned long deadline = jiffies + MCOS_REQ_TIMEOUT;
	struct mcos_ikc_packet pkt;
	int err, acked;

	mcos_proc_unmap_for_good(f);
	err = mcos_proc_send(f, MCOS_IKC_PROC_KILL, 0, args, 2);
	while (!err) {
		if (time_after(jiffies, deadline)) {
			err = -ETIMEDOUT;
			break;
		}
		err = mcos_proc_poll(f, &pkt, MCOS_REQ_TIMEOUT, false);
		if (err)
			break;
		if (pkt.type == MCOS_IKC_PROC_EXIT) {
			mcos_proc_done(f);
			return;
		}
		if (!mcos_proc_answer_lwk(f, &pkt, &acked) &&
		    pkt.type == MCOS_IKC_SYSCALL)
			mcos_proc_send(f, MCOS_IKC_SYSCALL_REPLY, pkt.seq,
				       (u64[]){ (u64)-EINTR }, 1);
	}
	mutex_lock(&f->os->proc_lock);
	if (err == -ETIMEDOUT && f->alive)
		pr_warn_ratelimited("%s: the program on LWK CPU %d did not end within 2 s of its proxy going (it has %llu packets to read); the CPU stays busy until the LWK is shut down\n",
				    f->os->name, f->cpu,
				    mcos_ikc_unread(f->lwk, mcos_ikc_ring_to_lwk(f->cpu)));
	mcos_proc_forget(f, false);
	mutex_unlock(&f->os->proc_lock);
}

/*
 * Does the thread of f's channel still live, as far as Linux can tell?
 * Not once its process ended or the LWK went, nor if its THREAD_EXIT
 * waits unread (what else waits there nobody will serve: at most a ring's
 * worth is read).  Under proc_lock.
 */
static bool mcos_proc_thread_lives(struct mcos_file *f)
{
	struct mcos_ikc_packet pkt;
	u32 n;

	if (mcos_proc_check(f))
		return false;
	for (n = 0; n < f->lwk->ikc_slots; n++) {
		if (!mcos_ikc_recv(f->lwk, mcos_ikc_ring_from_lwk(f->cpu), &pkt))
			break;
		if (pkt.type == MCOS_IKC_THREAD_EXIT)
			return false;
	}
	return true;
}

/*
 * A thread channel closed while its thread lives (its proxy thread went
 * without seeing THREAD_EXIT): the program cannot run on with a thread
 * nobody serves.  KILL with MCOS_KILL_PROXY_GONE on the thread's channel
 * ends the whole process, whose mapping goes first; its own channel sees
 * the end.  This one forgets the thread and frees its CPU at once.
 */
static void mcos_proc_abandon_thread(struct mcos_file *f)
{
	u64 args[2] = { SIGKILL, MCOS_KILL_PROXY_GONE };
	bool lives;

	mutex_lock(&f->os->proc_lock);
	lives = mcos_proc_thread_lives(f);
	mutex_unlock(&f->os->proc_lock);
	if (lives) {
		mcos_proc_unmap_for_good(f->parent);
		mcos_proc_send(f, MCOS_IKC_PROC_KILL, 0, args, 2);
	}
	mcos_proc_done(f);
}

/* How many of the contexts on LWK CPU 'cpu' run a program. */
static unsigned int mcos_proc_cpu_load(struct mcos_lwk *lwk, u32 cpu)
{
	unsigned int n = 0;
	u32 c;

	for (c = cpu; c < lwk->nr_contexts; c += lwk->nr_cpus)
		n += test_bit(c, lwk->busy);
	return n;
}

/* Whether mcos_proc_create's cpu_mask lets a process run on LWK CPU 'cpu'. */
static bool mcos_proc_mask_allows(const u64 *mask, u32 cpu)
{
	unsigned int i;
	bool any = false;

	for (i = 0; i < MCOS_CPU_MASK_WORDS; i++)
		any |= mask[i] != 0;
	return !any || (mask[cpu / 64] >> (cpu % 64) & 1);
}

/* A mask that names none of the LWK's CPUs names nothing to run on. */
static bool mcos_proc_mask_valid(const u64 *mask, struct mcos_lwk *lwk)
{
	u32 cpu;

	for (cpu = 0; cpu < lwk->nr_cpus; cpu++)
		if (mask[cpu / 64] >> (cpu % 64) & 1)
			return true;
	return !memchr_inv(mask, 0, MCOS_CPU_MASK_WORDS * sizeof(*mask));
}

/*
 * An idle context from 'first' on, on an LWK CPU 'mask' allows: on LWK
 * CPU want % nr_cpus if want >= 0, else on the CPU that runs the fewest
 * programs (an idle CPU first), the lowest index among equals.  Without
 * time_sharing a context is a CPU.
 */
static int mcos_proc_pick_cpu(struct mcos_os *os, struct mcos_lwk *lwk,
			      int want, unsigned int first, const u64 *mask)
{
	unsigned int load, best_load = UINT_MAX;
	int best = -EBUSY;
	u32 c;

	for (c = first; c < lwk->nr_contexts; c++) {
		if (test_bit(c, lwk->busy) ||
		    !mcos_proc_mask_allows(mask, mcos_context_cpu(c, lwk->nr_cpus)))
			continue;
		if (want >= 0 && mcos_context_cpu(c, lwk->nr_cpus) !=
				 mcos_context_cpu(want, lwk->nr_cpus))
			continue;
		load = mcos_proc_cpu_load(lwk, mcos_context_cpu(c, lwk->nr_cpus));
		if (load < best_load) {
			best_load = load;
			best = c;
		}
	}
	if (best < 0 && want >= 0)
		pr_info_ratelimited("%s: LWK CPU %u is busy with another program\n",
				    os->name, mcos_context_cpu(want, lwk->nr_cpus));
	return best;
}

/* LWK CPUs held by uid's capped processes and threads on this instance. */
unsigned int mcos_proc_user_cpus(struct mcos_os *os, kuid_t uid)
{
	struct mcos_file *f;
	unsigned int n = 0;

	mutex_lock(&os->proc_lock);
	list_for_each_entry(f, &os->procs, link)
		n += f->capped && uid_eq(f->uid, uid);
	mutex_unlock(&os->proc_lock);
	return n;
}

/*
 * How many more LWK CPUs may the caller hold: 0 none (EAGAIN), UINT_MAX
 * no bound.  Under mcos_lock, which every CREATE and ATTACH holds from
 * this check until its channel is on os->procs.
 */
static unsigned int mcos_proc_room(struct mcos_file *f)
{
	unsigned int limit = READ_ONCE(user_cpu_limit), held;

	if (!f->capped || !limit)
		return UINT_MAX;
	held = mcos_os_user_cpus(f->uid);
	if (held < limit)
		return limit - held;
	pr_info_ratelimited("%s: uid %u holds %u LWK CPUs, the limit (mcos.user_cpu_limit)\n",
			    f->os->name, from_kuid(&init_user_ns, f->uid), held);
	return 0;
}

/*
 * The file's channel is LWK CPU 'cpu' from now on: its process's, or with
 * a parent, a thread's of the parent's process, which runs as soon as its
 * proxy is there.  Under proc_lock.
 */
static void mcos_proc_bind(struct mcos_file *f, struct mcos_lwk *lwk, int cpu,
			   struct mcos_file *parent)
{
	struct mcos_os *os = f->os;

	lockdep_assert_held(&os->proc_lock);
	set_bit(cpu, lwk->busy);
	f->cpu = cpu;
	f->lwk = lwk;
	f->gen = os->boot_gen;
	f->parent = parent;
	f->used = true;
	f->alive = true;
	f->started = parent != NULL;
	f->mm = current->mm;
	mmgrab(f->mm);
	list_add(&f->link, &os->procs);
	/* stale packets of an earlier user of the channel (pings, a thread's end) */
	mcos_ikc_drain(lwk, mcos_ikc_ring_from_lwk(cpu));
}

/*
 * The LWK has no process on the bound CPU: the file is as it was before
 * the bind, but for 'used'.
 */
static void mcos_proc_unbind(struct mcos_file *f)
{
	struct mm_struct *mm;

	mutex_lock(&f->os->proc_lock);
	if (f->alive)	/* else ended already, its CPU maybe another's */
		mcos_proc_forget(f, true);
	mm = f->mm;
	f->mm = NULL;
	mutex_unlock(&f->os->proc_lock);
	mmdrop(mm);
}

/*
 * Choose the process's LWK CPU (want < 0: the first idle one from 'first'
 * on); the CPU or -errno.  *room: how many LWK CPUs the caller may hold,
 * this one included (UINT_MAX: no bound).
 */
static int mcos_proc_claim_cpu(struct mcos_file *f, int want, unsigned int first,
			       const u64 *mask, unsigned int *room)
{
	struct mcos_os *os = f->os;
	struct mcos_lwk *lwk;
	int cpu;

	if (mutex_lock_interruptible(&mcos_lock))
		return -EINTR;
	lwk = mcos_boot_connected(os);
	cpu = -ENODEV;
	if (os->dead)
		goto out_unlock;
	cpu = -ENOTCONN;
	if (!lwk)
		goto out_unlock;
	cpu = -EINVAL;
	if (want >= (int)lwk->nr_contexts || !mcos_proc_mask_valid(mask, lwk))
		goto out_unlock;
	cpu = -EAGAIN;
	*room = mcos_proc_room(f);
	if (!*room)
		goto out_unlock;
	cpu = mcos_proc_pick_cpu(os, lwk, want, first, mask);
	if (cpu < 0)
		goto out_unlock;
	mutex_lock(&os->proc_lock);
	mcos_proc_bind(f, lwk, cpu, NULL);
	mutex_unlock(&os->proc_lock);
out_unlock:
	mutex_unlock(&mcos_lock);
	return cpu;
}

/*
 * What CREATE tells the LWK its threads may hold at once: what the caller
 * asked for (0: no bound), within what its uid may still hold, so that the
 * LWK starts no thread whose attach the limit would refuse anyway.
 */
static u32 mcos_proc_thread_bound(u32 wanted, unsigned int room)
{
	if (room == UINT_MAX)
		return wanted;
	return wanted ? min(wanted, room) : room;
}

/* The process a fork's child copies: its LWK CPU and the fork's token. */
struct mcos_fork {
	int parent_cpu;
	u64 token;
};

/*
 * PROC_CREATE (PROC_FORK) on the claimed CPU; the reply carries the
 * page-table root.  If it fails, the CPU is free again, or, when the LWK
 * may have created the process all the same, the process is ended first.
 * A fork's child runs as soon as the LWK has copied its parent: it is
 * started already.
 */
static int mcos_proc_spawn(struct mcos_file *f, u64 numa_mask, u32 nr_cpus,
			   const u64 *cpu_mask, const struct mcos_fork *fork)
{
	u64 args[6], pml4 = 0;
	int err;

	args[0] = task_tgid_nr(current);
	args[1] = ktime_get_real_ns();
	args[2] = ktime_get_ns();
	args[3] = numa_mask;	/* the LWK knows its nodes: it checks */
	args[4] = fork ? fork->parent_cpu : nr_cpus;
	/* the LWK lets only a program of the same user reach another's memory */
	args[5] = fork ? fork->token : from_kuid(&init_user_ns, f->uid);
	/* a copy takes as long as the parent's memory: MAP's time */
	err = mcos_proc_request(f, fork ? MCOS_IKC_PROC_FORK : MCOS_IKC_PROC_CREATE,
				args, 6, fork ? MCOS_MAP_TIMEOUT : MCOS_REQ_TIMEOUT,
				&pml4);
	if (!err && !mcos_phys_in_os(f->os, pml4 & PTE_PFN_MASK, PAGE_SIZE))
		err = -EPROTO;
	if (err == -ETIMEDOUT || err == -EINTR || err == -EPROTO) {
		mcos_proc_abandon(f);	/* it may exist: end it */
		return err;
	}
	if (err) {
		mcos_proc_unbind(f);
		return err;
	}
	mutex_lock(&f->os->proc_lock);
	f->pml4 = pml4;
	f->created = true;
	f->started = fork != NULL;
	mutex_unlock(&f->os->proc_lock);
	/* a fork's child keeps its parent's CPUs: the LWK copies them */
	if (!fork && memchr_inv(cpu_mask, 0, MCOS_CPU_MASK_WORDS * sizeof(*cpu_mask))) {
		err = mcos_proc_request(f, MCOS_IKC_PROC_CPUS, cpu_mask,
					MCOS_CPU_MASK_WORDS, MCOS_REQ_TIMEOUT, NULL);
		if (err) {
			mcos_proc_abandon(f);
			return err;
		}
	}
	if (start_timeout && !fork)
		queue_delayed_work(system_long_wq, &f->start_timer, start_timeout * HZ);
	return 0;
}

/* mcos.start_timeout: a process created but never started ends. */
static void mcos_proc_start_expired(struct work_struct *work)
{
	struct mcos_file *f = container_of(to_delayed_work(work), struct mcos_file,
					   start_timer);

	mutex_lock(&f->lock);
	if (READ_ONCE(f->alive) && !f->started) {
		pr_info_ratelimited("%s: the process on LWK CPU %d was not started within %u s; it is ended\n",
				    f->os->name, f->cpu, start_timeout);
		mcos_proc_abandon(f);
	}
	mutex_unlock(&f->lock);
}

/*
 * Claim a CPU and create the process there: the CPU or -errno.  An idle
 * CPU chosen for "any" that the LWK finds busy (it may have named it for
 * another process's thread a moment before, whose proxy has not attached
 * yet) is given back and the next idle one tried, a few times.
 */
static int mcos_proc_place(struct mcos_file *f, const struct mcos_proc_create *c,
			   const struct mcos_fork *fork)
{
	unsigned int tries, first = 0, room;
	int cpu, err;

	for (tries = 0; tries < MCOS_CREATE_TRIES; tries++) {
		cpu = mcos_proc_claim_cpu(f, c->lwk_cpu, first, c->cpu_mask, &room);
		if (cpu < 0)
			return cpu;
		err = mcos_proc_spawn(f, c->numa_mask,
				      mcos_proc_thread_bound(c->nr_cpus, room),
				      c->cpu_mask, fork);
		if (err != -EBUSY || c->lwk_cpu >= 0)
			return err ?: cpu;
		first = cpu + 1;
	}
	return -EBUSY;
}

/*
 * The process whose fork the caller's PROC_CREATE completes: parent_fd must
 * be a process's file (not a thread's) of this instance whose process lives
 * and has started, created by the caller's real parent (its mm) as the
 * same user.  Only the mcexec that the parent's mcexec forked holds that
 * file and has that parent; the LWK then checks the token against the
 * forking thread's.
 */
static int mcos_proc_fork_parent(struct mcos_file *f, struct file *file,
				 int parent_fd, struct mcos_fork *fork)
{
	struct mcos_file *parent;
	struct task_struct *task;
	struct file *process;
	bool forked;
	int err;

	process = fget(parent_fd);
	if (!process)
		return -EBADF;
	err = -EBADF;
	if (process->f_op != file->f_op || mcos_file_os(process) != f->os)
		goto out_put;
	parent = process->private_data;
	rcu_read_lock();
	task = rcu_dereference(current->real_parent);
	forked = READ_ONCE(task->mm) == parent->mm;	/* parent->mm is held: no reuse */
	rcu_read_unlock();
	mutex_lock(&f->os->proc_lock);
	if (parent->parent || mcos_proc_check(parent) || !parent->started ||
	    parent->ending)
		err = -EBADF;
	else if (!forked || !uid_eq(parent->uid, current_uid()))
		err = -EPERM;
	else
		err = 0;
	fork->parent_cpu = parent->cpu;
	mutex_unlock(&f->os->proc_lock);
out_put:
	fput(process);
	return err;
}

long mcos_proc_create(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_fork fork = { .token = 0 };
	bool forking;
	struct mcos_proc_create c;
	int err, cpu;

	err = mcos_get_arg(&c, uarg, sizeof(c));
	if (err)
		return err;
	forking = c.flags & MCOS_CREATE_FORK;
	if ((c.flags & ~MCOS_CREATE_FORK) || c.lwk_cpu < -1)
		return -EINVAL;
	if (forking ? !c.fork_token : (c.parent_fd || c.fork_token))
		return -EINVAL;
	if (f->used)
		return -EBUSY;	/* one process (or thread) per open file */
	if (forking) {
		err = mcos_proc_fork_parent(f, file, c.parent_fd, &fork);
		if (err)
			return err;
		fork.token = c.fork_token;
	}
	err = mcos_map_window_get(f);
	if (err)
		return err;
	f->uid = current_uid();
	f->capped = !capable(CAP_SYS_ADMIN);
	cpu = mcos_proc_place(f, &c, forking ? &fork : NULL);
	if (cpu < 0)
		return cpu;
	c.lwk_cpu = cpu;
	c.map_offset = mcos_map_offset(f);
	return mcos_put_arg(uarg, &c, sizeof(c));
}

long mcos_proc_map(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_proc_map m;
	u64 args[3];
	int err;

	err = mcos_get_arg(&m, uarg, sizeof(m));
	if (err)
		return err;
	if (f->parent)
		return -EBUSY;	/* a thread's channel: the process is another file's */
	if (!f->alive)
		return -ESRCH;
	if (f->started)
		return -EBUSY;
	if (!m.bytes || (m.start | m.bytes) & ~PAGE_MASK ||
	    m.start < MCOS_USER_START || m.start > MCOS_USER_END ||
	    m.bytes > MCOS_USER_END - m.start ||
	    (m.prot & ~(MCOS_PROT_READ | MCOS_PROT_WRITE | MCOS_PROT_EXEC)))
		return -EINVAL;
	args[0] = m.start;
	args[1] = m.bytes;
	args[2] = m.prot;
	return mcos_proc_request(f, MCOS_IKC_PROC_MAP, args, 3,
				 MCOS_MAP_TIMEOUT, NULL);
}

long mcos_proc_start(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_proc_start s;
	u64 args[6];
	int err;

	err = mcos_get_arg(&s, uarg, sizeof(s));
	if (err)
		return err;
	if (s.flags)
		return -EINVAL;
	if (f->parent)
		return -EBUSY;	/* a thread's channel: the process is another file's */
	if (!f->alive)
		return -ESRCH;
	if (f->started)
		return -EBUSY;
	if (s.entry < MCOS_USER_START || s.entry >= MCOS_USER_END ||
	    s.sp < MCOS_USER_START || s.sp >= MCOS_USER_END ||
	    (s.brk & ~PAGE_MASK) || s.brk >= MCOS_USER_END)
		return -EINVAL;
	/*
	 * From now on faults see the final protections: what the proxy
	 * mapped writable goes now, and again once the LWK has applied them.
	 */
	mutex_lock(&f->os->proc_lock);
	f->started = true;
	mcos_map_zap(f, MCOS_USER_START, MCOS_USER_END);
	mutex_unlock(&f->os->proc_lock);
	cancel_delayed_work(&f->start_timer);
	args[0] = s.entry;
	args[1] = s.sp;
	args[2] = s.brk;
	args[3] = s.blocked;	/* the LWK keeps what it may: not KILL or STOP */
	args[4] = s.pending;
	args[5] = s.ignored;
	err = mcos_proc_request(f, MCOS_IKC_PROC_START, args, 6,
				MCOS_REQ_TIMEOUT, NULL);
	mcos_proc_zap(f, MCOS_USER_START, MCOS_USER_END);
	return err;
}

/* What mcexec learns of a SYSCALL, PROC_EXIT (an exit or an exec) or THREAD_EXIT packet. */
static void mcos_proc_event(struct mcos_proc_event *ev,
			    const struct mcos_ikc_packet *pkt)
{
	memset(ev, 0, sizeof(*ev));
	ev->size = sizeof(*ev);
	if (pkt->type == MCOS_IKC_SYSCALL) {
		ev->kind = MCOS_EVENT_SYSCALL;
		ev->number = pkt->seq;	/* mcos_proc_syscall_number() checked it */
		memcpy(ev->args, pkt->args, sizeof(ev->args));
	} else if (pkt->type == MCOS_IKC_THREAD_EXIT) {
		ev->kind = MCOS_EVENT_THREAD_EXIT;
	} else if (pkt->args[0] & MCOS_EXIT_EXEC) {
		ev->kind = MCOS_EVENT_EXEC;
		memcpy(ev->args, &pkt->args[3], 3 * sizeof(ev->args[0]));
	} else {
		ev->kind = MCOS_EVENT_EXIT;
		ev->status = (u32)pkt->args[0];
		ev->fault_addr = pkt->args[1];
		ev->fault_ip = pkt->args[2];
	}
}

/*
 * A SYSCALL the proxy may see: its number as the LWK sent it.  The LWK
 * routes on the low 32 bits, as Linux does, and offloads those; a number
 * that does not fit the event is no system call, and cutting it down would
 * make it another one: the LWK gets ENOSYS for it.
 */
static int mcos_proc_syscall_number(struct mcos_file *f,
				    const struct mcos_ikc_packet *pkt)
{
	if (pkt->seq <= U32_MAX)
		return 0;
	pr_warn_ratelimited("%s: the LWK offloaded system call number %#llx: ENOSYS\n",
			    f->os->name, pkt->seq);
	return mcos_proc_send(f, MCOS_IKC_SYSCALL_REPLY, 0,
			      (u64[]){ (u64)-ENOSYS }, 1) ?: -ENOSYS;
}

/*
 * The end a channel reports: its process's on the process's own, its
 * thread's on a thread channel.  The other kind is not that channel's.
 */
static u32 mcos_proc_end_type(struct mcos_file *f)
{
	return f->parent ? MCOS_IKC_THREAD_EXIT : MCOS_IKC_PROC_EXIT;
}

/* The next event for the proxy; INVALIDATE and the like are handled here. */
static int mcos_proc_next_event(struct mcos_file *f, struct mcos_proc_event *ev)
{
	struct mcos_ikc_packet pkt;
	int err;

	for (;;) {
		err = mcos_proc_poll(f, &pkt, 0, true);
		if (err)
			return err;
		if (mcos_proc_answer_lwk(f, &pkt, &err)) {
			if (err)
				return err;
			continue;
		}
		switch (pkt.type) {
		case MCOS_IKC_SYSCALL:
			err = mcos_proc_syscall_number(f, &pkt);
			if (err == -ENOSYS)
				continue;
			if (err)
				return err;
			f->in_syscall = true;
			f->call[0] = pkt.seq;
			memcpy(&f->call[1], pkt.args, sizeof(pkt.args));
			f->call_pinned = false;
			break;
		case MCOS_IKC_PROC_EXIT:
		case MCOS_IKC_THREAD_EXIT:
			if (pkt.type != mcos_proc_end_type(f))
				continue;	/* not this channel's to report */
			mcos_proc_done(f);
			f->in_syscall = false;
			break;
		default:
			continue;	/* a late PROC_REPLY: nothing waits for it */
		}
		mcos_proc_event(ev, &pkt);
		return 0;
	}
}

long mcos_proc_wait(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_proc_event ev;
	int err;

	err = mcos_get_arg(&ev, uarg, sizeof(ev));
	if (err)
		return err;
	if (!f->alive)
		return -ESRCH;
	if (!f->started)
		return -EINVAL;
	err = mcos_proc_next_event(f, &ev);
	if (err == -ESRCH && f->parent)
		mcos_proc_done(f);	/* the process ended, its threads with it */
	if (err)
		return err;
	return mcos_put_arg(uarg, &ev, sizeof(ev));
}

long mcos_proc_reply(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_proc_reply r;
	u64 result;
	int err;

	err = mcos_get_arg(&r, uarg, sizeof(r));
	if (err)
		return err;
	if (r.reserved0)
		return -EINVAL;
	if (!f->alive)
		return -ESRCH;
	if (!f->in_syscall)
		return -EINVAL;
	result = (u64)r.result;
	err = mcos_proc_send(f, MCOS_IKC_SYSCALL_REPLY, 0, &result, 1);
	if (!err)
		f->in_syscall = false;
	return err;
}

/*
 * PROC_PIN: while mcexec serves the LWK's MCOS_PROXY_FILE_SHARE or
 * SHM_SHARE on this channel, once, the pages it mapped for it go to the LWK
 * (mcos_pin.c).
 */
long mcos_proc_pin(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_proc_pin p;
	int err;

	err = mcos_get_arg(&p, uarg, sizeof(p));
	if (err)
		return err;
	if (p.reserved0)
		return -EINVAL;
	if (!f->alive)
		return -ESRCH;
	if (!f->in_syscall || f->call_pinned ||
	    (f->call[0] != MCOS_PROXY_FILE_SHARE && f->call[0] != MCOS_PROXY_SHM_SHARE))
		return -EINVAL;
	f->call_pinned = true;
	return mcos_pin_share(f, p.address, &f->call[1]);
}

long mcos_proc_kill(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_proc_kill k;
	u64 args[6];
	int err;

	err = mcos_get_arg(&k, uarg, sizeof(k));
	if (err)
		return err;
	if (!k.signal || k.signal > 64 || (k.flags & ~MCOS_KILL_THREAD) || k.reserved)
		return -EINVAL;
	if (!READ_ONCE(f->alive))
		return -ESRCH;
	args[0] = k.signal;
	args[1] = k.flags & MCOS_KILL_THREAD;
	/*
	 * What the program's handler is told of the sender: the caller's
	 * word, as rt_sigqueueinfo(2) takes its caller's for its own process.
	 */
	args[2] = (u32)k.code;
	args[3] = k.pid;
	args[4] = k.uid;
	args[5] = (u32)k.status;
	return mcos_proc_send(f, MCOS_IKC_PROC_KILL, 0, args, 6);
}

/*
 * May a thread join parent's process on 'cpu' of 'lwk'?  The parent must
 * be a process's file (not a thread's) whose process lives there and has
 * started, created by the caller's mm, on another CPU, and 'cpu' must be
 * idle.  Under proc_lock.
 */
static int mcos_proc_joinable(struct mcos_file *parent, struct mcos_lwk *lwk,
			      int cpu)
{
	lockdep_assert_held(&parent->os->proc_lock);
	if (parent->parent || mcos_proc_check(parent) || parent->lwk != lwk ||
	    !parent->started || parent->ending)
		return -EBADF;
	if (parent->mm != current->mm)
		return -EPERM;
	if (cpu == parent->cpu)
		return -EINVAL;
	if (test_bit(cpu, lwk->busy))
		return -EBUSY;	/* the LWK tries another */
	return 0;
}

/* Take 'cpu' for a thread of parent's process, under the caller's limit. */
static int mcos_proc_claim_thread_cpu(struct mcos_file *f,
				      struct mcos_file *parent, int cpu)
{
	struct mcos_os *os = f->os;
	struct mcos_lwk *lwk;
	int err;

	if (mutex_lock_interruptible(&mcos_lock))
		return -EINTR;
	lwk = mcos_boot_connected(os);
	err = -EBADF;
	if (!lwk)	/* no LWK, no live process */
		goto out_unlock;
	err = -EINVAL;
	if (cpu < 0 || cpu >= (int)lwk->nr_contexts)
		goto out_unlock;
	err = -EAGAIN;
	if (!mcos_proc_room(f))
		goto out_unlock;
	mutex_lock(&os->proc_lock);
	err = mcos_proc_joinable(parent, lwk, cpu);
	if (!err)
		mcos_proc_bind(f, lwk, cpu, parent);
	mutex_unlock(&os->proc_lock);
out_unlock:
	mutex_unlock(&mcos_lock);
	return err;
}

long mcos_proc_thread_attach(struct file *file, void __user *uarg)
{
	struct mcos_file *f = file->private_data;
	struct mcos_thread_attach a;
	struct file *process;
	int err;

	err = mcos_get_arg(&a, uarg, sizeof(a));
	if (err)
		return err;
	if (a.reserved || a.lwk_cpu < 0)
		return -EINVAL;
	if (f->used)
		return -EBUSY;	/* one process (or thread) per open file */
	process = fget(a.process_fd);
	if (!process)
		return -EBADF;
	err = -EBADF;
	if (process->f_op != file->f_op || mcos_file_os(process) != f->os)
		goto err_put;
	f->uid = current_uid();
	f->capped = !capable(CAP_SYS_ADMIN);
	err = mcos_proc_claim_thread_cpu(f, process->private_data, a.lwk_cpu);
	if (err)
		goto err_put;
	return 0;	/* the channel keeps the process's file until its release */

err_put:
	fput(process);
	return err;
}

/* The file is closed (its mappings are gone): end a live process or thread. */
void mcos_proc_release(struct mcos_file *f)
{
	cancel_delayed_work_sync(&f->start_timer);
	if (READ_ONCE(f->alive) && f->parent)
		mcos_proc_abandon_thread(f);
	else if (READ_ONCE(f->alive))
		mcos_proc_abandon(f);
	mcos_map_window_put(f);
	if (f->mm)
		mmdrop(f->mm);
	if (f->parent)
		fput(f->parent->filp);	/* the process's file may go now */
}

/*
 * The LWK goes (teardown, under mcos_lock): every process and thread ends
 * with it.  Their proxies' mappings are zapped before its memory can go
 * back to Linux, and their ioctls fail with -ENODEV from now on.
 */
void mcos_proc_end_all(struct mcos_os *os)
{
	struct mcos_file *f, *tmp;

	mutex_lock(&os->proc_lock);
	os->boot_gen++;
	list_for_each_entry_safe(f, tmp, &os->procs, link) {
		pr_info_ratelimited("%s: the program on LWK CPU %d ends with the LWK\n",
				    os->name, f->cpu);
		mcos_proc_forget(f, false);
		mcos_ikc_waiter_kick(&f->waiter);	/* it learns now, not at its nap's end */
	}
	mutex_unlock(&os->proc_lock);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_rank.c - the ranks of an MPI job meet before they start (mcexec -n).
 *
 * `mpiexec -n P mcexec -n N ./app` starts N mcexec processes per node, each
 * of which must run its rank on a share of the LWK's CPUs of its own.  The
 * share follows from the rank, so the N processes only have to agree on who
 * is which rank, and to learn that all N came: a rank that never arrives
 * must fail the others with a clear error, not leave them running on a
 * partition planned for more.
 *
 * A job is the set of callers with the same user, instance, real parent
 * (the launcher that started them: mpiexec's proxy, slurmstepd) and N, as
 * McKernel groups them.  The parent is held by its struct pid, so a pid
 * reused while the job waits is another job.  Once all N have joined, the
 * job leaves the list: a later caller of the same launcher begins a new one.
 * Nothing outlives the calls: the last caller to return frees the job.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "mcos.h"

struct mcos_rank_job {
	struct list_head link;		/* on mcos_rank_jobs until complete */
	struct mcos_os *os;
	kuid_t uid;
	struct pid *launcher;		/* held */
	u32 ranks;
	u32 joined;			/* never drops once it reached ranks */
	unsigned int callers;		/* inside mcos_rank_join */
	wait_queue_head_t wait;
	DECLARE_BITMAP(taken, MCOS_RANKS_MAX);
};

static DEFINE_MUTEX(mcos_rank_lock);
static LIST_HEAD(mcos_rank_jobs);

static struct pid *mcos_rank_launcher(void)
{
	struct pid *pid;

	rcu_read_lock();
	pid = get_pid(task_tgid(rcu_dereference(current->real_parent)));
	rcu_read_unlock();
	return pid;
}

/* The open job the caller belongs to, a new one if none is; NULL: no memory. */
static struct mcos_rank_job *mcos_rank_find(struct mcos_os *os, struct pid *launcher,
					    u32 ranks)
{
	struct mcos_rank_job *job;

	lockdep_assert_held(&mcos_rank_lock);
	list_for_each_entry(job, &mcos_rank_jobs, link)
		if (job->os == os && job->launcher == launcher &&
		    job->ranks == ranks && uid_eq(job->uid, current_uid()))
			return job;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return NULL;
	job->os = os;
	job->uid = current_uid();
	job->launcher = get_pid(launcher);
	job->ranks = ranks;
	init_waitqueue_head(&job->wait);
	list_add(&job->link, &mcos_rank_jobs);
	return job;
}

/* The caller's rank in the job (its wish, else the lowest free), or -errno. */
static int mcos_rank_take(struct mcos_rank_job *job, int wish)
{
	int rank = wish;

	if (rank < 0)
		rank = find_first_zero_bit(job->taken, job->ranks);
	if (rank >= job->ranks || test_bit(rank, job->taken))
		return -EEXIST;
	set_bit(rank, job->taken);
	if (++job->joined == job->ranks) {
		list_del_init(&job->link);	/* complete: nobody else joins it */
		wake_up_all(&job->wait);
	}
	return rank;
}

/*
 * Leaves the job: a caller that did not see it complete gives its rank
 * back; the last caller frees it.
 */
static void mcos_rank_leave(struct mcos_rank_job *job, int rank, bool complete)
{
	lockdep_assert_held(&mcos_rank_lock);
	if (!complete && rank >= 0) {
		clear_bit(rank, job->taken);
		job->joined--;
	}
	if (--job->callers)
		return;
	list_del(&job->link);	/* an incomplete job nobody waits in */
	put_pid(job->launcher);
	kfree(job);
}

long mcos_rank_join(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_rank_job *job;
	struct mcos_rank_join r;
	struct pid *launcher;
	bool complete;
	long left;
	int err, rank;

	err = mcos_get_arg(&r, uarg, sizeof(r));
	if (err)
		return err;
	if (!r.ranks || r.ranks > MCOS_RANKS_MAX || r.rank < -1 ||
	    (r.rank >= 0 && (u32)r.rank >= r.ranks) ||
	    r.timeout_ms > MCOS_RANK_TIMEOUT_MAX_MS)
		return -EINVAL;
	launcher = mcos_rank_launcher();
	mutex_lock(&mcos_rank_lock);
	job = mcos_rank_find(os, launcher, r.ranks);
	put_pid(launcher);
	if (!job) {
		mutex_unlock(&mcos_rank_lock);
		return -ENOMEM;
	}
	job->callers++;
	rank = mcos_rank_take(job, r.rank);
	if (rank < 0) {
		mcos_rank_leave(job, -1, false);
		mutex_unlock(&mcos_rank_lock);
		return rank;
	}
	mutex_unlock(&mcos_rank_lock);

	left = wait_event_interruptible_timeout(job->wait,
						READ_ONCE(job->joined) == job->ranks,
						msecs_to_jiffies(r.timeout_ms));

	mutex_lock(&mcos_rank_lock);
	complete = job->joined == job->ranks;	/* it may have come with the timeout */
	if (!complete)
		pr_info_ratelimited("%s: uid %u: %u of the %u ranks of a job came (mcexec -n)\n",
				    os->name, from_kuid(&init_user_ns, current_uid()),
				    job->joined, job->ranks);
	mcos_rank_leave(job, rank, complete);
	mutex_unlock(&mcos_rank_lock);
	if (!complete)
		return left < 0 ? -EINTR : -ETIMEDOUT;
	r.rank = rank;
	return mcos_put_arg(uarg, &r, sizeof(r));
}

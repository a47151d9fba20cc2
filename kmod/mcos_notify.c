// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_notify.c - the LWK wakes a sleeping Linux thread with an interrupt.
 *
 * A Linux thread that waits for its LWK->Linux ring (a proxy between two
 * offloaded calls, or while its program computes) sleeps instead of
 * polling: it registers itself as its channel's sleeper, sets the ring's
 * consumer_sleeps, re-reads the ring, and sleeps.  The LWK, after putting
 * a packet in a ring whose consumer sleeps, sends the interrupt the boot
 * block's 'notify' names; the handler wakes the sleeper of every channel
 * with a packet waiting, nobody else.  A busy proxy never sets the flag, so
 * it costs no interrupt.
 *
 * The interrupt is an x86 vector with nothing behind it but this module:
 * Linux has no API for "a vector another kernel may send", so the module
 * allocates one IRQ from the x86 vector domain (x86_vector_domain,
 * __irq_domain_alloc_irqs, both exported on 6.1 and 6.12), asks for CPU 0
 * (which the module never takes from Linux), gives it the edge flow
 * handler the vector domain's own users get, and reads its vector
 * (irqd_cfg()) and CPU (its effective affinity) - again before each sleep,
 * since an admin may move it (/proc/irq/N/smp_affinity).  This is the only
 * file that knows how x86 delivers interrupts.  Where it cannot work (no vector
 * domain, no vector free), the module says so once at load and the
 * threads poll as they always could.
 *
 * Trust: the LWK can send this vector as often as it likes.  The handler
 * reads two counters per channel that has a Linux sleeper and wakes only
 * those with a packet; a storm of interrupts wakes nobody.  Every sleep is
 * bounded (MCOS_NOTIFY_NAP): a lost interrupt delays a thread, never
 * strands it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <asm/hw_irq.h>
#include <asm/irq_vectors.h>
#include <asm/irqdomain.h>

#include "mcos.h"

static bool ikc_poll;
module_param(ikc_poll, bool, 0644);
MODULE_PARM_DESC(ikc_poll,
		 "wait for the LWK by polling, not by its interrupt (for comparison; 0 by default)");

/* The IRQ, 0 if none; its target as the LWK sends it, 0 if none. */
static unsigned int mcos_notify_irq;
static u64 mcos_notify_now;

/* Guards the list of LWKs and their channels' sleepers; taken in the handler. */
static DEFINE_SPINLOCK(mcos_notify_lock);
static LIST_HEAD(mcos_notify_lwks);

/* True if a waiter may sleep until the LWK's interrupt. */
bool mcos_notify_usable(void)
{
	return mcos_notify_irq && !READ_ONCE(ikc_poll);
}

static irqreturn_t mcos_notify_handler(int irq, void *unused)
{
	struct mcos_ikc_waiter *w;
	struct mcos_lwk *lwk;
	u32 cpu;

	spin_lock(&mcos_notify_lock);
	list_for_each_entry(lwk, &mcos_notify_lwks, notify_link) {
		for (cpu = 0; cpu < READ_ONCE(lwk->nr_contexts); cpu++) {
			w = lwk->sleepers[cpu];
			if (!w || !mcos_ikc_pending(lwk, mcos_ikc_ring_from_lwk(cpu)))
				continue;
			mcos_ikc_waiter_kick(w);
		}
	}
	spin_unlock(&mcos_notify_lock);
	return IRQ_HANDLED;
}

/*
 * The target as it is now: the vector, and the physical APIC id of the one
 * CPU it is set up on.  Not irq_cfg's dest_apicid: in Linux's logical
 * destination modes (flat, x2APIC cluster) that is a logical id, and the
 * LWK sends in physical mode.
 */
static u64 mcos_notify_read_target(void)
{
	struct irq_data *d = irq_get_irq_data(mcos_notify_irq);
	struct irq_cfg *cfg = d ? irqd_cfg(d) : NULL;
	u32 vector = cfg ? READ_ONCE(cfg->vector) : 0;
	unsigned int cpu;

	if (vector < FIRST_EXTERNAL_VECTOR || vector >= NR_VECTORS)
		return 0;
	cpu = cpumask_first(irq_data_get_effective_affinity_mask(d));
	if (cpu >= nr_cpu_ids)
		return 0;
	return mcos_notify_target(vector, cpu_physical_id(cpu));
}

/* If the interrupt moved, every LWK learns where it went.  Under the lock. */
static void mcos_notify_refresh(void)
{
	struct mcos_lwk *lwk;
	u64 now = mcos_notify_read_target();

	if (now == mcos_notify_now)
		return;
	mcos_notify_now = now;
	list_for_each_entry(lwk, &mcos_notify_lwks, notify_link)
		WRITE_ONCE(lwk->bb->notify, now);
}

/* READY: the LWK may interrupt Linux from now on. */
void mcos_notify_attach(struct mcos_lwk *lwk)
{
	unsigned long flags;

	if (!mcos_notify_irq)
		return;
	spin_lock_irqsave(&mcos_notify_lock, flags);
	list_add(&lwk->notify_link, &mcos_notify_lwks);
	WRITE_ONCE(lwk->bb->notify, mcos_notify_now);
	spin_unlock_irqrestore(&mcos_notify_lock, flags);
}

/*
 * The LWK goes: the handler forgets it (and the sleepers it names) before
 * its programs end and their files may be freed.
 */
void mcos_notify_detach(struct mcos_lwk *lwk)
{
	unsigned long flags;

	spin_lock_irqsave(&mcos_notify_lock, flags);
	if (!list_empty(&lwk->notify_link))
		list_del_init(&lwk->notify_link);
	WRITE_ONCE(lwk->bb->notify, 0);
	spin_unlock_irqrestore(&mcos_notify_lock, flags);
}

/*
 * Before a sleep, under the caller's proc_lock (the LWK is there): 'w' is
 * channel cpu's sleeper and its ring says so.  False if a packet is already
 * waiting (nothing is left set then): no sleep.
 */
bool mcos_notify_sleep_begin(struct mcos_lwk *lwk, u32 cpu,
			     struct mcos_ikc_waiter *w)
{
	u32 ring = mcos_ikc_ring_from_lwk(cpu);
	unsigned long flags;
	bool sleep;

	spin_lock_irqsave(&mcos_notify_lock, flags);
	mcos_notify_refresh();
	WRITE_ONCE(w->kicked, false);
	lwk->sleepers[cpu] = w;
	mcos_ikc_set_consumer_sleeps(lwk, ring, true);	/* with a full barrier */
	sleep = !mcos_ikc_pending(lwk, ring);
	if (!sleep) {
		mcos_ikc_set_consumer_sleeps(lwk, ring, false);
		lwk->sleepers[cpu] = NULL;
	}
	spin_unlock_irqrestore(&mcos_notify_lock, flags);
	return sleep;
}

/* After the sleep, under proc_lock, if the LWK is still there. */
void mcos_notify_sleep_end(struct mcos_lwk *lwk, u32 cpu)
{
	unsigned long flags;

	spin_lock_irqsave(&mcos_notify_lock, flags);
	mcos_ikc_set_consumer_sleeps(lwk, mcos_ikc_ring_from_lwk(cpu), false);
	lwk->sleepers[cpu] = NULL;
	spin_unlock_irqrestore(&mcos_notify_lock, flags);
}

/* Whatever the IRQ domain gives back on failure, or 0. */
static int mcos_notify_alloc(void)
{
	struct irq_alloc_info info;
	int irq;

	if (!x86_vector_domain)
		return -ENODEV;
	memset(&info, 0, sizeof(info));
	info.mask = cpumask_of(0);
	irq = __irq_domain_alloc_irqs(x86_vector_domain, -1, 1, NUMA_NO_NODE,
				      &info, false, NULL);
	if (irq <= 0)
		return irq ?: -ENOSPC;
	irq_set_handler(irq, handle_edge_irq);
	return irq;
}

void mcos_notify_init(void)
{
	int irq, err;

	irq = mcos_notify_alloc();
	if (irq < 0) {
		pr_info("no interrupt for LWK wake-ups (%d): proxies poll\n", irq);
		return;
	}
	err = request_irq(irq, mcos_notify_handler, IRQF_NOBALANCING, "mcos-ikc", NULL);
	if (err) {
		irq_dispose_mapping(irq);
		pr_info("no interrupt for LWK wake-ups (%d): proxies poll\n", err);
		return;
	}
	mcos_notify_irq = irq;
	mcos_notify_now = mcos_notify_read_target();
	if (!mcos_notify_now) {
		mcos_notify_exit();
		pr_info("no interrupt for LWK wake-ups (no vector): proxies poll\n");
		return;
	}
	pr_info("LWK wake-ups by IRQ %u: vector %#llx, APIC id %llu\n", irq,
		mcos_notify_now & 0xff, mcos_notify_now >> 32);
}

/* Every LWK is gone (module exit), or none was ever told. */
void mcos_notify_exit(void)
{
	if (!mcos_notify_irq)
		return;
	free_irq(mcos_notify_irq, NULL);
	irq_dispose_mapping(mcos_notify_irq);
	mcos_notify_irq = 0;
	mcos_notify_now = 0;
}

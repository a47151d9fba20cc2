// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_ikc.c - inter-kernel communication with a booted LWK.
 *
 * Before READY the LWK publishes its IKC area: mcos_ikc_nr_rings() rings
 * of ikc_bytes each, the master channel first, then one channel (a ring
 * each way) per LWK CPU (mcos_abi.h names where each ring sits).  Linux
 * checks the area once, when it is published, and keeps what it checked
 * (where the area lies, the size of a ring, its number of slots) in its
 * own memory: whatever the LWK writes into a ring header afterwards, Linux
 * never reads or writes outside the area.
 *
 * The same holds for the counters: 'write' and 'read' of a ring are only
 * ever used modulo the checked slot count, and no loop runs for as long as
 * the other side's counter says.
 *
 * Linux->LWK: a packet, then an IPI on MCOS_IKC_VECTOR (an idle LWK CPU
 * halts).  LWK->Linux: the Linux thread that waits for an answer reads the
 * ring, and between reads sleeps until the LWK's interrupt
 * (mcos_notify.c) or polls.  A ring has one producer and one
 * consumer; who serialises the Linux side of a channel is the caller's
 * business (mcos_lock for the master channel and pings, the instance's
 * proc_lock for a program's channel).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/apic.h>

#include "mcos.h"

#define MCOS_PING_TIMEOUT	(HZ)

/* Send an interrupt command (INIT, SIPI or a vector) to a CPU by APIC id. */
void mcos_ipi(u32 apicid, u32 low)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->icr_write(low, apicid);
	if (apic->wait_icr_idle)
		apic->wait_icr_idle();
	local_irq_restore(flags);
}

/*
 * Wake the LWK CPU of 'context': it looks at the rings of its contexts (and
 * at the shutdown flag).
 */
void mcos_ikc_notify(struct mcos_lwk *lwk, u32 context)
{
	mcos_ipi(lwk->apic_ids[mcos_context_cpu(context, lwk->nr_cpus)], MCOS_IKC_VECTOR);
}

/* ---- the published area ---- */

static bool mcos_ikc_ring_valid(const struct mcos_ikc_ring *r, u32 slots)
{
	return READ_ONCE(r->magic) == MCOS_IKC_MAGIC &&
	       READ_ONCE(r->slots) == slots &&
	       READ_ONCE(r->slot_bytes) == sizeof(struct mcos_ikc_packet);
}

/*
 * The IKC area the LWK published in the boot block: inside the instance's
 * memory, every ring formatted with the announced number of slots.
 */
static int mcos_ikc_attach(struct mcos_os *os, struct mcos_lwk *lwk)
{
	const u32 pkt = sizeof(struct mcos_ikc_packet);
	u32 contexts = READ_ONCE(lwk->bb->nr_contexts);
	u32 bytes = READ_ONCE(lwk->bb->ikc_bytes);
	u32 slots = READ_ONCE(lwk->bb->ikc_slots);
	u64 phys = READ_ONCE(lwk->bb->ikc_phys);
	u32 rings, i;
	void *area;

	/* whole CPUs' worth of contexts, within what 'busy' has room for */
	if (contexts < lwk->nr_cpus || contexts % lwk->nr_cpus ||
	    contexts / lwk->nr_cpus > MCOS_MAX_CONTEXTS_PER_CPU)
		return -EPROTO;
	rings = mcos_ikc_nr_rings(contexts);
	if (bytes < sizeof(struct mcos_ikc_ring) + pkt || bytes > SZ_1M || bytes % 64)
		return -EPROTO;
	if (!slots || sizeof(struct mcos_ikc_ring) + (u64)slots * pkt > bytes)
		return -EPROTO;
	area = mcos_phys_in_os(os, phys, (u64)rings * bytes);
	if (!area)
		return -EPROTO;
	for (i = 0; i < rings; i++)
		if (!mcos_ikc_ring_valid(area + (size_t)i * bytes, slots))
			return -EPROTO;

	lwk->ikc_bytes = bytes;
	lwk->ikc_slots = slots;
	WRITE_ONCE(lwk->nr_contexts, contexts);
	lwk->ikc = area;
	return 0;
}

/* READY: take the published area and ack on the master channel. */
int mcos_ikc_connect(struct mcos_os *os, struct mcos_lwk *lwk)
{
	int err;

	err = mcos_ikc_attach(os, lwk);
	if (err)
		return err;
	mcos_notify_attach(lwk);
	mcos_ikc_send(lwk, MCOS_IKC_MASTER_TO_LWK, MCOS_IKC_MASTER_ACK, 0, NULL, 0);
	mcos_ikc_notify(lwk, 0);
	return 0;
}

/* ---- packets ---- */

static struct mcos_ikc_ring *mcos_ikc_ring(struct mcos_lwk *lwk, u32 ring)
{
	return lwk->ikc + (size_t)ring * lwk->ikc_bytes;
}

/* The slot of the packet with this count: the slot number is Linux's own. */
static struct mcos_ikc_packet *mcos_ikc_slot(struct mcos_lwk *lwk,
					     struct mcos_ikc_ring *r, u64 count)
{
	return (struct mcos_ikc_packet *)(r + 1) + count % lwk->ikc_slots;
}

/* Queue a packet on a ring Linux produces; false if the ring is full. */
bool mcos_ikc_send(struct mcos_lwk *lwk, u32 ring, u32 type, u64 seq,
		   const u64 *args, unsigned int nargs)
{
	struct mcos_ikc_ring *r = mcos_ikc_ring(lwk, ring);
	u64 w = READ_ONCE(r->write), rd = smp_load_acquire(&r->read);
	struct mcos_ikc_packet *p;

	if (w - rd >= lwk->ikc_slots)
		return false;
	p = mcos_ikc_slot(lwk, r, w);
	memset(p, 0, sizeof(*p));
	p->version = MCOS_IKC_VERSION;
	p->type = type;
	p->seq = seq;
	if (nargs)
		memcpy(p->args, args, min_t(size_t, nargs, ARRAY_SIZE(p->args)) * sizeof(u64));
	smp_store_release(&r->write, w + 1);
	return true;
}

/* Take the next packet from a ring the LWK produces; false if none. */
bool mcos_ikc_recv(struct mcos_lwk *lwk, u32 ring, struct mcos_ikc_packet *out)
{
	struct mcos_ikc_ring *r = mcos_ikc_ring(lwk, ring);
	u64 rd = READ_ONCE(r->read), w = smp_load_acquire(&r->write);

	if (rd == w)
		return false;
	*out = *mcos_ikc_slot(lwk, r, rd);
	smp_store_release(&r->read, rd + 1);
	return true;
}

/*
 * Forget what an earlier user of the channel left unread: at most a ring's
 * worth, which is all a ring can hold.  'write' is the LWK's to move, so a
 * value far ahead of 'read' must not keep Linux here (under proc_lock or
 * mcos_lock) for 2^64 packets.
 */
void mcos_ikc_drain(struct mcos_lwk *lwk, u32 ring)
{
	struct mcos_ikc_packet pkt;
	u32 n;

	for (n = 0; n < lwk->ikc_slots; n++)
		if (!mcos_ikc_recv(lwk, ring, &pkt))
			break;
}

/* Whether a ring the LWK produces has a packet Linux has not taken. */
bool mcos_ikc_pending(struct mcos_lwk *lwk, u32 ring)
{
	struct mcos_ikc_ring *r = mcos_ikc_ring(lwk, ring);

	return READ_ONCE(r->read) != smp_load_acquire(&r->write);
}

/* How many packets of a ring Linux produces the LWK has not taken yet. */
u64 mcos_ikc_unread(struct mcos_lwk *lwk, u32 ring)
{
	struct mcos_ikc_ring *r = mcos_ikc_ring(lwk, ring);

	return READ_ONCE(r->write) - smp_load_acquire(&r->read);
}

/*
 * Tell the LWK whether Linux sleeps on a ring it produces.  Setting it is
 * followed by a full barrier: the caller's next read of the ring cannot
 * pass the flag, which pairs with the LWK's fence between its store of
 * 'write' and its read of the flag.
 */
void mcos_ikc_set_consumer_sleeps(struct mcos_lwk *lwk, u32 ring, bool sleeps)
{
	struct mcos_ikc_ring *r = mcos_ikc_ring(lwk, ring);

	WRITE_ONCE(r->consumer_sleeps, sleeps);
	if (sleeps)
		smp_mb();
}

/* ---- ping ---- */

/* Ping LWK CPU 'cpu' on its channel; its round trip in ns, or -ETIMEDOUT. */
static s64 mcos_ikc_ping_cpu(struct mcos_lwk *lwk, u32 cpu, u64 seq)
{
	unsigned long deadline = jiffies + MCOS_PING_TIMEOUT;
	struct mcos_ikc_packet pkt;
	u64 t0 = ktime_get_ns();

	mcos_ikc_notify(lwk, cpu);
	while (time_before(jiffies, deadline)) {
		if (!mcos_ikc_recv(lwk, mcos_ikc_ring_from_lwk(cpu), &pkt)) {
			usleep_range(20, 50);
			continue;
		}
		if (pkt.type == MCOS_IKC_PONG && pkt.seq == seq && pkt.args[0] == cpu)
			return ktime_get_ns() - t0;
	}
	return -ETIMEDOUT;
}

/*
 * IKC_PING: every idle LWK CPU, one at a time.  A CPU running a program is
 * skipped: its channel is the program's.  Under mcos_lock.
 */
void mcos_ikc_ping(struct mcos_lwk *lwk, struct mcos_ikc_ping *p)
{
	s64 rtt;
	u32 cpu;

	p->sent = p->answered = 0;
	p->max_rtt_ns = 0;
	for (cpu = 0; cpu < lwk->nr_cpus; cpu++) {
		u64 seq = ++lwk->seq;

		if (test_bit(cpu, lwk->busy))
			continue;
		mcos_ikc_drain(lwk, mcos_ikc_ring_from_lwk(cpu));	/* stale answers */
		if (!mcos_ikc_send(lwk, mcos_ikc_ring_to_lwk(cpu), MCOS_IKC_PING, seq, NULL, 0))
			continue;
		p->sent++;
		rtt = mcos_ikc_ping_cpu(lwk, cpu, seq);
		if (rtt < 0)
			continue;
		p->answered++;
		p->max_rtt_ns = max_t(u64, p->max_rtt_ns, rtt);
	}
}

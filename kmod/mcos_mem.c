// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_mem.c - taking memory from Linux's page allocator per NUMA node.
 *
 * Memory is not hot-removed: it is allocated with alloc_pages_node() in
 * physically contiguous, naturally aligned chunks, from 4 MiB (order 10)
 * down to a minimum order, and kept on a list per node.  The pages stay in
 * Linux's direct map.  A node never goes below its safety floor of free
 * memory: max(5 % of its managed memory, 256 MiB) for a node with CPUs,
 * max(2 %, 64 MiB) for a CPU-less one (MCOS_FLOOR_* in mcos_abi.h).  All
 * calls run under mcos_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "mcos.h"

#define MCOS_GFP (GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY)

static struct list_head *mcos_chunks;	/* [nr_node_ids] */

int mcos_mem_init(void)
{
	int nid;

	mcos_chunks = kcalloc(nr_node_ids, sizeof(*mcos_chunks), GFP_KERNEL);
	if (!mcos_chunks)
		return -ENOMEM;
	for (nid = 0; nid < nr_node_ids; nid++)
		INIT_LIST_HEAD(&mcos_chunks[nid]);
	return 0;
}

static void mcos_chunk_free(struct mcos_chunk *c)
{
	list_del(&c->node_link);
	__free_pages(c->page, c->order);
	kfree(c);
}

/* Free everything (module unload; instances are gone by now). */
void mcos_mem_exit(void)
{
	struct mcos_chunk *c, *tmp;
	int nid;

	for (nid = 0; nid < nr_node_ids; nid++)
		list_for_each_entry_safe(c, tmp, &mcos_chunks[nid], node_link)
			mcos_chunk_free(c);
	kfree(mcos_chunks);
}

static bool mcos_node_valid(int nid)
{
	return nid >= 0 && nid < nr_node_ids && node_state(nid, N_MEMORY);
}

static unsigned long mcos_node_managed(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	unsigned long pages = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		pages += zone_managed_pages(&pgdat->node_zones[z]);
	return pages;
}

/* Free pages of a node, as /sys/devices/system/node/nodeN/meminfo shows. */
static unsigned long mcos_node_free(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	unsigned long pages = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		pages += zone_page_state(&pgdat->node_zones[z], NR_FREE_PAGES);
	return pages;
}

static unsigned long mcos_node_floor(int nid)
{
	bool cpus = node_state(nid, N_CPU);
	unsigned long pct = mcos_node_managed(nid) / 100 *
		(cpus ? MCOS_FLOOR_CPU_PERCENT : MCOS_FLOOR_MEMONLY_PERCENT);
	unsigned long min = (cpus ? MCOS_FLOOR_CPU_MIN_BYTES :
			     MCOS_FLOOR_MEMONLY_MIN_BYTES) >> PAGE_SHIFT;

	return max(pct, min);
}

/* Would taking 2^order pages leave the node at or above its floor? */
static bool mcos_above_floor(int nid, unsigned int order)
{
	return mcos_node_free(nid) >= mcos_node_floor(nid) + (1UL << order);
}

int mcos_mem_reserve(struct mcos_mem_request *r)
{
	unsigned long left, unit;
	unsigned int order = MCOS_MEM_MAX_ORDER;
	struct mcos_chunk *c, *tmp;
	struct page *page;
	LIST_HEAD(got);
	int nid = r->node, err = -ENOMEM;

	r->obtained = 0;
	if (r->flags || !mcos_node_valid(nid) ||
	    r->min_order > MCOS_MEM_MAX_ORDER)
		return -EINVAL;
	unit = PAGE_SIZE << r->min_order;
	if (!r->bytes || r->bytes % unit)
		return -EINVAL;
	/* More than the node could ever give: no need to try. */
	if (r->bytes >> PAGE_SHIFT >
	    mcos_node_managed(nid) - min(mcos_node_managed(nid),
					 mcos_node_floor(nid)))
		return -ENOMEM;

	left = r->bytes >> PAGE_SHIFT;
	while (left) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			goto fail;
		}
		while (order > r->min_order && (1UL << order) > left)
			order--;
		page = NULL;
		if (mcos_above_floor(nid, order))
			page = alloc_pages_node(nid, MCOS_GFP, order);
		if (page && page_to_nid(page) != nid) {
			__free_pages(page, order);	/* cannot happen */
			page = NULL;
		}
		if (!page) {
			if (order == r->min_order)
				goto fail;	/* err is -ENOMEM */
			order--;
			continue;
		}
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			__free_pages(page, order);
			goto fail;
		}
		c->page = page;
		c->order = order;
		c->nid = nid;
		INIT_LIST_HEAD(&c->os_link);
		list_add_tail(&c->node_link, &got);
		left -= 1UL << order;
		r->obtained += PAGE_SIZE << order;
		cond_resched();
	}

	list_splice_tail(&got, &mcos_chunks[nid]);
	pr_info("reserved %llu bytes on node %d\n", r->bytes, nid);
	return 0;

fail:
	pr_info("node %d: got %llu of %llu bytes, giving them back\n",
		nid, r->obtained, r->bytes);
	list_for_each_entry_safe(c, tmp, &got, node_link)
		mcos_chunk_free(c);
	return err;
}

/* Does any chunk of the given nodes belong to an instance? */
static bool mcos_mem_busy(int first, int last)
{
	struct mcos_chunk *c;
	int nid;

	for (nid = first; nid <= last; nid++)
		list_for_each_entry(c, &mcos_chunks[nid], node_link)
			if (c->os)
				return true;
	return false;
}

int mcos_mem_release(struct mcos_mem_release *r)
{
	struct mcos_chunk *c, *tmp;
	int nid, first, last;

	if (r->reserved0 || (r->flags & ~MCOS_F_ALL))
		return -EINVAL;
	if (r->flags & MCOS_F_ALL) {
		first = 0;
		last = nr_node_ids - 1;
	} else {
		if (r->node < 0 || r->node >= nr_node_ids)
			return -EINVAL;
		first = last = r->node;
	}
	/* All or nothing: refuse while an instance holds some of it. */
	if (mcos_mem_busy(first, last))
		return -EBUSY;

	r->released = 0;
	for (nid = first; nid <= last; nid++) {
		list_for_each_entry_safe(c, tmp, &mcos_chunks[nid], node_link) {
			r->released += PAGE_SIZE << c->order;
			mcos_chunk_free(c);
		}
	}
	return 0;
}

/*
 * The chunks of q->node (every node with -1), grouped by node, as they are
 * now: the first q->capacity of them into a new array (*chunks, *count
 * entries; kvfree it), the number and size of all into q.
 */
int mcos_mem_snapshot(struct mcos_mem_query *q, struct mcos_mem_chunk **chunks,
		      u32 *count)
{
	int nid, first = 0, last = nr_node_ids - 1;
	struct mcos_mem_chunk *out;
	struct mcos_chunk *c;
	u64 n = 0;

	if (q->node >= 0) {
		if (q->node >= nr_node_ids)
			return -EINVAL;
		first = last = q->node;
	} else if (q->node != -1) {
		return -EINVAL;
	}
	for (nid = first; nid <= last; nid++)
		list_for_each_entry(c, &mcos_chunks[nid], node_link)
			n++;
	if (n > U32_MAX)
		return -EOVERFLOW;
	out = kvcalloc(max_t(u64, 1, min_t(u64, n, q->capacity)), sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;

	q->total = n;
	q->total_bytes = 0;
	n = 0;
	for (nid = first; nid <= last; nid++) {
		list_for_each_entry(c, &mcos_chunks[nid], node_link) {
			if (n < q->capacity)
				out[n] = (struct mcos_mem_chunk){
					.phys = page_to_phys(c->page),
					.bytes = PAGE_SIZE << c->order,
					.node = nid,
					.order = c->order,
					.os = c->os ? c->os->index : -1,
				};
			n++;
			q->total_bytes += PAGE_SIZE << c->order;
		}
	}
	*chunks = out;
	*count = min_t(u64, n, q->capacity);
	return 0;
}

int mcos_mem_node_info(struct mcos_node_info *n)
{
	struct mcos_chunk *c;
	int nid = n->node;

	if (nid < 0 || nid >= nr_node_ids || !node_online(nid))
		return -EINVAL;

	n->has_cpu = node_state(nid, N_CPU);
	n->nr_chunks = 0;
	n->reserved_bytes = 0;
	list_for_each_entry(c, &mcos_chunks[nid], node_link) {
		n->nr_chunks++;
		n->reserved_bytes += PAGE_SIZE << c->order;
	}
	n->managed_bytes = (u64)mcos_node_managed(nid) << PAGE_SHIFT;
	n->free_bytes = (u64)mcos_node_free(nid) << PAGE_SHIFT;
	n->floor_bytes = (u64)mcos_node_floor(nid) << PAGE_SHIFT;
	return 0;
}

u64 mcos_mem_reserved_bytes(void)
{
	struct mcos_chunk *c;
	u64 bytes = 0;
	int nid;

	for (nid = 0; nid < nr_node_ids; nid++)
		list_for_each_entry(c, &mcos_chunks[nid], node_link)
			bytes += PAGE_SIZE << c->order;
	return bytes;
}

/*
 * Assign pool chunks of a node to an instance, largest first, until at
 * least a->bytes are assigned (all or nothing), or every pool chunk of the
 * node (all nodes with node == -1) with MCOS_F_ALL.
 */
int mcos_mem_assign(struct mcos_os *os, struct mcos_mem_assign *a)
{
	bool all = a->flags & MCOS_F_ALL;
	int nid, first, last, order;
	struct mcos_chunk *c;
	LIST_HEAD(picked);
	u64 got = 0;

	if (a->reserved0 || (a->flags & ~MCOS_F_ALL))
		return -EINVAL;
	if (all && a->node == -1) {
		first = 0;
		last = nr_node_ids - 1;
	} else {
		if (a->node < 0 || a->node >= nr_node_ids)
			return -EINVAL;
		first = last = a->node;
	}
	if (all ? a->bytes != 0 : (a->bytes == 0 || a->bytes % PAGE_SIZE))
		return -EINVAL;

	for (order = MCOS_MEM_MAX_ORDER; order >= 0; order--) {
		for (nid = first; nid <= last; nid++) {
			list_for_each_entry(c, &mcos_chunks[nid], node_link) {
				if (!all && got >= a->bytes)
					goto done;
				if (c->os || c->order != order)
					continue;
				list_add_tail(&c->os_link, &picked);
				got += PAGE_SIZE << c->order;
			}
		}
	}
done:
	if (!all && got < a->bytes) {
		while (!list_empty(&picked))
			list_del_init(picked.next);
		return -ENOMEM;
	}

	list_for_each_entry(c, &picked, os_link)
		c->os = os;
	list_splice_tail(&picked, &os->chunks);
	os->mem_bytes += got;
	a->assigned = got;
	return 0;
}

/* Give an instance's chunks of a node (all nodes with all) back to the pool. */
int mcos_mem_unassign(struct mcos_os *os, int node, bool all)
{
	struct mcos_chunk *c, *tmp;

	if (!all && (node < 0 || node >= nr_node_ids))
		return -EINVAL;
	list_for_each_entry_safe(c, tmp, &os->chunks, os_link) {
		if (!all && c->nid != node)
			continue;
		list_del_init(&c->os_link);
		c->os = NULL;
		os->mem_bytes -= PAGE_SIZE << c->order;
	}
	return 0;
}

/* Is [phys, phys + len) inside the instance's memory?  Its kernel address. */
void *mcos_phys_in_os(struct mcos_os *os, u64 phys, u64 len)
{
	struct mcos_chunk *c;
	u64 start, bytes;

	list_for_each_entry(c, &os->chunks, os_link) {
		start = page_to_phys(c->page);
		bytes = PAGE_SIZE << c->order;
		if (phys >= start && phys - start < bytes && len <= bytes - (phys - start))
			return phys_to_virt(phys);
	}
	return NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_kmsg.c - the per-instance kmsg ring buffer.
 *
 * MCOS_KMSG_SIZE bytes of physically contiguous memory, starting with a
 * struct mcos_kmsg_ring: the module writes its lines here, and a booted
 * LWK its own, by the physical address the boot block gives it.  'head'
 * counts every byte ever written; text still readable is
 * [max(start, head - data_bytes), head).  Clear moves 'start' to 'head'.
 * Writers and readers hold the spinlock; readers copy a snapshot out
 * before touching user memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mcos.h"

#define MCOS_KMSG_ORDER	get_order(MCOS_KMSG_SIZE)
#define MCOS_KMSG_LINE	256

int mcos_kmsg_init(struct mcos_kmsg *k)
{
	struct page *page;

	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, MCOS_KMSG_ORDER);
	if (!page)
		return -ENOMEM;
	spin_lock_init(&k->lock);
	k->ring = page_address(page);
	k->ring->version = MCOS_KMSG_VERSION;
	k->ring->data_bytes = MCOS_KMSG_SIZE - sizeof(*k->ring);
	k->data = (char *)(k->ring + 1);
	return 0;
}

void mcos_kmsg_free(struct mcos_kmsg *k)
{
	if (k->ring)
		__free_pages(virt_to_page(k->ring), MCOS_KMSG_ORDER);
	k->ring = NULL;
}

static void mcos_kmsg_put(struct mcos_kmsg *k, const char *s, size_t len)
{
	struct mcos_kmsg_ring *r = k->ring;
	unsigned long flags;
	size_t i;

	spin_lock_irqsave(&k->lock, flags);
	for (i = 0; i < len; i++)
		k->data[(r->head + i) % r->data_bytes] = s[i];
	r->head += len;
	spin_unlock_irqrestore(&k->lock, flags);
}

void mcos_kmsg_printf(struct mcos_kmsg *k, const char *fmt, ...)
{
	char line[MCOS_KMSG_LINE];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vscnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	mcos_kmsg_put(k, line, len);
}

void mcos_kmsg_clear(struct mcos_kmsg *k)
{
	unsigned long flags;

	spin_lock_irqsave(&k->lock, flags);
	k->ring->start = k->ring->head;
	spin_unlock_irqrestore(&k->lock, flags);
}

/* First readable byte; lock held. */
static u64 mcos_kmsg_begin(struct mcos_kmsg_ring *r)
{
	u64 oldest = r->head > r->data_bytes ? r->head - r->data_bytes : 0;

	return max(r->start, oldest);
}

u32 mcos_kmsg_avail(struct mcos_kmsg *k)
{
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&k->lock, flags);
	n = k->ring->head - mcos_kmsg_begin(k->ring);
	spin_unlock_irqrestore(&k->lock, flags);
	return n;
}

/*
 * Copy up to len bytes of buffered text, starting 'from' bytes after the
 * oldest one, to buf.  *avail is what is buffered in all.
 */
int mcos_kmsg_copy(struct mcos_kmsg *k, char __user *buf, u64 from, u32 len,
		   u32 *copied, u32 *avail)
{
	struct mcos_kmsg_ring *r = k->ring;
	unsigned long flags;
	u64 begin;
	u32 n, i;
	char *tmp;
	int err;

	*copied = 0;
	*avail = mcos_kmsg_avail(k);
	if (from >= *avail || !len)
		return 0;

	tmp = kvmalloc(MCOS_KMSG_SIZE, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;

	spin_lock_irqsave(&k->lock, flags);
	begin = mcos_kmsg_begin(r) + from;
	n = begin < r->head ? min_t(u64, len, r->head - begin) : 0;
	for (i = 0; i < n; i++)
		tmp[i] = k->data[(begin + i) % r->data_bytes];
	spin_unlock_irqrestore(&k->lock, flags);

	err = 0;
	if (n && copy_to_user(buf, tmp, n))
		err = -EFAULT;
	else
		*copied = n;
	kvfree(tmp);
	return err;
}

/* The last len - 1 bytes of text, NUL-terminated (for the kernel log). */
void mcos_kmsg_tail(struct mcos_kmsg *k, char *buf, size_t len)
{
	struct mcos_kmsg_ring *r = k->ring;
	unsigned long flags;
	u64 begin, n, i;

	spin_lock_irqsave(&k->lock, flags);
	begin = mcos_kmsg_begin(r);
	n = min_t(u64, r->head - begin, len - 1);
	begin = r->head - n;
	for (i = 0; i < n; i++)
		buf[i] = k->data[(begin + i) % r->data_bytes];
	buf[n] = 0;
	spin_unlock_irqrestore(&k->lock, flags);
}

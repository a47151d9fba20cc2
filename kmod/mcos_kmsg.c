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
 *
 * The LWK writes the header too, so Linux reads 'head' and 'start' once
 * per use, never past what it checked, and keeps the size of the text
 * space in its own memory: whatever the header says, no index leaves it.
 *
 * Who may read it: the LWK logs pids, fault addresses, registers and
 * physical addresses, so like dmesg with dmesg_restrict it takes
 * CAP_SYSLOG, unless root turns mcos.kmsg_restrict off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mcos.h"

#define MCOS_KMSG_ORDER	get_order(MCOS_KMSG_SIZE)
#define MCOS_KMSG_LINE	256

static bool kmsg_restrict = true;
module_param(kmsg_restrict, bool, 0644);
MODULE_PARM_DESC(kmsg_restrict,
		 "reading an LWK's log needs CAP_SYSLOG (like dmesg_restrict; default Y)");

/* 0 if the caller may read the kmsg text (ioctl and read()). */
int mcos_kmsg_may_read(void)
{
	if (READ_ONCE(kmsg_restrict) && !capable(CAP_SYSLOG))
		return -EPERM;
	return 0;
}

int mcos_kmsg_init(struct mcos_kmsg *k)
{
	struct page *page;

	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, MCOS_KMSG_ORDER);
	if (!page)
		return -ENOMEM;
	spin_lock_init(&k->lock);
	k->ring = page_address(page);
	k->data_bytes = MCOS_KMSG_SIZE - sizeof(*k->ring);
	k->ring->version = MCOS_KMSG_VERSION;
	k->ring->data_bytes = k->data_bytes;
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
	unsigned long flags;
	u64 head;
	size_t i;

	spin_lock_irqsave(&k->lock, flags);
	head = READ_ONCE(k->ring->head);
	for (i = 0; i < len; i++)
		k->data[(head + i) % k->data_bytes] = s[i];
	WRITE_ONCE(k->ring->head, head + len);
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
	WRITE_ONCE(k->ring->start, READ_ONCE(k->ring->head));
	spin_unlock_irqrestore(&k->lock, flags);
}

/* The readable text [*begin, *head), read once from the header; lock held. */
static void mcos_kmsg_span(struct mcos_kmsg *k, u64 *begin, u64 *head)
{
	u64 h = READ_ONCE(k->ring->head), start = READ_ONCE(k->ring->start);
	u64 oldest = h > k->data_bytes ? h - k->data_bytes : 0;

	*head = h;
	*begin = clamp(start, oldest, h);
}

u32 mcos_kmsg_avail(struct mcos_kmsg *k)
{
	unsigned long flags;
	u64 begin, head;

	spin_lock_irqsave(&k->lock, flags);
	mcos_kmsg_span(k, &begin, &head);
	spin_unlock_irqrestore(&k->lock, flags);
	return head - begin;
}

/*
 * Copy up to len bytes of buffered text, starting 'from' bytes after the
 * oldest one, to buf.  *avail is what is buffered in all.
 */
int mcos_kmsg_copy(struct mcos_kmsg *k, char __user *buf, u64 from, u32 len,
		   u32 *copied, u32 *avail)
{
	unsigned long flags;
	u64 begin, head;
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
	mcos_kmsg_span(k, &begin, &head);
	begin += min(from, head - begin);
	n = min_t(u64, len, head - begin);	/* at most data_bytes */
	for (i = 0; i < n; i++)
		tmp[i] = k->data[(begin + i) % k->data_bytes];
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
	unsigned long flags;
	u64 begin, head, n, i;

	spin_lock_irqsave(&k->lock, flags);
	mcos_kmsg_span(k, &begin, &head);
	n = min_t(u64, head - begin, len - 1);
	begin = head - n;
	for (i = 0; i < n; i++)
		buf[i] = k->data[(begin + i) % k->data_bytes];
	buf[n] = 0;
	spin_unlock_irqrestore(&k->lock, flags);
}

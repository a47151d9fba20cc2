// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_pin.c - Linux's frames in a program on the LWK: the page-cache pages
 * of a file the program maps shared (MAP_SHARED of a regular file, POSIX
 * shared memory in /dev/shm), so that Linux and the program see the same
 * bytes.
 *
 * mcexec maps the file itself and calls PROC_PIN while it serves the LWK's
 * MCOS_PROXY_FILE_SHARE; the pages are pinned (FOLL_LONGTERM: they stay
 * where they are for as long as the LWK maps them), each pin is counted per
 * frame in the LWK's table, and the frames' addresses go into the list the
 * LWK named in its request: mcexec names only its own pages, never where the
 * LWK looks.  The LWK gives frames back (MCOS_IKC_UNPIN) once no page table
 * of its maps them; the table unpins only what it holds.  Whatever the LWK
 * still holds when it goes is unpinned after its CPUs stopped.
 *
 * Pinned pages cannot be reclaimed, so each user's pins on an LWK count
 * against RLIMIT_MEMLOCK of the mcexec that asks (unless it has
 * CAP_IPC_LOCK), as RDMA registrations and io_uring buffers do: EAGAIN
 * beyond it.  A pin belongs to the user whose mcexec made it; a frame a
 * fork shares goes back with the last of that user's processes to map it.
 * Whoever asks, CAP_IPC_LOCK or not, a pin must leave Linux an eighth of its
 * memory available: pinning a hole of a sparse file makes a page Linux cannot
 * reclaim, and a program mapping a large sparse file shared would otherwise
 * drive Linux into the OOM killer (ENOMEM instead).
 *
 * A page the LWK writes is dirtied behind the page cache's back, so writable
 * pins are only taken of files Linux never writes back (tmpfs, ramfs,
 * hugetlbfs): 6.5 and later refuse FOLL_LONGTERM | FOLL_WRITE of other files
 * themselves, and the check here gives 6.1 the same rule.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/backing-dev.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "mcos.h"

/* The pins one user holds on one LWK. */
struct mcos_pin_owner {
	struct list_head link;		/* on the LWK's pin_owners */
	kuid_t uid;
	unsigned long pins;		/* what RLIMIT_MEMLOCK bounds */
	struct xarray frames;		/* pfn -> pins of that frame */
};

void mcos_pin_init(struct mcos_lwk *lwk)
{
	INIT_LIST_HEAD(&lwk->pin_owners);
}

/* The pins of 'uid' on the LWK (made if 'make'), NULL if none.  Under proc_lock. */
static struct mcos_pin_owner *mcos_pin_owner(struct mcos_lwk *lwk, kuid_t uid,
					     bool make)
{
	struct mcos_pin_owner *o;

	list_for_each_entry(o, &lwk->pin_owners, link)
		if (uid_eq(o->uid, uid))
			return o;
	if (!make)
		return NULL;
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return NULL;
	o->uid = uid;
	xa_init(&o->frames);
	list_add(&o->link, &lwk->pin_owners);
	return o;
}

/* Does anyone hold a pin of the frame at 'phys' on the LWK?  Under proc_lock. */
bool mcos_pin_holds(struct mcos_lwk *lwk, u64 phys)
{
	struct mcos_pin_owner *o;

	list_for_each_entry(o, &lwk->pin_owners, link)
		if (xa_load(&o->frames, phys >> PAGE_SHIFT))
			return true;
	return false;
}

/* One more pin of 'pfn' counted for 'o'.  Under proc_lock. */
static int mcos_pin_count(struct mcos_pin_owner *o, unsigned long pfn)
{
	void *held = xa_load(&o->frames, pfn);
	unsigned long n = held ? xa_to_value(held) : 0;
	int err;

	err = xa_err(xa_store(&o->frames, pfn, xa_mk_value(n + 1), GFP_KERNEL));
	if (!err)
		o->pins++;
	return err;
}

/* One pin of 'pfn' of 'o' no longer counted: false if it held none.  Under proc_lock. */
static bool mcos_pin_uncount(struct mcos_pin_owner *o, unsigned long pfn)
{
	void *held = xa_load(&o->frames, pfn);
	unsigned long n;

	if (!held)
		return false;
	n = xa_to_value(held);
	if (n > 1)	/* an entry that exists is replaced without allocating */
		xa_store(&o->frames, pfn, xa_mk_value(n - 1), GFP_KERNEL);
	else
		xa_erase(&o->frames, pfn);
	o->pins--;
	return true;
}

/*
 * The LWK went and its CPUs stopped: every pin it held goes.  An LWK gives
 * back what its programs mapped as they end, unless a proxy went first
 * (kill -9 of mcexec), so the kernel log says how many were left.
 */
void mcos_pin_release_all(struct mcos_lwk *lwk)
{
	struct mcos_pin_owner *o, *next;
	unsigned long pfn, n, left = 0;
	void *held;

	list_for_each_entry_safe(o, next, &lwk->pin_owners, link) {
		xa_for_each(&o->frames, pfn, held)
			for (n = xa_to_value(held); n; n--, left++)
				unpin_user_page(pfn_to_page(pfn));
		xa_destroy(&o->frames);
		list_del(&o->link);
		kfree(o);
	}
	if (left)
		pr_info("the LWK still held %lu pins of Linux frames at its end: released\n", left);
}

/*
 * May the caller's pages at [address, address + bytes) be pinned writable?
 * Only one mapping, of a file Linux does not write back.
 */
static int mcos_pin_write_allowed(u64 address, u64 bytes)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int err = -EFAULT;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, address);
	if (vma && bytes <= vma->vm_end - address) {
		if (vma->vm_file && mapping_can_writeback(vma->vm_file->f_mapping))
			err = -EOPNOTSUPP;
		else
			err = 0;
	}
	mmap_read_unlock(mm);
	return err;
}

/* Would 'more' new pins leave Linux an eighth of its memory available? */
static bool mcos_pin_leaves_linux_room(unsigned long more)
{
	long available = si_mem_available();

	return available > 0 && (unsigned long)available > more + totalram_pages() / 8;
}

/* Room for 'more' pins of 'o' within the caller's RLIMIT_MEMLOCK? */
static bool mcos_pin_within_limit(struct mcos_pin_owner *o, unsigned long more)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	return capable(CAP_IPC_LOCK) || (o->pins <= limit && more <= limit - o->pins);
}

/* Count 'pinned' pins for 'f''s user, all or none; -EAGAIN beyond RLIMIT_MEMLOCK. */
static int mcos_pin_count_all(struct mcos_file *f, struct page **pages, int pinned)
{
	struct mcos_pin_owner *o = mcos_pin_owner(f->lwk, f->uid, true);
	int counted, err = 0;

	if (!o)
		return -ENOMEM;
	if (!mcos_pin_within_limit(o, pinned))
		return -EAGAIN;
	for (counted = 0; !err && counted < pinned; counted++)
		err = mcos_pin_count(o, page_to_pfn(pages[counted]));
	if (err)
		while (--counted > 0)
			mcos_pin_uncount(o, page_to_pfn(pages[counted - 1]));
	return err;
}

/*
 * PROC_PIN: pin the caller's pages at 'address' for the LWK's FILE_SHARE
 * request 'args' (as the LWK sent it) and write their frames into the LWK's
 * list; the number of frames, or -errno with nothing pinned.
 */
long mcos_pin_share(struct mcos_file *f, u64 address, const u64 *args)
{
	u64 bytes = args[1], list_phys = args[4];
	bool write = args[3] == 1;
	unsigned int gup = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	unsigned long pages_asked = bytes >> PAGE_SHIFT;
	struct mcos_pin_list *list = NULL;
	struct page **pages;
	int pinned, i, err;

	if (!pages_asked || pages_asked > MCOS_PIN_LIST_FRAMES ||
	    (bytes | address) & ~PAGE_MASK || address > TASK_SIZE_MAX - bytes)
		return -EINVAL;
	if (write) {
		err = mcos_pin_write_allowed(address, bytes);
		if (err)
			return err;
	}
	if (!mcos_pin_leaves_linux_room(pages_asked))
		return -ENOMEM;
	pages = kmalloc_array(pages_asked, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	pinned = pin_user_pages_fast(address, pages_asked, gup, pages);
	if (pinned <= 0) {
		kfree(pages);
		return pinned ?: -EFAULT;
	}
	mutex_lock(&f->os->proc_lock);
	err = mcos_proc_check(f);
	if (!err) {
		list = mcos_phys_in_os(f->os, list_phys, sizeof(*list));
		err = list ? mcos_pin_count_all(f, pages, pinned) : -EPROTO;
	}
	if (!err) {
		for (i = 0; i < pinned; i++)
			WRITE_ONCE(list->frames[i],
				   (u64)page_to_pfn(pages[i]) << PAGE_SHIFT);
		smp_store_release(&list->count, pinned);
	}
	mutex_unlock(&f->os->proc_lock);
	if (err)
		unpin_user_pages(pages, pinned);
	kfree(pages);
	return err ?: pinned;
}

/*
 * MCOS_IKC_UNPIN: the frames in the LWK's list at 'list_phys' are mapped by
 * none of its page tables any more; they were pinned for the user of the
 * channel's process.  Takes proc_lock.
 */
void mcos_pin_release(struct mcos_file *f, u64 list_phys)
{
	struct mcos_os *os = f->os;
	struct mcos_pin_list *list;
	struct mcos_pin_owner *o;
	unsigned long pfn;
	u64 i, count;

	mutex_lock(&os->proc_lock);
	/* a gone LWK's pins went with it */
	if (f->gen != os->boot_gen || os->lwk != f->lwk || !f->lwk)
		goto out_unlock;
	list = mcos_phys_in_os(os, list_phys, sizeof(*list));
	o = mcos_pin_owner(f->lwk, f->uid, false);
	if (!list)
		goto out_unlock;
	count = min_t(u64, smp_load_acquire(&list->count), MCOS_PIN_LIST_FRAMES);
	for (i = 0; i < count; i++) {
		pfn = READ_ONCE(list->frames[i]) >> PAGE_SHIFT;
		if (o && mcos_pin_uncount(o, pfn))
			unpin_user_page(pfn_to_page(pfn));
		else
			pr_warn_ratelimited("%s: the LWK gave back frame %#lx, which it did not hold for uid %u\n",
					    os->name, pfn << PAGE_SHIFT,
					    from_kuid(&init_user_ns, f->uid));
	}
out_unlock:
	mutex_unlock(&os->proc_lock);
}

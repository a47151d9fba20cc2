// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_map.c - the unified range: how the proxy of a program on the LWK
 * (mcexec) maps the program's memory, and how Linux forgets it.
 *
 * Every open file of /dev/mcosN that creates a process gets a window of
 * its own in the device's page offsets (an IDA id; PROC_CREATE returns its
 * start as map_offset), and the file's mappings can only lie in that
 * window.  Only the mm that created the process may map it, only whole,
 * at exactly [MCOS_USER_START, MCOS_USER_END) and the window's offset.
 * The mapping is VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND: fork
 * never copies it (VM_IO makes MADV_DOFORK fail), it cannot grow or move
 * (mremap is refused), and get_user_pages (ptrace, process_vm_readv,
 * O_DIRECT) refuses it.
 *
 * A fault walks the LWK process's page tables under the instance's
 * proc_lock.  Every zap (INVALIDATE, START, the end of the process,
 * teardown) runs under the same lock and drops the window with
 * unmap_mapping_pages(), which reaches every mapping of it in every mm:
 * once a zap returns, no PTE of Linux points at the frames it covered,
 * and a fault that comes later sees what the LWK's tables say by then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/version.h>

#include "mcos.h"

/* 16 TiB of offsets per window: the unified range fits in one. */
#define MCOS_MAP_WINDOW_SHIFT	(44 - PAGE_SHIFT)
#define MCOS_MAP_RANGE_PAGES	((MCOS_USER_END - MCOS_USER_START) >> PAGE_SHIFT)
/* Window ids 1..max: offset 0 (the ABI 1 offset) is nobody's window. */
#define MCOS_MAP_WINDOW_MAX	((1 << 18) - 1)

static_assert(MCOS_MAP_RANGE_PAGES <= 1ull << MCOS_MAP_WINDOW_SHIFT);

static DEFINE_IDA(mcos_map_windows);

/* The file's window, once (one process per file). */
int mcos_map_window_get(struct mcos_file *f)
{
	int id;

	if (f->map_base)
		return 0;
	id = ida_alloc_range(&mcos_map_windows, 1, MCOS_MAP_WINDOW_MAX, GFP_KERNEL);
	if (id < 0)
		return id;
	f->map_base = (pgoff_t)id << MCOS_MAP_WINDOW_SHIFT;
	return 0;
}

/* On release: no mapping of the file is left (each holds the file). */
void mcos_map_window_put(struct mcos_file *f)
{
	if (f->map_base)
		ida_free(&mcos_map_windows, f->map_base >> MCOS_MAP_WINDOW_SHIFT);
	f->map_base = 0;
}

/* What PROC_CREATE returns: the mmap offset of the file's window. */
u64 mcos_map_offset(struct mcos_file *f)
{
	return (u64)f->map_base << PAGE_SHIFT;
}

/* ---- faults ---- */

/*
 * Physical address of LWK user address 'addr' in the process's page
 * tables, 0 if not mapped or if anything lies outside the instance's
 * memory but a Linux frame the LWK holds pinned (mcos_pin.c).  *writable: writable at every level.  Under proc_lock.
 */
static u64 mcos_map_walk(struct mcos_file *f, u64 addr, bool *writable)
{
	static const unsigned int shifts[] = { 39, 30, 21, 12 };
	u64 table = f->pml4, e = 0, size;
	bool w = true;
	unsigned int level;
	u64 *t;

	for (level = 0; level < ARRAY_SIZE(shifts); level++) {
		t = mcos_phys_in_os(f->os, table & PTE_PFN_MASK, PAGE_SIZE);
		if (!t)
			return 0;
		e = READ_ONCE(t[(addr >> shifts[level]) & 511]);
		if ((e & (_PAGE_PRESENT | _PAGE_USER)) != (_PAGE_PRESENT | _PAGE_USER))
			return 0;
		w = w && (e & _PAGE_RW);
		if (level == 3 || ((level == 1 || level == 2) && (e & _PAGE_PSE)))
			break;
		table = e;
	}
	size = 1ull << shifts[level];
	e = (e & PTE_PFN_MASK & ~(size - 1)) + (addr & (size - 1) & PAGE_MASK);
	if (!mcos_phys_in_os(f->os, e, PAGE_SIZE) && !mcos_pin_holds(f->lwk, e))
		return 0;
	*writable = w;
	return e;
}

/*
 * The LWK frame behind a page of the file's window, as the process's
 * tables say now: 0 unless the process lives and the page is mapped there.
 * *writable: the proxy may write it (any page before START, as the
 * program copied in; after START as the LWK allows).  Under proc_lock.
 */
static u64 mcos_map_frame(struct mcos_file *f, pgoff_t pgoff, bool *writable)
{
	u64 page = pgoff - f->map_base, phys;

	lockdep_assert_held(&f->os->proc_lock);
	if (!f->map_base || pgoff < f->map_base || page >= MCOS_MAP_RANGE_PAGES)
		return 0;
	if (!f->created || f->ending || mcos_proc_check(f))
		return 0;
	phys = mcos_map_walk(f, MCOS_USER_START + (page << PAGE_SHIFT), writable);
	if (!f->started)
		*writable = true;
	return phys;
}

static vm_fault_t mcos_map_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mcos_file *f = vma->vm_file->private_data;
	bool write = vmf->flags & FAULT_FLAG_WRITE, writable = false;
	pgprot_t prot = vma->vm_page_prot;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	u64 phys;

	mutex_lock(&f->os->proc_lock);
	phys = mcos_map_frame(f, vmf->pgoff, &writable);
	if (!phys || (write && !writable))
		goto out_unlock;
	if (!writable)
		prot = __pgprot(pgprot_val(prot) & ~_PAGE_RW);
	ret = vmf_insert_pfn_prot(vma, vmf->address & PAGE_MASK,
				  phys >> PAGE_SHIFT, prot);
out_unlock:
	mutex_unlock(&f->os->proc_lock);
	return ret;
}

/* A write to a page inserted read-only: allowed only if the LWK allows it. */
static vm_fault_t mcos_map_pfn_mkwrite(struct vm_fault *vmf)
{
	struct mcos_file *f = vmf->vma->vm_file->private_data;
	bool writable = false;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	mutex_lock(&f->os->proc_lock);
	if (mcos_map_frame(f, vmf->pgoff, &writable) && writable)
		ret = 0;
	mutex_unlock(&f->os->proc_lock);
	return ret;
}

/* The mapping stays where the process's addresses are: never moved. */
static int mcos_map_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct mcos_map_vm_ops = {
	.fault = mcos_map_fault,
	.pfn_mkwrite = mcos_map_pfn_mkwrite,
	.mremap = mcos_map_mremap,
};

/* ---- mmap ---- */

/* May this vma (the whole range, shared) map the file's process?  Under proc_lock. */
static int mcos_map_allowed(struct mcos_file *f, struct vm_area_struct *vma)
{
	if (!f->created || !f->alive || f->ending)
		return -ENOENT;
	if (vma->vm_pgoff != f->map_base)
		return -EINVAL;
	if (vma->vm_mm != f->mm)
		return -EACCES;
	return 0;
}

int mcos_map_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct mcos_file *f = filp->private_data;
	const vm_flags_t flags = VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTCOPY |
				 VM_DONTDUMP;
	int err;

	if (vma->vm_start != MCOS_USER_START || vma->vm_end != MCOS_USER_END ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&f->os->proc_lock);
	err = mcos_map_allowed(f, vma);
	mutex_unlock(&f->os->proc_lock);
	if (err)
		return err;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
	vma->vm_ops = &mcos_map_vm_ops;
	return 0;
}

/* ---- zap ---- */

/*
 * Drop every mapping, in every mm, of LWK addresses [start, end) of the
 * file's process.  Under proc_lock, so that a fault after it sees the
 * LWK's tables as they are now.
 */
void mcos_map_zap(struct mcos_file *f, u64 start, u64 end)
{
	pgoff_t first, last;

	lockdep_assert_held(&f->os->proc_lock);
	start = max_t(u64, start, MCOS_USER_START);
	end = min_t(u64, end, MCOS_USER_END);
	if (!f->map_base || start >= end)
		return;
	first = (start - MCOS_USER_START) >> PAGE_SHIFT;
	last = (end - MCOS_USER_START + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unmap_mapping_pages(f->filp->f_mapping, f->map_base + first, last - first, true);
}

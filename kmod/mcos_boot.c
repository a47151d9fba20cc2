// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_boot.c - starting and stopping an LWK on an instance's CPUs.
 *
 * Boot: the image (loaded at window offset 0) must be one PT_LOAD at
 * MCOS_LWK_BASE.  The boot block goes after it (mcos_abi.h), temporary
 * page tables (Linux pages) map the window onto the chunk list, the
 * trampoline (mcos_trampoline.c) is pointed at the entry, and the first CPU
 * gets INIT-SIPI-SIPI through the exported 'apic' driver.  Then the status
 * word the LWK writes is polled: STARTED (all its CPUs are in: the
 * trampoline goes back to Linux), READY (IKC area published: we check it
 * and ack on the master channel), RUNNING.  All bounded by 10 s; on failure
 * or PANIC every LWK CPU gets INIT, the kmsg tail goes to the kernel log
 * and the instance is left in PANIC with its reservations as they were.
 *
 * Shutdown: set 'shutdown' in the boot block, IPI every CPU (they mask
 * their LVTs and halt, counting themselves in nr_parked), wait up to 1 s,
 * then INIT each so that add_cpu() can take it back.
 *
 * Called under mcos_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/elf.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/topology.h>
#include <asm/apic.h>
#include <asm/tsc.h>

#include "mcos.h"

#define MCOS_BOOT_TIMEOUT	(10 * HZ)
#define MCOS_PARK_TIMEOUT	(HZ)

/* Kernel address of window offset [off, off + len), if inside one chunk. */
static void *mcos_win(struct mcos_os *os, u64 off, u64 len)
{
	struct mcos_chunk *c;
	u64 base = 0, bytes;

	list_for_each_entry(c, &os->chunks, os_link) {
		bytes = PAGE_SIZE << c->order;
		if (off >= base && off - base < bytes)
			return len <= bytes - (off - base) ?
				page_address(c->page) + (off - base) : NULL;
		base += bytes;
	}
	return NULL;
}

/* INIT (assert, de-assert): the CPU waits for a SIPI, whatever it ran. */
static void mcos_cpu_init_ipi(u32 apicid)
{
	mcos_ipi(apicid, APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT);
	mdelay(10);
	mcos_ipi(apicid, APIC_INT_LEVELTRIG | APIC_DM_INIT);
}

static void mcos_cpu_start(u32 apicid, u64 start_phys)
{
	int i;

	mcos_cpu_init_ipi(apicid);
	for (i = 0; i < 2; i++) {
		mcos_ipi(apicid, APIC_DM_STARTUP | (start_phys >> 12));
		udelay(300);
	}
}

/* ---- temporary page tables: the window onto the chunk list ---- */

static u64 *mcos_table_alloc(struct mcos_lwk *lwk, u64 *phys)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	list_add(&page->lru, &lwk->tables);
	*phys = page_to_phys(page);
	return page_address(page);
}

static void mcos_tables_free(struct mcos_lwk *lwk)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &lwk->tables, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/* x86-64 tables like Linux's own: every entry present and writable. */
#define MCOS_WINDOW_PTE	(_PAGE_PRESENT | _PAGE_RW)

static int mcos_tables_build(struct mcos_os *os, struct mcos_lwk *lwk)
{
	u64 *pdpt, *pd, *pt, virt = MCOS_LWK_BASE, tphys;
	struct mcos_chunk *c;
	u64 p, end;

	pdpt = mcos_table_alloc(lwk, &lwk->pdpt_phys);
	if (!pdpt)
		return -ENOMEM;
	list_for_each_entry(c, &os->chunks, os_link) {
		p = page_to_phys(c->page);
		end = p + (PAGE_SIZE << c->order);
		while (p < end) {
			unsigned int i3 = (virt >> 30) & 511, i2 = (virt >> 21) & 511;

			if (!pdpt[i3]) {
				if (!mcos_table_alloc(lwk, &tphys))
					return -ENOMEM;
				pdpt[i3] = tphys | MCOS_WINDOW_PTE;
			}
			pd = phys_to_virt(pdpt[i3] & PTE_PFN_MASK);
			if (!(virt & (SZ_2M - 1)) && !(p & (SZ_2M - 1)) && end - p >= SZ_2M) {
				pd[i2] = p | MCOS_WINDOW_PTE | _PAGE_PSE;
				p += SZ_2M;
				virt += SZ_2M;
				continue;
			}
			if (!pd[i2]) {
				if (!mcos_table_alloc(lwk, &tphys))
					return -ENOMEM;
				pd[i2] = tphys | MCOS_WINDOW_PTE;
			}
			pt = phys_to_virt(pd[i2] & PTE_PFN_MASK);
			pt[(virt >> 12) & 511] = p | MCOS_WINDOW_PTE;
			p += PAGE_SIZE;
			virt += PAGE_SIZE;
		}
	}
	return 0;
}

/* ---- the image and the boot block ---- */

/* Window offset where the boot block goes, or an error for a non-LWK image. */
static int mcos_image_layout(struct mcos_os *os, u64 *boot_off)
{
	const Elf64_Ehdr *eh = mcos_win(os, 0, PAGE_SIZE);
	const Elf64_Phdr *ph;
	int i, loads = 0;
	u64 end = 0;

	if (!eh || eh->e_phoff + (u64)eh->e_phnum * sizeof(*ph) > PAGE_SIZE)
		return -ENOEXEC;
	ph = (const void *)eh + eh->e_phoff;
	for (i = 0; i < eh->e_phnum; i++, ph++) {
		if (ph->p_type != PT_LOAD)
			continue;
		loads++;
		if (ph->p_offset || ph->p_vaddr != MCOS_LWK_BASE)
			return -ENOEXEC;
		end = ph->p_memsz;
	}
	if (loads != 1 || eh->e_entry < MCOS_LWK_BASE || eh->e_entry >= MCOS_LWK_BASE + end)
		return -ENOEXEC;
	*boot_off = round_up(end, PAGE_SIZE);
	return 0;
}

/* Counts and table offsets of the boot block; -E2BIG if they do not fit. */
static int mcos_boot_block_layout(struct mcos_os *os, struct mcos_boot_block *bb)
{
	u64 off = sizeof(*bb);
	struct mcos_chunk *c;

	bb->nr_cpus = cpumask_weight(os->cpus);
	list_for_each_entry(c, &os->chunks, os_link)
		bb->nr_chunks++;
	bb->nr_nodes = nr_node_ids;
	bb->kargs_len = os->kargs_len;

	bb->cpus_off = off;
	off += bb->nr_cpus * sizeof(struct mcos_boot_cpu);
	bb->chunks_off = off;
	off += bb->nr_chunks * sizeof(struct mcos_boot_chunk);
	bb->distance_off = off;
	off += bb->nr_nodes * bb->nr_nodes * sizeof(u32);
	bb->kargs_off = off;
	off += bb->kargs_len;
	if (off > MCOS_BOOT_AREA_SIZE)
		return -E2BIG;
	bb->size = off;
	return 0;
}

/* LWK CPU i is the i-th CPU of the instance; [0] boots first. */
static void mcos_boot_cpus_fill(struct mcos_os *os, struct mcos_lwk *lwk)
{
	struct mcos_boot_cpu *cpus = (void *)lwk->bb + lwk->bb->cpus_off;
	unsigned int cpu, n = 0;

	for_each_cpu(cpu, os->cpus) {
		cpus[n].apic_id = cpu_physical_id(cpu);
		cpus[n].node = cpu_to_node(cpu);
		cpus[n].linux_cpu = cpu;
		lwk->apic_ids[n] = cpus[n].apic_id;
		n++;
	}
}

/* The chunks in window order, and the SLIT distances between nodes. */
static void mcos_boot_memory_fill(struct mcos_os *os, struct mcos_boot_block *bb)
{
	struct mcos_boot_chunk *chunks = (void *)bb + bb->chunks_off;
	u32 *dist = (void *)bb + bb->distance_off, nodes = bb->nr_nodes, a, b;
	struct mcos_chunk *c;
	unsigned int n = 0;

	list_for_each_entry(c, &os->chunks, os_link) {
		chunks[n].phys = page_to_phys(c->page);
		chunks[n].bytes = PAGE_SIZE << c->order;
		chunks[n++].node = c->nid;
	}
	for (a = 0; a < nodes; a++)
		for (b = 0; b < nodes; b++)
			dist[a * nodes + b] = node_distance(a, b);
}

static int mcos_boot_block_fill(struct mcos_os *os, struct mcos_lwk *lwk)
{
	struct mcos_boot_block *bb = lwk->bb;
	int err;

	memset(bb, 0, MCOS_BOOT_AREA_SIZE);
	bb->magic = MCOS_BOOT_MAGIC;
	bb->version = MCOS_BOOT_BLOCK_VERSION;
	err = mcos_boot_block_layout(os, bb);
	if (err)
		return err;
	mcos_boot_cpus_fill(os, lwk);
	mcos_boot_memory_fill(os, bb);
	if (os->kargs_len)
		memcpy((void *)bb + bb->kargs_off, os->kargs, os->kargs_len);
	bb->kmsg_phys = virt_to_phys(os->kmsg.ring);
	bb->tsc_khz = tsc_khz;
	bb->free_off = lwk->boot_off + MCOS_BOOT_AREA_SIZE;
	bb->trampoline_phys = mcos_tramp_start_phys();
	bb->tramp_lock_phys = mcos_tramp_lock_phys();
	return 0;
}

static u32 mcos_lwk_status(struct mcos_lwk *lwk)
{
	return smp_load_acquire(&lwk->bb->status);
}

static void mcos_lwk_free(struct mcos_lwk *lwk)
{
	mcos_pin_release_all(lwk);	/* its CPUs are stopped, or never ran */
	mcos_tables_free(lwk);
	bitmap_free(lwk->busy);
	kfree(lwk->sleepers);
	kfree(lwk);
}

/* Boot block and temporary tables for a boot; no CPU runs them yet. */
static struct mcos_lwk *mcos_lwk_prepare(struct mcos_os *os, u64 boot_off)
{
	unsigned int nr_cpus = cpumask_weight(os->cpus);
	struct mcos_lwk *lwk;
	int err = -ENOMEM;

	lwk = kzalloc(struct_size(lwk, apic_ids, nr_cpus), GFP_KERNEL);
	if (!lwk)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&lwk->tables);
	INIT_LIST_HEAD(&lwk->notify_link);
	mcos_pin_init(lwk);
	lwk->nr_cpus = nr_cpus;
	lwk->nr_contexts = nr_cpus;
	lwk->boot_off = boot_off;
	lwk->busy = bitmap_zalloc(nr_cpus * MCOS_MAX_CONTEXTS_PER_CPU, GFP_KERNEL);
	lwk->sleepers = kcalloc(nr_cpus * MCOS_MAX_CONTEXTS_PER_CPU, sizeof(*lwk->sleepers), GFP_KERNEL);
	if (!lwk->busy || !lwk->sleepers)
		goto err_free;
	err = -ENOSPC;
	lwk->bb = mcos_win(os, boot_off, MCOS_BOOT_AREA_SIZE);
	if (!lwk->bb)
		goto err_free;
	err = mcos_boot_block_fill(os, lwk);
	if (err)
		goto err_free;
	err = mcos_tables_build(os, lwk);
	if (err)
		goto err_free;
	return lwk;

err_free:
	mcos_lwk_free(lwk);
	return ERR_PTR(err);
}

/* Ask every LWK CPU to park (mask its LVTs, halt) and wait a bounded time. */
static void mcos_lwk_park(struct mcos_lwk *lwk)
{
	unsigned long deadline = jiffies + MCOS_PARK_TIMEOUT;
	u32 cpu;

	WRITE_ONCE(lwk->bb->shutdown, 1);
	for (cpu = 0; cpu < lwk->nr_cpus; cpu++)
		mcos_ikc_notify(lwk, cpu);
	while (READ_ONCE(lwk->bb->nr_parked) < lwk->nr_cpus &&
	       time_before(jiffies, deadline))
		msleep(5);
}

/* Stop every LWK CPU (INIT) and forget the boot state. */
static void mcos_lwk_teardown(struct mcos_os *os, bool park)
{
	struct mcos_lwk *lwk = os->lwk;
	u32 cpu;

	if (!lwk)
		return;
	/* Its interrupt first: the handler must not see the programs' files go. */
	mcos_notify_detach(lwk);
	/* Programs next: their proxies' mappings go, their calls fail. */
	mcos_proc_end_all(os);
	if (park)
		mcos_lwk_park(lwk);
	for (cpu = 0; cpu < lwk->nr_cpus; cpu++)
		mcos_cpu_init_ipi(lwk->apic_ids[cpu]);
	mcos_tramp_restore();
	mcos_lwk_free(lwk);
	os->lwk = NULL;
}

/* Print the last lines of the instance's kmsg to the kernel log. */
static void mcos_kmsg_to_log(struct mcos_os *os)
{
	char *buf = kmalloc(2048, GFP_KERNEL), *line, *p;

	if (!buf)
		return;
	mcos_kmsg_tail(&os->kmsg, buf, 2048);
	p = buf;
	while ((line = strsep(&p, "\n")))
		if (*line)
			pr_err("%s: kmsg: %s\n", os->name, line);
	kfree(buf);
}

/* Why this instance cannot boot (said in its kmsg); 0 if it can. */
static int mcos_boot_refusal(struct mcos_os *os, u64 *boot_off)
{
	const char *refusal = mcos_tramp_refusal();

	if (refusal) {
		mcos_kmsg_printf(&os->kmsg, "mcos: boot refused: %s\n", refusal);
		return -EOPNOTSUPP;
	}
	if (mcos_image_layout(os, boot_off)) {
		mcos_kmsg_printf(&os->kmsg, "mcos: boot refused: not an LWK image (one PT_LOAD at offset 0, address %#llx, expected)\n",
				 MCOS_LWK_BASE);
		return -ENOEXEC;
	}
	if (*boot_off + MCOS_BOOT_AREA_SIZE + SZ_4M > os->mem_bytes) {
		mcos_kmsg_printf(&os->kmsg, "mcos: boot refused: %llu bytes of memory are too few for this image\n",
				 os->mem_bytes);
		return -ENOSPC;
	}
	return 0;
}

static void mcos_boot_running(struct mcos_os *os)
{
	mcos_tables_free(os->lwk);
	WRITE_ONCE(os->running_since, ktime_get_ns());
	smp_wmb();	/* for STATUS without the lock */
	WRITE_ONCE(os->state, MCOS_OS_RUNNING);
	pr_info("%s: LWK running on %u CPUs\n", os->name, os->lwk->nr_cpus);
}

/* Stop the CPUs first, then tell. */
static void mcos_boot_failed(struct mcos_os *os, const char *why, u32 status)
{
	mcos_lwk_teardown(os, false);
	os->state = MCOS_OS_PANIC;
	mcos_kmsg_printf(&os->kmsg, "mcos: boot failed (%s, status %u)\n", why, status);
	pr_err("%s: LWK boot failed (%s, status %u); kmsg tail:\n", os->name, why, status);
	mcos_kmsg_to_log(os);
}

/* Follow the status word the LWK writes up to RUNNING, 10 s at most. */
static int mcos_boot_wait(struct mcos_os *os)
{
	unsigned long deadline = jiffies + MCOS_BOOT_TIMEOUT;
	struct mcos_lwk *lwk = os->lwk;
	const char *why = "timed out";
	u32 status = 0;

	while (time_before(jiffies, deadline)) {
		status = mcos_lwk_status(lwk);
		if (status == MCOS_BOOT_PANIC) {
			why = "LWK panicked";
			break;
		}
		if (status >= MCOS_BOOT_STARTED)
			mcos_tramp_restore();	/* all LWK CPUs are in */
		if (status == MCOS_BOOT_READY && !lwk->ikc &&
		    mcos_ikc_connect(os, lwk)) {
			why = "bad IKC area";
			break;
		}
		if (status == MCOS_BOOT_RUNNING && lwk->ikc) {
			mcos_boot_running(os);
			return 0;
		}
		msleep(10);
	}
	mcos_boot_failed(os, why, status);
	return status == MCOS_BOOT_PANIC ? -EIO : -ETIMEDOUT;
}

int mcos_boot(struct mcos_os *os)
{
	struct mcos_lwk *lwk;
	u64 boot_off;
	int err;

	err = mcos_boot_refusal(os, &boot_off);
	if (err)
		return err;
	lwk = mcos_lwk_prepare(os, boot_off);
	if (IS_ERR(lwk))
		return PTR_ERR(lwk);
	err = mcos_tramp_claim(os->entry, lwk->pdpt_phys);
	if (err)
		goto err_free;

	os->lwk = lwk;
	WRITE_ONCE(os->state, MCOS_OS_BOOTING);
	mcos_kmsg_printf(&os->kmsg, "mcos: booting on %u CPUs, %llu bytes, boot block at window offset %#llx\n",
			 lwk->nr_cpus, os->mem_bytes, boot_off);
	/* From here until the CPUs are stopped, only the LWK writes kmsg. */
	mcos_cpu_start(lwk->apic_ids[0], mcos_tramp_start_phys());
	return mcos_boot_wait(os);

err_free:
	mcos_lwk_free(lwk);
	return err;
}

/* STATUS: an LWK that panicked after boot is PANIC. */
void mcos_boot_poll(struct mcos_os *os)
{
	if (os->state == MCOS_OS_RUNNING && os->lwk &&
	    mcos_lwk_status(os->lwk) == MCOS_BOOT_PANIC)
		os->state = MCOS_OS_PANIC;
}

/* The LWK to talk to over IKC: RUNNING, not panicked; NULL if none. */
struct mcos_lwk *mcos_boot_connected(struct mcos_os *os)
{
	mcos_boot_poll(os);
	if (os->state != MCOS_OS_RUNNING || !os->lwk || !os->lwk->ikc)
		return NULL;
	return os->lwk;
}

/* SHUTDOWN (and destroy/unload of a running instance): park, INIT. */
void mcos_boot_stop(struct mcos_os *os)
{
	bool park = os->state == MCOS_OS_RUNNING && os->lwk &&
		    mcos_lwk_status(os->lwk) == MCOS_BOOT_RUNNING;

	mcos_lwk_teardown(os, park);
}

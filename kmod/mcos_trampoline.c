// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_trampoline.c - the one place where mcos.ko goes beyond exported APIs.
 *
 * Why: an LWK CPU is started with INIT-SIPI-SIPI, and the SIPI start page
 * must lie below 1 MiB.  Since Linux 5.13 the whole first MiB is reserved at
 * boot, so a module cannot get a page there; Linux's own real-mode
 * trampoline (the code every AP runs at start-up) is the only one.  Like
 * the Pisces co-kernel, we borrow it for the LWK's start-up:
 *
 *  - its address comes from 'real_mode_header', a kernel variable that is
 *    not exported.  We do not look symbols up from the module: user space
 *    reads the address from /proc/kallsyms (root) and passes it as the
 *    module parameter real_mode_header=0x...; it is checked here at load
 *    time (it must point to a pointer to a plausible real_mode_header whose
 *    trampoline lies below 1 MiB, in Linux's direct map);
 *  - the trampoline ends in 64-bit mode with CR3 = trampoline_pgd and jumps
 *    to trampoline_header->start.  We point 'start' at the LWK's entry and
 *    hang the LWK's window (PML4 slot 255, empty in trampoline_pgd, which
 *    holds only slot 0 and the kernel half) on our temporary tables, all
 *    under cpu_hotplug_disable() so that Linux starts no CPU meanwhile, and
 *    restore both as soon as the LWK reports STARTED (all its CPUs are in);
 *  - since 6.5 the trampoline takes trampoline_header->lock (parallel CPU
 *    bring-up) and only Linux's own AP code releases it: the LWK clears it
 *    when each of its CPUs is in, and we clear it again when we restore (a
 *    lock left held would make the next add_cpu() fail after 10 s);
 *  - 5-level paging (LA57) would need one more table level between
 *    trampoline_pgd and our tables: refused.
 *
 * If anything does not check out, boot is refused with the reason (shown in
 * the kernel log at load and in the instance's kmsg at boot); everything
 * else the module does keeps working.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <asm/msr-index.h>
#include <asm/pgtable.h>
#include <asm/processor-flags.h>
#include <asm/realmode.h>

#include "mcos.h"

static unsigned long real_mode_header_addr;
module_param_named(real_mode_header, real_mode_header_addr, ulong, 0400);
MODULE_PARM_DESC(real_mode_header,
	"address of the kernel's real_mode_header variable, from /proc/kallsyms (enables LWK boot)");

#define MCOS_LWK_PGD_SLOT	255	/* pgd_index(MCOS_LWK_BASE) with 4 levels */

static const char *tramp_refusal = "not checked";
static struct trampoline_header *tramp_header;
static u64 *tramp_pgd;
static u64 tramp_start_phys;
static u64 saved_start, saved_slot;
static bool claimed;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define MCOS_TRAMP_HAS_LOCK 1
static u32 *tramp_lock(void) { return &tramp_header->lock; }
#else
#define MCOS_TRAMP_HAS_LOCK 0
static u32 *tramp_lock(void) { return NULL; }
#endif

static bool below_1m(u32 phys, u32 len)
{
	return phys && phys < SZ_1M && len <= SZ_1M - phys;
}

/* At module load: is Linux's trampoline usable?  Sets the refusal reason. */
void mcos_tramp_init(void)
{
	struct real_mode_header rmh, *rmhp;
	struct trampoline_header th;

	tramp_header = NULL;
	if (!real_mode_header_addr) {
		tramp_refusal = "real_mode_header address not given (insmod mcos.ko real_mode_header=0x<address from /proc/kallsyms>)";
		goto refuse;
	}
	if (pgtable_l5_enabled()) {
		tramp_refusal = "5-level paging (LA57) is on; the LWK start-up handles 4-level paging only";
		goto refuse;
	}
	if (!virt_addr_valid((void *)real_mode_header_addr) ||
	    copy_from_kernel_nofault(&rmhp, (void *)real_mode_header_addr, sizeof(rmhp))) {
		tramp_refusal = "real_mode_header address is not readable kernel memory";
		goto refuse;
	}
	if (!virt_addr_valid(rmhp) || !PAGE_ALIGNED(rmhp) || __pa(rmhp) >= SZ_1M ||
	    copy_from_kernel_nofault(&rmh, rmhp, sizeof(rmh))) {
		tramp_refusal = "real_mode_header does not point below 1 MiB: wrong address?";
		goto refuse;
	}
	if (rmh.text_start < __pa(rmhp) || rmh.text_start >= SZ_1M ||
	    !below_1m(rmh.trampoline_start, PAGE_SIZE) || !PAGE_ALIGNED(rmh.trampoline_start) ||
	    !below_1m(rmh.trampoline_header, sizeof(th)) ||
	    !below_1m(rmh.trampoline_pgd, PAGE_SIZE) || !PAGE_ALIGNED(rmh.trampoline_pgd) ||
	    rmh.trampoline_start < rmh.text_start) {
		tramp_refusal = "real_mode_header fields are not a trampoline below 1 MiB";
		pr_info("real_mode_header at %#llx: text %#x trampoline %#x header %#x pgd %#x\n",
			(u64)__pa(rmhp), rmh.text_start, rmh.trampoline_start,
			rmh.trampoline_header, rmh.trampoline_pgd);
		goto refuse;
	}
	th = *(struct trampoline_header *)__va(rmh.trampoline_header);
	if (!(th.efer & EFER_LME) || !(th.cr4 & X86_CR4_PAE) || !th.start) {
		tramp_refusal = "trampoline_header does not enter long mode";
		goto refuse;
	}
	tramp_pgd = __va(rmh.trampoline_pgd);
	if (READ_ONCE(tramp_pgd[MCOS_LWK_PGD_SLOT])) {
		tramp_refusal = "trampoline_pgd slot 255 is in use";
		goto refuse;
	}
	tramp_header = __va(rmh.trampoline_header);
	tramp_start_phys = rmh.trampoline_start;
	tramp_refusal = NULL;
	pr_info("LWK boot through Linux's trampoline at %#llx%s\n",
		tramp_start_phys, MCOS_TRAMP_HAS_LOCK ? " (with its lock)" : "");
	return;
refuse:
	pr_info("LWK boot unavailable: %s\n", tramp_refusal);
}

const char *mcos_tramp_refusal(void)
{
	return tramp_refusal;
}

u64 mcos_tramp_start_phys(void)
{
	return tramp_start_phys;
}

u64 mcos_tramp_lock_phys(void)
{
	u32 *lock = tramp_lock();

	return lock ? __pa(lock) : 0;
}

/*
 * Point the trampoline at the LWK: 'entry' (a window address) through the
 * page-directory-pointer table at 'pdpt_phys'.  Holds CPU hotplug off until
 * mcos_tramp_restore().
 */
int mcos_tramp_claim(u64 entry, u64 pdpt_phys)
{
	u32 *lock = tramp_lock();

	if (tramp_refusal || claimed)
		return -EOPNOTSUPP;
	cpu_hotplug_disable();
	if (lock && READ_ONCE(*lock)) {
		cpu_hotplug_enable();
		return -EBUSY;	/* a CPU is in the trampoline right now */
	}
	saved_start = tramp_header->start;
	saved_slot = READ_ONCE(tramp_pgd[MCOS_LWK_PGD_SLOT]);
	WRITE_ONCE(tramp_pgd[MCOS_LWK_PGD_SLOT], pdpt_phys | _PAGE_PRESENT | _PAGE_RW);
	WRITE_ONCE(tramp_header->start, entry);
	claimed = true;
	return 0;
}

/* Give the trampoline back to Linux; no LWK CPU may be in it any more. */
void mcos_tramp_restore(void)
{
	u32 *lock = tramp_lock();

	if (!claimed)
		return;
	WRITE_ONCE(tramp_header->start, saved_start);
	WRITE_ONCE(tramp_pgd[MCOS_LWK_PGD_SLOT], saved_slot);
	if (lock)
		WRITE_ONCE(*lock, 0);
	claimed = false;
	cpu_hotplug_enable();
}

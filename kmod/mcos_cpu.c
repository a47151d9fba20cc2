// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_cpu.c - taking CPUs from Linux and giving them back.
 *
 * A CPU is taken with remove_cpu() (Linux offlines it: its tasks, timers
 * and interrupts move away and it parks in play_dead) and given back with
 * add_cpu().  Both are exported (GPL) since 5.7.  All calls run under
 * mcos_lock.
 *
 * While the module holds a CPU, Linux must not bring it up behind its back
 * (sysfs 'online', SMT control set to on): it may be running an LWK.  A
 * CPU hotplug state early in bring-up refuses every CPU of mcos_held with
 * -EBUSY; the module takes a CPU out of it just before its own add_cpu().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/uaccess.h>
#include <asm/smp.h>

#include "mcos.h"

static cpumask_var_t mcos_reserved;
static struct cpumask mcos_held;	/* read by the hotplug callback */
static int mcos_cpu_guard_state;

/* CPU hotplug, before a CPU comes up: not one the module holds. */
static int mcos_cpu_guard(unsigned int cpu)
{
	if (cpumask_test_cpu(cpu, &mcos_held)) {
		pr_info_ratelimited("CPU %u is held by mcos: release it through the module\n", cpu);
		return -EBUSY;
	}
	return 0;
}

/* Online through the module: the guard lets this one CPU through. */
static int mcos_cpu_add(unsigned int cpu)
{
	int err;

	cpumask_clear_cpu(cpu, &mcos_held);
	err = add_cpu(cpu);
	if (err)
		cpumask_set_cpu(cpu, &mcos_held);
	return err;
}

int mcos_cpu_init(void)
{
	int state;

	if (!zalloc_cpumask_var(&mcos_reserved, GFP_KERNEL))
		return -ENOMEM;
	state = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "mcos:held",
					  mcos_cpu_guard, NULL);
	if (state < 0) {
		free_cpumask_var(mcos_reserved);
		return state;
	}
	mcos_cpu_guard_state = state;
	return 0;
}

/* Give every reserved CPU back (module unload). */
void mcos_cpu_exit(void)
{
	mcos_cpu_release(mcos_reserved);
	cpuhp_remove_state_nocalls(mcos_cpu_guard_state);
	free_cpumask_var(mcos_reserved);
}

/*
 * Turn a user list into a mask.  Numbers must be possible CPUs, without
 * duplicates.  With MCOS_F_ALL (where allowed) the mask is every reserved
 * CPU.
 */
int mcos_cpu_list_get(const struct mcos_cpu_list *l, struct cpumask *mask,
		      bool all_allowed)
{
	const u32 __user *ucpus = u64_to_user_ptr(l->cpus_ptr);
	u32 i, cpu;

	if (l->reserved0 || (l->flags & ~MCOS_F_ALL))
		return -EINVAL;
	if (l->flags & MCOS_F_ALL) {
		if (!all_allowed || l->count || l->cpus_ptr)
			return -EINVAL;
		cpumask_copy(mask, mcos_reserved);
		return 0;
	}
	if (!l->count || l->count > nr_cpu_ids)
		return -EINVAL;

	cpumask_clear(mask);
	for (i = 0; i < l->count; i++) {
		if (get_user(cpu, ucpus + i))
			return -EFAULT;
		if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
			return -EINVAL;
		if (cpumask_test_and_set_cpu(cpu, mask))
			return -EINVAL;	/* duplicate */
	}
	return 0;
}

/* The same as a new mask; the caller frees it with free_cpumask_var(). */
int mcos_cpu_list_to_mask(const struct mcos_cpu_list *l, cpumask_var_t *mask,
			  bool all_allowed)
{
	int err;

	if (!zalloc_cpumask_var(mask, GFP_KERNEL))
		return -ENOMEM;
	err = mcos_cpu_list_get(l, *mask, all_allowed);
	if (err)
		free_cpumask_var(*mask);
	return err;
}

/* Offline every CPU of mask, or none: on failure re-online in reverse. */
int mcos_cpu_reserve(const struct cpumask *mask)
{
	unsigned int cpu;
	int err = 0, c;

	for_each_cpu(cpu, mask) {
		if (cpu == 0)
			return -EINVAL;	/* x86 cannot give up CPU 0 */
		if (cpumask_test_cpu(cpu, mcos_reserved))
			return -EBUSY;
		if (!cpu_online(cpu))
			return -EBUSY;	/* offline, but not ours */
	}

	for_each_cpu(cpu, mask) {
		cpumask_set_cpu(cpu, &mcos_held);	/* before Linux lets go of it */
		err = remove_cpu(cpu);
		if (err) {
			cpumask_clear_cpu(cpu, &mcos_held);
			break;
		}
		cpumask_set_cpu(cpu, mcos_reserved);
	}
	if (!err) {
		pr_info("reserved CPUs %*pbl\n", cpumask_pr_args(mask));
		return 0;
	}

	pr_warn("remove_cpu(%u) failed: %d\n", cpu, err);
	for (c = (int)cpu - 1; c >= 0; c--) {
		if (!cpumask_test_cpu(c, mask))
			continue;
		if (mcos_cpu_add(c))
			pr_err("CPU %d could not be brought back\n", c);
		else
			cpumask_clear_cpu(c, mcos_reserved);
	}
	return err;
}

/*
 * Online the CPUs of mask.  Each must be reserved and not assigned to an
 * instance.  A CPU that add_cpu() refuses stays reserved; the first error
 * is returned after trying all of them.
 */
int mcos_cpu_release(const struct cpumask *mask)
{
	unsigned int cpu;
	int err = 0, ret;

	for_each_cpu(cpu, mask) {
		if (!cpumask_test_cpu(cpu, mcos_reserved))
			return -EINVAL;
		if (mcos_os_of_cpu(cpu) >= 0)
			return -EBUSY;
	}

	for_each_cpu(cpu, mask) {
		ret = cpu_online(cpu) ? 0 : mcos_cpu_add(cpu);
		if (ret) {
			pr_err("add_cpu(%u) failed: %d\n", cpu, ret);
			if (!err)
				err = ret;
			continue;
		}
		cpumask_clear_cpu(cpu, &mcos_held);
		cpumask_clear_cpu(cpu, mcos_reserved);
	}
	return err;
}

bool mcos_cpu_is_reserved(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpumask_test_cpu(cpu, mcos_reserved);
}

unsigned int mcos_cpu_count(void)
{
	return cpumask_weight(mcos_reserved);
}

/* The first 'capacity' reserved CPUs into info; returns how many are reserved. */
u32 mcos_cpu_snapshot(struct mcos_cpu_info *info, u32 capacity)
{
	unsigned int cpu;
	u32 n = 0;

	for_each_cpu(cpu, mcos_reserved) {
		if (n < capacity)
			info[n] = (struct mcos_cpu_info){
				.cpu = cpu,
				.apic_id = cpu_physical_id(cpu),
				.node = cpu_to_node(cpu),
				.os = mcos_os_of_cpu(cpu),
			};
		n++;
	}
	return n;
}

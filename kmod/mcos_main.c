// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_main.c - module entry, /dev/mcos-ctl and its ioctls, and the
 * reboot notifier.
 *
 * /dev/mcos-ctl reserves and releases CPUs and memory and creates and
 * destroys OS instances.  Queries are open to anyone; everything that
 * changes state needs CAP_SYS_ADMIN.  A query takes mcos_lock only to
 * copy what it reports into kernel memory, and copies to and from the
 * caller outside it: a user page that never comes (userfaultfd, FUSE)
 * stalls that caller alone.  Physical addresses are for CAP_SYS_ADMIN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/reboot.h>
#include <linux/slab.h>

#include "mcos.h"

DEFINE_MUTEX(mcos_lock);

/* ---- queries: a snapshot under mcos_lock, the copies outside ---- */

static int mcos_ctl_lock(void)
{
	return mutex_lock_interruptible(&mcos_lock) ? -ERESTARTSYS : 0;
}

static long mcos_ctl_info(struct file *file, void __user *uarg)
{
	struct mcos_info info = {
		.size = sizeof(info),
		.abi_version = MCOS_ABI_VERSION,
		.nr_cpu_ids = nr_cpu_ids,
		.nr_node_ids = nr_node_ids,
		.max_os = MCOS_MAX_OS,
	};
	int err;

	err = mcos_ctl_lock();
	if (err)
		return err;
	info.nr_os = mcos_os_count();
	info.nr_reserved_cpus = mcos_cpu_count();
	info.reserved_bytes = mcos_mem_reserved_bytes();
	mutex_unlock(&mcos_lock);
	return mcos_put_arg(uarg, &info, sizeof(info));
}

/* RESERVE_CPUS and RELEASE_CPUS (which also takes MCOS_F_ALL). */
static long mcos_ctl_cpus(void __user *uarg, bool reserve)
{
	struct mcos_cpu_list l;
	cpumask_var_t mask;
	int err;

	err = mcos_get_arg(&l, uarg, sizeof(l));
	if (err)
		return err;
	err = mcos_cpu_list_to_mask(&l, &mask, !reserve);
	if (err)
		return err;
	err = reserve ? mcos_cpu_reserve(mask) : mcos_cpu_release(mask);
	free_cpumask_var(mask);
	return err;
}

static long mcos_ctl_reserve_cpus(struct file *file, void __user *uarg)
{
	return mcos_ctl_cpus(uarg, true);
}

static long mcos_ctl_release_cpus(struct file *file, void __user *uarg)
{
	return mcos_ctl_cpus(uarg, false);
}

static long mcos_ctl_query_cpus(struct file *file, void __user *uarg)
{
	struct mcos_cpu_info *info;
	struct mcos_cpu_query q;
	int err;

	err = mcos_get_arg(&q, uarg, sizeof(q));
	if (err)
		return err;
	if (q.reserved0 || q.capacity > nr_cpu_ids)
		return -EINVAL;
	info = kcalloc(max(q.capacity, 1u), sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	err = mcos_ctl_lock();
	if (err)
		goto out_free;
	q.total = mcos_cpu_snapshot(info, q.capacity);
	mutex_unlock(&mcos_lock);
	err = mcos_put_array(q.info_ptr, info, min(q.total, q.capacity), sizeof(*info));
	if (!err)
		err = mcos_put_arg(uarg, &q, sizeof(q));
out_free:
	kfree(info);
	return err;
}

static long mcos_ctl_reserve_mem(struct file *file, void __user *uarg)
{
	struct mcos_mem_request r;
	int err, perr;

	err = mcos_get_arg(&r, uarg, sizeof(r));
	if (err)
		return err;
	err = mcos_mem_reserve(&r);
	if (err && err != -ENOMEM && err != -EINTR)
		return err;
	/*
	 * 'obtained' is reported on failure too.  If the caller cannot learn
	 * of the chunks, they stay in the pool, where query and release find
	 * them.
	 */
	perr = mcos_put_arg(uarg, &r, sizeof(r));
	return err ? err : perr;
}

static long mcos_ctl_release_mem(struct file *file, void __user *uarg)
{
	struct mcos_mem_release r;
	int err;

	err = mcos_get_arg(&r, uarg, sizeof(r));
	if (err)
		return err;
	err = mcos_mem_release(&r);
	if (err)
		return err;
	return mcos_put_arg(uarg, &r, sizeof(r));
}

static long mcos_ctl_query_mem(struct file *file, void __user *uarg)
{
	struct mcos_mem_chunk *chunks;
	struct mcos_mem_query q;
	u32 count, i;
	int err;

	err = mcos_get_arg(&q, uarg, sizeof(q));
	if (err)
		return err;
	err = mcos_ctl_lock();
	if (err)
		return err;
	err = mcos_mem_snapshot(&q, &chunks, &count);
	mutex_unlock(&mcos_lock);
	if (err)
		return err;
	if (!capable(CAP_SYS_ADMIN))
		for (i = 0; i < count; i++)
			chunks[i].phys = 0;
	err = mcos_put_array(q.chunks_ptr, chunks, count, sizeof(*chunks));
	if (!err)
		err = mcos_put_arg(uarg, &q, sizeof(q));
	kvfree(chunks);
	return err;
}

static long mcos_ctl_query_node(struct file *file, void __user *uarg)
{
	struct mcos_node_info n;
	int err;

	err = mcos_get_arg(&n, uarg, sizeof(n));
	if (err)
		return err;
	err = mcos_ctl_lock();
	if (err)
		return err;
	err = mcos_mem_node_info(&n);
	mutex_unlock(&mcos_lock);
	if (err)
		return err;
	return mcos_put_arg(uarg, &n, sizeof(n));
}

/* ---- changes, each under mcos_lock (the table says so) ---- */

static long mcos_ctl_create(struct file *file, void __user *uarg)
{
	return mcos_os_create();
}

static long mcos_ctl_destroy(struct file *file, void __user *uarg)
{
	struct mcos_os_id id;
	int err;

	err = mcos_get_arg(&id, uarg, sizeof(id));
	if (err)
		return err;
	return mcos_os_destroy(id.index);
}

static const struct mcos_ioctl mcos_ctl_ioctls[] = {
	{ MCOS_IOC_GET_INFO,	 mcos_ctl_info,		MCOS_ANYONE, MCOS_LOCK_NONE },
	{ MCOS_IOC_QUERY_CPUS,	 mcos_ctl_query_cpus,	MCOS_ANYONE, MCOS_LOCK_NONE },
	{ MCOS_IOC_QUERY_MEM,	 mcos_ctl_query_mem,	MCOS_ANYONE, MCOS_LOCK_NONE },
	{ MCOS_IOC_QUERY_NODE,	 mcos_ctl_query_node,	MCOS_ANYONE, MCOS_LOCK_NONE },
	{ MCOS_IOC_RESERVE_CPUS, mcos_ctl_reserve_cpus,	MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_RELEASE_CPUS, mcos_ctl_release_cpus,	MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_RESERVE_MEM,	 mcos_ctl_reserve_mem,	MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_RELEASE_MEM,	 mcos_ctl_release_mem,	MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_CREATE_OS,	 mcos_ctl_create,	MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_DESTROY_OS,	 mcos_ctl_destroy,	MCOS_ADMIN,  MCOS_LOCK_MODULE },
};

static const struct mcos_ioctl_table mcos_ctl_ioctl_table = {
	.ioctls = mcos_ctl_ioctls,
	.count = ARRAY_SIZE(mcos_ctl_ioctls),
};

static long mcos_ctl_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	return mcos_ioctl_dispatch(&mcos_ctl_ioctl_table, file, cmd, arg);
}

static const struct file_operations mcos_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mcos_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mcos_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mcos-ctl",
	.fops = &mcos_ctl_fops,
	.mode = 0644,
};

/*
 * Reboot, halt, power off, kexec (its restart runs this chain too): no
 * LWK may keep running into the next kernel, whose bring-up of the CPUs
 * starts with INIT.
 */
static int mcos_reboot(struct notifier_block *nb, unsigned long action, void *data)
{
	mcos_os_stop_all(action == SYS_RESTART ? "restart" :
			 action == SYS_HALT ? "halt" : "power off");
	return NOTIFY_DONE;
}

static struct notifier_block mcos_reboot_notifier = {
	.notifier_call = mcos_reboot,
};

static int __init mcos_init(void)
{
	int err;

	err = mcos_cpu_init();
	if (err)
		return err;
	err = mcos_mem_init();
	if (err)
		goto err_cpu;
	err = misc_register(&mcos_ctl_dev);
	if (err)
		goto err_mem;
	err = register_reboot_notifier(&mcos_reboot_notifier);
	if (err)
		goto err_misc;

	mcos_tramp_init();	/* only decides whether BOOT can work */
	mcos_notify_init();	/* only decides whether proxies sleep or poll */
	pr_info("ABI %u loaded\n", MCOS_ABI_VERSION);
	return 0;

err_misc:
	misc_deregister(&mcos_ctl_dev);
err_mem:
	mcos_mem_exit();
err_cpu:
	mcos_cpu_exit();
	return err;
}

static void __exit mcos_exit(void)
{
	/* No file is open (each holds a module reference). */
	unregister_reboot_notifier(&mcos_reboot_notifier);
	misc_deregister(&mcos_ctl_dev);
	mcos_os_exit();
	mcos_notify_exit();
	mcos_mem_exit();
	mcos_cpu_exit();
	pr_info("unloaded\n");
}

module_init(mcos_init);
module_exit(mcos_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mcos: reserve CPUs and memory for lightweight kernels");

// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_main.c - module entry, /dev/mcos-ctl and its ioctls.
 *
 * /dev/mcos-ctl reserves and releases CPUs and memory and creates and
 * destroys OS instances.  Queries are open to anyone; everything that
 * changes state needs CAP_SYS_ADMIN.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mcos.h"

DEFINE_MUTEX(mcos_lock);

/*
 * Copy an ioctl argument in.  Every argument starts with its own size,
 * which must match what this module knows.
 */
int mcos_get_arg(void *karg, const void __user *uarg, u32 size)
{
	if (copy_from_user(karg, uarg, size))
		return -EFAULT;
	if (*(u32 *)karg != size)
		return -EINVAL;
	return 0;
}

int mcos_put_arg(void __user *uarg, const void *karg, u32 size)
{
	return copy_to_user(uarg, karg, size) ? -EFAULT : 0;
}

static long mcos_ctl_info(void __user *uarg)
{
	struct mcos_info info = {
		.size = sizeof(info),
		.abi_version = MCOS_ABI_VERSION,
		.nr_cpu_ids = nr_cpu_ids,
		.nr_node_ids = nr_node_ids,
		.max_os = MCOS_MAX_OS,
	};

	mutex_lock(&mcos_lock);
	info.nr_os = mcos_os_count();
	info.nr_reserved_cpus = mcos_cpu_count();
	info.reserved_bytes = mcos_mem_reserved_bytes();
	mutex_unlock(&mcos_lock);
	return mcos_put_arg(uarg, &info, sizeof(info));
}

static long mcos_ctl_cpus(unsigned int cmd, void __user *uarg)
{
	struct mcos_cpu_list l;
	cpumask_var_t mask;
	int err;

	err = mcos_get_arg(&l, uarg, sizeof(l));
	if (err)
		return err;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;

	mutex_lock(&mcos_lock);
	if (cmd == MCOS_IOC_RESERVE_CPUS) {
		err = mcos_cpu_list_get(&l, mask, false);
		if (!err)
			err = mcos_cpu_reserve(mask);
	} else {
		err = mcos_cpu_list_get(&l, mask, true);
		if (!err)
			err = mcos_cpu_release(mask);
	}
	mutex_unlock(&mcos_lock);

	free_cpumask_var(mask);
	return err;
}

static long mcos_ctl_query_cpus(void __user *uarg)
{
	struct mcos_cpu_query q;
	int err;

	err = mcos_get_arg(&q, uarg, sizeof(q));
	if (err)
		return err;
	if (q.reserved0)
		return -EINVAL;

	mutex_lock(&mcos_lock);
	err = mcos_cpu_query(&q);
	mutex_unlock(&mcos_lock);
	if (err)
		return err;
	return mcos_put_arg(uarg, &q, sizeof(q));
}

static long mcos_ctl_reserve_mem(void __user *uarg)
{
	struct mcos_mem_request r;
	int err, perr;

	err = mcos_get_arg(&r, uarg, sizeof(r));
	if (err)
		return err;

	mutex_lock(&mcos_lock);
	err = mcos_mem_reserve(&r);
	mutex_unlock(&mcos_lock);

	/* 'obtained' is reported on failure too. */
	if (!err || err == -ENOMEM || err == -EINTR) {
		perr = mcos_put_arg(uarg, &r, sizeof(r));
		if (perr && !err) {
			/* The caller cannot learn of the chunks: leave them
			 * in the pool, where query and release find them. */
			return perr;
		}
	}
	return err;
}

static long mcos_ctl_release_mem(void __user *uarg)
{
	struct mcos_mem_release r;
	int err;

	err = mcos_get_arg(&r, uarg, sizeof(r));
	if (err)
		return err;

	mutex_lock(&mcos_lock);
	err = mcos_mem_release(&r);
	mutex_unlock(&mcos_lock);
	if (err)
		return err;
	return mcos_put_arg(uarg, &r, sizeof(r));
}

static long mcos_ctl_query_mem(void __user *uarg)
{
	struct mcos_mem_query q;
	int err;

	err = mcos_get_arg(&q, uarg, sizeof(q));
	if (err)
		return err;

	mutex_lock(&mcos_lock);
	err = mcos_mem_query(&q);
	mutex_unlock(&mcos_lock);
	if (err)
		return err;
	return mcos_put_arg(uarg, &q, sizeof(q));
}

static long mcos_ctl_query_node(void __user *uarg)
{
	struct mcos_node_info n;
	int err;

	err = mcos_get_arg(&n, uarg, sizeof(n));
	if (err)
		return err;

	mutex_lock(&mcos_lock);
	err = mcos_mem_node_info(&n);
	mutex_unlock(&mcos_lock);
	if (err)
		return err;
	return mcos_put_arg(uarg, &n, sizeof(n));
}

static long mcos_ctl_create(void)
{
	int ret;

	mutex_lock(&mcos_lock);
	ret = mcos_os_create();
	mutex_unlock(&mcos_lock);
	return ret;
}

static long mcos_ctl_destroy(void __user *uarg)
{
	struct mcos_os_id id;
	int err;

	err = mcos_get_arg(&id, uarg, sizeof(id));
	if (err)
		return err;

	/* mcos_os_destroy() takes mcos_lock itself (see there). */
	return mcos_os_destroy(id.index);
}

static long mcos_ctl_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MCOS_IOC_GET_INFO:
		return mcos_ctl_info(uarg);
	case MCOS_IOC_QUERY_CPUS:
		return mcos_ctl_query_cpus(uarg);
	case MCOS_IOC_QUERY_MEM:
		return mcos_ctl_query_mem(uarg);
	case MCOS_IOC_QUERY_NODE:
		return mcos_ctl_query_node(uarg);
	case MCOS_IOC_RESERVE_CPUS:
	case MCOS_IOC_RELEASE_CPUS:
	case MCOS_IOC_RESERVE_MEM:
	case MCOS_IOC_RELEASE_MEM:
	case MCOS_IOC_CREATE_OS:
	case MCOS_IOC_DESTROY_OS:
		break;
	default:
		return -ENOTTY;
	}

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case MCOS_IOC_RESERVE_CPUS:
	case MCOS_IOC_RELEASE_CPUS:
		return mcos_ctl_cpus(cmd, uarg);
	case MCOS_IOC_RESERVE_MEM:
		return mcos_ctl_reserve_mem(uarg);
	case MCOS_IOC_RELEASE_MEM:
		return mcos_ctl_release_mem(uarg);
	case MCOS_IOC_CREATE_OS:
		return mcos_ctl_create();
	default:
		return mcos_ctl_destroy(uarg);
	}
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

	mcos_tramp_init();	/* only decides whether BOOT can work */
	pr_info("mcos: ABI %u loaded\n", MCOS_ABI_VERSION);
	return 0;

err_mem:
	mcos_mem_exit();
err_cpu:
	mcos_cpu_exit();
	return err;
}

static void __exit mcos_exit(void)
{
	/* No file is open (each holds a module reference). */
	misc_deregister(&mcos_ctl_dev);
	mcos_os_exit();
	mcos_mem_exit();
	mcos_cpu_exit();
	pr_info("mcos: unloaded\n");
}

module_init(mcos_init);
module_exit(mcos_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mcos: reserve CPUs and memory for lightweight kernels");

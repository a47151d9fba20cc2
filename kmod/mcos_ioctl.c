// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_ioctl.c - the path every ioctl of /dev/mcos-ctl and /dev/mcosN takes.
 *
 * Each device has one table (struct mcos_ioctl_table): per command its
 * handler, who may call it and the lock it runs under.  In order: a command
 * not in the table is -ENOTTY; the lock is taken (interruptibly: a caller
 * waiting for it can be signalled); the device's own check runs (a
 * destroyed instance: -ENODEV); a caller without CAP_SYS_ADMIN gets -EPERM
 * for an admin command; then the handler.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "mcos.h"

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

/* Copy 'count' items of 'size' bytes out to the user array at uptr. */
int mcos_put_array(u64 uptr, const void *items, size_t count, size_t size)
{
	if (!count)
		return 0;
	return copy_to_user(u64_to_user_ptr(uptr), items, count * size) ? -EFAULT : 0;
}

static const struct mcos_ioctl *mcos_ioctl_find(const struct mcos_ioctl_table *t,
						unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < t->count; i++)
		if (t->ioctls[i].cmd == cmd)
			return &t->ioctls[i];
	return NULL;
}

static int mcos_ioctl_lock(const struct mcos_ioctl *ioc, struct file *file)
{
	struct mcos_file *f = file->private_data;

	switch (ioc->lock) {
	case MCOS_LOCK_MODULE:
		return mutex_lock_interruptible(&mcos_lock) ? -ERESTARTSYS : 0;
	case MCOS_LOCK_FILE:
		return mutex_lock_interruptible(&f->lock);
	default:
		return 0;
	}
}

static void mcos_ioctl_unlock(const struct mcos_ioctl *ioc, struct file *file)
{
	struct mcos_file *f = file->private_data;

	switch (ioc->lock) {
	case MCOS_LOCK_MODULE:
		mutex_unlock(&mcos_lock);
		break;
	case MCOS_LOCK_FILE:
		mutex_unlock(&f->lock);
		break;
	default:
		break;
	}
}

static int mcos_ioctl_allowed(const struct mcos_ioctl_table *t,
			      const struct mcos_ioctl *ioc, struct file *file)
{
	int err = t->check ? t->check(file) : 0;

	if (err)
		return err;
	if (ioc->caller == MCOS_ADMIN && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

long mcos_ioctl_dispatch(const struct mcos_ioctl_table *t, struct file *file,
			 unsigned int cmd, unsigned long arg)
{
	const struct mcos_ioctl *ioc = mcos_ioctl_find(t, cmd);
	long ret;

	if (!ioc)
		return -ENOTTY;
	ret = mcos_ioctl_lock(ioc, file);
	if (ret)
		return ret;
	ret = mcos_ioctl_allowed(t, ioc, file);
	if (ret)
		goto out_unlock;
	ret = ioc->handler(file, (void __user *)arg);
out_unlock:
	mcos_ioctl_unlock(ioc, file);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_os.c - OS instances: /dev/mcosN, their resources and state.
 *
 * An instance is created INACTIVE and gets reserved CPUs and memory
 * assigned to it, an image (LOADED) and kernel arguments.  BOOT starts the
 * LWK (mcos_boot.c): BOOTING -> RUNNING, or PANIC if it fails; SHUTDOWN
 * stops its CPUs and forgets the image (INACTIVE).
 *
 * Lifetime: the table holds one reference and each open file one.
 * Destroy unlinks the instance and deregisters its device; the memory is
 * freed when the last file is closed.  The table is changed under both
 * mcos_lock and mcos_table_lock; open() looks the instance up by minor
 * number under mcos_table_lock only, so it never waits for mcos_lock
 * (which is held around misc_register/misc_deregister).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "mcos.h"

static struct mcos_os *mcos_os_table[MCOS_MAX_OS];
static DEFINE_SPINLOCK(mcos_table_lock);

static void mcos_os_free(struct kref *ref)
{
	struct mcos_os *os = container_of(ref, struct mcos_os, ref);

	mcos_kmsg_free(&os->kmsg);
	kfree(os->kargs);
	free_cpumask_var(os->cpus);
	kfree(os);
}

unsigned int mcos_os_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < MCOS_MAX_OS; i++)
		n += mcos_os_table[i] != NULL;
	return n;
}

/* LWK CPUs uid's capped processes hold on every instance; under mcos_lock. */
unsigned int mcos_os_user_cpus(kuid_t uid)
{
	unsigned int i, n = 0;

	lockdep_assert_held(&mcos_lock);
	for (i = 0; i < MCOS_MAX_OS; i++)
		if (mcos_os_table[i])
			n += mcos_proc_user_cpus(mcos_os_table[i], uid);
	return n;
}

/* Index of the instance a CPU is assigned to, or -1. */
int mcos_os_of_cpu(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < MCOS_MAX_OS; i++)
		if (mcos_os_table[i] &&
		    cpumask_test_cpu(cpu, mcos_os_table[i]->cpus))
			return i;
	return -1;
}

static bool mcos_os_running(struct mcos_os *os)
{
	return os->state != MCOS_OS_INACTIVE && os->state != MCOS_OS_LOADED;
}

/* Forget a loaded image (the memory keeps its bytes until reused). */
static void mcos_os_unload(struct mcos_os *os)
{
	os->image_bytes = 0;
	os->entry = 0;
	os->state = MCOS_OS_INACTIVE;
}

/* ---- ioctls on /dev/mcosN (mcos_os_ioctls) ---- */

/* May these CPUs go to an instance?  Reserved, and neither taken nor onlined. */
static int mcos_os_cpus_assignable(const struct cpumask *mask)
{
	unsigned int cpu;

	for_each_cpu(cpu, mask) {
		if (!mcos_cpu_is_reserved(cpu))
			return -EINVAL;
		if (mcos_os_of_cpu(cpu) >= 0 || cpu_online(cpu))
			return -EBUSY;	/* taken, or onlined via sysfs */
	}
	return 0;
}

static int mcos_os_add_cpus(struct mcos_os *os, const struct cpumask *mask)
{
	int err = mcos_os_cpus_assignable(mask);

	if (!err)
		cpumask_or(os->cpus, os->cpus, mask);
	return err;
}

static int mcos_os_drop_cpus(struct mcos_os *os, const struct cpumask *mask)
{
	if (!cpumask_subset(mask, os->cpus))
		return -EINVAL;
	cpumask_andnot(os->cpus, os->cpus, mask);
	return 0;
}

/* ASSIGN_CPUS and UNASSIGN_CPUS (which also takes MCOS_F_ALL). */
static long mcos_os_cpus(struct file *file, void __user *uarg, bool assign)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_cpu_list l;
	cpumask_var_t mask;
	int err;

	err = mcos_get_arg(&l, uarg, sizeof(l));
	if (err)
		return err;
	if (mcos_os_running(os))
		return -EBUSY;
	if (!assign && (l.flags & MCOS_F_ALL)) {
		if (l.count || l.cpus_ptr || l.reserved0)
			return -EINVAL;
		cpumask_clear(os->cpus);
		return 0;
	}
	err = mcos_cpu_list_to_mask(&l, &mask, false);
	if (err)
		return err;
	err = assign ? mcos_os_add_cpus(os, mask) : mcos_os_drop_cpus(os, mask);
	free_cpumask_var(mask);
	return err;
}

static long mcos_os_assign_cpus(struct file *file, void __user *uarg)
{
	return mcos_os_cpus(file, uarg, true);
}

static long mcos_os_unassign_cpus(struct file *file, void __user *uarg)
{
	return mcos_os_cpus(file, uarg, false);
}

static long mcos_os_assign_mem(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_mem_assign a;
	int err;

	err = mcos_get_arg(&a, uarg, sizeof(a));
	if (err)
		return err;
	if (os->state != MCOS_OS_INACTIVE)
		return -EBUSY;
	err = mcos_mem_assign(os, &a);
	if (err)
		return err;
	mcos_kmsg_printf(&os->kmsg, "mcos: assigned %llu bytes\n", a.assigned);
	return mcos_put_arg(uarg, &a, sizeof(a));
}

static long mcos_os_unassign_mem(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_mem_unassign u;
	int err;

	err = mcos_get_arg(&u, uarg, sizeof(u));
	if (err)
		return err;
	if (u.reserved0 || (u.flags & ~MCOS_F_ALL))
		return -EINVAL;
	if (os->state != MCOS_OS_INACTIVE)
		return -EBUSY;
	return mcos_mem_unassign(os, u.node, u.flags & MCOS_F_ALL);
}

/* Copy len bytes from user memory into the instance's chunks at offset 0. */
static int mcos_os_copy_image(struct mcos_os *os, const char __user *src,
			      u64 len)
{
	struct mcos_chunk *c;
	size_t n;

	list_for_each_entry(c, &os->chunks, os_link) {
		if (!len)
			break;
		n = min_t(u64, len, PAGE_SIZE << c->order);
		if (copy_from_user(page_address(c->page), src, n))
			return -EFAULT;
		src += n;
		len -= n;
		cond_resched();
	}
	return len ? -ENOSPC : 0;
}

/* The ELF checks of mcos_image.c on the image's first page; its entry. */
static int mcos_os_check_image(const struct mcos_load *l, u64 *entry)
{
	size_t head_len = min_t(u64, l->image_bytes, PAGE_SIZE);
	void *head;
	int err;

	head = memdup_user(u64_to_user_ptr(l->image_ptr), head_len);
	if (IS_ERR(head))
		return PTR_ERR(head);
	err = mcos_image_check(head, head_len, l->image_bytes, entry);
	kfree(head);
	return err;
}

static long mcos_os_load(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_load l;
	int err;

	err = mcos_get_arg(&l, uarg, sizeof(l));
	if (err)
		return err;
	if (l.flags)
		return -EINVAL;
	if (os->state != MCOS_OS_INACTIVE)
		return -EBUSY;
	if (l.image_bytes < MCOS_IMAGE_MIN)
		return -ENOEXEC;
	if (l.image_bytes > os->mem_bytes)
		return -ENOSPC;
	err = mcos_os_check_image(&l, &l.entry);
	if (err)
		return err;
	err = mcos_os_copy_image(os, u64_to_user_ptr(l.image_ptr),
				 l.image_bytes);
	if (err)
		return err;

	os->image_bytes = l.image_bytes;
	os->entry = l.entry;
	os->state = MCOS_OS_LOADED;
	mcos_kmsg_printf(&os->kmsg, "mcos: image loaded, %llu bytes, entry %#llx\n",
			 l.image_bytes, l.entry);
	return mcos_put_arg(uarg, &l, sizeof(l));
}

static long mcos_os_set_kargs(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_kargs k;
	char *args;
	int err;

	err = mcos_get_arg(&k, uarg, sizeof(k));
	if (err)
		return err;
	if (!k.len || k.len > MCOS_KARGS_MAX)
		return -EINVAL;
	if (mcos_os_running(os))
		return -EBUSY;

	args = memdup_user(u64_to_user_ptr(k.args_ptr), k.len);
	if (IS_ERR(args))
		return PTR_ERR(args);
	if (strnlen(args, k.len) != k.len - 1) {
		kfree(args);
		return -EINVAL;	/* not one NUL-terminated string */
	}

	kfree(os->kargs);
	os->kargs = args;
	os->kargs_len = k.len;
	mcos_kmsg_printf(&os->kmsg, "mcos: kernel args: %s\n", args);
	return 0;
}

static long mcos_os_boot(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);

	if (os->state != MCOS_OS_LOADED)
		return os->state == MCOS_OS_INACTIVE ? -ENOEXEC : -EBUSY;
	if (cpumask_empty(os->cpus))
		return -EINVAL;
	return mcos_boot(os);
}

/* Stop a running LWK (its CPUs parked, then INIT) and forget the image. */
static void mcos_os_stop(struct mcos_os *os)
{
	if (os->lwk) {
		mcos_boot_stop(os);
		mcos_kmsg_printf(&os->kmsg, "mcos: LWK shut down, its CPUs stopped\n");
	} else if (os->state == MCOS_OS_LOADED) {
		mcos_kmsg_printf(&os->kmsg, "mcos: image unloaded\n");
	}
	mcos_os_unload(os);
}

static long mcos_os_shutdown(struct file *file, void __user *uarg)
{
	mcos_os_stop(mcos_file_os(file));
	return 0;
}

/*
 * Reboot, halt, kexec: every LWK stops, its CPUs wait in INIT for the SIPI
 * of whatever kernel comes next.
 */
void mcos_os_stop_all(const char *why)
{
	unsigned int i;

	mutex_lock(&mcos_lock);
	for (i = 0; i < MCOS_MAX_OS; i++) {
		if (!mcos_os_table[i] || !mcos_os_table[i]->lwk)
			continue;
		mcos_os_stop(mcos_os_table[i]);
		pr_notice("%s: LWK stopped for %s\n", mcos_os_table[i]->name, why);
	}
	mutex_unlock(&mcos_lock);
}

static long mcos_os_ping(struct file *file, void __user *uarg)
{
	struct mcos_ikc_ping p;
	struct mcos_lwk *lwk;
	int err;

	err = mcos_get_arg(&p, uarg, sizeof(p));
	if (err)
		return err;
	if (p.flags)
		return -EINVAL;
	lwk = mcos_boot_connected(mcos_file_os(file));
	if (!lwk)
		return -ENOTCONN;
	mcos_ikc_ping(lwk, &p);
	return mcos_put_arg(uarg, &p, sizeof(p));
}

/*
 * BOOT holds mcos_lock for up to 10 s and STATUS must still answer then
 * (and show BOOTING): without the lock it reads the instance as it is (the
 * open file keeps it alive).  Only with the lock does it look whether a
 * running LWK panicked since.
 */
static long mcos_os_status(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_os_status s;

	if (mutex_trylock(&mcos_lock)) {
		mcos_boot_poll(os);
		mutex_unlock(&mcos_lock);
	}
	s = (struct mcos_os_status) {
		.size = sizeof(s),
		.index = os->index,
		.state = READ_ONCE(os->state),
		.nr_cpus = cpumask_weight(os->cpus),
		.mem_bytes = os->mem_bytes,
		.image_bytes = os->image_bytes,
		.entry = os->entry,
		.kargs_len = os->kargs_len,
		.kmsg_bytes = mcos_kmsg_avail(&os->kmsg),
	};
	/* running_since is written before the state (mcos_boot.c) */
	smp_rmb();
	if (s.state == MCOS_OS_RUNNING)
		s.running_ns = ktime_get_ns() - READ_ONCE(os->running_since);

	return mcos_put_arg(uarg, &s, sizeof(s));
}

/* The kmsg buffer has its own lock: no user copy runs under mcos_lock. */
static long mcos_os_kmsg_read(struct file *file, void __user *uarg)
{
	struct mcos_os *os = mcos_file_os(file);
	struct mcos_kmsg_read r;
	int err;

	err = mcos_kmsg_may_read();
	if (err)
		return err;
	err = mcos_get_arg(&r, uarg, sizeof(r));
	if (err)
		return err;
	if (r.flags || r.reserved0)
		return -EINVAL;
	err = mcos_kmsg_copy(&os->kmsg, u64_to_user_ptr(r.buf_ptr), 0,
			     r.buf_len, &r.copied, &r.avail);
	if (err)
		return err;
	return mcos_put_arg(uarg, &r, sizeof(r));
}

static long mcos_os_kmsg_clear(struct file *file, void __user *uarg)
{
	mcos_kmsg_clear(&mcos_file_os(file)->kmsg);
	return 0;
}

/*
 * Queries anyone may make never hold mcos_lock while they copy to or from
 * user memory (a page that never comes must not stall the admin).
 * Programs (mcos_proc.c) run for anyone who can open the device, one
 * process ioctl at a time per file and never under mcos_lock, which they
 * take only to choose a CPU; KILL may come from another thread while one
 * waits.
 */
static const struct mcos_ioctl mcos_os_ioctls[] = {
	{ MCOS_IOC_STATUS,	  mcos_os_status,	 MCOS_ANYONE, MCOS_LOCK_NONE },
	{ MCOS_IOC_KMSG_READ,	  mcos_os_kmsg_read,	 MCOS_ANYONE, MCOS_LOCK_NONE },
	{ MCOS_IOC_ASSIGN_CPUS,	  mcos_os_assign_cpus,	 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_UNASSIGN_CPUS, mcos_os_unassign_cpus, MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_ASSIGN_MEM,	  mcos_os_assign_mem,	 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_UNASSIGN_MEM,  mcos_os_unassign_mem,	 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_LOAD,	  mcos_os_load,		 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_SET_KARGS,	  mcos_os_set_kargs,	 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_BOOT,	  mcos_os_boot,		 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_SHUTDOWN,	  mcos_os_shutdown,	 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_KMSG_CLEAR,	  mcos_os_kmsg_clear,	 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_IKC_PING,	  mcos_os_ping,		 MCOS_ADMIN,  MCOS_LOCK_MODULE },
	{ MCOS_IOC_PROC_CREATE,	  mcos_proc_create,	 MCOS_ANYONE, MCOS_LOCK_FILE },
	{ MCOS_IOC_PROC_MAP,	  mcos_proc_map,	 MCOS_ANYONE, MCOS_LOCK_FILE },
	{ MCOS_IOC_PROC_START,	  mcos_proc_start,	 MCOS_ANYONE, MCOS_LOCK_FILE },
	{ MCOS_IOC_PROC_WAIT,	  mcos_proc_wait,	 MCOS_ANYONE, MCOS_LOCK_FILE },
	{ MCOS_IOC_PROC_REPLY,	  mcos_proc_reply,	 MCOS_ANYONE, MCOS_LOCK_FILE },
	{ MCOS_IOC_PROC_KILL,	  mcos_proc_kill,	 MCOS_ANYONE, MCOS_LOCK_NONE },
	{ MCOS_IOC_THREAD_ATTACH, mcos_proc_thread_attach, MCOS_ANYONE, MCOS_LOCK_FILE },
	{ MCOS_IOC_PROC_PIN, mcos_proc_pin, MCOS_ANYONE, MCOS_LOCK_FILE },
	{ MCOS_IOC_RANK_JOIN,	  mcos_rank_join,	 MCOS_ANYONE, MCOS_LOCK_NONE },
};

/* A destroyed instance's open file: every ioctl fails. */
static int mcos_os_alive(struct file *file)
{
	return READ_ONCE(mcos_file_os(file)->dead) ? -ENODEV : 0;
}

static const struct mcos_ioctl_table mcos_os_ioctl_table = {
	.ioctls = mcos_os_ioctls,
	.count = ARRAY_SIZE(mcos_os_ioctls),
	.check = mcos_os_alive,
};

static long mcos_os_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return mcos_ioctl_dispatch(&mcos_os_ioctl_table, file, cmd, arg);
}

/* read() gives the kmsg text, from the oldest byte still buffered. */
static ssize_t mcos_os_read(struct file *file, char __user *buf, size_t len,
			    loff_t *ppos)
{
	struct mcos_os *os = mcos_file_os(file);
	u32 copied, avail;
	int err;

	err = mcos_kmsg_may_read();
	if (err)
		return err;
	if (*ppos < 0)
		return -EINVAL;
	if (*ppos >= MCOS_KMSG_SIZE || !len)
		return 0;
	err = mcos_kmsg_copy(&os->kmsg, buf, *ppos,
			     min_t(size_t, len, MCOS_KMSG_SIZE), &copied, &avail);
	if (err)
		return err;
	*ppos += copied;
	return copied;
}

static int mcos_os_open(struct inode *inode, struct file *file)
{
	struct mcos_os *os = NULL;
	struct mcos_file *f;
	unsigned int i;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	spin_lock(&mcos_table_lock);
	for (i = 0; i < MCOS_MAX_OS; i++) {
		if (mcos_os_table[i] &&
		    mcos_os_table[i]->misc.minor == iminor(inode)) {
			os = mcos_os_table[i];
			kref_get(&os->ref);
			break;
		}
	}
	spin_unlock(&mcos_table_lock);
	if (!os) {
		kfree(f);
		return -ENODEV;	/* being created or destroyed */
	}

	mcos_proc_file_init(f, os, file);
	file->private_data = f;
	return 0;
}

static int mcos_os_release(struct inode *inode, struct file *file)
{
	struct mcos_file *f = file->private_data;
	struct mcos_os *os = f->os;

	mcos_proc_release(f);
	kfree(f);
	kref_put(&os->ref, mcos_os_free);
	return 0;
}

static const struct file_operations mcos_os_fops = {
	.owner = THIS_MODULE,
	.open = mcos_os_open,
	.release = mcos_os_release,
	.read = mcos_os_read,
	.unlocked_ioctl = mcos_os_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mcos_map_mmap,
	.llseek = default_llseek,
};

/* ---- create / destroy (from /dev/mcos-ctl) ---- */

/* Returns the new index; called under mcos_lock. */
int mcos_os_create(void)
{
	struct mcos_os *os;
	unsigned int i;
	int err;

	for (i = 0; i < MCOS_MAX_OS && mcos_os_table[i]; i++)
		;
	if (i == MCOS_MAX_OS)
		return -ENOSPC;

	os = kzalloc(sizeof(*os), GFP_KERNEL);
	if (!os)
		return -ENOMEM;
	err = -ENOMEM;
	if (!zalloc_cpumask_var(&os->cpus, GFP_KERNEL))
		goto err_os;
	err = mcos_kmsg_init(&os->kmsg);
	if (err)
		goto err_cpus;

	kref_init(&os->ref);
	os->index = i;
	os->state = MCOS_OS_INACTIVE;
	INIT_LIST_HEAD(&os->chunks);
	mutex_init(&os->proc_lock);
	INIT_LIST_HEAD(&os->procs);
	snprintf(os->name, sizeof(os->name), "mcos%u", i);
	os->misc.minor = MISC_DYNAMIC_MINOR;
	os->misc.name = os->name;
	os->misc.fops = &mcos_os_fops;
	os->misc.mode = 0666;	/* anyone may run programs (mcexec) */
	err = misc_register(&os->misc);
	if (err)
		goto err_kmsg;

	spin_lock(&mcos_table_lock);
	mcos_os_table[i] = os;
	spin_unlock(&mcos_table_lock);
	mcos_kmsg_printf(&os->kmsg, "mcos: instance %u created\n", i);
	return i;

err_kmsg:
	mcos_kmsg_free(&os->kmsg);
err_cpus:
	free_cpumask_var(os->cpus);
err_os:
	kfree(os);
	return err;
}

/* Unlink an instance; its CPUs and memory go back to the pool. */
static void mcos_os_remove(struct mcos_os *os)
{
	spin_lock(&mcos_table_lock);
	mcos_os_table[os->index] = NULL;
	os->dead = true;
	spin_unlock(&mcos_table_lock);
	if (os->lwk)
		mcos_boot_stop(os);
	mcos_mem_unassign(os, 0, true);
	cpumask_clear(os->cpus);
	mcos_os_unload(os);
	misc_deregister(&os->misc);
	kref_put(&os->ref, mcos_os_free);
}

/* DESTROY_OS, under mcos_lock. */
int mcos_os_destroy(unsigned int index)
{
	struct mcos_os *os = index < MCOS_MAX_OS ? mcos_os_table[index] : NULL;

	lockdep_assert_held(&mcos_lock);
	if (!os)
		return -ENOENT;
	if (mcos_os_running(os))
		return -EBUSY;
	mcos_os_remove(os);
	return 0;
}

/*
 * Module unload: no file is open (each holds a module reference), so
 * every instance can go, a running LWK stopped first.
 */
void mcos_os_exit(void)
{
	unsigned int i;

	mutex_lock(&mcos_lock);
	for (i = 0; i < MCOS_MAX_OS; i++)
		if (mcos_os_table[i])
			mcos_os_remove(mcos_os_table[i]);
	mutex_unlock(&mcos_lock);
}

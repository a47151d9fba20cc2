/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcos.h - declarations shared by the files of mcos.ko (not an ABI).
 */
#ifndef MCOS_H
#define MCOS_H

#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "mcos_abi.h"

#define MCOS_NAME_LEN	16

/* One physically contiguous chunk of reserved memory. */
struct mcos_chunk {
	struct list_head node_link;	/* on its node's list, always */
	struct list_head os_link;	/* on its instance's list, if assigned */
	struct page *page;
	unsigned int order;
	int nid;
	struct mcos_os *os;		/* NULL while in the pool */
};

/*
 * The per-instance kmsg buffer (struct mcos_kmsg_ring at its start).  A
 * booted LWK writes the ring too: the module never trusts its header's
 * size, only its own.
 */
struct mcos_kmsg {
	spinlock_t lock;
	struct mcos_kmsg_ring *ring;
	char *data;
	u32 data_bytes;			/* text space after the header */
};

/* A Linux thread asleep until its channel has a packet (mcos_notify.c). */
struct mcos_ikc_waiter {
	wait_queue_head_t wq;
	bool kicked;			/* woken for a packet, or to give up */
};

static inline void mcos_ikc_waiter_init(struct mcos_ikc_waiter *w)
{
	init_waitqueue_head(&w->wq);
}

static inline void mcos_ikc_waiter_kick(struct mcos_ikc_waiter *w)
{
	WRITE_ONCE(w->kicked, true);
	wake_up(&w->wq);
}

/* A booted (or booting) LWK: mcos_boot.c. */
struct mcos_lwk {
	struct mcos_boot_block *bb;	/* in the instance's memory */
	u64 boot_off;			/* window offset of the boot block */
	struct list_head tables;	/* temporary page-table pages */
	u64 pdpt_phys;
	void *ikc;			/* IKC area, NULL until READY */
	u32 ikc_bytes;			/* one ring, as checked at READY */
	u32 ikc_slots;			/* packets per ring, as checked */
	u64 seq;
	unsigned long *busy;		/* contexts running a program */
	struct list_head notify_link;	/* on mcos_notify.c's list while it may interrupt */
	struct mcos_ikc_waiter **sleepers; /* per context, under mcos_notify.c's lock */
	struct list_head pin_owners;	/* Linux frames the LWK maps, per user
					   (mcos_pin.c), under os->proc_lock */
	u32 nr_cpus;
	/*
	 * Contexts (mcos_abi.h): nr_cpus until READY, then what the LWK
	 * announced; 'busy' and 'sleepers' have room for the most it may.
	 */
	u32 nr_contexts;
	u32 apic_ids[];			/* LWK CPU i */
};

/* One OS instance, /dev/mcosN. */
struct mcos_os {
	struct kref ref;		/* table + open files */
	unsigned int index;
	bool dead;			/* destroyed; open files get ENODEV */
	enum mcos_os_state state;
	u64 running_since;		/* ktime_get_ns() when it became RUNNING */
	char name[MCOS_NAME_LEN];
	struct miscdevice misc;
	cpumask_var_t cpus;		/* assigned CPUs */
	struct list_head chunks;	/* assigned chunks, in assignment order */
	u64 mem_bytes;
	u64 image_bytes;
	u64 entry;
	char *kargs;
	u32 kargs_len;
	struct mcos_kmsg kmsg;
	struct mcos_lwk *lwk;		/* while BOOTING/RUNNING/PANIC */
	/*
	 * Programs (mcos_proc.c).  proc_lock guards every use of a CPU
	 * channel by a program, the page-table walks of its faults, and
	 * 'procs'; teardown takes it to end them all (boot_gen changes).
	 * Order: mcos_lock -> proc_lock; mmap_lock -> proc_lock.
	 */
	struct mutex proc_lock;
	u64 boot_gen;			/* bumped whenever an LWK goes away */
	struct list_head procs;		/* files with a live process or thread */
};

/*
 * One open file of /dev/mcosN: the instance and the program it drives, or
 * one thread of a program another file drives (a thread channel: parent
 * set).  The flags a fault reads (alive, created, ending, started, pml4)
 * change under the instance's proc_lock.
 */
struct mcos_file {
	struct mcos_os *os;
	struct file *filp;
	struct mutex lock;		/* one process ioctl at a time */
	struct list_head link;		/* on os->procs while alive */
	struct mcos_lwk *lwk;		/* valid while gen == os->boot_gen */
	u64 gen;
	int cpu;			/* LWK CPU index, -1 if none */
	struct mcos_file *parent;	/* thread channel: the process's file, whose
					   struct file it holds a reference to */
	bool used;			/* PROC_CREATE or THREAD_ATTACH was called */
	bool alive;			/* created (attached), no PROC_EXIT
					   (THREAD_EXIT) seen yet */
	bool created;			/* the LWK answered CREATE: mmap may follow */
	bool ending;			/* killed for good, or its tables go: nothing
					   maps it any more */
	bool started;
	bool in_syscall;		/* a SYSCALL event awaits its reply */
	bool capped;			/* counts against mcos.user_cpu_limit */
	kuid_t uid;			/* who created the process (attached the thread) */
	struct mm_struct *mm;		/* the creator's, the only one that maps it */
	pgoff_t map_base;		/* its window in the device's offsets, 0: none */
	struct delayed_work start_timer; /* mcos.start_timeout */
	struct mcos_ikc_waiter waiter;	/* the thread waiting for the LWK */
	u64 spin_ns;			/* how long it spins before it sleeps */
	u64 pml4;			/* the process's page-table root */
	u64 seq;
	u64 call[7];			/* the SYSCALL being served: number, args */
	bool call_pinned;		/* its PROC_PIN was made (FILE_SHARE) */
};

static inline struct mcos_os *mcos_file_os(struct file *file)
{
	return ((struct mcos_file *)file->private_data)->os;
}

/*
 * One ioctl of a device (mcos_ioctl.c runs them): who may call it and the
 * lock its handler runs under.  Each device has one table of them.
 */
enum mcos_ioctl_caller {
	MCOS_ANYONE,
	MCOS_ADMIN,		/* CAP_SYS_ADMIN, else -EPERM */
};

enum mcos_ioctl_lock {
	MCOS_LOCK_NONE,		/* the handler takes what it needs */
	MCOS_LOCK_MODULE,	/* mcos_lock */
	MCOS_LOCK_FILE,		/* the open file's lock, interruptibly */
};

struct mcos_ioctl {
	unsigned int cmd;
	long (*handler)(struct file *file, void __user *uarg);
	enum mcos_ioctl_caller caller;
	enum mcos_ioctl_lock lock;
};

struct mcos_ioctl_table {
	const struct mcos_ioctl *ioctls;
	unsigned int count;
	int (*check)(struct file *file);	/* under the lock, may be NULL */
};

/* mcos_main.c: one lock for all state of the module. */
extern struct mutex mcos_lock;

/* mcos_ioctl.c: arguments and the dispatch by table */
int mcos_get_arg(void *karg, const void __user *uarg, u32 size);
int mcos_put_arg(void __user *uarg, const void *karg, u32 size);
int mcos_put_array(u64 uptr, const void *items, size_t count, size_t size);
long mcos_ioctl_dispatch(const struct mcos_ioctl_table *t, struct file *file,
			 unsigned int cmd, unsigned long arg);

/* mcos_cpu.c: reserved CPUs, and Linux kept from onlining them */
int mcos_cpu_init(void);
void mcos_cpu_exit(void);
int mcos_cpu_list_get(const struct mcos_cpu_list *l, struct cpumask *mask,
		      bool all_allowed);
int mcos_cpu_list_to_mask(const struct mcos_cpu_list *l, cpumask_var_t *mask,
			  bool all_allowed);
int mcos_cpu_reserve(const struct cpumask *mask);
int mcos_cpu_release(const struct cpumask *mask);
bool mcos_cpu_is_reserved(unsigned int cpu);
unsigned int mcos_cpu_count(void);
u32 mcos_cpu_snapshot(struct mcos_cpu_info *info, u32 capacity);

/* mcos_mem.c: reserved memory chunks */
int mcos_mem_init(void);
void mcos_mem_exit(void);
int mcos_mem_reserve(struct mcos_mem_request *r);
int mcos_mem_release(struct mcos_mem_release *r);
int mcos_mem_snapshot(struct mcos_mem_query *q, struct mcos_mem_chunk **chunks,
		      u32 *count);
int mcos_mem_node_info(struct mcos_node_info *n);
u64 mcos_mem_reserved_bytes(void);
int mcos_mem_assign(struct mcos_os *os, struct mcos_mem_assign *a);
int mcos_mem_unassign(struct mcos_os *os, int node, bool all);
void *mcos_phys_in_os(struct mcos_os *os, u64 phys, u64 len);

/* mcos_os.c: OS instances */
void mcos_os_exit(void);
int mcos_os_create(void);
int mcos_os_destroy(unsigned int index);
unsigned int mcos_os_count(void);
int mcos_os_of_cpu(unsigned int cpu);
unsigned int mcos_os_user_cpus(kuid_t uid);
void mcos_os_stop_all(const char *why);

/* mcos_kmsg.c: kmsg buffers */
int mcos_kmsg_init(struct mcos_kmsg *k);
void mcos_kmsg_free(struct mcos_kmsg *k);
__printf(2, 3) void mcos_kmsg_printf(struct mcos_kmsg *k, const char *fmt, ...);
void mcos_kmsg_clear(struct mcos_kmsg *k);
u32 mcos_kmsg_avail(struct mcos_kmsg *k);
void mcos_kmsg_tail(struct mcos_kmsg *k, char *buf, size_t len);
int mcos_kmsg_may_read(void);
int mcos_kmsg_copy(struct mcos_kmsg *k, char __user *buf, u64 from, u32 len,
		   u32 *copied, u32 *avail);

/* mcos_boot.c: starting and stopping the LWK */
int mcos_boot(struct mcos_os *os);
void mcos_boot_stop(struct mcos_os *os);
void mcos_boot_poll(struct mcos_os *os);
struct mcos_lwk *mcos_boot_connected(struct mcos_os *os);

/* mcos_ikc.c: talking to a booted LWK */
void mcos_ipi(u32 apicid, u32 low);
void mcos_ikc_notify(struct mcos_lwk *lwk, u32 cpu);
int mcos_ikc_connect(struct mcos_os *os, struct mcos_lwk *lwk);
bool mcos_ikc_send(struct mcos_lwk *lwk, u32 ring, u32 type, u64 seq,
		   const u64 *args, unsigned int nargs);
bool mcos_ikc_recv(struct mcos_lwk *lwk, u32 ring, struct mcos_ikc_packet *out);
void mcos_ikc_drain(struct mcos_lwk *lwk, u32 ring);
u64 mcos_ikc_unread(struct mcos_lwk *lwk, u32 ring);
bool mcos_ikc_pending(struct mcos_lwk *lwk, u32 ring);
void mcos_ikc_set_consumer_sleeps(struct mcos_lwk *lwk, u32 ring, bool sleeps);
void mcos_ikc_ping(struct mcos_lwk *lwk, struct mcos_ikc_ping *p);

/* mcos_notify.c: the LWK's interrupt that wakes a sleeping Linux thread */
void mcos_notify_init(void);
void mcos_notify_exit(void);
bool mcos_notify_usable(void);
void mcos_notify_attach(struct mcos_lwk *lwk);
void mcos_notify_detach(struct mcos_lwk *lwk);
bool mcos_notify_sleep_begin(struct mcos_lwk *lwk, u32 cpu,
			     struct mcos_ikc_waiter *w);
void mcos_notify_sleep_end(struct mcos_lwk *lwk, u32 cpu);

/* mcos_proc.c: programs on the LWK (mcexec) */
void mcos_proc_file_init(struct mcos_file *f, struct mcos_os *os,
			 struct file *filp);
int mcos_proc_check(struct mcos_file *f);
long mcos_proc_create(struct file *file, void __user *uarg);
long mcos_proc_map(struct file *file, void __user *uarg);
long mcos_proc_start(struct file *file, void __user *uarg);
long mcos_proc_wait(struct file *file, void __user *uarg);
long mcos_proc_reply(struct file *file, void __user *uarg);
long mcos_proc_kill(struct file *file, void __user *uarg);
long mcos_proc_thread_attach(struct file *file, void __user *uarg);
long mcos_proc_pin(struct file *file, void __user *uarg);
void mcos_proc_release(struct mcos_file *f);
void mcos_proc_end_all(struct mcos_os *os);
unsigned int mcos_proc_user_cpus(struct mcos_os *os, kuid_t uid);

/* mcos_rank.c: the ranks of a job meet (mcexec -n) */
long mcos_rank_join(struct file *file, void __user *uarg);

/* mcos_map.c: the unified range, mapped by the proxy */
int mcos_map_window_get(struct mcos_file *f);
void mcos_map_window_put(struct mcos_file *f);
u64 mcos_map_offset(struct mcos_file *f);
int mcos_map_mmap(struct file *filp, struct vm_area_struct *vma);
void mcos_map_zap(struct mcos_file *f, u64 start, u64 end);

/* mcos_pin.c: Linux's frames mapped by programs on the LWK */
void mcos_pin_init(struct mcos_lwk *lwk);
bool mcos_pin_holds(struct mcos_lwk *lwk, u64 phys);
void mcos_pin_release_all(struct mcos_lwk *lwk);
long mcos_pin_share(struct mcos_file *f, u64 address, const u64 *args);
void mcos_pin_release(struct mcos_file *f, u64 list_phys);

/* mcos_trampoline.c: Linux's real-mode trampoline (not exported) */
void mcos_tramp_init(void);
const char *mcos_tramp_refusal(void);
u64 mcos_tramp_start_phys(void);
u64 mcos_tramp_lock_phys(void);
int mcos_tramp_claim(u64 entry, u64 pdpt_phys);
void mcos_tramp_restore(void);

/* mcos_image.c: image checks */
int mcos_image_check(const void *head, size_t head_len, u64 image_bytes,
		     u64 *entry);

#endif /* MCOS_H */

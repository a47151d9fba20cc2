/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mcos_abi.h - the one definition of the mcos ABI.
 *
 * Shared by the kernel module (kmod/), the user-space tools and the
 * lightweight kernel (LWK); Swift imports it through the module map
 * Sources/CMcosABI/module.modulemap (both the host build and the LWK's
 * Embedded Swift build, which defines MCOS_LWK).
 *
 * Rules for this file:
 *  - plain C, no kernel-only constructs outside #ifdef __KERNEL__;
 *  - fixed-width types only; every struct starts with a size (ioctl
 *    arguments) or a version (shared memory), is explicitly padded and has
 *    its size checked below, so its layout is the same for every compiler;
 *  - reserved fields must be zero (the module refuses non-zero ones), so
 *    they can be given a meaning later;
 *  - pointers to user memory travel as uint64_t;
 *  - ioctl numbers are macros (for C) and also static const unsigned long
 *    values (for Swift, which cannot import function-like macros).
 */
#ifndef MCOS_ABI_H
#define MCOS_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#elif defined(MCOS_LWK)
#include <stdint.h>	/* the LWK itself: shared-memory structs only */
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#define MCOS_ABI_VERSION	3

#define MCOS_CTL_DEVICE		"/dev/mcos-ctl"
#define MCOS_OS_DEVICE_FMT	"/dev/mcos%u"

#define MCOS_MAX_OS		8	/* OS instances at once */
#define MCOS_KARGS_MAX		4096	/* kernel args, NUL included */
#define MCOS_KMSG_SIZE		(256u * 1024)	/* per-instance kmsg buffer */
#define MCOS_IMAGE_MIN		64u	/* an ELF64 header */

/* Memory reservation: chunk orders (in pages of 4 KiB). */
#define MCOS_MEM_MAX_ORDER	10	/* 4 MiB */
#define MCOS_MEM_DEF_MIN_ORDER	0	/* 4 KiB */

/*
 * Safety floor: what a NUMA node always keeps free.  A node with CPUs runs
 * Linux's own work (kernel, page cache, the proxies serving the LWK) and
 * keeps max(5 %, 256 MiB); a CPU-less node (MCDRAM, HBM) hosts little Linux
 * state and keeps max(2 %, 64 MiB).  mcprov plans with the same numbers.
 */
#define MCOS_FLOOR_CPU_PERCENT		5
#define MCOS_FLOOR_CPU_MIN_BYTES	(256ull << 20)
#define MCOS_FLOOR_MEMONLY_PERCENT	2
#define MCOS_FLOOR_MEMONLY_MIN_BYTES	(64ull << 20)

/* ------------------------------------------------------------------ */
/* Common argument shapes                                             */
/* ------------------------------------------------------------------ */

/* Flags for the cpu and memory ioctls. */
#define MCOS_F_ALL		(1u << 0)	/* every CPU / node */

/*
 * A list of Linux CPU numbers (reserve, release, assign, unassign).
 * cpus_ptr points to count uint32_t values; count <= number of possible
 * CPUs; no duplicates.  With MCOS_F_ALL (release/unassign only) count must
 * be 0 and cpus_ptr 0.
 */
struct mcos_cpu_list {
	uint32_t size;		/* sizeof(struct mcos_cpu_list) */
	uint32_t flags;		/* MCOS_F_ALL */
	uint32_t count;
	uint32_t reserved0;
	uint64_t cpus_ptr;	/* user pointer to uint32_t[count] */
};

/* One reserved CPU, as returned by MCOS_IOC_QUERY_CPUS. */
struct mcos_cpu_info {
	uint32_t cpu;		/* Linux CPU number */
	uint32_t apic_id;	/* hardware (x)APIC id */
	int32_t node;		/* NUMA node */
	int32_t os;		/* instance it is assigned to, -1 if none */
};

/*
 * Query of the reserved CPUs: the module writes up to 'capacity' entries to
 * info_ptr and always sets 'total' to the number of reserved CPUs (call
 * once with capacity 0 to learn the count).
 */
struct mcos_cpu_query {
	uint32_t size;
	uint32_t capacity;	/* in: entries at info_ptr */
	uint32_t total;		/* out: reserved CPUs */
	uint32_t reserved0;
	uint64_t info_ptr;	/* user pointer to mcos_cpu_info[capacity] */
};

/*
 * Reserve 'bytes' on NUMA node 'node' as physically contiguous chunks of
 * 2^order pages, orders from MCOS_MEM_MAX_ORDER down to min_order.
 * bytes must be a non-zero multiple of (4 KiB << min_order).
 * All or nothing: on shortfall everything this request got is freed,
 * the ioctl fails with ENOMEM and 'obtained' tells how far it got.
 */
struct mcos_mem_request {
	uint32_t size;
	uint32_t flags;		/* none defined yet: 0 */
	int32_t node;
	uint32_t min_order;	/* 0 .. MCOS_MEM_MAX_ORDER */
	uint64_t bytes;
	uint64_t obtained;	/* out: bytes allocated before success/failure */
};

/* Release every unassigned chunk of 'node' (or of all nodes with MCOS_F_ALL). */
struct mcos_mem_release {
	uint32_t size;
	uint32_t flags;		/* MCOS_F_ALL */
	int32_t node;		/* ignored with MCOS_F_ALL */
	uint32_t reserved0;
	uint64_t released;	/* out: bytes given back to Linux */
};

/* One reserved chunk, as returned by MCOS_IOC_QUERY_MEM. */
struct mcos_mem_chunk {
	uint64_t phys;		/* physical address, aligned to its size */
	uint64_t bytes;		/* 4 KiB << order */
	int32_t node;
	uint32_t order;
	int32_t os;		/* instance it is assigned to, -1 if none */
	uint32_t reserved0;
};

/*
 * Query of the reserved chunks, grouped by node.  Up to 'capacity' chunks
 * are written to chunks_ptr; 'total' is set to the number of chunks and
 * 'total_bytes' to their size.  With node >= 0 only that node is listed.
 */
struct mcos_mem_query {
	uint32_t size;
	uint32_t capacity;
	uint32_t total;		/* out */
	int32_t node;		/* -1: all nodes */
	uint64_t chunks_ptr;	/* user pointer to mcos_mem_chunk[capacity] */
	uint64_t total_bytes;	/* out */
};

/* Facts about one NUMA node (MCOS_IOC_QUERY_NODE). */
struct mcos_node_info {
	uint32_t size;
	int32_t node;		/* in */
	uint32_t has_cpu;	/* out: 1 if the node has CPUs */
	uint32_t nr_chunks;	/* out: chunks reserved on it */
	uint64_t managed_bytes;	/* out: memory Linux manages on the node */
	uint64_t free_bytes;	/* out: free now (MemFree) */
	uint64_t floor_bytes;	/* out: never reserved below this */
	uint64_t reserved_bytes; /* out: held by mcos on the node */
};

/* Module and machine facts (MCOS_IOC_GET_INFO). */
struct mcos_info {
	uint32_t size;
	uint32_t abi_version;	/* MCOS_ABI_VERSION */
	uint32_t nr_cpu_ids;	/* CPU numbers are below this */
	uint32_t nr_node_ids;	/* node numbers are below this */
	uint32_t max_os;
	uint32_t nr_os;		/* instances that exist */
	uint32_t nr_reserved_cpus;
	uint32_t reserved0;
	uint64_t reserved_bytes;
};

/* Names an OS instance (MCOS_IOC_DESTROY_OS). */
struct mcos_os_id {
	uint32_t size;
	uint32_t index;
};

/*
 * Assign reserved, unassigned memory to an instance: whole chunks of
 * 'node' (largest first) until at least 'bytes' are assigned; all or
 * nothing.  With MCOS_F_ALL every unassigned chunk of 'node' (or of every
 * node if node == -1) and bytes must be 0.
 */
struct mcos_mem_assign {
	uint32_t size;
	uint32_t flags;		/* MCOS_F_ALL */
	int32_t node;
	uint32_t reserved0;
	uint64_t bytes;
	uint64_t assigned;	/* out: bytes assigned by this call */
};

/* Give an instance's chunks of 'node' (all nodes: MCOS_F_ALL) back to the pool. */
struct mcos_mem_unassign {
	uint32_t size;
	uint32_t flags;		/* MCOS_F_ALL */
	int32_t node;
	uint32_t reserved0;
};

/*
 * Load an image: image_bytes from image_ptr are copied into the
 * instance's memory (its chunks in the order they were assigned).  The
 * image must be an ELF64 little-endian x86_64 ET_EXEC file whose program
 * headers lie in its first 4 KiB, else ENOEXEC.
 */
struct mcos_load {
	uint32_t size;
	uint32_t flags;		/* none defined yet: 0 */
	uint64_t image_ptr;
	uint64_t image_bytes;
	uint64_t entry;		/* out: ELF entry point */
};

/* Kernel arguments: len bytes at args_ptr, NUL-terminated, len <= MCOS_KARGS_MAX. */
struct mcos_kargs {
	uint32_t size;
	uint32_t len;		/* including the terminating NUL */
	uint64_t args_ptr;
};

/* OS states.  LOADED is internal and shown to users as INACTIVE. */
enum mcos_os_state {
	MCOS_OS_INACTIVE = 0,
	MCOS_OS_BOOTING = 1,
	MCOS_OS_RUNNING = 2,
	MCOS_OS_SHUTDOWN = 3,
	MCOS_OS_PANIC = 4,
	MCOS_OS_HUNGUP = 5,
	MCOS_OS_LOADED = 6,
};

struct mcos_os_status {
	uint32_t size;
	uint32_t index;
	uint32_t state;		/* enum mcos_os_state */
	uint32_t nr_cpus;	/* CPUs assigned */
	uint64_t mem_bytes;	/* memory assigned */
	uint64_t image_bytes;	/* loaded image, 0 if none */
	uint64_t entry;		/* entry point of the loaded image */
	uint32_t kargs_len;	/* kernel args length incl. NUL, 0 if unset */
	uint32_t kmsg_bytes;	/* bytes readable from the kmsg buffer */
	uint64_t running_ns;	/* since the LWK reported RUNNING; 0 unless RUNNING */
};

/*
 * Read the kmsg buffer: up to buf_len bytes of the oldest text still
 * buffered are copied to buf_ptr; 'copied' is set to what was copied and
 * 'avail' to what is buffered.  read() on /dev/mcosN gives the same text.
 */
struct mcos_kmsg_read {
	uint32_t size;
	uint32_t flags;		/* none defined yet: 0 */
	uint64_t buf_ptr;
	uint32_t buf_len;
	uint32_t copied;	/* out */
	uint32_t avail;		/* out */
	uint32_t reserved0;
};

/* ------------------------------------------------------------------ */
/* ioctl numbers                                                      */
/* ------------------------------------------------------------------ */

/* Not in Documentation/userspace-api/ioctl/ioctl-number.rst (6.12). */
#define MCOS_IOC_MAGIC	0xBC

/* /dev/mcos-ctl.  Q = query, allowed to anyone; C = needs CAP_SYS_ADMIN. */
#define MCOS_IOC_GET_INFO	_IOR(MCOS_IOC_MAGIC, 0x00, struct mcos_info)		/* Q */
#define MCOS_IOC_RESERVE_CPUS	_IOW(MCOS_IOC_MAGIC, 0x01, struct mcos_cpu_list)	/* C */
#define MCOS_IOC_RELEASE_CPUS	_IOW(MCOS_IOC_MAGIC, 0x02, struct mcos_cpu_list)	/* C */
#define MCOS_IOC_QUERY_CPUS	_IOWR(MCOS_IOC_MAGIC, 0x03, struct mcos_cpu_query)	/* Q */
#define MCOS_IOC_RESERVE_MEM	_IOWR(MCOS_IOC_MAGIC, 0x04, struct mcos_mem_request)	/* C */
#define MCOS_IOC_RELEASE_MEM	_IOWR(MCOS_IOC_MAGIC, 0x05, struct mcos_mem_release)	/* C */
#define MCOS_IOC_QUERY_MEM	_IOWR(MCOS_IOC_MAGIC, 0x06, struct mcos_mem_query)	/* Q */
#define MCOS_IOC_QUERY_NODE	_IOWR(MCOS_IOC_MAGIC, 0x07, struct mcos_node_info)	/* Q */
#define MCOS_IOC_CREATE_OS	_IO(MCOS_IOC_MAGIC, 0x08)	/* C, returns the index */
#define MCOS_IOC_DESTROY_OS	_IOW(MCOS_IOC_MAGIC, 0x09, struct mcos_os_id)		/* C */

/* /dev/mcosN */
#define MCOS_IOC_ASSIGN_CPUS	_IOW(MCOS_IOC_MAGIC, 0x20, struct mcos_cpu_list)	/* C */
#define MCOS_IOC_UNASSIGN_CPUS	_IOW(MCOS_IOC_MAGIC, 0x21, struct mcos_cpu_list)	/* C */
#define MCOS_IOC_ASSIGN_MEM	_IOWR(MCOS_IOC_MAGIC, 0x22, struct mcos_mem_assign)	/* C */
#define MCOS_IOC_UNASSIGN_MEM	_IOW(MCOS_IOC_MAGIC, 0x23, struct mcos_mem_unassign)	/* C */
#define MCOS_IOC_LOAD		_IOWR(MCOS_IOC_MAGIC, 0x24, struct mcos_load)		/* C */
#define MCOS_IOC_SET_KARGS	_IOW(MCOS_IOC_MAGIC, 0x25, struct mcos_kargs)		/* C */
#define MCOS_IOC_BOOT		_IO(MCOS_IOC_MAGIC, 0x26)				/* C */
#define MCOS_IOC_SHUTDOWN	_IO(MCOS_IOC_MAGIC, 0x27)				/* C */
#define MCOS_IOC_STATUS		_IOR(MCOS_IOC_MAGIC, 0x28, struct mcos_os_status)	/* Q */
#define MCOS_IOC_KMSG_READ	_IOWR(MCOS_IOC_MAGIC, 0x29, struct mcos_kmsg_read)	/* Q */
#define MCOS_IOC_KMSG_CLEAR	_IO(MCOS_IOC_MAGIC, 0x2a)				/* C */

#if !defined(__KERNEL__) && !defined(MCOS_LWK)
/* The same numbers as values Swift can import. */
static const unsigned long mcos_ioc_get_info = MCOS_IOC_GET_INFO;
static const unsigned long mcos_ioc_reserve_cpus = MCOS_IOC_RESERVE_CPUS;
static const unsigned long mcos_ioc_release_cpus = MCOS_IOC_RELEASE_CPUS;
static const unsigned long mcos_ioc_query_cpus = MCOS_IOC_QUERY_CPUS;
static const unsigned long mcos_ioc_reserve_mem = MCOS_IOC_RESERVE_MEM;
static const unsigned long mcos_ioc_release_mem = MCOS_IOC_RELEASE_MEM;
static const unsigned long mcos_ioc_query_mem = MCOS_IOC_QUERY_MEM;
static const unsigned long mcos_ioc_query_node = MCOS_IOC_QUERY_NODE;
static const unsigned long mcos_ioc_create_os = MCOS_IOC_CREATE_OS;
static const unsigned long mcos_ioc_destroy_os = MCOS_IOC_DESTROY_OS;
static const unsigned long mcos_ioc_assign_cpus = MCOS_IOC_ASSIGN_CPUS;
static const unsigned long mcos_ioc_unassign_cpus = MCOS_IOC_UNASSIGN_CPUS;
static const unsigned long mcos_ioc_assign_mem = MCOS_IOC_ASSIGN_MEM;
static const unsigned long mcos_ioc_unassign_mem = MCOS_IOC_UNASSIGN_MEM;
static const unsigned long mcos_ioc_load = MCOS_IOC_LOAD;
static const unsigned long mcos_ioc_set_kargs = MCOS_IOC_SET_KARGS;
static const unsigned long mcos_ioc_boot = MCOS_IOC_BOOT;
static const unsigned long mcos_ioc_shutdown = MCOS_IOC_SHUTDOWN;
static const unsigned long mcos_ioc_status = MCOS_IOC_STATUS;
static const unsigned long mcos_ioc_kmsg_read = MCOS_IOC_KMSG_READ;
static const unsigned long mcos_ioc_kmsg_clear = MCOS_IOC_KMSG_CLEAR;
#endif

/* ------------------------------------------------------------------ */
/* LWK interface (shared memory between the module and the LWK).      */
/* Every structure here carries a magic or a version.                 */
/* ------------------------------------------------------------------ */

/*
 * The LWK image is linked at MCOS_LWK_BASE (PML4 slot 255, lower canonical
 * half: Swift keeps flags in the top byte of pointers).  Its ELF file is
 * copied as it is to the start of the instance's memory, and the window
 * [MCOS_LWK_BASE, + memory) maps the chunk list in assignment order, so
 * file offset == window offset: the single PT_LOAD must have
 * p_offset == 0 and p_vaddr == MCOS_LWK_BASE.  The LWK maps physical
 * addresses it needs outside its memory (kmsg, LAPIC) at
 * MCOS_LWK_PHYS_MAP + phys (slot 254).
 */
#define MCOS_LWK_BASE		0x00007f8000000000ull
#define MCOS_LWK_PHYS_MAP	0x00007f0000000000ull

#define MCOS_BOOT_BLOCK_VERSION	3
#define MCOS_BOOT_MAGIC		0x534f434dU	/* "MCOS" */
/* Boot block + its tables: at the first 4 KiB boundary after the image. */
#define MCOS_BOOT_AREA_SIZE	(64u * 1024)

/* Status words the LWK writes into the boot block as it comes up. */
enum mcos_boot_status {
	MCOS_BOOT_NONE = 0,
	MCOS_BOOT_STARTED = 1,	/* all CPUs in: trampoline no longer needed */
	MCOS_BOOT_READY = 2,	/* IKC master channel published */
	MCOS_BOOT_RUNNING = 3,	/* master channel acked, every CPU idle */
	MCOS_BOOT_PANIC = 4,	/* exception or fatal error, see kmsg */
};

/*
 * The block the module hands to the LWK at boot, in the LWK's memory at
 * window offset round_up(end of the image's PT_LOAD, 4 KiB); tables at
 * the given offsets from its start.  'status' .. 'panic_cpu' marked LWK
 * are written by the LWK, the rest by the module.
 */
struct mcos_boot_block {
	uint32_t magic;		/* MCOS_BOOT_MAGIC */
	uint32_t version;	/* MCOS_BOOT_BLOCK_VERSION */
	uint32_t size;		/* bytes of this block including the tables */
	uint32_t status;	/* LWK: enum mcos_boot_status */
	uint32_t nr_cpus;	/* entries of mcos_boot_cpu; [0] boots first */
	uint32_t nr_chunks;	/* entries of mcos_boot_chunk, window order */
	uint32_t nr_nodes;	/* distance matrix is nr_nodes^2 uint32_t */
	uint32_t kargs_len;	/* incl. NUL, 0 if none */
	uint64_t cpus_off;	/* offsets from the block start to the tables */
	uint64_t chunks_off;
	uint64_t distance_off;
	uint64_t kargs_off;
	uint64_t kmsg_phys;	/* struct mcos_kmsg_ring, MCOS_KMSG_SIZE bytes */
	uint64_t tsc_khz;
	uint64_t free_off;	/* window offset where free memory starts */
	uint64_t trampoline_phys; /* SIPI start page the LWK uses for its APs */
	uint64_t tramp_lock_phys; /* Linux's trampoline lock word, 0 if none */
	uint64_t ikc_phys;	/* LWK: IKC area (struct mcos_ikc_ring each) */
	uint32_t ikc_bytes;	/* LWK: bytes of one ring (header + slots) */
	uint32_t ikc_slots;	/* LWK: packets per ring */
	uint32_t shutdown;	/* module: 1 = park every CPU */
	uint32_t nr_started;	/* LWK: CPUs that reached the kernel */
	uint32_t nr_parked;	/* LWK: CPUs parked for shutdown */
	uint32_t panic_cpu;	/* LWK: CPU index that panicked + 1, 0 if none */
	uint64_t notify;	/* module: the LWK->Linux interrupt, see mcos_notify_target() */
	uint32_t nr_contexts;	/* LWK, before READY: its contexts, see below */
	uint32_t reserved0;
	uint64_t reserved[2];
};

/*
 * Contexts.  Everything a program's thread needs on an LWK CPU (a channel,
 * a kernel stack, the LWK's state for it) is a context; without
 * time_sharing the LWK runs one per CPU, context n on CPU n.  With
 * time_sharing it runs nr_contexts = nr_cpus * k of them (k <=
 * MCOS_MAX_CONTEXTS_PER_CPU), context c on LWK CPU mcos_context_cpu(c),
 * and a CPU takes turns among those that have work.  Channels, the
 * module's 'busy' map and every "LWK CPU" in a request below are contexts;
 * what a program sees (sched_getaffinity, getcpu) are LWK CPUs.
 */
#define MCOS_MAX_CONTEXTS_PER_CPU	32u
static inline uint32_t mcos_context_cpu(uint32_t context, uint32_t nr_cpus)
{
	return nr_cpus ? context % nr_cpus : 0;
}

/* One LWK CPU; LWK CPU numbers are indexes in this table. */
struct mcos_boot_cpu {
	uint32_t apic_id;
	int32_t node;
	uint32_t linux_cpu;	/* the Linux number it had */
	uint32_t reserved0;
};

/* One memory chunk of the instance, in window order. */
struct mcos_boot_chunk {
	uint64_t phys;
	uint64_t bytes;
	int32_t node;
	uint32_t reserved0;
};

/* Head of the kmsg buffer (MCOS_KMSG_SIZE bytes, this header included). */
#define MCOS_KMSG_VERSION	1
struct mcos_kmsg_ring {
	uint32_t version;	/* MCOS_KMSG_VERSION */
	uint32_t data_bytes;	/* bytes of text space after this header */
	uint64_t head;		/* bytes ever written (writer) */
	uint64_t start;		/* readers begin at max(start, head - data_bytes) */
	uint64_t reserved;
};

/*
 * Inter-kernel communication (IKC).  The IKC area the LWK publishes before
 * READY holds 2 * (1 + nr_contexts) rings of ikc_bytes each: the master
 * channel (Linux->LWK, LWK->Linux), then per context the same pair.  A ring
 * is single-producer single-consumer: 'write' and 'read' count packets
 * ever written/read and are only moved by their side, with a release store
 * after the slot is written/read.  Notification: Linux->LWK by an IPI on
 * MCOS_IKC_VECTOR (LWK CPUs halt when idle); LWK->Linux by the interrupt the
 * boot block's 'notify' names, when the ring's consumer sleeps (else the
 * waiting Linux thread polls; 'notify' 0: it always polls).
 */
#define MCOS_IKC_VERSION	1
#define MCOS_IKC_MAGIC		0x43494b52U	/* "RKIC" */
#define MCOS_IKC_VECTOR		0xd1

/*
 * The boot block's 'notify': the vector in bits 0-7, the APIC id of the
 * Linux CPU it goes to in bits 32-63; 0: no interrupt (Linux polls).  One
 * 64-bit word, so the LWK never reads a vector with another CPU's id while
 * the module moves it.
 */
static inline uint64_t mcos_notify_target(uint32_t vector, uint32_t apic_id)
{
	return (uint64_t)apic_id << 32 | (vector & 0xff);
}

/* Where each ring sits in the IKC area, counted in rings. */
#define MCOS_IKC_MASTER_TO_LWK		0u
#define MCOS_IKC_MASTER_FROM_LWK	1u
static inline uint32_t mcos_ikc_ring_to_lwk(uint32_t context) { return 2 + 2 * context; }
static inline uint32_t mcos_ikc_ring_from_lwk(uint32_t context) { return 3 + 2 * context; }
static inline uint32_t mcos_ikc_nr_rings(uint32_t nr_contexts) { return 2 * (1 + nr_contexts); }

enum mcos_ikc_type {
	MCOS_IKC_MASTER_ACK = 1,	/* Linux->LWK on the master channel */
	MCOS_IKC_PING = 2,		/* Linux->LWK on a CPU channel, seq */
	MCOS_IKC_PONG = 3,		/* LWK->Linux: seq, args[0] = LWK CPU, args[1] = APIC id */

	/*
	 * A program on an LWK CPU (see "Programs on the LWK" below).  All of
	 * them travel on that CPU's channel.  Linux->LWK requests carry a seq
	 * the LWK echoes in its MCOS_IKC_PROC_REPLY.
	 */
	MCOS_IKC_PROC_CREATE = 16,	/* args[0] pid, [1] CLOCK_REALTIME ns, [2] CLOCK_MONOTONIC ns,
					   [3] numa_mask, [4] the most LWK CPUs its threads
					   may hold at once, this one included (0: no bound
					   but the idle CPUs), [5] the creator's uid (a
					   fork's child keeps its parent's: the same user) */
	MCOS_IKC_PROC_MAP = 17,		/* args[0] start, [1] bytes, [2] MCOS_PROT_* */
	MCOS_IKC_PROC_START = 18,	/* args[0] entry, [1] stack pointer, [2] initial program break,
					   [3] blocked, [4] pending, [5] ignored signals (sigset
					   bits) the program starts with */
	MCOS_IKC_PROC_KILL = 19,	/* args[0] signal, [1] MCOS_KILL_* flags, [2] si_code
					   (int32), [3] si_pid, [4] si_uid, [5] si_status
					   (int32, SIGCHLD's); no reply */
	MCOS_IKC_SYSCALL_REPLY = 20,	/* args[0] result (value or -errno) */
	MCOS_IKC_INVALIDATE_ACK = 21,	/* seq of the MCOS_IKC_INVALIDATE it answers */
	MCOS_IKC_PROC_FORK = 22,	/* as PROC_CREATE ([0] pid, [1] and [2] the clocks,
					   [3] numa_mask), for a copy of a process that
					   forks: [4] the LWK CPU of that process (its
					   leader's), [5] the token of its fork
					   (MCOS_PROXY_FORK).  The reply as CREATE's; the
					   LWK copies the memory and starts the child at once */
	MCOS_IKC_UNPIN_ACK = 23,	/* seq of the MCOS_IKC_UNPIN it answers */
	MCOS_IKC_PROC_CPUS = 24,	/* after CREATE, before START: args[0..3] the
					   LWK CPUs (mcos_proc_create's cpu_mask, not
					   0) its threads and forks' children run on */

	MCOS_IKC_PROC_REPLY = 32,	/* LWK->Linux: seq echoed, args[0] 0 or -errno,
					   args[1] (CREATE) page-table root, physical */
	MCOS_IKC_SYSCALL = 33,		/* seq = syscall number, args[0..5] rdi rsi rdx r10 r8 r9 */
	MCOS_IKC_INVALIDATE = 34,	/* seq, args[0] start, [1] bytes, [2] MCOS_INVALIDATE_*
					   flags: drop the proxy's mappings of that range,
					   then ACK; the LWK frees or re-protects the pages
					   only after the ACK */
	MCOS_IKC_PROC_EXIT = 35,	/* args[0] wait status (as waitpid(2) encodes it),
					   [1] fault address, [2] fault RIP (0 if no fault);
					   with MCOS_EXIT_EXEC in args[0], [3] blocked, [4]
					   pending, [5] ignored signals the next program keeps */
	MCOS_IKC_THREAD_EXIT = 36,	/* on a thread's channel (MCOS_IOC_THREAD_ATTACH):
					   that thread is gone, the process lives on */
	MCOS_IKC_UNPIN = 37,		/* seq, args[0] physical address of a struct
					   mcos_pin_list: Linux frames no page table of the
					   LWK maps any more (see "Linux's frames"); Linux
					   unpins them, then ACKs, and the list may be reused */
};

/*
 * Threads: a process starts on one LWK CPU; each thread it creates gets an
 * idle CPU of its own, chosen by the LWK (nearest NUMA first), whose
 * channel a proxy thread of mcexec attaches to (MCOS_IOC_THREAD_ATTACH)
 * before the thread runs.  From the attach to the thread's end that CPU is
 * busy for everyone else, and counts against mcos.user_cpu_limit.
 */

#define MCOS_PROT_READ		1u	/* = PROT_READ, PROT_WRITE, PROT_EXEC */
#define MCOS_PROT_WRITE		2u
#define MCOS_PROT_EXEC		4u
#define MCOS_KILL_PROXY_GONE	1u	/* nobody answers INVALIDATE any more */
#define MCOS_KILL_THREAD	2u	/* the signal is for the thread of this channel
					   (tgkill), not for the whole process (kill) */
/*
 * The process ends: after the ACK the LWK frees its page tables, the root
 * PROC_CREATE returned included, before Linux reads PROC_EXIT.  Nothing may
 * walk them from the ACK on: the root may be another process's by then.
 */
#define MCOS_INVALIDATE_END	1u

/*
 * PROC_EXIT of a process whose program called execve, offloaded like any
 * call, and mcexec accepted the new program (answered 0): the old one is gone, the LWK CPU
 * idle, and mcexec creates the process again, with the same pid, for the new
 * program (MCOS_EVENT_EXEC), starting it with the signal state execve keeps.
 */
#define MCOS_EXIT_EXEC		(1ull << 32)

struct mcos_ikc_ring {
	uint64_t write;
	uint64_t read;
	uint32_t slots;
	uint32_t slot_bytes;	/* sizeof(struct mcos_ikc_packet) */
	uint32_t magic;		/* MCOS_IKC_MAGIC */
	uint32_t consumer_sleeps; /* consumer: 1 while it sleeps until a packet comes
				     (LWK->Linux rings: interrupt it then) */
	uint32_t reserved[8];
	/* struct mcos_ikc_packet slots[] follow */
};

struct mcos_ikc_packet {
	uint32_t version;	/* MCOS_IKC_VERSION */
	uint32_t type;		/* enum mcos_ikc_type */
	uint64_t seq;
	uint64_t args[6];
};

/* Ping every LWK CPU over its IKC channel (MCOS_IOC_IKC_PING, Q). */
struct mcos_ikc_ping {
	uint32_t size;
	uint32_t flags;		/* none defined yet: 0 */
	uint32_t sent;		/* out: CPUs pinged */
	uint32_t answered;	/* out: CPUs that answered within 1 s */
	uint64_t max_rtt_ns;	/* out: slowest answer */
};

#define MCOS_IOC_IKC_PING	_IOWR(MCOS_IOC_MAGIC, 0x2b, struct mcos_ikc_ping)	/* C */
#if !defined(__KERNEL__) && !defined(MCOS_LWK)
static const unsigned long mcos_ioc_ikc_ping = MCOS_IOC_IKC_PING;
#endif

/* ------------------------------------------------------------------ */
/* Programs on the LWK (mcexec)                                       */
/* ------------------------------------------------------------------ */

/*
 * One open file of /dev/mcosN is one program: mcexec, its proxy on Linux,
 * creates the process on an idle LWK CPU, maps its memory, fills it, starts
 * it, then serves its offloaded system calls until it exits.  These ioctls
 * need no capability: the program runs with the credentials of whoever
 * runs mcexec, since mcexec performs every offloaded call itself.
 *
 * The unified address space: a program on the LWK lives in user addresses
 * [MCOS_USER_START, MCOS_USER_END) only, and after PROC_CREATE mcexec maps
 * its /dev/mcosN file over exactly that range (MAP_SHARED |
 * MAP_FIXED_NOREPLACE, offset 0).  The module fills that mapping on fault
 * from the LWK process's own page tables, so a pointer argument of an
 * offloaded call names the same bytes on both sides; the LWK asks
 * (MCOS_IKC_INVALIDATE) before it unmaps or re-protects anything the proxy
 * may have mapped.  Until PROC_START every mapped page is writable for the
 * proxy (it copies the program and its initial stack in); PROC_START drops
 * the proxy's mappings and the LWK applies each range's own protection.
 */
#define MCOS_USER_START		0x0000000000010000ull
#define MCOS_USER_END		0x0000100000000000ull	/* 16 TiB */
#define MCOS_USER_PIE_BASE	0x0000001000000000ull	/* static-PIE programs */
#define MCOS_USER_MMAP_TOP	0x00000f0000000000ull	/* anonymous mmap grows down */
#define MCOS_USER_STACK_TOP	0x00000ffffffff000ull	/* the stack grows down */

#define MCOS_CREATE_FORK	1u	/* the child of a fork: see MCOS_PROXY_FORK */

/* An LWK has fewer than 256 CPUs (its IKC area holds 255 channels). */
#define MCOS_CPU_MASK_WORDS	4

/*
 * mcexec -n N: the N mcexec processes of one job on this instance meet here
 * before each creates its process, so that each takes a rank of its own and
 * with it a share of the LWK's CPUs.  A job is the caller's user and real
 * parent (the launcher that started its ranks, as McKernel groups them)
 * and N.  The call returns once all N have joined, or fails: ETIMEDOUT
 * after timeout_ms without them all (the caller's rank is free again),
 * EEXIST when another process of the job took the rank asked for, EINVAL
 * for a rank >= N, N = 0 or N > MCOS_RANKS_MAX, EINTR on a signal.
 */
#define MCOS_RANKS_MAX		256u
struct mcos_rank_join {
	uint32_t size;
	uint32_t ranks;		/* N: the job's processes on this instance */
	int32_t rank;		/* in: the launcher's local rank, -1: the lowest
				   free (order of arrival); out: the caller's */
	uint32_t timeout_ms;	/* how long to wait for the others, at most
				   MCOS_RANK_TIMEOUT_MAX_MS */
};
#define MCOS_RANK_TIMEOUT_MAX_MS 3600000u

struct mcos_proc_create {
	uint32_t size;
	uint32_t flags;		/* MCOS_CREATE_FORK or 0 */
	int32_t lwk_cpu;	/* in: a context on the LWK CPU wanted (its index
				   or any on the same CPU), -1 = any; out: the
				   context chosen (an idle CPU's first, with
				   time_sharing the least busy CPU's) */
	uint32_t numa_mask;	/* the program's pages only from these NUMA nodes
				   (bit n = node n; mcexec -m); 0 = its CPU's node
				   first, then any.  A node without LWK memory: EINVAL */
	uint64_t map_offset;	/* out: the mmap offset of this process's unified
				   range; every open file has a window of its own */
	uint32_t nr_cpus;	/* the most LWK CPUs its threads may hold at once,
				   lwk_cpu's included (0: no bound but the idle ones);
				   a fork's child keeps its parent's */
	int32_t parent_fd;	/* MCOS_CREATE_FORK: the forking process's file, else 0 */
	uint64_t fork_token;	/* MCOS_CREATE_FORK: the token of MCOS_PROXY_FORK, else 0 */
	uint64_t cpu_mask[MCOS_CPU_MASK_WORDS];
				/* the LWK CPUs (bit n = LWK CPU n, not a context)
				   the process, its threads and its forks' children
				   run on (mcexec -n: its rank's share); all 0: any.
				   None of the instance's: EINVAL */
};

/* Zero-filled memory at [start, start + bytes), page-aligned, final protection. */
struct mcos_proc_map {
	uint32_t size;
	uint32_t prot;		/* MCOS_PROT_* */
	uint64_t start;
	uint64_t bytes;
};

struct mcos_proc_start {
	uint32_t size;
	uint32_t flags;		/* none defined yet: 0 */
	uint64_t entry;
	uint64_t sp;		/* the initial stack (argc, argv, envp, auxv) */
	uint64_t brk;		/* initial program break, page-aligned */
	uint64_t blocked;	/* signals (sigset bits, bit n-1 for signal n) the */
	uint64_t pending;	/* program starts with blocked, pending, ignored: */
	uint64_t ignored;	/* mcexec's own when it started for a new one (as
				   natively across execve), what MCOS_EVENT_EXEC gave
				   after an execve */
};

enum mcos_proc_event_kind {
	MCOS_EVENT_SYSCALL = 1,	/* perform it, then MCOS_IOC_PROC_REPLY */
	MCOS_EVENT_EXIT = 2,	/* the process is gone; the LWK CPU is idle again */
	MCOS_EVENT_THREAD_EXIT = 3,	/* (thread channel) its thread is gone */
	MCOS_EVENT_EXEC = 4,	/* the program called execve, which mcexec accepted: it
				   is gone, the LWK CPU idle again; args[0] blocked,
				   [1] pending, [2] ignored signals, for the new program's
				   PROC_START on a new file */
};

/* MCOS_IOC_PROC_WAIT: blocks until the next event; -EINTR on a signal. */
struct mcos_proc_event {
	uint32_t size;
	uint32_t kind;		/* out: enum mcos_proc_event_kind */
	uint32_t number;	/* SYSCALL: x86-64 system call number */
	uint32_t status;	/* EXIT: wait status, as waitpid(2) encodes it */
	uint64_t args[6];	/* SYSCALL: rdi rsi rdx r10 r8 r9 */
	uint64_t fault_addr;	/* EXIT by a fault: address and RIP, else 0 */
	uint64_t fault_ip;
};

/*
 * Requests of the LWK to its proxy that no program can make: they travel as
 * MCOS_EVENT_SYSCALL with a number that has the x32 bit (1 << 30) set, which
 * the LWK answers ENOSYS for a program and never offloads.  The module passes
 * them on untouched (they fit in 32 bits); mcexec serves them itself.
 *
 * MCOS_PROXY_FILE_FACTS: args[0] the program's fd.  Answers -EBADF (not open,
 * O_PATH, or one of mcexec's own) or MCOS_FILE_FACT_* bits: the file type
 * (st_mode >> 12), how the descriptor was opened and whether its file system
 * is mounted noexec, from which the LWK
 * decides mmap's errno in Linux's order.
 * MCOS_PROXY_FILE_FILL: args[0] fd, [1] start, [2] bytes, [3] file offset:
 * pread the file into the program's [start, start + bytes), which the LWK has
 * mapped writable for it; answers the bytes read (fewer at end of file: the
 * LWK's pages past it stay zero) or -errno.  mcexec writes nowhere else.
 */
#define MCOS_PROXY_REQUEST_BIT	(1u << 30)
#define MCOS_PROXY_FILE_FACTS	(MCOS_PROXY_REQUEST_BIT | 1u)
#define MCOS_PROXY_FILE_FILL	(MCOS_PROXY_REQUEST_BIT | 2u)
/*
 * MCOS_PROXY_THREAD_CREATE: args[0] the idle LWK CPU a new thread of the
 * program is about to start on.  mcexec starts a proxy
 * thread that opens /dev/mcosN anew and attaches to that CPU
 * (MCOS_IOC_THREAD_ATTACH), then answers that thread's Linux tid, which is
 * the new LWK thread's tid too (so /proc/<pid>/task and tgkill from Linux
 * name it), or -errno: the attach's (EBUSY: the LWK tries another CPU), or
 * EAGAIN when no thread could be had.  The proxy thread
 * serves that CPU's offloaded calls until MCOS_EVENT_THREAD_EXIT.
 */
#define MCOS_PROXY_THREAD_CREATE	(MCOS_PROXY_REQUEST_BIT | 3u)
/*
 * MCOS_PROXY_INTERRUPT: args[0] a thread's tid, or 0 for every thread of the
 * program but the asker.  The offloaded call that thread's proxy thread (each
 * one's) performs on Linux now ends with EINTR, as a signal would end it: the
 * LWK has given that thread a signal, or its process ends as a whole.  mcexec
 * answers 0 once those calls have ended, or after a bounded wait.
 */
#define MCOS_PROXY_INTERRUPT		(MCOS_PROXY_REQUEST_BIT | 4u)
/*
 * MCOS_PROXY_FORK: args[0] a token (never 0), [1] 1 if the parent waits until
 * the child execs or ends (vfork), else 0.  A thread of the program forks:
 * mcexec forks itself, and the new mcexec opens /dev/mcosN anew and creates
 * the child (MCOS_IOC_PROC_CREATE with MCOS_CREATE_FORK, the forking
 * process's file inherited as parent_fd, and the token): the module lets
 * only a child of the process that created the parent's program, of the same
 * user, do that; the LWK copies the parent's memory and the forking thread's
 * registers for it (fork returns 0 there) and starts it, while the parent's
 * thread waits here.  mcexec answers the new process's pid, which is the new
 * mcexec's, or -errno (EAGAIN: no idle LWK CPU, ENOMEM).
 */
#define MCOS_PROXY_FORK			(MCOS_PROXY_REQUEST_BIT | 5u)
/*
 * MCOS_PROXY_CHILD_REAPING: args[0] 1 if the program's children are to be
 * reaped by Linux as they end (it ignores SIGCHLD, or its action has
 * SA_NOCLDWAIT), 0 if they wait for its wait calls.  Its children are its
 * mcexec's, so mcexec takes that setting for itself (SA_NOCLDWAIT on its own
 * SIGCHLD action, which still passes SIGCHLD on) and answers 0 or -errno.
 * Sent when a program's rt_sigaction changes it; an exec's new program starts
 * with it as its kept dispositions say.
 */
#define MCOS_PROXY_CHILD_REAPING	(MCOS_PROXY_REQUEST_BIT | 6u)
/*
 * MCOS_PROXY_FILE_SHARE: args[0] fd, [1] bytes (at most MCOS_PIN_LIST_FRAMES
 * pages), [2] file offset, [3] 1 if the mapping may ever be written, [4] the
 * physical address of the LWK's struct mcos_pin_list.  mcexec maps the file
 * shared itself (readable, and writable with [3]), hands those pages to the
 * module (MCOS_IOC_PROC_PIN), unmaps them again and answers PROC_PIN's result:
 * the frames now in the list (fewer at the end of the file), or -errno.
 */
#define MCOS_PROXY_FILE_SHARE		(MCOS_PROXY_REQUEST_BIT | 7u)
/*
 * System V shared memory (shmat, shmdt; shmget and shmctl are offloaded):
 * the segment is Linux's, and mcexec attaches it for as long as the program
 * has it attached, so that Linux counts the attachment (shm_nattch) and keeps
 * a segment removed with IPC_RMID while it is attached, as for a native
 * process.  [0] is the LWK's token for one attachment: never 0, unique in
 * the process; a fork's child keeps its parent's (the forked mcexec has the
 * same attachments), an exec's new program starts with none.
 * MCOS_PROXY_SHM_ATTACH: [0] token, [1] shmid, [2] 1 for SHM_RDONLY.  mcexec
 *   shmat()s the segment and answers its size in bytes, or shmat's -errno.
 * MCOS_PROXY_SHM_SHARE: as MCOS_PROXY_FILE_SHARE, with [0] the token and [2]
 *   the offset into the segment; mcexec names the pages of its attachment.
 * MCOS_PROXY_SHM_DETACH: [0] token.  mcexec shmdt()s it: 0, or -EINVAL.
 */
#define MCOS_PROXY_SHM_ATTACH		(MCOS_PROXY_REQUEST_BIT | 8u)
#define MCOS_PROXY_SHM_SHARE		(MCOS_PROXY_REQUEST_BIT | 9u)
#define MCOS_PROXY_SHM_DETACH		(MCOS_PROXY_REQUEST_BIT | 10u)
/*
 * MCOS_PROXY_CMA_ALLOWED: [0] a pid, [1] 1 to write, [2] 1 when no program
 * on the LWK has that pid.  Before process_vm_readv or process_vm_writev:
 * would Linux let the process at that pid be read (written) by this one
 * (ptrace's access mode, which Yama's ptrace_scope narrows)?  About another
 * program on the LWK (which the LWK copies itself) mcexec asks Linux about
 * that program's mcexec, whose pid it is; about any other process, whose
 * memory mcexec then reads or writes for the program (the call offloaded),
 * the same, but a process that runs mcexec is refused.  0, -EPERM, -ESRCH
 * or -ENOSYS.
 */
#define MCOS_PROXY_CMA_ALLOWED		(MCOS_PROXY_REQUEST_BIT | 11u)
#define MCOS_FILE_FACT_TYPE_MASK	0xfu	/* st_mode >> 12: 8 regular, 4 directory, ... */
#define MCOS_FILE_FACT_READABLE		0x10u	/* opened O_RDONLY or O_RDWR */
#define MCOS_FILE_FACT_WRITABLE		0x20u	/* opened O_WRONLY or O_RDWR */
#define MCOS_FILE_FACT_NOEXEC		0x40u	/* on a file system mounted noexec */

struct mcos_proc_reply {
	uint32_t size;
	uint32_t reserved0;
	int64_t result;		/* what the call returned, or -errno */
};

/*
 * Send 'signal' to the process.  The LWK applies it as the program's
 * dispositions and mask say: ignored, held while blocked, or the process
 * exits as if killed by it (always for SIGKILL, and before START).
 */
struct mcos_proc_kill {
	uint32_t size;
	uint32_t signal;
	uint32_t flags;		/* MCOS_KILL_THREAD (on a thread's file too) or 0 */
	int32_t code;		/* the siginfo the program sees: si_code, and the */
	uint32_t pid;		/* sender's si_pid and si_uid, as Linux told mcexec */
	uint32_t uid;
	int32_t status;		/* SIGCHLD (si_code CLD_*): si_status, else 0 */
	uint32_t reserved;	/* 0 */
};

/*
 * A second open file of /dev/mcosN becomes the channel of one thread of a
 * process another file of the same caller created: process_fd is that
 * file's descriptor (in the caller's table), lwk_cpu the idle context the
 * LWK named in MCOS_PROXY_THREAD_CREATE.  Then PROC_WAIT, PROC_REPLY and
 * PROC_KILL on it serve that context's thread; an INVALIDATE on it drops the
 * process's mappings.  EBADF: not a /dev/mcosN file of this instance with a
 * started, live process; EPERM: that process was created by another
 * process (mm); EINVAL: no such CPU, or the process's own; EBUSY: the CPU
 * is busy (the LWK then tries another); EAGAIN: mcos.user_cpu_limit.
 */
struct mcos_thread_attach {
	uint32_t size;
	int32_t process_fd;
	int32_t lwk_cpu;
	uint32_t reserved;	/* 0 */
};

/*
 * Linux's frames in an LWK program (MAP_SHARED of a file, POSIX shared
 * memory): the page-cache pages themselves, so that Linux and the program see
 * the same bytes.  While serving MCOS_PROXY_FILE_SHARE (or SHM_SHARE), and only then, mcexec
 * calls PROC_PIN with where it mapped the file; the module pins those pages
 * for as long as the LWK maps them and writes their physical addresses into
 * the list the LWK named in its request (count last).  The LWK gives them back
 * with MCOS_IKC_UNPIN once no page table of its maps them and its TLBs forgot
 * them; what it still holds when it goes is unpinned once its CPUs stopped.
 * Writable pins only of files Linux never writes back (tmpfs, /dev/shm):
 * EOPNOTSUPP for others, whose dirty pages would never reach the disk.
 */
#define MCOS_PIN_LIST_FRAMES	511

struct mcos_pin_list {
	uint64_t count;			/* frames[0, count) hold frames */
	uint64_t frames[MCOS_PIN_LIST_FRAMES];	/* physical addresses */
};

struct mcos_proc_pin {
	uint32_t size;
	uint32_t reserved0;
	uint64_t address;	/* where mcexec mapped the file, page-aligned */
};

#define MCOS_IOC_PROC_CREATE	_IOWR(MCOS_IOC_MAGIC, 0x40, struct mcos_proc_create)
#define MCOS_IOC_PROC_MAP	_IOW(MCOS_IOC_MAGIC, 0x41, struct mcos_proc_map)
#define MCOS_IOC_PROC_START	_IOW(MCOS_IOC_MAGIC, 0x42, struct mcos_proc_start)
#define MCOS_IOC_PROC_WAIT	_IOWR(MCOS_IOC_MAGIC, 0x43, struct mcos_proc_event)
#define MCOS_IOC_PROC_REPLY	_IOW(MCOS_IOC_MAGIC, 0x44, struct mcos_proc_reply)
#define MCOS_IOC_PROC_KILL	_IOW(MCOS_IOC_MAGIC, 0x45, struct mcos_proc_kill)
#define MCOS_IOC_THREAD_ATTACH	_IOW(MCOS_IOC_MAGIC, 0x46, struct mcos_thread_attach)
#define MCOS_IOC_PROC_PIN	_IOW(MCOS_IOC_MAGIC, 0x47, struct mcos_proc_pin)
#define MCOS_IOC_RANK_JOIN	_IOWR(MCOS_IOC_MAGIC, 0x48, struct mcos_rank_join)
#if !defined(__KERNEL__) && !defined(MCOS_LWK)
static const unsigned long mcos_ioc_proc_create = MCOS_IOC_PROC_CREATE;
static const unsigned long mcos_ioc_proc_map = MCOS_IOC_PROC_MAP;
static const unsigned long mcos_ioc_proc_start = MCOS_IOC_PROC_START;
static const unsigned long mcos_ioc_proc_wait = MCOS_IOC_PROC_WAIT;
static const unsigned long mcos_ioc_proc_reply = MCOS_IOC_PROC_REPLY;
static const unsigned long mcos_ioc_proc_kill = MCOS_IOC_PROC_KILL;
static const unsigned long mcos_ioc_thread_attach = MCOS_IOC_THREAD_ATTACH;
static const unsigned long mcos_ioc_proc_pin = MCOS_IOC_PROC_PIN;
static const unsigned long mcos_ioc_rank_join = MCOS_IOC_RANK_JOIN;
#endif

/* ------------------------------------------------------------------ */
/* Layout checks                                                      */
/* ------------------------------------------------------------------ */

#define MCOS_ABI_CHECK(type, bytes) \
	_Static_assert(sizeof(struct type) == (bytes), #type " changed size")

MCOS_ABI_CHECK(mcos_cpu_list, 24);
MCOS_ABI_CHECK(mcos_cpu_info, 16);
MCOS_ABI_CHECK(mcos_cpu_query, 24);
MCOS_ABI_CHECK(mcos_mem_request, 32);
MCOS_ABI_CHECK(mcos_mem_release, 24);
MCOS_ABI_CHECK(mcos_mem_chunk, 32);
MCOS_ABI_CHECK(mcos_mem_query, 32);
MCOS_ABI_CHECK(mcos_node_info, 48);
MCOS_ABI_CHECK(mcos_info, 40);
MCOS_ABI_CHECK(mcos_os_id, 8);
MCOS_ABI_CHECK(mcos_mem_assign, 32);
MCOS_ABI_CHECK(mcos_mem_unassign, 16);
MCOS_ABI_CHECK(mcos_load, 32);
MCOS_ABI_CHECK(mcos_kargs, 16);
MCOS_ABI_CHECK(mcos_os_status, 56);
MCOS_ABI_CHECK(mcos_kmsg_read, 32);
MCOS_ABI_CHECK(mcos_boot_block, 168);
MCOS_ABI_CHECK(mcos_boot_cpu, 16);
MCOS_ABI_CHECK(mcos_boot_chunk, 24);
MCOS_ABI_CHECK(mcos_kmsg_ring, 32);
MCOS_ABI_CHECK(mcos_ikc_ring, 64);
MCOS_ABI_CHECK(mcos_ikc_packet, 64);
MCOS_ABI_CHECK(mcos_ikc_ping, 24);
MCOS_ABI_CHECK(mcos_proc_create, 72);
MCOS_ABI_CHECK(mcos_rank_join, 16);
MCOS_ABI_CHECK(mcos_proc_map, 24);
MCOS_ABI_CHECK(mcos_proc_start, 56);
MCOS_ABI_CHECK(mcos_proc_event, 80);
MCOS_ABI_CHECK(mcos_proc_reply, 16);
MCOS_ABI_CHECK(mcos_proc_kill, 32);
MCOS_ABI_CHECK(mcos_thread_attach, 16);
MCOS_ABI_CHECK(mcos_proc_pin, 16);

/*
 * Every field of the memory the module and the LWK share, where both
 * expect it: the two sides are built by different compilers (the kernel's
 * gcc, clang for the LWK) and read these structures at run time.
 */
#define MCOS_ABI_OFF(type, field, off) \
	_Static_assert(__builtin_offsetof(struct type, field) == (off), \
		       #type "." #field " moved")

MCOS_ABI_OFF(mcos_boot_block, magic, 0);
MCOS_ABI_OFF(mcos_boot_block, version, 4);
MCOS_ABI_OFF(mcos_boot_block, size, 8);
MCOS_ABI_OFF(mcos_boot_block, status, 12);
MCOS_ABI_OFF(mcos_boot_block, nr_cpus, 16);
MCOS_ABI_OFF(mcos_boot_block, nr_chunks, 20);
MCOS_ABI_OFF(mcos_boot_block, nr_nodes, 24);
MCOS_ABI_OFF(mcos_boot_block, kargs_len, 28);
MCOS_ABI_OFF(mcos_boot_block, cpus_off, 32);
MCOS_ABI_OFF(mcos_boot_block, chunks_off, 40);
MCOS_ABI_OFF(mcos_boot_block, distance_off, 48);
MCOS_ABI_OFF(mcos_boot_block, kargs_off, 56);
MCOS_ABI_OFF(mcos_boot_block, kmsg_phys, 64);
MCOS_ABI_OFF(mcos_boot_block, tsc_khz, 72);
MCOS_ABI_OFF(mcos_boot_block, free_off, 80);
MCOS_ABI_OFF(mcos_boot_block, trampoline_phys, 88);
MCOS_ABI_OFF(mcos_boot_block, tramp_lock_phys, 96);
MCOS_ABI_OFF(mcos_boot_block, ikc_phys, 104);
MCOS_ABI_OFF(mcos_boot_block, ikc_bytes, 112);
MCOS_ABI_OFF(mcos_boot_block, ikc_slots, 116);
MCOS_ABI_OFF(mcos_boot_block, shutdown, 120);
MCOS_ABI_OFF(mcos_boot_block, nr_started, 124);
MCOS_ABI_OFF(mcos_boot_block, nr_parked, 128);
MCOS_ABI_OFF(mcos_boot_block, panic_cpu, 132);
MCOS_ABI_OFF(mcos_boot_block, notify, 136);
MCOS_ABI_OFF(mcos_boot_block, nr_contexts, 144);
MCOS_ABI_OFF(mcos_boot_block, reserved, 152);

MCOS_ABI_OFF(mcos_boot_cpu, apic_id, 0);
MCOS_ABI_OFF(mcos_boot_cpu, node, 4);
MCOS_ABI_OFF(mcos_boot_cpu, linux_cpu, 8);

MCOS_ABI_OFF(mcos_boot_chunk, phys, 0);
MCOS_ABI_OFF(mcos_boot_chunk, bytes, 8);
MCOS_ABI_OFF(mcos_boot_chunk, node, 16);

MCOS_ABI_OFF(mcos_kmsg_ring, version, 0);
MCOS_ABI_OFF(mcos_kmsg_ring, data_bytes, 4);
MCOS_ABI_OFF(mcos_kmsg_ring, head, 8);
MCOS_ABI_OFF(mcos_kmsg_ring, start, 16);

MCOS_ABI_OFF(mcos_ikc_ring, write, 0);
MCOS_ABI_OFF(mcos_ikc_ring, read, 8);
MCOS_ABI_OFF(mcos_ikc_ring, slots, 16);
MCOS_ABI_OFF(mcos_ikc_ring, slot_bytes, 20);
MCOS_ABI_OFF(mcos_ikc_ring, magic, 24);
MCOS_ABI_OFF(mcos_ikc_ring, consumer_sleeps, 28);

MCOS_ABI_OFF(mcos_ikc_packet, version, 0);
MCOS_ABI_OFF(mcos_ikc_packet, type, 4);
MCOS_ABI_OFF(mcos_ikc_packet, seq, 8);
MCOS_ABI_OFF(mcos_ikc_packet, args, 16);

/* A pin list fills one page of the LWK's. */
_Static_assert(sizeof(struct mcos_pin_list) == 4096, "mcos_pin_list must fill a page");

/* Both counters of a ring are moved with single 64-bit stores. */
_Static_assert(__builtin_offsetof(struct mcos_ikc_ring, write) % 8 == 0 &&
	       __builtin_offsetof(struct mcos_ikc_ring, read) % 8 == 0,
	       "mcos_ikc_ring counters must be naturally aligned");
/* A ring's slots follow its header, one packet each. */
_Static_assert(sizeof(struct mcos_ikc_ring) % sizeof(struct mcos_ikc_packet) == 0,
	       "mcos_ikc_ring header must end on a slot boundary");
/* The IKC IPI must be an external-interrupt vector on x86 (32..255). */
_Static_assert(MCOS_IKC_VECTOR >= 32 && MCOS_IKC_VECTOR <= 255,
	       "MCOS_IKC_VECTOR is not an external-interrupt vector");
/* The user range is page-aligned, its parts in order, below the LWK's slots. */
_Static_assert(MCOS_USER_START % 4096 == 0 && MCOS_USER_END % 4096 == 0 &&
	       MCOS_USER_STACK_TOP % 4096 == 0 && MCOS_USER_MMAP_TOP % 4096 == 0,
	       "the user range must be page-aligned");
_Static_assert(MCOS_USER_START < MCOS_USER_PIE_BASE &&
	       MCOS_USER_PIE_BASE < MCOS_USER_MMAP_TOP &&
	       MCOS_USER_MMAP_TOP < MCOS_USER_STACK_TOP &&
	       MCOS_USER_STACK_TOP <= MCOS_USER_END &&
	       MCOS_USER_END <= MCOS_LWK_PHYS_MAP && MCOS_LWK_PHYS_MAP < MCOS_LWK_BASE,
	       "the address-space layout is out of order");

/* The proxy's requests are x32 numbers, so that no program's call is one. */
_Static_assert((MCOS_PROXY_FILE_FACTS & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_FILE_FILL & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_THREAD_CREATE & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_CHILD_REAPING & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_FILE_SHARE & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_SHM_ATTACH & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_SHM_SHARE & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_SHM_DETACH & MCOS_PROXY_REQUEST_BIT) &&
	       (MCOS_PROXY_CMA_ALLOWED & MCOS_PROXY_REQUEST_BIT) &&
	       MCOS_PROXY_FILE_FACTS != MCOS_PROXY_FILE_FILL &&
	       MCOS_PROXY_THREAD_CREATE != MCOS_PROXY_FILE_FILL,
	       "proxy requests must carry the x32 bit");
_Static_assert((MCOS_FILE_FACT_TYPE_MASK & (MCOS_FILE_FACT_READABLE | MCOS_FILE_FACT_WRITABLE |
					  MCOS_FILE_FACT_NOEXEC)) == 0,
	       "file facts overlap");

#endif /* MCOS_ABI_H */

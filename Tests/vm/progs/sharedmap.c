// SPDX-License-Identifier: GPL-2.0
/*
 * sharedmap - MAP_SHARED mappings of regular files (and of POSIX shared memory,
 * files in /dev/shm) as Linux makes them, for 95-shared-files, which runs each
 * case natively and on the LWK and compares the output and the exit status.
 * The file lives in Linux's page cache: whatever writes it (the mapping,
 * write(2) through any descriptor, another process's mapping, a process of
 * Linux's own) every other view sees at once, without msync.  Nothing printed
 * depends on where it runs (no pids, addresses or times); a parent prints only
 * before it forks and after its child told it or ended, so the lines come in
 * the same order every time.  No case has more than two processes alive (on
 * the LWK each holds an idle LWK CPU).  Each case makes its file in DIR (the
 * one named sharedmap-CASE, removed first) and removes it after, but
 * shared-write, whose file the scenario reads afterwards.
 *
 *   shared-write DIR      3 pages written through the mapping: read(2) and
 *                         pread(2) of another descriptor see them; msync;
 *                         a MAP_SHARED_VALIDATE mapping the same bytes
 *   shared-see-linux DIR  pwrite(2) and write(2) of the mapped file: the
 *                         mapping shows them; MADV_DONTNEED keeps them
 *   shared-fork DIR       a child's writes through the inherited mapping
 *                         seen by the parent, the parent's by a second child;
 *                         a child's munmap leaves the parent's mapping
 *   shm NAME              shm_open (O_EXCL), ftruncate, mmap; 100 rounds of
 *                         values with a native Linux process (shm-peer NAME)
 *                         through the shared pages, polled with nanosleep; the
 *                         object unlinked once the peer has it mapped
 *   shm-peer NAME         the other side: waits for NAME to exist, answers
 *   large DIR             8 MiB mapped, filled, checksummed through read(2);
 *                         a mapping at an offset shows the file's bytes there
 *   readonly DIR          O_RDONLY: MAP_SHARED PROT_READ shows the bytes,
 *                         PROT_WRITE is EACCES, mprotect to write EACCES;
 *                         MAP_PRIVATE writable stays private; O_WRONLY
 *                         EACCES; O_RDWR mapped PROT_READ may mprotect to write
 *   partial-unmap DIR     munmap of the middle page: the outer ones coherent
 *                         with read(2), the hole a SIGSEGV, then mapped again
 *                         with MAP_FIXED; two mappings of one file coherent
 *   cycles DIR N          N map, write, unmap cycles of a 64 KiB file
 *   two-procs DIR         parent and child map the file each on its own (the
 *                         child opens it again) and see each other's writes
 *   sysv -                System V shared memory: shmget, shmat, a child's
 *                         writes through the inherited attachment and a
 *                         second one, shm_nattch, IPC_RMID while attached and
 *                         attached again, SHM_RDONLY, shmdt's and shmat's
 *                         errors, the segment gone with its last attachment
 *   cma -                 process_vm_readv and process_vm_writev between a
 *                         parent and its child (iovecs of odd sizes across
 *                         pages), on itself, and their errors
 *   cma-drop -            (as root) the parent reads its child, gives up
 *                         root (setresuid to 65534), and is refused (EPERM)
 *                         reading and writing it from then on
 *   cma-linux FILE        process_vm_readv and process_vm_writev with a Linux
 *                         process, the cma-peer that wrote FILE: its bytes
 *                         read, overwritten, read back and restored (so that
 *                         a second run sees what the first saw), an address
 *                         it has not mapped
 *   cma-peer FILE         the other side, run natively: fills its memory,
 *                         writes "pid address" to FILE, then waits (60 s at
 *                         most) to be killed
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "children.h"
#include "said.h"

#define PAGE	4096u

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

/* ---- helpers ---- */

static char path[4096];

/* The file DIR/sharedmap-NAME (its path in path), new and empty, bytes long, read-write. */
static int make_file(const char *dir, const char *name, size_t bytes)
{
	int fd;

	snprintf(path, sizeof(path), "%s/sharedmap-%s", dir, name);
	if (unlink(path) && errno != ENOENT)
		exit(failure("unlink of the last run's file"));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		exit(failure("open O_CREAT"));
	if (ftruncate(fd, bytes))
		exit(failure("ftruncate"));
	return fd;
}

static void *map(size_t bytes, int prot, int flags, int fd, off_t offset)
{
	void *at = mmap(NULL, bytes, prot, flags, fd, offset);

	if (at == MAP_FAILED)
		exit(failure("mmap"));
	return at;
}

static void *map_shared(int fd, size_t bytes)
{
	return map(bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

/* The byte a pattern has at offset at: each seed its own, no page like another. */
static unsigned char pattern(size_t at, unsigned int seed)
{
	uint32_t x = (uint32_t)at * 2654435761u + seed * 40503u;

	return (unsigned char)(x >> 13 ^ at >> 12 ^ seed);
}

static void fill(unsigned char *to, size_t from, size_t bytes, unsigned int seed)
{
	for (size_t i = 0; i < bytes; i++)
		to[i] = pattern(from + i, seed);
}

/* whether [at, at + bytes) holds seed's pattern, as if it began at file offset from */
static int holds(const unsigned char *at, size_t from, size_t bytes, unsigned int seed)
{
	for (size_t i = 0; i < bytes; i++)
		if (at[i] != pattern(from + i, seed))
			return 0;
	return 1;
}

static uint64_t fnv1a(uint64_t hash, const unsigned char *bytes, size_t count)
{
	for (size_t i = 0; i < count; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ull;
	return hash;
}

#define FNV_START 0xcbf29ce484222325ull

/*
 * bytes of fd at offset into buf (or, writing, from it) through pread(2) or
 * pwrite(2); a short transfer ends the program
 */
static void transfer_all(int fd, void *buf, size_t bytes, off_t offset, int writing)
{
	char *at = buf;

	while (bytes) {
		ssize_t done = writing ? pwrite(fd, at, bytes, offset) : pread(fd, at, bytes, offset);

		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			exit(failure(writing ? "pwrite" : "pread"));
		at += done;
		offset += done;
		bytes -= done;
	}
}

static void pread_all(int fd, void *to, size_t bytes, off_t offset)
{
	transfer_all(fd, to, bytes, offset, 0);
}

static void pwrite_all(int fd, const void *from, size_t bytes, off_t offset)
{
	transfer_all(fd, (void *)from, bytes, offset, 1);
}

/* The whole file at path, through read(2) of a descriptor of its own. */
static unsigned char *read_file(size_t bytes)
{
	unsigned char *buf = malloc(bytes + 1);
	size_t total = 0;
	int fd = open(path, O_RDONLY);
	ssize_t got;

	if (!buf || fd < 0)
		exit(failure("malloc, open O_RDONLY"));
	while ((got = read(fd, buf + total, bytes + 1 - total)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			exit(failure("read"));
		total += got;
	}
	close(fd);
	if (total != bytes) {
		printf("FAILED read(2) of the file: %zu bytes, expected %zu\n", total, bytes);
		exit(1);
	}
	return buf;
}

/* "xx xx xx xx": four bytes of fd at offset, through pread(2) */
static const char *bytes_at(int fd, off_t offset)
{
	static char text[4][16];
	static int next;
	unsigned char b[4];
	char *t = text[next++ % 4];

	pread_all(fd, b, 4, offset);
	snprintf(t, 16, "%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
	return t;
}

static int mapping_errno(void *at)
{
	return at == MAP_FAILED ? errno : 0;
}

/* "0" or the errno's name, for a call that returns 0 or -1 */
static const char *result(int returned)
{
	return returned ? errno_name(errno) : "0";
}

static void remove_file(void)
{
	if (unlink(path))
		exit(failure("unlink"));
}

static void send_byte(int fd)
{
	if (write(fd, "!", 1) != 1)
		exit(failure("write to the pipe"));
}

static void await_byte(int fd)
{
	char byte;
	ssize_t got;

	do
		got = read(fd, &byte, 1);
	while (got < 0 && errno == EINTR);
	if (got != 1) {
		printf("FAILED read of the pipe: %s\n", got < 0 ? errno_name(errno) : "the other side is gone");
		exit(1);
	}
}

/* ---- shared-write: writes through the mapping, read(2) sees them at once ---- */

static int t_shared_write(const char *dir)
{
	size_t bytes = 3 * PAGE;
	int fd = make_file(dir, "shared-write", bytes), good, validated, synced;
	unsigned char *m = map_shared(fd, bytes), *file, *again;
	uint64_t sum;

	printf("shared-write: a file of 3 pages mapped MAP_SHARED, a pattern written through the mapping\n");
	fill(m, 0, bytes, 1);
	file = read_file(bytes);
	good = holds(file, 0, bytes, 1);
	sum = fnv1a(FNV_START, file, bytes);
	printf("read(2) of another descriptor: every byte as written %s, fnv1a %016llx\n", yes(good),
	       (unsigned long long)sum);
	printf("pread(2): at 0 %s, at 4094 %s, at 12284 %s\n", bytes_at(fd, 0), bytes_at(fd, 4094), bytes_at(fd, 12284));
	free(file);
	synced = msync(m, bytes, MS_SYNC);
	printf("msync MS_SYNC: %s\n", result(synced));

	/* a second write, after msync, to the middle page only: the file the scenario reads has both */
	fill(m + PAGE, PAGE, PAGE, 2);
	file = read_file(bytes);
	good &= holds(file, 0, PAGE, 1) && holds(file + PAGE, PAGE, PAGE, 2) && holds(file + 2 * PAGE, 2 * PAGE, PAGE, 1);
	printf("after a second write to page 1: read(2) sees pages 0 and 2 as first written, page 1 as written again %s\n",
	       yes(good));
	again = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, fd, 0);
	validated = again != MAP_FAILED && !memcmp(again, file, bytes);
	printf("a MAP_SHARED_VALIDATE mapping: %s, the same bytes %s\n",
	       again == MAP_FAILED ? errno_name(errno) : "mapped", yes(validated));
	free(file);
	if (munmap(m, bytes) || (again != MAP_FAILED && munmap(again, bytes)) || close(fd))
		return failure("munmap, close");
	return good && validated && !synced ? 0 : 1;
}

/* ---- shared-see-linux: write(2) to the file, the mapping shows it ---- */

static int t_shared_see_linux(const char *dir)
{
	size_t bytes = 2 * PAGE;
	int fd = make_file(dir, "see-linux", 0), first, spanning, page, overlapped, kept, after;
	unsigned char *m, buf[2 * PAGE];
	static const char line[] = "written by pwrite(2)";

	printf("shared-see-linux: a file of 2 pages written by write(2), mapped MAP_SHARED\n");
	fill(buf, 0, bytes, 3);
	if (write(fd, buf, bytes) != (ssize_t)bytes)
		return failure("write");
	m = map_shared(fd, bytes);
	first = holds(m, 0, bytes, 3);
	printf("the mapping shows what write(2) wrote %s\n", yes(first));

	pwrite_all(fd, line, sizeof(line), PAGE - 8);
	spanning = !memcmp(m + PAGE - 8, line, sizeof(line)) && holds(m, 0, PAGE - 8, 3) &&
		   holds(m + PAGE - 8 + sizeof(line), PAGE - 8 + sizeof(line), PAGE + 8 - sizeof(line), 3);
	printf("a pwrite(2) across the page boundary: the mapping shows it, and the bytes around as they were %s\n",
	       yes(spanning));

	fill(buf, PAGE, PAGE, 4);
	pwrite_all(fd, buf, PAGE, PAGE);
	page = holds(m + PAGE, PAGE, PAGE, 4);
	printf("a pwrite(2) of all of page 1: the mapping shows it %s\n", yes(page));

	/* the mapping writes, then pwrite(2) overwrites part of that: the last writer wins byte by byte */
	fill(m, 0, PAGE, 5);
	pwrite_all(fd, line, sizeof(line), 100);
	overlapped = holds(m, 0, 100, 5) && !memcmp(m + 100, line, sizeof(line)) &&
		     holds(m + 100 + sizeof(line), 100 + sizeof(line), PAGE - 100 - sizeof(line), 5);
	printf("the mapping's write, then a pwrite(2) over part of it: each byte the last one written %s\n",
	       yes(overlapped));

	if (madvise(m, bytes, MADV_DONTNEED))
		return failure("madvise");
	kept = !memcmp(m + 100, line, sizeof(line)) && holds(m + PAGE, PAGE, PAGE, 4) && holds(m, 0, 100, 5);
	printf("after MADV_DONTNEED the mapping shows the file's bytes still %s\n", yes(kept));
	if (lseek(fd, 200, SEEK_SET) != 200 || write(fd, "write(2)", 8) != 8)
		return failure("lseek, write");
	after = !memcmp(m + 200, "write(2)", 8);
	printf("a write(2) after MADV_DONTNEED: the mapping shows it %s\n", yes(after));
	if (munmap(m, bytes) || close(fd))
		return failure("munmap, close");
	remove_file();
	return first && spanning && page && overlapped && kept && after ? 0 : 1;
}

/* ---- shared-fork: the mapping through fork ---- */

static int t_shared_fork(const char *dir)
{
	size_t bytes = 2 * PAGE;
	int fd = make_file(dir, "fork", bytes), status, second, parents, through_read, intact;
	unsigned char *m = map_shared(fd, bytes), *file;
	pid_t child;

	fill(m, 0, bytes, 6);
	printf("shared-fork: a file of 2 pages mapped MAP_SHARED and written, the child writes page 1\n");
	child = fork_checked();
	if (child == 0) {
		int found = holds(m, 0, bytes, 6);

		fill(m + PAGE, PAGE, PAGE, 7);
		printf("child: sees the parent's bytes %s, writes page 1\n", yes(found));
		exit(found ? 0 : 1);
	}
	status = reap(child);
	file = read_file(bytes);
	through_read = holds(file, 0, PAGE, 6) && holds(file + PAGE, PAGE, PAGE, 7);
	free(file);
	parents = holds(m, 0, PAGE, 6) && holds(m + PAGE, PAGE, PAGE, 7);
	printf("parent: the child %s; the mapping shows the child's page 1 %s, read(2) too %s\n", ending(status),
	       yes(parents), yes(through_read));

	fill(m, 0, PAGE, 8);
	printf("parent: writes page 0, a second child\n");
	child = fork_checked();
	if (child == 0) {
		int found = holds(m, 0, PAGE, 8) && holds(m + PAGE, PAGE, PAGE, 7);

		printf("second child: sees the parent's page 0 %s, unmaps its mapping\n", yes(found));
		if (munmap(m, bytes))
			exit(failure("munmap"));
		exit(found ? 0 : 1);
	}
	second = reap(child);
	intact = holds(m, 0, PAGE, 8) && holds(m + PAGE, PAGE, PAGE, 7);
	fill(m + PAGE, PAGE, PAGE, 9);
	file = read_file(bytes);
	intact &= holds(file + PAGE, PAGE, PAGE, 9);
	free(file);
	printf("parent: the second child %s; its own mapping as it was and still the file's %s\n", ending(second),
	       yes(intact));
	if (munmap(m, bytes) || close(fd))
		return failure("munmap, close");
	remove_file();
	return exited_with(status, 0) && exited_with(second, 0) && parents && through_read && intact ? 0 : 1;
}

/* ---- shm, shm-peer: POSIX shared memory with a Linux process ---- */

#define SHM_PAGES	4
#define SHM_ROUNDS	100
/* Seconds a side waits for the other before it says so and gives up. */
#define SHM_PATIENCE	30

/* Page 0 of the object; pages 1-3 hold the values. */
struct shm_control {
	uint64_t attached;
	uint64_t done;
	uint64_t ping;
	uint64_t pong;
};

static uint64_t main_value(uint64_t round)
{
	return round * 0x9e3779b97f4a7c15ull ^ 0x5111;
}

/* the peer's answer: made of what it read, so a stale read gives a wrong one */
static uint64_t peer_answer(uint64_t read)
{
	return read * 3 + 1;
}

/* where round r's values go: main's word, the peer's the next */
static uint64_t *shm_slot(unsigned char *shm, uint64_t round)
{
	uint64_t *words = (uint64_t *)(shm + PAGE * (1 + round % (SHM_PAGES - 1)));

	return words + (round * 37) % (PAGE / 8 - 1);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void pause_briefly(void)
{
	struct timespec t = { 0, 100000 };

	nanosleep(&t, NULL);
}

/* Polls *word until it holds value: 0, or -1 after SHM_PATIENCE seconds. */
static int await_word64(uint64_t *word, uint64_t value)
{
	double deadline = now() + SHM_PATIENCE;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != value) {
		if (now() > deadline)
			return -1;
		pause_briefly();
	}
	return 0;
}

static int timed_out(const char *what, uint64_t round)
{
	if (round)
		printf("FAILED waiting %d s for %s in round %llu: timed out\n", SHM_PATIENCE, what, (unsigned long long)round);
	else
		printf("FAILED waiting %d s for %s: timed out\n", SHM_PATIENCE, what);
	return 1;
}

static int t_shm(const char *name)
{
	size_t bytes = SHM_PAGES * PAGE;
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), unlinked, gone, good = 0;
	unsigned char *shm;
	struct shm_control *c;
	struct stat st;
	uint64_t last;

	if (fd < 0)
		return failure("shm_open O_CREAT O_EXCL");
	/* a failure from here unlinks the name first: no object is left behind */
	if (ftruncate(fd, bytes) || fstat(fd, &st) ||
	    (shm = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		int err = errno;

		shm_unlink(name);
		errno = err;
		return failure("ftruncate, fstat, mmap");
	}
	c = (struct shm_control *)shm;
	printf("shm: shm_open O_CREAT O_EXCL, ftruncate to %lld bytes, mmap MAP_SHARED\n", (long long)st.st_size);
	if (await_word64(&c->attached, 1)) {
		shm_unlink(name);
		return timed_out("the peer to map the object", 0);
	}
	unlinked = shm_unlink(name);
	gone = shm_open(name, O_RDWR, 0) < 0 && errno == ENOENT;
	printf("shm: the peer mapped it; shm_unlink %s, a shm_open of the name after: ENOENT %s\n", result(unlinked),
	       yes(gone));
	for (uint64_t r = 1; r <= SHM_ROUNDS; r++) {
		uint64_t *slot = shm_slot(shm, r);

		slot[0] = main_value(r);
		__atomic_store_n(&c->ping, r, __ATOMIC_RELEASE);
		if (await_word64(&c->pong, r))
			return timed_out("the peer's answer", r);
		good += slot[1] == peer_answer(main_value(r));
	}
	printf("shm: %d rounds, the peer's answer to each as expected: %d\n", SHM_ROUNDS, good);
	pread_all(fd, &last, sizeof(last), (unsigned char *)(shm_slot(shm, SHM_ROUNDS) + 1) - shm);
	printf("shm: pread(2) of the object shows the peer's last answer %s\n",
	       yes(last == peer_answer(main_value(SHM_ROUNDS))));
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	if (munmap(shm, bytes) || close(fd))
		return failure("munmap, close");
	return !unlinked && gone && good == SHM_ROUNDS && last == peer_answer(main_value(SHM_ROUNDS)) ? 0 : 1;
}

static int t_shm_peer(const char *name)
{
	size_t bytes = SHM_PAGES * PAGE;
	double deadline = now() + SHM_PATIENCE;
	struct shm_control *c;
	unsigned char *shm;
	struct stat st;
	int fd, good = 0;

	/* the other side creates it, then gives it its size */
	while ((fd = shm_open(name, O_RDWR, 0)) < 0 || fstat(fd, &st) || st.st_size < (off_t)bytes) {
		if (fd < 0 && errno != ENOENT)
			return failure("shm_open");
		if (fd >= 0)
			close(fd);
		if (now() > deadline)
			return timed_out("the object to exist with its size", 0);
		pause_briefly();
	}
	shm = map_shared(fd, bytes);
	c = (struct shm_control *)shm;
	__atomic_store_n(&c->attached, 1, __ATOMIC_RELEASE);
	for (uint64_t r = 1; r <= SHM_ROUNDS; r++) {
		uint64_t *slot = shm_slot(shm, r);

		if (await_word64(&c->ping, r))
			return timed_out("the other side's value", r);
		good += slot[0] == main_value(r);
		slot[1] = peer_answer(slot[0]);
		__atomic_store_n(&c->pong, r, __ATOMIC_RELEASE);
	}
	if (await_word64(&c->done, 1))
		return timed_out("the other side to finish", SHM_ROUNDS);
	printf("shm-peer: mapped the object, %d rounds, the other side's value in each as expected: %d\n", SHM_ROUNDS,
	       good);
	if (munmap(shm, bytes) || close(fd))
		return failure("munmap, close");
	return good == SHM_ROUNDS ? 0 : 1;
}

/* ---- large: 8 MiB, past what one pin takes ---- */

static int t_large(const char *dir)
{
	size_t bytes = 8u << 20, window = (1u << 20) + PAGE, chunk = 256u << 10;
	off_t offset = 5u << 20;
	int fd = make_file(dir, "large", bytes), good = 1, windowed, last;
	unsigned char *m = map_shared(fd, bytes), *w, *buf = malloc(chunk), tail[16];
	uint64_t expected = FNV_START, sum = FNV_START;
	int rfd;

	if (!buf)
		return failure("malloc");
	printf("large: a file of 8 MiB mapped MAP_SHARED, filled through the mapping\n");
	fill(m, 0, bytes, 10);
	/* the checksum of the pattern itself, not of the mapping: a mapping that reads what it wrote elsewhere fails */
	for (size_t at = 0; at < bytes; at += chunk) {
		fill(buf, at, chunk, 10);
		expected = fnv1a(expected, buf, chunk);
	}
	rfd = open(path, O_RDONLY);
	if (rfd < 0)
		return failure("open O_RDONLY");
	for (size_t at = 0; at < bytes; at += chunk) {
		ssize_t got = read(rfd, buf, chunk);

		if (got != (ssize_t)chunk)
			return failure("read");
		good &= holds(buf, at, chunk, 10);
		sum = fnv1a(sum, buf, chunk);
	}
	close(rfd);
	printf("read(2) of the file: every byte as written %s, fnv1a %016llx, the pattern's %s\n", yes(good),
	       (unsigned long long)sum, yes(sum == expected));

	w = map(window, PROT_READ, MAP_SHARED, fd, offset);
	windowed = holds(w, offset, window, 10);
	printf("a second mapping of 1 MiB and a page at 5 MiB shows the file's bytes there %s\n", yes(windowed));
	fill(tail, bytes - sizeof(tail), sizeof(tail), 11);
	pwrite_all(fd, tail, sizeof(tail), bytes - sizeof(tail));
	last = !memcmp(m + bytes - sizeof(tail), tail, sizeof(tail)) &&
	       holds(m + bytes - PAGE, bytes - PAGE, PAGE - sizeof(tail), 10);
	printf("a pwrite(2) to the last bytes: the mapping shows them, and the rest of the page as written %s\n",
	       yes(last));
	free(buf);
	if (munmap(w, window) || munmap(m, bytes) || close(fd))
		return failure("munmap, close");
	remove_file();
	return good && sum == expected && windowed && last ? 0 : 1;
}

/* ---- readonly: what a descriptor's access mode allows ---- */

static int t_readonly(const char *dir)
{
	size_t bytes = 2 * PAGE;
	int fd = make_file(dir, "readonly", 0), rfd, wfd, shows, prot_write, mprotected, own, seen, to_read, written;
	unsigned char buf[2 * PAGE], *m, *w, *p;

	fill(buf, 0, bytes, 12);
	if (write(fd, buf, bytes) != (ssize_t)bytes)
		return failure("write");
	rfd = open(path, O_RDONLY);
	wfd = open(path, O_WRONLY);
	if (rfd < 0 || wfd < 0)
		return failure("open O_RDONLY, O_WRONLY");
	printf("readonly: a file of 2 pages opened O_RDONLY\n");
	m = map(bytes, PROT_READ, MAP_SHARED, rfd, 0);
	shows = holds(m, 0, bytes, 12);
	printf("MAP_SHARED PROT_READ shows its bytes %s\n", yes(shows));
	prot_write = mapping_errno(mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0));
	printf("MAP_SHARED PROT_READ|PROT_WRITE: %s\n", prot_write ? errno_name(prot_write) : "mapped");
	mprotected = mprotect(m, bytes, PROT_READ | PROT_WRITE) ? errno : 0;
	printf("mprotect of the PROT_READ mapping to PROT_READ|PROT_WRITE: %s\n",
	       mprotected ? errno_name(mprotected) : "0");

	p = map(bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, rfd, 0);
	memset(p, 0xee, 16);
	pread_all(fd, buf, 16, 0);
	own = p[0] == 0xee && holds(buf, 0, 16, 12) && holds(m, 0, 16, 12);
	printf("MAP_PRIVATE PROT_WRITE of it: its writes its own, the file and the shared mapping unchanged %s\n",
	       yes(own));
	to_read = mapping_errno(mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, wfd, 0));
	printf("opened O_WRONLY, MAP_SHARED PROT_READ|PROT_WRITE: %s\n", to_read ? errno_name(to_read) : "mapped");

	/* VM_MAYWRITE comes from the descriptor, not from the mapping's first protection */
	w = map(bytes, PROT_READ, MAP_SHARED, fd, 0);
	written = mprotect(w, bytes, PROT_READ | PROT_WRITE);
	printf("opened O_RDWR, mapped PROT_READ, mprotect to PROT_READ|PROT_WRITE: %s\n", result(written));
	if (!written)
		memcpy(w + PAGE, "through the mprotect'ed mapping", 32);
	pread_all(rfd, buf, 32, PAGE);
	seen = !written && !memcmp(buf, "through the mprotect'ed mapping", 32) &&
	       !memcmp(m + PAGE, "through the mprotect'ed mapping", 32);
	printf("its write: read(2) and the O_RDONLY descriptor's mapping see it %s\n", yes(seen));
	if (munmap(m, bytes) || munmap(w, bytes) || munmap(p, bytes) || close(rfd) || close(wfd) || close(fd))
		return failure("munmap, close");
	remove_file();
	return shows && prot_write == EACCES && mprotected == EACCES && own && to_read == EACCES && seen ? 0 : 1;
}

/* ---- partial-unmap: a hole in a mapping; two mappings of one file ---- */

static sigjmp_buf jump;
static volatile sig_atomic_t fault_code;

static void on_segv(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	fault_code = info->si_code;
	siglongjmp(jump, 1);
}

/* whether reading *at faults, and how (SEGV_MAPERR, SEGV_ACCERR) */
static const char *touch(volatile unsigned char *at)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO }, old;
	const char *said = "no fault";

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old))
		exit(failure("sigaction"));
	fault_code = 0;
	if (sigsetjmp(jump, 1) == 0)
		(void)*at;
	else
		said = fault_code == SEGV_MAPERR ? "SIGSEGV SEGV_MAPERR" :
		       fault_code == SEGV_ACCERR ? "SIGSEGV SEGV_ACCERR" : "SIGSEGV, another si_code";
	sigaction(SIGSEGV, &old, NULL);
	return said;
}

static int t_partial_unmap(const char *dir)
{
	size_t bytes = 3 * PAGE;
	int fd = make_file(dir, "partial", bytes), unmapped, outer, refilled, both_ways, still, good;
	unsigned char *m = map_shared(fd, bytes), *second, *again, *file, buf[PAGE];
	const char *hole;

	fill(m, 0, bytes, 13);
	unmapped = munmap(m + PAGE, PAGE);
	/* touched before anything could be placed in the hole */
	hole = touch(m + PAGE);
	printf("partial-unmap: 3 pages mapped MAP_SHARED and written, munmap of the middle one %s\n",
	       result(unmapped));
	printf("the hole: %s\n", hole);
	fill(m, 0, PAGE, 14);
	fill(m + 2 * PAGE, 2 * PAGE, PAGE, 14);
	file = read_file(bytes);
	outer = holds(file, 0, PAGE, 14) && holds(file + PAGE, PAGE, PAGE, 13) && holds(file + 2 * PAGE, 2 * PAGE, PAGE, 14);
	free(file);
	printf("the outer pages written again: read(2) sees them, and the middle page as first written %s\n",
	       yes(outer));

	fill(buf, PAGE, PAGE, 15);
	pwrite_all(fd, buf, PAGE, PAGE);
	again = mmap(m + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, PAGE);
	refilled = again == m + PAGE && holds(m, 0, PAGE, 14) && holds(m + PAGE, PAGE, PAGE, 15) &&
		   holds(m + 2 * PAGE, 2 * PAGE, PAGE, 14);
	printf("page 1 pwritten, then mapped into the hole with MAP_FIXED: the three pages show the file %s\n",
	       yes(refilled));

	second = map_shared(fd, bytes);
	memcpy(second + 10, "through the second", 18);
	memcpy(m + 2 * PAGE + 10, "through the first", 17);
	both_ways = !memcmp(m + 10, "through the second", 18) && !memcmp(second + 2 * PAGE + 10, "through the first", 17);
	printf("a second mapping of the file: each shows the other's writes %s\n", yes(both_ways));
	if (munmap(m, bytes))
		return failure("munmap");
	fill(second + PAGE, PAGE, PAGE, 16);
	file = read_file(bytes);
	still = holds(second + PAGE, PAGE, PAGE, 16) && holds(file + PAGE, PAGE, PAGE, 16) &&
		!memcmp(file + 10, "through the second", 18) && !memcmp(file + 2 * PAGE + 10, "through the first", 17);
	free(file);
	printf("the first unmapped: the second still writes the file %s\n", yes(still));
	good = !unmapped && !strcmp(hole, "SIGSEGV SEGV_MAPERR") && outer && refilled && both_ways && still;
	if (munmap(second, bytes) || close(fd))
		return failure("munmap, close");
	remove_file();
	return good ? 0 : 1;
}

/* ---- cycles: map, write, unmap, again and again ---- */

static int t_cycles(const char *dir, int n)
{
	size_t bytes = 64u << 10, pages = bytes / PAGE;
	int fd = make_file(dir, "cycles", bytes), counted = 1, slots = 1, rest = 1;
	uint32_t *words, *file;

	printf("cycles: %d times a file of 64 KiB mapped MAP_SHARED, each page's counter incremented, unmapped\n", n);
	for (int c = 0; c < n; c++) {
		words = map_shared(fd, bytes);
		for (size_t k = 0; k < pages; k++)
			words[k * PAGE / 4]++;
		/* each cycle's own word: one in a page the cycle's number chooses */
		words[(c % pages) * PAGE / 4 + 1 + c / pages] = c + 1;
		if (munmap(words, bytes))
			return failure("munmap");
	}
	file = (uint32_t *)read_file(bytes);
	for (size_t i = 0; i < bytes / 4; i++) {
		size_t page = i / (PAGE / 4), in_page = i % (PAGE / 4);
		size_t c = in_page ? (in_page - 1) * pages + page : 0;

		if (!in_page)
			counted &= file[i] == (uint32_t)n;
		else if (c < (size_t)n)
			slots &= file[i] == c + 1;
		else
			rest &= file[i] == 0;
	}
	free(file);
	printf("read(2): every page's counter %d %s, every cycle's word %s, the rest zero %s\n", n, yes(counted),
	       yes(slots), yes(rest));
	if (close(fd))
		return failure("close");
	remove_file();
	return counted && slots && rest ? 0 : 1;
}

/* ---- two-procs: two processes, two mappings of their own ---- */

static int t_two_procs(const char *dir)
{
	size_t bytes = 2 * PAGE;
	int fd = make_file(dir, "two-procs", bytes), to_child[2], to_parent[2], status, seen, final;
	unsigned char *m, *file;
	pid_t child;

	if (pipe(to_child) || pipe(to_parent))
		return failure("pipe");
	printf("two-procs: a parent and its child open and map the file each on its own\n");
	child = fork_checked();
	if (child == 0) {
		int cfd = open(path, O_RDWR), found, again;
		unsigned char *cm;

		close(fd);
		if (cfd < 0)
			exit(failure("open"));
		cm = map_shared(cfd, bytes);
		await_byte(to_child[0]);
		found = holds(cm, 0, PAGE, 17);
		fill(cm + PAGE, PAGE, PAGE, 18);
		printf("child: its mapping shows the parent's page 0 %s, writes page 1\n", yes(found));
		fflush(stdout);
		send_byte(to_parent[1]);
		await_byte(to_child[0]);
		again = holds(cm + PAGE, PAGE, 64, 19) && holds(cm + PAGE + 64, PAGE + 64, PAGE - 64, 18);
		printf("child: shows the parent's write over its own %s, unmaps\n", yes(again));
		exit(munmap(cm, bytes) || !found || !again);
	}
	m = map_shared(fd, bytes);
	fill(m, 0, PAGE, 17);
	send_byte(to_child[1]);
	await_byte(to_parent[0]);
	seen = holds(m + PAGE, PAGE, PAGE, 18);
	fill(m + PAGE, PAGE, 64, 19);
	printf("parent: its mapping shows the child's page 1 %s, writes over part of it\n", yes(seen));
	fflush(stdout);
	send_byte(to_child[1]);
	status = reap(child);
	file = read_file(bytes);
	final = holds(file, 0, PAGE, 17) && holds(file + PAGE, PAGE, 64, 19) && holds(file + PAGE + 64, PAGE + 64, PAGE - 64, 18);
	free(file);
	printf("parent: the child %s; read(2) sees both processes' writes %s\n", ending(status), yes(final));
	if (munmap(m, bytes) || close(fd))
		return failure("munmap, close");
	remove_file();
	return exited_with(status, 0) && seen && final ? 0 : 1;
}

/*
 * Process-shared synchronisation in a file's shared page, as multiprocessing's
 * locks and MPI libraries use it: a parent and its child each take a
 * PTHREAD_PROCESS_SHARED mutex 2000 times around a shared counter, then
 * ping-pong 200 times through two process-shared semaphores, so that each
 * waits in a futex of that page for the other's wake.
 */
struct psync {
	pthread_mutex_t lock;
	sem_t ping, pong;
	long counter;
};

static void psync_work(struct psync *p, int child)
{
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&p->lock);
		p->counter++;
		pthread_mutex_unlock(&p->lock);
	}
	for (int i = 0; i < 200; i++) {
		if (child) {
			sem_wait(&p->ping);
			sem_post(&p->pong);
		} else {
			sem_post(&p->ping);
			sem_wait(&p->pong);
		}
	}
}

static int t_psync(const char *dir)
{
	int fd = make_file(dir, "psync", PAGE), status;
	struct psync *p = map_shared(fd, PAGE);
	long counter;
	pthread_mutexattr_t attr;
	pid_t child;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (pthread_mutex_init(&p->lock, &attr) || sem_init(&p->ping, 1, 0) || sem_init(&p->pong, 1, 0))
		return failure("pthread_mutex_init, sem_init");
	child = fork();
	if (child < 0)
		return failure("fork");
	if (child == 0) {
		psync_work(p, 1);
		_exit(0);
	}
	psync_work(p, 0);
	status = reap(child);
	counter = p->counter;
	printf("psync: a process-shared mutex taken 2000 times by each of two processes: counter %ld\n", counter);
	printf("psync: 200 rounds through two process-shared semaphores, the child %s\n", ending(status));
	if (munmap(p, PAGE) || close(fd))
		return failure("munmap, close");
	remove_file();
	return exited_with(status, 0) && counter == 4000 ? 0 : 1;
}

/*
 * A mapping longer than its file: the last page's tail past the end reads as
 * zero, a page wholly past the end is SIGBUS (BUS_ADRERR) for reads and
 * writes alike, as mmap(2) says.
 */
static sigjmp_buf past_end_jump;
static volatile siginfo_t past_end_info;

static void past_end_handler(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	past_end_info = *info;
	siglongjmp(past_end_jump, 1);
}

static const char *touch_past_end(volatile unsigned char *at, int write)
{
	static char said[96];

	memset((void *)&past_end_info, 0, sizeof(past_end_info));
	if (sigsetjmp(past_end_jump, 1) == 0) {
		if (write)
			*at = 1;
		else
			(void)*at;
		return "no signal";
	}
	snprintf(said, sizeof(said), "%s %s, at the address %s", signal_name(past_end_info.si_signo),
		 past_end_info.si_code == BUS_ADRERR ? "BUS_ADRERR" : "another code",
		 yes(past_end_info.si_addr == (void *)at));
	return said;
}

static int t_past_end(const char *dir)
{
	int fd = make_file(dir, "past-end", PAGE + 100), tail_zero = 1;
	struct sigaction sa = { .sa_sigaction = past_end_handler, .sa_flags = SA_SIGINFO };
	unsigned char *m = map_shared(fd, 4 * PAGE);

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	fill(m, 0, PAGE + 100, 29);
	for (size_t i = PAGE + 100; i < 2 * PAGE; i++)
		tail_zero = tail_zero && m[i] == 0;
	printf("past-end: a file of a page and 100 bytes mapped 4 pages long\n");
	printf("the rest of its last page reads as zero %s\n", yes(tail_zero));
	printf("a read of page 2: %s\n", touch_past_end(m + 2 * PAGE + 8, 0));
	printf("a write to page 3: %s\n", touch_past_end(m + 3 * PAGE, 1));
	if (munmap(m, 4 * PAGE) || close(fd))
		return failure("munmap, close");
	remove_file();
	return tail_zero ? 0 : 1;
}

/*
 * A mapping whose program is killed with its proxy (kill -9 of mcexec): 4 pages
 * mapped shared and written, "mapped" said, then a wait for the kill.
 */
static int t_hold(const char *dir)
{
	int fd = make_file(dir, "hold", 4 * PAGE);
	unsigned char *m = map_shared(fd, 4 * PAGE);

	fill(m, 0, 4 * PAGE, 23);
	printf("hold: 4 pages mapped\n");
	for (int i = 0; i < 600; i++)
		usleep(100000);
	return 1;
}

/* The attachments Linux counts for segment 'id' (shm_nattch), -1 if it cannot say. */
static long attachments(int id)
{
	struct shmid_ds status;

	return shmctl(id, IPC_STAT, &status) == 0 ? (long)status.shm_nattch : -1;
}

static void *attach_errno(void *at, int *err)
{
	*err = at == (void *)-1 ? errno : 0;
	return at == (void *)-1 ? NULL : at;
}

static int t_sysv(void)
{
	size_t bytes = 2 * PAGE + 100;	/* shmat maps 3 pages */
	int id = shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0600), err, status, found, intact;
	unsigned char *m, *again, *readonly;
	struct shmid_ds facts;
	pid_t child;

	if (id < 0) {
		printf("sysv: shmget: %s\n", errno_name(errno));
		return 1;
	}
	m = attach_errno(shmat(id, NULL, 0), &err);
	if (!m) {
		printf("sysv: shmat: %s\n", errno_name(err));
		shmctl(id, IPC_RMID, NULL);
		return 1;
	}
	fill(m, 0, 3 * PAGE, 11);
	shmctl(id, IPC_STAT, &facts);
	printf("sysv: a segment of %zu bytes attached and written, %ld attachment(s), the last by this process %s\n",
	       (size_t)facts.shm_segsz, (long)facts.shm_nattch, yes(facts.shm_lpid == getpid()));

	child = fork_checked();
	if (child == 0) {
		found = holds(m, 0, 3 * PAGE, 11);
		again = attach_errno(shmat(id, NULL, SHM_RDONLY), &err);
		fill(m + PAGE, PAGE, PAGE, 12);
		printf("child: sees the parent's bytes %s, %ld attachments, a second one read-only sees its write %s\n",
		       yes(found), attachments(id), yes(again && holds(again + PAGE, PAGE, PAGE, 12)));
		printf("child: shmdt of it %s; mprotect of the first to read-only %s\n", result(again ? shmdt(again) : -1),
		       result(mprotect(m, PAGE, PROT_READ)));
		exit(found ? 0 : 1);
	}
	status = reap(child);
	printf("parent: the child %s; its page 1 seen %s, %ld attachment(s) now\n", ending(status),
	       yes(holds(m + PAGE, PAGE, PAGE, 12)), attachments(id));

	printf("parent: IPC_RMID %s\n", result(shmctl(id, IPC_RMID, NULL)));
	again = attach_errno(shmat(id, NULL, 0), &err);
	intact = again && holds(again, 0, PAGE, 11) && holds(again + PAGE, PAGE, PAGE, 12);
	printf("parent: attached again after IPC_RMID while attached: %s, the same bytes %s\n", errno_name(err), yes(intact));
	readonly = attach_errno(shmat(id, NULL, SHM_RDONLY), &err);
	printf("parent: read-only: %s, mprotect to write %s\n", errno_name(err),
	       readonly ? result(mprotect(readonly, PAGE, PROT_READ | PROT_WRITE)) : "-");
	printf("parent: shmdt of a middle address %s, of an address without one %s\n",
	       result(shmdt(m + PAGE)), result(shmdt(m + 64 * PAGE)));
	attach_errno(shmat(id, (void *)((uintptr_t)m + 5 * PAGE + 1), 0), &err);
	printf("parent: shmat at an unaligned address %s\n", errno_name(err));
	printf("parent: shmdt of the three: %s %s %s\n", result(shmdt(m)), result(again ? shmdt(again) : -1),
	       result(readonly ? shmdt(readonly) : -1));
	attach_errno(shmat(id, NULL, 0), &err);
	printf("parent: once all are gone the removed segment is too: shmat %s\n", errno_name(err));
	attach_errno(shmat(-1, NULL, 0), &err);
	printf("parent: shmat of id -1 %s\n", errno_name(err));
	return status == 0 && intact ? 0 : 1;
}

/* "0" or the errno's name, for a call that returns a count or -1 */
static const char *count_or_errno(ssize_t returned, size_t expected)
{
	static char text[32];

	if (returned < 0)
		return errno_name(errno);
	snprintf(text, sizeof(text), "%s", (size_t)returned == expected ? "all" : "short");
	return text;
}

static int t_cma(void)
{
	size_t bytes = 3 * PAGE + 100;
	unsigned char *mine = malloc(bytes), *theirs_copy = malloc(bytes), go = 1;
	int to_parent[2], to_child[2], status, good;
	struct iovec local[2], remote[1];
	uintptr_t theirs;
	pid_t child;
	ssize_t n;

	if (!mine || !theirs_copy || pipe(to_parent) || pipe(to_child))
		return 1;
	fill(mine, 0, bytes, 21);
	printf("cma: process_vm_readv and process_vm_writev between a parent and its child\n");
	child = fork_checked();
	if (child == 0) {
		unsigned char *buffer = malloc(bytes);

		fill(buffer, 0, bytes, 22);
		theirs = (uintptr_t)buffer;
		if (write(to_parent[1], &theirs, sizeof(theirs)) != sizeof(theirs) || read(to_child[0], &go, 1) != 1)
			exit(2);
		good = holds(buffer, 0, bytes, 21);
		printf("child: the parent's bytes arrived %s\n", yes(good));
		exit(good ? 0 : 1);
	}
	if (read(to_parent[0], &theirs, sizeof(theirs)) != sizeof(theirs))
		return 1;
	/* two local pieces of odd sizes for one remote range */
	local[0].iov_base = theirs_copy;
	local[0].iov_len = 1000;
	local[1].iov_base = theirs_copy + 1000;
	local[1].iov_len = bytes - 1000;
	remote[0].iov_base = (void *)theirs;
	remote[0].iov_len = bytes;
	n = process_vm_readv(child, local, 2, remote, 1, 0);
	printf("parent: readv %s, the child's bytes %s\n", count_or_errno(n, bytes), yes(holds(theirs_copy, 0, bytes, 22)));
	local[0].iov_base = mine;
	local[0].iov_len = bytes;
	n = process_vm_writev(child, local, 1, remote, 1, 0);
	printf("parent: writev %s\n", count_or_errno(n, bytes));
	printf("parent: flags 1 %s\n", count_or_errno(process_vm_readv(child, local, 1, remote, 1, 1), 0));
	remote[0].iov_base = (void *)16;
	remote[0].iov_len = 8;
	printf("parent: an unmapped remote address %s\n", count_or_errno(process_vm_readv(child, local, 1, remote, 1, 0), 8));
	printf("parent: no remote bytes %s\n", count_or_errno(process_vm_readv(child, local, 1, remote, 0, 0), 0));
	remote[0].iov_base = mine;
	remote[0].iov_len = 64;
	local[0].iov_base = theirs_copy;
	local[0].iov_len = 64;
	n = process_vm_readv(getpid(), local, 1, remote, 1, 0);
	printf("parent: its own memory %s, the same bytes %s\n", count_or_errno(n, 64), yes(holds(theirs_copy, 0, 64, 21)));
	printf("parent: a pid nobody has %s\n", count_or_errno(process_vm_readv(0x3ffffff0, local, 1, remote, 1, 0), 64));
	if (write(to_child[1], &go, 1) != 1)
		return 1;
	status = reap(child);
	printf("parent: the child %s\n", ending(status));
	return status == 0 ? 0 : 1;
}

static int t_cma_drop(void)
{
	unsigned char *mine = malloc(PAGE), go = 1;
	int to_parent[2], to_child[2], status;
	struct iovec local[1], remote[1];
	uintptr_t theirs;
	pid_t child;

	if (!mine || pipe(to_parent) || pipe(to_child))
		return 1;
	printf("cma-drop: a parent reads its child, then gives up root\n");
	child = fork_checked();
	if (child == 0) {
		unsigned char *buffer = malloc(PAGE);

		fill(buffer, 0, PAGE, 23);
		theirs = (uintptr_t)buffer;
		if (write(to_parent[1], &theirs, sizeof(theirs)) != sizeof(theirs) || read(to_child[0], &go, 1) != 1)
			exit(2);
		exit(0);
	}
	if (read(to_parent[0], &theirs, sizeof(theirs)) != sizeof(theirs))
		return 1;
	local[0].iov_base = mine;
	local[0].iov_len = PAGE;
	remote[0].iov_base = (void *)theirs;
	remote[0].iov_len = PAGE;
	printf("parent: readv as root %s\n", count_or_errno(process_vm_readv(child, local, 1, remote, 1, 0), PAGE));
	printf("parent: again %s\n", count_or_errno(process_vm_readv(child, local, 1, remote, 1, 0), PAGE));
	if (setresuid(65534, 65534, 65534) != 0) {
		printf("parent: setresuid: %s\n", errno_name(errno));
		return 1;
	}
	printf("parent: readv as 65534 %s\n", count_or_errno(process_vm_readv(child, local, 1, remote, 1, 0), PAGE));
	printf("parent: writev as 65534 %s\n", count_or_errno(process_vm_writev(child, local, 1, remote, 1, 0), PAGE));
	if (write(to_child[1], &go, 1) != 1)
		return 1;
	status = reap(child);
	printf("parent: the child %s\n", ending(status));
	return status == 0 ? 0 : 1;
}

#define CMA_PEER_BYTES	(2 * PAGE + 100)

static int t_cma_peer(const char *file)
{
	unsigned char *buffer = malloc(CMA_PEER_BYTES);
	char temporary[256];
	FILE *f;

	if (!buffer || snprintf(temporary, sizeof(temporary), "%s.tmp", file) >= (int)sizeof(temporary))
		return 1;
	fill(buffer, 0, CMA_PEER_BYTES, 24);
	f = fopen(temporary, "w");
	if (!f || fprintf(f, "%d %lu\n", (int)getpid(), (unsigned long)(uintptr_t)buffer) < 0 || fclose(f) != 0 ||
	    rename(temporary, file) != 0)
		return 1;
	sleep(60);
	return 0;
}

static int t_cma_linux(const char *file)
{
	unsigned char *copy = malloc(CMA_PEER_BYTES), *mine = malloc(CMA_PEER_BYTES);
	struct iovec local[2], remote[1];
	unsigned long address;
	FILE *f = fopen(file, "r");
	ssize_t n;
	int pid;

	if (!copy || !mine || !f || fscanf(f, "%d %lu", &pid, &address) != 2)
		return 1;
	fclose(f);
	printf("cma-linux: process_vm_readv and process_vm_writev with a Linux process\n");
	local[0].iov_base = copy;
	local[0].iov_len = 100;
	local[1].iov_base = copy + 100;
	local[1].iov_len = CMA_PEER_BYTES - 100;
	remote[0].iov_base = (void *)address;
	remote[0].iov_len = CMA_PEER_BYTES;
	n = process_vm_readv(pid, local, 2, remote, 1, 0);
	printf("readv %s, its bytes %s\n", count_or_errno(n, CMA_PEER_BYTES), yes(holds(copy, 0, CMA_PEER_BYTES, 24)));
	fill(mine, 0, CMA_PEER_BYTES, 21);
	local[0].iov_base = mine;
	local[0].iov_len = CMA_PEER_BYTES;
	printf("writev %s\n", count_or_errno(process_vm_writev(pid, local, 1, remote, 1, 0), CMA_PEER_BYTES));
	local[0].iov_base = copy;
	n = process_vm_readv(pid, local, 1, remote, 1, 0);
	printf("readv again %s, the bytes written %s\n", count_or_errno(n, CMA_PEER_BYTES), yes(holds(copy, 0, CMA_PEER_BYTES, 21)));
	fill(mine, 0, CMA_PEER_BYTES, 24);
	local[0].iov_base = mine;
	printf("restored %s\n", count_or_errno(process_vm_writev(pid, local, 1, remote, 1, 0), CMA_PEER_BYTES));
	remote[0].iov_base = (void *)16;
	remote[0].iov_len = 8;
	local[0].iov_len = 8;
	printf("an address it has not mapped %s\n", count_or_errno(process_vm_readv(pid, local, 1, remote, 1, 0), 8));
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: sharedmap shared-write DIR | shared-see-linux DIR | shared-fork DIR | shm NAME |"
		" shm-peer NAME | large DIR | readonly DIR | partial-unmap DIR | cycles DIR N | two-procs DIR | psync DIR | past-end DIR | hold DIR | sysv - | cma - | cma-drop - | cma-linux FILE | cma-peer FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!arg)
		return usage();
	if (!strcmp(c, "shared-write"))
		return t_shared_write(arg);
	if (!strcmp(c, "shared-see-linux"))
		return t_shared_see_linux(arg);
	if (!strcmp(c, "shared-fork"))
		return t_shared_fork(arg);
	if (!strcmp(c, "shm"))
		return t_shm(arg);
	if (!strcmp(c, "shm-peer"))
		return t_shm_peer(arg);
	if (!strcmp(c, "large"))
		return t_large(arg);
	if (!strcmp(c, "readonly"))
		return t_readonly(arg);
	if (!strcmp(c, "partial-unmap"))
		return t_partial_unmap(arg);
	if (!strcmp(c, "cycles") && argc > 3 && atoi(argv[3]) > 0)
		return t_cycles(arg, atoi(argv[3]));
	if (!strcmp(c, "two-procs"))
		return t_two_procs(arg);
	if (!strcmp(c, "psync"))
		return t_psync(arg);
	if (!strcmp(c, "past-end"))
		return t_past_end(arg);
	if (!strcmp(c, "hold"))
		return t_hold(arg);
	if (!strcmp(c, "sysv"))
		return t_sysv();
	if (!strcmp(c, "cma"))
		return t_cma();
	if (!strcmp(c, "cma-drop"))
		return t_cma_drop();
	if (!strcmp(c, "cma-linux"))
		return t_cma_linux(argv[2]);
	if (!strcmp(c, "cma-peer"))
		return t_cma_peer(argv[2]);
	return usage();
}

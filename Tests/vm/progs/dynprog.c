// SPDX-License-Identifier: GPL-2.0
/*
 * A dynamically linked test program (87-dynamic): run natively and on the LWK,
 * it must print the same and exit the same, except on lines starting with
 * "random" (AT_RANDOM's bytes differ per run) and "vdso" (Linux gives a
 * vDSO, the LWK none, on purpose).
 *   dynprog auxv        the auxiliary vector ld.so and the program got, checked
 *                       against where ld.so and the program really are
 *   dynprog dlopen      dlopen("libm.so.6") + dlsym, as a plugin loader does
 *   dynprog filemap F   MAP_PRIVATE mappings of file F: bytes, the tail past
 *                       EOF, private writes, MAP_FIXED over memory, mprotect
 *   dynprog badmap D    mmap's errors for what cannot be mapped (D: a directory)
 *   dynprog devmap P    mmap of device P (the LWK's /dev/mcosN): prints errno
 *   dynprog sharedmap F MAP_SHARED of F read-only: prints errno
 *   dynprog maprace F N maps 3 pages of F N times and reads them all while
 *                       something truncates and rewrites F (on the LWK only:
 *                       natively a page past the end is SIGBUS)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); exit(1); } } while (0)

extern char _start[];

struct found { uintptr_t program_phdr, loader_base; };

static int each_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct found *found = data;
	(void)size;
	if (!found->program_phdr)	/* the first object is the program */
		found->program_phdr = (uintptr_t)info->dlpi_phdr;
	if (strstr(info->dlpi_name, "ld-linux"))
		found->loader_base = info->dlpi_addr;
	return 0;
}

static int auxv(char **argv)
{
	struct found found = { 0, 0 };
	dl_iterate_phdr(each_object, &found);
	CHECK(getauxval(AT_BASE) && getauxval(AT_BASE) == found.loader_base,
	      "AT_BASE %#lx, ld.so at %#lx", getauxval(AT_BASE), (unsigned long)found.loader_base);
	CHECK(getauxval(AT_PHDR) == found.program_phdr, "AT_PHDR %#lx, program headers at %#lx",
	      getauxval(AT_PHDR), (unsigned long)found.program_phdr);
	CHECK(getauxval(AT_ENTRY) == (uintptr_t)_start, "AT_ENTRY %#lx, _start %p", getauxval(AT_ENTRY), (void *)_start);
	CHECK(getauxval(AT_PHENT) == sizeof(ElfW(Phdr)), "AT_PHENT %lu", getauxval(AT_PHENT));
	const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	CHECK(phdr[0].p_type == PT_PHDR, "AT_PHDR does not point at the program headers");
	printf("AT_PHNUM %lu\n", getauxval(AT_PHNUM));
	printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
	printf("AT_CLKTCK %lu\n", getauxval(AT_CLKTCK));
	printf("AT_HWCAP %#lx\n", getauxval(AT_HWCAP));
	printf("AT_SECURE %lu\n", getauxval(AT_SECURE));
	printf("AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu\n", getauxval(AT_UID), getauxval(AT_EUID),
	       getauxval(AT_GID), getauxval(AT_EGID));
	printf("AT_EXECFN %s (argv[0] %s)\n", (const char *)getauxval(AT_EXECFN), argv[0]);
	printf("AT_PLATFORM %s\n", (const char *)getauxval(AT_PLATFORM));
	const unsigned char *random = (const unsigned char *)getauxval(AT_RANDOM);
	printf("random ");
	int zero = 1;
	for (int i = 0; i < 16; i++) {
		printf("%02x", random[i]);
		zero &= random[i] == 0;
	}
	printf("\n");
	CHECK(!zero, "AT_RANDOM is all zero");
	printf("vdso %s\n", getauxval(AT_SYSINFO_EHDR) ? "given" : "absent");
	return 0;
}

static int plugin(void)
{
	void *libm = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
	CHECK(libm, "dlopen: %s", dlerror());
	double (*cosine)(double) = (double (*)(double))dlsym(libm, "cos");
	double (*power)(double, double) = (double (*)(double, double))dlsym(libm, "pow");
	CHECK(cosine && power, "dlsym: %s", dlerror());
	printf("cos(0.5) = %.15f, pow(2, 0.5) = %.15f\n", cosine(0.5), power(2, 0.5));
	CHECK(dlsym(libm, "no_such_symbol") == NULL, "dlsym found what is not there");
	CHECK(dlclose(libm) == 0, "dlclose: %s", dlerror());
	CHECK(dlopen("libno-such-library.so.9", RTLD_NOW) == NULL, "dlopen of nothing succeeded");
	printf("dlopen ok\n");
	return 0;
}

/* The file: 2.5 pages of a known pattern. */
static unsigned char pattern(size_t i) { return (unsigned char)(i * 7 + i / 4096 + 1); }

static int filemap(const char *path)
{
	size_t size = 2 * PAGE + PAGE / 2;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	unsigned char *bytes = malloc(size);
	for (size_t i = 0; i < size; i++)
		bytes[i] = pattern(i);
	CHECK(write(fd, bytes, size) == (ssize_t)size, "write");
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open read-only");

	/* the whole file and the zero tail of its last page */
	unsigned char *m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK(memcmp(m, bytes, size) == 0, "the mapping holds other bytes than the file");
	for (size_t i = size; i < 3 * PAGE; i++)
		CHECK(m[i] == 0, "byte %zu past the end of the file is %u", i, m[i]);
	printf("whole file: %zu bytes as in the file, the rest of the page zero\n", size);
	/* mprotect it writable: private, the file never sees the write */
	CHECK(mprotect(m, 3 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect: %s", strerror(errno));
	memset(m, 0xaa, PAGE);
	unsigned char first;
	CHECK(pread(fd, &first, 1, 0) == 1 && first == pattern(0), "a private write reached the file");
	CHECK(munmap(m, 3 * PAGE) == 0, "munmap");
	printf("private writes stay private\n");

	/* at an offset, writable at once, as ld.so maps .data */
	m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	CHECK(m != MAP_FAILED, "mmap at offset: %s", strerror(errno));
	CHECK(memcmp(m, bytes + PAGE, size - PAGE) == 0, "offset mapping differs");
	m[0] ^= 0xff;
	CHECK(m[0] == (unsigned char)(pattern(PAGE) ^ 0xff), "write to a private mapping lost");
	CHECK(munmap(m, 2 * PAGE) == 0, "munmap");
	printf("offset %d: as in the file\n", PAGE);

	/* MAP_FIXED over anonymous memory, as ld.so lays segments over its reservation */
	unsigned char *area = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(area != MAP_FAILED, "reserve: %s", strerror(errno));
	m = mmap(area + PAGE, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 0);
	CHECK(m == area + PAGE, "MAP_FIXED placed it at %p, not %p (%s)", (void *)m, (void *)(area + PAGE), strerror(errno));
	CHECK(memcmp(m, bytes, 2 * PAGE) == 0, "MAP_FIXED mapping differs");
	/* MAP_FIXED_NOREPLACE over it: EEXIST, and the bytes stay */
	errno = 0;
	CHECK(mmap(area + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0) == MAP_FAILED && errno == EEXIST,
	      "MAP_FIXED_NOREPLACE over a mapping: %s", strerror(errno));
	/* a refused MAP_FIXED leaves what was there */
	int wronly = open(path, O_WRONLY);
	CHECK(mmap(area + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, wronly, 0) == MAP_FAILED && errno == EACCES,
	      "MAP_FIXED of a write-only descriptor: %s", strerror(errno));
	CHECK(memcmp(area + PAGE, bytes, PAGE) == 0, "a refused MAP_FIXED changed the memory");
	close(wronly);
	CHECK(munmap(area, 4 * PAGE) == 0, "munmap");
	printf("MAP_FIXED over a reservation: as in the file\n");

	/* past the end of the file: mapped (touching it is Linux's SIGBUS, not tried) */
	m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 256 * PAGE);
	CHECK(m != MAP_FAILED, "mmap past the end: %s", strerror(errno));
	munmap(m, PAGE);
	printf("past the end of the file: mapped\n");
	/* the descriptor can go: the mapping stays */
	m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	CHECK(m != MAP_FAILED && memcmp(m, bytes, PAGE) == 0, "the mapping after close differs");
	munmap(m, PAGE);
	unlink(path);
	printf("filemap ok\n");
	return 0;
}

static void try_map(const char *what, size_t length, int prot, int flags, int fd, off_t offset)
{
	errno = 0;
	void *m = mmap(NULL, length, prot, flags, fd, offset);
	printf("%s: %s\n", what, m == MAP_FAILED ? strerrorname_np(errno) : "mapped");
	if (m != MAP_FAILED)
		munmap(m, length);
}

static int badmap(const char *directory)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/dynprog.bad", directory);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1, "create %s", path);
	close(fd);
	int rdonly = open(path, O_RDONLY), wronly = open(path, O_WRONLY), dir = open(directory, O_RDONLY | O_DIRECTORY);
	int opath = open(path, O_PATH), pipes[2];
	CHECK(rdonly >= 0 && wronly >= 0 && dir >= 0 && opath >= 0 && pipe(pipes) == 0, "open");
	try_map("fd -1", PAGE, PROT_READ, MAP_PRIVATE, -1, 0);
	try_map("fd 999", PAGE, PROT_READ, MAP_PRIVATE, 999, 0);
	try_map("O_PATH", PAGE, PROT_READ, MAP_PRIVATE, opath, 0);
	try_map("write-only", PAGE, PROT_READ, MAP_PRIVATE, wronly, 0);
	try_map("shared writable of read-only", PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0);
	try_map("directory", PAGE, PROT_READ, MAP_PRIVATE, dir, 0);
	try_map("pipe", PAGE, PROT_READ, MAP_PRIVATE, pipes[0], 0);
	try_map("offset 4095", PAGE, PROT_READ, MAP_PRIVATE, rdonly, 4095);
	try_map("offset -4096", PAGE, PROT_READ, MAP_PRIVATE, rdonly, -4096);
	try_map("offset 2^63-4096 + 2 pages", 2 * PAGE, PROT_READ, MAP_PRIVATE, rdonly, INT64_MAX - 4095);
	try_map("length 0", 0, PROT_READ, MAP_PRIVATE, rdonly, 0);
	try_map("length 2^47", (size_t)1 << 47, PROT_READ, MAP_PRIVATE, rdonly, 0);
	try_map("length -4096", (size_t)-4096, PROT_READ, MAP_PRIVATE, rdonly, 0);
	try_map("neither shared nor private", PAGE, PROT_READ, 0, rdonly, 0);
	try_map("MAP_GROWSDOWN", PAGE, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, rdonly, 0);
	try_map("private read-only", PAGE, PROT_READ, MAP_PRIVATE, rdonly, 0);
	/* a raw fd argument with high bits: Linux reads an unsigned int */
	errno = 0;
	long r = syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, (1ul << 32) | (unsigned)rdonly, 0);
	printf("fd with high bits: %s\n", r < 0 ? strerrorname_np(errno) : "mapped");
	unlink(path);
	return 0;
}

static int devmap(const char *path)
{
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	try_map("device private", PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	try_map("device shared", PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return 0;
}

static int sharedmap(const char *path)
{
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	try_map("shared read-only", PAGE, PROT_READ, MAP_SHARED, fd, 0);
	return 0;
}

static int maprace(const char *path, int times)
{
	unsigned long sum = 0;
	for (int i = 0; i < times; i++) {
		int fd = open(path, O_RDONLY);
		CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
		volatile unsigned char *m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
		CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
		for (size_t at = 0; at < 3 * PAGE; at++)
			sum += m[at];
		munmap((void *)m, 3 * PAGE);
		close(fd);
	}
	printf("maprace: %d mappings read (sum %lu)\n", times, sum);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "auxv"))
		return auxv(argv);
	if (argc >= 2 && !strcmp(argv[1], "dlopen"))
		return plugin();
	if (argc >= 3 && !strcmp(argv[1], "filemap"))
		return filemap(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "badmap"))
		return badmap(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "devmap"))
		return devmap(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "sharedmap"))
		return sharedmap(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "maprace"))
		return maprace(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: dynprog auxv|dlopen|filemap FILE|badmap DIR|devmap DEV|sharedmap FILE|maprace FILE N\n");
	return 2;
}

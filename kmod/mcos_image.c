// SPDX-License-Identifier: GPL-2.0
/*
 * mcos_image.c - checks an LWK image before it is loaded.
 *
 * The image must be an ELF64, little-endian, x86_64 executable (ET_EXEC)
 * whose program headers lie within its first page (as every linker puts
 * them) and whose loadable segments lie within the file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elf.h>
#include <linux/mm.h>
#include <linux/overflow.h>

#include "mcos.h"

static int mcos_phdrs_check(const Elf64_Ehdr *eh, size_t head_len,
			    u64 image_bytes)
{
	const Elf64_Phdr *ph;
	u64 end;
	int i;

	if (!eh->e_phnum || eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	if (check_add_overflow(eh->e_phoff,
			       (u64)eh->e_phnum * sizeof(Elf64_Phdr), &end) ||
	    end > head_len)
		return -ENOEXEC;

	ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++, ph++) {
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz)
			return -ENOEXEC;
		if (check_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
		    end > image_bytes)
			return -ENOEXEC;
	}
	return 0;
}

int mcos_image_check(const void *head, size_t head_len, u64 image_bytes,
		     u64 *entry)
{
	const Elf64_Ehdr *eh = head;

	if (head_len < sizeof(*eh))
		return -ENOEXEC;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64 ||
	    eh->e_version != EV_CURRENT || eh->e_ehsize != sizeof(*eh))
		return -ENOEXEC;
	if (mcos_phdrs_check(eh, head_len, image_bytes))
		return -ENOEXEC;
	*entry = eh->e_entry;
	return 0;
}

# SPDX-License-Identifier: GPL-2.0
# The LWK image: Embedded Swift (Sources/Kernel/Logic + Image, and the architecture's
# Arch/$(LWK_ARCH)/Logic + Image) plus the architecture's asm entry and a little C,
# linked with ld.lld at MCOS_LWK_BASE.
#   make kernel        -> .vm/build/lwk/mcos-lwk.elf, the image that ships
#   make kernel-test   -> .vm/build/lwk-test/mcos-lwk-test.elf, the same with the
#                         faults on purpose the VM tests need (test_fault=, LWK_TEST_FAULTS)
# Included by the top-level Makefile (paths relative to the repository root).

ifndef KERNEL_MK_INCLUDED
KERNEL_MK_INCLUDED := 1
KERNEL_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# The toolchain that runs swift also has clang, ld.lld and the embedded stdlib.
SWIFT_BIN ?= $(patsubst %/,%,$(dir $(realpath $(shell command -v swiftc || echo /opt/swift/usr/bin/swiftc))))
LWK_DIR := .vm/build/lwk
LWK_ELF := $(LWK_DIR)/mcos-lwk.elf
LWK_TEST_DIR := .vm/build/lwk-test
LWK_TEST_ELF := $(LWK_TEST_DIR)/mcos-lwk-test.elf
LWK_TARGET := x86_64-unknown-none-elf
LWK_ARCH := x86_64
LWK_ARCH_DIR := Sources/Kernel/Arch/$(LWK_ARCH)
LWK_SWIFT_SRC := $(sort $(wildcard Sources/Kernel/Logic/*.swift Sources/Kernel/Image/*.swift \
	$(LWK_ARCH_DIR)/Logic/*.swift $(LWK_ARCH_DIR)/Image/*.swift))
LWK_C_SRC := $(sort $(wildcard Sources/Kernel/Image/*.c $(LWK_ARCH_DIR)/Image/*.c))
LWK_ASM_SRC := $(sort $(wildcard $(LWK_ARCH_DIR)/Image/*.S))
LWK_OBJ := $(patsubst %,$(LWK_DIR)/obj/%.o,$(basename $(LWK_ASM_SRC) $(LWK_C_SRC)))
LWK_HDRS := Sources/Kernel/Image/lwk.h $(LWK_ARCH_DIR)/Image/lwk_arch.h \
	kmod/mcos_abi.h Sources/CMcosABI/module.modulemap
LWK_LDS := Sources/Kernel/Image/lwk.ld
LWK_UNICODE := $(dir $(SWIFT_BIN))lib/swift/embedded/$(LWK_TARGET)/libswiftUnicodeDataTables.a
LWK_INCLUDES := -ISources/Kernel/Image -I$(LWK_ARCH_DIR)/Image
LWK_CFLAGS := -target $(LWK_TARGET) -ffreestanding -fno-builtin -nostdlib -mno-red-zone \
	-mno-sse -mno-sse2 -mno-mmx -fpie -fno-stack-protector -Os -Wall -Werror $(LWK_INCLUDES)
# -ISources/CMcosABI finds the module map the host build uses, so `import CMcosABI`
# reads kmod/mcos_abi.h in both builds (MCOS_LWK: the shared-memory part only).
LWK_SWIFTFLAGS := -target $(LWK_TARGET) -enable-experimental-feature Embedded -wmo \
	-parse-as-library -Osize -Xcc -mno-red-zone -Xcc -mno-sse -Xcc -mno-sse2 -Xcc -mno-mmx \
	-Xfrontend -disable-stack-protector -Xfrontend -function-sections \
	-ISources/CMcosABI -Xcc -DMCOS_LWK $(addprefix -Xcc ,$(LWK_INCLUDES)) \
	-import-objc-header Sources/Kernel/Image/lwk.h -module-name Kernel
# The link address, MCOS_LWK_BASE as the header defines it (without its ull suffix).
LWK_BASE = $(shell $(SWIFT_BIN)/clang -E -dM -DMCOS_LWK -x c kmod/mcos_abi.h | \
	sed -n 's/^.define MCOS_LWK_BASE \(0x[0-9a-fA-F]*\)ull$$/\1/p')

.PHONY: kernel kernel-test kernel-clean

kernel: $(LWK_ELF)
kernel-test: $(LWK_TEST_ELF)

# $(call lwk_swift,OBJECT,EXTRA-SWIFTFLAGS): the Swift part of one image.
define lwk_swift
$(1): $$(LWK_SWIFT_SRC) $$(LWK_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  SWIFTC  $$@"
	@$$(SWIFT_BIN)/swiftc $$(LWK_SWIFTFLAGS) $(2) -c $$(LWK_SWIFT_SRC) -o $$@
	@touch $$@	# swiftc leaves an unchanged object untouched
endef
$(eval $(call lwk_swift,$(LWK_DIR)/kernel.o,))
$(eval $(call lwk_swift,$(LWK_TEST_DIR)/kernel.o,-D LWK_TEST_FAULTS))

$(LWK_DIR)/obj/%.o: %.c $(LWK_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(SWIFT_BIN)/clang $(LWK_CFLAGS) -c $< -o $@

$(LWK_DIR)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	@$(SWIFT_BIN)/clang -target $(LWK_TARGET) -c $< -o $@

$(LWK_ELF) $(LWK_TEST_ELF): %.elf: $(LWK_OBJ) $(LWK_LDS) kmod/mcos_abi.h
	@echo "  LD      $@"
	@base='$(LWK_BASE)'; [ -n "$$base" ] || { echo "kmod/mcos_abi.h: no MCOS_LWK_BASE" >&2; exit 1; }; \
	$(SWIFT_BIN)/ld.lld -T $(LWK_LDS) --defsym=MCOS_LWK_BASE=$$base -nostdlib --gc-sections \
		-z max-page-size=4096 -z noexecstack -o $@.tmp $(LWK_OBJ) $(dir $@)kernel.o $(LWK_UNICODE)
	@mv $@.tmp $@
$(LWK_ELF): $(LWK_DIR)/kernel.o
$(LWK_TEST_ELF): $(LWK_TEST_DIR)/kernel.o

kernel-clean:
	rm -rf $(LWK_DIR) $(LWK_TEST_DIR)

.DEFAULT_GOAL := $(KERNEL_SAVED_DEFAULT_GOAL)
endif

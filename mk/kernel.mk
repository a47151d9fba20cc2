# SPDX-License-Identifier: GPL-2.0
# The LWK image: Embedded Swift (Sources/Kernel/Logic + Sources/Kernel/Image)
# plus a small asm entry and C runtime, linked with ld.lld at MCOS_LWK_BASE.
#   make kernel     -> .vm/build/lwk/mcos-lwk.elf
# Included by the top-level Makefile (paths relative to the repository root).

ifndef KERNEL_MK_INCLUDED
KERNEL_MK_INCLUDED := 1
KERNEL_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# The toolchain that runs swift also has clang, ld.lld and the embedded stdlib.
SWIFT_BIN ?= $(patsubst %/,%,$(dir $(realpath $(shell command -v swiftc || echo /opt/swift/usr/bin/swiftc))))
LWK_DIR := .vm/build/lwk
LWK_ELF := $(LWK_DIR)/mcos-lwk.elf
LWK_TARGET := x86_64-unknown-none-elf
LWK_SWIFT_SRC := $(sort $(wildcard Sources/Kernel/Logic/*.swift) $(wildcard Sources/Kernel/Image/*.swift))
LWK_C_SRC := Sources/Kernel/Image/runtime.c
LWK_ASM_SRC := Sources/Kernel/Image/entry.S
LWK_HDRS := Sources/Kernel/Image/lwk.h kmod/mcos_abi.h Sources/CMcosABI/module.modulemap
LWK_LDS := Sources/Kernel/Image/lwk.ld
LWK_UNICODE := $(dir $(SWIFT_BIN))lib/swift/embedded/$(LWK_TARGET)/libswiftUnicodeDataTables.a
LWK_CFLAGS := -target $(LWK_TARGET) -ffreestanding -fno-builtin -nostdlib -mno-red-zone \
	-mno-sse -mno-sse2 -mno-mmx -fpie -fno-stack-protector -Os \
	-Wall -Werror -DMCOS_LWK -ISources/Kernel/Image
# -ISources/CMcosABI finds the module map the host build uses, so `import CMcosABI`
# reads kmod/mcos_abi.h in both builds (MCOS_LWK: the shared-memory part only).
LWK_SWIFTFLAGS := -target $(LWK_TARGET) -enable-experimental-feature Embedded -wmo \
	-parse-as-library -Osize -Xcc -mno-red-zone -Xcc -mno-sse -Xcc -mno-sse2 -Xcc -mno-mmx \
	-Xfrontend -disable-stack-protector -Xfrontend -function-sections \
	-ISources/CMcosABI -Xcc -DMCOS_LWK -Xcc -ISources/Kernel/Image -import-objc-header Sources/Kernel/Image/lwk.h \
	-module-name Kernel

.PHONY: kernel kernel-clean

kernel: $(LWK_ELF)

$(LWK_DIR)/kernel.o: $(LWK_SWIFT_SRC) $(LWK_HDRS)
	@mkdir -p $(LWK_DIR)
	@echo "  SWIFTC  $@"
	@$(SWIFT_BIN)/swiftc $(LWK_SWIFTFLAGS) -c $(LWK_SWIFT_SRC) -o $@
	@touch $@	# swiftc leaves an unchanged object untouched

$(LWK_DIR)/runtime.o: $(LWK_C_SRC) $(LWK_HDRS)
	@mkdir -p $(LWK_DIR)
	@echo "  CC      $@"
	@$(SWIFT_BIN)/clang $(LWK_CFLAGS) -c $< -o $@

$(LWK_DIR)/entry.o: $(LWK_ASM_SRC)
	@mkdir -p $(LWK_DIR)
	@echo "  AS      $@"
	@$(SWIFT_BIN)/clang -target $(LWK_TARGET) -c $< -o $@

$(LWK_ELF): $(LWK_DIR)/entry.o $(LWK_DIR)/kernel.o $(LWK_DIR)/runtime.o $(LWK_LDS)
	@echo "  LD      $@"
	@$(SWIFT_BIN)/ld.lld -T $(LWK_LDS) -nostdlib --gc-sections -z max-page-size=4096 \
		-z noexecstack -o $@.tmp $(LWK_DIR)/entry.o $(LWK_DIR)/kernel.o $(LWK_DIR)/runtime.o \
		$(LWK_UNICODE)
	@mv $@.tmp $@

kernel-clean:
	rm -rf $(LWK_DIR)

.DEFAULT_GOAL := $(KERNEL_SAVED_DEFAULT_GOAL)
endif

# SPDX-License-Identifier: GPL-2.0
# mcos kernel module and its QEMU tests.  Included by the top-level
# Makefile (paths are relative to the repository root) or run directly:
#   make -f mk/vm.mk vm-test   build mcos.ko for each guest kernel, the test
#                              tool and the initramfs, run every scenario on
#                              Debian's 6.1 and 6.12 kernels (installs the
#                              packages first: needs root, idempotent)
#   make -f mk/vm.mk vm-shell  boot the same guest with a shell
#                              (VM_SHELL_KERNEL=version to pick the kernel)
#   make -f mk/vm.mk kmod      build mcos.ko for each guest kernel
#   VM_APPEND=mcos.only=7,95   run only the scenarios whose NN-name starts so
#   make -f mk/vm.mk fuzz      the fuzzers (scenarios 8x) ten times longer
# Everything built goes to .vm/ (never committed).

VM_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)
VM_MK := $(lastword $(MAKEFILE_LIST))
# The LWK image goes into every guest (LWK_ELF, make kernel).
include mk/kernel.mk

VM_DIR := .vm
VM_BUILD := $(VM_DIR)/build
VM_KERNELS = $(shell Tests/vm/kernels.sh)
VM_TIMEOUT ?= 2400
VM_SHELL_KERNEL ?= $(firstword $(VM_KERNELS))

VM_KMOD_SRC := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild
VM_SCENARIOS := $(wildcard Tests/vm/scenarios/*.sh Tests/vm/scenarios/*.txt)
VM_TOOL := $(VM_BUILD)/mcos-test
# Our Swift tools for the guest, with the libraries they need.
VM_SWIFT_TOOLS := $(VM_BUILD)/tools
VM_SWIFT_SOURCES := $(shell find Sources -name '*.swift' -o -name '*.h' -o -name '*.modulemap') Package.swift

.PHONY: kmod vm-test vm-shell vm-demo vm-bench vm-deps vm-build vm-clean fuzz
.PRECIOUS: $(VM_BUILD)/%/mcos.ko $(VM_BUILD)/%/initramfs.cpio.gz $(VM_BUILD)/%/bench-initramfs.cpio.gz

vm-deps:
	@sh Tests/vm/install-deps.sh

# Each kernel gets its own copy of the sources (Kbuild writes its objects
# next to them); warnings are errors, modpost warnings too.
$(VM_BUILD)/%/mcos.ko: $(VM_KMOD_SRC)
	@rm -rf $(VM_BUILD)/$*/kmod && mkdir -p $(VM_BUILD)/$*/kmod
	@cp $(VM_KMOD_SRC) $(VM_BUILD)/$*/kmod/
	@echo "  KMOD    $@"
	@$(MAKE) --no-print-directory -C /usr/src/linux-headers-$* \
		M=$(abspath $(VM_BUILD)/$*/kmod) KCFLAGS=-Werror modules \
		> $(VM_BUILD)/$*/kmod.log 2>&1 || { cat $(VM_BUILD)/$*/kmod.log; exit 1; }
	@if grep -iE 'warning|error' $(VM_BUILD)/$*/kmod.log; then \
		echo "mcos.ko for $* built with warnings"; exit 1; fi
	@strip --strip-debug -o $@ $(VM_BUILD)/$*/kmod/mcos.ko

$(VM_TOOL): Tests/vm/tools/mcos-test.c kmod/mcos_abi.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc -static -O2 -Wall -Wextra -Wno-sign-compare -Wno-unused-parameter \
		-Werror -o $@ $<

# mcprov and mcexec as `make release` builds them (release, static Swift runtime,
# no test hooks): what the guests run and the packages ship (mk/node.mk).
SWIFT ?= swift
RELEASE_FLAGS ?= -c release --static-swift-stdlib
.build/release/mcexec: .build/release/mcprov
.build/release/mcprov: $(VM_SWIFT_SOURCES) kmod/mcos_abi.h
	@echo "  SWIFT   mcprov, mcexec (release, static Swift runtime)"
	@mkdir -p $(VM_BUILD)
	@# SwiftPM does not see a change of a system library's header: constants of an
	@# older mcos_abi.h would stay compiled into targets whose own sources did not change.
	@if [ -e $@ ] && [ kmod/mcos_abi.h -nt $@ ]; then rm -rf .build/release/*.build .build/release/ModuleCache; fi
	@{ $(SWIFT) build $(RELEASE_FLAGS) --product mcprov && \
		$(SWIFT) build $(RELEASE_FLAGS) --product mcexec; } > $(VM_BUILD)/swift-build.log 2>&1 || \
		{ cat $(VM_BUILD)/swift-build.log; exit 1; }
	@touch $@ .build/release/mcexec	# swift build leaves an unchanged binary untouched

# mcprov-test-hooks: mcprov built with MCPROV_TEST_HOOKS (MCPROV_TEST_FAIL_AT/
# _PAUSE_AT), in a build directory of its own, for the scenarios that inject failures.
VM_HOOKS_BUILD := .build-vm-test-hooks
$(VM_BUILD)/mcprov-test-hooks: $(VM_SWIFT_SOURCES) kmod/mcos_abi.h
	@echo "  SWIFT   mcprov-test-hooks (release, MCPROV_TEST_HOOKS)"
	@mkdir -p $(VM_BUILD)
	@# as for .build/release: a changed mcos_abi.h means a build from scratch
	@if [ -e $@ ] && [ kmod/mcos_abi.h -nt $@ ]; then rm -rf $(VM_HOOKS_BUILD)/release/*.build $(VM_HOOKS_BUILD)/release/ModuleCache; fi
	@$(SWIFT) build $(RELEASE_FLAGS) --product mcprov --scratch-path $(VM_HOOKS_BUILD) \
		-Xswiftc -DMCPROV_TEST_HOOKS > $(VM_BUILD)/swift-build-hooks.log 2>&1 || \
		{ cat $(VM_BUILD)/swift-build-hooks.log; exit 1; }
	@cp $(VM_HOOKS_BUILD)/release/mcprov $@

# The release mcprov, as packages ship it, carries no trace of the test hooks, and
# the hooks build does (18-apply-lwk checks what each one does with them).
$(VM_SWIFT_TOOLS)/bin/mcprov: .build/release/mcprov .build/release/mcexec $(VM_BUILD)/mcprov-test-hooks Tests/vm/stage-tools.sh
	@! grep -q MCPROV_TEST .build/release/mcprov || { echo "the release mcprov carries the test hooks" >&2; exit 1; }
	@grep -q MCPROV_TEST_FAIL_AT $(VM_BUILD)/mcprov-test-hooks || { echo "mcprov-test-hooks has no test hooks" >&2; exit 1; }
	@sh Tests/vm/stage-tools.sh $(VM_SWIFT_TOOLS) .build/release/mcprov .build/release/mcexec $(VM_BUILD)/mcprov-test-hooks

# Static programs run natively and on the LWK: lwkprog (77-mcexec and most
# LWK scenarios; also linked static-PIE), confine, which aims its calls at
# mcexec itself (78-mcexec-confine), hostile, what a hostile program does
# (81-lwk-hostile), and the syscall fuzzer sysfuzz (82-lwk-sysfuzz), without
# the stack protector: it changes the thread pointer the canary is read through.
VM_PROGS := $(VM_BUILD)/progs
VM_PROG_CFLAGS := -static -O2 -Wall -Wextra -Werror
$(VM_PROGS)/lwkprog: Tests/vm/progs/lwkprog.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static, static-pie)"
	@gcc $(VM_PROG_CFLAGS) -o $@ $<
	@gcc $(patsubst -static,-static-pie,$(VM_PROG_CFLAGS)) -o $@-pie $<

# signals: handlers natively and on the LWK (86-signals).
$(VM_PROGS)/signals: Tests/vm/progs/signals.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -o $@ $<

# threads and omp: POSIX threads and OpenMP natively and on the LWK (91-threads).
# libgomp.a (gcc's libgcc-12-dev) makes ld warn that its offload-plugin dlopen
# needs glibc's shared libraries at run time: omp offloads nothing.
$(VM_PROGS)/threads: Tests/vm/progs/threads.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -pthread -o $@ $<
$(VM_PROGS)/omp: Tests/vm/progs/omp.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (OpenMP)"
	@gcc $(VM_PROG_CFLAGS) -fopenmp -o $@ $<

# exectest: execve and execveat natively and on the LWK, from a thread too (92-exec).
$(VM_PROGS)/exectest: Tests/vm/progs/exectest.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -pthread -o $@ $<

# forktest: fork, vfork, posix_spawn and the waits natively and on the LWK (93-fork).
$(VM_PROGS)/forktest: Tests/vm/progs/forktest.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -pthread -o $@ $<

$(VM_PROGS)/exectest $(VM_PROGS)/forktest $(VM_PROGS)/sharedmap: Tests/vm/progs/said.h
$(VM_PROGS)/forktest $(VM_PROGS)/sharedmap: Tests/vm/progs/children.h

# sharedmap: MAP_SHARED mappings of files and POSIX shared memory natively and on the LWK (95-shared-files).
$(VM_PROGS)/sharedmap: Tests/vm/progs/sharedmap.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -pthread -o $@ $<

# ranks: where one rank of mcexec -n runs, its threads and its fork's child (95-ranks).
$(VM_PROGS)/ranks: Tests/vm/progs/ranks.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -pthread -o $@ $<

$(VM_PROGS)/hostile $(VM_PROGS)/sysfuzz: Tests/vm/progs/raw_syscall.h
$(VM_PROGS)/confine $(VM_PROGS)/sysfuzz: kmod/mcos_abi.h
$(VM_PROGS)/sysfuzz: VM_PROG_CFLAGS += -fno-stack-protector
$(VM_PROGS)/confine $(VM_PROGS)/hostile $(VM_PROGS)/sysfuzz: $(VM_PROGS)/%: Tests/vm/progs/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -o $@ $<

# A dynamically linked program (87-dynamic): ld.so, dlopen, file mappings; its
# libraries come with Debian's programs below.
$(VM_PROGS)/dynprog: Tests/vm/progs/dynprog.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (dynamic)"
	@gcc $(filter-out -static,$(VM_PROG_CFLAGS)) -o $@ $<

# mpitest: an MPI job's collectives and an 8 MiB message, built against Debian's
# MPICH (libmpich-dev) and Open MPI (libopenmpi-dev), dynamic as every MPI
# program is (95-mpi).
$(VM_PROGS)/mpitest: Tests/vm/progs/mpitest.c
	@mkdir -p $(dir $@)
	@echo "  MPICC   $@ (dynamic, MPICH; -openmpi: Open MPI)"
	@mpicc.mpich $(filter-out -static,$(VM_PROG_CFLAGS)) -o $@ $<
	@mpicc.openmpi $(filter-out -static,$(VM_PROG_CFLAGS)) -o $@-openmpi $<

# Debian's own dynamic programs with their libraries, at their paths (87-dynamic,
# 97-stress-ng, 98-cpython); MPICH's launcher, its proxy, its library and the
# transport UCX loads for single-copy messages between ranks; Open MPI's
# launcher and daemon, its library, and its plugins, PMIx's, help texts and
# configuration (95-mpi).
VM_DYNAMIC := $(VM_BUILD)/dynamic
VM_MPICH := /usr/bin/mpiexec.hydra /usr/bin/hydra_pmi_proxy /usr/lib/x86_64-linux-gnu/libmpich.so.12 \
	/usr/lib/x86_64-linux-gnu/ucx/libuct_cma.so.0 \
	/usr/bin/orterun /usr/bin/orted /usr/lib/x86_64-linux-gnu/libmpi.so.40
VM_STAGE_TREES := /usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2 /usr/share/openmpi /etc/openmpi
VM_DYNAMIC_PROGRAMS := /usr/bin/true /usr/bin/echo /usr/bin/env /usr/bin/ls /usr/bin/md5sum /usr/bin/python3 /usr/bin/stress-ng \
	$(VM_MPICH)
# Python scripts the scenarios run, whose modules are staged with python3.
VM_PYTHON_SCRIPTS := Tests/vm/progs/mpwork.py Tests/vm/progs/cpython_outcomes.py
# CPython's regression tests that 98-cpython can run, with the whole standard
# library (make test runs the quicker ones, make suites every one).
VM_CPYTHON_TESTS := test_fork1 test_wait3 test_wait4 test_mmap test_select test_pipes \
	test_shutil test_tempfile test_posix test_os test_thread test_sched \
	test_subprocess test_signal test_threading
$(VM_DYNAMIC)/usr/bin/true: Tests/vm/stage-dynamic.sh $(VM_PYTHON_SCRIPTS) mk/vm.mk
	@echo "  STAGE   $(VM_DYNAMIC): $(notdir $(VM_DYNAMIC_PROGRAMS) $(VM_PYTHON_SCRIPTS)), CPython's tests"
	@STAGE_PYTHON_SCRIPTS="$(VM_PYTHON_SCRIPTS)" STAGE_PYTHON_TESTS="$(VM_CPYTHON_TESTS)" STAGE_TREES="$(VM_STAGE_TREES)" \
		sh Tests/vm/stage-dynamic.sh $(VM_DYNAMIC) $(VM_DYNAMIC_PROGRAMS)

# quiet: no libc, so its system calls are exactly its own (89-lwk-quiet counts them).
$(VM_PROGS)/quiet: Tests/vm/progs/quiet.c Tests/vm/progs/raw_syscall.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -o $@ $<

# The test image of the LWK (make kernel-test: it faults on purpose with
# test_fault=), for 76-lwk-fault; the guest has it as /bin/mcos-lwk-test.elf.
$(VM_PROGS)/mcos-lwk-test.elf: $(LWK_TEST_ELF)
	@mkdir -p $(dir $@)
	@cp $< $@

# mcos-test again, static-PIE: loaded above the unified range, so that
# proc-rules can map all of it (the ET_EXEC one sits at 4 MiB, inside; the
# scenarios also load that one as a non-LWK image).
$(VM_PROGS)/mcos-test-pie: Tests/vm/tools/mcos-test.c kmod/mcos_abi.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc -static-pie -O2 -Wall -Wextra -Wno-sign-compare -Wno-unused-parameter \
		-Werror -o $@ $<

# The hostile proxy (the security tests and their fuzzer): static-PIE like
# mcos-test-pie, so that it lies above the unified range it maps.
VM_HOSTILE_SRC := $(wildcard Tests/vm/tools/mcos-hostile/*.c)
$(VM_PROGS)/mcos-hostile: $(VM_HOSTILE_SRC) $(wildcard Tests/vm/tools/mcos-hostile/*.h) kmod/mcos_abi.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc -static-pie -pthread -O2 -Wall -Wextra -Wno-sign-compare -Wno-unused-parameter \
		-Werror -o $@ $(VM_HOSTILE_SRC)

VM_GUEST_FILES := Tests/vm/guest/init Tests/vm/demo/demo.sh $(VM_SCENARIOS) $(wildcard Tests/vm/bench/guest/*.sh) \
	$(wildcard profiles/*.yaml) Tests/vm/mkinitramfs.sh
$(VM_BUILD)/%/initramfs.cpio.gz: $(VM_BUILD)/%/mcos.ko $(VM_TOOL) $(VM_SWIFT_TOOLS)/bin/mcprov $(VM_PROGS)/lwkprog $(VM_PROGS)/confine $(VM_PROGS)/mcos-test-pie $(VM_PROGS)/mcos-hostile \
		$(VM_PROGS)/hostile $(VM_PROGS)/sysfuzz $(VM_PROGS)/signals $(VM_PROGS)/quiet $(VM_PROGS)/mcos-lwk-test.elf \
		$(VM_PROGS)/threads $(VM_PROGS)/omp $(VM_PROGS)/exectest $(VM_PROGS)/forktest $(VM_PROGS)/sharedmap $(VM_PROGS)/ranks $(VM_PROGS)/mpitest \
		$(VM_PROGS)/dynprog $(VM_DYNAMIC)/usr/bin/true $(VM_GUEST_FILES) $(LWK_ELF)
	@echo "  CPIO    $@"
	@sh Tests/vm/mkinitramfs.sh $@ $(VM_BUILD)/$*/mcos.ko $(VM_TOOL) $(VM_SWIFT_TOOLS) $(LWK_ELF) $(VM_PROGS) $(VM_DYNAMIC)

kmod: vm-deps
	@$(MAKE) --no-print-directory -f $(VM_MK) \
		$(foreach k,$(VM_KERNELS),$(VM_BUILD)/$(k)/mcos.ko)

vm-build: $(foreach k,$(VM_KERNELS),$(VM_BUILD)/$(k)/initramfs.cpio.gz)
	@test -n "$(strip $(VM_KERNELS))" || \
		{ echo "no guest kernels: run Tests/vm/install-deps.sh"; exit 1; }

# Two steps so that the kernel list is read after the packages exist.
vm-test: vm-deps
	@$(MAKE) --no-print-directory -f $(VM_MK) vm-build
	@VM_TIMEOUT=$(VM_TIMEOUT) sh Tests/vm/vm-test.sh $(VM_BUILD) $(VM_KERNELS)

vm-shell: vm-deps
	@$(MAKE) --no-print-directory -f $(VM_MK) \
		$(VM_BUILD)/$(VM_SHELL_KERNEL)/initramfs.cpio.gz
	sh Tests/vm/qemu.sh /boot/vmlinuz-$(VM_SHELL_KERNEL) \
		$(VM_BUILD)/$(VM_SHELL_KERNEL)/initramfs.cpio.gz mcos.shell

# make demo: the same guest runs Tests/vm/demo/demo.sh with its output shown,
# on the first kernel; fails unless the guest says the demo went through.
VM_DEMO_KERNEL ?= $(firstword $(VM_KERNELS))
vm-demo: vm-deps
	@$(MAKE) --no-print-directory -f $(VM_MK) \
		$(VM_BUILD)/$(VM_DEMO_KERNEL)/initramfs.cpio.gz
	@echo "Booting the emulated KNL-like node (Debian $(VM_DEMO_KERNEL), QEMU TCG)..."
	@sh Tests/vm/demo/run.sh /boot/vmlinuz-$(VM_DEMO_KERNEL) \
		$(VM_BUILD)/$(VM_DEMO_KERNEL)/initramfs.cpio.gz $(VM_BUILD)/demo.log $(VM_TIMEOUT)

# make fuzz: the fuzz scenarios (every 8x one: 80-fuzz, 82-lwk-sysfuzz,
# 83-lwk-programs, 85-hostile-proxy) on every
# kernel, ten times longer than in `make test` (mcos.fuzz_scale=10) and with a seed
# of their own (VM_FUZZ_SEED, printed, so that a failure reproduces).
VM_FUZZ_SEED ?= $(shell date +%s)
VM_FUZZ_TIMEOUT ?= 5400
fuzz: vm-deps
	@$(MAKE) --no-print-directory -f $(VM_MK) vm-build
	@echo "make fuzz: seed $(VM_FUZZ_SEED)"
	@VM_TIMEOUT=$(VM_FUZZ_TIMEOUT) VM_APPEND="mcos.only=8 mcos.fuzz_scale=10 mcos.fuzz_seed=$(VM_FUZZ_SEED) $(VM_APPEND)" \
		sh Tests/vm/vm-test.sh $(VM_BUILD) $(VM_KERNELS)

# make bench, guest part (Tests/vm/bench/run.sh): three boots of the newest
# kernel (6.1 does not bring its other CPUs up under QEMU 7.2's fixed
# -icount), each part's results in .vm/bench/PART/ for bench/report.py.
# The bench's static programs: OS noise probes, the offload path, the
# compute and memory kernels (DGEMM through Debian's serial OpenBLAS,
# linked statically: the kernels compare one CPU of each kind), what
# threads cost (threadbench), and what processes cost (procbench).
VM_BENCH_KERNEL ?= $(lastword $(VM_KERNELS))
VM_BENCH_PROGS := $(VM_BUILD)/bench-progs
VM_BENCH_DIR := $(VM_DIR)/bench
OPENBLAS := /usr/lib/x86_64-linux-gnu/openblas-serial

$(VM_BENCH_PROGS)/noise: Tests/vm/progs/noise.c Tests/vm/progs/bench.h
$(VM_BENCH_PROGS)/offload: Tests/vm/progs/offload.c Tests/vm/progs/bench.h
$(VM_BENCH_PROGS)/noise $(VM_BENCH_PROGS)/offload:
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -o $@ $<
$(VM_BENCH_PROGS)/kernels: Tests/vm/progs/kernels.c Tests/vm/progs/bench.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (OpenBLAS, serial)"
	@gcc $(VM_PROG_CFLAGS) -I/usr/include/x86_64-linux-gnu/openblas-serial -o $@ $< $(OPENBLAS)/libopenblas.a -lm
# futex wake-ups, thread create+join, OpenMP barriers and reductions: built
# as omp is (see there for ld's warning about libgomp's plugin dlopen).
$(VM_BENCH_PROGS)/threadbench: Tests/vm/progs/threadbench.c Tests/vm/progs/bench.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (OpenMP, pthreads)"
	@gcc $(VM_PROG_CFLAGS) -fopenmp -pthread -o $@ $<

# fork+exit+wait and exec, static and dynamic (its glibc: the staged Debian
# programs' libraries, which the bench's root gets too).
$(VM_BENCH_PROGS)/procbench: Tests/vm/progs/procbench.c Tests/vm/progs/bench.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@gcc $(VM_PROG_CFLAGS) -o $@ $<
$(VM_BENCH_PROGS)/procbench-dyn: Tests/vm/progs/procbench.c Tests/vm/progs/bench.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (dynamic)"
	@gcc $(filter-out -static,$(VM_PROG_CFLAGS)) -o $@ $<

# MPICH's ping-pong (the mpi part): the tests' mpitest.
$(VM_BENCH_PROGS)/mpitest: $(VM_PROGS)/mpitest
	@mkdir -p $(dir $@)
	@cp $< $@

$(VM_BUILD)/%/bench-initramfs.cpio.gz: $(VM_BUILD)/%/mcos.ko $(VM_TOOL) $(VM_SWIFT_TOOLS)/bin/mcprov \
		$(VM_BENCH_PROGS)/noise $(VM_BENCH_PROGS)/offload $(VM_BENCH_PROGS)/kernels $(VM_BENCH_PROGS)/threadbench \
		$(VM_BENCH_PROGS)/procbench $(VM_BENCH_PROGS)/procbench-dyn $(VM_BENCH_PROGS)/mpitest $(VM_DYNAMIC)/usr/bin/true \
		$(VM_GUEST_FILES) $(LWK_ELF)
	@echo "  CPIO    $@"
	@sh Tests/vm/mkinitramfs.sh $@ $(VM_BUILD)/$*/mcos.ko $(VM_TOOL) $(VM_SWIFT_TOOLS) $(LWK_ELF) $(VM_BENCH_PROGS) $(VM_DYNAMIC)

vm-bench: vm-deps
	@$(MAKE) --no-print-directory -f $(VM_MK) \
		$(VM_BUILD)/$(VM_BENCH_KERNEL)/bench-initramfs.cpio.gz
	@sh Tests/vm/bench/run.sh /boot/vmlinuz-$(VM_BENCH_KERNEL) \
		$(VM_BUILD)/$(VM_BENCH_KERNEL)/bench-initramfs.cpio.gz $(VM_BENCH_DIR) $(VM_TIMEOUT)

vm-clean:
	rm -rf $(VM_BUILD)

.DEFAULT_GOAL := $(VM_SAVED_DEFAULT_GOAL)

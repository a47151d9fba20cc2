# Entry points. `make demo` and `make test` are the README's two commands.
SWIFT        ?= swift
FIXTURES     ?= ../shared/fixtures/topologies
RELEASE_FLAGS = -c release --static-swift-stdlib
MCPROV        = .build/release/mcprov

.PHONY: all build release deps test swift-test soak bench demo clean

include mk/vm.mk
include mk/kernel.mk
include mk/node.mk

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product mcprov

# Every test: host logic with swift test, then the kernel module and our tools in
# QEMU on Debian's 6.1 and 6.12 kernels (mk/vm.mk; installs its packages as root),
# then the packages and mcprov@.service on a Debian guest with systemd (mk/node.mk;
# make node-test adds Slurm and a kernel upgrade).
test: swift-test vm-test node-test-quick

swift-test: deps
	$(SWIFT) test

# The leak hunts of the VM tests (apply/teardown, boot/shutdown, reserve/release) go
# round 200 times instead of the few that make test affords; hours, not minutes.
soak: deps
	$(MAKE) --no-print-directory vm-test VM_APPEND="mcos.cycles=200 $(VM_APPEND)" VM_TIMEOUT=14400

# The main job: the shipped profiles checked and planned against captured Xeon Phi and
# Xeon topologies, then the emulated KNL-like node in QEMU: topology, plan, apply (the
# LWK boots), status, kmsg, teardown, and a check that every CPU and all memory are back.
demo: release
	bash scripts/demo.sh $(MCPROV) $(FIXTURES)
	@$(MAKE) --no-print-directory vm-demo

# Medians and ratios against a baseline measured in the same run; never a timed test.
# Then, in one QEMU guest: a system call offloaded from the LWK to mcexec and one the
# LWK serves itself, against the same calls made natively (Tests/vm/bench/).
bench: release
	python3 bench/plan-vs-hwloc.py --mcprov $(MCPROV) --profile profiles/knl-snc4-flat.yaml \
	  --topology $(FIXTURES)/knl-64c-snc4-flat.real.xml
	@$(MAKE) --no-print-directory vm-bench

clean: vm-clean
	$(SWIFT) package clean

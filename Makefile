# Entry points. `make demo` and `make test` are the README's two commands.
SWIFT        ?= swift
FIXTURES     ?= ../shared/fixtures/topologies
RELEASE_FLAGS = -c release --static-swift-stdlib
# Debian's Python, where scripts/install-deps.sh puts matplotlib for the bench.
PYTHON       ?= /usr/bin/python3
MCPROV        = .build/release/mcprov

.PHONY: all build release deps bench-deps fixtures test swift-test soak suites bench-check bench demo clean

include mk/vm.mk
include mk/kernel.mk
include mk/node.mk

all: build

deps:
	bash scripts/install-deps.sh

bench-deps:
	bash scripts/install-deps.sh bench

build: deps
	$(SWIFT) build

# Both tools: mk/vm.mk stages mcexec beside mcprov and rebuilds them only when
# mcprov is older than the sources, so building mcprov alone here would leave the
# guests (make bench, make demo) an mcexec from before the last change.
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product mcprov
	$(SWIFT) build $(RELEASE_FLAGS) --product mcexec

# Every test: host logic with swift test, then the kernel module and our tools in
# QEMU on Debian's 6.1 and 6.12 kernels (mk/vm.mk; installs its packages as root),
# then the packages on a Debian guest with systemd: DKMS, a kernel upgrade,
# mcprov@.service and Slurm (mk/node.mk).
test: swift-test bench-check vm-test node-test

swift-test: deps fixtures
	MCPROV_FIXTURES=$(abspath $(FIXTURES)) $(SWIFT) test

# The host tests and the demo read the team's hwloc topologies, kept beside the checkout
# (not in it); say where before minutes of building end in a test failure.
fixtures:
	@test -f $(FIXTURES)/knl-64c-snc4-flat.real.xml || { \
		echo "make: the topology fixtures are not at $(FIXTURES) ($(abspath $(FIXTURES)))." >&2; \
		echo "  remedy: check this repository out beside shared/ (so that ../shared/fixtures/topologies" >&2; \
		echo "  exists), or name the folder: make $(MAKECMDGOALS) FIXTURES=/path/to/fixtures/topologies" >&2; \
		exit 1; }

# The leak hunts of the VM tests (apply/teardown, boot/shutdown, reserve/release) go
# round 200 times instead of the few that make test affords; hours, not minutes.
soak: deps
	$(MAKE) --no-print-directory vm-test VM_APPEND="mcos.cycles=200 $(VM_APPEND)" VM_TIMEOUT=14400

# Peers' suites whole, natively and on the LWK, on both kernels: every stressor
# of 97-stress-ng and every CPython test module staged (98-cpython), where
# make test gives each guest half of them and only CPython's quicker modules;
# an hour or more of emulated python.
suites: deps
	$(MAKE) --no-print-directory vm-test VM_APPEND="mcos.only=97,98 mcos.share=all mcos.cpython=all $(VM_APPEND)" VM_TIMEOUT=10800

# The bench's own parsing and table code (never a measurement): a second or so.
bench-check:
	cd bench && $(PYTHON) -m unittest -q test_bench

# The main job: the shipped profiles checked and planned against captured Xeon Phi and
# Xeon topologies, then the emulated KNL-like node in QEMU: topology, plan, apply (the
# LWK boots), status, kmsg, teardown, and a check that every CPU and all memory are back.
demo: release fixtures
	bash scripts/demo.sh $(MCPROV) $(FIXTURES)
	@$(MAKE) --no-print-directory vm-demo

# What a site asks before it adopts the LWK, never a timed test: the CLI against hwloc's
# own tool, then three guest boots (Tests/vm/bench/run.sh: OS noise under
# QEMU -icount on a Linux, an isolated Linux and an LWK CPU; the offload path,
# kernels and start-up in plain TCG), then one table of every figure against
# its goal (bench/report.py), as JSON in .vm/bench.json, and the noise plot.
BENCH_DIR := .vm/bench
bench: release bench-deps
	@mkdir -p $(BENCH_DIR)
	@echo "CLI: mcprov against hwloc-info (release build, static Swift runtime)"
	@$(PYTHON) bench/cli_speed.py --mcprov $(MCPROV) --profile profiles/knl-snc4-flat.yaml \
	  --topology $(FIXTURES)/knl-64c-snc4-flat.real.xml --workdir $(BENCH_DIR) --out $(BENCH_DIR)/cli.json
	@status=0; $(MAKE) --no-print-directory vm-bench || status=$$?; \
	  $(PYTHON) bench/report.py $(BENCH_DIR) --json .vm/bench.json --plot .vm/bench-noise.png; exit $$status

clean: vm-clean
	$(SWIFT) package clean

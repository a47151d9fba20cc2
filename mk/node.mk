# SPDX-License-Identifier: GPL-2.0
# Debian packages and the node test. Included by the top-level Makefile.
#   make deb        .vm/deb/{mcprov,mcos-dkms,mcprov-slurm}_VERSION_*.deb
#   make node-test  the packages on a Debian guest that boots with systemd: DKMS,
#                   a kernel upgrade, mcprov@.service, Slurm (Tests/node/run.sh)
#                   (what make test runs)
#   make node-test-quick
#                   a faster subset while developing: the packages, DKMS for one
#                   kernel and mcprov@.service, without Slurm and the upgrade
# Everything built goes to .vm/ (never committed).

NODE_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)
DEB_DIR := .vm/deb
NODE_DIR := .vm/node
NODE_TIMEOUT ?= 600
# man pages and shell completions, generated from the tools' own ArgumentParser
# definitions; ArgumentParser's generate-manual is built from its checkout.
DEB_DOCS := $(DEB_DIR)/docs
DEB_TOOLS := .build/release/mcprov .build/release/mcexec
ARGUMENT_PARSER := .build/checkouts/swift-argument-parser
GENERATE_MANUAL := .build/generate-manual/release/generate-manual

.PHONY: deb node-test node-test-quick node-deps

node-deps:
	@sh Tests/node/install-deps.sh

# .build/release/mcprov and mcexec: mk/vm.mk builds them.
$(GENERATE_MANUAL): .build/release/mcprov
	@echo "  SWIFT   generate-manual (swift-argument-parser)"
	@$(SWIFT) build -c release --package-path $(ARGUMENT_PARSER) --scratch-path .build/generate-manual \
		--product generate-manual > .build/generate-manual.log 2>&1 || { cat .build/generate-manual.log; exit 1; }

$(DEB_DOCS)/stamp: $(DEB_TOOLS) $(GENERATE_MANUAL)
	@echo "  GEN     man pages, bash/zsh/fish completions"
	@rm -rf $(DEB_DOCS) && mkdir -p $(DEB_DOCS)/man $(DEB_DOCS)/completions
	@date=$$(date -u -d @$$(git log -1 --format=%ct) +%F); for tool in $(DEB_TOOLS); do \
		$(GENERATE_MANUAL) $$tool --multi-page --date $$date -o $(DEB_DOCS)/man || exit 1; \
		for shell in bash zsh fish; do \
			$$tool --generate-completion-script $$shell > $(DEB_DOCS)/completions/$$(basename $$tool).$$shell || exit 1; \
		done; \
	done
	@touch $@

deb: deps node-deps $(DEB_DOCS)/stamp $(LWK_ELF)
	@echo "  DEB     $(DEB_DIR)"
	@sh packaging/build-debs.sh $(DEB_DIR) $(DEB_TOOLS) $(LWK_ELF) $(DEB_DOCS)/man $(DEB_DOCS)/completions

# The packages ship the release LWK, which has no test switches; the deliberate panic
# boots the test image (make kernel-test) that the guest gets beside them.
node-test node-test-quick: deb vm-deps $(LWK_TEST_ELF)
	@$(MAKE) --no-print-directory -f $(VM_MK) $(VM_PROGS)/lwkprog $(VM_PROGS)/ranks
	@sh Tests/node/run.sh $(NODE_DIR) $(DEB_DIR) $(VM_PROGS)/lwkprog $(NODE_TIMEOUT) \
		$(if $(filter node-test-quick,$@),quick,full) $(LWK_TEST_ELF)

.DEFAULT_GOAL := $(NODE_SAVED_DEFAULT_GOAL)

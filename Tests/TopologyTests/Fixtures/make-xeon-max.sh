#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Writes the Xeon CPU Max fixtures (hwloc 2.9's lstopo and hwloc-annotate): two
# packages of 8 cores × 2 threads (a 9480 has 56; fewer keep the files small), in
# Flat mode with SNC off, numbered as Linux numbers them: DDR nodes 0-1 (128 GiB) with
# the CPUs, HBM nodes 2-3 (64 GiB) CPU-less beside them. The SLIT puts each HBM node
# nearer its package's CPUs (13) than the other package's DDR (21), as the firmware
# does; the HMAT gives HBM about four times DDR's bandwidth at a slightly higher latency.
#   xeon-max-2s-flat.subtype.xml   as hwloc 2.8+ writes it on Linux: subtypes DRAM
#                                  and HBM from those memory attributes
#   xeon-max-2s-flat.memattrs.xml  as hwloc 2.3-2.7 writes it: the same attributes,
#                                  no subtypes
# usage: sh make-xeon-max.sh (in this directory)
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gib=1073741824
# NUMANode logical indexes follow the tree: L#0 = P#0, L#1 = P#2, L#2 = P#1, L#3 = P#3.
lstopo-no-graphics --input "pack:2 [numa(memory=$((128 * gib)) indexes=0,2,1,3)] [numa(memory=$((64 * gib)))] l3:1 core:8 pu:2" \
	--of xml "$tmp/0.xml"
cat > "$tmp/slit" <<'SLIT'
name=NUMALatency
5
4
NUMANode:0
NUMANode:1
NUMANode:2
NUMANode:3
10
13
21
23
13
10
23
23
21
23
10
13
23
23
13
10
SLIT
step=0
annotate() {
	next=$((step + 1))
	hwloc-annotate "$tmp/$step.xml" "$tmp/$next.xml" "$@"
	step=$next
}
annotate Package:all info CPUModel "Intel(R) Xeon(R) CPU Max 9480"
annotate Package:all info CPUVendor GenuineIntel
annotate Package:all info CPUFamilyNumber 6
annotate Package:all info CPUModelNumber 143
annotate root distances "$tmp/slit"
# Bandwidth in MiB/s and latency in ns, from each package to its own DDR and HBM
# and to the other package's.
for package in 0 1; do
	other=$((1 - package))
	ddr=$((package * 2)) hbm=$((package * 2 + 1))
	far_ddr=$((other * 2)) far_hbm=$((other * 2 + 1))
	annotate NUMANode:$ddr memattr Bandwidth Package:$package 250000
	annotate NUMANode:$hbm memattr Bandwidth Package:$package 1000000
	annotate NUMANode:$far_ddr memattr Bandwidth Package:$package 100000
	annotate NUMANode:$far_hbm memattr Bandwidth Package:$package 110000
	annotate NUMANode:$ddr memattr Latency Package:$package 110
	annotate NUMANode:$hbm memattr Latency Package:$package 130
	annotate NUMANode:$far_ddr memattr Latency Package:$package 190
	annotate NUMANode:$far_hbm memattr Latency Package:$package 210
done
cp "$tmp/$step.xml" xeon-max-2s-flat.memattrs.xml
annotate NUMANode:0 subtype DRAM
annotate NUMANode:2 subtype DRAM
annotate NUMANode:1 subtype HBM
annotate NUMANode:3 subtype HBM
cp "$tmp/$step.xml" xeon-max-2s-flat.subtype.xml

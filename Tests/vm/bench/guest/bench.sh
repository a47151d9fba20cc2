#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench`: runs the part of the benchmark that the kernel
# argument mcos.bench=PART names (one part per boot: each needs its own QEMU
# mode or Linux command line), then prints every result file between
# MCOS-BENCH-RESULTS markers as a base64 tar.gz for Tests/vm/bench/run.sh.
# Parameters come as kernel arguments too: mcos.fwq_units=N (the work of one
# quantum, measured by the noise part and passed on to the isolated one).
. /scenarios/lib.sh
. /bench/lib.sh
part=$(sed -n 's/.*mcos\.bench=\([a-z]*\).*/\1/p' /proc/cmdline)
mkdir -p $OUT
value kernel "$(uname -r)"
value part "$part"
[ -f /bench/$part.sh ] || fail "no such bench part: $part"
( . /bench/$part.sh )
rc=$?
echo
echo "MCOS-BENCH-RESULTS begin"
tar -C $OUT -cf - . | gzip -9 | base64
echo "MCOS-BENCH-RESULTS end"
exit $rc

# SPDX-License-Identifier: GPL-2.0
# Unloading the module while it holds CPUs, memory and an instance with
# assignments gives everything back.
. /scenarios/lib.sh
load_mod
on0=$(online_cpus)
free0=$(node_free 0)
free1=$(node_free 1)
run $MT setup 2-3 128M@1 64M@0
idx=$($MT create) || fail "create failed"
run $MT assign-cpus $idx 2
run $MT assign-mem $idx 1 32M
run $MT load $idx /bin/mcos-test
[ "$(online_cpus)" = 0-1 ] || fail "CPUs 2-3 not taken"
unload_mod
[ "$(online_cpus)" = "$on0" ] || fail "online CPUs after rmmod: $(online_cpus), expected $on0"
[ -e /dev/mcos$idx ] && fail "/dev/mcos$idx still there after rmmod"
expect_near "node 1 MemFree after rmmod" "$(node_free 1)" $free1 $((1 * MiB))
expect_near "node 0 MemFree after rmmod" "$(node_free 0)" $free0 $((8 * MiB))
got=$(pinned_cpu 3)
[ "$got" = 3 ] || fail "task pinned to CPU 3 ran on $got after rmmod"

# SPDX-License-Identifier: GPL-2.0
# No mapping of an LWK process's frames outlives the process, whoever holds
# it (mcos-hostile stale, as uid 65534, without mcexec): MADV_DOFORK on the
# mapping is refused and a forked child never reads the frames; a process
# that got the file by SCM_RIGHTS or by inheritance cannot map it; the
# mapping cannot be moved with mremap; threads faulting on the pages while
# the process ends read nothing after its EXIT, and a read then is SIGBUS;
# a later program's data never shows through a stale mapping, not even
# while a request answered -EBUSY left the EXIT unread.  And system
# call number 2^32 + 9 never reaches the proxy as 9 (mmap).
. /scenarios/lib.sh
load_mod
lwk_instance
run mcos-hostile -u 65534 stale $idx
expect_lwk_idle $idx "after the checks"
lwk_teardown $idx

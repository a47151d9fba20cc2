# SPDX-License-Identifier: GPL-2.0
# Images that are not an LWK are refused with a clear error: a corrupt ELF
# at load (ENOEXEC), an ELF that is not linked as an LWK at boot (ENOEXEC
# and a kmsg line); the instance stays usable and then boots the real one.
. /scenarios/lib.sh
load_mod
run $MT setup 3 16M@0
new_instance 3 0
# corrupt: ELF class byte changed
cp $LWK /tmp/bad.elf
printf '\003' | dd of=/tmp/bad.elf bs=1 seek=4 conv=notrunc 2> /dev/null
run $MT -e ENOEXEC load $idx /tmp/bad.elf
# corrupt: its one PT_LOAD moved away from the LWK window (p_vaddr += 4 KiB)
cp $LWK /tmp/moved.elf
printf '\020' | dd of=/tmp/moved.elf bs=1 seek=$((64 + 16 + 1)) conv=notrunc 2> /dev/null
run $MT load $idx /tmp/moved.elf
run $MT -e ENOEXEC boot $idx
$MT kmsg $idx | grep -q 'boot refused: not an LWK image' || fail "no clear refusal in kmsg"
[ "$(os_state $idx)" = LOADED ] || fail "state after refusal: $(os_state $idx)"
run $MT shutdown $idx
# a truncated image: no ELF header at all
head -c 40 $LWK > /tmp/short.elf
run $MT -e ENOEXEC load $idx /tmp/short.elf
lwk_boot $idx hidos
[ "$(os_state $idx)" = RUNNING ] || fail "the real image after refusals: $(os_state $idx)"
run $MT shutdown $idx
run $MT destroy $idx
run $MT release-cpus all
run $MT release-mem all
unload_mod

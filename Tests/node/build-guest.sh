#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Turns the cached Debian root file system into the booted node of the node test,
# doing natively, in a chroot, what a node does the same way whether booted or not:
#   1. install our packages (mcprov, mcos-dkms, and mcprov-slurm in the full scope) with
#      dpkg: DKMS builds mcos.ko for the installed kernel's headers, as on any node;
#   2. (full) upgrade the kernel (the newer Debian kernel's image and headers): DKMS's
#      kernel hooks build the module for it. The quick scope keeps the older kernel
#      and boots the host's image of that same Debian package;
#   3. set the node up as an admin would (hostname, a user, the profile enabled with
#      systemctl enable; full: munge key, slurm.conf) and add the test that runs once
#      booted;
#   4. drop what only building needed (compilers, headers, other kernels' modules) and
#      pack the rest as the initramfs the guest runs from.
# Prints PASS/FAIL lines for what it checks here; exits non-zero if a step fails.
# usage: build-guest.sh WORK BASE_ROOT DEB_DIR full|quick OLD_KERNEL NEW_KERNEL LWKPROG LWK_TEST_IMAGE
set -eu
work=$1 base=$2 debs=$3 scope=$4 old=$5 new=$6 lwkprog=$7 lwktest=$8
here=$(cd "$(dirname "$0")" && pwd)
root=$work/root
log=$work/build-guest.log

pass() { echo "PASS node/$1"; }
fail() { echo "FAIL node/$1"; exit 1; }

# A command in the chroot, with /dev, /proc and /sys mounted in a mount namespace of
# its own, so nothing stays mounted on the host whatever happens.
in_root() {
	unshare --mount --propagation private sh -c '
		root=$1; shift
		mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" && exec chroot "$root" "$@"' in_root "$root" "$@"
}

rm -rf "$root"
mkdir -p "$work"
cp -a "$base" "$root"
: > "$log"
# No service starts in the chroot.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# 1. our packages, with DKMS building for the installed kernel
mkdir -p "$root/tmp/debs"
cp "$debs"/mcprov_*.deb "$debs"/mcos-dkms_*.deb "$root/tmp/debs/"
if [ "$scope" = full ]; then
	cp "$debs"/mcprov-slurm_*.deb "$root/tmp/debs/"
fi
if in_root sh -c 'dpkg -i /tmp/debs/*.deb' >> "$log" 2>&1; then
	pass "packages-install"
else
	tail -n 40 "$log"; fail "packages-install: dpkg -i failed"
fi
in_root dkms status mcos >> "$log" 2>&1
if in_root dkms status mcos 2>/dev/null | grep -q "mcos/.*, $old, x86_64: installed" &&
	[ -f "$root/lib/modules/$old/updates/dkms/mcos.ko" ]; then
	pass "dkms-build ($old)"
else
	tail -n 40 "$log"; fail "dkms-build: no mcos.ko for $old"
fi

# 2. the kernel upgrade, with apt as an admin does it (apt orders the kernel's
# pre-dependencies; the packages were downloaded with the root file system); its
# initramfs is not used (the guest boots from the image packed below), so it is kept
# small
if [ "$scope" = full ]; then
	mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/tmp/kernel"
	echo MODULES=list > "$root/etc/initramfs-tools/conf.d/node-test"
	cp "$base.debs"/*.deb "$root/tmp/kernel/"
	if in_root sh -c 'apt-get install -y -q /tmp/kernel/*.deb' >> "$log" 2>&1 &&
		in_root dkms status mcos 2>/dev/null | grep -q "mcos/.*, $new, x86_64: installed" &&
		ls "$root/lib/modules/$new/updates/dkms/mcos.ko"* > /dev/null 2>&1; then
		pass "dkms-kernel-upgrade ($new)"
	else
		tail -n 40 "$log"; fail "dkms-kernel-upgrade: no mcos.ko for $new"
	fi
	cp "$root/boot/vmlinuz-$new" "$work/vmlinuz"
	booted=$new
else
	# modprobe's index of built-in modules, which the kernel package would have brought
	cp /lib/modules/"$old"/modules.builtin* /lib/modules/"$old"/modules.order "$root/lib/modules/$old/"
	cp "/boot/vmlinuz-$old" "$work/vmlinuz"
	booted=$old
fi

# 3. the node as an admin sets it up
echo node1 > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tnode1\n' > "$root/etc/hosts"
echo "$scope" > "$root/etc/node-test-scope"
if [ "$scope" = full ]; then
	install -m 644 "$here/guest/slurm.conf" "$here/guest/cgroup.conf" "$root/etc/slurm/"
	if [ ! -s "$root/etc/munge/munge.key" ]; then
		in_root mungekey --create --force >> "$log" 2>&1
	fi
	in_root chown munge:munge /etc/munge/munge.key
fi
in_root useradd --create-home --shell /bin/sh hpcuser
install -D -m 644 "$here/guest/node-fault.yaml" "$root/etc/mcprov/profiles/node-fault.yaml"
install -D -m 755 "$lwkprog" "$root/usr/local/bin/lwkprog"
# ranks (mcexec -n's test program) is built beside lwkprog
install -D -m 755 "$(dirname "$lwkprog")/ranks" "$root/usr/local/bin/ranks"
install -D -m 644 "$lwktest" "$root/usr/local/lib/mcprov-test/mcos-lwk-test.elf"
install -D -m 755 "$here/guest/node-test.sh" "$root/usr/local/sbin/node-test"
install -D -m 644 "$here/guest/node-test.service" "$root/etc/systemd/system/node-test.service"
install -D -m 644 "$here/guest/node-address.service" "$root/etc/systemd/system/node-address.service"
in_root systemctl enable mcprov@qemu-knl-like.service node-address.service node-test.service >> "$log" 2>&1
# The serial console is the test's output, not a login prompt.
in_root systemctl mask serial-getty@ttyS0.service getty@tty1.service >> "$log" 2>&1

# 4. what the booted node does not need
rm -f "$root/usr/sbin/policy-rc.d"
# The compilers, binutils and perl served DKMS only; the guest unpacks the image into
# its RAM, and boots faster the less there is.
rm -rf "$root/tmp/debs" "$root/tmp/kernel" "$root"/usr/src/linux-* "$root"/usr/lib/gcc \
	"$root"/usr/bin/x86_64-linux-gnu-* "$root"/usr/lib/x86_64-linux-gnu/lib*san.so.* \
	"$root"/usr/lib/x86_64-linux-gnu/libgprofng.so.* "$root"/usr/lib/x86_64-linux-gnu/libisl.so.* \
	"$root"/usr/lib/x86_64-linux-gnu/libbfd-*.so "$root"/usr/lib/x86_64-linux-gnu/libopcodes-*.so \
	"$root"/usr/lib/x86_64-linux-gnu/perl "$root"/usr/share/perl \
	"$root"/boot/* \
	"$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/lib/dkms/mcos/*/build
# only the booted kernel's modules; of those, only ours and the index of built-ins
for dir in "$root"/lib/modules/*; do
	[ "${dir##*/}" = "$booted" ] || rm -rf "$dir"
done
rm -rf "$root/lib/modules/$booted/kernel"
in_root depmod "$booted"
# /init says that Linux has booted as far as user space, where nothing of ours has run
# yet, then becomes systemd: run.sh boots once more a guest that died before that line.
printf '#!/bin/sh\necho NODE-USERSPACE\nexec /lib/systemd/systemd "$@"\n' > "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . -xdev | LC_ALL=C sort | cpio -o -H newc --quiet) > "$work/node.cpio"
echo "node image: $(du -m "$work/node.cpio" | cut -f1) MiB" >> "$log"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds the binary packages with dpkg-deb from what `make release` and `make kernel`
# built, laid out as Debian lays packages out:
#   mcprov        mcprov, mcexec, the LWK image, profiles, man pages, completions,
#                 mcprov@.service
#   mcos-dkms     the module's source for DKMS, and the modprobe rule that loads it
#   mcprov-slurm  Slurm's prolog and epilog for mcprov nodes, and the SPANK plugin
#                 behind srun --mckernel
# The version is the one `mcprov --version` prints.
# usage: build-debs.sh OUT_DIR MCPROV MCEXEC LWK_IMAGE MAN_DIR COMPLETION_DIR
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd) mcprov=$2 mcexec=$3 lwk=$4 man=$5 completions=$6
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
version=$("$mcprov" --version)
work=$out/stage
arch=$(dpkg --print-architecture)
maintainer="mcprov developers <mcprov@lists.invalid>"
# Reproducible: every date and mtime is the last commit's.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

rm -rf "$work"
mkdir -p "$work" "$out"

# Documentation every package carries: the license and a changelog.
docs() {
	pkg=$1 root=$work/$1
	mkdir -p "$root/usr/share/doc/$pkg"
	sed -e "s/@PACKAGE@/$pkg/" -e "s/@YEAR@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)/" "$here/copyright" > "$root/usr/share/doc/$pkg/copyright"
	{
		echo "$pkg ($version) unstable; urgency=medium"
		echo
		echo "  * Built from the mcprov repository; see its git log for the changes."
		echo
		echo " -- $maintainer  $(date -R -u -d "@$SOURCE_DATE_EPOCH")"
	} | gzip -9n > "$root/usr/share/doc/$pkg/changelog.gz"
}

# A page of ArgumentParser's generate-manual (mdoc) as Debian names and indexes man
# pages: mcprov.apply.1 becomes mcprov-apply.1 with that one word in NAME, for whatis,
# while SYNOPSIS keeps "mcprov apply"; empty lines become paragraph breaks. The pages of
# the `help` subcommands say nothing and are left out.
man_page() {
	page=$1 dir=$2
	name=$(basename "$page" .1)
	case $name in *.help) return ;; esac
	debian_name=$(echo "$name" | tr . -)
	words=$(echo "$name" | tr . ' ')
	sed -e "s/^\.Dt .* 1\$/.Dt $(echo "$debian_name" | tr '[:lower:]' '[:upper:]') 1/" \
		-e "s/^\.Nm \"$words\"\$/.Nm $debian_name/" \
		-e "/^\.Sh SYNOPSIS/{n;s/^\.Nm\$/.Nm \"$words\"/;}" \
		-e 's/^$/.Pp/' "$page" | gzip -9n > "$dir/$debian_name.1.gz"
}

# DEBIAN/control from the fields given, md5sums, then the .deb.
package() {
	pkg=$1 root=$work/$1
	shift
	mkdir -p "$root/DEBIAN"
	{
		echo "Package: $pkg"
		echo "Version: $version"
		echo "Maintainer: $maintainer"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
		printf '%s\n' "$@"
	} > "$root/DEBIAN/control"
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
		xargs -r md5sum) > "$root/DEBIAN/md5sums"
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	# gzip, not dpkg-deb's default xz: the tools are about 60 MB each, most of it the
	# static Swift runtime, and xz spends minutes of CI's two cores to save a quarter.
	dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/${pkg}_${version}_$(sed -n 's/^Architecture: //p' "$root/DEBIAN/control").deb" >/dev/null
}

# The shared libraries a binary needs, as Depends, the way dpkg-shlibdeps finds them.
shlibs() {
	tmp=$work/shlibdeps
	mkdir -p "$tmp/debian"
	printf 'Source: mcprov\n\nPackage: mcprov\nArchitecture: any\n' > "$tmp/debian/control"
	(cd "$tmp" && dpkg-shlibdeps -O --warnings=0 $(for f in "$@"; do echo "-e$f"; done)) |
		sed -n 's/^shlibs:Depends=//p'
}

# mcprov
root=$work/mcprov
install -D -m 755 "$mcprov" "$root/usr/bin/mcprov"
install -D -m 755 "$mcexec" "$root/usr/bin/mcexec"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/mcprov" "$root/usr/bin/mcexec"
# SwiftPM links executables with RPATH $ORIGIN, for libraries beside them in .build;
# installed, they find theirs where the dynamic loader looks anyway.
patchelf --remove-rpath "$root/usr/bin/mcprov" "$root/usr/bin/mcexec"
install -d "$root/DEBIAN"
# The module loads the LWK by its program header alone; symbols serve no one on a node.
install -D -m 644 "$lwk" "$root/usr/lib/mcprov/mcos-lwk.elf"
strip --strip-all "$root/usr/lib/mcprov/mcos-lwk.elf"
install -d "$root/usr/share/mcprov/profiles/schema" "$root/etc/mcprov/profiles"
install -m 644 "$top"/profiles/*.yaml "$root/usr/share/mcprov/profiles/"
install -m 644 "$top"/profiles/schema/*.json "$root/usr/share/mcprov/profiles/schema/"
install -D -m 644 "$here/mcprov/mcprov@.service" "$root/lib/systemd/system/mcprov@.service"
install -D -m 755 "$here/mcprov/mcprov-service" "$root/usr/libexec/mcprov/mcprov-service"
install -d "$root/usr/share/man/man1"
for page in "$man"/*.1; do
	man_page "$page" "$root/usr/share/man/man1"
done
for tool in mcprov mcexec; do
	# a completion is sourced, not run
	sed '1{/^#!/d}' "$completions/$tool.bash" > "$completions/$tool.bash.sourced"
	install -D -m 644 "$completions/$tool.bash.sourced" "$root/usr/share/bash-completion/completions/$tool"
	install -D -m 644 "$completions/$tool.zsh" "$root/usr/share/zsh/vendor-completions/_$tool"
	install -D -m 644 "$completions/$tool.fish" "$root/usr/share/fish/vendor_completions.d/$tool.fish"
done
docs mcprov
package mcprov \
	"Architecture: $arch" \
	"Section: admin" \
	"Priority: optional" \
	"Depends: $(shlibs "$root/usr/bin/mcprov" "$root/usr/bin/mcexec")" \
	"Recommends: mcos-dkms (= $version), irqbalance" \
	"Description: partition an HPC node between Linux and a lightweight kernel" \
	" mcprov applies YAML profiles that give CPUs and memory of a running Linux node" \
	" to a lightweight kernel (LWK) in the spirit of IHK/McKernel, without a reboot," \
	" and gives them back on teardown. mcexec runs static Linux programs on the LWK" \
	" and serves their system calls on Linux." \
	" ." \
	" mcprov@.service applies a profile at boot, one unit instance per profile."

# mcos-dkms
root=$work/mcos-dkms
src=$root/usr/src/mcos-$version
install -d "$src"
install -m 644 "$top"/kmod/*.c "$top"/kmod/*.h "$top"/kmod/Kbuild "$src/"
sed "s/@VERSION@/$version/" "$here/mcos-dkms/dkms.conf" > "$src/dkms.conf"
install -D -m 644 "$here/mcos-dkms/mcos.conf" "$root/lib/modprobe.d/mcos.conf"
install -D -m 755 "$here/mcos-dkms/load-mcos" "$root/usr/libexec/mcos-dkms/load-mcos"
install -d "$root/DEBIAN"
for script in postinst prerm; do
	sed "s/@VERSION@/$version/" "$here/mcos-dkms/$script" > "$root/DEBIAN/$script"
	chmod 755 "$root/DEBIAN/$script"
done
docs mcos-dkms
package mcos-dkms \
	"Architecture: all" \
	"Section: kernel" \
	"Priority: optional" \
	"Depends: dkms (>= 3.0), kmod" \
	"Description: mcos kernel module for mcprov (DKMS source)" \
	" mcos.ko takes CPUs and NUMA memory from a running Linux and boots mcprov's" \
	" lightweight kernel on them. This package builds it with DKMS for every" \
	" installed kernel, and again for each kernel installed later." \
	" ." \
	" modprobe mcos finds the address of Linux's real-mode trampoline itself."

# mcprov-slurm. The SPANK plugin is built against this host's Slurm (libslurm-dev):
# Slurm loads only plugins of its own major.minor release, hence the Depends.
root=$work/mcprov-slurm
slurm=$(dpkg-query -W -f='${Version}' libslurm-dev | cut -d. -f1-2)
plugin_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/slurm-wlm
install -d "$root$plugin_dir"
# shellcheck disable=SC2046 # dpkg-buildflags prints several flags
gcc $(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS) -Wall -Wextra -Werror \
	-fPIC -shared $(dpkg-buildflags --get LDFLAGS) -o "$root$plugin_dir/mckernel.so" "$here/mcprov-slurm/mckernel-spank.c"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root$plugin_dir/mckernel.so"
chmod 644 "$root$plugin_dir/mckernel.so"
install -D -m 755 "$here/mcprov-slurm/slurm-node-check" "$root/usr/libexec/mcprov/slurm-node-check"
ln -s slurm-node-check "$root/usr/libexec/mcprov/slurm-prolog"
ln -s slurm-node-check "$root/usr/libexec/mcprov/slurm-epilog"
install -m 755 "$here/mcprov-slurm/slurm-task" "$root/usr/libexec/mcprov/slurm-task"
install -d "$root/etc/slurm/plugstack.conf.d"
sed "s|@PLUGIN_DIR@|$plugin_dir|" "$here/mcprov-slurm/plugstack.conf" > "$root/etc/slurm/plugstack.conf.d/mcprov.conf"
install -D -m 644 "$here/mcprov-slurm/slurm.conf.example" "$root/usr/share/doc/mcprov-slurm/examples/slurm.conf"
docs mcprov-slurm
install -d "$root/DEBIAN"
echo /etc/slurm/plugstack.conf.d/mcprov.conf > "$root/DEBIAN/conffiles"
package mcprov-slurm \
	"Architecture: $arch" \
	"Section: admin" \
	"Priority: optional" \
	"Depends: mcprov (>= $version), jq, slurm-client (>= $slurm), slurm-client (<< $slurm.99), $(shlibs "$root$plugin_dir/mckernel.so")" \
	"Enhances: slurmd" \
	"Description: Slurm prolog, epilog and SPANK plugin for mcprov nodes" \
	" Checks the node's LWK partition before and after each job with" \
	" mcprov status, and drains a node whose LWK panicked, with the reason." \
	" srun --mckernel starts each task of a step on the node's LWK through" \
	" mcexec (the SPANK plugin mckernel.so)."

rm -rf "$work"
ls "$out"/*_"$version"_*.deb

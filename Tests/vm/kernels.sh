#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the guest kernels the VM tests run on: the newest installed Debian
# 6.1 and 6.12 (+deb12) amd64 kernels that have both an image in /boot and
# headers in /usr/src.  Nothing is printed for a series that is missing.
for pattern in '6.1.0-*-amd64' '6.12.*+deb12-amd64'; do
	for h in /usr/src/linux-headers-$pattern; do
		v=${h#/usr/src/linux-headers-}
		[ -f "/boot/vmlinuz-$v" ] && [ -f "$h/Makefile" ] && echo "$v"
	done | sort -V | tail -n 1
done | tr '\n' ' '

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that building and testing nf_ratelimit need,
# and only those that are missing.  Safe to run again; needs root.
set -euo pipefail

pkgs=(
	make gcc libc6-dev		# module and test programs
	linux-headers-amd64		# build against Debian's kernel
	linux-image-amd64		# ... and boot it in the VM
	linux-image-6.12-amd64 linux-headers-6.12-amd64	# the kernel matrix: 6.12
	linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64	# ... and PREEMPT_RT
	xz-utils			# their modules are compressed
	linux-source-6.12		# the debug test kernel, and the YNL schema
	bc bison flex libelf-dev libssl-dev cpio	# building that kernel
	qemu-system-x86 busybox-static iproute2 kmod	# the VM
	sparse				# make lint
	libmnl-dev pkgconf		# rlctl, rlsyncd, the selftests' helpers
	libhiredis-dev redis-server	# rlsyncd and its tests (a real Redis)
	cppcheck			# make lint on rlctl
	clang libclang-rt-14-dev	# libFuzzer on rlctl's parsers
	python3-yaml python3-jsonschema	# the YNL schema check
	gnuplot-nox			# make plot and make bench
	pahole				# the entry and table layouts in the README
	iptables nftables		# make bench: xt_hashlimit, nft meters
	valgrind			# make bench: instructions per decision
	dkms debhelper dh-dkms lintian openssl	# make dkms-install, make deb (DKMS signs with its own key)
	systemd git			# make check: systemd-analyze verify; the sources packaged
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's packaging tests, on the host (nothing is loaded or installed
# on it): make install and uninstall into a DESTDIR, the systemd units,
# DKMS builds against each of Debian's kernels' headers in a throwaway DKMS
# tree, and make deb: lintian, contents, and DKMS building the packaged
# source.  KTAP on standard output.
#
#   test-packaging.sh KVER...      the kernels whose headers DKMS builds for
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(cat "$top/VERSION")
n=0

point() {	# point DESCRIPTION COMMAND...: one KTAP point, output as diagnostics
	local desc=$1 log=$tmp/point.log
	shift
	n=$((n + 1))
	if "$@" >"$log" 2>&1; then
		echo "ok $n $desc"
	else
		sed 's/^/# /' "$log" | tail -30
		echo "not ok $n $desc"
	fi
}

expected_files() {	# what make install puts under DESTDIR
	cat <<-LIST
	/etc/default/nf-ratelimit
	/etc/modprobe.d/nf_ratelimit.conf
	/etc/nf_ratelimit/rules.conf
	/etc/nf_ratelimit/sync.conf
	/lib/modules/$1/updates/nf_ratelimit.ko
	/lib/systemd/system/nf-ratelimit-sync.service
	/lib/systemd/system/nf-ratelimit-textfile.service
	/lib/systemd/system/nf-ratelimit-textfile.timer
	/lib/systemd/system/nf-ratelimit.service
	/usr/share/bash-completion/completions/rlctl
	/usr/share/man/man8/rlctl.8
	/usr/share/man/man8/rlsyncd.8
	/usr/sbin/rlctl
	/usr/sbin/rlsyncd
	LIST
}

installed_files() {
	(cd "$1" && find . -type f | sed 's/^\.//' | sort)
}

install_puts_every_file() {
	local kver=$1 dest=$tmp/dest
	make -s -C "$tmp/src" install DESTDIR="$dest" \
		KDIR="/usr/src/linux-headers-$kver" || return 1
	diff -u <(expected_files "$kver" | sort) <(installed_files "$dest") || return 1
	modinfo -F version "$dest/lib/modules/$kver/updates/nf_ratelimit.ko" | grep -qx "$version" &&
	modinfo -F vermagic "$dest/lib/modules/$kver/updates/nf_ratelimit.ko" | grep -q "^$kver " &&
	grep -qx "ExecStart=/usr/sbin/rlctl apply -f /etc/nf_ratelimit/rules.conf" \
		"$dest/lib/systemd/system/nf-ratelimit.service" &&
	[ "$(stat -c %a "$dest/etc/nf_ratelimit/sync.conf")" = 600 ] &&
	"$tmp/src/tools/rlsyncd/rlsyncd" --check -c "$dest/etc/nf_ratelimit/sync.conf"
}

config_survives_reinstall_and_uninstall() {
	local kver=$1 dest=$tmp/dest
	echo "rule 0.0.0.0/0 rate 5/second" >>"$dest/etc/nf_ratelimit/rules.conf"
	cp "$dest/etc/nf_ratelimit/rules.conf" "$tmp/edited"
	make -s -C "$tmp/src" install DESTDIR="$dest" KDIR="/usr/src/linux-headers-$kver" &&
	cmp "$tmp/edited" "$dest/etc/nf_ratelimit/rules.conf" &&
	make -s -C "$tmp/src" uninstall DESTDIR="$dest" KDIR="/usr/src/linux-headers-$kver" &&
	diff -u <(echo /etc/nf_ratelimit/rules.conf) <(installed_files "$dest")
}

# systemd-analyze verify reports problems on stderr and still exits 0; the
# units name rlctl where make install puts it, which this host lacks, so it
# checks copies pointing at the built one.
units_verify() {
	local u=$tmp/units f
	mkdir -p "$u"
	for f in "$top"/dist/*.service "$top"/dist/*.timer; do
		sed "s|/usr/sbin/rlctl|$tmp/src/tools/rlctl/rlctl|g; s|/usr/sbin/rlsyncd|$tmp/src/tools/rlsyncd/rlsyncd|g" \
			"$f" >"$u/${f##*/}"
	done
	systemd-analyze verify --man=no "$u"/* >"$tmp/verify.log" 2>&1
	cat "$tmp/verify.log"
	[ $? -eq 0 ] && [ ! -s "$tmp/verify.log" ]
}

# dkms_build SOURCE_DIR KVER: add and build in a DKMS tree of its own.
dkms_build() {
	local src=$1 kver=$2 tree=$tmp/dkms-$RANDOM ko
	mkdir -p "$tree/dkms" "$tree/src"
	cp -r "$src" "$tree/src/nf-ratelimit-$version"
	dkms add -m nf-ratelimit -v "$version" --dkmstree "$tree/dkms" --sourcetree "$tree/src" &&
	dkms build -m nf-ratelimit -v "$version" -k "$kver" \
		--dkmstree "$tree/dkms" --sourcetree "$tree/src" || return 1
	# Compressed where the kernel compresses its own (6.12: .ko.xz).
	ko=$(echo "$tree/dkms/nf-ratelimit/$version/$kver/x86_64/module/nf_ratelimit.ko"*)
	modinfo -F vermagic "$ko" | grep "^$kver " && modinfo -F version "$ko" | grep -x "$version"
}

# make dkms-install and dkms-uninstall, into a DKMS tree, source tree and
# module tree of their own (dkms still runs depmod for KVER on the host: it
# finds nothing new there).
dkms_install_uninstall() {
	local kver=$1 t=$tmp/dkms-make flags
	flags="--dkmstree $t/dkms --sourcetree $t/src --installtree $t/modules"
	mkdir -p "$t/dkms" "$t/src" "$t/modules/$kver"
	make -s -C "$tmp/src" dkms-install KVER="$kver" DKMS_FLAGS="$flags" \
		DKMS_SRC="$t/src/nf-ratelimit-$version" || return 1
	echo "$t/modules/$kver/updates/dkms/"nf_ratelimit.ko* | grep -v '\*' || return 1
	make -s -C "$tmp/src" dkms-uninstall KVER="$kver" DKMS_FLAGS="$flags" \
		DKMS_SRC="$t/src/nf-ratelimit-$version" || return 1
	! ls "$t/modules/$kver/updates/dkms/"nf_ratelimit.ko* && [ ! -e "$t/src/nf-ratelimit-$version" ]
}

deb_contents() {
	local d=$tmp/debroot
	dpkg-deb -x "$deb/nf-ratelimit-dkms_${version}_all.deb" "$d" &&
	dpkg-deb -x "$deb/rlctl_${version}_amd64.deb" "$d" &&
	dpkg-deb -x "$deb/rlsyncd_${version}_amd64.deb" "$d" &&
	test -x "$d/usr/sbin/rlsyncd" && test -f "$d/usr/share/man/man8/rlsyncd.8.gz" &&
	test -f "$d/lib/systemd/system/nf-ratelimit-sync.service" &&
	[ "$(stat -c %a "$d/etc/nf_ratelimit/sync.conf")" = 600 ] &&
	dpkg-deb -I "$deb/rlsyncd_${version}_amd64.deb" conffiles |
		grep -qx /etc/nf_ratelimit/sync.conf &&
	grep -qx "PACKAGE_VERSION=\"$version\"" "$d/usr/src/nf-ratelimit-$version/dkms.conf" &&
	test -x "$d/usr/sbin/rlctl" && test -f "$d/usr/share/man/man8/rlctl.8.gz" &&
	test -f "$d/lib/systemd/system/nf-ratelimit.service" &&
	test -f "$d/etc/modprobe.d/nf_ratelimit.conf" &&
	dpkg-deb -I "$deb/rlctl_${version}_amd64.deb" conffiles |
		grep -qx /etc/nf_ratelimit/rules.conf &&
	dpkg-deb -I "$deb/rlctl_${version}_amd64.deb" postinst |
		grep -q "deb-systemd-helper.*nf-ratelimit.service" &&
	dpkg-deb -I "$deb/nf-ratelimit-dkms_${version}_all.deb" postinst | grep -q dkms
}

# make install builds in its tree: a copy, as a release tarball has it.
"$top/tools/copy-sources.sh" "$tmp/src"
make -s -C "$tmp/src" rlctl rlsyncd >/dev/null 2>&1
first=$1
point "make install: module, rlctl, rlsyncd, man pages, completion, units, configuration (sync.conf 0600)" \
	install_puts_every_file "$first"
point "make install keeps an edited configuration; make uninstall leaves only it" \
	config_survives_reinstall_and_uninstall "$first"
point "systemd-analyze verify: the units are clean" units_verify
make -s -C "$tmp/src" dkms-source DKMS_SRC="$tmp/dkms-src"
for kver in "$@"; do
	point "dkms build for $kver" dkms_build "$tmp/dkms-src" "$kver"
done
point "make dkms-install and dkms-uninstall for $first" dkms_install_uninstall "$first"
deb=
point "make deb: nf-ratelimit-dkms, rlctl and rlsyncd build, lintian-clean" \
	eval 'deb=$("$top/tools/build-deb.sh")'
point "make deb: the packages hold the source, tools, units and conffiles" deb_contents
point "make deb: DKMS builds the packaged source for $first" \
	dkms_build "$tmp/debroot/usr/src/nf-ratelimit-$version" "$first"
echo "1..$n"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks, as KTAP: sparse (C=2) over every file of the module,
# checkpatch.pl --strict (from the kernel source tree KDIR) over every source
# of it, no call or include cycle among its files (check-deps.py), and
# cppcheck over rlctl, rlsyncd and their tests.
#
#   lint.sh KDIR
set -uo pipefail

kdir=$1
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/.build/lint
n=0 failed=0

point() {	# point STATUS DESCRIPTION LOGFILE
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		sed 's/^/# /' "$3"
		echo "not ok $n $2"
		failed=1
	fi
}

rm -rf "$dir" && mkdir -p "$dir"
cp -r "$top/kmod" "$top/Kbuild" "$top/VERSION" "$dir/"
make -C "$kdir" M="$dir" C=2 CHECK="sparse -Wno-unknown-attribute" modules \
	>"$dir/sparse.raw" 2>&1
rc=$?
# sparse reports as "file:line:col: warning|error: ..."
grep -E "^[^ ]+:[0-9]+:[0-9]+: (warning|error):" "$dir/sparse.raw" >"$dir/sparse.log"
[ $rc -eq 0 ] && [ ! -s "$dir/sparse.log" ]
point $? "lint: sparse C=2 is clean" "$dir/sparse.log"

checkpatch() {
	"$kdir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES "$@"
}
cd "$top" || exit 1
rc=0
# compat.h is where kernel versions are compared, by design, and it defines
# the EXPORT_SYMBOL_IF_KUNIT() that 6.1 lacks, so its export macro stands
# alone, and without KUnit it expands to nothing, as <kunit/visibility.h>'s
# does (6.12's checkpatch flags the unused argument): the four checks against
# that are off for it alone.
checkpatch --ignore EXPORT_SYMBOL,LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_UNUSED \
	-f kmod/compat.h >"$dir/checkpatch.log" 2>&1 || rc=1
for f in $(git ls-files 'kmod/*.[ch]' | grep -v '^kmod/compat\.h$'); do
	checkpatch -f "$f" >>"$dir/checkpatch.log" 2>&1 || rc=1
done
point $rc "lint: checkpatch --strict is clean" "$dir/checkpatch.log"

# Calls and includes among kmod's files run one way (nm of what sparse's
# build left in $dir): two points.
/usr/bin/python3 tools/check-deps.py "$dir/kmod" kmod $((n + 1)) || failed=1
n=$((n + 2))

# Every finding of these classes counts; system headers are not ours.
cppcheck --enable=warning,style,performance,portability --std=c11 --quiet \
	--error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
	-I kmod/uapi -I tools/rlsyncd tools/rlctl/*.c tools/rlctl/tests/parse_test.c \
	tools/rlsyncd/*.c tools/rlsyncd/tests/*.c \
	>"$dir/cppcheck.log" 2>&1
point $? "lint: cppcheck on rlctl and rlsyncd is clean" "$dir/cppcheck.log"
exit $failed

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The policies the loaded module enforces are the ones its spec describes.
# The kernel reports every command's policy (genl ctrl policy: netlink's
# policy dump); netlink_policy.expected, which tools/check-spec.py derives
# from Documentation/netlink/specs/nf_ratelimit.yaml (make check verifies it
# is current), says what each command must and may accept:
#
#   must op 3 do 2.10 type=U32 range:[1,16777216]
#   (SET_CONFIG's request: config nest, attribute 10, max-entries)
#
# A command that accepts an attribute its request does not list, an
# attribute whose checks differ from the spec's, or a checked attribute the
# module does not check, fails.  No traffic: no topology.

. "$(dirname "$0")/lib.sh"

EXPECTED=$(dirname "$0")/netlink_policy.expected

[ "$(id -u)" = 0 ] || ktap_skip_all "must run as root"
[ -f "$NF_RL_KO" ] || ktap_skip_all "$NF_RL_KO not found"
command -v genl >/dev/null || ktap_skip_all "iproute2's genl not installed"
[ -f "$EXPECTED" ] || ktap_skip_all "$EXPECTED not found"
trap cleanup EXIT
ktap_header 3

load || exit $KSFT_FAIL

# genl prints "op N policies: do=P dump=Q" and "policy[P]:attr[A]: DESC"
# (a nest's DESC names its policy: "policy:P maxattr:M").  Each command's
# attributes, by their path of attribute numbers, as the expected file has
# them.
genl ctrl policy name nf_ratelimit >"$TMP/raw" 2>&1 ||
	{ sed 's/^/# /' "$TMP/raw"; exit $KSFT_FAIL; }
awk '
function walk(p, prefix, path,    i, n, a, desc, sub_p) {
	n = count[p]
	for (i = 1; i <= n; i++) {
		a = attr[p, i]
		desc = text[p, i]
		sub_p = ""
		if (match(desc, / policy:[0-9]+/)) {
			sub_p = substr(desc, RSTART + 8, RLENGTH - 8)
			desc = substr(desc, 1, RSTART - 1) substr(desc, RSTART + RLENGTH)
		}
		print prefix " " path a " " desc
		if (sub_p != "")
			walk(sub_p, prefix, path a ".")
	}
}
/ op [0-9]+ policies:/ {
	for (i = 1; i <= NF; i++) {
		if ($i == "op")
			op = $(i + 1)
		if ($i ~ /^(do|dump)=/) {
			split($i, kv, "=")
			ops[++nops] = "op " op " " kv[1]
			top[nops] = kv[2]
		}
	}
	next
}
match($0, /policy\[[0-9]+\]:attr\[[0-9]+\]: /) {
	s = substr($0, RSTART, RLENGTH)
	gsub(/[^0-9]+/, " ", s)
	split(s, pa, " ")
	p = pa[1]
	count[p]++
	attr[p, count[p]] = pa[2]
	text[p, count[p]] = substr($0, RSTART + RLENGTH)
}
END {
	for (i = 1; i <= nops; i++) {
		print ops[i]
		walk(top[i], ops[i], "")
	}
}' "$TMP/raw" >"$TMP/have"

# compare KIND: the lines of one kind of disagreement, as diagnostics.
compare() {
	awk -v kind="$1" '
	FILENAME == ARGV[1] {
		line = substr($0, index($0, " ") + 1)
		want[line] = $1
		next
	}
	{ seen[$0] = 1 }
	kind == "unexpected" && !($0 in want) { print "# not in the spec: " $0 }
	END {
		if (kind != "missing")
			exit
		for (line in want)
			if (want[line] == "must" && !(line in seen))
				print "# not enforced: " line
	}' "$EXPECTED" "$TMP/have" >"$TMP/$1"
	cat "$TMP/$1"
	[ ! -s "$TMP/$1" ]
}

ops=$(grep -c '^op [0-9]* [a-z]*$' "$TMP/have")
diag "$ops commands (do or dump) report policies, $(wc -l <"$TMP/have") lines in all"
check "every command of the spec reports a policy of its own" \
	[ "$ops" = "$(grep -c '^must op [0-9]* [a-z]*$' "$EXPECTED")" ]
check "no command accepts an attribute its request lacks, or other checks than the spec's" \
	compare unexpected
check "every attribute the spec checks is checked as the spec says" \
	compare missing
ktap_finish

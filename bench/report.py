#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the bench VMs' rows into bench/results: results.csv, results.md and,
through gnuplot, cost.png.

    report.py BUILD_DIR RESULTS_DIR

Rows (BUILD_DIR/*.rows, from bench/bench-guest.sh, prefixed by the run):
    RUN VARIANT SOURCES ORDER CPUS PACKETS USEC SEEN
"""
import csv
import datetime
import glob
import os
import statistics
import subprocess
import sys

VARIANTS = ["counter", "nf_ratelimit", "nf_ratelimit-prealloc", "xt_hashlimit",
            "nft-meter"]
OURS = ["nf_ratelimit", "nf_ratelimit-prealloc"]
THEIRS = ["xt_hashlimit", "nft-meter"]


def load(build):
    rows = []
    for path in sorted(glob.glob(os.path.join(build, "*.rows"))):
        for line in open(path):
            f = line.split()
            if len(f) != 8 or not f[5].isdigit() or int(f[5]) == 0:
                continue
            rows.append({"run": f[0], "variant": f[1], "sources": int(f[2]),
                         "order": f[3], "cpus": int(f[4]), "packets": int(f[5]),
                         "usec": int(f[6]), "seen": f[7]})
    return rows


def per_packet_ns(r):
    return r["usec"] * 1000.0 / r["packets"]


def main():
    build, results = sys.argv[1], sys.argv[2]
    os.makedirs(results, exist_ok=True)
    rows = load(build)
    kernel = open(os.path.join(build, "kernel")).read().strip() \
        if os.path.exists(os.path.join(build, "kernel")) else "?"
    today = datetime.date.today().isoformat()
    cap_path = os.path.join(build, "capacity")
    capacity = int(open(cap_path).read()) if os.path.exists(cap_path) else 0

    with open(os.path.join(results, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "variant", "sources", "order", "cpus", "packets",
                    "usec", "seen", "ns_per_packet"])
        for r in rows:
            w.writerow([r["run"], r["variant"], r["sources"], r["order"],
                        r["cpus"], r["packets"], r["usec"], r["seen"],
                        "%.1f" % per_packet_ns(r)])

    # Instructions: under -icount shift=0 a guest ns is one instruction.
    ic = [r for r in rows if r["run"] == "icount"]
    runs = {}
    for r in ic:
        runs.setdefault((r["sources"], r["order"], r["variant"]), []).append(
            per_packet_ns(r))
    # Repeats (REPEAT in bench.conf), if any: their median.
    cells = {k: statistics.median(v) for k, v in runs.items()}
    repeats = max((len(v) for v in runs.values()), default=1)
    points = sorted({(s, o) for (s, o, _) in cells})
    extra = {}
    for (s, o) in points:
        floor = cells.get((s, o, "floor"))
        for v in VARIANTS:
            if floor is not None and (s, o, v) in cells:
                extra[(s, o, v)] = cells[(s, o, v)] - floor

    md = []
    md.append("# nf_ratelimit benchmark results\n")
    md.append("Produced by `make bench` on %s (Debian kernel %s, qemu TCG).\n"
              % (today, kernel))
    md.append("## Extra instructions per packet, over the floor\n")
    md.append("One vCPU, `qemu -icount shift=0`: guest time counts "
              "instructions, so these are exact and repeatable (not cycles: "
              "TCG models no caches). *floor* is the whole receive path with "
              "no hook; each variant's figure is its cost on top of that. "
              "Every variant passes every packet while it can track its "
              "source. *x ours* is the variant's extra cost divided by "
              "nf_ratelimit's, *x prealloc* by nf_ratelimit's with "
              "`prealloc=1` (its entries allocated at load). Every table holds %d sources: in rows marked "
              "*full*, most packets come from sources none of them can "
              "track, and each does what it does then: nf_ratelimit charges "
              "its per-CPU overflow state (`full_policy=shared`, which "
              "passes them here), xt_hashlimit drops them (cheaper than "
              "passing them on to routing, hence its lower or even negative "
              "figure), the nft meter's update fails and the rule does not "
              "match (they pass unmetered).%s\n" % (capacity,
                  " Each figure is the median of the %d runs of its cell in "
                  "the boot." % repeats
                  if repeats > 1 else ""))
    ratios = [(u, v) for u in OURS for v in THEIRS]
    md.append("| sources | order | floor | " + " | ".join(VARIANTS) + " | " +
              " | ".join("%s x %s" % (v, "ours" if u == OURS[0] else "prealloc")
                         for (u, v) in ratios) + " |")
    md.append("| ---: | --- | ---: | " + " | ".join("---:" for _ in VARIANTS) +
              " | " + " | ".join("---:" for _ in ratios) + " |")
    for (s, o) in points:
        full = " (full)" if capacity and s > capacity else ""
        line = "| %d%s | %s | %.0f |" % (s, full, o, cells.get((s, o, "floor"), 0))
        for v in VARIANTS:
            e = extra.get((s, o, v))
            line += " %s |" % ("%.0f" % e if e is not None else "-")
        for (u, v) in ratios:
            ours, e = extra.get((s, o, u)), extra.get((s, o, v))
            line += " %s |" % ("%.2f" % (e / ours) if e and ours else "-")
        md.append(line)
    md.append("")

    # Scaling: wall clock, medians of interleaved repeats.
    pps = {}
    for r in rows:
        if r["run"].startswith("wall"):
            pps.setdefault((r["cpus"], r["variant"]), []).append(
                r["packets"] * 1e6 / r["usec"])
    if pps:
        md.append("## Two vCPUs against one\n")
        md.append("Wall clock (TCG, noisy: medians of interleaved repeats), "
                  "1024 sources in random order, one pktgen thread per vCPU.\n")
        md.append("| variant | 1 vCPU packets/s | 2 vCPUs packets/s | ratio | repeats |")
        md.append("| --- | ---: | ---: | ---: | ---: |")
        for v in ("floor", "nf_ratelimit"):
            one, two = pps.get((1, v)), pps.get((2, v))
            if one and two:
                a, b = statistics.median(one), statistics.median(two)
                md.append("| %s | %.0f | %.0f | %.2f | %d, %d |"
                          % (v, a, b, b / a, len(one), len(two)))
        md.append("")

    kb = {}
    for path in glob.glob(os.path.join(build, "*.kbench")):
        for line in open(path):
            f = line.split()
            if len(f) == 4:
                kb.setdefault(int(f[1]), {})[f[2]] = float(f[3])
    if kb:
        md.append("## The decision path alone, in the kernel\n")
        md.append("kmod/tests/bench.c (nf_ratelimit_bench.ko, built with "
                  "`NF_RL_BENCH=1`) calls rl_table_charge() directly over "
                  "preloaded sources, in the 2-vCPU boot, wall clock: *hot* "
                  "cycles over 16 sources, *cold* over all of them in random "
                  "order, *2 CPUs* runs two halves at once (ns per decision of "
                  "the pair), *rhashtable* is the calibration: one lookup in a "
                  "plain rhashtable of as many u32 keys (jhash). TCG models no "
                  "caches, so hot and cold differ here only by the table's "
                  "size; on real hardware, cold is where a 64-byte entry "
                  "would show. Compare machines by *cold / rhashtable*.\n")
        md.append("| sources | hot ns | cold ns | 2 CPUs ns | speed-up | rhashtable ns | cold / rhashtable |")
        md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in sorted(kb):
            r = kb[n]
            hot, cold, two, rht = (r.get(k) for k in ("hot", "cold", "cold2", "rht"))
            md.append("| %d | %s | %s | %s | %s | %s | %s |" % (
                n, hot, cold, two,
                "%.2f" % (cold / two) if cold and two else "-", rht,
                "%.2f" % (cold / rht) if cold and rht else "-"))
        md.append("")

    # Selectors: the in-kernel decision under -icount, so exact.
    rec = {}
    for path in glob.glob(os.path.join(build, "*.recipes")):
        for line in open(path):
            f = line.split()
            if len(f) == 4:
                rec.setdefault(f[1], {})[f[2]] = float(f[3])
    if rec:
        md.append("## Selectors: the decision with recipes 1 and 4\n")
        md.append("kmod/tests/bench.c with `recipe=`, one vCPU under "
                  "`qemu -icount shift=0` (so a guest ns is one instruction: "
                  "exact), %s sources preloaded, the decision alone as the "
                  "hook makes it, the packet's headers parsed anew each time "
                  "where selector rules exist. *source*: the source rule "
                  "0.0.0.0/0 alone (what every packet cost before selectors, "
                  "no parse). *source6*: the same for IPv6 sources under "
                  "::/0, each its own /128 entry. *prealloc*: *source* in a "
                  "table with `prealloc=1`. *ssh*: README's recipe 1 (`proto tcp dport 22 "
                  "syn`) besides it, a SYN to 22: one parse, two charges (its "
                  "SSH entry, its source entry). *web*: recipe 4 (`proto tcp "
                  "dport 80,443 syn`), a SYN to 443: the same. *other*: both "
                  "recipes, a UDP datagram neither matches: one parse, one "
                  "charge.\n" % (os.environ.get("BENCH_RECIPE_SOURCES", "1024")))
        md.append("| rules and packet | hot instructions | cold instructions | cold x source |")
        md.append("| --- | ---: | ---: | ---: |")
        base = rec.get("source", {}).get("cold")
        for r in ("source", "source6", "prealloc", "ssh", "web", "other"):
            if r in rec:
                cold = rec[r].get("cold")
                md.append("| %s | %s | %s | %s |" % (
                    r, rec[r].get("hot", "-"), cold if cold else "-",
                    "%.2f" % (cold / base) if cold and base else "-"))
        md.append("")

    # The random-order rows' traffic through the decision alone: exact.
    fl = {}
    for path in glob.glob(os.path.join(build, "*.floods")):
        for line in open(path):
            f = line.split()
            if len(f) == 3:
                fl[int(f[1])] = float(f[2])
    if fl:
        md.append("## A spoofed flood: the decision alone\n")
        md.append("kmod/tests/bench.c with `flood=`, one vCPU under `qemu "
                  "-icount shift=0` (counted: runs agree within half an "
                  "instruction): the traffic of the random-order rows above (as many "
                  "packets, sources drawn at random among so many, an empty "
                  "table of %s entries, the same rule) through "
                  "`rl_table_charge()` alone. Beyond the capacity, the table "
                  "fills and most packets are sources it turns away, charged "
                  "to the overflow state. The rows above add netfilter, the "
                  "hook and everything else that runs in the boot while the "
                  "packets flow, less a floor measured in runs of their own; "
                  "*x capacity* is the row's figure divided by the one at "
                  "the table's capacity.\n" % capacity)
        md.append("| sources | instructions per decision | x capacity |")
        md.append("| ---: | ---: | ---: |")
        base = fl.get(capacity)
        for n in sorted(fl):
            md.append("| %d%s | %.1f | %s |" % (
                n, " (full)" if capacity and n > capacity else "", fl[n],
                "%.2f" % (fl[n] / base) if base else "-"))
        md.append("")

    uc = os.path.join(build, "ucount.csv")
    if os.path.exists(uc):
        md.append("## The algorithms alone\n")
        md.append("Instructions per charge of the module's own algorithm code "
                  "built in userspace (bench/ucount, callgrind, loop "
                  "subtracted): *pass* at 1M packets/s with every charge "
                  "conforming, *drop* at 1/s with none, *bytes* 1500-byte "
                  "packets against 1 Gbit/s. The kernel adds its entry lock "
                  "and counters around one of these.\n")
        md.append("| algorithm | pass | drop | bytes |")
        md.append("| --- | ---: | ---: | ---: |")
        byalgo = {}
        with open(uc) as f:
            for r in csv.DictReader(f):
                byalgo.setdefault(r["algo"], {})[r["mode"]] = r["instructions_per_charge"]
        for a, m in byalgo.items():
            md.append("| %s | %s | %s | %s |" % (a, m.get("pass", "-"),
                                                 m.get("drop", "-"), m.get("bytes", "-")))
        md.append("")
        with open(os.path.join(results, "ucount.csv"), "w") as f:
            f.write(open(uc).read())

    open(os.path.join(results, "results.md"), "w").write("\n".join(md) + "\n")

    # The plot: extra instructions against sources, random order.
    dat = os.path.join(build, "cost.dat")
    srcs = sorted({s for (s, o) in points if o == "random"})
    with open(dat, "w") as f:
        for s in srcs:
            f.write("%d %s\n" % (s, " ".join(
                "%.1f" % extra[(s, "random", v)] if (s, "random", v) in extra
                else "NaN" for v in VARIANTS)))
    gp = """set terminal pngcairo size 900,540 noenhanced
set output '%s'
set title 'Extra instructions per packet over the floor (random order, qemu -icount)'
set xlabel 'distinct sources'
set ylabel 'instructions per packet'
set logscale x
set key top left
set grid
set arrow from %d, graph 0 to %d, graph 1 nohead dashtype 2
set label 'table capacity' at %d, graph 0.95 right offset -1, 0
plot %s
""" % (os.path.join(results, "cost.png"), capacity or 1, capacity or 1, capacity or 1, ", ".join(
        "'%s' using 1:%d with linespoints title '%s'" % (dat, i + 2, v)
        for i, v in enumerate(VARIANTS)))
    if srcs:
        subprocess.run(["gnuplot"], input=gp.encode(), check=True)
    print("\n".join(md))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the YNL spec of the nf_ratelimit family.

1. It validates against the YNL JSON schema (from linux-source-6.12).
2. Every constant it implies (definition entries, attributes, commands) exists
   in the uapi header with the value the spec gives it: a C file of
   static asserts is compiled against the header.
3. POLICY_FILE (selftests/netlink_policy.expected) holds what the spec says
   the module's policies must accept: the kernel cannot read YAML, so the
   policies restate the spec's checks: in C, and netlink_policy.sh compares
   the policies the loaded module reports (genl ctrl policy) with this file.

Prints KTAP and exits 1 on a failure.
Usage: check-spec.py SPEC SCHEMA_DIR UAPI_INCLUDE_DIR [POLICY_FILE]
       check-spec.py --policy SPEC      prints what POLICY_FILE must hold
"""

import difflib
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml


def cname(*parts):
    return "_".join(p.replace("-", "_") for p in parts if p).upper()


def constants(spec):
    """(name, value) pairs the spec implies, as ynl-gen-c would name them."""
    out = []
    for d in spec.get("definitions", []):
        if d["type"] != "enum":
            continue
        prefix = d.get("name-prefix", f"{spec['name']}-{d['name']}-")
        for i, e in enumerate(d["entries"], d.get("value-start", 0)):
            out.append((cname(prefix + e), i))
    for aset in spec.get("attribute-sets", []):
        value = 1
        for a in aset["attributes"]:
            value = a.get("value", value)
            out.append((cname(aset["name-prefix"] + a["name"]), value))
            value += 1
    ops = spec["operations"]
    value = 1
    for op in ops["list"]:
        value = op.get("value", value)
        out.append((cname(ops["name-prefix"] + op["name"]), value))
        value += 1
    return out


# How iproute2's genl prints the range of an unchecked integer.
INT_RANGE = {"u8": (0, 2**8 - 1), "u16": (0, 2**16 - 1),
             "u32": (0, 2**32 - 1), "u64": (0, 2**64 - 1),
             "s8": (-2**7, 2**7 - 1), "s16": (-2**15, 2**15 - 1),
             "s32": (-2**31, 2**31 - 1), "s64": (-2**63, 2**63 - 1)}


def attr_policy(spec, a):
    """An attribute's policy as genl ctrl policy prints it."""
    t, checks = a["type"], a.get("checks", {})
    if t in INT_RANGE:
        lo, hi = INT_RANGE[t]
        if "enum" in a:
            enum = next(d for d in spec["definitions"] if d["name"] == a["enum"])
            hi = len(enum["entries"]) - 1
        lo, hi = checks.get("min", lo), checks.get("max", hi)
        return f"type={t.upper()} range:[{lo},{hi}]"
    if t == "string":
        return "type=NUL_STRING" + (f" max len:{checks['max-len']}"
                                    if "max-len" in checks else "")
    if t == "binary":
        out = "type=BINARY"
        if "min-len" in checks:
            out += f" min len:{checks['min-len']}"
        if "max-len" in checks:
            out += f" max len:{checks['max-len']}"
        return out
    if t == "flag":
        return "type=FLAG"
    raise ValueError(f"attribute {a['name']}: type {t} has no policy rule")


def attr_values(aset):
    value = 1
    for a in aset["attributes"]:
        value = a.get("value", value)
        yield value, a
        value += 1


def policy_lines(spec):
    """What each command's policy must ("must") and may ("may") accept.

    One line per command and kind (do, dump) the spec gives, then one per
    attribute, by its path of attribute numbers from the top level, as
    netlink_policy.sh prints the module's.  At the top level a command
    accepts exactly its request's attributes (a dump also those of its do:
    a genl_ops has one policy for both).  In a nest, an attribute with
    checks: or an enum must be accepted with them, and a nest holding one;
    one the spec calls read-only must not; any other may be refused
    (reply-only) or accepted as typed.
    """
    sets = {s["name"]: s for s in spec["attribute-sets"]}
    out = []

    def nest(prefix, aset, path, strict):
        """Lines for @aset's attributes; a nest must be there if any of it must."""
        lines = []
        for value, a in attr_values(aset):
            if a["type"] == "pad" or "read-only" in a.get("doc", "").lower():
                continue
            key = f"{path}{value}"
            if a["type"] == "nest":
                sub = sets[a["nested-attributes"]]
                inner = nest(prefix, sub, key + ".", False)
                must = strict or any(k == "must" for k, _ in inner)
                lines.append(("must" if must else "may",
                              f"{prefix} {key} type=NESTED "
                              f"maxattr:{len(sub['attributes'])}"))
                lines += inner
                continue
            must = strict or "checks" in a or "enum" in a
            lines.append(("must" if must else "may",
                          f"{prefix} {key} {attr_policy(spec, a)}"))
        return lines

    ops = spec["operations"]
    value = 1
    for op in ops["list"]:
        value = op.get("value", value)
        top = sets[op["attribute-set"]]
        do_attrs = set(op.get("do", {}).get("request", {}).get("attributes", []))
        for kind in ("do", "dump"):
            if kind not in op:
                continue
            prefix = f"op {value} {kind}"
            out.append(("must", prefix))
            want = set(op[kind].get("request", {}).get("attributes", []))
            for strict, names in ((True, want), (False, do_attrs - want)):
                if kind == "do" and not strict:
                    continue
                sub = dict(top, attributes=[
                    a if a["name"] in names else dict(a, type="pad")
                    for a in top["attributes"]])
                lines = nest(prefix, sub, "", strict)
                if not strict:
                    lines = [("may", line) for _, line in lines]
                out += lines
        value += 1
    return [f"{kind} {line}" for kind, line in out]


def main():
    if sys.argv[1] == "--policy":
        with open(sys.argv[2]) as f:
            print("\n".join(policy_lines(yaml.safe_load(f))))
        return 0
    spec_path, schema_dir, include = sys.argv[1:4]
    policy_file = sys.argv[4] if len(sys.argv) > 4 else None
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    print("TAP version 13")
    ok = True

    schema_path = os.path.join(schema_dir, spec["protocol"] + ".yaml")
    with open(schema_path) as f:
        schema = yaml.safe_load(f)
    try:
        jsonschema.validate(spec, schema)
        print("ok 1 spec: valid against the YNL schema")
    except jsonschema.exceptions.ValidationError as e:
        print(f"# {e.message} at {list(e.path)}")
        print("not ok 1 spec: valid against the YNL schema")
        ok = False

    asserts = "".join(f'_Static_assert({n} == {v}, "{n} should be {v}");\n'
                      for n, v in constants(spec))
    with tempfile.NamedTemporaryFile("w", suffix=".c") as c:
        c.write(f"#include <{spec['uapi-header']}>\n{asserts}")
        c.flush()
        res = subprocess.run(["gcc", "-fsyntax-only", "-I", include, c.name],
                             capture_output=True, text=True)
    if res.returncode == 0:
        print(f"ok 2 spec: uapi header has its {len(constants(spec))} constants")
    else:
        for line in res.stderr.splitlines():
            print(f"# {line}")
        print("not ok 2 spec: uapi header has its constants")
        ok = False
    n = 2
    if policy_file:
        n += 1
        with open(policy_file) as f:
            have = f.read().splitlines()
        want = policy_lines(spec)
        desc = f"spec: {os.path.basename(policy_file)} is what the spec implies"
        if have == want:
            print(f"ok {n} {desc}")
        else:
            for line in difflib.unified_diff(have, want, "committed", "spec",
                                             lineterm=""):
                print(f"# {line}")
            print(f"# regenerate it: make netlink-policy")
            print(f"not ok {n} {desc}")
            ok = False
    print(f"1..{n}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

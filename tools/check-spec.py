#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the YNL spec of the nf_ratelimit family.

1. It validates against the YNL JSON schema (from linux-source-6.12).
2. Every constant it implies (definition entries, attributes, commands) exists
   in the uapi header with the value the spec gives it: a C file of
   static asserts is compiled against the header.

Prints KTAP (two points) and exits 1 on a failure.
Usage: check-spec.py SPEC SCHEMA_DIR UAPI_INCLUDE_DIR
"""

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


def main():
    spec_path, schema_dir, include = sys.argv[1:4]
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
    print("1..2")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

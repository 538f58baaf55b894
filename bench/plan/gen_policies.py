#!/usr/bin/env python3
"""Writes N distinct customised package policies of one package version as JSON Lines.

Usage: gen_policies.py FLEETUP PACKAGE_DIR N OUT.jsonl

Every var of every input and stream gets a non-default value derived from the policy's index, so
no two policies are alike and every var is "set by the user".
"""
import json
import subprocess
import sys


def call(fleetup, op, args):
    out = subprocess.run([fleetup, "call"], input=json.dumps({"op": op, "args": args}) + "\n",
                         capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)
    if "error" in doc:
        raise SystemExit(f"{op}: {doc['error']}")
    return doc["ok"]


def customise(value, i, name):
    if isinstance(value, bool):
        return not value if i % 2 else value
    if isinstance(value, int):
        return value + i % 7 + 1
    if isinstance(value, list):
        return [customise(v, i, name) for v in value] + [f"/custom/{name}/{i}"]
    if isinstance(value, str):
        if value.endswith(("s", "m", "h")) and value[:-1].isdigit():
            return f"{int(value[:-1]) + i % 50 + 1}{value[-1]}"
        return f"{value}-{i}" if value else f"{name}-{i}"
    return f"{name}-{i}"


def main():
    fleetup, pkg_dir, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    pkg = call(fleetup, "package.load", {"path": pkg_dir})
    base = call(fleetup, "fleet.package_to_package_policy",
                {"package_info": pkg, "agent_policy_ids": ["agent-policy-1"], "namespace": "default",
                 "name": "policy"})
    base_text = json.dumps(base)
    with open(out, "w") as f:
        for i in range(n):
            p = json.loads(base_text)
            p["id"] = f"pp-{i:06d}"
            p["name"] = f"{pkg['name']}-{i}"
            p["revision"] = 1 + i % 5
            p["policy_ids"] = [f"agent-policy-{i % 97}"]
            p["policy_id"] = p["policy_ids"][0]
            containers = [p] + p["inputs"] + [s for inp in p["inputs"] for s in inp["streams"]]
            for c in containers:
                for name, entry in (c.get("vars") or {}).items():
                    if entry.get("type") == "yaml":
                        entry["value"] = f"# policy {i}\nkey_{i % 13}: value"
                    elif entry.get("type") in ("password",):
                        entry["value"] = f"secret-{i}"
                    elif "value" in entry and entry["value"] is not None:
                        entry["value"] = customise(entry["value"], i, name)
                    else:
                        entry["value"] = f"{name}-{i}"
            f.write(json.dumps(p, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

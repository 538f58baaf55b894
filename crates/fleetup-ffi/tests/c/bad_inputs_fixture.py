"""Writes tests/bad_inputs/catalogue.json as a fixture the C runner (bad_inputs.c) can read
without a JSON parser. Used by `just test-c` / `just valgrind`; the output lives under target/.

Usage: python3 bad_inputs_fixture.py CATALOGUE ERRORS_JSON OUT

One record per case: a header line
    <name_len> <code> <number> <plan> <prefix_len> <unit_len> <count> <suffix_len>
then the name, prefix, unit and suffix bytes back to back, then a newline. The request is
prefix + unit * count + suffix, so the 64 MB entries stay a few bytes here as in the catalogue.
`code` is the code the C surface must answer with (`surface_errors.c` when present), `number` its
stable number, and `plan` is 1 when the request is a `plan.*` operation that `fleetup_plan` must
also reject with that code.
"""

import json
import sys


def parts(case):
    if "request" in case:
        return case["request"].encode("utf-8"), b"", 0, b""
    if "request_hex" in case:
        return bytes.fromhex(case["request_hex"]), b"", 0, b""
    g = case["request_gen"]
    return g["prefix"].encode("utf-8"), g["unit"].encode("utf-8"), int(g["count"]), g["suffix"].encode("utf-8")


def is_plan_op(request: bytes) -> bool:
    try:
        doc = json.loads(request.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and isinstance(doc.get("op"), str) and doc["op"].startswith("plan.")


def main() -> None:
    catalogue, errors, out = sys.argv[1:]
    cases = json.load(open(catalogue, encoding="utf-8"))["cases"]
    numbers = {c["code"]: c["number"] for c in json.load(open(errors, encoding="utf-8"))["codes"]}
    with open(out, "wb") as f:
        for case in cases:
            code = case.get("surface_errors", {}).get("c", case["error"])
            prefix, unit, count, suffix = parts(case)
            # Only stored requests can name an op; generated ones are all about size.
            plan = 1 if count == 0 and is_plan_op(prefix) else 0
            name = case["name"].encode("utf-8")
            header = f"{len(name)} {code} {numbers[code]} {plan} {len(prefix)} {len(unit)} {count} {len(suffix)}\n"
            f.write(header.encode("ascii") + name + prefix + unit + suffix + b"\n")
    print(f"{out}: {len(cases)} cases")


if __name__ == "__main__":
    main()

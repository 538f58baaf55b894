"""tests/vectors through the installed package: the generic call and the typed functions."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

import fleetup
from conftest import all_cases

CASES = list(all_cases())
IDS = [cid for cid, _ in CASES]


def request_bytes(case: Dict[str, Any]) -> bytes:
    if "request_hex" in case:
        return bytes.fromhex(case["request_hex"])
    if "request" in case:
        return case["request"].encode("utf-8")
    return json.dumps({"op": case["op"], "args": case["args"]}).encode("utf-8")


def expected_envelope(case: Dict[str, Any]) -> Dict[str, Any]:
    if "expect" in case:
        return {"ok": case["expect"]}
    if "error" in case:
        err = {"code": case["error"]}
        if "path" in case:
            err["path"] = case["path"]
        return {"error": err}
    return case["response"]


def assert_envelope(case: Dict[str, Any], got: Dict[str, Any]) -> None:
    want = expected_envelope(case)
    if "ok" in want:
        assert got == {"ok": want["ok"]}, got
    else:
        assert "error" in got, got
        assert got["error"]["code"] == want["error"]["code"], got
        if "path" in want["error"]:
            assert got["error"].get("path") == want["error"]["path"], got


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=IDS)
def test_generic_call(case: Dict[str, Any]) -> None:
    assert_envelope(case, json.loads(fleetup.call_bytes(request_bytes(case))))


TYPED = [(cid, c) for cid, c in CASES if c.get("op") in ("semver.compare", "semver.satisfies")]


def typed_envelope(case: Dict[str, Any]) -> Dict[str, Any]:
    args = case["args"]
    opts = args.get("options") or {}
    kw = {"loose": bool(opts.get("loose")), "include_prerelease": bool(opts.get("include_prerelease"))}
    try:
        if case["op"] == "semver.compare":
            return {"ok": fleetup.compare(args["a"], args["b"], **kw)}
        return {"ok": fleetup.satisfies(args["version"], args["range"], **kw)}
    except fleetup.FleetupError as e:
        return {"error": {"code": e.code, "message": e.message, "path": e.path}}


@pytest.mark.parametrize(
    "case",
    # Cases whose arguments a typed call cannot express (missing/mistyped) stay generic-only.
    [c for _, c in TYPED if all(isinstance(c["args"].get(k), str) for k in ("a", "b", "version", "range") if k in c["args"])
     and (("a" in c["args"] and "b" in c["args"]) or ("version" in c["args"] and "range" in c["args"]))],
    ids=lambda c: c["name"],
)
def test_typed_functions(case: Dict[str, Any]) -> None:
    assert_envelope(case, typed_envelope(case))


def test_vectors_were_found() -> None:
    assert len(CASES) > 50
    assert len(TYPED) > 40

"""tests/bad_inputs/catalogue.json through the installed package: every hostile request gets its
stable error code in the response envelope, and nothing crashes the interpreter."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List

import pytest

import fleetup
from conftest import REPO

CATALOGUE = REPO / "tests" / "bad_inputs" / "catalogue.json"
# Under valgrind every byte is ~50x slower: the multi-megabyte entries run in the normal suite only.
LIGHT = bool(os.environ.get("FLEETUP_TEST_LIGHT"))


def request_bytes(case: Dict[str, Any]) -> bytes:
    if "request" in case:
        return case["request"].encode("utf-8")
    if "request_hex" in case:
        return bytes.fromhex(case["request_hex"])
    g = case["request_gen"]
    return (g["prefix"] + g["unit"] * g["count"] + g["suffix"]).encode("utf-8")


def cases() -> List[Dict[str, Any]]:
    out = json.loads(CATALOGUE.read_text(encoding="utf-8"))["cases"]
    if LIGHT:
        out = [c for c in out if len(c.get("request_gen", {}).get("unit", "")) * c.get("request_gen", {}).get("count", 0) < 1_000_000]
    return out


@pytest.mark.parametrize("case", cases(), ids=lambda c: c["name"])
def test_bad_input_gets_its_code(case: Dict[str, Any]) -> None:
    response = json.loads(fleetup.call_bytes(request_bytes(case)))
    assert "error" in response, response
    assert response["error"]["code"] == case["error"]

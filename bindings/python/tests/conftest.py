"""Shared helpers: the repository's tests/vectors, read by every language's suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "tests" / "vectors"


def suites() -> List[Tuple[str, Dict[str, Any]]]:
    files = sorted(VECTORS.glob("*.json"))
    assert files, f"no vector files in {VECTORS}"
    return [(f.name, json.loads(f.read_text(encoding="utf-8"))) for f in files]


def all_cases() -> Iterator[Tuple[str, Dict[str, Any]]]:
    for name, suite in suites():
        for case in suite["cases"]:
            yield f"{name}:{case['name']}", case

"""Runs the Python snippet of README.md exactly as written and checks its printed output."""

from __future__ import annotations

import contextlib
import io
import re

from conftest import REPO


def test_docs_python_snippet() -> None:
    doc = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- snippet: python -->\n```python\n(.*?)```\n\n```text\n(.*?)```", doc, re.S)
    assert m, "README.md has no python snippet with an output block"
    code, expected = m.group(1), m.group(2)
    assert len(code.strip().splitlines()) == 4
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == expected

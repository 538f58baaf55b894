"""Compiles and runs the C snippet of README.md exactly as written (used by `just test-c`).

Usage: python3 doc_snippet.py DOC OUT_DIR CC_FLAGS... -- LINK_ARGS...
Wraps the snippet in main() with the header included, compiles it with the given flags, runs
it and compares its standard output with the ```text block that follows the snippet.
"""

import re
import subprocess
import sys
from pathlib import Path


def snippet(doc: str, lang: str):
    m = re.search(r"<!-- snippet: %s -->\n```%s\n(.*?)```\n\n```text\n(.*?)```" % (lang, lang), doc, re.S)
    if not m:
        sys.exit(f"no {lang} snippet with an output block in the doc")
    return m.group(1), m.group(2)


def main() -> None:
    doc, out_dir, *rest = sys.argv[1:]
    sep = rest.index("--")
    cflags, link = rest[:sep], rest[sep + 1 :]
    code, expected = snippet(Path(doc).read_text(encoding="utf-8"), "c")
    src = Path(out_dir) / "doc_snippet.c"
    exe = Path(out_dir) / "doc_snippet"
    src.write_text(
        "#include <stdio.h>\n#include \"fleetup.h\"\n\nint main(void) {\n" + code + "  return 0;\n}\n",
        encoding="utf-8",
    )
    subprocess.run(["cc", *cflags, str(src), *link, "-o", str(exe)], check=True)
    got = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    if got != expected:
        sys.exit(f"docs C snippet printed {got!r}, the doc says {expected!r}")
    print("1 passed, 0 failed: README.md C snippet")


main()

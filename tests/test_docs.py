"""Every runnable Python example in docs/ runs (documentation that cannot rot silently).

Blocks that read a study's output folder (``results/...``) need a finished study and are skipped
here; the study itself is exercised end to end in tests/test_evaluate.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = [
    (md.name, i, block)
    for md in sorted((ROOT / "docs").glob("*.md"))
    for i, block in enumerate(
        re.findall(r"```python\n(.*?)```", md.read_text(encoding="utf-8"), re.S)
    )
]


def test_docs_have_examples():
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize(("page", "index", "code"), BLOCKS, ids=[f"{p}[{i}]" for p, i, _ in BLOCKS])
def test_docs_example_runs(page, index, code, tmp_path):
    if "results/" in code:
        pytest.skip(f"{page} example {index} reads a finished study's results folder")
    # run in a scratch folder (examples write files) that sees the repository's case studies
    (tmp_path / "casestudies").symlink_to(ROOT / "casestudies")
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, f"{page} example {index} failed:\n{out.stderr[-2000:]}"


def test_docs_examples_write_only_in_their_own_folder():
    """The examples run in a scratch folder per test; one writing to a fixed absolute path
    (``/tmp/bnh``) shares it with every other test run on the machine: a concurrent run is
    refused by the run lock, a later one resumes what an earlier one left."""
    fixed = [
        f"{page}[{index}]"
        for page, index, code in BLOCKS
        if re.search(r"[\"'](/tmp|/var|/home|/root|~)/", code)
    ]
    assert fixed == []

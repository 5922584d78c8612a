"""Seeded random designs of the evaluation-core equivalence test, and the script that froze them.

The reference values in ``tests/data/evaluate_reference/*.json`` were written by running this
file (``python tests/reference_designs.py``) on the code *before* the evaluation core was moved
into the ``designopt.evaluate`` package (commit noted in each file's ``frozen_at``).  The test
``tests/test_evaluate_reference.py`` draws the same designs and asks the current code for the same
objectives, constraints, metrics and failure reasons (relative 1e-9).

Re-freeze only when a number is changed on purpose, in its own commit, and say in
``CHANGELOG.md`` by how much it changed.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).parent / "data" / "evaluate_reference"
ROOT = Path(__file__).parent.parent

#: (reference name, case file relative to the repository root, number of designs, seed)
CASES: tuple[tuple[str, str, int, int], ...] = (
    ("air_ashp_retrofit", "casestudies/ashp_retrofit/case.toml", 200, 11),
    ("air_wide", "tests/data/evaluate_reference/air_wide.toml", 200, 12),
    ("water", "tests/data/evaluate_reference/water.toml", 200, 13),
    ("ground", "tests/data/evaluate_reference/ground.toml", 200, 14),
    ("hybrid", "tests/data/evaluate_reference/hybrid.toml", 200, 15),
)


def draw_designs(variables, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` designs drawn uniformly (log-uniformly on log scales, snapped to steps, whole numbers
    for int variables, uniform choices) with ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        d: dict[str, Any] = {}
        for v in variables:
            kind = str(v.kind)
            if kind == "categorical":
                d[v.name] = v.choices[int(rng.integers(len(v.choices)))]
            elif kind == "int":
                d[v.name] = int(rng.integers(math.ceil(v.low), math.floor(v.high) + 1))
            else:
                if v.log:
                    x = math.exp(rng.uniform(math.log(v.low), math.log(v.high)))
                else:
                    x = float(rng.uniform(v.low, v.high))
                if v.step is not None:
                    x = v.low + round((x - v.low) / v.step) * v.step
                    x = min(max(x, v.low), v.high)
                d[v.name] = float(x)
        out.append(d)
    return out


def evaluations(case_file: str, n: int, seed: int) -> list[dict[str, Any]]:
    """Designs of ``case_file`` and what the current code gives for each of them."""
    from designopt.case import load_case
    from designopt.evaluate import build_problem
    from designopt.search import evaluate_safely

    case = load_case(ROOT / case_file)
    problem = build_problem(case)
    rows = []
    for design in draw_designs(problem.variables, n, seed):
        ev = evaluate_safely(problem, dict(design))
        rows.append(
            {
                "design": design,
                "failure": ev.failure,
                "objectives": dict(ev.objectives),
                "constraints": dict(ev.constraints),
                "metrics": {k: _plain(v) for k, v in ev.metrics.items()},
            }
        )
    return rows


def _plain(v: Any) -> Any:
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    return float(v)


def freeze(names: list[str] | None = None) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    for name, case_file, n, seed in CASES:
        if names and name not in names:
            continue
        rows = evaluations(case_file, n, seed)
        payload = {
            "case_file": case_file,
            "seed": seed,
            "n": n,
            "frozen_at": commit,
            "rows": rows,
        }
        (DATA / f"{name}.json").write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n")
        failed = sum(r["failure"] is not None for r in rows)
        print(f"{name}: {n} designs, {failed} failed, written")


if __name__ == "__main__":
    freeze(sys.argv[1:] or None)

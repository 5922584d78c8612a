"""The evaluation core gives the numbers it gave before it was restructured.

Reference: ``tests/data/evaluate_reference/*.json``, frozen by ``tests/reference_designs.py``
from the code before the move (the commit is in each file's ``frozen_at``): 200 seeded random
designs of each of an air (the ``ashp_retrofit`` case study and a wide air case with quiet mode,
two receivers, a GWP cap and every objective), a water, a ground and a twin-source (air/ground) case.  Every
objective, constraint and metric must agree to a relative 1e-9 and every failure reason word
for word.  A deliberate change of a number re-freezes the file in its own commit, with the
measured difference in CHANGELOG.md.
"""

from __future__ import annotations

import json
import math

import pytest
from reference_designs import CASES, DATA, evaluations

#: Metrics added after the freeze (new quantities, no changed number): name -> why.  A
#: reference file must still hold every metric it held, with the same value.
ADDED_METRICS = {
    "heat_pump_coverage": "issue 14: heat pump capacity at the design point over the load",
}

REL_TOL = 1e-9  # relative [1]
ABS_TOL = 1e-12  # absolute floor for values that are zero [unit of the value]


def _same(a: float, b: float) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


@pytest.mark.parametrize("name,case_file,n,seed", CASES, ids=[c[0] for c in CASES])
def test_evaluation_matches_frozen_reference(name, case_file, n, seed):
    ref = json.loads((DATA / f"{name}.json").read_text())
    assert (ref["case_file"], ref["n"], ref["seed"]) == (case_file, n, seed)
    now = evaluations(case_file, n, seed)
    assert len(now) == len(ref["rows"]) == n
    problems = []
    for i, (new, old) in enumerate(zip(now, ref["rows"], strict=True)):
        assert new["design"] == old["design"], f"design {i} was drawn differently"
        if new["failure"] != old["failure"]:
            problems.append(f"design {i}: failure {new['failure']!r} != {old['failure']!r}")
            continue
        for part in ("objectives", "constraints", "metrics"):
            added = set(ADDED_METRICS) if part == "metrics" else set()
            if set(new[part]) - added != set(old[part]) - added:
                problems.append(
                    f"design {i} {part}: keys differ: {sorted(set(new[part]) ^ set(old[part]))}"
                )
                continue
            for k, v in old[part].items():
                if not _same(new[part][k], v):
                    problems.append(f"design {i} {part}.{k}: {new[part][k]!r} != {v!r}")
    assert not problems, f"{len(problems)} differences, first: " + "; ".join(problems[:5])
    ok = sum(r["failure"] is None for r in ref["rows"])
    assert ok >= 0.6 * n  # the reference exercises evaluated designs, not only failures

"""The initial population of a new study (designopt.evaluate.initial): Sobol candidates mapped
onto every kind of variable, a cheap estimate that reads the study map as the evaluation does,
a deterministic population, and a small study that finds feasible designs because of it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from designopt.case import load_case
from designopt.evaluate import assess, build_problem
from designopt.evaluate.initial import ESTIMATORS, estimate, initial_designs, sobol_designs
from designopt.evaluate.sources import REGISTRY
from designopt.results import from_study
from designopt.search import StudySettings, Variable, run_study

CASES = Path(__file__).parent / "data" / "cases"
QUIET = CASES / "tiny_air_quiet.toml"  # ~3 % of random designs feasible
#: the source plug-ins' small cases (as in tests/test_evaluate_value.py)
SOURCE_CASES = {
    "air": CASES / "tiny_air.toml",
    "water": CASES / "tiny_water.toml",
    "ground": CASES / "tiny_ground.toml",
    "twin_source": CASES / "tiny_hybrid_ground.toml",
}
tol_W = 1e-9  # capacity [W]
tol_dB = 1e-4  # sound power [dB(A)] (the hybrid's air mode is read on its own grid)
tol_kg = 1e-12  # charge [kg]


def test_sobol_designs_cover_every_kind_of_variable():
    variables = [
        Variable(name="a", kind="float", low=1.0, high=2.0),
        Variable(name="b", kind="float", low=10.0, high=1000.0, log=True),
        Variable(name="c", kind="float", low=0.0, high=6.0, step=1.5),
        Variable(name="d", kind="int", low=1.5, high=9.0, step=2),
        Variable(name="e", kind="categorical", choices=("x", "y", "z")),
    ]
    ds = sobol_designs(variables, 64, seed=4)
    assert len(ds) == 64 and ds == sobol_designs(variables, 64, seed=4)
    assert ds != sobol_designs(variables, 64, seed=5)
    a = np.array([d["a"] for d in ds])
    b = np.array([d["b"] for d in ds])
    assert a.min() >= 1.0 and a.max() <= 2.0
    assert b.min() >= 10.0 and b.max() <= 1000.0
    assert 0.2 < np.mean(np.log10(b) < 2.0) < 0.8  # log scale: half below the geometric middle
    assert {d["c"] for d in ds} == {0.0, 1.5, 3.0, 4.5, 6.0}
    assert {d["d"] for d in ds} == {2, 4, 6, 8}
    assert all(isinstance(d["d"], int) for d in ds)
    assert {d["e"] for d in ds} == {"x", "y", "z"}


def test_every_registered_source_has_an_estimator():
    assert set(ESTIMATORS) <= set(REGISTRY) and set(REGISTRY) == set(SOURCE_CASES)


@pytest.mark.parametrize("source", sorted(SOURCE_CASES))
def test_estimate_reads_the_map_as_the_evaluation_does(source):
    """Capacity at the design point, sound power and charge of the estimate are the full
    evaluation's (the estimate solves the study map's cells around the points it reads)."""
    case = load_case(SOURCE_CASES[source])
    problem = build_problem(case)
    compared = 0
    for design in sobol_designs(problem.variables, 4, seed=0):
        try:
            full = assess(design, case)
        except Exception:  # noqa: BLE001 - a design without operating point: nothing to compare
            assert estimate(design, case) is None
            continue
        est = estimate(design, case)
        assert abs(est.capacity_design_W - full.capacity_design_W) <= tol_W
        assert abs(est.sound_power_dBA - full.sound_power_dBA) <= tol_dB
        assert abs(est.charge_kg - full.charge_kg) <= tol_kg
        compared += 1
    assert compared >= 2


def test_initial_population_is_deterministic_for_a_seed():
    case = load_case(QUIET)
    variables = build_problem(case).variables
    first = initial_designs(case, variables, 6, seed=1)
    assert first == initial_designs(case, variables, 6, seed=1)
    assert first != initial_designs(case, variables, 6, seed=2)
    assert len(first) == 6 and all(set(d) == {v.name for v in variables} for d in first)
    # every value lies in its variable's range (the repairs stay on the range and its grid)
    for v in variables:
        for d in first:
            if v.choices:
                assert d[v.name] in v.choices
            else:
                assert v.low <= d[v.name] <= v.high
                if v.step:
                    assert math.isclose((d[v.name] - v.low) / v.step % 1.0, 0.0, abs_tol=1e-9)


def test_small_study_finds_feasible_designs(tmp_path):
    """Eight trials of a case where ~3 % of random designs are feasible: the initial
    population starts the study in the feasible region (without it, seeds 1-3 found none)."""
    case = load_case(QUIET)
    problem = build_problem(case)
    study = run_study(
        problem, StudySettings(out_dir=tmp_path, n_trials=8, seed=1, population_size=8)
    )
    trials = sorted(study.get_trials(deepcopy=False), key=lambda t: t.number)
    assert len(trials) == 8
    assert all(t.user_attrs.get("designopt_initial") for t in trials)
    ds = from_study(study, problem)
    assert int(ds.feasible.sum()) >= 1
    # the designs enqueued are those of the initial population for the study's seed
    expected = initial_designs(case, problem.variables, 8, seed=1)
    assert [t.params for t in trials] == expected

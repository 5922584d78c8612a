"""Contract every formulation passes (one parametrised suite, cf. optuna/testing/pytest_samplers.py).

For each tiny instance of :func:`formulations.testing.tiny_cases`: the builder builds from data
without solving, every variable has bounds, a doc string and (with pint) a unit, the model's
units are consistent, its size matches the count made by hand, and HiGHS reaches the optimum
computed independently (enumeration + scipy ``linprog``, closed form, or by hand).
"""

import math

import pyomo.environ as pyo
import pytest

from formulations._units import HAVE_UNITS
from formulations.results import model_size
from formulations.solve import Termination, solve
from formulations.testing import tiny_cases

CASES = tiny_cases()
IDS = [c.name for c in CASES]
tol_rel = 1e-7  # relative tolerance on objective values [1]


@pytest.fixture(params=CASES, ids=IDS)
def case(request):
    return request.param


def test_builds_without_solving(case):
    m = case.build(case.data)
    assert isinstance(m, pyo.ConcreteModel)
    assert all(v.value is None for v in m.component_data_objects(pyo.Var))


def test_every_var_has_bounds_and_doc(case):
    m = case.build(case.data)
    for var in m.component_objects(pyo.Var, descend_into=True):
        assert var.doc, f"{var.name} has no doc"
        for v in var.values():
            assert v.lb is not None and v.ub is not None, f"{v.name} is unbounded"


@pytest.mark.skipif(not HAVE_UNITS, reason="Pyomo units need the optional 'pint' package")
def test_units_consistent(case):
    from pyomo.util.check_units import assert_units_consistent

    m = case.build(case.data)
    for var in m.component_objects(pyo.Var, descend_into=True):
        first = next(iter(var.values()))
        assert pyo.units.get_units(first) is not None, f"{var.name} has no units"
    assert_units_consistent(m)


def test_expected_degrees_of_freedom(case):
    assert model_size(case.build(case.data)) == case.expected_size


def test_tiny_instance_reaches_reference_optimum(case):
    m = case.build(case.data)
    res = solve(m)
    assert res.termination is Termination.OPTIMAL
    assert math.isclose(res.objective, case.reference_objective, rel_tol=tol_rel)
    assert math.isclose(
        pyo.value(getattr(m, case.objective_name)), case.reference_objective, rel_tol=tol_rel
    )

"""Heat pump / borefield coupling and the hybrid air/ground heat pump (designopt.ground)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from designopt.errors import ConfigurationError
from designopt.ground import Borefield, FluidLimits, Ground
from designopt.ground.coupling import carnot_map, operate, simulate_coupled, size_length_coupled
from designopt.ground.gfunction import clear_memory_cache
from designopt.ground.hybrid import hybrid_length_saving, split_hybrid

T0 = 273.15
YEARS = 3


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    old = os.environ.get("DESIGNOPT_CACHE_DIR")
    os.environ["DESIGNOPT_CACHE_DIR"] = str(tmp_path_factory.mktemp("gcache"))
    clear_memory_cache()
    yield
    clear_memory_cache()
    if old is None:
        os.environ.pop("DESIGNOPT_CACHE_DIR", None)
    else:
        os.environ["DESIGNOPT_CACHE_DIR"] = old


HOURS = np.arange(8760)
T_OUT = T0 + 10 - 10 * np.cos(2 * np.pi * (HOURS - 500) / 8760) + 4 * np.sin(2 * np.pi * HOURS / 24)
DEMAND = np.clip(400.0 * (T0 + 15 - T_OUT), 0.0, None)  # W, UA = 400 W/K, balance point 15 degC
PMAP = carnot_map(carnot_fraction=0.5, heat_output_W=12_000.0)
GROUND = Ground(conductivity=2.0, volumetric_heat_capacity=2.2e6, t_undisturbed=T0 + 10)
FIELD = Borefield.rectangle(nx=2, ny=1, spacing=8.0, H=100.0)
LIMITS = FluidLimits(t_min=T0 - 1.0, t_max=T0 + 25.0)
FLOW = dict(m_flow=0.6, cp=3800.0)


def test_operate_energy_balance_and_demand():
    tol_W = 1e-6
    op = operate(PMAP, demand_W=DEMAND, t_source_K=T0 + 5.0, t_sink_K=T0 + 35.0)
    # evaporator heat = heat delivered - electric power (no fan in a ground unit)
    assert np.allclose(op["evaporator"], op["heat"] - op["electric"], atol=1e-6)
    assert np.allclose(op["heat"] + op["unmet"], DEMAND, atol=tol_W)
    assert op["unmet"].max() < tol_W


def test_cop_below_carnot_and_rises_with_source_temperature():
    cold = operate(PMAP, demand_W=[6000.0], t_source_K=T0 - 2, t_sink_K=T0 + 35)
    warm = operate(PMAP, demand_W=[6000.0], t_source_K=T0 + 8, t_sink_K=T0 + 35)
    cop_cold = cold["heat"][0] / cold["electric"][0]
    cop_warm = warm["heat"][0] / warm["electric"][0]
    carnot = (T0 + 35) / 37.0
    assert cop_cold < cop_warm < carnot


def test_fixed_point_converges_and_is_self_consistent():
    tol_K = 0.01
    res = simulate_coupled(
        borefield=FIELD,
        ground=GROUND,
        resistance=0.1,
        pmap=PMAP,
        heat_demand_W=DEMAND,
        t_sink_K=T0 + 35,
        years=YEARS,
        **FLOW,
    )
    assert res.max_change_K < tol_K and res.iterations > 1
    # the ground load is the map's evaporator heat at the converged source temperature
    op = operate(PMAP, demand_W=np.tile(DEMAND, YEARS), t_source_K=res.t_source, t_sink_K=T0 + 35)
    assert np.max(np.abs(op["evaporator"] - res.loads.series())) < 5.0  # W, from tol_K


def test_one_pass_approximation_error_on_length():
    """Measured: the one-pass loads (COP at T_g) oversize the borehole; keep it bounded."""
    kw = dict(
        borefield=FIELD,
        ground=GROUND,
        resistance=0.1,
        limits=LIMITS,
        pmap=PMAP,
        heat_demand_W=DEMAND,
        t_sink_K=T0 + 35,
        years=YEARS,
        **FLOW,
    )
    coupled, _ = size_length_coupled(**kw)
    one_pass, _ = size_length_coupled(one_pass=True, **kw)
    error_pct = (one_pass.H / coupled.H - 1) * 100
    assert 0.0 < error_pct < 15.0


def test_map_without_required_variables_is_rejected():
    with pytest.raises(ConfigurationError, match="heat_output"):
        operate(PMAP.drop_vars("heat_output"), demand_W=[1.0], t_source_K=T0, t_sink_K=T0 + 35)


def test_split_hybrid():
    g, a = split_hybrid(DEMAND, T_OUT, T0 + 2.0)
    assert np.allclose(g + a, DEMAND)
    assert np.all(g[T_OUT >= T0 + 2.0] == 0.0)


def test_hybrid_saves_length_and_saving_grows_as_switchover_drops():
    ds = hybrid_length_saving(
        borefield=FIELD,
        ground=GROUND,
        resistance=0.1,
        limits=LIMITS,
        pmap_ground=PMAP,
        heat_demand_W=DEMAND,
        t_outdoor_K=T_OUT,
        t_sink_K=T0 + 35,
        switchover_K=[T0 + 0.0, T0 + 6.0],
        years=YEARS,
        **FLOW,
    )
    saved = ds["length_saved"].values
    assert np.all(ds["feasible"].values)
    assert saved[0] > saved[1] > 0.0
    assert ds["length_saved"].attrs["units"] == "m"


def test_coupling_with_a_real_brine_water_design():
    """The cycle model's 8 kW R290 brine/water unit (casestudies/designs) drives the field."""
    import tomllib
    from pathlib import Path

    cycle = pytest.importorskip("designopt.cycle")
    from designopt.cycle.design import design_from_mapping

    path = Path(__file__).parents[1] / "casestudies" / "designs" / "brine_water_8kW_R290.toml"
    if not path.exists():
        pytest.skip("brine/water design example not present")
    design = design_from_mapping(tomllib.loads(path.read_text()))
    pmap = cycle.performance_map(
        design,
        T0 + np.array([-6.0, -2.0, 2.0, 6.0, 10.0, 15.0]),
        T0 + np.array([30.0, 40.0]),
        np.array([1.0]),
    )
    demand = np.clip(250.0 * (T0 + 15 - T_OUT), 0.0, None)  # peak ~4.8 kW < capacity
    res = simulate_coupled(
        borefield=Borefield.rectangle(nx=2, ny=1, spacing=8.0, H=100.0),
        ground=GROUND,
        resistance=0.1,
        pmap=pmap,
        heat_demand_W=demand,
        t_sink_K=T0 + 35,
        years=2,
        m_flow=0.45,
        cp=3800.0,
    )
    assert res.max_change_K < 0.01
    assert res.n_clipped == 0 and res.unmet.max() < 1.0
    carnot_b0w35 = (T0 + 35) / 35.0
    assert 3.0 < res.seasonal_cop < carnot_b0w35
    # the ground gives the evaporator heat: delivered heat minus electric power (no fan)
    assert np.allclose(res.loads.series(), res.heat - res.electric, rtol=0.02, atol=5.0)


def _flip(t):
    """A unit that runs (1 kW from the ground) above 5 degC inlet and stops below it."""
    return {"heat": np.where(t > T0 + 5.0, 1000.0, 0.0)}


def _ground(op):
    """Inlet 10 degC with the unit off, 0 degC with it on: no fixed point of plain substitution."""
    return T0 + 10.0 - 0.01 * op["heat"]


def test_fixed_point_at_the_envelope_edge_finds_the_running_share():
    from designopt.ground.coupling import solve_source_temperature

    t, op, it, change = solve_source_temperature(
        _flip, _ground, np.full(3, T0 + 10.0), tol_K=0.05, max_iter=100
    )
    # the unit runs half of the hour and the inlet sits at the edge (5 degC)
    assert change < 0.05 and 2 < it < 100
    assert t == pytest.approx(np.full(3, T0 + 5.0), abs=0.1)
    assert op["heat"] == pytest.approx(np.full(3, 500.0), abs=10.0)


def test_fixed_point_raises_when_it_does_not_converge():
    from designopt.errors import ConvergenceError
    from designopt.ground.coupling import solve_source_temperature

    with pytest.raises(ConvergenceError, match="did not converge in max_iter=3"):
        solve_source_temperature(_flip, _ground, np.full(3, T0 + 10.0), tol_K=0.05, max_iter=3)
    # one pass: no feedback, no error
    t, _, it, _ = solve_source_temperature(
        _flip, _ground, np.full(3, T0 + 10.0), tol_K=0.05, max_iter=1, one_pass=True
    )
    assert it == 1 and t == pytest.approx(np.full(3, T0))

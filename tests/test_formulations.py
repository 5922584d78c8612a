"""Behaviour of the selection MILP, dispatch LP and ε-constraint front beyond the contract."""

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from designopt.errors import ConfigurationError, SolverError
from formulations.data import (
    LOAD_TOL_W,
    BoreholeSurrogate,
    Candidates,
    DesignSpace,
    DispatchData,
    Periods,
    Storage,
    per_kWh,
)
from formulations.dispatch import (
    compare_with_switchover,
    implied_switchover,
    rule_based_dispatch,
    solve_dispatch,
    solve_dispatch_highspy,
)
from formulations.epsilon import compare_fronts, epsilon_front, hypervolume_2d, pareto_front
from formulations.selection import solve_selection
from formulations.testing import (
    reference_dispatch,
    reference_selection,
    tiny_design_space,
    tiny_dispatch_data,
    tiny_selection_data,
    tiny_storage_dispatch_data,
)

tol_rel = 1e-7  # relative tolerance on optimal objective values [1]
tol_K = 1e-9  # tolerance on temperatures [K]

# EN 14825 average reference season (REFERENCE: EN 14825 bin hours, Tj = -10 ... +15 °C)
AVERAGE_HOURS = np.loadtxt(
    Path(__file__).parent / "data" / "en14825_bin_hours_average.csv",
    delimiter=",",
    skiprows=4,
    usecols=1,
).tolist()


def assert_units_on_everything(ds):
    for name in list(ds.data_vars) + list(ds.coords):
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs, name


# ---------------------------------------------------------------- data


def test_en14825_load_line_reproduces_heating_hours():
    """Σ hj·pl(Tj) over the average season = H_HE = 2066 h (EN 14825 / Ecodesign)."""
    per = Periods.from_bins(
        t_bins_degC=np.arange(-10, 16), hours=AVERAGE_HOURS, design_load_W=1.0, t_design_degC=-10
    )
    assert per.n == 26
    assert round(float(np.sum(per.duration_s * per.load_W)) / 3600.0) == 2066


def test_data_validation_messages():
    with pytest.raises(ConfigurationError, match="heat_capacity_W must have 2 rows"):
        Candidates(
            name=["a", "b"], capital_cost_EUR=[1, 2], heat_capacity_W=[[1.0, 2.0]], cop=[[3.0, 3.0]]
        )
    with pytest.raises(ConfigurationError, match="name must be unique"):
        Candidates(
            name=["a", "a"],
            capital_cost_EUR=[1, 2],
            heat_capacity_W=[[1.0], [1.0]],
            cop=[[3.0], [3.0]],
        )
    with pytest.raises(ConfigurationError, match=r"first breakpoint must be \(0 W, 0 m\)"):
        BoreholeSurrogate(extraction_W=[100.0, 200.0], length_m=[10.0, 20.0], cost_per_m_EUR=50.0)
    with pytest.raises(ConfigurationError, match="strictly increasing"):
        BoreholeSurrogate(
            extraction_W=[0.0, 200.0, 100.0], length_m=[0.0, 20.0, 30.0], cost_per_m_EUR=50.0
        )
    with pytest.raises(ConfigurationError, match="heat_demand_W must be >= 0"):
        DispatchData(
            t_outdoor_K=[280.0],
            heat_demand_W=[-1.0],
            hp_cop=[3.0],
            hp_capacity_W=[1.0],
            boiler_capacity_W=1.0,
            electricity_price_EUR_per_J=1e-7,
            gas_price_EUR_per_J=3e-8,
        )
    with pytest.raises(ConfigurationError, match="borehole=None"):
        dataclasses.replace(tiny_selection_data(), borehole=None)
    with pytest.raises(ConfigurationError, match="annuity_factor_per_year=0.0 must lie in"):
        dataclasses.replace(tiny_selection_data(), annuity_factor_per_year=0.0)
    with pytest.raises(ConfigurationError, match="no feasible design"):
        DesignSpace(capital_cost_EUR=[1.0], lifetime_cost_EUR=[2.0], feasible=[False])


# ---------------------------------------------------------------- selection


def _ground_cheap():
    d = tiny_selection_data(noise_limit_dB=None, gwp_limit=None)
    c = d.candidates
    cand = dataclasses.replace(c, capital_cost_EUR=np.array([6000.0, 7000.0, 9000.0, 4000.0]))
    return dataclasses.replace(d, candidates=cand)


@pytest.mark.parametrize(
    "make, expected_name",
    [
        (lambda: tiny_selection_data(), "air-ok"),  # noise and GWP limits bind
        (lambda: tiny_selection_data(noise_limit_dB=None, gwp_limit=None), "air-r410a"),
        (lambda: tiny_selection_data(noise_limit_dB=None), "air-loud"),
        (_ground_cheap, "ground"),  # borehole surrogate in play
    ],
)
def test_selection_matches_enumeration(make, expected_name):
    data = make()
    ref_cost, ref_i = reference_selection(data)
    ds, _, res = solve_selection(data)
    assert ds.attrs["selected_name"] == expected_name == str(data.candidates.name[ref_i])
    assert math.isclose(res.objective, ref_cost, rel_tol=tol_rel)
    # load met in every period, back-up within its capacity
    np.testing.assert_allclose(
        ds.heat_pump_heat + ds.backup_heat, ds.heat_demand, rtol=1e-9, atol=1e-6
    )
    assert float(ds.backup_heat.max()) <= float(ds.backup_capacity) + 1e-6
    assert_units_on_everything(ds)


def test_selection_borehole_on_concave_surrogate():
    """With the ground unit chosen, the length lies on the piecewise-linear surrogate."""
    data = _ground_cheap()
    ds, _, _ = solve_selection(data)
    sur = data.borehole
    assert float(ds.ground_extraction) > sur.extraction_W[1]  # beyond the first kink
    expected = np.interp(float(ds.ground_extraction), sur.extraction_W, sur.length_m)
    assert math.isclose(float(ds.borehole_length), expected, rel_tol=1e-6)


def test_selection_infeasible_names_noise_family():
    data = tiny_selection_data(noise_limit_dB=30.0, gwp_limit=None)
    # the ground unit has no outdoor unit: remove it so that only noisy units remain
    c = data.candidates
    keep = slice(0, 3)
    cand = Candidates(
        name=c.name[keep],
        capital_cost_EUR=c.capital_cost_EUR[keep],
        heat_capacity_W=c.heat_capacity_W[keep],
        cop=c.cop[keep],
        receiver_level_dB=c.receiver_level_dB[keep],
        gwp=c.gwp[keep],
    )
    data = dataclasses.replace(data, candidates=cand, borehole=None)
    with pytest.raises(SolverError, match=r"infeasible.*'noise' \(raise noise_limit_dB=30.0"):
        solve_selection(data)


def test_selection_noise_basis_names_the_output_and_is_validated():
    """Levels (default) are written as receiver_level [dB(A)]; margins as noise_margin [dB]."""
    data = tiny_selection_data(gwp_limit=None)
    ds, _, _ = solve_selection(data)
    assert ds.receiver_level.attrs["units"] == "dB(A)" and "noise_margin" not in ds
    margins = dataclasses.replace(
        data,
        candidates=dataclasses.replace(
            data.candidates,
            receiver_level_dB=data.candidates.receiver_level_dB - data.noise_limit_dB,
        ),
        noise_limit_dB=0.0,
        noise_basis="margin",
    )
    dm, _, _ = solve_selection(margins)
    assert dm.noise_margin.attrs["units"] == "dB" and "receiver_level" not in dm
    assert int(dm.attrs["selected_index"]) == int(ds.attrs["selected_index"])
    with pytest.raises(
        ConfigurationError, match=r"noise_basis='dB' is not known.*'level', 'margin'"
    ):
        dataclasses.replace(data, noise_basis="dB")


def test_selection_infeasible_names_capacity_family():
    data = tiny_selection_data(noise_limit_dB=None, gwp_limit=None)
    data = dataclasses.replace(data, backup=dataclasses.replace(data.backup, max_capacity_W=0.0))
    with pytest.raises(SolverError, match="'capacity' .*max_capacity_W"):
        solve_selection(data)


def test_selection_backup_fixed_cost_binary():
    """A fixed back-up cost larger than the saving leaves the back-up out when a unit covers the load."""
    data = tiny_selection_data(noise_limit_dB=None, gwp_limit=None)
    data = dataclasses.replace(data, backup=dataclasses.replace(data.backup, fixed_cost_EUR=5000.0))
    ref_cost, ref_i = reference_selection(
        dataclasses.replace(data, backup=dataclasses.replace(data.backup, fixed_cost_EUR=0.0))
    )
    ds, _, res = solve_selection(data)
    # every choice either installs a back-up (pays 0.08 x 5000 = 400 EUR/a more) or needs none
    assert res.objective >= ref_cost - 1e-6
    assert float(ds.backup_capacity) == 0.0 or res.objective >= ref_cost + 400.0 - 1e-6


# ---------------------------------------------------------------- dispatch


def _random_dispatch(n=240, seed=3, storage=None):
    rng = np.random.default_rng(seed)
    h = np.arange(n)
    t = 273.15 + 3.0 + 6.0 * np.sin(2 * np.pi * h / 24) + rng.normal(0.0, 2.0, n)
    return DispatchData(
        t_outdoor_K=t,
        heat_demand_W=np.clip(350.0 * (289.15 - t), 0.0, None),
        hp_cop=np.clip(3.0 + 0.08 * (t - 273.15), 1.5, None),
        hp_capacity_W=np.clip(5000.0 + 100.0 * (t - 273.15), 1000.0, None),
        boiler_capacity_W=12000.0,
        electricity_price_EUR_per_J=per_kWh(np.where((h % 24 >= 17) & (h % 24 < 20), 0.45, 0.25)),
        gas_price_EUR_per_J=per_kWh(0.09),
        carbon_price_EUR_per_kg=0.08,
        electricity_emission_kg_per_J=per_kWh(0.35),
        gas_emission_kg_per_J=per_kWh(0.20),
        storage=storage,
    )


def test_dispatch_pyomo_highspy_and_closed_form_agree():
    data = _random_dispatch()
    ds_p, _, res_p = solve_dispatch(data)
    ds_h, res_h = solve_dispatch_highspy(data)
    ref = reference_dispatch(data)
    assert math.isclose(res_p.objective, ref, rel_tol=tol_rel)
    assert math.isclose(res_h.objective, ref, rel_tol=tol_rel)
    np.testing.assert_allclose(
        ds_p.heat_pump_heat + ds_p.boiler_heat, data.heat_demand_W, atol=1e-6
    )
    assert_units_on_everything(ds_p)
    assert_units_on_everything(ds_h)


def test_dispatch_with_storage_pyomo_equals_highspy_and_saves():
    data = _random_dispatch(storage=Storage(capacity_J=3.6e7, loss_per_step=0.01))
    ds_p, _, res_p = solve_dispatch(data)
    _, res_h = solve_dispatch_highspy(data)
    assert math.isclose(res_p.objective, res_h.objective, rel_tol=1e-7)
    # storage can only help: the storage-free optimum is a feasible point of the storage LP
    assert res_p.objective <= reference_dispatch(dataclasses.replace(data, storage=None)) * (
        1 + 1e-9
    )
    assert float(ds_p.stored_heat.max()) <= 3.6e7 * (1 + 1e-9)


def test_dispatch_storage_by_hand():
    _, _, res = solve_dispatch(tiny_storage_dispatch_data())
    assert math.isclose(res.objective, 0.325, rel_tol=tol_rel)


def test_dispatch_infeasible_names_capacity():
    data = dataclasses.replace(tiny_dispatch_data(), boiler_capacity_W=1000.0)
    with pytest.raises(SolverError, match="'capacity'.*boiler_capacity_W"):
        solve_dispatch(data)
    with pytest.raises(SolverError, match="capacity"):
        solve_dispatch_highspy(data)


def test_lp_never_worse_than_any_switchover_rule():
    data = _random_dispatch()
    ds, _, res = solve_dispatch(data)
    rules = rule_based_dispatch(data, np.arange(260.0, 295.0, 0.5))
    ok = rules["unmet_energy"] <= 1e-6
    assert np.all(res.objective <= rules["cost"][ok] * (1 + 1e-9))
    cmp = compare_with_switchover(data, ds)
    assert cmp.saving_pct >= -1e-7
    assert 0.0 <= cmp.agreement <= 1.0


def test_flat_prices_imply_cop_break_even_switchover():
    """Flat prices, no carbon: the heat pump wins where COP(T) > p_el·η/p_gas, so the LP's
    implied switchover is the break-even temperature, and the best rule matches the LP."""
    t = np.linspace(253.15, 288.15, 351)  # -20 ... +15 °C in 0.1 K
    cop = 2.0 + 0.1 * (t - 253.15)  # COP 2 at -20 °C, +0.1 per K
    p_el, p_gas, eta = 0.30, 0.10, 0.9
    cop_be = p_el * eta / p_gas  # 2.7 -> T = -13 °C
    t_be = 253.15 + (cop_be - 2.0) / 0.1
    data = DispatchData(
        t_outdoor_K=t,
        heat_demand_W=np.full(t.size, 5000.0),
        hp_cop=cop,
        hp_capacity_W=np.full(t.size, 8000.0),
        boiler_capacity_W=8000.0,
        boiler_efficiency=eta,
        electricity_price_EUR_per_J=per_kWh(p_el),
        gas_price_EUR_per_J=per_kWh(p_gas),
    )
    ds, _ = solve_dispatch_highspy(data)
    cmp = compare_with_switchover(data, ds, t_switch_grid_K=t - 0.05)
    assert cmp.agreement == 1.0
    assert abs(cmp.implied_switchover_K - t_be) <= 0.05 + tol_K
    assert abs(cmp.rule_switchover_K - t_be) <= 0.1 + tol_K
    assert math.isclose(cmp.rule_cost_EUR, cmp.lp_cost_EUR, rel_tol=1e-6)


def test_implied_switchover_separable_and_noisy():
    t = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    t_sw, agree = implied_switchover(t, [0, 0, 0, 1, 1, 1])
    assert t_sw == 3.5 and agree == 1.0
    t_sw, agree = implied_switchover(t, [0, 1, 0, 1, 1, 1])  # one heat-pump hour below
    assert t_sw in (1.5, 3.5) and math.isclose(agree, 5 / 6)


# ---------------------------------------------------------------- ε-constraint


def test_epsilon_tiny_front_by_hand():
    ds = epsilon_front(tiny_design_space(), n_points=None)
    assert ds.capital_cost.values.tolist() == [100.0, 150.0, 300.0]
    assert ds.lifetime_cost.values.tolist() == [500.0, 400.0, 250.0]
    assert ds.design.values.tolist() == [0, 1, 3]  # not the duplicate-lifetime design 5 (160, 400)
    assert_units_on_everything(ds)


@pytest.mark.parametrize("n, offset", [(400, 0.0), (2000, 3.0e4)])
def test_epsilon_front_equals_brute_force_front(n, offset):
    """Also with large metric values, where neighbouring lifetime costs differ by less than
    HiGHS's row-scaled feasibility tolerance (the walk must not stall on them)."""
    rng = np.random.default_rng(7)
    a = rng.uniform(5.0, 20.0, n)
    cap = 1000.0 * a + rng.normal(0.0, 300.0, n)
    life = offset + cap + 2.0e5 / a + rng.normal(0.0, 3000.0, n)
    feas = rng.random(n) > 0.2
    space = DesignSpace(capital_cost_EUR=cap, lifetime_cost_EUR=life, feasible=feas)
    brute = pareto_front(np.where(feas, cap, np.nan), np.where(feas, life, np.nan))
    full = epsilon_front(space, n_points=None)
    assert sorted(full.design.values.tolist()) == sorted(brute.tolist())
    grid = epsilon_front(space, n_points=8)
    assert set(grid.design.values.tolist()) <= set(brute.tolist())
    assert grid.design.values[0] == brute[0] and grid.design.values[-1] == brute[-1]  # both ends


def test_hypervolume_by_hand_and_against_optuna():
    pts = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [2.5, 2.5]])  # last one dominated
    assert hypervolume_2d(pts, [4.0, 4.0]) == 6.0
    assert hypervolume_2d([[5.0, 1.0]], [4.0, 4.0]) == 0.0
    hv = pytest.importorskip("optuna._hypervolume")
    rng = np.random.default_rng(1)
    p = rng.uniform(0.0, 1.0, (50, 2))
    assert math.isclose(
        hypervolume_2d(p, [1.1, 1.1]),
        hv.compute_hypervolume(p, np.array([1.1, 1.1])),
        rel_tol=1e-12,
    )


def test_compare_fronts_flags_non_dominated_points():
    exact = np.array([[100.0, 500.0], [150.0, 400.0], [300.0, 250.0]])
    other = np.array(
        [[120.0, 500.0], [150.0, 400.0], [310.0, 240.0]]
    )  # last beats the "exact" front
    cmp = compare_fronts(exact, other, reference_point=(400.0, 600.0))
    assert not cmp.all_weakly_dominated
    assert cmp.not_dominated.tolist() == [2]
    ok = compare_fronts(exact, other[:2], reference_point=(400.0, 600.0))
    assert ok.all_weakly_dominated
    # exact HV: (150-100)·100 + (300-150)·200 + (400-300)·350 = 70000
    assert ok.hypervolume_exact == 70000.0
    # other HV: (150-120)·100 + (400-150)·200 = 53000
    assert ok.hypervolume_other == 53000.0
    assert math.isclose(ok.hypervolume_gap_pct, 100.0 * 17000.0 / 70000.0)


# ---------------------------------------------------------------- property-based


@st.composite
def selection_instances(draw):
    n = draw(st.integers(2, 4))
    p = draw(st.integers(1, 3))
    floats = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)  # noqa: E731
    cap = np.array(draw(st.lists(floats(0.0, 9000.0), min_size=n * p, max_size=n * p))).reshape(
        n, p
    )
    cop = np.array(draw(st.lists(floats(1.2, 6.0), min_size=n * p, max_size=n * p))).reshape(n, p)
    ground = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    cand = Candidates(
        name=[f"c{i}" for i in range(n)],
        capital_cost_EUR=draw(st.lists(floats(1000.0, 20000.0), min_size=n, max_size=n)),
        heat_capacity_W=cap,
        cop=cop,
        receiver_level_dB=draw(st.lists(floats(30.0, 50.0), min_size=n, max_size=n)),
        gwp=draw(st.lists(st.sampled_from([3.0, 675.0, 2088.0]), min_size=n, max_size=n)),
        ground_source=ground,
    )
    per = Periods(
        t_outdoor_K=np.linspace(263.15, 283.15, p),
        duration_s=np.array(draw(st.lists(floats(10.0, 3000.0), min_size=p, max_size=p))) * 3600.0,
        load_W=draw(st.lists(floats(0.0, 10000.0), min_size=p, max_size=p)),
    )
    data = dataclasses.replace(
        tiny_selection_data(),
        periods=per,
        candidates=cand,
        noise_limit_dB=draw(st.one_of(st.none(), floats(35.0, 50.0))),
        gwp_limit=draw(st.one_of(st.none(), st.sampled_from([150.0, 700.0]))),
    )
    return dataclasses.replace(
        data, backup=dataclasses.replace(data.backup, max_capacity_W=draw(floats(0.0, 10000.0)))
    )


def _zero_capacity_instance(
    load_W, *, backup_W=0.0, level_dB=(30.0, 30.0), limit_dB=None, capital_EUR=(1000.0, 1000.0)
):
    """Two candidates that cannot run, two periods; the back-up alone faces ``load_W``.

    The first such instance (load [0, 1.19e-7] W, back-up 0 W) is the one hypothesis found on a
    fresh clone: enumeration called it infeasible while the MILP, inside HiGHS' 1e-7 primal
    feasibility tolerance, "met" the 1.19e-7 W load with nothing.
    """
    cand = Candidates(
        name=["c0", "c1"],
        capital_cost_EUR=list(capital_EUR),
        heat_capacity_W=np.zeros((2, 2)),
        cop=np.full((2, 2), 1.2),
        receiver_level_dB=list(level_dB),
        gwp=[3.0, 3.0],
        ground_source=[False, False],
    )
    per = Periods(
        t_outdoor_K=np.linspace(263.15, 283.15, 2),
        duration_s=np.array([10.0, 10.0]) * 3600.0,
        load_W=load_W,
    )
    data = dataclasses.replace(
        tiny_selection_data(), periods=per, candidates=cand, noise_limit_dB=limit_dB, gwp_limit=None
    )
    return dataclasses.replace(
        data, backup=dataclasses.replace(data.backup, max_capacity_W=backup_W)
    )


def test_selection_load_below_tolerance_counts_as_met():
    """Regression (hypothesis, fresh clone): a load below LOAD_TOL_W counts as met in both the
    enumeration and the MILP; the optimum is the capital cost alone (no heat is bought)."""
    data = _zero_capacity_instance([0.0, 1.19e-7])
    ref_cost, ref_i = reference_selection(data)
    ds, _, res = solve_selection(data)
    assert math.isfinite(ref_cost) and ref_i == 0
    assert math.isclose(res.objective, ref_cost, rel_tol=1e-12)
    assert math.isclose(res.objective, 0.08 * 1000.0, rel_tol=1e-12)
    assert float(ds.backup_heat.max()) == 0.0


@pytest.mark.parametrize("shortfall_W", [1e-7, 0.5 * LOAD_TOL_W, 0.99 * LOAD_TOL_W])
def test_selection_shortfall_within_tolerance_counts_as_met(shortfall_W):
    """A back-up short of the load by at most LOAD_TOL_W meets it, in both; the heat bought is
    the load less the shortfall."""
    data = _zero_capacity_instance([0.0, 5000.0], backup_W=5000.0 - shortfall_W)
    ref_cost, _ = reference_selection(data)
    ds, _, res = solve_selection(data)
    assert math.isfinite(ref_cost)
    assert math.isclose(res.objective, ref_cost, rel_tol=1e-9)
    assert float(ds.backup_heat[1]) == pytest.approx(5000.0 - shortfall_W, abs=1e-9)


@pytest.mark.parametrize("shortfall_W", [2.0 * LOAD_TOL_W, 1e-7 + LOAD_TOL_W])
def test_selection_shortfall_above_tolerance_is_infeasible_in_both(shortfall_W):
    """Just above the stated tolerance both call it infeasible, whatever HiGHS' own tolerance."""
    data = _zero_capacity_instance([0.0, 5000.0], backup_W=5000.0 - shortfall_W)
    assert not np.isfinite(reference_selection(data)[0])
    with pytest.raises(SolverError, match="infeasible.*'capacity'"):
        solve_selection(data)


def test_selection_noise_limit_is_decided_on_the_data():
    """A receiver level one ulp above the limit is out in both (HiGHS' 1e-7 dB row tolerance
    would otherwise let it through); at the limit it is in."""
    limit = 37.0
    above = np.nextafter(limit, 100.0)
    data = _zero_capacity_instance(
        [0.0, 100.0],
        backup_W=100.0,
        level_dB=(above, limit),
        limit_dB=limit,
        capital_EUR=(900.0, 1000.0),  # the unit just above the limit is the cheaper one
    )
    assert reference_selection(data)[1] == 1
    ds, _, _ = solve_selection(data)
    assert ds.attrs["selected_name"] == "c1"
    data = _zero_capacity_instance(
        [0.0, 100.0], backup_W=100.0, level_dB=(above, above), limit_dB=limit
    )
    assert not np.isfinite(reference_selection(data)[0])
    with pytest.raises(SolverError, match="infeasible.*'noise'"):
        solve_selection(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(selection_instances())
@example(_zero_capacity_instance([0.0, 1.19e-7]))
def test_selection_equals_enumeration_on_random_instances(data):
    """The MILP's optimum equals enumeration + scipy linprog on random small instances; when
    enumeration finds nothing feasible the MILP raises SolverError."""
    ref_cost, _ = reference_selection(data)
    if not np.isfinite(ref_cost):
        with pytest.raises(SolverError, match="infeasible"):
            solve_selection(data)
        return
    _, _, res = solve_selection(data)
    assert math.isclose(res.objective, ref_cost, rel_tol=1e-6, abs_tol=1e-6)

"""Assess once, value many times (designopt.evaluate.value).

Checks: value(assess(...)) is evaluate(...); a Performance set survives NetCDF; D designs x S
scenarios in one pass equal S one-scenario valuations; the net present cost moves with the
electricity price by the present worth of the electricity bill (closed form, Sullivan et al.,
Engineering Economy, uniform-series present worth); a time-of-use tariff with the same price in
every hour equals the flat tariff; grants, GWP caps and charge caps act as the rules say.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from designopt.case import load_case
from designopt.errors import ConfigurationError
from designopt.evaluate import (
    PerformanceSet,
    Scenarios,
    assess,
    build_problem,
    evaluate,
    value,
    value_arrays,
)
from designopt.evaluate.sources import REGISTRY

DATA = Path(__file__).parent / "data"
WATER = DATA / "evaluate_reference" / "water.toml"
GROUND = DATA / "cases" / "tiny_ground.toml"
REL = 1e-12  # relative [1]


@pytest.fixture(scope="module")
def water():
    case = load_case(WATER)
    designs = [
        {"refrigerant": r, "evaporator_area_m2": a, "swept_volume_cm3": v, "backup_kW": 2.0}
        for r, a, v in [("R290", 2.0, 50.0), ("R32", 1.5, 40.0), ("R290", 3.0, 70.0)]
    ]
    return case, designs, [assess(d, case) for d in designs]


def test_value_of_assess_is_evaluate(water):
    case, designs, perfs = water
    for d, p in zip(designs, perfs, strict=True):
        a, b = value(p, case), evaluate(d, case)
        assert a.objectives == b.objectives
        assert a.constraints == b.constraints
        assert a.metrics == b.metrics


def test_performance_set_round_trips_through_netcdf(water, tmp_path):
    import xarray as xr

    case, _, perfs = water
    ps = PerformanceSet.from_performances(perfs)
    path = tmp_path / "performance.nc"
    ps.to_dataset().to_netcdf(path)
    ds = xr.open_dataset(path)
    for v in ds.data_vars:
        assert ds[v].attrs.get("units") and ds[v].attrs.get("long_name"), v
    back = PerformanceSet.from_dataset(ds)
    for i, p in enumerate(perfs):
        q = back.performance(i)
        assert q.quantities() == pytest.approx(p.quantities(), rel=0, nan_ok=True)
        assert value(q, case).objectives == value(p, case).objectives


def test_many_scenarios_equal_one_at_a_time(water):
    case, _, perfs = water
    ps = PerformanceSet.from_performances(perfs)
    price = np.array([0.1, 0.3, 0.45, 0.6])
    carbon = np.array([0.0, 50.0, 100.0, 300.0])
    grant = np.array([0.0, 500.0, 2500.0, 7000.0])
    sc = Scenarios.from_case(
        case, 4, electricity_price_per_kWh=price, carbon_price_per_t=carbon, capital_subsidy=grant
    )
    out = value_arrays(ps, sc, case, chunk=3)  # two chunks
    for j in range(4):
        econ = case.economics.model_copy(
            update={
                "electricity_price_per_kWh": price[j],
                "carbon_price_per_t": carbon[j],
                "capital_subsidy": grant[j],
            }
        )
        one = case.model_copy(update={"economics": econ})
        for i, p in enumerate(perfs):
            ev = value(p, one)
            assert out["net_present_cost"][i, j] == pytest.approx(
                ev.metrics["net_present_cost"], rel=REL
            )
            assert out["capital_cost"][i, j] == pytest.approx(ev.metrics["capital_cost"], rel=REL)
            assert out["lcoh"][i, j] == pytest.approx(ev.metrics["lcoh"], rel=REL)


def test_npc_moves_by_the_present_worth_of_the_bill(water):
    case, _, perfs = water
    ps = PerformanceSet.from_performances(perfs)
    e = case.economics
    sc = Scenarios.from_case(
        case,
        2,
        electricity_price_per_kWh=[e.electricity_price_per_kWh, 1.3 * e.electricity_price_per_kWh],
    )
    out = value_arrays(ps, sc, case)
    r, n = e.discount_rate, e.lifetime_years
    pwf = (1.0 - (1.0 + r) ** -n) / r  # uniform series present worth, no escalation
    kwh = ps.arrays["annual_electricity_kWh"]
    expected = 0.3 * e.electricity_price_per_kWh * kwh * pwf
    got = out["net_present_cost"][:, 1] - out["net_present_cost"][:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    np.testing.assert_array_equal(out["capital_cost"][:, 0], out["capital_cost"][:, 1])


def test_grant_is_capped_at_the_gross_cost(water):
    case, _, perfs = water
    ps = PerformanceSet.from_performances(perfs)
    out = value_arrays(ps, Scenarios.from_case(case, 2, capital_subsidy=[0.0, 1e9]), case)
    assert np.all(out["capital_cost"][:, 1] == 0.0)
    assert np.all(out["capital_cost"][:, 0] > 0.0)


def test_gwp_cap_and_charge_cap_are_rules(water):
    case, _, perfs = water
    ps = PerformanceSet.from_performances(perfs)
    sc = Scenarios.from_case(
        case, 3, gwp_cap=[150.0, 1000.0, np.nan], charge_limit_kg=[np.nan, 0.01, np.nan]
    )
    out = value_arrays(ps, sc, case)
    gwp = ps.arrays["gwp100"]
    np.testing.assert_allclose(out["gwp"][:, 0], (gwp - 150.0) / 150.0)
    assert np.all(np.isnan(out["gwp"][:, 2]))
    assert np.all(out["charge"][:, 1] > 0)  # a 10 g cap is violated by every design
    assert np.all(out["charge_limit_kg"][:, 1] == 0.01)


@pytest.fixture(scope="module")
def ground():
    case = load_case(GROUND)
    perfs = [
        assess({"borehole_length_m": h, "evaporator_area_m2": 1.5, "backup_kW": 2.0}, case)
        for h in (60.0, 120.0)
    ]
    return case, perfs


def test_hourly_profile_closes_the_annual_electricity(ground):
    _, perfs = ground
    for p in perfs:
        assert p.electricity_profile_kWh.shape == (12, 24)
        assert p.electricity_profile_kWh.sum() == pytest.approx(p.annual_electricity_kWh, rel=1e-9)
        # a heating load: more electricity in January than in July (physical bound)
        jan, jul = p.electricity_profile_kWh[0].sum(), p.electricity_profile_kWh[6].sum()
        assert jan > 3 * jul


def test_flat_time_of_use_tariff_equals_the_flat_price(ground):
    case, perfs = ground
    ps = PerformanceSet.from_performances(perfs)
    price = case.economics.electricity_price_per_kWh
    tou = np.array(
        [np.full(24, price), np.full(24, np.nan), np.r_[np.full(7, 0.1), np.full(17, 0.4)]]
    )
    out = value_arrays(ps, Scenarios.from_case(case, 3, tou_price_per_kWh=tou), case)
    flat = value_arrays(ps, Scenarios.from_case(case), case)
    np.testing.assert_allclose(
        out["net_present_cost"][:, 0], flat["net_present_cost"][:, 0], rtol=1e-9
    )
    np.testing.assert_allclose(
        out["net_present_cost"][:, 1], flat["net_present_cost"][:, 0], rtol=1e-12
    )
    assert np.all(out["net_present_cost"][:, 2] != out["net_present_cost"][:, 0])


def test_month_hour_tariff_is_the_sum_of_energy_times_price(ground):
    """A tariff by month and hour: the annual bill is sum(E[m, h] * p[m, h]), checked against
    the lifetime-cost closed form with that bill; a winter-peak tariff costs a heating unit more
    than the same prices reversed over the year."""
    case, perfs = ground
    ps = PerformanceSet.from_performances(perfs)
    rng = np.random.default_rng(3)
    p_mh = rng.uniform(0.1, 0.5, (12, 24))
    winter_high = np.where(np.isin(np.arange(12), [0, 1, 10, 11])[:, None], 0.5, 0.1) * np.ones(24)
    summer_high = np.where(np.isin(np.arange(12), [5, 6, 7, 8])[:, None], 0.5, 0.1) * np.ones(24)
    sc = Scenarios.from_case(case, 3, tou_price_per_kWh=np.stack([p_mh, winter_high, summer_high]))
    out = value_arrays(ps, sc, case)
    flat = value_arrays(ps, Scenarios.from_case(case, 1, electricity_price_per_kWh=[0.0]), case)
    econ = case.economics
    pwf = (1 - ((1 + econ.price_escalation) / (1 + econ.discount_rate)) ** econ.lifetime_years) / (
        (econ.discount_rate - econ.price_escalation) / (1 + econ.price_escalation)
    )
    for i, p in enumerate(perfs):
        bill = float((p.electricity_profile_kWh * p_mh).sum())
        extra = out["net_present_cost"][i, 0] - flat["net_present_cost"][i, 0]
        assert extra == pytest.approx(bill * pwf, rel=1e-9)
    assert np.all(out["net_present_cost"][:, 1] > out["net_present_cost"][:, 2])


def test_grid_co2_profile_weights_the_factor_by_electricity(ground):
    """Grid CO2 by month and hour: indirect CO2 = sum(E[m, h] * f[m, h]) per year; a flat
    profile equals the flat factor, a NaN row keeps it."""
    case, perfs = ground
    ps = PerformanceSet.from_performances(perfs)
    beta = case.economics.grid_co2_kg_per_kWh
    f = np.linspace(0.05, 0.6, 12)[:, None] * np.ones(24)
    sc = Scenarios.from_case(
        case,
        3,
        grid_co2_profile_kg_per_kWh=np.stack(
            [np.full((12, 24), beta), np.full((12, 24), np.nan), f]
        ),
    )
    out = value_arrays(ps, sc, case)
    flat = value_arrays(ps, Scenarios.from_case(case), case)
    np.testing.assert_allclose(out["lifetime_co2"][:, 0], flat["lifetime_co2"][:, 0], rtol=1e-12)
    np.testing.assert_allclose(out["lifetime_co2"][:, 1], flat["lifetime_co2"][:, 0], rtol=1e-12)
    years = case.economics.lifetime_years
    for i, p in enumerate(perfs):
        indirect = float((p.electricity_profile_kWh * f).sum()) * years
        direct = out["co2_direct"][i, 2]
        assert out["lifetime_co2"][i, 2] - direct == pytest.approx(indirect, rel=1e-9)


@pytest.mark.parametrize(
    ("profile", "match"),
    [
        (np.full((2, 12, 23), 0.2), r"has shape \(2, 12, 23\); expected \(2, 12, 24\)"),
        (np.r_[np.full(23, 0.2), np.nan][None, :].repeat(2, 0), "mixes NaN and numbers"),
        (np.full((2, 24), -0.1), "must be finite and >= 0"),
        (np.full((2, 24), np.inf), "must be finite and >= 0"),
    ],
)
def test_bad_profiles_are_named(profile, match):
    case = load_case(WATER)
    with pytest.raises(ConfigurationError, match=match):
        Scenarios.from_case(case, 2, tou_price_per_kWh=profile)


def test_time_of_use_needs_an_hourly_simulation(water):
    case, _, perfs = water
    ps = PerformanceSet.from_performances(perfs)
    with pytest.raises(ConfigurationError, match="tou_price_per_kWh .* needs an hourly simulation"):
        value_arrays(
            ps, Scenarios.from_case(case, 1, tou_price_per_kWh=np.full((1, 24), 0.2)), case
        )


def test_unknown_scenario_axis_is_named():
    case = load_case(WATER)
    with pytest.raises(ConfigurationError, match=r"unknown scenario axis \['gas_prize'\]; valid"):
        Scenarios.from_case(case, 2, gas_prize=[1.0, 2.0])


# ------------------------------------------------------------------------------ source contract
CONTRACT_CASES = {
    "air": DATA / "cases" / "tiny_air.toml",
    "water": DATA / "cases" / "tiny_water.toml",
    "ground": DATA / "cases" / "tiny_ground.toml",
    "twin_source": DATA / "cases" / "tiny_hybrid_ground.toml",
}


def test_every_registered_source_has_a_contract_case():
    assert set(REGISTRY) == set(CONTRACT_CASES)


@pytest.mark.parametrize("name", sorted(CONTRACT_CASES))
def test_source_contract(name):
    """Every source: a Performance of its own type with positive charge, energies and sound
    power, a seasonal figure between 1 (direct electric) and 10 that is the annual heat over
    the annual electricity, metrics known to the catalogue, and the same objectives from
    value(Performance) as from the study's evaluation."""
    from designopt.catalogue import METRICS
    from designopt.search import evaluate_safely

    case = load_case(CONTRACT_CASES[name])
    problem = build_problem(case)
    design = {v.name: v.grid(3)[1] for v in problem.variables}
    p = REGISTRY[name].assess(design, case)
    assert p.source == name
    q = p.quantities()
    for k in ("charge_kg", "annual_heat_kWh", "annual_electricity_kWh", "sound_power_dBA"):
        assert math.isfinite(q[k]) and q[k] > 0, k
    assert 1.0 < p.seasonal_cop < 10.0
    assert p.annual_heat_kWh / p.annual_electricity_kWh == pytest.approx(p.seasonal_cop, rel=1e-9)
    assert set(p.metrics) <= set(METRICS)
    ev = evaluate_safely(problem, design)
    assert ev.failure is None
    assert value(p, case).objectives == ev.objectives


def test_a_study_saves_its_performances_and_they_revalue_to_its_results(tmp_path):
    """``designopt run`` writes performance.nc next to results.nc; valuing it under the case
    gives the study's own net present cost for every trial, without re-running physics."""
    import xarray as xr

    from designopt.cli import main

    case_file = DATA / "cases" / "tiny_water.toml"
    out = tmp_path / "study"
    assert main(["run", str(case_file), "--out", str(out), "--no-progress", "--no-report"]) in (
        0,
        3,
    )
    perf = xr.open_dataset(out / "performance.nc")
    res = xr.open_dataset(out / "results.nc")
    assert perf.sizes["design"] >= 1
    case = load_case(case_file)
    got = value_arrays(PerformanceSet.from_dataset(perf), Scenarios.from_case(case), case)
    want = res["net_present_cost"].sel(trial=perf["design"].values).values
    np.testing.assert_allclose(got["net_present_cost"][:, 0], want, rtol=1e-12)

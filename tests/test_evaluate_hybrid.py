"""Heat pump + boiler hybrids (designopt.evaluate.hybrid, the [boiler] table of a case, the
boiler of designopt.seasonal.hourly).

References: the EN 14825 bin hours of the average season (tests/data/en14825_bin_hours_average.csv)
and its rule for the supplementary heater below the bivalent point (elbu(Tj) = Ph(Tj) - Pdh(Tj));
the minimum efficiencies of Directive 92/42/EEC (tests/data/boiler/boiler_efficiency_directive.csv);
hand calculations of the condensing line and of the annuity of a fuel price.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from designopt.case import BoilerTable, case_from_mapping, load_case
from designopt.errors import ConfigurationError, DesignOptWarning
from designopt.evaluate import assess, evaluate
from designopt.evaluate.performance import PerformanceSet
from designopt.evaluate.value import Scenarios, value_arrays
from designopt.seasonal.building import HeatingCurve, HeatLoadLine
from designopt.seasonal.hourly import Boiler, carnot_fraction_map, simulate
from designopt.seasonal.weather import en14825_weather

DATA = Path(__file__).parent / "data"
CASES = DATA / "cases"
T0 = 273.15
#: Net over gross calorific value of natural gas (UK DESNZ 2023 factors, see the CSV header).
NET_OVER_GROSS = 0.18293 / 0.20270


def _rows(path: Path) -> list[dict[str, str]]:
    lines = [x for x in path.read_text().splitlines() if not x.startswith("#")]
    return list(csv.DictReader(lines))


# ------------------------------------------------------------------------------ the boiler
def test_condensing_efficiency_is_linear_in_the_inlet_temperature_between_the_test_points():
    b = Boiler(efficiency=0.88, efficiency_30C_return=0.98)
    t = np.array([20.0, 30.0, 45.0, 60.0, 75.0]) + T0
    np.testing.assert_allclose(b.efficiency_at(t), [0.98, 0.98, 0.93, 0.88, 0.88], rtol=1e-12)
    assert np.all(Boiler(efficiency=0.9).efficiency_at(t) == 0.9)  # not condensing: constant


@pytest.mark.parametrize("row", _rows(DATA / "boiler" / "boiler_efficiency_directive.csv"))
def test_default_condensing_boiler_meets_the_boiler_efficiency_directive(row):
    """The case's default condensing boiler (gross calorific value, as gas is billed) meets the
    92/42/EEC minimums (net calorific value) at both test points."""
    t = BoilerTable()
    full_ncv = 100 * t.efficiency / NET_OVER_GROSS
    part_ncv = 100 * t.efficiency_30C_return / NET_OVER_GROSS
    assert full_ncv >= float(row["min_full_load_70C_pct_ncv"])
    assert part_ncv >= float(row["min_part_load_30C_return_pct_ncv"])
    # and stays physical: below the gross calorific value (no more heat than the fuel holds)
    assert t.efficiency_30C_return <= 1.0


# ------------------------------------------------------------------------------ bivalent rules
@pytest.fixture(scope="module")
def season():
    """EN 14825 average year, a 9 kW load line and a unit without defrost whose maximum output
    is 8 kW (1 + 0.025/K (T - 7 degC)) at the source temperature = outdoor air."""
    weather = en14825_weather("average")
    pmap = carnot_fraction_map(
        heat_nominal_W=8e3, speed=(0.3, 0.65, 1.0), constant_cop=3.0, source_type="water"
    )
    load = HeatLoadLine(design_load_W=9e3, t_design_K=T0 - 10.0)
    return weather, pmap, load


def _phi_max(t_degC):
    return 8e3 * np.maximum(1 + 0.025 * (np.asarray(t_degC) - 7.0), 0.05)


def _ph(t_degC):
    return 9e3 * np.clip((16.0 - np.asarray(t_degC)) / 26.0, 0.0, None)


def _run(season, mode, t_sw=2.0, boiler=None):
    weather, pmap, load = season
    return simulate(
        pmap,
        weather,
        load,
        HeatingCurve.radiator(),
        boiler=boiler or Boiler(efficiency=0.9),
        switchover_K=T0 + t_sw,
        mode=mode,
        backup_W=0.0,
        t_source_K=weather["t_air"].values,
    )


def test_parallel_boiler_heat_is_the_en14825_supplementary_heat_below_the_switchover(season):
    """EN 14825 (4.x, SCOP calculation): below the bivalent point the supplementary heater gives
    elbu(Tj) = Ph(Tj) - Pdh(Tj); summed over the bin hours hj of the average season (from the
    standard's table, not from the synthetic year).  The unit's bivalent point is -1.9 degC, so
    with the switchover at +2 degC the heat pump covers every hour above it."""
    bins = _rows(DATA / "en14825_bin_hours_average.csv")
    tj = np.array([float(r["t_bin_degC"]) for r in bins])
    hj = np.array([float(r["hours_h"]) for r in bins])
    below = tj < 2.0
    expected_J = float(np.sum(hj[below] * np.maximum(_ph(tj[below]) - _phi_max(tj[below]), 0)))
    res = _run(season, "bivalent-parallel")
    s = res.summary
    assert s.heat_boiler_J / 3600 == pytest.approx(expected_J, rel=1e-9)
    assert s.unmet_J == pytest.approx(0.0, abs=1e-6)
    assert s.heat_hp_J / 3600 == pytest.approx(float(np.sum(hj * _ph(tj))) - expected_J, rel=1e-9)
    np.testing.assert_allclose(res.data.gas.values, res.data.heat_boiler.values / 0.9)


def test_alternative_boiler_serves_all_the_load_below_the_switchover(season):
    bins = _rows(DATA / "en14825_bin_hours_average.csv")
    tj = np.array([float(r["t_bin_degC"]) for r in bins])
    hj = np.array([float(r["hours_h"]) for r in bins])
    res = _run(season, "bivalent-alternative")
    assert res.summary.heat_boiler_J / 3600 == pytest.approx(
        float(np.sum(hj[tj < 2.0] * _ph(tj[tj < 2.0]))), rel=1e-9
    )
    cold = res.data.t_air.values < T0 + 2.0
    assert np.all(res.data.heat_hp.values[cold] == 0)


def test_condensing_boiler_sees_the_return_or_the_heat_pump_outlet(season):
    """Alternative: water enters the boiler at the emitter's return (radiators 55/45, n = 1.3:
    T_ret(phi) = 20 + 30 phi^(1/1.3) - 5 phi degC); parallel: raised by the heat pump's share of
    the heat towards the flow temperature, so the boiler condenses less."""
    boiler = Boiler(efficiency=0.88, efficiency_30C_return=0.98)
    alt = _run(season, "bivalent-alternative", boiler=boiler).data
    on = alt.heat_boiler.values > 0
    phi = alt.space_load.values[on] / 9e3
    t_ret = 20 + 30 * phi ** (1 / 1.3) - 5 * phi
    eta = np.interp(t_ret, [30, 60], [0.98, 0.88])
    np.testing.assert_allclose(alt.gas.values[on], alt.heat_boiler.values[on] / eta, rtol=1e-9)
    par = _run(season, "bivalent-parallel", boiler=boiler).data
    on_p = par.heat_boiler.values > 0
    eta_p = par.heat_boiler.values[on_p] / par.gas.values[on_p]
    eta_a = np.interp(
        par.t_air.values[on_p], alt.t_air.values[on], alt.boiler_efficiency.values[on]
    )
    assert np.all(eta_p <= eta_a + 1e-12) and eta_p.mean() < eta_a.mean()


# ------------------------------------------------------------------------------ design study
@pytest.fixture(scope="module")
def air_boiler():
    return load_case(CASES / "tiny_air_boiler.toml")


AIR_DESIGN = {"swept_volume_cm3": 30.0, "switchover_temperature_degC": 0.0, "boiler_kW": 8.0}


def test_air_hybrid_energy_balance_and_boiler_metrics(air_boiler):
    p = assess(AIR_DESIGN, air_boiler)
    m = p.metrics
    assert p.boiler_W == 8e3 and p.annual_fuel_kWh > 0
    shares = m["heat_pump_heat_share"] + m["boiler_heat_share"]
    backup_share = m["annual_backup_kWh"] / m["annual_heat_kWh"]
    assert shares + backup_share == pytest.approx(1.0, abs=1e-6)  # nothing unmet
    assert 0.88 <= m["boiler_seasonal_efficiency"] <= 0.98
    assert m["annual_fuel_kWh"] == pytest.approx(
        m["annual_boiler_heat_kWh"] / m["boiler_seasonal_efficiency"]
    )


def test_fuel_price_and_co2_enter_npc_and_lifetime_co2_by_hand(air_boiler):
    """NPC(price p) - NPC(0) = F p (1 - (1+r)^-N) / r (no escalation) and the lifetime CO2 grows
    by F f N, F the annual fuel use."""
    p = assess(AIR_DESIGN, air_boiler)
    ps = PerformanceSet.from_performances([p])
    sc = Scenarios.from_case(
        air_boiler, 2, fuel_price_per_kWh=[0.0, 0.1], fuel_co2_kg_per_kWh=[0.0, 0.2]
    )
    out = value_arrays(ps, sc, air_boiler)
    r, N, F = (
        air_boiler.economics.discount_rate,
        air_boiler.economics.lifetime_years,
        p.annual_fuel_kWh,
    )
    npc = out["net_present_cost"][0]
    assert npc[1] - npc[0] == pytest.approx(F * 0.1 * (1 - (1 + r) ** -N) / r, rel=1e-9)
    co2 = out["lifetime_co2"][0]
    assert co2[1] - co2[0] == pytest.approx(F * 0.2 * N, rel=1e-9)
    assert out["capex_gas_boiler"][0] > 0


def test_boiler_counts_in_the_capacity_constraint_and_coverage_is_the_heat_pump_alone(air_boiler):
    case = air_boiler.model_copy(
        update={
            "optimisation": air_boiler.optimisation.model_copy(
                update={"constraints": ("capacity", "coverage")}
            )
        }
    )
    e = evaluate(AIR_DESIGN, case)
    cov = e.metrics["heat_pump_coverage"]
    assert e.constraints["coverage"] == pytest.approx(1.0 - cov)
    # (load - (heat pump + 0 back-up + 8 kW boiler)) / load on an 8 kW load: the boiler counts
    assert e.constraints["capacity"] == pytest.approx(-cov)


@pytest.fixture(scope="module")
def ground_boiler():
    return load_case(CASES / "tiny_ground_boiler.toml")


def test_ground_boiler_switchover_spares_the_borefield(ground_boiler):
    """The borefield sees only what the heat pump extracts: a higher switchover sends the cold
    hours to the boiler, the fluid stays warmer, the field can be shorter, more fuel is burnt."""
    from designopt.evaluate.sources.borefield import required_length

    lo = assess({"borehole_length_m": 80.0, "switchover_temperature_degC": -10.0}, ground_boiler)
    hi = assess({"borehole_length_m": 80.0, "switchover_temperature_degC": 2.0}, ground_boiler)
    assert hi.metrics["t_fluid_min_degC"] > lo.metrics["t_fluid_min_degC"] + 1.0
    assert hi.metrics["annual_ground_heat_kWh"] < lo.metrics["annual_ground_heat_kWh"]
    assert hi.annual_fuel_kWh > lo.annual_fuel_kWh
    L_lo = required_length({"switchover_temperature_degC": -10.0}, ground_boiler, xtol_m=0.5)
    L_hi = required_length({"switchover_temperature_degC": 2.0}, ground_boiler, xtol_m=0.5)
    assert L_hi < 0.9 * L_lo


# ------------------------------------------------------------------------------ case files
BASE = {
    "schema": 1,
    "name": "b",
    "building": {"design_heat_load_kW": 8.0},
    "boiler": {"fuel": "gas"},
}


@pytest.mark.parametrize(
    "change,message",
    [
        ({"boiler": {"fuel": "oil"}}, r"boiler.price_per_kWh and boiler.co2_kg_per_kWh"),
        ({"boiler": {"fuel": "oil", "price_per_kWh": 0.1}}, r"needs boiler.co2_kg_per_kWh"),
        (
            {"space": {"switchover_temperature_degC": {"low": -15.0, "high": 5.0}}},
            r"space.switchover_temperature_degC=-15.0 lies outside the climate's heating range",
        ),
        (
            {"fixed": {"switchover_temperature_degC": 18.0}},
            r"fixed.switchover_temperature_degC=18.0 lies outside",
        ),
        ({"policy": {"min_heat_pump_coverage": 1.2}}, r"policy.min_heat_pump_coverage=1.2"),
        ({"boiler": None, "fixed": {"boiler_kW": 5.0}}, r"fixed.boiler_kW needs a \[boiler\]"),
        (
            {"boiler": None, "fixed": {"switchover_temperature_degC": 0.0}},
            r"switchover_temperature_degC needs a \[boiler\] table",
        ),
        (
            {"boiler": {"efficiency": 0.9, "efficiency_30C_return": 0.85}},
            r"efficiency_30C_return=0.85 is below efficiency=0.9",
        ),
        ({"boiler": {"fuel": "coal"}}, r"boiler.fuel='coal'"),
    ],
)
def test_bad_boiler_input_is_one_clear_line(change, message):
    data = {**BASE, **change}
    if data.get("boiler") is None:
        data.pop("boiler")
    with pytest.raises(ConfigurationError, match=message) as exc:
        case_from_mapping(data)
    assert "\n" not in str(exc.value)


def test_twin_source_takes_no_boiler(tmp_path):
    f = tmp_path / "twin_boiler.toml"
    f.write_text((CASES / "tiny_hybrid_ground.toml").read_text() + '\n[boiler]\nfuel = "gas"\n')
    with pytest.raises(ConfigurationError, match="twin_source' is not modelled"):
        load_case(f)


def test_an_old_hybrid_file_loads_as_twin_source_with_a_message(tmp_path):
    text = (CASES / "tiny_hybrid_ground.toml").read_text().replace('"twin_source"', '"hybrid"')
    old = tmp_path / "old.toml"
    old.write_text(text)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        case = load_case(old)
    assert case.source.type == "twin_source"
    msgs = [str(w.message) for w in seen if issubclass(w.category, DesignOptWarning)]
    assert len(msgs) == 1 and "rename it" in msgs[0] and "heat pump + boiler" in msgs[0]
    assert case.fingerprint() == load_case(CASES / "tiny_hybrid_ground.toml").fingerprint()


def test_a_case_without_boiler_keeps_its_fingerprint():
    """Fields added for hybrids count only when set: studies made before keep resuming."""
    case = load_case(CASES / "tiny_air.toml")
    data = case.model_dump()
    assert data["boiler"] is None and data["policy"]["min_heat_pump_coverage"] is None
    with_cov = case.model_copy(
        update={"policy": case.policy.model_copy(update={"min_heat_pump_coverage": 0.8})}
    )
    assert with_cov.fingerprint() != case.fingerprint()
    assert math.isfinite(len(case.fingerprint()))


# ------------------------------------------------------------------------------ sweep and CLI
def test_a_gas_price_axis_prices_the_fuel_of_a_gas_hybrid(air_boiler):
    """In a policy sweep the gas price moves the hybrid's NPC by fuel x price x annuity."""
    from designopt.sweep.engine import value_batch
    from designopt.sweep.spec import Reference

    p = assess(AIR_DESIGN, air_boiler)
    ps = PerformanceSet.from_performances([p])
    cols = {"gas_price_per_kWh": np.array([0.05, 0.15])}
    pairs, _ = value_batch(ps, air_boiler, cols, ["capacity"], Reference())
    npc = pairs["net_present_cost"][0]
    r, N = air_boiler.economics.discount_rate, air_boiler.economics.lifetime_years
    assert npc[1] - npc[0] == pytest.approx(p.annual_fuel_kWh * 0.10 * (1 - (1 + r) ** -N) / r)


def test_switchover_command_sizes_the_borefield_and_writes_its_table(tmp_path):
    import pandas as pd

    from designopt.cli import main

    out = tmp_path / "sw"
    rc = main(
        [
            "switchover",
            str(CASES / "tiny_ground_boiler.toml"),
            "--values",
            "4,-4",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    for name in ("switchover.nc", "switchover.csv", "switchover.md", "switchover.png"):
        assert (out / name).is_file()
    t = pd.read_csv(out / "switchover.csv", index_col=0)
    assert list(t.index) == ["heat pump only", "4 degC", "-4 degC"]
    L = t["borehole_total_length_m"].to_numpy()
    assert L[1] < L[2] < L[0]  # a warmer switchover spares more borehole
    assert (t["feasible"] == 1).all()  # each sized length meets the fluid limit
    fuel = t["annual_fuel_kWh"].to_numpy()
    assert fuel[0] == 0 and fuel[1] > fuel[2] > 0
    assert "| heat pump only |" in (out / "switchover.md").read_text()


@pytest.mark.parametrize(
    "case,args,message",
    [
        ("tiny_ground_boiler.toml", ["--values", "a,b"], "--values='a,b' must be numbers"),
        ("tiny_ground_boiler.toml", ["--values", "40"], "--values=40.0 lies outside"),
        (
            "tiny_ground_boiler.toml",
            ["--values", "4,-12"],
            "--values=-12.0 lies outside the climate's heating range",
        ),
        ("tiny_ground.toml", [], "has no switchover temperature"),
    ],
)
def test_switchover_command_bad_input_is_one_line(case, args, message, tmp_path, capsys):
    from designopt.cli import main

    rc = main(["switchover", str(CASES / case), "--out", str(tmp_path / "o"), *args])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "o" / "switchover.nc").exists()


def test_water_source_hybrid_runs_at_the_water_temperature(tmp_path):
    """A water-source hybrid is simulated on the EN 14825 year with the source at the case's
    constant water temperature: warmer water gives the heat pump more capacity below the
    switchover (parallel operation), so the boiler tops up less and burns less fuel."""
    base = (CASES / "tiny_water.toml").read_text()
    assert "water_temperature_degC = 10.0" in base
    fuel = []
    for t in (6.0, 14.0):
        f = tmp_path / f"w{t:g}.toml"
        f.write_text(
            base.replace("water_temperature_degC = 10.0", f"water_temperature_degC = {t}")
            + '\n[boiler]\nfuel = "gas"\noperation = "parallel"\n'
        )
        case = load_case(f)
        # a small compressor (about 60 % of the load at the design point): the boiler tops up
        design = {"evaporator_area_m2": 1.75, "swept_volume_cm3": 22.0}
        p = assess({**design, "switchover_temperature_degC": 0.0}, case)
        assert p.boiler_W == pytest.approx(case.building.design_heat_load_kW * 1e3)
        assert p.metrics["heat_pump_heat_share"] + p.metrics["boiler_heat_share"] <= 1.0 + 1e-9
        fuel.append(p.annual_fuel_kWh)
    assert 0 < fuel[1] < fuel[0]

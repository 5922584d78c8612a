"""Rule axes of policy sweeps (designopt.sweep.rules) and the sweep file's checks of them.

Checks: the EU F-gas 2024/573 Annex IV bans by unit type, capacity and year (monobloc up to
12 kW: GWP >= 150 from 2027, every F-gas from 2032; R290 is no F-gas); the 813/2013 outdoor
sound power bands (65/70/78/88 dB(A), upper bounds inclusive) and the BEG "x dB below"; the
receiver-distance rule equals designopt.noise at the moved receiver; efficiency minimums; NaN
switches a rule off; every rule row of the data file is dated and carries its source and
whether it was verified; bad rule and physics axes end with one line naming axis and value.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from designopt import noise
from designopt.errors import ConfigurationError
from designopt.evaluate import Performance, PerformanceSet
from designopt.sweep import load_sweep
from designopt.sweep.rules import (
    ecodesign_outdoor_limit_dBA,
    fgas_allowed,
    load_rules,
    meets_rules,
)
from designopt.sweep.spec import Rules

NAN = math.nan


def _perf(refrigerant="R290", gwp=3.0, lwa=55.0, capacity_W=8000.0, scop=3.5, source="air"):
    return Performance(
        source=source,
        refrigerant=refrigerant,
        evaporator_type="finned_air_coil" if source == "air" else "brazed_plate",
        gwp100=gwp,
        lfl_kg_m3=0.038,
        charge_kg=1.0,
        compressor_displacement_m3_s=1e-3,
        evaporator_area_m2=30.0,
        condenser_area_m2=1.0,
        fan_diameter_m=0.5,
        heat_output_rating_W=capacity_W,
        backup_heater_W=0.0,
        design_load_W=8000.0,
        capacity_design_W=capacity_W,
        annual_heat_kWh=15000.0,
        annual_electricity_kWh=15000.0 / scop,
        seasonal_cop=scop,
        sound_power_dBA=lwa,
        metrics={"eta_s_pct": 100.0 * scop / 2.5 - 3.0},
    )


def test_fgas_monobloc_up_to_12_kW():
    refr = np.array(["R290", "R32", "R1234yf"])
    gwp = np.array([3.0, 675.0, 4.0])
    cap = np.full(3, 8.0)
    years = np.array([2026.0, 2027.0, 2031.0, 2032.0, NAN])
    ok = fgas_allowed(refr, gwp, cap, years, "monobloc")
    assert ok[0].all()  # propane is no fluorinated gas
    assert ok[1].tolist() == [True, False, False, False, True]  # GWP >= 150 from 2027
    assert ok[2].tolist() == [True, True, True, False, True]  # every F-gas from 2032


def test_fgas_depends_on_capacity_and_unit_type():
    refr, gwp = np.array(["R32", "R32"]), np.array([675.0, 675.0])
    # 12 kW is in the "up to and including 12 kW" band
    split = fgas_allowed(refr, gwp, np.array([12.0, 12.1]), np.array([2028.0, 2029.0]), "split")
    assert split[0].tolist() == [True, False]  # split <= 12 kW: GWP >= 150 from 2029
    assert split[1].tolist() == [True, True]  # split > 12 kW: GWP >= 750 from 2029; 675 passes


def test_rule_data_rows_are_dated_cited_and_flagged():
    data = load_rules()
    for row in data["fgas"]["ban"]:
        assert isinstance(row["from"], dt.date)
        assert row["source"] and isinstance(row["verified"], bool)
    for key in ("ecodesign_noise", "beg_noise", "ecodesign_efficiency", "bus"):
        assert data[key]["source"] and isinstance(data[key]["verified"], bool)


@pytest.mark.parametrize(
    ("kW", "limit"),
    [(2.0, 65.0), (6.0, 65.0), (6.01, 70.0), (12.0, 70.0), (20.0, 78.0), (70.0, 88.0)],
)
def test_ecodesign_outdoor_limits(kW, limit):
    assert ecodesign_outdoor_limit_dBA(np.array([kW]))[0] == limit


def test_noise_below_ecodesign_is_the_beg_rule_for_outdoor_units_only():
    ps = PerformanceSet.from_performances(
        [_perf(lwa=58.0), _perf(lwa=62.0), _perf(lwa=62.0, source="ground")]
    )
    x = {"noise_below_ecodesign_dB": np.array([NAN, 5.0, 10.0])}
    ok = meets_rules(ps, x, Rules(), [])
    # 8 kW: limit 70 dB(A); BEG 2026: 60; BEG 2024-25: 65
    assert ok[0].tolist() == [True, True, True]
    assert ok[1].tolist() == [True, True, False]
    assert ok[2].tolist() == [True, True, True]  # an indoor unit: the outdoor limit is moot


def test_receiver_distance_rule_equals_designopt_noise():
    lwa = [55.0, 60.0, 65.0]
    ps = PerformanceSet.from_performances([_perf(lwa=v) for v in lwa])
    receivers = [noise.Receiver("window", 3.0, 2, method="mcs020a")]
    distances = np.array([2.0, 5.0, 10.0, NAN])
    ok = meets_rules(ps, {"noise_receiver_distance_m": distances}, Rules(), receivers)
    for j, d in enumerate(distances[:3]):
        r = [noise.Receiver("window", float(d), 2, method="mcs020a")]
        expect = np.asarray(noise.receiver_levels(np.array(lwa), r).constraint) <= 0
        assert ok[:, j].tolist() == expect.tolist()
    assert ok[:, 3].all()


def test_efficiency_minimums():
    ps = PerformanceSet.from_performances([_perf(scop=2.7), _perf(scop=3.2)])
    cols = {"min_scop": np.array([2.8, NAN]), "min_eta_s_pct": np.array([NAN, NAN])}
    ok = meets_rules(ps, cols, Rules(), [])
    assert ok[:, 0].tolist() == [False, True] and ok[:, 1].all()
    eta = meets_rules(ps, {"min_eta_s_pct": np.array([110.0, 125.0])}, Rules(), [])
    # eta_s = 100 SCOP / 2.5 - 3: 105 % and 125 %
    assert eta.tolist() == [[False, False], [True, True]]


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(
        'schema = 1\nname = "r"\ncase = "case.toml"\nstudy = "study"\n' + body, encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("[axes.fgas_year]\nvalues = [2020.0]\n", "fgas_year: 2020.0 is outside its range 2024"),
        ("[axes.discount_rate]\nvalues = [nan]\n", "axis discount_rate: nan is not allowed"),
        ("[axes.min_scop]\nvalues = ['high']\n", "axis min_scop: 'high' is not a number"),
        (
            "[axes.carbon_price_per_t]\nvalues = [0.0]\n[axes.climate]\nvalues = ['tropical']\n",
            "axis climate: 'tropical' is not valid; valid: \\['average', 'colder', 'warmer'\\]",
        ),
        (
            "[axes.carbon_price_per_t]\nvalues = [0.0]\n"
            "[axes.design_heat_load_kW]\nlow = 5.0\nhigh = 9.0\n",
            "axis design_heat_load_kW is a physics axis: give values",
        ),
        ("[axes.emitter]\nvalues = ['underfloor']\n", "give at least one valuation axis"),
        (
            "[axes.carbon_price_per_t]\nvalues = [0.0]\n[axes.climate]\nvalues = ['x.epw']\n",
            "weather file .*x.epw' does not exist",
        ),
        (
            "[axes.carbon_price_per_t]\nvalues = [0.0]\n[report]\nheatmap = ['a', 'b']\n",
            "report.heatmap=\\['a', 'b'\\] must name two different axes",
        ),
        (
            "[axes.carbon_price_per_t]\nvalues = [0.0]\n"
            "[reference.hybrid]\nswitchover_temperature_degC = []\n",
            "reference.hybrid.switchover_temperature_degC",
        ),
        (
            "[axes.carbon_price_per_t]\nvalues = [0.0]\n[rules]\nunit_type = 'ducted'\n",
            "rules.unit_type",
        ),
    ],
)
def test_bad_rule_and_physics_axes_are_named(tmp_path, body, match):
    with pytest.raises(ConfigurationError, match=match) as info:
        load_sweep(_file(tmp_path, body))
    assert "\n" not in str(info.value)  # one line

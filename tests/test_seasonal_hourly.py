"""Tests of the hourly simulation, the built-in EN 14825 weather and the building/emitter models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from designopt.errors import ConfigurationError, DataFormatError
from designopt.io.epw import read_epw
from designopt.seasonal.building import (
    DomesticHotWater,
    HeatingCurve,
    HeatLoadLine,
    HourlyHeatLoad,
)
from designopt.seasonal.defrost import DefrostModel
from designopt.seasonal.hourly import (
    Boiler,
    carnot_fraction_map,
    prepare_map,
    simulate,
)
from designopt.seasonal.weather import en14825_weather

DATA = Path(__file__).parent / "data"
T0 = 273.15

# EN 14825 reference seasons: design temperature [degC] and equivalent active-mode hours H_HE [h]
# (EN 14825:2018 / Regulation (EU) 813/2013 Annex III; ../shared/REFERENCE.md "[P] for H_HE")
EN14825 = {"average": (-10.0, 2066.0), "colder": (-22.0, 2465.0), "warmer": (2.0, 1336.0)}


def _balance(res):
    d = res.data
    lhs = d.heat_hp + d.heat_backup + d.heat_boiler + d.unmet
    rhs = d.space_load + d.dhw_load + d.defrost_heat
    return float(np.max(np.abs(lhs - rhs)))


def _weather(t_degC, rh=0.8):
    t = np.atleast_1d(np.asarray(t_degC, dtype=float))
    time = np.datetime64("2021-01-01T00:00", "ns") + np.arange(t.size) * np.timedelta64(1, "h")
    return xr.Dataset(
        {
            "t_air": ("time", t + T0, {"units": "K", "long_name": "dry bulb"}),
            "rh": ("time", np.full(t.size, rh), {"units": "1", "long_name": "RH"}),
        },
        coords={"time": time},
    )


@pytest.fixture(scope="module")
def avg_weather():
    return en14825_weather("average")


@pytest.fixture(scope="module")
def air_map():
    return prepare_map(carnot_fraction_map(heat_nominal_W=8000.0, carnot_fraction=0.5))


# ----------------------------------------------------------------------------- built-in weather


@pytest.mark.parametrize("climate", ["average", "colder", "warmer"])
def test_builtin_season_reproduces_bin_hours_and_h_he(climate):
    from designopt.seasonal.climates import reference_season

    ds = en14825_weather(climate)
    season = reference_season(climate)
    t = ds.t_air.values - T0
    assert t.size == 8760
    bins = np.round(t)
    for tj, hj in zip(season.t_bin_K - T0, season.hours_h, strict=True):
        assert np.sum(bins == tj) == hj
    heating = t < 15.5
    assert heating.sum() == season.hours_h.sum()
    assert np.all(t[~heating] > 16.0)
    # load line of EN 14825 summed hour by hour gives H_HE (published value)
    t_design, h_he = EN14825[climate]
    pl = np.maximum((t - 16.0) / (t_design - 16.0), 0.0)
    assert pl.sum() == pytest.approx(h_he, abs=1.0)
    assert np.all((ds.rh.values > 0.3) & (ds.rh.values <= 0.82))
    for name in ds.data_vars:
        assert {"units", "long_name"} <= set(ds[name].attrs)


def test_builtin_season_is_deterministic_and_seasonal():
    a = en14825_weather("average")
    b = en14825_weather("average")
    np.testing.assert_array_equal(a.t_air.values, b.t_air.values)
    monthly = a.t_air.groupby("time.month").mean().values
    assert monthly[0] < monthly[6] and monthly[11] < monthly[6]  # winter colder than July
    with pytest.raises(ConfigurationError, match="valid options"):
        en14825_weather("tropical")
    with pytest.raises(ConfigurationError, match="leap"):
        en14825_weather("average", year=2024)


# ----------------------------------------------------------------------------- building, emitter


def test_heating_curve_presets_and_en442_consistency():
    uf = HeatingCurve.underfloor()
    rad = HeatingCurve.radiator()
    assert float(uf.flow_temperature_K(1.0)) == pytest.approx(308.15)
    assert float(rad.flow_temperature_K(1.0)) == pytest.approx(328.15)
    phi = np.linspace(0.2, 1.0, 9)  # above the minimum-flow clamp
    for curve in (uf, rad):
        tf = curve.flow_temperature_K(phi)
        assert np.all(np.diff(tf) > 0)
        # emitter output with this flow temperature and the flow-return drop scaled by phi
        dt_fr = (curve.t_flow_design_K - curve.t_return_design_K) * phi
        dt_m = tf - dt_fr / 2 - curve.t_room_K
        dt_m_d = (curve.t_flow_design_K + curve.t_return_design_K) / 2 - curve.t_room_K
        np.testing.assert_allclose((dt_m / dt_m_d) ** curve.exponent, phi, rtol=1e-12)
    assert float(uf.flow_temperature_K(0.0)) == pytest.approx(uf.t_room_K + 2.0)


def test_load_line():
    b = HeatLoadLine(design_load_W=10e3, t_design_K=T0 - 10, t_balance_K=T0 + 16)
    np.testing.assert_allclose(b.load_W(T0 + np.array([-10.0, 3.0, 16.0, 25.0])), [10e3, 5e3, 0, 0])
    with pytest.raises(ConfigurationError, match="above t_design_K"):
        HeatLoadLine(design_load_W=1e3, t_design_K=T0 + 20, t_balance_K=T0 + 16)
    with pytest.raises(ConfigurationError, match="kelvin"):
        HeatLoadLine(design_load_W=1e3, t_design_K=-10.0)
    with pytest.raises(ConfigurationError, match="> 0 W"):
        HeatLoadLine(design_load_W=-5.0, t_design_K=T0 - 10)


def test_hourly_load_series_and_csv(tmp_path, air_map):
    w = read_epw(DATA / "epw_chicago_tmy3_jan01-03.epw")
    loads = np.linspace(2000.0, 6000.0, 72)
    p = tmp_path / "load.csv"
    p.write_text("# test\nload_kW\n" + "\n".join(f"{x / 1e3:.12f}" for x in loads) + "\n")
    b = HourlyHeatLoad.from_csv(p)
    res = simulate(air_map, w, b, HeatingCurve.radiator())
    np.testing.assert_allclose(res.data.space_load.values, loads, rtol=1e-9)
    assert _balance(res) < 1e-6
    with pytest.raises(ConfigurationError, match="72"):
        simulate(air_map, w.isel(time=slice(0, 48)), b, HeatingCurve.radiator())
    bad = tmp_path / "bad.csv"
    bad.write_text("power\n1\n")
    with pytest.raises(DataFormatError, match="load_W"):
        HourlyHeatLoad.from_csv(bad)


def test_negative_load_rejected():
    with pytest.raises(ConfigurationError, match=r">= 0 W.*\[1\]=-5"):
        HourlyHeatLoad(load_W_series=np.array([1.0, -5.0, 2.0]))


# ----------------------------------------------------------------------------- simulation


def test_constant_cop_gives_spf_equal_to_cop(avg_weather):
    """No cycling loss (Cdh = 1), no defrost, no back-up: SPF equals the map's constant COP."""
    cop = 3.7
    pm = carnot_fraction_map(heat_nominal_W=20e3, constant_cop=cop, speed=(0.05, 1.0))
    b = HeatLoadLine(design_load_W=6e3, t_design_K=T0 - 10)
    res = simulate(
        pm,
        avg_weather,
        b,
        HeatingCurve.underfloor(),
        cdh=1.0,
        defrost=DefrostModel(control="none"),
    )
    s = res.summary
    assert s.heat_backup_J == 0 and s.unmet_J == 0
    assert s.spf_h2 == pytest.approx(cop, rel=1e-12)
    assert s.spf_h3 == pytest.approx(cop, rel=1e-12)
    # and the total load is the EN 14825 design load times H_HE
    assert s.space_heating_J == pytest.approx(6e3 * 2066.0 * 3600.0, rel=5e-4)
    assert _balance(res) < 1e-6


def test_cycling_degradation_en14825_form():
    """Below minimum speed: COP_cyc = COP * CR / (Cdh * CR + 1 - Cdh) (EN 14825)."""
    cop, cdh = 4.0, 0.9
    pm = carnot_fraction_map(
        heat_nominal_W=10e3, constant_cop=cop, speed=(0.5, 1.0), source_type="ground"
    )
    b = HourlyHeatLoad(load_W_series=np.array([1000.0]), design_load_W=5000.0)
    heat_min = 0.5 * 10e3 * (1 + 0.025 * (275.15 - 280.15))
    res = simulate(pm, _weather([0.0]), b, HeatingCurve.underfloor(), cdh=cdh, t_source_K=275.15)
    cr = 1000.0 / heat_min
    expected = cop * cr / (cdh * cr + 1 - cdh)
    assert float(res.data.cop[0]) == pytest.approx(expected, rel=1e-12)
    assert float(res.data.speed[0]) == 0.5
    assert float(res.data.cycling_ratio[0]) == pytest.approx(cr)


def test_modulation_follows_load():
    """Heat output linear in speed: the speed that meets the load is load / nominal heat."""
    pm = carnot_fraction_map(
        heat_nominal_W=10e3, carnot_fraction=0.5, speed=(0.2, 0.6, 1.0), source_type="water"
    )
    loads = np.array([3000.0, 5000.0, 9000.0])
    b = HourlyHeatLoad(load_W_series=loads, design_load_W=9000.0)
    t_src = 280.15  # 7 degC: capacity factor 1
    res = simulate(pm, _weather([0.0, 0.0, 0.0]), b, HeatingCurve.underfloor(), t_source_K=t_src)
    np.testing.assert_allclose(res.data.speed.values, loads / 10e3, rtol=1e-12)
    np.testing.assert_allclose(res.data.heat_hp.values, loads, rtol=1e-12)
    assert res.summary.heat_backup_J == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"dhw": DomesticHotWater.from_kWh_per_day(8.0)},
        {"backup_W": 1500.0},
        {"boiler": Boiler(efficiency=0.92), "switchover_K": T0 - 3, "mode": "bivalent-alternative"},
        {"boiler": Boiler(capacity_W=3e3), "switchover_K": T0 + 2, "mode": "bivalent-parallel"},
        {
            "boiler": Boiler(),
            "switchover_K": T0,
            "mode": "bivalent-parallel",
            "dhw": DomesticHotWater(daily_energy_J=2e7),
            "backup_W": 500.0,
        },
    ],
)
def test_energy_balance_every_hour(kwargs, avg_weather, air_map):
    b = HeatLoadLine(design_load_W=9e3, t_design_K=T0 - 10)
    res = simulate(air_map, avg_weather, b, HeatingCurve.radiator(), **kwargs)
    assert _balance(res) < 1e-6
    d = res.data
    for name in ("heat_hp", "heat_backup", "heat_boiler", "unmet", "electricity", "gas"):
        assert float(d[name].min()) >= 0.0
    for name in list(d.data_vars) + ["time"]:
        assert "long_name" in d[name].attrs
    for name in d.data_vars:
        assert "units" in d[name].attrs
    s = res.summary
    assert s.heat_hp_J + s.heat_backup_J + s.heat_boiler_J + s.unmet_J == pytest.approx(
        s.load_J + s.defrost_heat_J, rel=1e-12
    )


def test_limited_backup_reports_unmet(avg_weather, air_map):
    b = HeatLoadLine(design_load_W=12e3, t_design_K=T0 - 10)
    res = simulate(air_map, avg_weather, b, HeatingCurve.radiator(), backup_W=0.0)
    assert res.summary.unmet_J > 0 and res.summary.hours_unmet > 0
    assert res.summary.heat_backup_J == 0
    assert _balance(res) < 1e-6


def test_colder_climate_gives_lower_spf(air_map):
    spf = {}
    for climate, (t_design, _) in EN14825.items():
        b = HeatLoadLine(design_load_W=6e3, t_design_K=T0 + t_design)
        res = simulate(air_map, en14825_weather(climate), b, HeatingCurve.underfloor())
        spf[climate] = res.summary.spf_h3
    assert spf["colder"] < spf["average"] < spf["warmer"]


def test_defrost_lowers_spf_and_uses_backup(avg_weather, air_map):
    b = HeatLoadLine(design_load_W=5e3, t_design_K=T0 - 10)
    on = simulate(air_map, avg_weather, b, HeatingCurve.underfloor())
    off = simulate(
        air_map, avg_weather, b, HeatingCurve.underfloor(), defrost=DefrostModel(control="none")
    )
    assert on.summary.spf_h3 < off.summary.spf_h3
    assert on.summary.hours_defrost > 0 and off.summary.hours_defrost == 0
    assert on.summary.defrost_heat_J > 0
    d = on.data
    assert np.all(d.defrost_fraction.values[d.t_air.values >= T0 + 5] == 0)
    # ground map: no defrost at all
    pm_g = carnot_fraction_map(source_type="ground")
    g = simulate(pm_g, avg_weather, b, HeatingCurve.underfloor(), t_source_K=T0 + 5)
    assert g.summary.hours_defrost == 0 and g.summary.defrost_heat_J == 0


def test_hybrid_modes(avg_weather, air_map):
    b = HeatLoadLine(design_load_W=9e3, t_design_K=T0 - 10)
    eff = 0.9
    alt = simulate(
        air_map,
        avg_weather,
        b,
        HeatingCurve.radiator(),
        boiler=Boiler(efficiency=eff),
        switchover_K=T0 + 2,
        mode="bivalent-alternative",
    )
    d = alt.data
    cold = d.t_air.values < T0 + 2
    assert np.all(d.heat_hp.values[cold] == 0)
    np.testing.assert_allclose(d.heat_boiler.values[cold], d.space_load.values[cold])
    np.testing.assert_allclose(d.gas.values, d.heat_boiler.values / eff)
    par = simulate(
        air_map,
        avg_weather,
        b,
        HeatingCurve.radiator(),
        boiler=Boiler(efficiency=eff),
        switchover_K=T0 + 2,
        mode="bivalent-parallel",
    )
    assert par.summary.heat_hp_J > alt.summary.heat_hp_J
    assert par.summary.gas_J < alt.summary.gas_J
    # a higher switchover temperature moves heat from the heat pump to the boiler
    gas = [
        simulate(
            air_map,
            avg_weather,
            b,
            HeatingCurve.radiator(),
            boiler=Boiler(),
            switchover_K=T0 + ts,
        ).summary.gas_J
        for ts in (-5.0, 0.0, 5.0)
    ]
    assert gas[0] < gas[1] < gas[2]


def test_dhw_time_sharing(air_map):
    w = _weather(np.full(24, 7.0))
    b = HeatLoadLine(design_load_W=8e3, t_design_K=T0 - 10)
    dhw = DomesticHotWater.from_kWh_per_day(10.0, t_flow_degC=55.0)
    res = simulate(air_map, w, b, HeatingCurve.underfloor(), dhw=dhw)
    d = res.data
    assert float(d.dhw_load.sum()) == pytest.approx(10e3)  # 10 kWh over 24 one-hour steps
    np.testing.assert_allclose(d.heat_hp_dhw.values, d.dhw_load.values)
    assert res.summary.dhw_J == pytest.approx(10 * 3.6e6)
    assert np.all((d.dhw_time_fraction.values >= 0) & (d.dhw_time_fraction.values < 1))
    assert _balance(res) < 1e-6


def test_source_outside_map_goes_to_backup(air_map):
    w = _weather([-30.0, -10.0])  # the map starts at -25 degC
    b = HeatLoadLine(design_load_W=5e3, t_design_K=T0 - 10)
    res = simulate(air_map, w, b, HeatingCurve.underfloor())
    d = res.data
    assert d.hp_on.values[0] == 0 and d.heat_backup.values[0] == pytest.approx(
        d.space_load.values[0]
    )
    assert d.hp_on.values[1] == 1


# ----------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"switchover_K": T0}, "needs a boiler"),
        ({"boiler": Boiler()}, "needs switchover_K"),
        ({"boiler": Boiler(), "switchover_K": 2.0}, "kelvin"),
        ({"boiler": Boiler(), "switchover_K": T0, "mode": "parallel"}, "valid options"),
        ({"cdh": 1.5}, "cdh"),
        ({"backup_W": -1.0}, "backup_W"),
        ({"t_source_K": 280.0}, "only for ground/water"),
    ],
)
def test_bad_simulation_inputs(kwargs, match, air_map):
    b = HeatLoadLine(design_load_W=5e3, t_design_K=T0 - 10)
    with pytest.raises(ConfigurationError, match=match):
        simulate(air_map, _weather([0.0, 1.0]), b, HeatingCurve.underfloor(), **kwargs)


def test_bad_map_and_weather():
    b = HeatLoadLine(design_load_W=5e3, t_design_K=T0 - 10)
    pm = carnot_fraction_map().drop_vars("electric_power")
    with pytest.raises(ConfigurationError, match="electric_power"):
        simulate(pm, _weather([0.0]), b, HeatingCurve.underfloor())
    with pytest.raises(ConfigurationError, match="t_source_K"):
        simulate(
            carnot_fraction_map(source_type="ground"), _weather([0.0]), b, HeatingCurve.underfloor()
        )
    with pytest.raises(ConfigurationError, match="t_air"):
        simulate(
            carnot_fraction_map(), _weather([0.0]).drop_vars("t_air"), b, HeatingCurve.underfloor()
        )
    with pytest.raises(ConfigurationError, match="kelvin"):
        w = _weather([0.0])
        w["t_air"] = w.t_air - T0
        simulate(carnot_fraction_map(), w, b, HeatingCurve.underfloor())
    with pytest.raises(ConfigurationError, match="datetime64"):
        simulate(
            carnot_fraction_map(),
            _weather([0.0, 1.0]).assign_coords(time=[0, 1]),
            b,
            HeatingCurve.underfloor(),
        )
    with pytest.raises(ConfigurationError, match="uniform"):
        w = _weather([0.0, 1.0, 2.0])
        w = w.assign_coords(time=w.time.values + np.array([0, 0, 3600], dtype="timedelta64[s]"))
        simulate(carnot_fraction_map(), w, b, HeatingCurve.underfloor())
    with pytest.raises(ConfigurationError, match="exponent"):
        HeatingCurve(t_flow_design_K=320.0, t_return_design_K=310.0, exponent=4.0)
    with pytest.raises(ConfigurationError, match="efficiency"):
        Boiler(efficiency=90.0)


# ----------------------------------------------------------------------------- real cycle map


def test_with_cycle_model_map():
    """A design from the cycle model: balance, Carnot bound per hour, 35 degC beats 55 degC."""
    cycle = pytest.importorskip("designopt.cycle")
    design = cycle.default_air_water_design()
    pm = cycle.performance_map(
        design,
        np.arange(-25.0, 26.0, 5.0) + T0,
        np.arange(25.0, 61.0, 5.0) + T0,
        np.array([0.25, 0.5, 0.75, 1.0, 1.2]),
    )
    w = en14825_weather("average")
    b = HeatLoadLine(design_load_W=7e3, t_design_K=T0 - 10)
    spf = {}
    for name, curve in (("35", HeatingCurve.underfloor()), ("55", HeatingCurve.radiator())):
        res = simulate(pm, w, b, curve)
        assert _balance(res) < 1e-6
        d = res.data
        on = d.hp_on.values == 1
        carnot = d.t_flow.values / (d.t_flow.values - d.t_air.values)
        assert np.all(d.cop.values[on] < carnot[on])
        assert res.summary.hours_hp_on > 0.9 * 4910
        spf[name] = res.summary.spf_h3
    assert spf["35"] > spf["55"] > 1.0


def test_failed_map_points_limit_the_speed_range():
    """NaN (non-converged) map points: the unit saturates at / cycles at the usable speeds."""
    ds = carnot_fraction_map(heat_nominal_W=10e3, speed=(0.2, 0.6, 1.0), source_type="water")
    heat = ds.heat_output.values.copy()
    heat[:, :, 2] = np.nan  # top speed fails everywhere -> capacity saturates at 0.6
    heat[:, :, 0] = np.nan  # bottom speed fails too -> cycling at 0.6
    ds["heat_output"].values[:] = heat
    loads = np.array([1000.0, 5000.0, 9000.0])
    b = HourlyHeatLoad(load_W_series=loads, design_load_W=9000.0)
    res = simulate(
        ds, _weather([0.0, 0.0, 0.0]), b, HeatingCurve.underfloor(), t_source_K=280.15, cdh=1.0
    )
    d = res.data
    np.testing.assert_allclose(d.speed.values, [0.6, 0.6, 0.6])
    np.testing.assert_allclose(d.heat_hp.values, [1000.0, 5000.0, 6000.0])
    np.testing.assert_allclose(d.heat_backup.values, [0.0, 0.0, 3000.0])
    assert float(d.cycling_ratio[0]) == pytest.approx(1000.0 / 6000.0)
    assert _balance(res) < 1e-9


@pytest.mark.parametrize("climate", ["average", "colder", "warmer"])
@pytest.mark.parametrize("application", [35, 55])
def test_builtin_year_matches_en14825_bin_method(climate, application):
    """On the built-in EN 14825 year with the standard's flow temperatures and load line, the
    hourly SPF_H3 equals SCOP_on of the independent bin-method code (en14825.py, physics
    route), with and without back-up heat (defrost off in both: they use different humidity)."""
    from designopt.seasonal.building import OutdoorResetCurve
    from designopt.seasonal.en14825 import seasonal_performance

    tol_rel = 1e-9
    pm = carnot_fraction_map(heat_nominal_W=12e3, carnot_fraction=0.45)
    t_design = EN14825[climate][0] + T0
    for design_load_W in (5e3, 9e3):
        res = simulate(
            pm,
            en14825_weather(climate),
            HeatLoadLine(design_load_W=design_load_W, t_design_K=t_design),
            OutdoorResetCurve.en14825(climate, application),
            defrost=DefrostModel(control="none"),
        )
        ref = seasonal_performance(
            pm,
            climate=climate,
            application_degC=application,
            design_load_W=design_load_W,
            defrost=None,
        )
        assert res.summary.spf_h3 == pytest.approx(ref.scop_on, rel=tol_rel)
        assert res.summary.heat_backup_J == pytest.approx(ref.backup_J, rel=tol_rel, abs=1.0)
        # QH = Pdesignh * H_HE with the published (rounded) H_HE vs the exact bin sum
        assert res.summary.space_heating_J == pytest.approx(ref.heat_J, rel=5e-4)


def test_outdoor_reset_curve():
    from designopt.seasonal.building import OutdoorResetCurve

    c = OutdoorResetCurve.en14825("average", 55)
    # EN 14825 average climate, 55 degC application: 55 at -10, 52 at -7, 42 at +2 degC
    np.testing.assert_allclose(
        c.flow_temperature(T0 + np.array([-15.0, -10.0, -7.0, 2.0])) - T0, [55, 55, 52, 42]
    )
    with pytest.raises(ConfigurationError, match="increasing"):
        OutdoorResetCurve(t_air_K=(280.0, 270.0), t_flow_K=(300.0, 310.0))
    with pytest.raises(ConfigurationError, match="kelvin"):
        OutdoorResetCurve(t_air_K=(-10.0, 10.0), t_flow_K=(35.0, 25.0))
    with pytest.raises(ConfigurationError, match="valid options"):
        OutdoorResetCurve.en14825("average", 45)


def test_energy_balance_property():
    """Hypothesis: the hourly balance closes and no flow is negative for any valid setting."""
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies
    pm = prepare_map(carnot_fraction_map(heat_nominal_W=6e3, speed=(0.3, 0.7, 1.0)))

    @hyp.settings(max_examples=40, deadline=None)
    @hyp.given(
        t=st.lists(st.floats(-30.0, 30.0), min_size=1, max_size=24),
        rh=st.floats(0.0, 1.0),
        design=st.floats(500.0, 20e3),
        backup=st.one_of(st.just(None), st.floats(0.0, 10e3)),
        hybrid=st.booleans(),
        boiler_cap=st.floats(100.0, 30e3),
        switchover=st.floats(-20.0, 15.0),
        mode=st.sampled_from(["bivalent-alternative", "bivalent-parallel"]),
        dhw_kWh=st.floats(0.0, 20.0),
        radiator=st.booleans(),
    )
    def check(t, rh, design, backup, hybrid, boiler_cap, switchover, mode, dhw_kWh, radiator):
        kw = {}
        if hybrid:
            kw = {
                "boiler": Boiler(capacity_W=boiler_cap),
                "switchover_K": T0 + switchover,
                "mode": mode,
            }
        res = simulate(
            pm,
            _weather(t, rh),
            HeatLoadLine(design_load_W=design, t_design_K=T0 - 12),
            HeatingCurve.radiator() if radiator else HeatingCurve.underfloor(),
            backup_W=backup,
            dhw=DomesticHotWater.from_kWh_per_day(dhw_kWh) if dhw_kWh > 0 else None,
            **kw,
        )
        assert _balance(res) < 1e-6 * max(1.0, design)
        d = res.data
        for name in ("heat_hp", "heat_backup", "heat_boiler", "unmet", "electricity", "gas"):
            assert float(d[name].min()) >= -1e-9
        on = d.hp_on.values == 1
        assert np.all(d.cop.values[on] > 0)
        if backup is not None:
            assert float(d.heat_backup.max()) <= backup + 1e-9

    check()

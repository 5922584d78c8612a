"""Tests of designopt.seasonal.defrost against EnergyPlus output and psychrometric references."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designopt.errors import ConfigurationError
from designopt.seasonal.defrost import (
    DefrostModel,
    defrost_factors,
    defrost_performance,
    defrost_time_fraction,
    humidity_ratio,
    saturation_pressure,
)

DATA = Path(__file__).parent / "data"
T0 = 273.15


def test_saturation_pressure_matches_coolprop():
    """Hyland-Wexler saturation pressure vs CoolProp's humid-air model (independent code).

    CoolProp's HAPropsSI partial pressure at saturation includes the enhancement factor
    (about +0.4 % near atmospheric pressure), hence the tolerance.
    """
    cp = pytest.importorskip("CoolProp.CoolProp")
    tol_pct = 0.6
    for t in (243.15, 258.15, 268.15, 272.15, 274.15, 283.15, 298.15):
        ref = cp.HAPropsSI("P_w", "T", t, "P", 101325.0, "R", 1.0)
        assert saturation_pressure(t) == pytest.approx(ref, rel=tol_pct / 100)


def test_saturation_pressure_triple_point():
    """611.2 Pa at 0 degC (ASHRAE Fundamentals 2017 ch. 1 table 3: 0.6112 kPa)."""
    assert float(saturation_pressure(T0)) == pytest.approx(611.2, abs=0.5)


def test_on_demand_time_fraction_matches_energyplus():
    """Defrost time fraction vs EnergyPlus 23.1 hourly output (see the data file header).

    EnergyPlus averages six 10-min steps per hour (f is convex in the humidity excess), so the
    hourly values differ by a few percent from f evaluated at hourly-mean weather.
    """
    tol_pct = 4.0
    df = pd.read_csv(DATA / "defrost_energyplus_ondemand.csv", comment="#")
    p = 99063.0
    t = df["t_out_degC"].to_numpy() + T0
    w = df["w_out_kg_per_kg"].to_numpy()
    rh = w * p / (0.621945 + w) / saturation_pressure(t)
    model = DefrostModel(pressure_Pa=p, t_max_K=T0 + 0.5)
    f = defrost_time_fraction(t, rh, model=model)
    # the same with the pressure given per point (as from a weather file)
    f2 = defrost_performance(
        t, rh, model=DefrostModel(t_max_K=T0 + 0.5), pressure_Pa=np.full(t.size, p)
    ).time_fraction
    np.testing.assert_allclose(f2, f, rtol=1e-12)
    f_eplus = df["defrost_power_W"].to_numpy() / (0.769343 * 15000.0 / 1.01667)
    np.testing.assert_allclose(f, f_eplus, rtol=tol_pct / 100)
    # the humidity dependence (three hours at -1.1 degC) is reproduced, not just the level
    same_t = df["t_out_degC"].to_numpy() == -1.1
    ratio = f[same_t] / f[same_t][0]
    ratio_eplus = f_eplus[same_t] / f_eplus[same_t][0]
    np.testing.assert_allclose(ratio, ratio_eplus, rtol=0.02)


def test_factors_follow_published_equations():
    """On-demand: capacity 0.875(1-f), power 0.954(1-f) (EnergyPlus Engineering Reference)."""
    t = T0 + np.array([-15.0, -5.0, 0.0, 3.0])
    f = defrost_performance(t, 0.9)
    np.testing.assert_allclose(f.capacity_factor, 0.875 * (1 - f.time_fraction))
    np.testing.assert_allclose(f.power_factor, 0.954 * (1 - f.time_fraction))
    np.testing.assert_allclose(
        f.defrost_heat_fraction, 0.01 * f.time_fraction * (7.222 - (t - T0)) / 1.01667
    )


def test_timed_defrost():
    m = DefrostModel(control="timed", timed_fraction=0.058333)
    f = defrost_performance(T0 + np.array([-20.0, 0.0, 4.0]), 0.9, model=m)
    np.testing.assert_allclose(f.time_fraction, 0.058333)
    assert np.all(np.diff(f.capacity_factor) < 0)  # more frost in warmer, wetter air
    # dry cold air: humidity excess at its floor 1e-6 -> 0.909 - 107.33e-6, 0.90 - 36.45e-6
    cap, pw = defrost_factors(T0 - 20.0, 0.3, model=m)
    assert float(cap) == pytest.approx(0.909 - 107.33e-6, abs=1e-9)
    assert float(pw) == pytest.approx(0.90 - 36.45e-6, abs=1e-9)


def test_no_penalty_outside_band_and_for_none():
    cap, pw = defrost_factors(T0 + np.array([5.0, 10.0, 30.0]), 1.0)
    np.testing.assert_array_equal(cap, 1.0)
    np.testing.assert_array_equal(pw, 1.0)
    cap, pw = defrost_factors(T0 - 5.0, 0.9, model=DefrostModel(control="none"))
    assert float(cap) == 1.0 and float(pw) == 1.0


def test_bounds_and_monotonic_in_humidity():
    t = np.linspace(T0 - 25, T0 + 4.9, 60)
    for rh in (0.3, 0.7, 1.0):
        cap, pw = defrost_factors(t, rh)
        assert np.all((cap > 0) & (cap <= 1)) and np.all((pw > 0) & (pw <= 1))
    cap_dry, _ = defrost_factors(T0 + 1.0, 0.5)
    cap_wet, _ = defrost_factors(T0 + 1.0, 1.0)
    assert cap_wet < cap_dry


def test_vectorised_broadcast():
    t = T0 + np.array([[-5.0], [0.0]])
    rh = np.array([0.6, 0.8, 1.0])
    cap, pw = defrost_factors(t, rh)
    assert cap.shape == (2, 3) == pw.shape


def test_humidity_ratio_reference():
    """20 degC, 50 % RH, 101325 Pa: w = 0.00726 kg/kg (psychrometric chart / CoolProp)."""
    assert float(humidity_ratio(293.15, 0.5)) == pytest.approx(0.00726, rel=0.01)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"t_air_K": -5.0}, "kelvin"),
        ({"t_air_K": np.nan}, "finite"),
        ({"t_air_K": 270.0, "rh": 85.0}, "fraction"),
        ({"t_air_K": 270.0, "rh": -0.1}, "fraction"),
    ],
)
def test_bad_inputs(kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        defrost_factors(**kwargs)


def test_bad_pressure():
    with pytest.raises(ConfigurationError, match="hPa"):
        defrost_performance(270.0, 0.8, pressure_Pa=1013.25)


def test_bad_model():
    with pytest.raises(ConfigurationError, match="valid options"):
        DefrostModel(control="sometimes")
    with pytest.raises(ConfigurationError, match="rh_default"):
        DefrostModel(rh_default=85)

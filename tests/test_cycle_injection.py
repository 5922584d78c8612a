"""Vapour injection (economised compressor) and published compressor envelopes.

Physics checks (energy balances of the cycle and the economiser, COP below Carnot, more
capacity at a cold source), the cold-climate capability (-22 degC outdoor, 55 degC flow) and a
comparison with certified colder-climate units at -15 degC
(``tests/data/keymark_colder_m15/``, Heat Pump Keymark, see its SOURCE.md).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designopt.cycle import (
    Compressor,
    Status,
    default_air_water_design,
    performance_map,
    solve_arrays,
    solve_cooling_arrays,
    solve_operating_point,
)
from designopt.cycle.envelope import envelope, envelope_names
from designopt.errors import ConfigurationError, OperatingPointError

C0 = 273.15
DATA = Path(__file__).parent / "data"
ENERGY_BALANCE_TOL_W = 1e-6  # [W]
HEOS_REL_TOL = 2e-3  # tables vs direct HEOS flashes [1]


def _with(design, **compressor):
    return dataclasses.replace(
        design, compressor=dataclasses.replace(design.compressor, **compressor)
    )


def _scaled(design, factor: float, injection: str):
    """The design with compressor, exchangers and fan air flow scaled by ``factor``."""
    d = design
    return dataclasses.replace(
        d,
        compressor=dataclasses.replace(
            d.compressor, injection=injection, swept_volume_m3=d.compressor.swept_volume_m3 * factor
        ),
        evaporator=dataclasses.replace(d.evaporator, area_m2=d.evaporator.area_m2 * factor),
        condenser=dataclasses.replace(d.condenser, area_m2=d.condenser.area_m2 * factor),
        fan=dataclasses.replace(d.fan, air_flow_m3_s=d.fan.air_flow_m3_s * factor),
    )


@pytest.fixture(scope="module")
def unit():
    return default_air_water_design()


@pytest.fixture(scope="module")
def unit_vi(unit):
    return _with(unit, injection="vapour")


POINTS = [(7.0, 35.0, 1.0), (-7.0, 45.0, 1.2), (-15.0, 49.0, 0.8), (-22.0, 55.0, 1.2)]


@pytest.mark.parametrize("t_src,t_snk,speed", POINTS)
def test_energy_balances_close_and_cop_below_carnot(unit_vi, t_src, t_snk, speed):
    op = solve_operating_point(unit_vi, t_source_K=C0 + t_src, t_sink_out_K=C0 + t_snk, speed=speed)
    # cycle: Q_cond = Q_evap + P_comp
    residual = op.heat_output_W - op.evaporator_heat_W - op.compressor_power_W
    assert abs(residual) < ENERGY_BALANCE_TOL_W
    assert op.cop < op.cop_carnot
    # economiser: the heat the main liquid gives equals the heat the injected flow takes
    h3, h4 = op.states[2].h, op.states[3].h
    m, m_inj = op.mass_flow_kg_s, op.injection_mass_flow_kg_s
    assert op.economiser_heat_W == pytest.approx(m * (h3 - h4), rel=1e-12)
    r = solve_arrays(unit_vi, C0 + t_src, C0 + t_snk, speed)
    h6 = float(r["h_injection"])
    assert m_inj * (h6 - h4) == pytest.approx(op.economiser_heat_W, rel=1e-9)
    # the evaporator takes the suction flow only
    m_suc = m - m_inj
    assert op.evaporator_heat_W == pytest.approx(m_suc * (op.states[0].h - h4), rel=1e-9)
    # intermediate pressure between the two, geometric mean by default
    assert op.p_intermediate_Pa == pytest.approx(math.sqrt(op.p_evap_Pa * op.p_cond_Pa))
    assert 0.0 <= m_inj < m


def test_injection_raises_capacity_at_a_cold_source(unit, unit_vi):
    for t_src, t_snk, gain in ((-15.0, 49.0, 1.12), (-10.0, 45.0, 1.1), (-7.0, 35.0, 1.05)):
        kw = dict(t_source_K=C0 + t_src, t_sink_out_K=C0 + t_snk, speed=1.0)
        base, vi = solve_operating_point(unit, **kw), solve_operating_point(unit_vi, **kw)
        assert vi.heat_output_W > gain * base.heat_output_W
        assert vi.t_discharge_K < base.t_discharge_K  # the injected vapour cools the gas
        assert vi.injection_mass_flow_kg_s > 0.0
    # the injected share grows with the lift
    fr = [
        (op.injection_mass_flow_kg_s / op.mass_flow_kg_s)
        for op in (
            solve_operating_point(unit_vi, t_source_K=C0 + t, t_sink_out_K=C0 + 45.0)
            for t in (7.0, -7.0, -15.0)
        )
    ]
    assert fr[0] < fr[1] < fr[2]


def test_colder_design_point_heat_with_injection_only(unit, unit_vi):
    """-22 degC outdoor air, 55 degC flow (EN 14825 colder climate, medium temperature): the
    single-stage compressor exceeds the pressure-ratio rule, the economised one delivers."""
    kw = dict(t_source_K=C0 - 22.0, t_sink_out_K=C0 + 55.0, speed=1.2)
    with pytest.raises(OperatingPointError, match="pressure ratio .* exceeds the limit"):
        solve_operating_point(unit, **kw)
    op = solve_operating_point(unit_vi, **kw)
    assert op.heat_output_W > 3000.0
    assert op.t_discharge_K < unit_vi.compressor.discharge_temperature_max_K
    assert op.pressure_ratio > unit_vi.compressor.pressure_ratio_max  # overall ratio above 10
    ds = performance_map(unit_vi, [C0 - 22.0], [C0 + 55.0], [0.6, 1.2])
    assert (ds.status.values == 0).all()
    assert (ds.injection_mass_flow.values > 0).all()


def test_tables_match_direct_heos(unit_vi):
    kw = dict(t_source_K=C0 - 15.0, t_sink_out_K=C0 + 49.0, speed=1.0)
    a = solve_operating_point(unit_vi, **kw)
    b = solve_operating_point(unit_vi, backend="HEOS", **kw)
    for name in ("heat_output_W", "cop", "injection_mass_flow_kg_s", "t_discharge_K"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=HEOS_REL_TOL), name


def test_non_injection_map_has_no_injection_variables(unit, unit_vi):
    ds = performance_map(unit, [C0], [C0 + 35.0], [1.0])
    assert "injection_mass_flow" not in ds
    dv = performance_map(unit_vi, [C0], [C0 + 35.0], [1.0])
    for name in ("injection_mass_flow", "p_intermediate", "economiser_heat"):
        assert dv[name].attrs["units"] and dv[name].attrs["long_name"]
    assert dv.attrs["design_hash"] != ds.attrs["design_hash"]


# -- comparison with certified units --------------------------------------------------------


def _declared_point_g(design, application_degC: int):
    """EN 14825 colder climate: Prated = capacity at -22 degC and the application's flow at
    maximum speed (defrost included); at point G (-15 degC, flow 32 / 49 degC) the load is
    0.816 Prated, the unit runs at the speed that meets it (defrost included, at maximum speed
    if it cannot); returns (Prated, Pdh, COPd) [W, W, 1]."""
    from designopt.seasonal.climates import reference_season
    from designopt.seasonal.defrost import defrost_factors

    season = reference_season("colder")
    flow_g = float(season.flow_temperature_K(C0 - 15.0, application_degC))
    speeds = np.linspace(design.compressor.speed_min, design.compressor.speed_max, 40)
    ds = performance_map(design, [C0 - 22.0, C0 - 15.0], [flow_g, C0 + application_degC], speeds)
    q22 = ds.heat_output.values[0, 1]
    if not np.isfinite(q22).any():
        return math.nan, math.nan, math.nan
    rh = 0.8  # the defrost factors are at their dry-air floor below about -10 degC
    fq22, _ = defrost_factors(C0 - 22.0, rh)
    prated = float(np.nanmax(q22) * fq22)
    fq, fp = defrost_factors(C0 - 15.0, rh)
    q = ds.heat_output.values[1, 0] * float(fq)
    cop = ds.cop.values[1, 0] * float(fq / fp)
    load = float(season.part_load(C0 - 15.0)) * prated
    if np.nanmax(q) >= load:
        s = float(np.interp(load, q, speeds))
        return prated, load, float(np.interp(s, speeds, cop))
    return prated, float(np.nanmax(q)), float(cop[-1])


#: Largest COP gain of vapour injection over the single-stage cycle at -15 degC outdoor air
#: and equal heat output [1].  Measured gains of injection cycles at -10 to -18 degC: up to
#: 3.5 % (variable-speed twin rotary, R410A; Int. J. Refrig. 2016, daneshyari.com/en/article/
#: 790062), -1.4 to +7 % at part load (flash-tank injection, ACRA 2016, Korea University), at
#: most 11 % (R32) and 18 % (R410A) at -18 degC with the optimum injection ratio.
INJECTION_COP_GAIN_MAX = 0.15


def _cop_at_heat(design, t_src_degC, t_snk_degC, heat_W):
    speeds = np.linspace(design.compressor.speed_min, design.compressor.speed_max, 60)
    ds = performance_map(design, [C0 + t_src_degC], [C0 + t_snk_degC], speeds)
    q, cop = ds.heat_output.values.ravel(), ds.cop.values.ravel()
    assert np.nanmax(q) >= heat_W
    return float(np.interp(heat_W, q, cop))


@pytest.mark.parametrize("t_snk_degC", [32.0, 49.0])
def test_injection_cop_gain_at_minus_15_is_that_of_measured_units(unit, t_snk_degC):
    """The economised compressor keeps the losses of one compressor at the overall pressure
    ratio: at -15 degC and equal heat output injection gains 8 % (32 degC) and 11 % (49 degC)
    COP over the single-stage unit, not the 18 % and 30 % of stages rated as two
    compressors (the model before, optimistic against certified units)."""
    vi, none = _scaled(unit, 2.0, "vapour"), _scaled(unit, 2.0, "none")
    gain = _cop_at_heat(vi, -15.0, t_snk_degC, 7e3) / _cop_at_heat(none, -15.0, t_snk_degC, 7e3) - 1
    assert 0.0 < gain <= INJECTION_COP_GAIN_MAX


@pytest.mark.parametrize("application_degC", [35, 55])
def test_injection_designs_land_in_keymark_colder_spread(unit, application_degC):
    """Pdh and COPd at -15 degC of R290 vapour-injection designs of 7-12 kW Prated against
    the certified 6-14 kW colder-climate air/water units.  55 degC: inside min-max of the
    units within 2 kW of the design's Prated (the model before exceeded it: 2.59 against
    2.23 at 9.3 kW).  35 degC: inside min-max of all 268 units; the model stays above their
    95th percentile like the single-stage unit (docs/cycle.md)."""
    ref = pd.read_csv(DATA / "keymark_colder_m15" / "keymark_colder_m15_6to14kW.csv")
    ref = ref[ref.application_C == application_degC]
    assert len(ref) > 200
    for factor in (1.6, 2.0, 2.3):  # Prated about 7.4-8.4, 9.2-10.4 and 10.6-11.9 kW
        prated, pdh, copd = _declared_point_g(_scaled(unit, factor, "vapour"), application_degC)
        assert 6e3 <= prated <= 14e3, (factor, prated)
        band = ref[(ref.Prated_kW - prated / 1e3).abs() <= 2.0]
        assert len(band) > 50
        assert band.Pdh_m15_kW.min() <= pdh / 1e3 <= band.Pdh_m15_kW.max(), (factor, pdh)
        spread = band if application_degC == 55 else ref
        assert spread.COPd_m15.min() <= copd <= spread.COPd_m15.max(), (factor, copd)
        # without injection the same unit declares no Prated at 55 degC (no heat at -22 degC)
        if application_degC == 55:
            assert math.isnan(_declared_point_g(_scaled(unit, factor, "none"), 55)[0])


def test_discharge_control_by_wet_injection(unit_vi):
    """-22 degC / 55 degC: the discharge would exceed the 130 degC limit with superheated
    injection; the controlled injection turns wet (quality above the minimum) and holds the
    discharge just below the limit; without wet injection the point fails."""
    t_src, t_snk, speeds = C0 - 22.0, C0 + 55.0, np.array([0.6, 0.9, 1.2])
    r = solve_arrays(unit_vi, t_src, t_snk, speeds)
    comp = unit_vi.compressor
    assert (r["status"] == Status.OK).all()
    assert (r["t_discharge"] <= comp.discharge_limit_K).all()
    assert np.allclose(r["t_discharge"], comp.discharge_limit_K - 0.5, atol=0.05)
    q = r["injection_quality"]
    assert ((q >= comp.wet_injection_quality_min) & (q < 1.0)).all()
    dry = _with(unit_vi, wet_injection_quality_min=1.0)
    r_dry = solve_arrays(dry, t_src, t_snk, speeds)
    assert (r_dry["status"] == Status.DISCHARGE_TEMPERATURE_ABOVE_LIMIT).all()
    # at a mild point the control is idle: superheated injection
    mild = solve_arrays(unit_vi, C0 - 7.0, C0 + 45.0, 1.0)
    assert float(mild["injection_quality"]) == 1.0


# -- envelopes -------------------------------------------------------------------------------


def test_envelope_polygon():
    env = envelope("highly_whp13300")
    assert "highly_whp13300" in envelope_names()
    te = C0 + np.array([0.0, -35.0, -20.0, -40.0, 0.0, 20.0, np.nan])
    tc = C0 + np.array([50.0, 40.0, 75.0, 40.0, 85.0, 10.0, 50.0])
    # inside, on the lower edge, above the P5-P6 edge, too cold, too hot, below P2-P3, NaN
    assert env.contains(te, tc).tolist() == [True, True, False, False, False, False, False]
    assert env.discharge_temperature_max_K == pytest.approx(C0 + 110.0)
    with pytest.raises(ConfigurationError, match="envelope 'nope' is unknown; valid"):
        envelope("nope")


def test_published_envelope_replaces_the_pressure_ratio_rule(unit):
    d = _with(unit, envelope="highly_whp13300")
    assert d.compressor.discharge_limit_K == pytest.approx(C0 + 110.0)
    # A45/W50: evaporating near 29 degC, above the envelope's top edge (25 degC)
    r = solve_arrays(d, C0 + np.array([7.0, 45.0]), C0 + np.array([35.0, 50.0]), 1.0)
    assert r["status"].tolist() == [Status.OK, Status.OUTSIDE_COMPRESSOR_ENVELOPE]
    with pytest.raises(OperatingPointError, match="outside the compressor envelope"):
        solve_operating_point(d, t_source_K=C0 + 45.0, t_sink_out_K=C0 + 50.0)
    # the same point without the envelope is fine (pressure ratio far below 10)
    assert solve_arrays(unit, C0 + 45.0, C0 + 50.0, 1.0)["status"] == Status.OK


# -- inputs ----------------------------------------------------------------------------------


def test_bad_injection_inputs(unit, unit_vi):
    with pytest.raises(ConfigurationError, match="injection='wet' is unknown; valid"):
        Compressor(swept_volume_m3=3e-5, injection="wet")
    with pytest.raises(ConfigurationError, match="economiser_approach_K=2.0 must not be below"):
        Compressor(swept_volume_m3=3e-5, injection="vapour", economiser_approach_K=2.0)
    with pytest.raises(
        ConfigurationError, match=r"wet_injection_quality_min=0.2 must be a number in \[0.5, 1.0\]"
    ):
        Compressor(swept_volume_m3=3e-5, injection="vapour", wet_injection_quality_min=0.2)
    with pytest.raises(ConfigurationError, match="compressor envelope 'x' is unknown"):
        Compressor(swept_volume_m3=3e-5, envelope="x")
    with pytest.raises(ConfigurationError, match="not modelled for transcritical R744"):
        _with(default_air_water_design(refrigerant="R744"), injection="vapour")
    with pytest.raises(ConfigurationError, match="cooling mode is not modelled with vapour"):
        solve_cooling_arrays(unit_vi, C0 + 35.0, C0 + 7.0, 1.0)


def test_design_variable_selects_injection():
    from designopt.case import case_from_mapping, check_variable_value
    from designopt.evaluate.designs import heat_pump_design, resolve

    case = case_from_mapping(
        {
            "name": "cold",
            "building": {"design_heat_load_kW": 10.0},
            "source": {"type": "air"},
            "optimisation": {"constraints": ["capacity"]},
        }
    )
    values = resolve({"compressor_injection": "vapour"}, case)
    assert heat_pump_design(values, case).compressor.vapour_injection
    assert not heat_pump_design(resolve({}, case), case).compressor.vapour_injection
    with pytest.raises(ConfigurationError, match="is not a compressor injection; valid"):
        check_variable_value("compressor_injection", "liquid", "space.compressor_injection")

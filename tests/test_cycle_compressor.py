"""Compressor: default efficiency map and the AHRI 540 10-coefficient polynomial."""

import dataclasses

import numpy as np
import pytest

from designopt import properties as pr
from designopt.cycle import AHRI540Map, Compressor, default_air_water_design, solve_operating_point
from designopt.cycle.compressor import default_eta_is, default_eta_vol
from designopt.errors import ConfigurationError

LB = 0.45359237  # kg per lb (exact)


def _coeffs(**nonzero):
    c = [0.0] * 10
    for k, v in nonzero.items():
        c[int(k[1:]) - 1] = v
    return tuple(c)


def test_ahri540_units_and_terms():
    """X = C1 + C2 S + C3 D + ... with S, D in degF, mass flow in lb/h, power in W."""
    t0 = 273.15  # 32 degF
    t1 = 310.9277777777778  # 100 degF
    m = AHRI540Map(mass_flow_coefficients=_coeffs(c1=3600.0), power_coefficients=_coeffs(c1=1000.0))
    assert m.mass_flow(t0, t1) == pytest.approx(LB)  # 3600 lb/h = 1 lb/s
    assert m.power(t0, t1) == pytest.approx(1000.0)
    m = AHRI540Map(mass_flow_coefficients=_coeffs(c2=1.0), power_coefficients=_coeffs(c3=1.0))
    assert m.mass_flow(t0, t1) * 3600 / LB == pytest.approx(32.0)
    assert m.power(t0, t1) == pytest.approx(100.0)
    m = AHRI540Map(mass_flow_coefficients=_coeffs(c8=1.0), power_coefficients=_coeffs(c9=1.0))
    assert m.mass_flow(t0, t1) * 3600 / LB == pytest.approx(100.0 * 32.0**2)  # C8 D S^2
    assert m.power(t0, t1) == pytest.approx(32.0 * 100.0**2)  # C9 S D^2


def test_ahri540_validation():
    with pytest.raises(ConfigurationError, match=r"must be 10 finite numbers"):
        AHRI540Map(mass_flow_coefficients=(1.0, 2.0), power_coefficients=_coeffs(c1=1.0))


def test_default_efficiencies_follow_the_cited_forms():
    # Brunin et al. (1997): eta_is = 0.85 - 0.046667 pi; clearance model for eta_vol
    assert float(default_eta_is(3.0)) == pytest.approx(0.85 - 0.046667 * 3.0)
    assert float(default_eta_is(20.0)) == 0.3
    assert float(default_eta_vol(1.0)) == pytest.approx(0.97)
    assert float(default_eta_vol(4.0)) == pytest.approx(0.97 * (1 - 0.04 * (4.0 ** (1 / 1.1) - 1)))
    assert np.all(np.diff(default_eta_vol(np.linspace(1.5, 10, 20))) < 0)


def _reference_compressor_point(comp: Compressor, fluid: str, te: float, tc: float, sh: float):
    """Mass flow [kg/s] and power [W] of the default map from direct CoolProp flashes."""
    pe = pr.saturation_pressure(fluid, te)
    pc = pr.saturation_pressure(fluid, tc)
    s1 = pr.state_pt(fluid, p=pe, T=te + sh, phase="gas")
    h2s = pr.state_ps(fluid, p=pc, s=s1.s).h
    pi = pc / pe
    m = float(comp.eta_vol(pi)) * s1.rho * comp.displacement_m3_s
    return m, m * (h2s - s1.h) / float(comp.eta_is(pi))


def test_ahri540_map_fitted_to_default_model_reproduces_it():
    """Fit the 10 coefficients to the default map (least squares, degF / lb/h / W) and check that
    the design solved with the AHRI map agrees with the design solved with the default map."""
    unit = default_air_water_design()
    comp, sh = unit.compressor, unit.superheat_K
    te = np.linspace(253.15, 288.15, 8)
    tc = np.linspace(298.15, 338.15, 8)
    rows, mf, pw = [], [], []
    for a in te:
        for b in tc:
            m, p = _reference_compressor_point(comp, "Propane", a, b, sh)
            S, D = (a - 273.15) * 1.8 + 32, (b - 273.15) * 1.8 + 32
            rows.append([1, S, D, S * S, S * D, D * D, S**3, D * S * S, S * D * D, D**3])
            mf.append(m * 3600 / LB)
            pw.append(p)
    A = np.array(rows)
    cm = np.linalg.lstsq(A, np.array(mf), rcond=None)[0]
    cp = np.linalg.lstsq(A, np.array(pw), rcond=None)[0]
    amap = AHRI540Map(
        mass_flow_coefficients=tuple(cm), power_coefficients=tuple(cp), rated_superheat_K=sh
    )
    ahri_unit = dataclasses.replace(unit, compressor=dataclasses.replace(comp, ahri540=amap))
    tol_pct = 1.0
    for ts, tk, speed in [(280.15, 308.15, 1.0), (268.15, 318.15, 0.7), (275.15, 328.15, 0.5)]:
        a = solve_operating_point(unit, t_source_K=ts, t_sink_out_K=tk, speed=speed)
        b = solve_operating_point(ahri_unit, t_source_K=ts, t_sink_out_K=tk, speed=speed)
        assert b.heat_output_W == pytest.approx(a.heat_output_W, rel=tol_pct / 100)
        assert b.cop == pytest.approx(a.cop, rel=tol_pct / 100)
        assert b.heat_output_W == pytest.approx(
            b.evaporator_heat_W + b.compressor_power_W, rel=1e-9
        )

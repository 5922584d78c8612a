"""AHRI 210/240-2023 HSPF2 against a hand calculation with independent arithmetic."""

import numpy as np
import pytest

from designopt.errors import ConfigurationError
from designopt.seasonal.ahri import hspf2, hspf2_from_map, region

TOL_REL = 1e-9  # same arithmetic, different code path [1]


def test_region_iv_table():
    """AHRI 210/240-2023 Table 14, region IV: design 5 °F, zero load 55 °F, raw sum 0.757."""
    r = region(4)
    assert (r.t_design_K - 273.15) * 9 / 5 + 32 == pytest.approx(5.0)
    assert (r.t_zero_load_K - 273.15) * 9 / 5 + 32 == pytest.approx(55.0)
    assert r.raw_fraction_sum == pytest.approx(0.757)
    assert r.fraction.sum() == pytest.approx(1.0)
    assert r.fraction[0] == pytest.approx(0.103 / 0.757)
    t_degF = (r.t_bin_K - 273.15) * 9 / 5 + 32
    np.testing.assert_allclose(t_degF, np.arange(52, -9, -5))
    for n in range(1, 7):
        assert region(n).fraction.sum() == pytest.approx(1.0)
    with pytest.raises(ConfigurationError, match="region=7.*valid options"):
        region(7)


def test_single_stage_hand_calculation():
    """A single-speed unit (kBtu/h and W like a data sheet), region IV, Cd 0.25, C 1.15.

    Independent arithmetic in °F and Btu/h following AHRI 210/240-2023 11.2.2.1.
    """
    btu = 3.412141633  # Btu/h per W
    q47, q35, q17 = 36000.0, 25000.0, 21000.0  # Btu/h
    p47, p35, p17 = 3000.0, 2800.0, 2500.0  # W
    bins = [52, 47, 42, 37, 32, 27, 22, 17, 12, 7, 2, -3, -8]
    frac = [0.103, 0.093, 0.1, 0.109, 0.126, 0.087, 0.055, 0.036, 0.026, 0.013, 0.006, 0.002,
            0.001]  # fmt: skip
    total = sum(frac)
    num = den = 0.0
    for tj, nj in zip(bins, frac, strict=True):
        n = nj / total
        bl = (55 - tj) / (55 - 5) * 1.15 * q47
        if 17 < tj < 45:
            q = q17 + (q35 - q17) * (tj - 17) / (35 - 17)
            p = p17 + (p35 - p17) * (tj - 17) / (35 - 17)
        else:
            q = q17 + (q47 - q17) * (tj - 17) / (47 - 17)
            p = p17 + (p47 - p17) * (tj - 17) / (47 - 17)
        x = min(bl / q, 1.0)
        plf = 1 - 0.25 * (1 - x)
        e = x * p / plf * n  # W
        rh = (bl - x * q) / btu * n  # W
        num += bl * n  # Btu/h
        den += e + rh
    expect = num / den
    r = hspf2(q47_W=q47 / btu, p47_W=p47, q35_W=q35 / btu, p35_W=p35, q17_W=q17 / btu, p17_W=p17)
    assert r.hspf2 == pytest.approx(expect, rel=TOL_REL)
    assert r.scop_W_per_W == pytest.approx(expect / btu, rel=TOL_REL)
    # plausibility: a unit with COP47 = 3.5 gives HSPF2 about 7-8 Btu/Wh in region IV
    assert 6.0 < r.hspf2 < 9.0


def test_regions_and_cd_order():
    kw = dict(q47_W=10e3, p47_W=3e3, q35_W=7.5e3, p35_W=2.8e3, q17_W=6e3, p17_W=2.6e3)
    assert hspf2(**kw, region_number=5).hspf2 < hspf2(**kw, region_number=4).hspf2
    assert hspf2(**kw, region_number=4).hspf2 < hspf2(**kw, region_number=1).hspf2
    assert hspf2(**kw, cd=0.0).hspf2 > hspf2(**kw).hspf2
    with pytest.raises(ConfigurationError, match="cd=1.5"):
        hspf2(**kw, cd=1.5)
    with pytest.raises(ConfigurationError, match="q17_W=-1"):
        hspf2(**{**kw, "q17_W": -1.0})
    with pytest.raises(ConfigurationError, match="all six minimum-speed"):
        hspf2(**kw, q47_min_W=3e3)


def test_slope_factor_depends_on_region():
    """AHRI 210/240-2023 Table 14 (as transcribed in EnergyPlus StandardRatings.cc,
    ``SpeedLoadFactor`` / ``VariableSpeedLoadFactor``; also 10 CFR 430 Subpart B Appendix M1):
    the load-line slope factor C is 1.10, 1.06, 1.30, 1.15, 1.16, 1.11 for regions I-VI and
    Cvs = 1.03, 0.99, 1.21, 1.07, 1.08, 1.03 for variable-speed units."""
    c = [1.10, 1.06, 1.30, 1.15, 1.16, 1.11]
    c_vs = [1.03, 0.99, 1.21, 1.07, 1.08, 1.03]
    kw = dict(q47_W=10e3, p47_W=3e3, q35_W=7.5e3, p35_W=2.8e3, q17_W=6e3, p17_W=2.6e3)
    for n in range(1, 7):
        r = hspf2(**kw, region_number=n)
        assert r.design_load_W == pytest.approx(c[n - 1] * 10e3, rel=TOL_REL)
        # an explicit factor still wins
        assert hspf2(**kw, region_number=n, slope_factor=1.2).design_load_W == pytest.approx(12e3)
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_seasonal_en14825 import bilinear_map

    ds = bilinear_map()
    for n in (1, 3, 5):
        for variable, table in ((True, c_vs), (False, c)):
            r = hspf2_from_map(ds, region_number=n, variable_speed=variable, defrost=None)
            q47 = r.capacity_W[np.argmin(np.abs(r.t_bin_K - (47 - 32) * 5 / 9 - 273.15))]
            assert r.design_load_W == pytest.approx(table[n - 1] * q47, rel=1e-6)


def test_variable_speed_not_worse_than_single_stage():
    kw = dict(q47_W=10e3, p47_W=3e3, q35_W=7.5e3, p35_W=2.8e3, q17_W=6e3, p17_W=2.6e3)
    mins = dict(q47_min_W=3e3, p47_min_W=0.75e3, q35_min_W=2.4e3, p35_min_W=0.75e3,
                q17_min_W=1.9e3, p17_min_W=0.7e3)  # fmt: skip
    single = hspf2(**kw)
    var = hspf2(**kw, **mins)
    assert var.hspf2 > single.hspf2


def test_from_map_uses_defrost_at_h2():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_seasonal_en14825 import bilinear_map

    ds = bilinear_map()
    clean = hspf2_from_map(ds, defrost=None)
    frosted = hspf2_from_map(ds)
    assert frosted.hspf2 < clean.hspf2
    with pytest.raises(ConfigurationError, match="air-source"):
        hspf2_from_map(bilinear_map(source_type="ground"))


# ------------------------------------------------------------------------------------------
# SEER2 (AHRI 210/240-2023, 11.2.1)
# ------------------------------------------------------------------------------------------
from designopt.seasonal.ahri import seer2, seer2_from_map  # noqa: E402

BTU_H_PER_W = 3.412141633


def test_seer2_bins_and_load_line():
    """Table 17: eight bins 67-102 °F summing to 1; BL = (T - 65)/30 · Q_A / 1.1."""
    r = seer2(qa_W=9000.0, pa_W=3000.0, qb_W=10000.0, pb_W=2600.0)
    t_degF = (r.t_bin_K - 273.15) * 9 / 5 + 32
    np.testing.assert_allclose(t_degF, [67, 72, 77, 82, 87, 92, 97, 102])
    assert r.fraction.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(r.load_W, (t_degF - 65) / 30 * 9000.0 / 1.1)
    assert r.design_load_W == pytest.approx(9000.0 / 1.1)


def test_seer2_single_stage_hand_calculation():
    """Single stage: SEER2 = PLF(0.5)·EER_B = (1 - 0.5·Cd)·Q_B/P_B (eq. 11.55/11.56).

    A 3-ton unit: 36,000 Btu/h at B with 2,700 W -> EER_B 13.33 Btu/Wh; Cd 0.25 -> 11.67.
    """
    q_b_btu, p_b = 36000.0, 2700.0
    r = seer2(
        qa_W=33000.0 / BTU_H_PER_W, pa_W=3100.0, qb_W=q_b_btu / BTU_H_PER_W, pb_W=p_b, cd=0.25
    )
    assert r.seer2 == pytest.approx(0.875 * q_b_btu / p_b, rel=TOL_REL)
    assert not r.variable_speed
    assert r.eer2_a == pytest.approx(33000.0 / 3100.0, rel=TOL_REL)
    r0 = seer2(qa_W=33000.0 / BTU_H_PER_W, pa_W=3100.0, qb_W=q_b_btu / BTU_H_PER_W, pb_W=p_b, cd=0)
    assert r0.seer2 == pytest.approx(q_b_btu / p_b, rel=TOL_REL)


def test_seer2_variable_speed_hand_calculation():
    """Variable speed, independent arithmetic per bin in °F and Btu/h (11.2.1.3 with the
    documented simplification: EER linear in capacity between minimum and full speed)."""
    qa, pa, qb, pb = 36000.0, 3000.0, 39000.0, 2700.0  # Btu/h, W (full speed)
    qbl, pbl, qfl, pfl = 13000.0, 650.0, 14500.0, 560.0  # Btu/h, W (minimum speed)
    cd = 0.25
    bins = [67, 72, 77, 82, 87, 92, 97, 102]
    frac = [0.214, 0.231, 0.216, 0.161, 0.104, 0.052, 0.018, 0.004]
    num = den = 0.0
    for t, n in zip(bins, frac, strict=True):
        bl = (t - 65.0) / (95.0 - 65.0) * qa / 1.1
        q_full = qb + (qa - qb) * (t - 82.0) / (95.0 - 82.0)
        p_full = pb + (pa - pb) * (t - 82.0) / (95.0 - 82.0)
        q_low = qfl + (qbl - qfl) * (t - 67.0) / (82.0 - 67.0)
        p_low = pfl + (pbl - pfl) * (t - 67.0) / (82.0 - 67.0)
        if bl <= q_low:
            clf = bl / q_low
            q, e = clf * q_low, clf * p_low / (1 - cd * (1 - clf))
        elif bl < q_full:
            eer_low, eer_full = q_low / p_low, q_full / p_full
            eer = eer_low + (eer_full - eer_low) * (bl - q_low) / (q_full - q_low)
            q, e = bl, bl / eer
        else:
            q, e = q_full, p_full
        num += n * q
        den += n * e
    r = seer2(
        qa_W=qa / BTU_H_PER_W, pa_W=pa, qb_W=qb / BTU_H_PER_W, pb_W=pb, cd=cd,
        qb_min_W=qbl / BTU_H_PER_W, pb_min_W=pbl, qf_min_W=qfl / BTU_H_PER_W, pf_min_W=pfl,
    )  # fmt: skip
    assert r.variable_speed
    assert r.seer2 == pytest.approx(num / den, rel=TOL_REL)
    # the three regimes all occur: cycling at 67 °F, modulating in between, full at 102 °F
    assert r.plf[0] < 1.0 and r.plf[3] == 1.0
    assert r.delivered_W[-1] == pytest.approx(r.capacity_W[-1])


def test_seer2_bad_input():
    kw = dict(qa_W=9000.0, pa_W=3000.0, qb_W=10000.0, pb_W=2600.0)
    with pytest.raises(ConfigurationError, match="give all four minimum-speed values"):
        seer2(**kw, qb_min_W=3000.0)
    with pytest.raises(ConfigurationError, match=r"cd=1.5 must be in \[0, 1\]"):
        seer2(**kw, cd=1.5)
    with pytest.raises(ConfigurationError, match="pa_W=-1.0 must be finite and > 0"):
        seer2(**(kw | {"pa_W": -1.0}))


@pytest.fixture(scope="module")
def cooling_map_default():
    from designopt.cycle import cooling_map, default_air_water_design

    t = np.arange(15.0, 41.0, 2.5) + 273.15
    return cooling_map(
        default_air_water_design(), t, np.array([5.0, 7.0, 12.0]) + 273.15,
        np.linspace(0.25, 1.2, 5),
    )  # fmt: skip


def test_seer2_from_cooling_map(cooling_map_default):
    """The default 8 kW R290 design: SEER2 between its full-load EER at A and the best
    minimum-speed EER; modulation beats on/off cycling; the A point matches the map."""
    vs = seer2_from_map(cooling_map_default)
    ss = seer2_from_map(cooling_map_default, variable_speed=False)
    a = cooling_map_default.isel(speed=-1).interp(t_outdoor=308.15, t_chilled=280.15)
    assert vs.eer2_a == pytest.approx(float(a.eer) * BTU_H_PER_W, rel=1e-9)
    assert vs.seer_W_per_W > float(a.eer)
    assert vs.seer_W_per_W < np.nanmax(vs.capacity_min_W / vs.power_min_W)
    assert vs.seer2 > ss.seer2
    assert vs.seer2 > seer2_from_map(cooling_map_default, t_chilled_K=278.15).seer2


def test_seer2_from_map_errors(cooling_map_default):
    from designopt.cycle import default_air_water_design, performance_map

    heat = performance_map(default_air_water_design(), [270.0, 280.0], [300.0, 310.0], [1.0])
    with pytest.raises(ConfigurationError, match="needs a cooling map"):
        seer2_from_map(heat)
    with pytest.raises(ConfigurationError, match="must cover the AHRI test temperatures"):
        seer2_from_map(cooling_map_default, t_chilled_K=290.0)
    short = cooling_map_default.sel(t_outdoor=slice(290.0, 305.0))
    with pytest.raises(ConfigurationError, match="must cover the AHRI test temperatures"):
        seer2_from_map(short)

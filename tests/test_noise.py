"""Tests of designopt.noise: propagation methods, receivers, sound power, quiet mode, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designopt.cli import main
from designopt.errors import ConfigurationError
from designopt.noise import (
    BARRIER_ATTENUATION_DB,
    Barrier,
    Receiver,
    combine_levels,
    compressor_sound_power,
    fan_sound_power,
    iso9613_barrier_attenuation,
    outdoor_unit_sound_power,
    point_source_level,
    quiet_mode_speed_ratio,
    receiver_levels,
    sound_pressure_level,
    typical_outdoor_unit,
)

DATA = Path(__file__).parent / "data"


# --------------------------------------------------------------------------- propagation
@pytest.mark.parametrize(
    "row", pd.read_csv(DATA / "noise_mcs_examples.csv", comment="#").to_dict("records")
)
def test_mcs020a_worked_examples(row):
    r = sound_pressure_level(
        lwa_dBA=row["lwa_dBA"],
        distance_m=row["distance_m"],
        reflecting_surfaces=row["reflecting_surfaces"],
        barrier=row["barrier"],
        method=row["method"],
    )
    assert float(r["level_dBA"]) == row["expected_level_dBA"]  # rounded to 0.1 dB: exact
    assert float(r["margin_dB"]) == pytest.approx(row["expected_margin_dB"], abs=1e-9)
    assert float(r["limit_dBA"]) == 37.0


def test_iso9613_divergence_term():
    # ISO 9613-2 A_div = 20 lg d + 11 dB: a free-field (Q = 1) source at 1 m is 11 dB below L_W
    tol_dB = 1e-9
    assert float(point_source_level(80.0, 1.0, 0)) == pytest.approx(80.0 - 10.99, abs=0.01)
    d = np.array([1.0, 2.0, 4.0, 8.0])
    lp = point_source_level(80.0, d, 0)
    np.testing.assert_allclose(np.diff(lp), -20 * np.log10(2), atol=tol_dB)  # -6.02 dB/doubling
    # each reflecting surface adds 10 lg 2 = 3.01 dB
    q = point_source_level(80.0, 5.0, np.array([0, 1, 2, 3]))
    np.testing.assert_allclose(np.diff(q), 10 * np.log10(2), atol=tol_dB)


def test_iso9613_air_absorption_and_barrier():
    base = float(point_source_level(70.0, 100.0, 1))
    with_air = float(point_source_level(70.0, 100.0, 1, air_absorption_dB_per_m=0.0019))
    assert base - with_air == pytest.approx(0.19)
    # D_z = 10 lg(3 + 20 z / lambda), lambda = 343/500 m; capped at 20 dB; 0 without screening
    z = 0.2
    assert float(iso9613_barrier_attenuation(z)) == pytest.approx(10 * np.log10(3 + 20 * z / 0.686))
    assert float(iso9613_barrier_attenuation(50.0)) == 20.0
    assert float(iso9613_barrier_attenuation(0.0)) == 0.0


def test_mcs_barrier_table():
    assert BARRIER_ATTENUATION_DB[Barrier.SOLID_NO_VIEW] == 10.0
    assert BARRIER_ATTENUATION_DB[Barrier.SOLID_PARTIAL_VIEW] == 5.0
    assert BARRIER_ATTENUATION_DB[Barrier.THIN_NO_VIEW] == 5.0
    assert BARRIER_ATTENUATION_DB[Barrier.THIN_PARTIAL_VIEW] == 2.5
    assert BARRIER_ATTENUATION_DB[Barrier.SOLID_FULL_VIEW] == 0.0
    # a barrier lowers the level (the printed formula's sign error is not reproduced)
    a = sound_pressure_level(lwa_dBA=60, distance_m=5, reflecting_surfaces=2, barrier="none")
    b = sound_pressure_level(
        lwa_dBA=60, distance_m=5, reflecting_surfaces=2, barrier="solid-no-view"
    )
    assert float(b["level_dBA"]) == pytest.approx(float(a["level_dBA"]) - 10.0)


def test_mcs020a_rounds_half_up_to_0p1():
    # choose L_WA so that the exact level is 37.05 (Q = 4, 10 m): half-up gives 37.1 (fails)
    lwa = 37.05 - 10 * np.log10(4 / (4 * np.pi * 100))
    r = sound_pressure_level(lwa_dBA=lwa, distance_m=10, reflecting_surfaces=2)
    assert float(r["heat_pump_level_dBA"]) == pytest.approx(37.05, abs=1e-6)
    assert float(r["level_dBA"]) == 37.1
    assert float(r["margin_dB"]) == pytest.approx(0.1)


def test_legacy_mcs020_background():
    # the legacy rule: 40 dB(A) background + heat pump <= 42.0 dB(A), i.e. about 37.7 dB(A)
    # from the heat pump alone (REFERENCE: "≈ 37.7 dB(A)")
    hp_alone = 10 * np.log10(10**4.2 - 10**4.0)
    assert hp_alone == pytest.approx(37.7, abs=0.05)
    lwa = 37.7 + 24.9715  # Q = 4, 10 m
    r = sound_pressure_level(lwa_dBA=lwa, distance_m=10, reflecting_surfaces=2, method="mcs020")
    assert float(r["level_dBA"]) == 42.0 and float(r["margin_dB"]) <= 0
    r2 = sound_pressure_level(
        lwa_dBA=lwa + 1, distance_m=10, reflecting_surfaces=2, method="mcs020"
    )
    assert float(r2["margin_dB"]) > 0
    # a higher measured background makes it fail
    r3 = sound_pressure_level(
        lwa_dBA=lwa, distance_m=10, reflecting_surfaces=2, method="mcs020", background_dBA=41.0
    )
    assert float(r3["margin_dB"]) > 0
    assert float(combine_levels(40.0, 40.0)) == pytest.approx(43.01, abs=0.01)


def test_us_night_limit_and_iso_default_limit():
    r = sound_pressure_level(lwa_dBA=70, distance_m=10, reflecting_surfaces=2, method="us-night")
    assert float(r["limit_dBA"]) == 45.0
    assert float(r["margin_dB"]) == pytest.approx(70 - 24.9715 - 45, abs=1e-3)
    r = sound_pressure_level(lwa_dBA=70, distance_m=10, method="iso9613", limit_dBA=35.0)
    assert float(r["limit_dBA"]) == 35.0


def test_propagation_errors_are_clear():
    with pytest.raises(ConfigurationError, match=r"distance_m=-1.0 must be finite and > 0"):
        sound_pressure_level(lwa_dBA=60, distance_m=-1.0)
    with pytest.raises(ConfigurationError, match=r"barrier='hedge' is unknown; valid: \['none'"):
        sound_pressure_level(lwa_dBA=60, distance_m=5, barrier="hedge")
    with pytest.raises(
        ConfigurationError, match=r"reflecting_surfaces=4 must be an integer from 1 to 3"
    ):
        sound_pressure_level(lwa_dBA=60, distance_m=5, reflecting_surfaces=4)
    with pytest.raises(ConfigurationError, match="from 1 to 3"):  # MCS: the ground always counts
        sound_pressure_level(lwa_dBA=60, distance_m=5, reflecting_surfaces=0)
    with pytest.raises(ConfigurationError, match="method='nordic' is unknown"):
        sound_pressure_level(lwa_dBA=60, distance_m=5, method="nordic")
    with pytest.raises(ConfigurationError, match="background_dBA applies to method='mcs020' only"):
        sound_pressure_level(lwa_dBA=60, distance_m=5, background_dBA=40)
    # a non-numeric value is a ConfigurationError naming the argument, not numpy's ValueError
    with pytest.raises(ConfigurationError, match=r"lwa_dBA='loud' must be a number"):
        sound_pressure_level(lwa_dBA="loud", distance_m=5)
    with pytest.raises(ConfigurationError, match=r"distance_m=\[5, 'x'\] must be a number"):
        sound_pressure_level(lwa_dBA=60, distance_m=[5, "x"])


# --------------------------------------------------------------------------- receivers
def test_several_receivers_worst_margin_vectorised():
    rs = [
        Receiver("front bedroom", 8.0, 2, "none"),
        Receiver("side door", 4.0, 1, "solid-no-view"),
        Receiver("rear window", 12.0, 3, "thin-partial-view"),
    ]
    lwa = np.array([55.0, 60.0, 65.0, 70.0])
    a = receiver_levels(lwa, rs)
    assert a.level_dBA.shape == (4, 3) and a.constraint.shape == (4,)
    for i, lw in enumerate(lwa):
        single = [
            float(
                sound_pressure_level(
                    lwa_dBA=lw,
                    distance_m=r.distance_m,
                    reflecting_surfaces=r.reflecting_surfaces,
                    barrier=r.barrier,
                )["margin_dB"]
            )
            for r in rs
        ]
        assert float(a.constraint[i]) == pytest.approx(max(single))
        assert int(a.worst[i]) == int(np.argmax(single))
    assert np.all(np.diff(a.constraint) > 0)
    with pytest.raises(ConfigurationError, match="distance_m=0.0 must be finite and > 0"):
        Receiver("bad", 0.0)
    with pytest.raises(ConfigurationError, match="at least one Receiver"):
        receiver_levels(60.0, [])


def test_receivers_legacy_background_per_receiver():
    rs = [Receiver("quiet", 10.0, 2, background_dBA=30.0), Receiver("busy road", 10.0, 2)]
    a = receiver_levels(62.7, rs, method="mcs020")
    assert a.level_dBA[0] < a.level_dBA[1]  # 30 dB background adds less than 40 dB
    with pytest.raises(ConfigurationError, match="applies to method='mcs020' only"):
        receiver_levels(62.7, rs, method="mcs020a")


# --------------------------------------------------------------------------- sound power
def test_fan_laws():
    tol_dB = 1e-9
    # doubling the speed at fixed diameter: flow x2, pressure x4 -> +50 lg 2 = +15.05 dB
    l1 = fan_sound_power(volume_flow_m3_s=0.5, diameter_m=0.5)
    l2 = fan_sound_power(volume_flow_m3_s=1.0, diameter_m=0.5)
    assert float(l2 - l1) == pytest.approx(50 * np.log10(2), abs=tol_dB)
    # same tip speed, double diameter: flow x4, pressure x1 -> +20 lg 2 (= 70 lg D - 50 lg D)
    l3 = fan_sound_power(volume_flow_m3_s=2.0, diameter_m=1.0)
    assert float(l3 - l1) == pytest.approx(20 * np.log10(2), abs=tol_dB)
    # specific-sound-power form
    assert float(
        fan_sound_power(volume_flow_m3_s=1.0, pressure_rise_Pa=100.0, specific_sound_power_dBA=30)
    ) == pytest.approx(70.0)
    # two equal fans sharing the flow
    two = fan_sound_power(volume_flow_m3_s=2.0, pressure_rise_Pa=50.0, n_fans=2)
    one = fan_sound_power(volume_flow_m3_s=1.0, pressure_rise_Pa=50.0)
    assert float(two - one) == pytest.approx(10 * np.log10(2))


def test_compressor_and_total_combine_energetically():
    lw = outdoor_unit_sound_power(
        volume_flow_m3_s=0.9, compressor_power_W=2500.0, fan_diameter_m=0.6
    )
    assert float(lw["total"]) == pytest.approx(float(combine_levels(lw["fan"], lw["compressor"])))
    assert float(lw["total"]) > max(float(lw["fan"]), float(lw["compressor"]))
    assert float(
        compressor_sound_power(power_W=2000.0) - compressor_sound_power(power_W=1000.0)
    ) == pytest.approx(10 * np.log10(2))
    with pytest.raises(ConfigurationError, match="compressor_type='screw' is unknown"):
        compressor_sound_power(power_W=1000.0, compressor_type="screw")
    with pytest.raises(ConfigurationError, match="needs pressure_rise_Pa or diameter_m"):
        fan_sound_power(volume_flow_m3_s=1.0)


def test_typical_designs_within_keymark_interquartile_range():
    ref = pd.read_csv(DATA / "noise_keymark_outdoor_sound_power.csv", comment="#")
    unit = typical_outdoor_unit(ref["check_kW"].to_numpy() * 1000.0)
    lw = outdoor_unit_sound_power(
        volume_flow_m3_s=unit["volume_flow_m3_s"],
        compressor_power_W=unit["compressor_power_W"],
        fan_diameter_m=unit["fan_diameter_m"],
        n_fans=unit["n_fans"],
    )["total"]
    assert np.all(lw >= ref["q25_dBA"].to_numpy()), lw
    assert np.all(lw <= ref["q75_dBA"].to_numpy()), lw
    tol_dB = 3.0  # model vs median of many products
    np.testing.assert_allclose(lw, ref["median_dBA"].to_numpy(), atol=tol_dB)


def test_quiet_mode_speed_cap():
    lw = outdoor_unit_sound_power(
        volume_flow_m3_s=0.9, compressor_power_W=2700.0, fan_diameter_m=0.6
    )
    targets = np.array(
        [float(lw["total"]) + 1.0, float(lw["total"]) - 3.0, float(lw["total"]) - 6.0, 20.0]
    )
    q = quiet_mode_speed_ratio(
        target_lwa_dBA=targets,
        fan_lwa_dBA=lw["fan"],
        compressor_lwa_dBA=lw["compressor"],
        speed_min=0.3,
    )
    s = q["speed_ratio"]
    assert s[0] == 1.0 and q["feasible"][0]
    assert 0.3 < s[2] < s[1] < 1.0
    # the unit at the returned speed meets the target (fan laws applied by the same model)
    at_s = outdoor_unit_sound_power(
        volume_flow_m3_s=0.9, compressor_power_W=2700.0, fan_diameter_m=0.6, speed_ratio=s[1:3]
    )["total"]
    np.testing.assert_allclose(at_s, targets[1:3], atol=1e-6)
    assert not q["feasible"][3] and s[3] == pytest.approx(0.3)


# --------------------------------------------------------------------------- CLI
def test_cli_worked_example_json(capsys):
    rc = main(
        [
            "noise",
            "--lwa-dBA",
            "67",
            "--distance-m",
            "10",
            "--reflecting-surfaces",
            "2",
            "--barrier",
            "none",
            "--method",
            "mcs020a",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["level_dBA"] == 42.0 and out["limit_dBA"] == 37.0 and out["margin_dB"] == 5.0
    assert out["passes"] is False


@pytest.mark.parametrize("method, limit", [("iso9613", 40.0), ("mcs020", 42.0), ("us-night", 45.0)])
def test_cli_other_methods(capsys, method, limit):
    args = [
        "noise",
        "--lwa-dBA",
        "60",
        "--distance-m",
        "10",
        "--reflecting-surfaces",
        "2",
        "--method",
        method,
        "--json",
    ]
    if method == "mcs020":
        args += ["--background-dBA", "38"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["limit_dBA"] == limit and out["margin_dB"] == pytest.approx(
        out["level_dBA"] - limit, abs=0.011
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--distance-m", "-3"], "distance-m=-3.0 must be > 0"),
        (["--distance-m", "5", "--barrier", "hedge"], "barrier='hedge' is unknown"),
        (["--distance-m", "5", "--reflecting-surfaces", "4"], "reflecting_surfaces=4"),
        (["--distance-m", "5", "--method", "nordic"], "method='nordic' is unknown"),
    ],
)
def test_cli_bad_input_exit_2(capsys, extra, message):
    rc = main(["noise", "--lwa-dBA", "60", *extra])
    err = capsys.readouterr().err
    assert rc == 2 and message in err


def test_barrier_aliases_of_case_files():
    from designopt.noise import barrier_attenuation

    assert float(barrier_attenuation("partial")) == 5.0
    assert float(barrier_attenuation("full")) == 10.0
    assert float(barrier_attenuation(["none", "full", 2.5])[1]) == 10.0


def test_receivers_with_their_own_method_and_limit():
    rs = [
        Receiver("England neighbour", 10.0, 2, method="mcs020a"),
        Receiver("US neighbour", 10.0, 2, method="us-night"),
        Receiver("strict", 10.0, 2, method="iso9613", limit_dBA=30.0),
    ]
    a = receiver_levels(np.array([60.0, 67.0]), rs)
    assert a.level_dBA.shape == (2, 3)
    np.testing.assert_allclose(a.limit_dBA[0], [37.0, 45.0, 30.0])
    for j, r in enumerate(rs):
        one = sound_pressure_level(
            lwa_dBA=67.0,
            distance_m=10.0,
            reflecting_surfaces=2,
            method=r.method,
            limit_dBA=r.limit_dBA,
        )
        assert a.margin_dB[1, j] == pytest.approx(float(one["margin_dB"]))
    assert float(a.constraint[1]) == pytest.approx(float(np.max(a.margin_dB[1])))
    assert a.scaled_constraint()[1] == pytest.approx(np.max(a.margin_dB[1] / a.limit_dBA[1]))
    with pytest.raises(ConfigurationError, match="method='dutch' is unknown"):
        Receiver("x", 5.0, method="dutch")


@settings(max_examples=50, deadline=None)
@given(
    lwa=st.floats(40.0, 90.0),
    d=st.floats(0.5, 100.0),
    dd=st.floats(0.1, 50.0),
    k=st.integers(1, 3),
    method=st.sampled_from(["iso9613", "mcs020a", "mcs020", "us-night"]),
)
def test_level_never_rises_with_distance_and_falls_behind_barriers(lwa, d, dd, k, method):
    near = sound_pressure_level(lwa_dBA=lwa, distance_m=d, reflecting_surfaces=k, method=method)
    far = sound_pressure_level(lwa_dBA=lwa, distance_m=d + dd, reflecting_surfaces=k, method=method)
    assert float(far["level_dBA"]) <= float(near["level_dBA"])
    screened = sound_pressure_level(
        lwa_dBA=lwa, distance_m=d, reflecting_surfaces=k, method=method, barrier="solid-no-view"
    )
    assert float(screened["level_dBA"]) <= float(near["level_dBA"])
    # the unit alone is never above the legacy combined level
    assert float(near["heat_pump_level_dBA"]) <= float(near["level_dBA"]) + 0.05


def test_docs_examples_run():
    import re

    root = Path(__file__).parent.parent / "docs"
    for page in ("noise.md", "economics.md"):
        text = (root / page).read_text(encoding="utf-8")
        blocks = re.findall(r"```python\n(.*?)```", text, re.S)
        assert blocks, page
        for block in blocks:
            exec(compile(block, page, "exec"), {})

"""Fixed-saturation cycle: textbook worked example, CoolProp state points, errors, CLI."""

import json
import math
from pathlib import Path

import pytest

from designopt.cli import main
from designopt.cycle.fixed import fixed_saturation_cycle
from designopt.errors import ConfigurationError, PropertyError
from designopt.properties import saturation_temperature

DATA = Path(__file__).parent / "data"


def test_cengel_example_11_1_r134a_ideal_cycle():
    ref = json.loads((DATA / "cycle_cengel_example_11_1.json").read_text())
    tol = ref["tol_pct"] / 100
    fl = ref["fluid"]
    te = saturation_temperature(fl, ref["p_evap_Pa"])
    tc = saturation_temperature(fl, ref["p_cond_Pa"])
    c = fixed_saturation_cycle(
        fl, t_evap_K=te, t_cond_K=tc, superheat_K=0.0, subcool_K=0.0, eta_is=1.0
    )
    m = ref["mass_flow_kg_s"]
    assert m * c.q_evap_J_kg / 1e3 == pytest.approx(ref["q_evap_kW"], rel=tol)
    assert m * c.w_J_kg / 1e3 == pytest.approx(ref["w_in_kW"], rel=tol)
    assert m * c.q_cond_J_kg / 1e3 == pytest.approx(ref["q_cond_kW"], rel=tol)
    assert c.cop_cooling == pytest.approx(ref["cop_cooling"], rel=tol)
    # enthalpy differences are independent of the reference state of the tables
    assert (c.states[1].h - c.states[0].h) / 1e3 == pytest.approx(
        ref["h2_kJ_kg"] - ref["h1_kJ_kg"], rel=tol
    )
    assert (c.states[0].h - c.states[2].h) / 1e3 == pytest.approx(
        ref["h1_kJ_kg"] - ref["h3_kJ_kg"], rel=tol
    )


@pytest.mark.parametrize("fluid", ["R290", "R32", "R410A", "R1234yf", "R717"])
def test_state_points_agree_with_coolprop_high_level_api(fluid):
    """Independent route: CoolProp's PropsSI (its own flash, no phase imposed, away from saturation)."""
    import CoolProp.CoolProp as CP

    from designopt import refrigerants

    name = refrigerants.get(fluid).coolprop_name
    te, tc, sh, sc, eta = 273.15, 318.15, 6.0, 4.0, 0.7
    c = fixed_saturation_cycle(
        fluid, t_evap_K=te, t_cond_K=tc, superheat_K=sh, subcool_K=sc, eta_is=eta
    )
    pe = CP.PropsSI("P", "T", te, "Q", 1, name)
    pc = CP.PropsSI("P", "T", tc, "Q", 1, name)
    h1 = CP.PropsSI("H", "T", te + sh, "P", pe, name)
    s1 = CP.PropsSI("S", "T", te + sh, "P", pe, name)
    h2s = CP.PropsSI("H", "P", pc, "S", s1, name)
    tb = CP.PropsSI("T", "P", pc, "Q", 0, name)
    h3 = CP.PropsSI("H", "T", tb - sc, "P", pc, name)
    h2 = h1 + (h2s - h1) / eta
    tol = 1e-6
    assert c.p_evap_Pa == pytest.approx(pe, rel=tol)
    assert c.p_cond_Pa == pytest.approx(pc, rel=tol)
    assert c.states[0].h == pytest.approx(h1, rel=tol)
    assert c.states[1].h == pytest.approx(h2, rel=tol)
    assert c.states[2].h == pytest.approx(h3, rel=tol)
    assert c.cop_heating == pytest.approx((h2 - h3) / (h2 - h1), rel=1e-6)
    assert c.cop_heating < c.cop_carnot_heating


def test_cop_heating_minus_cooling_is_one():
    c = fixed_saturation_cycle(
        "R290", t_evap_K=275.15, t_cond_K=313.15, superheat_K=5, subcool_K=3, eta_is=0.7
    )
    assert c.cop_heating - c.cop_cooling == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (
            {"t_evap_K": 300.0, "t_cond_K": 290.0},
            ConfigurationError,
            r"t_evap_K=300.0 must be below t_cond_K=290.0",
        ),
        (
            {"t_evap_K": 270.0, "t_cond_K": 380.0},
            ConfigurationError,
            r"below the critical temperature",
        ),
        (
            {"t_evap_K": 270.0, "t_cond_K": 310.0, "eta_is": 0.0},
            ConfigurationError,
            r"eta_is=0.0 must lie in \(0, 1\]",
        ),
        (
            {"t_evap_K": 270.0, "t_cond_K": 310.0, "superheat_K": -1.0},
            ConfigurationError,
            r"must be >= 0",
        ),
        (
            {"t_evap_K": math.nan, "t_cond_K": 310.0},
            ConfigurationError,
            r"t_evap_K=nan must be a finite number",
        ),
        ({"t_evap_K": 100.0, "t_cond_K": 310.0}, PropertyError, r"below the triple point"),
    ],
)
def test_bad_inputs_raise(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fixed_saturation_cycle("R134a", **kwargs)


def test_unknown_fluid_raises():
    with pytest.raises(ConfigurationError, match=r"refrigerant 'R12' is unknown; valid:"):
        fixed_saturation_cycle("R12", t_evap_K=270.0, t_cond_K=310.0)


def test_cli_fixed_cycle_json(capsys):
    argv = "cycle --fluid R290 --t-evap-degC 2 --t-cond-degC 40 --superheat-K 5 --subcool-K 3 --eta-is 0.7 --json"
    assert main(argv.split()) == 0
    out = json.loads(capsys.readouterr().out)
    ref = fixed_saturation_cycle(
        "R290", t_evap_K=275.15, t_cond_K=313.15, superheat_K=5, subcool_K=3, eta_is=0.7
    )
    assert out["cop_heating"] == pytest.approx(ref.cop_heating, rel=1e-12)
    assert out["cop_cooling"] == pytest.approx(ref.cop_cooling, rel=1e-12)
    assert set(out["states"]) == {"1", "2", "3", "4"}
    assert out["specific_work_J_kg"] > 0


def test_cli_design_form_json(capsys):
    design = Path(__file__).parents[1] / "casestudies" / "designs" / "air_water_8kW_R290.toml"
    argv = [
        "cycle",
        "--design",
        str(design),
        "--t-source-degC",
        "7",
        "--t-sink-degC",
        "35",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert 3.0 < out["cop_heating"] < 7.0
    assert out["heat_output_W"] == pytest.approx(8000.0, rel=0.05)


def test_cli_errors_exit_2(capsys):
    assert main(["cycle", "--fluid", "R12", "--t-evap-degC", "2", "--t-cond-degC", "40"]) == 2
    assert "refrigerant 'R12' is unknown" in capsys.readouterr().err
    assert main(["cycle", "--t-evap-degC", "2"]) == 2
    assert "give either --fluid" in capsys.readouterr().err
    assert (
        main(["cycle", "--design", "missing.toml", "--t-source-degC", "7", "--t-sink-degC", "35"])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


from hypothesis import given, reject, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    fluid=st.sampled_from(["R290", "R32", "R134a", "R1234yf", "R717"]),
    t_evap_K=st.floats(245.0, 290.0),
    lift_K=st.floats(20.0, 50.0),  # > superheat + subcool, so the bound below is finite
    superheat_K=st.floats(0.0, 10.0),
    subcool_K=st.floats(0.0, 8.0),
    eta_is=st.floats(0.4, 1.0),
)
def test_second_law_and_balance_property(fluid, t_evap_K, lift_K, superheat_K, subcool_K, eta_is):
    """Second law: heat is taken in at or below T_e + SH and rejected at or above T_c - SC, so
    COP_heating <= (T_c - SC) / ((T_c - SC) - (T_e + SH)); first law: q_cond = q_evap + w."""
    t_cond_K = t_evap_K + lift_K
    try:
        c = fixed_saturation_cycle(
            fluid,
            t_evap_K=t_evap_K,
            t_cond_K=t_cond_K,
            superheat_K=superheat_K,
            subcool_K=subcool_K,
            eta_is=eta_is,
        )
    except PropertyError as exc:
        # a poor compressor at a large lift can discharge above the equation of state's range
        # (R32 above 435 K): the adapter must refuse that state clearly, not extrapolate
        assert "above the equation of state's limit" in str(exc)
        reject()
    t_hi, t_lo = t_cond_K - subcool_K, t_evap_K + superheat_K
    assert c.cop_heating <= t_hi / (t_hi - t_lo) * (1 + 1e-9)
    assert c.q_cond_J_kg == pytest.approx(c.q_evap_J_kg + c.w_J_kg, rel=1e-12)
    # dry fluids (R1234yf, R600a ...) compressed isentropically from saturated vapour can end on
    # or inside the dome: the discharge is then at the condensing temperature, never below it
    assert c.t_discharge_K >= t_cond_K - 1e-9

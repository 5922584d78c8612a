"""Refrigerant catalogue: names, GWP (IPCC), safety class, critical points (CoolProp vs EOS papers)."""

import pytest

from designopt import refrigerants
from designopt.errors import ConfigurationError

REQUIRED = ("R290", "R32", "R410A", "R134a", "R1234yf", "R1234ze(E)", "R600a", "R717", "R744")


def test_catalogue_has_required_refrigerants():
    assert set(REQUIRED) <= set(refrigerants.names())


def test_unknown_name_lists_valid_names():
    with pytest.raises(ConfigurationError, match=r"refrigerant 'R22' is unknown; valid: .*R290"):
        refrigerants.get("R22")


def test_lookup_is_case_insensitive_and_accepts_coolprop_names():
    assert refrigerants.get("r290").name == "R290"
    assert refrigerants.get("Propane").name == "R290"
    assert refrigerants.get("r1234ze(e)").name == "R1234ze(E)"


def test_blend_gwp_is_mass_weighted_sum_of_ar4_components():
    # IPCC AR4 (WG1 ch. 2, table 2.14): HFC-32 675, HFC-125 3500, HFC-134a 1430
    tol = 1.0
    assert refrigerants.get("R410A").gwp100 == pytest.approx(0.5 * 675 + 0.5 * 3500, abs=tol)
    assert refrigerants.get("R407C").gwp100 == pytest.approx(
        0.23 * 675 + 0.25 * 3500 + 0.52 * 1430, abs=tol
    )
    # IPCC AR5 (WG1 ch. 8, table 8.A.1): HFC-32 677, HFC-125 3170, HFC-134a 1300
    assert refrigerants.get("R410A").gwp100_ar5 == pytest.approx(0.5 * 677 + 0.5 * 3170, abs=tol)


def test_flammable_refrigerants_have_lfl_and_others_none():
    for name in refrigerants.names():
        r = refrigerants.get(name)
        assert r.flammable == (r.lfl_kg_m3 is not None), name
    assert refrigerants.get("R290").safety_class == "A3"
    assert refrigerants.get("R717").safety_class == "B2L"


@pytest.mark.parametrize(
    ("name", "t_crit_K", "source"),
    [
        ("R290", 369.89, "Lemmon, McLinden, Wagner (2009) J. Chem. Eng. Data 54, 3141"),
        ("R744", 304.1282, "Span & Wagner (1996) J. Phys. Chem. Ref. Data 25, 1509"),
        ("R134a", 374.21, "Tillner-Roth & Baehr (1994) J. Phys. Chem. Ref. Data 23, 657"),
        ("R32", 351.255, "Tillner-Roth & Yokozeki (1997) J. Phys. Chem. Ref. Data 26, 1273"),
    ],
)
def test_critical_temperature_from_coolprop_matches_eos_papers(name, t_crit_K, source):
    tol_K = 0.02
    assert refrigerants.get(name).t_crit_K == pytest.approx(t_crit_K, abs=tol_K), source


def test_triple_point_below_critical_for_all():
    for name in refrigerants.names():
        r = refrigerants.get(name)
        assert 0 < r.t_triple_K < r.t_crit_K
        assert 0 < r.p_triple_Pa < r.p_crit_Pa

"""Tender specification and product check (designopt.tender, ``designopt tender``).

Reference numbers: the Keymark records in ``tests/data/keymark_tender_extract.csv`` (copied
unchanged from the Heat Pump Keymark collection, SOURCE note in the file) and the shares of its
air/water records meeting the Regulation 813/2013 outdoor limit counted by hand there; the MCS 020
worked example (L_WA 67 dB(A), Q = 4, 10 m -> 42.0 dB(A)).
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from designopt.errors import ConfigurationError, DataFormatError
from designopt.noise import Receiver, max_sound_power, receiver_levels, sound_pressure_level
from designopt.tender.check import (
    NOT_APPLICABLE,
    NOT_CHECKABLE,
    STATUS_FAIL,
    STATUS_PASS,
    check_products,
)
from designopt.tender.derive import (
    DesignValues,
    design_failures,
    spec_from_design,
    spec_from_requirements,
)
from designopt.tender.rules import RULE_SETS, load_rule_sets
from designopt.tender.spec import Requirement, read_spec, spec_from_mapping, spec_to_toml

DATA = Path(__file__).parent / "data"
EXTRACT = DATA / "keymark_tender_extract.csv"
#: Hand count in the SOURCE note of the extract: 62 records, 62 / 52 / 35 meet the limit,
#: the limit - 5 dB, the limit - 10 dB.
HAND_COUNT = {0: 62 / 62, 5: 52 / 62, 10: 35 / 62}
BANDS = [6.0, 12.0, 30.0, 70.0]
LIMITS_813 = [65.0, 70.0, 78.0, 88.0]
NOISE_TOLERANCE_DB = 0.1


# -- noise inversion ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receivers", "method", "limit"),
    [
        ([Receiver("window", 10.0, 2)], "mcs020a", None),
        ([Receiver("a", 5.0, 2), Receiver("b", 8.0, 3, "solid-partial-view")], "mcs020a", None),
        ([Receiver("a", 3.3, 1, "thin-no-view"), Receiver("b", 12.7, 3)], "mcs020a", 35.0),
        ([Receiver("night", 7.5, 2)], "us-night", None),
        ([Receiver("a", 6.0, 1), Receiver("b", 20.0, 0)], "iso9613", 40.0),
        ([Receiver("legacy", 4.0, 2, background_dBA=35.0)], "mcs020", None),
    ],
)
def test_noise_inversion_round_trips_with_the_forward_model(receivers, method, limit):
    lim = max_sound_power(receivers, method=method, limit_dBA=limit)
    fwd = receiver_levels(lim.lwa_dBA, receivers, method=method, limit_dBA=limit)
    assert float(fwd.constraint) <= 0.0  # the inverted L_WA meets every receiver
    louder = receiver_levels(lim.lwa_dBA + 0.1, receivers, method=method, limit_dBA=limit)
    assert float(louder.constraint) > 0.0  # 0.1 dB more breaks one
    # the worst receiver sits at its limit within 0.1 dB
    assert float(fwd.constraint) >= -NOISE_TOLERANCE_DB - 1e-9
    # and `designopt noise` (sound_pressure_level) agrees receiver by receiver
    for r in receivers:
        one = sound_pressure_level(
            lwa_dBA=lim.lwa_dBA,
            distance_m=r.distance_m,
            reflecting_surfaces=r.reflecting_surfaces,
            barrier=r.barrier,
            method=method,
            background_dBA=r.background_dBA,
            limit_dBA=limit,
        )
        assert float(one["margin_dB"]) <= 0.0


def test_noise_inversion_reproduces_the_mcs_worked_example():
    # MCS 020: L_WA 67 dB(A), Q = 4 (two reflecting surfaces), 10 m -> 42.0 dB(A)
    lim = max_sound_power([Receiver("w", 10.0, 2)], limit_dBA=42.0)
    assert lim.lwa_dBA == pytest.approx(67.0, abs=1e-9)


def test_noise_inversion_with_background_at_the_limit_is_impossible():
    lim = max_sound_power([Receiver("w", 10.0, 2, background_dBA=42.0)], method="mcs020")
    assert lim.lwa_dBA == -math.inf


# -- rule data ------------------------------------------------------------------------------


def test_every_packaged_rule_line_is_dated_and_cited():
    sets = load_rule_sets(list(RULE_SETS))
    ids = [ln.id for rs in sets.values() for ln in rs.lines]
    assert len(ids) == len(set(ids))
    for rs in sets.values():
        assert rs.kind in ("law", "funding rule")
        for ln in rs.lines:
            assert ln.source and ln.effective and isinstance(ln.verified, bool)


def test_813_band_limit_follows_rated_output():
    r = Requirement(
        id="n",
        quantity="sound_power_outdoor_dBA",
        op="<=",
        limit=65.0,
        bands_kW=BANDS,
        band_limits=LIMITS_813,
    )
    got = r.band_limit([3.0, 6.0, 6.01, 12.0, 29.9, 70.0, 71.0])
    np.testing.assert_array_equal(got, [65, 65, 70, 70, 78, 88, np.nan])


def test_rules_by_date_beg_switches_from_5_to_10_dB():
    from designopt.tender.rules import requirements_from_rules

    sets = load_rule_sets(["beg", "fgas"])
    kw = dict(
        hp_type="air/water",
        application_C=55,
        climate="average",
        construction="monobloc",
        prated_kW=10.0,
    )
    r25, _ = requirements_from_rules(sets, date=dt.date(2025, 6, 1), **kw)
    r26, notes = requirements_from_rules(sets, date=dt.date(2026, 1, 1), **kw)
    assert [(r.id, r.limit) for r in r25] == [("beg-noise-5dB", 65.0)]
    assert [(r.id, r.limit) for r in r26] == [("beg-noise-10dB", 60.0)]
    assert any("fgas-monobloc-12kW-gwp150" in n and "2027-01-01" in n for n in notes)
    r27, _ = requirements_from_rules(sets, date=dt.date(2027, 1, 1), **kw)
    assert ("fgas-monobloc-12kW-gwp150", 150.0) in [(r.id, r.limit) for r in r27]
    big, notes = requirements_from_rules(
        sets, date=dt.date(2027, 1, 1), **{**kw, "prated_kW": 16.0}
    )
    assert "fgas-monobloc-12kW-gwp150" not in [r.id for r in big]


def test_a_rules_file_overrides_a_packaged_line(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(
        '[rule_set]\nname = "bus"\ntitle = "BUS as read by us"\nkind = "funding rule"\n'
        '[[line]]\nid = "bus-scop-2.8"\nquantity = "scop"\nop = ">="\nlimit = 3.0\n'
        'effective = "2025-01-01"\nsource = "our reading"\nverified = true\n',
        encoding="utf-8",
    )
    sets = load_rule_sets(["bus"], f)
    line = {ln.id: ln for ln in sets["bus"].lines}["bus-scop-2.8"]
    assert (line.limit, line.verified) == (3.0, True)
    assert "bus-capacity-45kW" in {ln.id for ln in sets["bus"].lines}


# -- specs and Keymark products -------------------------------------------------------------


def _writer_spec(**extra):
    data = {
        "tender": {"date": "2026-06-01", "climate": "average", "application_C": 55, **extra},
        "requirement": [
            {"id": "scop55", "quantity": "scop", "op": ">=", "limit": 3.62},
            {"id": "scop35", "quantity": "scop", "op": ">=", "limit": 5.0, "application_C": 35},
            {"id": "lw", "quantity": "sound_power_outdoor_dBA", "op": "<=", "limit": 59.0},
        ],
    }
    return spec_from_requirements(data, where="test")


def _row(check, title):
    p = check.products
    return p[p["title"] == title].iloc[0]


def test_hand_checked_keymark_products_pass_or_fail_as_expected():
    # Vaillant VWL 105/6 A: SCOP 3.65 (55) / 5.04 (35), L_WA 59 -> passes every requirement;
    # VWL 105/6 A S2: SCOP 3.61 (55) / 4.97 (35), L_WA 59 -> fails both SCOPs
    chk = check_products(_writer_spec(), EXTRACT)
    a, s2 = _row(chk, "VWL 105/6 A"), _row(chk, "VWL 105/6 A S2")
    assert a["overall"] == STATUS_PASS and a["scop55:margin"] == pytest.approx(0.03)
    assert a["scop35:value"] == 5.04 and a["lw:margin"] == 0.0
    assert s2["overall"] == STATUS_FAIL
    assert s2["failed"] == "scop55, scop35"
    assert s2["scop55:margin"] == pytest.approx(-0.01)


def test_shares_meeting_the_813_outdoor_limit_match_the_hand_count():
    reqs = [
        {
            "id": f"limit-{off}",
            "quantity": "sound_power_outdoor_dBA",
            "op": "<=",
            "limit": LIMITS_813[0] - off,
            "bands_kW": BANDS,
            "band_limits": [x - off for x in LIMITS_813],
        }
        for off in (0, 5, 10)
    ]
    spec = spec_from_requirements(
        {"tender": {"application_C": 35, "date": "2026-01-01"}, "requirement": reqs}, where="t"
    )
    chk = check_products(spec, EXTRACT)
    for off, share in HAND_COUNT.items():
        assert chk.share_passing(f"limit-{off}") == pytest.approx(share, abs=1e-12)


def _vaillant_design(case):
    # the "design" is a certified product: Vaillant VWL 105/6 A as declared (Keymark)
    values = {
        "prated_kW": 8.86,
        "scop@35": 5.04,
        "eta_s_pct@35": 198.0,
        "scop@55": 3.65,
        "eta_s_pct@55": 143.0,
        "sound_power_outdoor_dBA": 59.0,
    }
    return DesignValues("air", "", values, "Keymark VWL 105/6 A")


@pytest.fixture
def vaillant_case(tmp_path):
    p = tmp_path / "case.toml"
    p.write_text(
        'schema = 1\nname = "vaillant"\n[building]\ndesign_heat_load_kW = 8.86\nemitter = "radiators"\n'
        '[[noise.receivers]]\nname = "window"\ndistance_m = 10.0\nreflecting_surfaces = 1\n'
        '[optimisation]\nobjectives = ["capital_cost"]\n',
        encoding="utf-8",
    )
    from designopt.case import load_case

    return load_case(p)


def test_a_spec_from_a_design_is_met_by_it_and_fails_once_tightened(vaillant_case):
    spec = spec_from_design(
        _vaillant_design(vaillant_case), vaillant_case, date=dt.date(2026, 6, 1), margin=0.0
    )
    assert design_failures(spec) == []
    chk = check_products(spec, EXTRACT)
    row = _row(chk, "VWL 105/6 A")
    assert row["failed"] == ""
    for r in spec.requirements:
        if r.design_value is None or r.banded or row[f"{r.id}:status"] != STATUS_PASS:
            continue
        step = 0.01 if r.op in (">=", ">") else -0.01
        assert [
            f.split(":")[0] for f in design_failures(_tightened(spec, r.id, r.design_value + step))
        ] == [r.id]
        # the certified product (its declared value at the spec's record) fails it likewise
        product = _tightened(spec, r.id, float(row[f"{r.id}:value"]) + step)
        assert _row(check_products(product, EXTRACT), "VWL 105/6 A")["failed"] == r.id


def _tightened(spec, rid, limit):
    reqs = tuple(
        x.model_copy(update={"limit": limit}) if x.id == rid else x for x in spec.requirements
    )
    return spec.model_copy(update={"requirements": reqs})


def test_a_spec_from_an_evaluated_design_is_met_by_it(tmp_path):
    from designopt.case import load_case
    from designopt.tender.designs import design_from_case

    case = load_case(DATA / "cases" / "tiny_air.toml")
    design = design_from_case(case, {"evaporator_area_m2": "50"})
    assert {"heat_A7W35_kW", "cop_A-7W55", "scop@55"} <= set(design.values)
    spec = spec_from_design(design, case, date=dt.date(2026, 6, 1), rule_sets=())
    margin = [r for r in spec.requirements if r.origin == "design margin"]
    assert len(margin) >= 8
    for r in margin:
        step = 1.0 if r.quantity == "eta_s_pct" else 0.1  # limits are rounded down to their step
        assert r.design_value >= r.limit >= r.design_value * 0.95 - step
    tight = spec.model_copy(
        update={
            "requirements": tuple(
                r.model_copy(update={"limit": r.design_value * 1.001}) for r in margin
            )
        }
    )
    assert len(design_failures(tight)) == len(margin)


def test_spec_toml_round_trips(vaillant_case, tmp_path):
    spec = spec_from_design(
        _vaillant_design(vaillant_case),
        vaillant_case,
        date=dt.date(2027, 3, 1),
        rule_sets=tuple(RULE_SETS),
    )
    back = spec_from_mapping(tomllib.loads(spec_to_toml(spec)))
    assert back == spec
    assert spec.unverified()  # the packaged rule lines are flagged


# -- bad input ------------------------------------------------------------------------------


def _edited(tmp_path, title, column, value):
    import pandas as pd

    df = pd.read_csv(EXTRACT, comment="#", dtype=str, keep_default_na=False)
    at = (df["title"] == title) & (df["application_C"] == "55")
    df.loc[at, column] = value
    p = tmp_path / "products.csv"
    df.to_csv(p, index=False)
    row = int(np.flatnonzero(at)[0]) + 1
    return p, row


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "is blank"), ("n/a", "'n/a' is not a number"), ("365", "outside the plausible")],
)
def test_a_bad_cell_is_not_checkable_and_named(tmp_path, value, reason):
    p, row = _edited(tmp_path, "VWL 105/6 A S2", "SCOP", value)
    chk = check_products(_writer_spec(), p)
    r = _row(chk, "VWL 105/6 A S2")
    assert r["scop55:status"] == NOT_CHECKABLE
    assert r["overall"] != STATUS_PASS
    assert f"row {row} " in r["scop55:reason"] and "'SCOP'" in r["scop55:reason"]
    assert reason in r["scop55:reason"]


def test_a_missing_identity_column_is_an_error(tmp_path):
    import pandas as pd

    df = pd.read_csv(EXTRACT, comment="#").drop(columns=["climate"])
    p = tmp_path / "p.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataFormatError, match=r"lacks the column\(s\) \['climate'\]"):
        check_products(_writer_spec(), p)


def test_a_missing_quantity_column_makes_the_requirement_not_checkable():
    spec = _writer_spec()
    spec = spec.model_copy(
        update={
            "requirements": spec.requirements
            + (Requirement(id="gwp", quantity="gwp", op="<", limit=150.0),)
        }
    )
    chk = check_products(spec, EXTRACT)
    assert set(chk.products["gwp:status"]) == {NOT_CHECKABLE}
    assert chk.counts["pass"] == 0  # never a silent pass
    assert "no column 'gwp'" in chk.not_checkable_reasons["gwp"]


def test_a_product_above_the_top_band_is_not_applicable(tmp_path):
    p, _ = _edited(tmp_path, "VWL 105/6 A", "Prated_kW", "80")
    spec = spec_from_requirements(
        {
            "tender": {"application_C": 55},
            "requirement": [
                {
                    "quantity": "sound_power_outdoor_dBA",
                    "op": "<=",
                    "limit": 65.0,
                    "bands_kW": BANDS,
                    "band_limits": LIMITS_813,
                    "id": "n",
                }
            ],
        },
        where="t",
    )
    assert _row(check_products(spec, p), "VWL 105/6 A")["n:status"] == NOT_APPLICABLE


@pytest.mark.parametrize(
    ("req", "match"),
    [
        ({"quantity": "scop", "op": ">=", "limit": 365.0}, r"#1 \('scop-1'\).*plausible range"),
        ({"quantity": "scop", "op": ">=", "limit": 3.0, "unit": "%"}, "is not the unit"),
        ({"quantity": "cop_A7", "op": ">=", "limit": 3.0}, "quantity='cop_A7' is unknown"),
        ({"quantity": "scop", "op": "=>", "limit": 3.0}, "op"),
    ],
)
def test_a_bad_requirement_is_an_error_naming_it(req, match):
    with pytest.raises(DataFormatError, match=match):
        spec_from_requirements({"requirement": [req]}, where="mine.toml")


def test_a_study_trial_must_exist(vaillant_case, tmp_path):
    from designopt.tender.designs import design_from_study

    with pytest.raises(ConfigurationError, match="no study results"):
        design_from_study(tmp_path, 3, vaillant_case)


# -- command line ---------------------------------------------------------------------------


def test_cli_spec_and_check_write_their_files(tmp_path):
    req = tmp_path / "mine.toml"
    req.write_text(
        '[tender]\ndate = "2026-06-01"\napplication_C = 55\nrule_sets = ["ecodesign", "beg"]\n'
        "design_load_kW = 9.0\n"
        '[[requirement]]\nquantity = "scop"\nop = ">="\nlimit = 3.6\n',
        encoding="utf-8",
    )
    out = tmp_path / "spec"
    run = [sys.executable, "-m", "designopt", "tender"]
    r = subprocess.run(
        [*run, "spec", "--requirements", str(req), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [*run, "check", str(out), "--products", str(EXTRACT)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    for name in (
        "spec.md",
        "spec.html",
        "spec.toml",
        "requirements.csv",
        "requirements.xlsx",
        "check_products.csv",
        "check_requirements.csv",
        "check.xlsx",
        "check_rejections.png",
    ):
        assert (out / name).is_file(), name
    md = (out / "spec.md").read_text(encoding="utf-8")
    assert "## Certified products checked" in md and "not verified" in md
    assert read_spec(out).requirement("scop-1").limit == 3.6
    # a folder designopt did not make is refused
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    r = subprocess.run(
        [*run, "spec", "--requirements", str(req), "--out", str(foreign)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "did not write" in r.stderr


def test_the_school_case_study_loads_and_its_window_allows_60_dBA():
    from designopt import noise
    from designopt.case import load_case
    from designopt.evaluate import case_receivers

    case = load_case(Path(__file__).parents[1] / "casestudies" / "tender_school" / "case.toml")
    assert case.building.design_heat_load_kW == 12.0 and case.policy.gwp_cap == 150
    assert noise.max_sound_power(case_receivers(case)).lwa_dBA == pytest.approx(60.0)

"""Keymark-layout reader and the ``designopt scop`` command."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designopt.cli import main
from designopt.errors import DataFormatError
from designopt.io.keymark import read_declared

DATA = Path(__file__).parent / "data" / "keymark_sample.csv"
#: Certificates declare SCOP with 2 decimals; the bin method reproduces them within this.
TOL_PCT = 2.0


def test_reader_reads_sample():
    dp, df, status = read_declared(DATA)
    assert dp.n == len(df) >= 20
    assert (status == "").all()
    assert set(dp.climate) == {"average", "colder", "warmer"}
    assert set(dp.source_type) == {"air", "ground", "water"}  # Keymark's brine/water is ground
    assert dp.reversible.any() and (~dp.reversible).any()
    # kW -> W and degC -> K at the edge
    assert dp.prated_W[0] == pytest.approx(8860.0)
    assert dp.t_biv_K[0] == pytest.approx(263.15)


def test_reader_missing_column(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.read_csv(DATA, comment="#").drop(columns=["Tbiv_C"]).to_csv(bad, index=False)
    with pytest.raises(DataFormatError, match="lacks the Keymark column.*Tbiv_C"):
        read_declared(bad)


def test_reader_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="does not exist"):
        read_declared(tmp_path / "nope.csv")


def test_reader_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFormatError, match="is not a readable CSV file"):
        read_declared(empty)


def test_cli_scop_reproduces_declared_and_flags_bad_rows(tmp_path, capsys):
    df = pd.read_csv(DATA, comment="#")
    # break three rows in three ways: missing point, Tbiv below TOL, unknown climate
    df.loc[1, "Pdh_p7_kW"] = np.nan
    df.loc[2, ["Tbiv_C", "TOL_C"]] = [-20, -10]
    df.loc[3, "climate"] = "arctic"
    src = tmp_path / "in.csv"
    out = tmp_path / "out.csv"
    df.to_csv(src, index=False)
    assert main(["scop", "--declared", str(src), "--out", str(out)]) == 0
    res = pd.read_csv(out)
    assert len(res) == len(df)
    for col in ("SCOP_calc", "SCOP_on_calc", "SCOP_net_calc", "eta_s_calc_pct", "status"):
        assert col in res.columns
    assert "missing declared point C" in res.loc[1, "status"]
    assert "Tbiv=-20.0 °C below TOL=-10.0 °C" in res.loc[2, "status"]
    assert "climate='arctic'" in res.loc[3, "status"]
    assert res.loc[[1, 2, 3], "SCOP_calc"].isna().all()
    assert (res.loc[[1, 2, 3], "SCOP_explained_by"] == "not rated").all()
    assert not res.loc[[1, 2, 3], "SCOP_consistent"].any()
    good = res.drop(index=[1, 2, 3])
    # the checking columns agree with the figures (every sample row is reproduced)
    np.testing.assert_allclose(good.SCOP_deviation_pct, err_pct_of(good), atol=2e-3)
    assert good.SCOP_consistent.all() and good.SCOP_explained_by.isna().all()
    assert (good.status == "ok").all()
    err_pct = 100 * (good.SCOP_calc / good.SCOP - 1)
    assert (err_pct.abs() <= TOL_PCT).all(), err_pct.round(2).tolist()
    # eta_s from the computed SCOP follows the declared eta_s within the SCOP tolerance
    assert (abs(good.eta_s_calc_pct - good.eta_s_pct) <= 0.02 * good.eta_s_pct + 1).all()
    assert "not rated" in capsys.readouterr().out


def err_pct_of(res):
    return 100 * (res.SCOP_calc / res.SCOP - 1)


def test_cli_scop_check_names_the_convention(tmp_path, capsys):
    """A certificate reproduced only with the reversible off-mode hours (LG HM051M U43,
    flagged heating-only; tests/data/keymark_conventions.csv) is reported as such; a declared
    SCOP no convention reproduces is 'unexplained'; a tighter tolerance flags more rows."""
    conv = pd.read_csv(Path(__file__).parent / "data" / "keymark_conventions.csv", comment="#")
    lg = conv[conv.demonstrates == "reversible_flag_mismatch"]
    df = pd.concat([pd.read_csv(DATA, comment="#").head(3), lg], ignore_index=True)
    df.loc[0, "SCOP"] *= 1.3
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    df.to_csv(src, index=False)
    assert main(["scop", "--declared", str(src), "--out", str(out)]) == 0
    res = pd.read_csv(out, keep_default_na=False)
    assert list(res.SCOP_explained_by) == ["unexplained", "", "", "opposite_off_hours"]
    assert "reproduced within 2 %: 2 of 4" in capsys.readouterr().out
    assert main(["scop", "--declared", str(src), "--out", str(out), "--tolerance-pct", "1e-4"]) == 0
    assert not pd.read_csv(out).SCOP_consistent.any()
    assert main(["scop", "--declared", str(src), "--out", str(out), "--tolerance-pct", "0"]) == 2
    assert "--tolerance-pct 0.0 must be a number > 0" in capsys.readouterr().err
    # a file without declared SCOPs (a product to rate, not to check): no checking columns
    df.drop(columns=["SCOP"]).to_csv(src, index=False)
    assert main(["scop", "--declared", str(src), "--out", str(out)]) == 0
    res = pd.read_csv(out)
    assert res.SCOP_calc.notna().all() and "SCOP_consistent" not in res.columns


def test_cli_cc(tmp_path):
    out25 = tmp_path / "a.csv"
    out19 = tmp_path / "b.csv"
    assert main(["scop", "--declared", str(DATA), "--out", str(out25)]) == 0
    assert main(["scop", "--declared", str(DATA), "--out", str(out19), "--cc", "1.9"]) == 0
    a = pd.read_csv(out25)
    b = pd.read_csv(out19)
    water = a.hp_type != "air/water"
    expect = 100 * a.SCOP_calc / 1.9 - 3 - 5 * water
    np.testing.assert_allclose(b.eta_s_calc_pct, expect, atol=0.01)


def test_cli_garbage_cells_never_crash(tmp_path):
    df = pd.read_csv(DATA, comment="#")
    df["Prated_kW"] = df["Prated_kW"].astype(object)
    df.loc[0, "Prated_kW"] = "n/a"
    df.loc[4, "Cdh_p7"] = 7.0
    df.loc[5, "PTO_W"] = -3
    df.loc[6, "hp_type"] = "air/air"
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    df.to_csv(src, index=False)
    assert main(["scop", "--declared", str(src), "--out", str(out)]) == 0
    res = pd.read_csv(out)
    assert "Prated=nan kW must be > 0" in res.loc[0, "status"]
    assert "Cdh=[7.0] outside (0, 1]" in res.loc[4, "status"]
    assert "p_to_W=-3.0 must be finite and >= 0" in res.loc[5, "status"]
    assert "hp_type='air/air'" in res.loc[6, "status"]
    assert res.loc[[0, 4, 5, 6], "SCOP_calc"].isna().all()
    assert res.drop(index=[0, 4, 5, 6]).SCOP_calc.notna().all()


def test_unit_mistakes_are_flagged_not_rated(tmp_path):
    """Measured before: COPd in per cent rated as SCOP 184-524, Pdh in W as SCOP 0.04-4.8.
    The 6,934 records of the EN 14825 Keymark extract and the sample pass these checks."""
    import pandas as pd

    df = pd.read_csv(DATA, comment="#")
    cop_cols = [c for c in df.columns if c.startswith("COPd_")]
    pdh_cols = [c for c in df.columns if c.startswith("Pdh_")]
    percent = df.iloc[[0]].copy()
    percent[cop_cols] = percent[cop_cols] * 100.0
    watts = df.iloc[[1]].copy()
    watts[pdh_cols] = watts[pdh_cols] * 1000.0
    prated_w = df.iloc[[2]].copy()
    prated_w["Prated_kW"] = prated_w["Prated_kW"] * 1000.0
    src = tmp_path / "mistakes.csv"
    pd.concat([percent, watts, prated_w, df.iloc[[3]]]).to_csv(src, index=False)
    out = tmp_path / "rated.csv"
    assert main(["scop", "--declared", str(src), "--out", str(out)]) == 0
    status = pd.read_csv(out)["status"].tolist()
    assert "not a percentage" in status[0]
    assert "are both in kW" in status[1]
    assert "is it in W" in status[2]
    assert status[3] == "ok"

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
    assert set(dp.source_type) == {"air", "brine", "water"}
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
    good = res.drop(index=[1, 2, 3])
    assert (good.status == "ok").all()
    err_pct = 100 * (good.SCOP_calc / good.SCOP - 1)
    assert (err_pct.abs() <= TOL_PCT).all(), err_pct.round(2).tolist()
    # eta_s from the computed SCOP follows the declared eta_s within the SCOP tolerance
    assert (abs(good.eta_s_calc_pct - good.eta_s_pct) <= 0.02 * good.eta_s_pct + 1).all()
    assert "not rated" in capsys.readouterr().out


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

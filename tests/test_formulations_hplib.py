"""hplib catalogue reader and its use as selection candidates.

Second tool: hplib's own ``simulate`` (the installed package) must give the same COP and
thermal power as the vectorised evaluation; the row counts per group are those of hplib's README
(FZJ-IEK3-VSA/hplib, "Heat pump models and Group IDs").
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designopt.errors import DataFormatError
from designopt.io.hplib_catalogue import (
    hplib_database_path,
    hplib_heating_performance,
    load_hplib_catalogue,
)
from formulations.data import Periods, candidates_from_hplib

tol_W = 1e-6  # [W]
tol_cop = 1e-9  # [1]


@pytest.fixture(scope="module")
def cat():
    return load_hplib_catalogue()


def test_catalogue_counts_and_columns(cat):
    # hplib README: regulated air 366, on-off air 23, on-off brine 53, on-off water 10 products
    counts = cat["group"].value_counts()
    assert (counts[1], counts[4], counts[5], counts[6]) == (366, 23, 53, 10)
    assert set(cat["hp_type"]) == {"air/water", "brine/water", "water/water"}
    assert cat["name"].is_unique
    lw = cat["sound_power_outdoor_dBA"].dropna()
    assert lw.between(20, 120).all()
    assert cat.loc[cat["refrigerant"] == "R290", "gwp"].eq(3.0).all()
    assert cat.loc[cat["refrigerant"] == "Other", "gwp"].isna().all()


@pytest.mark.parametrize("row", [0, 5, 50, 200, 370, 420, 450, 500])
def test_performance_matches_hplib_simulate(cat, row):
    hpl = pytest.importorskip("hplib.hplib")
    raw = pd.read_csv(hplib_database_path())
    r = cat.iloc[row]
    par = raw[
        (raw["Model"].str.strip() == r["model"])
        & (raw["Manufacturer"].str.strip() == r["manufacturer"])
    ].head(1)
    t_src = np.array([-10.0, -7.0, 2.0, 7.0, 12.0])
    t_flow = np.array([35.0, 34.0, 30.0, 27.0, 55.0])
    t_amb = np.array([-5.0, -3.0, 2.0, 7.0, 10.0])
    ref = hpl.simulate(t_src, t_flow - 5.0, par, t_amb)  # hplib adds 5 K to get T_out
    mine = hplib_heating_performance(
        cat.iloc[[row]],
        t_source_K=t_src + 273.15,
        t_flow_K=t_flow + 273.15,
        t_outdoor_K=t_amb + 273.15,
    )
    ok = mine["valid"][0]
    np.testing.assert_allclose(mine["cop"][0][ok], np.asarray(ref["COP"][0])[ok], atol=tol_cop)
    np.testing.assert_allclose(
        mine["heat_output"][0][ok], np.asarray(ref["P_th"][0])[ok], atol=tol_W
    )
    np.testing.assert_allclose(
        mine["electric_power"][0][ok], np.asarray(ref["P_el"][0])[ok], atol=tol_W
    )


def test_missing_file_is_a_data_format_error(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataFormatError, match="lacks hplib columns"):
        load_hplib_catalogue(bad)


def test_candidates_from_hplib_physical_ranges(cat):
    hours = np.loadtxt(
        Path(__file__).parent / "data" / "en14825_bin_hours_average.csv",
        delimiter=",",
        skiprows=4,
        usecols=1,
    ).tolist()
    per = Periods.from_bins(
        t_bins_degC=np.arange(-10, 16), hours=hours, design_load_W=8000.0, t_design_degC=-10
    )
    t_flow = 273.15 + np.interp(np.arange(-10, 16), [-10, -7, 2, 7, 12], [35, 34, 30, 27, 24])
    c = candidates_from_hplib(
        cat, per, t_flow_K=t_flow, capital_cost_EUR=np.full(len(cat), 1e4), receiver_distance_m=5.0
    )
    runs = c.heat_capacity_W > 0
    # COP where a unit runs: above 1 and below the Carnot COP of its temperatures
    t_src = np.where(c.ground_source[:, None], 273.15, per.t_outdoor_K[None, :])
    carnot = t_flow[None, :] / (t_flow[None, :] - t_src)
    assert np.all(c.cop[runs] > 1.0)
    assert np.all(c.cop[runs] < np.broadcast_to(carnot, c.cop.shape)[runs])
    # receiver level 5 m from a unit on the ground: L_WA - 20 lg 5 - 8 dB
    air = ~c.ground_source & np.isfinite(cat["sound_power_outdoor_dBA"].to_numpy())
    expected = cat["sound_power_outdoor_dBA"].to_numpy()[air] + 10 * np.log10(
        2 / (4 * np.pi * 25.0)
    )
    np.testing.assert_allclose(c.receiver_level_dB[air], expected, atol=1e-9)
    assert np.all(np.isnan(c.receiver_level_dB[c.ground_source]))

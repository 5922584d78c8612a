"""Candidates from declared Keymark EN 14825 records (tests/data/formulations_keymark_sample.csv)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designopt.errors import ConfigurationError
from formulations.data import Backup, Periods, SelectionData, candidates_from_keymark, per_kWh
from formulations.selection import solve_selection

SAMPLE = Path(__file__).parent / "data" / "formulations_keymark_sample.csv"
HOURS = np.loadtxt(
    Path(__file__).parent / "data" / "en14825_bin_hours_average.csv",
    delimiter=",",
    skiprows=4,
    usecols=1,
).tolist()
tol_W = 1e-6  # [W]


@pytest.fixture
def periods():
    return Periods.from_bins(
        t_bins_degC=np.arange(-10, 16), hours=HOURS, design_load_W=8000.0, t_design_degC=-10
    )


def test_declared_points_are_reproduced(periods):
    cand, df = candidates_from_keymark(
        SAMPLE, periods, climate="average", application_degC=35, capital_cost_EUR=np.full(4, 1e4)
    )
    raw = pd.read_csv(SAMPLE, comment="#")
    assert cand.n == 4  # the four air/water records of the sample
    j = {t: int(np.flatnonzero(np.arange(-10, 16) == t)[0]) for t in (-7, 2, 7, 12)}
    for i, title in enumerate(df["title"]):
        row = raw[raw["title"] == title].iloc[0]
        for t, sfx in ((-7, "m7"), (2, "p2"), (7, "p7"), (12, "p12")):
            assert abs(cand.heat_capacity_W[i, j[t]] - row[f"Pdh_{sfx}_kW"] * 1e3) <= tol_W
            assert abs(cand.cop[i, j[t]] - row[f"COPd_{sfx}"]) <= 1e-12
    # Vaillant VWL 105/6 A: Tbiv = TOL = -10 °C, declared 8.93 kW / COP 2.58 there
    v = int(np.flatnonzero(df["title"] == "VWL 105/6 A")[0])
    assert abs(cand.heat_capacity_W[v, 0] - 8930.0) <= tol_W
    # BES MONOBLOK 9KW: TOL -10 °C -> runs from the first bin on
    assert np.all(cand.heat_capacity_W[:, 1:] > 0)


def test_selection_on_keymark_records(periods):
    cand, _ = candidates_from_keymark(
        SAMPLE,
        periods,
        climate="average",
        application_degC=35,
        capital_cost_EUR=lambda df: 3000.0 + 500.0 * df["Prated_kW"].to_numpy(float),
        receiver_distance_m=5.0,
    )
    data = SelectionData(
        periods=periods,
        candidates=cand,
        backup=Backup(
            cost_per_W_EUR=0.03, energy_price_EUR_per_J=per_kWh(0.3), max_capacity_W=8000.0
        ),
        electricity_price_EUR_per_J=per_kWh(0.3),
        annuity_factor_per_year=0.07,
        noise_limit_dB=40.0,
    )
    ds, _, _ = solve_selection(data)
    i = int(ds.attrs["selected_index"])
    assert cand.receiver_level_dB[i] <= 40.0
    np.testing.assert_allclose(ds.heat_pump_heat + ds.backup_heat, ds.heat_demand, atol=1e-6)


def test_no_matching_records(periods):
    with pytest.raises(ConfigurationError, match="no Keymark records"):
        candidates_from_keymark(
            SAMPLE, periods, climate="colder", application_degC=35, capital_cost_EUR=np.ones(1)
        )


def test_select_cli_with_keymark_records(tmp_path, capsys):
    import xarray as xr

    from designopt.cli import main

    case = tmp_path / "case.toml"
    case.write_text(
        'schema = 1\nname = "km"\n[building]\ndesign_heat_load_kW = 8.0\nemitter = "underfloor"\n'
        '[[noise.receivers]]\nname = "window"\ndistance_m = 5.0\n'
    )
    out = tmp_path / "sel.nc"
    assert main(["select", str(case), "--candidates", str(SAMPLE), "--out", str(out)]) == 0
    ds = xr.load_dataset(out)
    assert ds.sizes["candidate"] == 4
    assert ds.attrs["selected_name"] in set(ds.candidate.values)

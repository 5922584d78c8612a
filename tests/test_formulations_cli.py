"""The select / dispatch / front commands on a small case written here."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from designopt.cli import main

CASE = """
schema = 1
name = "tiny_select"
[site]
climate = "average"
[building]
design_heat_load_kW = 6.0
emitter = "underfloor"
[source]
type = "air"
[economics]
electricity_price_per_kWh = 0.30
gas_price_per_kWh = 0.09
[policy]
gwp_cap = 700
[[noise.receivers]]
name = "window"
distance_m = 6.0
reflecting_surfaces = 2
"""


@pytest.fixture
def case(tmp_path):
    p = tmp_path / "case.toml"
    p.write_text(CASE)
    return p


def test_select_then_dispatch(case, tmp_path, capsys):
    sel = tmp_path / "sel.nc"
    assert main(["select", str(case), "--out", str(sel)]) == 0
    ds = xr.load_dataset(sel)
    i = int(ds.attrs["selected_index"])
    assert ds.gwp.values[i] <= 700  # the case's GWP cap holds
    assert ds.noise_margin.values[i] <= 0.0  # worst receiver margin (level - limit) <= 0 dB
    assert ds.noise_margin.attrs["units"] == "dB" and "receiver_level" not in ds
    np.testing.assert_allclose(ds.heat_pump_heat + ds.backup_heat, ds.heat_demand, atol=1e-6)
    for name in list(ds.data_vars) + list(ds.coords):
        assert "units" in ds[name].attrs, name
    out = tmp_path / "d.nc"
    args = ["dispatch", str(case), "--selection", str(sel), "--out", str(out)]
    assert main(args + ["--tou", "0,17,0.25", "--tou", "17,20,0.45", "--tou", "20,24,0.25"]) == 0
    d = xr.load_dataset(out)
    assert d.sizes["time"] == 8760
    assert d.attrs["product"] == ds.attrs["selected_name"]
    assert d.attrs["saving_vs_rule_pct"] >= -1e-6  # the LP is never worse than a rule
    assert "implied by the LP" in capsys.readouterr().out


def test_front_exact_against_a_study_table(case, tmp_path, capsys):
    rng = np.random.default_rng(2)
    a = rng.uniform(5.0, 20.0, 300)
    cap = 1000.0 * a
    life = cap + 2.0e5 / a + rng.normal(0.0, 500.0, 300)
    pd.DataFrame({"capital_cost": cap, "net_present_cost": life}).to_csv(
        tmp_path / "designs.csv", index=False
    )
    pd.DataFrame({"capital_cost": cap[:20] + 1.0, "net_present_cost": life[:20]}).to_csv(
        tmp_path / "study.csv", index=False
    )
    out = tmp_path / "front.nc"
    argv = [
        "front",
        str(case),
        "--exact",
        "--designs",
        str(tmp_path / "designs.csv"),
        "--points",
        "all",
    ]
    assert main(argv + ["--study", str(tmp_path / "study.csv"), "--out", str(out)]) == 0
    f = xr.load_dataset(out)
    assert f.attrs["study_points_all_weakly_dominated"] == 1
    assert f.attrs["hypervolume_gap_pct"] > 0.0
    assert "all weakly dominated = True" in capsys.readouterr().out


def test_unknown_product_is_a_clear_error(case, capsys):
    assert main(["dispatch", str(case), "--product", "No Such Unit"]) == 2
    assert "is not in the catalogue" in capsys.readouterr().err


def test_missing_or_wrong_input_files_are_clear_errors(case, tmp_path, capsys):
    # a mistyped path is exit 2 with a message, not a traceback
    missing = tmp_path / "nope.csv"
    assert main(["select", str(case), "--candidates", str(missing)]) == 2
    assert "--candidates" in capsys.readouterr().err
    sel = tmp_path / "nope.nc"
    assert main(["dispatch", str(case), "--selection", str(sel), "--no-plot"]) == 2
    assert "--selection" in capsys.readouterr().err
    assert main(["dispatch", str(case), "--selection", str(case), "--no-plot"]) == 2
    assert "--selection" in capsys.readouterr().err


BOREFIELD = """
[borefield]
layout = "rectangle"
nx = 1
ny = 2
spacing_m = 8.0
length_m = 100.0
buried_depth_m = 1.0
borehole_radius_m = 0.07
[ground]
conductivity_W_per_mK = 2.2
volumetric_heat_capacity_J_per_m3K = 2.4e6
t_undisturbed_degC = 10.0
[borehole]
resistance_mK_per_W = 0.12
[loads]
years = 20
extraction_kWh = [1700, 1500, 1300, 900, 500, 100, 50, 50, 300, 800, 1200, 1600]
injection_kWh = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
[limits]
reference = "mean_fluid"
t_min_degC = -3.0
t_max_degC = 25.0
"""


def test_ground_case_sizes_borehole_through_sizing_surrogate(tmp_path, monkeypatch):
    """Ground case: the surrogate comes from designopt.ground sizing runs (lengths rise with
    extraction) and the selected ground unit gets a borehole sized for its ground load."""
    monkeypatch.setenv("DESIGNOPT_CACHE_DIR", str(tmp_path / "cache"))
    case = tmp_path / "ground.toml"
    case.write_text(
        'schema = 1\nname = "gs"\n[building]\ndesign_heat_load_kW = 8.0\nemitter = "underfloor"\n[source]\ntype = "ground"\n'
    )
    bf = tmp_path / "bf.toml"
    bf.write_text(BOREFIELD)
    from designopt.io.borefield_toml import load_borefield_case
    from formulations.case_data import borehole_surrogate_from_borefield

    sur = borehole_surrogate_from_borefield(load_borefield_case(bf), 3000.0, n_breakpoints=4)
    assert np.all(np.diff(sur.length_m) > 0)
    out = tmp_path / "g.nc"
    assert main(["select", str(case), "--borefield", str(bf), "--out", str(out)]) == 0
    ds = xr.load_dataset(out)
    assert float(ds.borehole_length) > 0.0
    assert float(ds.ground_extraction) > 0.0

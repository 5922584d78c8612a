"""``designopt borefield`` command and the borefield TOML loader."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from designopt.cli import main
from designopt.errors import ConfigurationError, DataFormatError
from designopt.ground.gfunction import clear_memory_cache
from designopt.io.borefield_toml import load_borefield_case, parse_borefield_case

EXAMPLE = Path(__file__).parents[1] / "casestudies" / "borefield_example" / "borefield.toml"


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    old = os.environ.get("DESIGNOPT_CACHE_DIR")
    os.environ["DESIGNOPT_CACHE_DIR"] = str(tmp_path_factory.mktemp("gcache"))
    clear_memory_cache()
    yield
    clear_memory_cache()
    if old is None:
        os.environ.pop("DESIGNOPT_CACHE_DIR", None)
    else:
        os.environ["DESIGNOPT_CACHE_DIR"] = old


SMALL = """
[borefield]
layout = "rectangle"
nx = 2
ny = 2
spacing_m = 6.0
length_m = 80.0
[ground]
conductivity_W_per_mK = 2.0
volumetric_heat_capacity_J_per_m3K = 2.2e6
t_undisturbed_degC = 10.0
[borehole]
resistance_mK_per_W = 0.12
[loads]
years = 10
extraction_kWh = [4000, 3600, 3000, 2000, 1000, 0, 0, 0, 800, 1800, 2800, 3600]
injection_kWh = [0, 0, 0, 0, 300, 900, 1300, 1200, 400, 0, 0, 0]
peak_extraction_kW = [12, 11, 10, 8, 5, 0, 0, 0, 4, 7, 10, 11]
[limits]
t_min_degC = 0.0
t_max_degC = 25.0
"""


def _write(tmp_path, text):
    path = tmp_path / "case.toml"
    path.write_text(text)
    return path


def test_size_json(tmp_path, capsys):
    assert main(["borefield", "size", str(_write(tmp_path, SMALL)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["binding_limit"] == "minimum"
    assert out["total_length_m"] == pytest.approx(4 * out["length_per_borehole_m"])
    assert out["t_fluid_min_degC"] == pytest.approx(0.0, abs=0.01)
    assert 1 <= out["binding_year"] <= 10


def test_simulate_writes_netcdf_with_units(tmp_path, capsys):
    import xarray as xr

    nc = tmp_path / "temps.nc"
    assert main(["borefield", "simulate", str(_write(tmp_path, SMALL)), "--out", str(nc)]) == 0
    ds = xr.open_dataset(nc)
    assert ds.sizes["time"] == 120
    for name in list(ds.data_vars) + list(ds.coords):
        assert ds[name].attrs.get("units")
    ds.close()


def test_example_case_loads():
    case = load_borefield_case(EXAMPLE)
    assert case.borefield.n_boreholes == 12
    assert case.limits.reference.value == "heat_pump_inlet"


def test_unknown_key_is_a_data_format_error(tmp_path, capsys):
    bad = SMALL.replace("spacing_m = 6.0", "spacing_m = 6.0\nspacin_m = 6.0")
    assert main(["borefield", "size", str(_write(tmp_path, bad))]) == 2
    assert "unknown key(s) ['spacin_m']" in capsys.readouterr().err


def test_infeasible_case_reports_clearly(tmp_path, capsys):
    bad = SMALL.replace("t_min_degC = 0.0", "t_min_degC = 9.9")
    assert main(["borefield", "size", str(_write(tmp_path, bad))]) == 2
    assert "no borehole length up to H_max" in capsys.readouterr().err


def test_loader_errors():
    with pytest.raises(DataFormatError, match=r"missing section \[ground\]"):
        parse_borefield_case({"borefield": {"nx": 1, "ny": 1, "spacing_m": 6}})
    with pytest.raises(DataFormatError, match="does not exist"):
        load_borefield_case("/nonexistent/case.toml")
    import tomllib

    doc = tomllib.loads(SMALL)
    doc["borefield"]["layout"] = "hexagon"
    with pytest.raises(ConfigurationError, match="is not one of 'rectangle'"):
        parse_borefield_case(doc)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("ground", "t_undisturbed_degC", "ten"),
        ("borefield", "nx", "two"),
        ("borefield", "length_m", [80.0]),
        ("loads", "years", "x"),
        ("limits", "t_min_degC", None),
    ],
)
def test_loader_wrong_value_type_is_a_data_format_error(section, key, value):
    # a string or list where a number belongs used to escape as a bare ValueError / TypeError
    import tomllib

    doc = tomllib.loads(SMALL)
    doc[section][key] = value
    with pytest.raises(DataFormatError, match=rf"bad value in \[{section}\]"):
        parse_borefield_case(doc)


def test_count_target(tmp_path, capsys):
    case = SMALL + '\n[sizing]\ntarget = "count"\nmax_boreholes = 9\n'
    assert main(["borefield", "size", str(_write(tmp_path, case)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["target"] == "count" and 1 <= out["n_boreholes"] <= 9
    assert out["t_fluid_min_degC"] >= 0.0 - 1e-6


def test_hourly_csv_loads(tmp_path, capsys):
    import numpy as np

    h = np.arange(8760)
    q_kW = 3.0 * np.cos(2 * np.pi * h / 8760) + 1.0 + 1.5 * np.sin(2 * np.pi * h / 24)
    (tmp_path / "loads.csv").write_text(
        "# synthetic test series\nnet_load_kW\n" + "\n".join(f"{v:.4f}" for v in q_kW) + "\n"
    )
    case = SMALL.split("[loads]")[0] + (
        '[loads]\nyears = 5\nhourly_csv = "loads.csv"\n[limits]\nt_min_degC = 0.0\n'
        't_max_degC = 25.0\n[sizing]\nmethod = "hourly"\n'
    )
    assert main(["borefield", "size", str(_write(tmp_path, case)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "hourly"
    assert out["t_fluid_min_degC"] == pytest.approx(0.0, abs=0.01)


def test_sizing_options_of_the_other_target_are_refused(tmp_path):
    """Options that the chosen target would silently ignore are an error naming them."""
    for extra, match in (
        ('target = "count"\nH_max_m = 150.0\n', "H_max_m apply to target='length' only"),
        ('target = "count"\ngfunction = "exact"\n', "gfunction apply to target='length' only"),
        ("max_boreholes = 9\n", "max_boreholes apply to target='count' only"),
    ):
        path = tmp_path / "case.toml"
        path.write_text(SMALL + "\n[sizing]\n" + extra)
        with pytest.raises(ConfigurationError, match=match):
            load_borefield_case(path)

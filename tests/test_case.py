"""Case files: the shipped case study loads; every invalid file gives one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from designopt.case import case_from_mapping, load_case
from designopt.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[1]
CASE_STUDY = ROOT / "casestudies" / "ashp_retrofit" / "case.toml"

BASE = {
    "schema": 1,
    "name": "t",
    "building": {"design_heat_load_kW": 6.0},
    "space": {"evaporator_area_m2": {"low": 20.0, "high": 60.0}},
    "noise": {"receivers": [{"distance_m": 5.0, "reflecting_surfaces": 2}]},
}


def _with(**changes):
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    for dotted, value in changes.items():
        parts = dotted.split("__")
        d = data
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = value
    return data


def test_case_study_loads():
    case = load_case(CASE_STUDY)
    assert case.name == "ashp_retrofit"
    assert case.design_temperature_degC == -10.0
    assert case.flow_temperature_degC == 55.0
    assert set(case.space) >= {
        "refrigerant",
        "evaporator_area_m2",
        "condenser_area_m2",
        "swept_volume_cm3",
    }
    assert len(case.fingerprint()) == 16


def test_fingerprint_ignores_budget_but_not_physics():
    a = case_from_mapping(BASE)
    b = case_from_mapping(_with(optimisation__trials=5))
    c = case_from_mapping(_with(building__design_heat_load_kW=7.0))
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schema": 2}, r"schema=2 is not supported"),
        (
            {"building__design_heat_load_kW": -1.0},
            r"building.design_heat_load_kW=-1.0: Input should be greater than 0",
        ),
        ({"building__emitter": "floor"}, r"building.emitter='floor'.*'radiators' or 'underfloor'"),
        ({"site__climate": "arctic"}, r"site.climate='arctic'.*'average', 'colder' or 'warmer'"),
        ({"building__colour": "red"}, r"building.colour='red': is not a known field"),
        (
            {"optimisation__objectives": ["cost"]},
            r"unknown objective\(s\) \['cost'\]; allowed: \[.*'capital_cost'",
        ),
        ({"optimisation__constraints": ["loudness"]}, r"unknown constraint\(s\) \['loudness'\]"),
        (
            {"space__evaporator_area_m2": {"low": 60.0, "high": 20.0}},
            r"low=60.0 must not exceed high=20.0",
        ),
        (
            {"space__coil_size": {"low": 1.0, "high": 2.0}},
            r"space.coil_size is not a design variable; valid: \[.*'evaporator_area_m2'",
        ),
        (
            {"space__refrigerant": {"choices": ["R290", "R999"]}},
            r"'R999' is not a known refrigerant; valid: \[.*'R290'",
        ),
        ({"space__refrigerant": {"low": 1.0, "high": 2.0}}, r"space.refrigerant is categorical"),
        (
            {"space__evaporator_area_m2": {"low": -5.0, "high": 20.0}},
            r"space.evaporator_area_m2=-5.0 lies outside \[0.5, 2000.0\] m2",
        ),
        ({"fixed__fan_diameter_m": "big"}, r"fixed.fan_diameter_m='big' must be a finite number"),
        (
            {"noise__receivers": [{"distance_m": -5.0}]},
            r"noise.receivers\[0\].distance_m=-5.0: Input should be greater than 0",
        ),
        (
            {"noise__receivers": [{"distance_m": 5.0, "reflecting_surfaces": 4}]},
            r"reflecting_surfaces=4: Input should be less than or equal to 3",
        ),
        (
            {"noise__receivers": []},
            r"constraint 'noise' needs at least one \[\[noise.receivers\]\]",
        ),
        ({"optimisation__constraints": ["gwp"]}, r"constraint 'gwp' needs policy.gwp_cap"),
        (
            {"optimisation__constraints": ["fluid_temperature"]},
            r"\[.fluid_temperature.\] need an hourly simulation",
        ),
        (  # water sources have no hourly year either: every trial would fail
            {
                "source__type": "water",
                "noise__receivers": [],
                "optimisation__constraints": ["capacity", "unmet_load"],
            },
            r"\[.unmet_load.\] need an hourly simulation",
        ),
        (
            {
                "source__type": "water",
                "noise__receivers": [],
                "optimisation__constraints": ["fluid_temperature"],
            },
            r"\[.fluid_temperature.\] need an hourly simulation",
        ),
        (
            {"source__type": "ground"},
            r"source.type='ground' needs a \[ground\] table with at least conductivity_W_per_mK",
        ),
    ],
)
def test_invalid_case_messages(changes, message):
    with pytest.raises(ConfigurationError, match=message):
        case_from_mapping(_with(**changes))


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_case(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ConfigurationError, match="is not valid TOML"):
        load_case(bad)


def test_fingerprint_follows_the_weather_file_contents(tmp_path):
    """The same weather_file name next to two case files (or an edited EPW) changes the results,
    so it must change the fingerprint; it used to be ignored (a resumed study mixed years)."""
    from designopt.case import Case

    fps = []
    for k, text in enumerate(("year one\n", "year two\n", "year one\n")):
        folder = tmp_path / f"c{k}"
        folder.mkdir()
        (folder / "w.epw").write_text(text)
        case = Case.model_validate({**_with(site__weather_file="w.epw"), "base_dir": str(folder)})
        fps.append(case.fingerprint())
    assert fps[0] != fps[1]
    assert fps[0] == fps[2]  # same contents, another folder: same results

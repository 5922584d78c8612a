"""Bad input, as a hostile or hurried user gives it: every case is refused with one line that
names the bad field or value, no traceback, no silent acceptance, and nothing is overwritten.

Part A is generated from the case schema (every bounded number of every table: below and
above its range, NaN, infinity, text, a fraction for whole numbers); part B holds the cases a
review found accepted or crashing (issue 12); part C drives the command line.
"""

from __future__ import annotations

import copy
import math
import tomllib
import typing
from pathlib import Path

import annotated_types as at
import pytest

from designopt.case import (
    Building,
    Economics,
    GroundTable,
    Optimisation,
    Policy,
    Receiver,
    Site,
    case_from_mapping,
    load_case,
)
from designopt.cli import main
from designopt.errors import ConfigurationError

DATA = Path(__file__).parent / "data"
CASES = DATA / "cases"
AIR = tomllib.loads((CASES / "tiny_air.toml").read_text())
GROUND = tomllib.loads((CASES / "tiny_ground.toml").read_text())


# ----------------------------------------------------------------------------- A: generated
def _numeric(annotation) -> str | None:
    """'int' or 'float' for a (possibly optional) numeric annotation, else None."""
    args = typing.get_args(annotation) or (annotation,)
    kinds = {a for a in args if a in (int, float)}
    if kinds == {int}:
        return "int"
    if float in kinds:
        return "float"
    return None


def _bounds(info) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in info.metadata:
        if isinstance(m, at.Ge | at.Gt):
            lo = float(getattr(m, "ge", getattr(m, "gt", None)))
        if isinstance(m, at.Le | at.Lt):
            hi = float(getattr(m, "le", getattr(m, "lt", None)))
    return lo, hi


def _bad_values(kind: str, lo, hi):
    out = [("nan", math.nan), ("inf", math.inf), ("text", "ten")]
    if lo is not None:
        out.append(("below", lo - max(1.0, abs(lo))))
    if hi is not None:
        out.append(("above", hi + max(1.0, abs(hi))))
    if kind == "int":
        out.append(("fraction", (lo if lo is not None else 0.0) + 1.5))
    return out


#: table -> (model, base mapping, how to put the value into it)
_TABLES = {
    "economics": (Economics, AIR),
    "policy": (Policy, AIR),
    "site": (Site, AIR),
    "building": (Building, AIR),
    "optimisation": (Optimisation, AIR),
    "noise.receivers": (Receiver, AIR),
    "ground": (GroundTable, GROUND),
}


def _generated():
    for table, (model, _) in _TABLES.items():
        for field, info in model.model_fields.items():
            kind = _numeric(info.annotation)
            if kind is None:
                continue
            lo, hi = _bounds(info)
            for label, value in _bad_values(kind, lo, hi):
                yield pytest.param(table, field, value, id=f"{table}.{field}-{label}")


def _put(table: str, field: str, value):
    data = copy.deepcopy(_TABLES[table][1])
    if table == "noise.receivers":
        data["noise"]["receivers"][0][field] = value
    else:
        data.setdefault(table, {})[field] = value
    return data


GENERATED = list(_generated())


def test_the_generated_set_is_large():
    assert len(GENERATED) >= 200


@pytest.mark.parametrize(("table", "field", "value"), GENERATED)
def test_every_out_of_range_number_is_one_line_naming_the_field(table, field, value):
    with pytest.raises(ConfigurationError) as err:
        case_from_mapping(_put(table, field, value), base_dir=CASES)
    msg = str(err.value)
    assert "\n" not in msg and field in msg


# ----------------------------------------------------------------------------- B: found in review
def _with(base, path: str, value):
    data = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value
    return data


REVIEWED = [
    # case names become folders: results/<name>
    ("name-absolute", _with(AIR, "name", "/abs/dir"), r"name='/abs/dir': String should match"),
    ("name-parent", _with(AIR, "name", "../../x"), r"name='../../x'"),
    ("name-empty", _with(AIR, "name", ""), r"name='': String should match"),
    ("name-slash", _with(AIR, "name", "a/b"), r"name='a/b'"),
    ("name-nul", _with(AIR, "name", "a\x00b"), r"name='a\\x00b'"),
    ("name-300", _with(AIR, "name", "a" * 300), r"name='aaaa"),
    # money that swallows every number
    ("subsidy-1e9", _with(AIR, "economics.capital_subsidy", 1e9), r"capital_subsidy=1000000000.0"),
    ("subsidy-inf", _with(AIR, "economics.capital_subsidy", math.inf), r"capital_subsidy=inf"),
    (
        "standing-1e300",
        _with(AIR, "economics.electricity_standing_charge_per_year", 1e300),
        r"electricity_standing_charge_per_year=1e\+300",
    ),
    ("cost-year-2024", _with(AIR, "economics.cost_base_year", 2024), r"cost_base_year=2024 has no"),
    ("cost-year-2005", _with(AIR, "economics.cost_base_year", 2005), r"cost_base_year=2005 has no"),
    # the same receiver twice
    (
        "receivers-same-name",
        _with(
            AIR,
            "noise.receivers",
            [{"name": "Window", "distance_m": 5.0}, {"name": "window", "distance_m": 50.0}],
        ),
        r"receiver names 'Window' and 'window' are the same name",
    ),
    (
        "background-on-mcs020a",
        _with(AIR, "noise.receivers", [{"name": "w", "distance_m": 5.0, "background_dBA": 30.0}]),
        r"background_dBA is used by method='mcs020' only",
    ),
    (
        "water-temp-on-air",
        _with(AIR, "source.water_temperature_degC", 12.0),
        r"water_temperature_degC is for source.type='water'",
    ),
    (
        "categorical-on-numeric",
        _with(AIR, "space.evaporator_area_m2", {"low": 30.0, "high": 70.0, "type": "categorical"}),
        r"type='categorical' needs choices",
    ),
    (
        "float-on-choices",
        _with(AIR, "space.refrigerant", {"choices": ["R290"], "type": "float"}),
        r"type='float' needs low/high",
    ),
    (
        "float-type-on-int-variable",
        _with(GROUND, "space.borehole_count", {"low": 1, "high": 3, "type": "float"}),
        r"space.borehole_count is an integer variable",
    ),
    ("seed-negative", _with(AIR, "optimisation.seed", -1), r"seed=-1"),
    ("seed-2-32", _with(AIR, "optimisation.seed", 2**32), r"seed=4294967296"),
    ("unpriced-refrigerant", _with(AIR, "fixed.refrigerant", "R1234ze(Z)"), r"refrigerant"),
    (
        "objective-scop-on-ground",
        _with(GROUND, "optimisation.objectives", ["capital_cost", "scop"]),
        r"use 'spf'",
    ),
]


@pytest.mark.parametrize(("data", "message"), [pytest.param(d, m, id=i) for i, d, m in REVIEWED])
def test_reviewed_bad_cases_are_refused(data, message):
    with pytest.raises(ConfigurationError, match=message) as err:
        case_from_mapping(data, base_dir=CASES)
    assert "\n" not in str(err.value)


def test_a_case_file_that_is_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes((CASES / "tiny_air.toml").read_bytes() + "# Gr\xfc\xdfe\n".encode("latin-1"))
    with pytest.raises(ConfigurationError, match=r"is not UTF-8 text"):
        load_case(path)


# ----------------------------------------------------------------------------- C: the command line
def _cli(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def air_case(tmp_path) -> Path:
    path = tmp_path / "case.toml"
    path.write_text((CASES / "tiny_air.toml").read_text())
    return path


def test_run_refuses_a_folder_that_is_not_a_study(tmp_path, air_case, capsys, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    code, err = _cli(capsys, "run", air_case, "--out", mine, "--trials", "1")
    assert code == 2 and "holds files designopt did not write (thesis.docx)" in err
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.docx"]
    monkeypatch.chdir(mine)  # --out . in a folder of one's own
    code, err = _cli(capsys, "run", air_case, "--out", ".", "--trials", "1")
    assert code == 2 and "--force" in err
    code, err = _cli(capsys, "run", air_case, "--out", "", "--trials", "1")
    assert code == 2 and "--out='' is empty" in err
    code, err = _cli(capsys, "run", air_case, "--out", air_case, "--trials", "1")
    assert code == 2 and "is a file, not a folder" in err
    assert air_case.read_text() == (CASES / "tiny_air.toml").read_text()


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5"])
def test_run_refuses_a_seed_outside_numpys_range(air_case, capsys, seed):
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(air_case), "--seed", seed])
    assert exit_.value.code == 2
    assert "--seed" in capsys.readouterr().err


def test_borefield_simulate_never_replaces_its_case(tmp_path, capsys):
    case = tmp_path / "borefield.toml"
    case.write_text(Path("casestudies/borefield_example/borefield.toml").read_text())
    before = case.read_bytes()
    code, err = _cli(capsys, "borefield", "simulate", case, "--out", case)
    assert code == 2 and "writes a .nc file" in err
    other = tmp_path / "notes.nc"
    other.write_text("not netcdf")
    code, err = _cli(capsys, "borefield", "simulate", case, "--out", other)
    assert code == 2 and "is not a file designopt wrote" in err
    assert case.read_bytes() == before and other.read_text() == "not netcdf"


def test_scop_never_overwrites_its_input(tmp_path, capsys):
    declared = tmp_path / "declared.csv"
    declared.write_text((DATA / "keymark_sample.csv").read_text())
    before = declared.read_bytes()
    code, err = _cli(capsys, "scop", "--declared", declared, "--out", declared)
    assert code == 2 and "is the input file" in err
    assert declared.read_bytes() == before
    code, err = _cli(capsys, "scop", "--declared", tmp_path, "--out", tmp_path / "o.csv")
    assert code == 2 and "is not a file" in err
    # its own output may be replaced
    out = tmp_path / "rated.csv"
    assert _cli(capsys, "scop", "--declared", declared, "--out", out)[0] == 0
    assert _cli(capsys, "scop", "--declared", declared, "--out", out)[0] == 0


def test_report_refuses_a_file_it_did_not_write(tmp_path, capsys):
    (tmp_path / "results.nc").write_bytes(b"\x89HDF garbage")
    code, err = _cli(capsys, "report", tmp_path)
    assert code == 2 and "is not a results file written by designopt" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--storage-kWh", "-5"], "--storage-kWh"),
        (["--tou", "0,25,0.3"], "hours of the day"),
        (["--tou", "7,9,-1"], "PRICE_PER_KWH"),
    ],
)
def test_dispatch_refuses_nonsense_options(air_case, capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(["dispatch", str(air_case), "--product", "x", *args])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_select_refuses_a_device_as_candidates(air_case, capsys, tmp_path):
    code, err = _cli(
        capsys, "select", air_case, "--candidates", "/dev/zero", "--out", tmp_path / "s.nc"
    )
    assert code == 2 and "not a regular file or folder" in err


def test_front_refuses_missing_designs(air_case, capsys, tmp_path):
    code, err = _cli(
        capsys,
        "front",
        air_case,
        "--exact",
        "--designs",
        tmp_path / "none.nc",
        "--out",
        tmp_path / "f.nc",
    )
    assert code == 2 and "is not a file" in err


def test_an_os_error_is_one_line(air_case, capsys, tmp_path, monkeypatch):
    """A full disk (or any OSError) while writing is the machine's answer, not a bug."""
    import errno

    import designopt.cli._outputs as outputs

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "new"))

    monkeypatch.setattr(outputs.Path, "mkdir", full)
    code, err = _cli(capsys, "run", air_case, "--out", tmp_path / "new", "--trials", "1")
    assert code == 2 and "No space left on device" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("url", ["not a url", "postgresql//x", "://"])
def test_run_refuses_a_storage_that_is_not_a_url(air_case, capsys, tmp_path, url):
    code, err = _cli(capsys, "run", air_case, "--storage", url, "--out", tmp_path / "s")
    assert code == 2 and "is not a database URL" in err


def test_every_refusal_that_names_force_has_the_flag(tmp_path, capsys):
    """The refusal 'give a new name, or --force to replace it' is true for every command that
    writes files: each accepts --force, and with it replaces a foreign file (never its input)."""
    from designopt.cli import build_parser

    parser = build_parser()
    for argv in (
        ["borefield", "simulate", "c.toml", "--out", "o.nc"],
        ["dispatch", "c.toml", "--product", "x"],
        ["front", "c.toml", "--exact"],
        ["scop", "--declared", "d.csv", "--out", "o.csv"],
        ["select", "c.toml"],
        ["products"],
        ["run", "c.toml"],
        ["sweep", "s.toml"],
        ["switchover", "c.toml"],
    ):
        assert parser.parse_args([*argv, "--force"]).force is True, argv
    declared = tmp_path / "declared.csv"
    declared.write_text((DATA / "keymark_sample.csv").read_text())
    foreign = tmp_path / "notes.csv"
    foreign.write_text("my notes\n")
    code, err = _cli(capsys, "scop", "--declared", declared, "--out", foreign)
    assert code == 2 and "--force" in err and foreign.read_text() == "my notes\n"
    assert _cli(capsys, "scop", "--declared", declared, "--out", foreign, "--force")[0] == 0
    assert "SCOP_calc" in foreign.read_text()
    code, err = _cli(capsys, "scop", "--declared", declared, "--out", declared, "--force")
    assert code == 2 and "is the input file" in err  # --force never replaces an input

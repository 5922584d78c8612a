"""``designopt products``: filters, exports, errors and the names ``dispatch --product`` takes.

Expected counts are computed here from hplib's CSV file with the standard library (not with
designopt's reader), so the filters are checked against the catalogue file itself.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from designopt.cli import main
from designopt.cli.products import COLUMNS
from designopt.io.hplib_catalogue import hplib_database_path, load_hplib_catalogue

CASE = """
schema = 1
name = "tiny_products"
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
"""


@pytest.fixture(scope="module")
def rows():
    """The products of hplib's CSV: the real ones (not the 'Generic' averages) with reference
    powers, read with :mod:`csv`."""
    with open(hplib_database_path(), encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f))
    return [
        r
        for r in raw
        if r["Manufacturer"].strip() != "Generic"
        and r["P_th_h_ref [W]"].strip()
        and r["P_el_h_ref [W]"].strip()
    ]


def _json(capsys, *args):
    assert main(["products", *args, "--format", "json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def _name(r):
    return f"{r['Manufacturer'].strip()} {r['Model'].strip()}"


def _kW(r):
    return float(r["P_th_h_ref [W]"]) / 1e3


def _spl(r):
    text = r["SPL outdoor [dBA]"].strip()
    return float(text) if text else float("nan")


FILTERS = {
    "ground R290": (
        ["--type", "ground", "--refrigerant", "R290"],
        lambda r: r["Type"] == "Brine/Water" and r["Refrigerant"] == "R290",
    ),
    "air 5-10 kW": (
        ["--type", "air", "--min-kW", "5", "--max-kW", "10"],
        lambda r: r["Type"] == "Outdoor Air/Water" and 5.0 <= _kW(r) <= 10.0,
    ),
    "water or ground, comma and repeat": (
        ["--type", "water,brine/water", "--type", "ground"],
        lambda r: r["Type"] in ("Water/Water", "Brine/Water"),
    ),
    "r410a on-off (any case)": (
        ["--refrigerant", "r410A", "--control", "On-Off"],
        lambda r: r["Refrigerant"] == "R410a" and r["Subtype"] == "On-Off",
    ),
    # AR4 GWP <= 750: R32 (675), R290 (3), R1234yf (4); "Other" is unknown and fails
    "gwp <= 750": (
        ["--max-gwp", "750"],
        lambda r: r["Refrigerant"] in ("R32", "R290", "R1234yf"),
    ),
    # hplib writes 0 where no level was declared: not a quiet unit
    "quiet air": (
        ["--type", "air", "--max-sound-dBA", "55"],
        lambda r: r["Type"] == "Outdoor Air/Water" and 20.0 <= _spl(r) <= 55.0,
    ),
    "search words, accents and case ignored": (
        ["--search", "ALFEA excellia"],
        lambda r: "alféa" in _name(r).lower() and "excellia" in _name(r).lower(),
    ),
    "no filter": ([], lambda r: True),
}


def test_total_is_the_catalogue_file(rows, capsys):
    doc, _ = _json(capsys)
    assert doc["total"] == doc["matched"] == len(doc["products"]) == len(rows)
    assert len(rows) == 505  # the hplib 1.9 database; a new hplib changes this on purpose


@pytest.mark.parametrize("label", FILTERS)
def test_filters_match_counts_from_the_file(label, rows, capsys):
    args, keep = FILTERS[label]
    expected = sorted(_name(r) for r in rows if keep(r))
    assert expected, "each case should list something"
    doc, err = _json(capsys, *args)
    assert sorted(p["name"] for p in doc["products"]) == expected
    assert doc["matched"] == len(expected)
    assert err.strip() == f"{len(expected):,} of {len(rows):,} products match"


def test_table_shows_count_line_and_rating_points(rows, capsys):
    assert main(["products", "--type", "ground", "--min-kW", "60"]) == 0
    out = capsys.readouterr().out
    expected = [r for r in rows if r["Type"] == "Brine/Water" and _kW(r) >= 60.0]
    assert f"{len(expected)} of {len(rows)} products match" in out
    for r in expected:
        assert _name(r) in out
    assert "B0/W52" in out and "A-7/W52" not in out.split("\n\n")[0]


def test_sort_and_limit(capsys):
    doc, err = _json(capsys, "--type", "air", "--sort", "cop", "--limit", "7")
    cops = [p["cop"] for p in doc["products"]]
    assert len(cops) == 7 and cops == sorted(cops, reverse=True)
    assert doc["matched"] > 7 and "the first 7 by cop are listed" in err
    doc, _ = _json(capsys, "--type", "air")
    caps = [p["capacity_kW"] for p in doc["products"]]
    assert caps == sorted(caps)  # default: smallest first
    assert max(cops) == max(p["cop"] for p in doc["products"])


def test_every_listed_name_is_a_dispatch_name(capsys, tmp_path):
    """Round trip: the names listed are the catalogue's; a sample goes through dispatch's own
    product lookup (every type, accents, brackets, slashes), one through the command."""
    from formulations.case_data import dispatch_data_from_case, load_case_for_formulations

    doc, _ = _json(capsys)
    names = [p["name"] for p in doc["products"]]
    catalogue = load_hplib_catalogue()
    assert set(names) == set(catalogue["name"]) and len(set(names)) == len(names)
    by_type = {}
    for p in doc["products"]:
        by_type.setdefault(p["hp_type"], p["name"])
    odd = [n for n in names if not n.isascii()][:1] + [n for n in names if "(" in n][:1]
    odd += [n for n in names if "/" in n][:1]
    sample = [*by_type.values(), *odd, names[0], names[-1]]
    assert len(by_type) == 3 and len(odd) == 3
    case_file = tmp_path / "case.toml"
    case_file.write_text(CASE)
    case = load_case_for_formulations(case_file)
    for name in sample:
        data = dispatch_data_from_case(case, catalogue, name)
        assert data.n == 8760
    out = tmp_path / "d.nc"
    argv = ["dispatch", str(case_file), "--product", by_type["air/water"], "--out", str(out)]
    assert main([*argv, "--no-plot"]) == 0
    assert out.is_file()


def test_csv_and_json_parse_back_alike(capsys):
    doc, _ = _json(capsys, "--search", "atlantic")
    assert main(["products", "--search", "atlantic", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(table[0]) == COLUMNS
    assert [r["name"] for r in table] == [p["name"] for p in doc["products"]]
    assert any(not r["name"].isascii() for r in table)  # UTF-8 names survive
    for r, p in zip(table, doc["products"], strict=True):
        assert float(r["capacity_kW"]) == pytest.approx(p["capacity_kW"])
        assert (r["sound_power_outdoor_dBA"] == "") == (p["sound_power_outdoor_dBA"] is None)
    assert doc["kind"] == "designopt products" and "10.5281/zenodo.5521597" in doc["source"]
    assert doc["rating_points"]["brine/water"] == "B0/W52"
    assert doc["filters"] == ["--search 'atlantic'"]


def test_no_match_is_not_an_error(capsys):
    args = ["products", "--type", "ground", "--refrigerant", "R290", "--min-kW", "50"]
    assert main(args) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("no product matches the filters (0 of 505); widen them")
    assert "without --min-kW 50: 1" in out and "\n" not in out
    doc, err = _json(capsys, "--search", "no such unit")
    assert doc["products"] == [] and "search fewer words" in err


BAD = {
    "unknown type": (["--type", "hybrid"], ["'hybrid'", "air (air/water)", "ground (brine/water)"]),
    "unknown refrigerant": (["--refrigerant", "R744"], ["'R744'", "R290", "R410a", "Other"]),
    "unknown control": (["--control", "inverter"], ["'inverter'", "on-off, regulated"]),
    "negative kW": (["--min-kW", "-1"], ["--min-kW='-1'", ">= 0", "2.4 to 69.88 kW"]),
    "min above max": (["--min-kW", "9", "--max-kW", "3"], ["--min-kW=9", "--max-kW=3"]),
    "not a number": (["--max-kW", "ten"], ["--max-kW='ten'", "not a number"]),
    "infinite gwp": (["--max-gwp", "inf"], ["--max-gwp='inf'", "finite"]),
    "nan sound": (["--max-sound-dBA", "nan"], ["--max-sound-dBA='nan'", "finite"]),
    "zero limit": (["--limit", "0"], ["--limit='0'", ">= 1"]),
    "empty search": (["--search", " "], ["--search=' '", "empty"]),
    "table to a file": (["--format", "table", "--out", "x.csv"], ["--format table", ".csv"]),
    "unknown suffix": (["--out", "list.txt"], ["'list.txt'", ".csv or .json"]),
}


@pytest.mark.parametrize("label", BAD)
def test_bad_input_is_a_one_line_error(label, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args, parts = BAD[label]
    assert main(["products", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert err.startswith("designopt products: error: ") and "\n" not in err
    for part in parts:
        assert part in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_out_replaces_only_its_own_exports(tmp_path, capsys):
    csv_out, json_out = tmp_path / "sub" / "p.csv", tmp_path / "p.json"
    for out in (csv_out, json_out):
        assert main(["products", "--type", "water", "--out", str(out)]) == 0
        assert main(["products", "--type", "ground", "--out", str(out)]) == 0  # own: replaced
        assert "products match ->" in capsys.readouterr().out
    assert (
        len(list(csv.DictReader(csv_out.open(encoding="utf-8"))))
        == json.loads(json_out.read_text(encoding="utf-8"))["matched"]
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["p.csv", "p.json", "sub"]  # no .tmp

    foreign = {
        "notes.csv": "a,b\n1,2\n",
        "scop.csv": "model,SCOP_calc\nx,4.1\n",  # another command's export
        "data.json": '{"products": []}\n',
        "list.json": "[1, 2]\n",
    }
    for name, text in foreign.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert main(["products", "--out", str(path)]) == 2
        err = capsys.readouterr().err
        assert "is not a file designopt wrote" in err and name in err
        assert path.read_text(encoding="utf-8") == text
    assert main(["products", "--out", str(tmp_path / "notes.csv"), "--force"]) == 0
    assert (tmp_path / "notes.csv").read_text(encoding="utf-8").startswith("name,manufacturer")

    (tmp_path / "folder.csv").mkdir()
    for target in (tmp_path, tmp_path / "folder.csv"):
        assert main(["products", "--out", str(target)]) == 2
        assert "is a folder" in capsys.readouterr().err
    assert main(["products", "--format", "json", "--out", str(csv_out)]) == 2
    assert "give a name ending in .json" in capsys.readouterr().err


def test_dispatch_unknown_product_points_to_products(tmp_path, capsys):
    case_file = tmp_path / "case.toml"
    case_file.write_text(CASE)
    argv = ["dispatch", str(case_file), "--product", "Vaillant aroTHERM 99"]
    assert main([*argv, "--out", str(tmp_path / "d.nc")]) == 2
    err = capsys.readouterr().err.strip()
    assert "is not in the catalogue" in err and "\n" not in err
    assert err.endswith("list the names with: designopt products --search Vaillant")
    assert main(["products", "--search", "Vaillant", "--limit", "1"]) == 0

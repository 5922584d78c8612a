"""Tests of designopt.io.epw (EPW reader on top of pvlib)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from designopt.errors import DataFormatError
from designopt.io.epw import read_epw

DATA = Path(__file__).parent / "data"
EPW = DATA / "epw_chicago_tmy3_jan01-03.epw"
T0 = 273.15


def test_reads_valid_excerpt():
    ds = read_epw(EPW)
    assert ds.sizes["time"] == 72
    # first record as written in the file: -12.2 degC, dew point -16.1 degC, 73 %, 99500 Pa
    assert float(ds.t_air[0]) == pytest.approx(-12.2 + T0)
    assert float(ds.t_dew[0]) == pytest.approx(-16.1 + T0)
    assert float(ds.rh[0]) == pytest.approx(0.73)
    assert float(ds.pressure[0]) == pytest.approx(99500.0)
    assert str(ds.time.values[0])[:13] == "2021-01-01T00"
    assert np.all(np.diff(ds.time.values) == np.timedelta64(1, "h"))
    assert ds.attrs["latitude"] == pytest.approx(41.98)
    assert ds.attrs["utc_offset_h"] == -6.0
    for name in list(ds.data_vars) + ["time"]:
        assert "long_name" in ds[name].attrs
    for name in ds.data_vars:
        assert "units" in ds[name].attrs


def test_dew_point_consistent_with_rh():
    """Dew point from the file vs dew point implied by dry bulb and RH (Magnus over water)."""
    tol_K = 1.0
    ds = read_epw(EPW)
    t = ds.t_air.values - T0
    a, b = 17.62, 243.12  # WMO-No. 8 (2008) Magnus coefficients over water
    gamma = np.log(ds.rh.values) + a * t / (b + t)
    td = b * gamma / (a - gamma)
    np.testing.assert_allclose(td, ds.t_dew.values - T0, atol=tol_K)


def test_latin1_file(tmp_path):
    text = EPW.read_text(encoding="ascii").replace("Chicago Ohare", "Chicàgo Öhare", 1)
    p = tmp_path / "latin1.epw"
    p.write_bytes(text.encode("latin-1"))
    assert read_epw(p).attrs["location"].startswith("Chic")


def _write(tmp_path, lines):
    p = tmp_path / "bad.epw"
    p.write_text("\n".join(lines) + "\n")
    return p


def _lines():
    return EPW.read_text().splitlines()


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        read_epw(DATA / "no_such_file.epw")


def test_not_an_epw(tmp_path):
    p = _write(tmp_path, ["time,temperature", "0,1.0"])
    with pytest.raises(DataFormatError, match="LOCATION"):
        read_epw(p)


def test_truncated_day(tmp_path):
    p = _write(tmp_path, _lines()[:-5])
    with pytest.raises(DataFormatError, match="multiple of 24"):
        read_epw(p)


def test_missing_value_code(tmp_path):
    lines = _lines()
    fields = lines[20].split(",")
    fields[6] = "99.9"  # dry-bulb missing code
    lines[20] = ",".join(fields)
    with pytest.raises(DataFormatError, match=r"temp_air.*99.9"):
        read_epw(_write(tmp_path, lines))


def test_non_numeric_field(tmp_path):
    lines = _lines()
    fields = lines[30].split(",")
    fields[8] = "humid"
    lines[30] = ",".join(fields)
    with pytest.raises(DataFormatError, match="relative_humidity"):
        read_epw(_write(tmp_path, lines))


def test_gap_in_hours(tmp_path):
    lines = _lines()
    fields = lines[40].split(",")
    fields[3] = str(int(fields[3]) + 1)  # a repeated/skipped hour
    lines[40] = ",".join(fields)
    with pytest.raises(DataFormatError, match="consecutive hours"):
        read_epw(_write(tmp_path, lines))


SECRET = "SECRET-TOKEN-hunter2"  # stands for whatever a mistyped weather_file points at


def _not_epw(kind: str) -> list[str] | bytes:
    lines = _lines()
    data = lines[8].split(",")
    return {
        "first line": [f"{SECRET},abc", *lines[1:]],
        "header value": [lines[0].replace("41.98", SECRET), *lines[1:]],
        "data year": [*lines[:8], ",".join([SECRET, *data[1:]]), *lines[9:]],
        "extra field": [*lines[:8], lines[8] + f",{SECRET}", *lines[9:]],
        "binary": b"LOCATION,a,b,c,d,e,f,g,h,i\n" + (b"\x00\xff" + SECRET.encode()) * 50,
    }[kind]


@pytest.mark.parametrize(
    "kind", ["first line", "header value", "data year", "extra field", "binary"]
)
def test_errors_name_the_file_not_its_content(tmp_path, kind):
    """A weather file that is not EPW gets one line naming the file and the rule it breaks,
    never the bytes it holds: weather_file may point at any file (a key, a password file)."""
    content = _not_epw(kind)
    p = tmp_path / "not_weather.epw"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text("\n".join(content) + "\n")
    with pytest.raises(DataFormatError) as info:
        read_epw(p)
    msg = str(info.value)
    assert SECRET not in msg and "hunter2" not in msg
    assert str(p) in msg
    assert "\n" not in msg


def test_not_a_regular_file_is_one_line(tmp_path):
    with pytest.raises(DataFormatError, match="not a regular file"):
        read_epw(tmp_path)


def test_case_with_a_non_epw_weather_file_does_not_echo_it(tmp_path, capsys):
    """Through a case file and the CLI: one error line naming the weather file, no content."""
    from designopt.cli import main

    secret = tmp_path / "id_rsa"
    secret.write_text(f"{SECRET}\n{SECRET}\n")
    tiny = (DATA / "cases" / "tiny_air.toml").read_text()
    case = tmp_path / "case.toml"
    case.write_text(tiny.replace("[building]", f'[site]\nweather_file = "{secret}"\n\n[building]'))
    assert main(["evaluate", str(case), "--set", "evaporator_area_m2=45"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert SECRET not in err and str(secret) in err

"""Read EnergyPlus weather (EPW) files into an hourly ``xarray.Dataset``.

Parsing is delegated to :func:`pvlib.iotools.read_epw` (pvlib, BSD-3, a maintained and tested
reader of the EPW layout: location line, seven header records, 35 data fields per hour).  This
module adds what designopt needs around it:

* encoding: many EPW files (e.g. the German TRY conversions from Climate.OneBuilding) are
  Latin-1, which pvlib cannot open directly; the bytes are decoded as UTF-8, falling back to
  Latin-1, and handed to pvlib as a text buffer;
* checks: a malformed file (wrong first record, non-numeric fields, wrong number of hours,
  missing-value codes such as 99.9 °C in the fields used here) raises
  :class:`designopt.errors.DataFormatError`, one line naming the file, the rule and where it
  is broken.  A message never quotes the file's text (a mistyped ``weather_file`` may point at
  any file, a key or a password file): only counts, row numbers and, for a field out of its
  physical range, the number read;
* SI units: dry bulb and dew point in K, relative humidity as a fraction, pressure in Pa;
* a single year: typical-year files mix calendar years (one per month), so the time axis is set
  to one non-leap year (2021 unless the file holds 29 February), keeping the EPW order.

Time convention: EPW hour ``h`` (1..24) holds values for the hour *ending* at ``h``; the time
coordinate marks the *start* of that hour in local standard time (pvlib's convention), without
a time zone; the offset is kept in the ``utc_offset_h`` attribute.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import xarray as xr

from designopt.errors import DataFormatError

__all__ = ["read_epw"]

_T0_K = 273.15
#: Largest file read as EPW [bytes]: a year of hourly records is about 1.6 MB.
_MAX_BYTES = 50_000_000

# EPW missing-value codes (EnergyPlus Auxiliary Programs, "Data Field Descriptions") and the
# physical range accepted for the fields designopt uses.
_FIELDS = {
    # pvlib name: (designopt name, missing code, lower, upper, unit note)
    "temp_air": ("t_air", 99.9, -70.0, 70.0, "degC"),
    "temp_dew": ("t_dew", 99.9, -70.0, 70.0, "degC"),
    "relative_humidity": ("rh", 999.0, 0.0, 110.0, "percent"),
    "atmospheric_pressure": ("pressure", 999999.0, 31000.0, 120000.0, "Pa"),
}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_epw(path: str | Path) -> xr.Dataset:
    """Read an EPW weather file.

    Parameters
    ----------
    path
        Path of the ``.epw`` file.

    Returns
    -------
    xarray.Dataset
        Over ``time`` (hourly; 8760 steps for a typical year, whole days for shorter data periods): ``t_air`` [K] dry bulb, ``t_dew`` [K] dew
        point, ``rh`` [1] relative humidity (fraction, clipped to 1), ``pressure`` [Pa],
        ``wind_speed`` [m/s], ``ghi`` [W/m²] global horizontal irradiance.  Attributes:
        ``location``, ``country``, ``latitude``, ``longitude`` [deg], ``altitude`` [m],
        ``utc_offset_h``, ``data_type``, ``source``.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    DataFormatError
        The file is not a valid EPW file (see the module docstring).

    Examples
    --------
    >>> ds = read_epw("tests/data/epw_short_valid.epw")  # doctest: +SKIP
    >>> float(ds.t_air.mean()) - 273.15  # doctest: +SKIP
    """
    from pvlib.iotools import read_epw as _pvlib_read_epw

    path = Path(path)
    if path.exists() and not path.is_file():
        raise DataFormatError(f"{path}: not a regular file; give the path of an .epw file")
    size = path.stat().st_size  # FileNotFoundError is the right error for a missing file
    if size > _MAX_BYTES:
        raise DataFormatError(
            f"{path}: {size} bytes is too large for an EPW file (a year of hourly records is"
            f" about 1.6 MB; at most {_MAX_BYTES} accepted)"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read ({exc.strerror})") from None
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    n_fields = len(first.split(","))
    if not first.startswith("LOCATION,") or n_fields < 10:
        found = f"has {n_fields}" if first.startswith("LOCATION,") else "does not start with it"
        raise DataFormatError(
            f"{path}: an EPW file must start with a 'LOCATION,...' record of at least 10"
            f" comma-separated fields; its first line {found}"
        )
    try:
        df, meta = _pvlib_read_epw(io.StringIO(text))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        # pvlib's message quotes the text it failed on: name the kind of failure only
        raise DataFormatError(
            f"{path}: not a valid EPW file (pvlib's reader failed with {type(exc).__name__}):"
            " the LOCATION record needs numeric latitude, longitude, time zone and elevation,"
            " seven header records follow, and each data row has 35 fields starting with"
            " numeric year, month, day, hour, minute"
        ) from None

    n = len(df)
    if n == 0 or n % 24:
        raise DataFormatError(
            f"{path}: an EPW file holds whole days of hourly records (8760 for a year, "
            f"a multiple of 24 for a shorter data period); got {n} rows"
        )
    for col in ("month", "day", "hour"):
        if not np.issubdtype(df[col].dtype, np.number):
            raise DataFormatError(f"{path}: column {col!r} is not numeric")

    data = {}
    for name, (key, missing, lo, hi, unit) in _FIELDS.items():
        values = df[name].to_numpy()
        if not np.issubdtype(values.dtype, np.number):
            raise DataFormatError(f"{path}: field {name!r} holds non-numeric values")
        values = values.astype(float)
        bad = ~np.isfinite(values) | (values == missing) | (values < lo) | (values > hi)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise DataFormatError(
                f"{path}: field {name!r} [{unit}] must lie in [{lo}, {hi}] without missing "
                f"code {missing}; {int(bad.sum())} bad values, first at data row {i + 1} "
                f"(month {df['month'].iloc[i]}, day {df['day'].iloc[i]}, hour "
                f"{df['hour'].iloc[i]}): {values[i]!r}"
            )
        data[key] = values

    leap = bool(((df["month"] == 2) & (df["day"] == 29)).any())
    year = 2020 if leap else 2021
    month = df["month"].to_numpy().astype(int)
    day = df["day"].to_numpy().astype(int)
    hour = df["hour"].to_numpy().astype(int)
    try:
        dates = np.array(
            [f"{year}-{m:02d}-{d:02d}" for m, d in zip(month, day, strict=True)],
            dtype="datetime64[D]",
        )
    except ValueError:
        raise DataFormatError(
            f"{path}: invalid month/day in the data (not a date of the year {year})"
        ) from None
    time = dates.astype("datetime64[h]") + (hour - 1).astype("timedelta64[h]")
    step = np.diff(time).astype(int)
    if hour[0] != 1 or np.any(step != 1):
        raise DataFormatError(
            f"{path}: records must be consecutive hours starting at hour 1 of a day; "
            f"first record is {time[0]}, {int(np.sum(step != 1))} gaps or repeats"
        )

    def _var(values, units, long_name):
        return ("time", values, {"units": units, "long_name": long_name})

    ws = df["wind_speed"].to_numpy().astype(float)
    ghi = df["ghi"].to_numpy().astype(float)
    ds = xr.Dataset(
        {
            "t_air": _var(data["t_air"] + _T0_K, "K", "outdoor dry-bulb temperature"),
            "t_dew": _var(data["t_dew"] + _T0_K, "K", "outdoor dew-point temperature"),
            "rh": _var(np.clip(data["rh"] / 100.0, 0.0, 1.0), "1", "outdoor relative humidity"),
            "pressure": _var(data["pressure"], "Pa", "atmospheric station pressure"),
            "wind_speed": _var(np.where(ws >= 999.0, np.nan, ws), "m/s", "wind speed"),
            "ghi": _var(
                np.where(ghi >= 9999.0, np.nan, ghi), "W/m2", "global horizontal irradiance"
            ),
        },
        coords={
            "time": (
                "time",
                time.astype("datetime64[ns]"),
                {"long_name": "start of the hour, local standard time"},
            )
        },
        attrs={
            "location": str(meta.get("city", "")).strip(),
            "country": str(meta.get("country", "")).strip(),
            "latitude": float(meta["latitude"]),
            "longitude": float(meta["longitude"]),
            "altitude": float(meta["altitude"]),
            "utc_offset_h": float(meta["TZ"]),
            "data_type": str(meta.get("data_type", "")).strip(),
            "source": path.name,
            "reader": "pvlib.iotools.read_epw",
        },
    )
    return ds

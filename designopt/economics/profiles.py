"""Prices and grid CO2 factors by month and hour of the day: the profile a valuation uses.

A design simulated hour by hour stores its annual electricity by month and hour of the day
(``(12, 24)`` [kWh], :attr:`designopt.evaluate.performance.Performance.electricity_profile_kWh`).
Any price or CO2 factor that is constant within a (month, hour of day) cell, such as a time-of-use
tariff, a seasonal tariff or published monthly-diurnal grid factors, is valued exactly from it:
``cost = sum(E[m, h] * p[m, h])``.  An 8760-hour series (day-ahead prices, hourly grid
intensity) is reduced to its cell means by :func:`month_hour_mean`; the valuation is then exact
only if electricity and price do not co-vary *within* a cell (across the days of one month at
one hour).  ``docs/economics.md`` gives the measured size of that error for a real price series.

Pure numpy; every function takes and returns plain arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from designopt.errors import ConfigurationError

__all__ = ["MONTHS", "HOURS_OF_DAY", "month_hour_mean", "month_hour_sum", "month_hour_index"]

MONTHS = 12
HOURS_OF_DAY = 24


def month_hour_index(time: Any, *, utc_offset_h: float = 0.0) -> np.ndarray:
    """Cell index ``month * 24 + hour`` (month 0 = January, hour 0-23) of each time stamp.

    Parameters
    ----------
    time : array of datetime64 (or anything :func:`numpy.asarray` turns into one)
        Time stamps of the series (naive; tz-aware pandas stamps: convert them first).
    utc_offset_h : float
        Hours added to ``time`` to reach the local clock time of the weather file (e.g. 1.0
        for a UTC series valued against a weather file in Central European standard time) [h].
    """
    t = np.asarray(time, dtype="datetime64[s]")
    if not np.isfinite(utc_offset_h):
        raise ConfigurationError(f"utc_offset_h={utc_offset_h!r} must be a finite number of hours")
    t = t + np.timedelta64(int(round(utc_offset_h * 3600)), "s")
    month = t.astype("datetime64[M]").astype(int) % 12
    hour = (t - t.astype("datetime64[D]")).astype("timedelta64[h]").astype(int)
    return month * HOURS_OF_DAY + hour


def _cells(values: Any, time: Any | None, utc_offset_h: float) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ConfigurationError(f"a series must be 1-D; got shape {v.shape}")
    if time is None:
        if v.size not in (8760, 8784):
            raise ConfigurationError(
                f"a series without time stamps must have 8760 or 8784 hourly values (one year"
                f" from 1 January 00:00); got {v.size}: pass its time stamps"
            )
        year = "2024" if v.size == 8784 else "2023"  # a leap year and a common one
        time = np.datetime64(f"{year}-01-01T00", "h") + np.arange(v.size)
    idx = month_hour_index(time, utc_offset_h=utc_offset_h)
    if idx.shape != v.shape:
        raise ConfigurationError(f"{v.size} values but {idx.size} time stamps")
    if not np.isfinite(v).all():
        bad = int(np.argmax(~np.isfinite(v)))
        raise ConfigurationError(f"the series has a non-finite value at position {bad}: {v[bad]}")
    return v, idx


def month_hour_sum(
    values: Any, time: Any | None = None, *, utc_offset_h: float = 0.0
) -> np.ndarray:
    """Sums of an hourly series by month and hour of the day, shape ``(12, 24)``.

    ``time`` as in :func:`month_hour_index`; without it the series is one year of hourly values
    from 1 January 00:00 (8760, or 8784 for a leap year).  Use it for energies [kWh per hour].
    """
    v, idx = _cells(values, time, utc_offset_h)
    return np.bincount(idx, weights=v, minlength=MONTHS * HOURS_OF_DAY).reshape(
        MONTHS, HOURS_OF_DAY
    )


def month_hour_mean(
    values: Any, time: Any | None = None, *, utc_offset_h: float = 0.0
) -> np.ndarray:
    """Means of an hourly series by month and hour of the day, shape ``(12, 24)``.

    Use it for intensities: prices [currency/kWh], grid CO2 factors [kg/kWh].  A cell without
    any value (a series shorter than a year) raises, naming the first empty month and hour.
    """
    v, idx = _cells(values, time, utc_offset_h)
    n = np.bincount(idx, minlength=MONTHS * HOURS_OF_DAY)
    if (n == 0).any():
        first = int(np.argmax(n == 0))
        raise ConfigurationError(
            f"the series has no value in month {first // HOURS_OF_DAY + 1}, hour"
            f" {first % HOURS_OF_DAY}; give at least one full year"
        )
    s = np.bincount(idx, weights=v, minlength=MONTHS * HOURS_OF_DAY)
    return (s / n).reshape(MONTHS, HOURS_OF_DAY)

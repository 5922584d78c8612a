"""Built-in hourly weather: the EN 14825 reference heating seasons as a synthetic year.

EN 14825 describes a heating season only by its bin hours ``hj`` (hours per 1 K bin of outdoor
temperature ``Tj``, from the design temperature to +15 °C; see
:mod:`designopt.seasonal.climates`).  For the hourly simulation this module turns them into an
8760-hour year so that nothing needs a download:

* every heating hour carries exactly its bin temperature ``Tj`` (whole °C), so the number of
  hours per 1 K bin equals ``hj`` and the EN 14825 load line summed over the year reproduces
  ``H_HE`` (2066 / 2465 / 1336 h for Average / Colder / Warmer);
* the remaining ``8760 - sum(hj)`` hours (3850 / 2314 / 5170 h) are non-heating hours with
  temperatures spread evenly between 16.5 °C and 28 °C (above the 16 °C zero-load point of the
  EN 14825 load line, so they carry no heating load; their exact values only matter for
  domestic hot water);
* the order in time is plausible but synthetic: the sorted temperatures are assigned to the
  hours ranked by a smooth profile (annual cosine with its minimum on 15 January, a 24-h cycle
  with its minimum at 05:00, and a seeded AR(1) day-to-day term).  Sequences of cold days are
  therefore realistic in length, but the year is not a measured one: use an EPW file
  (:func:`designopt.io.epw.read_epw`) for site studies;
* relative humidity ``rh = clip(0.82 - 0.022 K⁻¹ · max(0, T - 8 °C), 0.35, 0.82)``, a fit by eye
  to the mean RH per 4 K temperature class of the Mannheim TRY 2035 EPW (0.79-0.83 below 8 °C,
  0.73 at 12-16 °C, 0.54 at 20-24 °C, 0.33 at 28-32 °C); the dew point follows from the Magnus
  formula over water (WMO-No. 8, 2008: 17.62, 243.12 °C); pressure 101325 Pa.

The defrost penalty depends on the humidity, so hourly results on these years are indicative;
the rating route of EN 14825 (``designopt.seasonal.en14825``) remains the reference for SCOP.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from designopt.seasonal.climates import reference_season

__all__ = ["en14825_weather", "synthetic_rh"]

_T0_K = 273.15
_HOURS_PER_YEAR = 8760


def synthetic_rh(t_air_K):
    """Relative humidity [1] of the synthetic EN 14825 years as a function of dry bulb [K].

    ``clip(0.82 - 0.022 · max(0, T - 8 °C), 0.35, 0.82)`` (see the module docstring).
    """
    t_degC = np.asarray(t_air_K, dtype=float) - _T0_K
    return np.clip(0.82 - 0.022 * np.maximum(0.0, t_degC - 8.0), 0.35, 0.82)


def _profile(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h = np.arange(_HOURS_PER_YEAR, dtype=float)
    annual = -np.cos(2.0 * np.pi * (h - 14.5 * 24.0) / _HOURS_PER_YEAR)
    hour_of_day = h % 24.0
    daily = -0.35 * np.cos(2.0 * np.pi * (hour_of_day - 5.0) / 24.0)
    # AR(1) day-to-day anomaly (lag-1 correlation 0.7 per day), interpolated to hours
    n_days = _HOURS_PER_YEAR // 24 + 1
    eps = rng.normal(0.0, 1.0, n_days)
    anomaly = np.empty(n_days)
    anomaly[0] = eps[0]
    for d in range(1, n_days):
        anomaly[d] = 0.7 * anomaly[d - 1] + np.sqrt(1 - 0.49) * eps[d]
    synoptic = 0.45 * np.interp(h / 24.0, np.arange(n_days), anomaly)
    return annual + daily + synoptic


def en14825_weather(climate: str = "average", *, year: int = 2021, seed: int = 14825):
    """Synthetic hourly year whose bin hours are those of an EN 14825 reference season.

    Parameters
    ----------
    climate
        ``average``, ``colder`` or ``warmer``.
    year
        Calendar year of the time axis (a non-leap year: 8760 hours).
    seed
        Seed of the day-to-day term; changes the order of hours, never the bin hours.

    Returns
    -------
    xarray.Dataset
        Same layout as :func:`designopt.io.epw.read_epw`: ``t_air`` [K], ``t_dew`` [K],
        ``rh`` [1], ``pressure`` [Pa] over ``time`` (8760 h), attrs ``climate``,
        ``t_design`` [K], ``source``.

    Raises
    ------
    designopt.errors.ConfigurationError
        Unknown climate or a leap year.

    Examples
    --------
    >>> ds = en14825_weather("average")
    >>> int((ds.t_air < 273.15 + 15.5).sum())
    4910
    """
    from designopt.errors import ConfigurationError

    season = reference_season(climate)
    if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0:
        raise ConfigurationError(f"year={year} is a leap year; the synthetic year has 8760 hours")
    t_bins = np.repeat(np.asarray(season.t_bin_K, dtype=float), season.hours_h.astype(int))
    n_off = _HOURS_PER_YEAR - t_bins.size
    if n_off < 0:  # pragma: no cover - guarded by the reference data
        raise ConfigurationError(f"{climate}: bin hours exceed 8760")
    t_off = np.linspace(16.5, 28.0, n_off) + _T0_K
    t_sorted = np.sort(np.concatenate([t_bins, t_off]))

    order = np.argsort(_profile(seed), kind="stable")
    t_air = np.empty(_HOURS_PER_YEAR)
    t_air[order] = t_sorted

    rh = synthetic_rh(t_air)
    t_degC = t_air - _T0_K
    gamma = np.log(rh) + 17.62 * t_degC / (243.12 + t_degC)
    t_dew = 243.12 * gamma / (17.62 - gamma) + _T0_K

    time = np.datetime64(f"{year}-01-01T00:00", "ns") + np.arange(_HOURS_PER_YEAR) * np.timedelta64(
        1, "h"
    )
    ds = xr.Dataset(
        {
            "t_air": ("time", t_air, {"units": "K", "long_name": "outdoor dry-bulb temperature"}),
            "t_dew": ("time", t_dew, {"units": "K", "long_name": "outdoor dew-point temperature"}),
            "rh": ("time", rh, {"units": "1", "long_name": "outdoor relative humidity"}),
            "pressure": (
                "time",
                np.full(_HOURS_PER_YEAR, 101325.0),
                {"units": "Pa", "long_name": "atmospheric pressure"},
            ),
        },
        coords={"time": ("time", time, {"long_name": "start of the hour"})},
        attrs={
            "climate": str(season.climate.value),
            "t_design": float(season.t_design_K),
            "source": f"synthetic EN 14825 {season.climate.value} season (designopt)",
            "seed": int(seed),
        },
    )
    return ds

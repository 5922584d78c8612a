"""hplib's catalogue of certified heat pumps (Heat Pump Keymark, 2016-2021).

The ``hplib`` package (FZJ-IEK3-VSA/hplib, MIT code, database CC BY 4.0; Tjaden, Hoops and
Rösken, doi:10.5281/zenodo.5521597) ships ``hplib_database.csv``: one row per certified model
with refrigerant, charge, sound power and fitted performance coefficients.  This module reads the
CSV with pandas (without importing hplib's simulation module), renames the columns to designopt's
SI names and evaluates hplib's heating model vectorised over units and operating points.

hplib's heating model (``hplib.simulate``, mode 1), temperatures in °C::

    COP  = p1_COP  * T_in + p2_COP  * T_out + p3_COP  + p4_COP  * T_amb
    P_el = P_el_ref * (p1_P_el * T_in + p2_P_el * T_out + p3_P_el + p4_P_el * T_amb)
    P_th = P_el * COP

with ``T_in`` the source inlet temperature, ``T_out`` the water *outlet* (flow) temperature and
``T_amb`` the outdoor air temperature.  For air units (groups 1 and 4) ``T_in = T_amb``, so only
``p1 + p4`` matters.  For regulated units (groups 1-3) ``P_el`` is floored at 25 % of its value
at ``T_in = -7 °C`` (hplib's minimum modulation).  ``P_el_ref`` and ``P_th_ref`` are the powers at
-7 °C / 52 °C.  The columns labelled "SPL" hold the EN 12102-1 *sound power* level.

Note that for regulated units the fitted ``P_th`` follows the capacities declared at the
EN 14825 part-load points (average climate), i.e. the capacity at the certified part load,
not the maximum capacity at mild temperatures.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from designopt.errors import ConfigurationError, DataFormatError

__all__ = [
    "HPLIB_GWP_AR4",
    "HPLIB_RATING_POINT",
    "hplib_database_path",
    "load_hplib_catalogue",
    "hplib_heating_performance",
]

#: 100-year GWP of the refrigerant names used in hplib (IPCC AR4 values, as listed in
#: Annex I of Regulation (EU) No 517/2014 and Annex I/II of Regulation (EU) 2024/573) [1].
#: "Other" maps to NaN (unknown).
HPLIB_GWP_AR4: dict[str, float] = {
    "R410a": 2088.0,
    "R32": 675.0,
    "R407c": 1774.0,
    "R290": 3.0,
    "R134a": 1430.0,
    "R1234yf": 4.0,
}

#: Where hplib's reference columns ``p_th_ref_W``, ``p_el_ref_W`` and ``cop_ref`` hold, per
#: ``hp_type``: the Keymark point at -7 °C outdoor air and 52 °C flow (EN 14825 point A of the
#: average climate, medium-temperature application), with the source inlet at -7 °C (air),
#: 0 °C (brine) or 10 °C (water); hplib ``get_parameters``: ``t_in_hp = [-7, 0, 10]``,
#: ``t_out_fix = 52``, ``t_amb_fix = -7``.
HPLIB_RATING_POINT: dict[str, str] = {
    "air/water": "A-7/W52",
    "brine/water": "B0/W52",
    "water/water": "W10/W52",
}

_COLUMNS = {
    "Manufacturer": "manufacturer",
    "Model": "model",
    "Date": "date",
    "Type": "hp_type",
    "Subtype": "subtype",
    "Group": "group",
    "Refrigerant": "refrigerant",
    "Mass of Refrigerant [kg]": "refrigerant_mass_kg",
    "SPL indoor [dBA]": "sound_power_indoor_dBA",
    "SPL outdoor [dBA]": "sound_power_outdoor_dBA",
    "PSB [W]": "standby_power_W",
    "P_el_h_ref [W]": "p_el_ref_W",
    "P_th_h_ref [W]": "p_th_ref_W",
    "COP_ref": "cop_ref",
    "p1_COP [-]": "p1_cop",
    "p2_COP [-]": "p2_cop",
    "p3_COP [-]": "p3_cop",
    "p4_COP [-]": "p4_cop",
    "p1_P_el_h [1/°C]": "p1_p_el",
    "p2_P_el_h [1/°C]": "p2_p_el",
    "p3_P_el_h [-]": "p3_p_el",
    "p4_P_el_h [1/°C]": "p4_p_el",
    "MAPE_COP": "mape_cop_pct",
    "MAPE_P_el": "mape_p_el_pct",
    "MAPE_P_th": "mape_p_th_pct",
}
_TYPES = {
    "Outdoor Air/Water": "air/water",
    "Brine/Water": "brine/water",
    "Water/Water": "water/water",
}
_COEFFS = [f"p{k}_{q}" for q in ("cop", "p_el") for k in (1, 2, 3, 4)]


def hplib_database_path() -> Path:
    """Locate ``hplib_database.csv`` inside the installed hplib package (without importing it)."""
    spec = importlib.util.find_spec("hplib")
    if spec is None or not spec.submodule_search_locations:
        raise DataFormatError(
            "the hplib package is not installed; install 'hplib' or pass path= to the CSV"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "hplib_database.csv"
    if not path.is_file():
        raise DataFormatError(f"hplib is installed but {path} does not exist")
    return path


def load_hplib_catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """Read hplib's database of certified heat pumps into a clean DataFrame.

    Parameters
    ----------
    path : str or Path, optional
        CSV in hplib's format; defaults to the copy shipped with the installed hplib.

    Returns
    -------
    pandas.DataFrame
        One row per product with the renamed columns (``manufacturer``, ``model``, ``hp_type``
        in {``air/water``, ``brine/water``, ``water/water``}, ``regulated`` [bool], ``group``,
        ``refrigerant``, ``gwp`` [1] (AR4, NaN if unknown), ``refrigerant_mass_kg``,
        ``sound_power_outdoor_dBA``, ``sound_power_indoor_dBA`` (NaN where not declared or
        outside 20-120 dB(A)), ``p_el_ref_W``, ``p_th_ref_W``,
        ``cop_ref`` and the coefficients ``p1_cop`` ... ``p4_p_el``).  Rows lacking
        coefficients or reference powers are dropped, and with them hplib's six "Generic"
        group-average models (normalised, without reference powers: not products).
    """
    path = Path(path) if path is not None else hplib_database_path()
    try:
        raw = pd.read_csv(path)
    except (OSError, pd.errors.ParserError) as exc:
        raise DataFormatError(f"cannot read the hplib catalogue {path}: {exc}") from exc
    missing = sorted(set(_COLUMNS) - set(raw.columns))
    if missing:
        raise DataFormatError(f"{path} lacks hplib columns {missing}")
    df = raw[list(_COLUMNS)].rename(columns=_COLUMNS)
    df["manufacturer"] = df["manufacturer"].astype(str).str.strip()
    df["model"] = df["model"].astype(str).str.strip()
    df = df[df["manufacturer"] != "Generic"]
    df = df.dropna(subset=[*_COEFFS, "p_el_ref_W", "p_th_ref_W"])
    df["hp_type"] = df["hp_type"].map(_TYPES)
    df["regulated"] = df["subtype"].eq("Regulated")
    df["group"] = df["group"].astype(int)
    df["gwp"] = df["refrigerant"].map(HPLIB_GWP_AR4).astype(float)
    for col in ("sound_power_outdoor_dBA", "sound_power_indoor_dBA"):
        lw = df[col].astype(float)
        df[col] = lw.where((lw >= 20.0) & (lw <= 120.0))  # 0 etc. = not declared
    df = df.drop(columns="subtype").reset_index(drop=True)
    df.insert(0, "name", df["manufacturer"] + " " + df["model"])
    return df


def hplib_heating_performance(
    catalogue: pd.DataFrame,
    *,
    t_source_K,
    t_flow_K,
    t_outdoor_K=None,
) -> dict[str, np.ndarray]:
    """Evaluate hplib's heating model for every catalogue row at every operating point.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Rows from :func:`load_hplib_catalogue` (n units).
    t_source_K : array_like, shape (m,)
        Source inlet temperature [K]: outdoor air for air units, brine/water inlet otherwise.
    t_flow_K : array_like, shape (m,)
        Water outlet (flow) temperature [K] (hplib's ``T_out`` = its ``t_in_secondary`` + 5 K).
    t_outdoor_K : array_like, shape (m,), optional
        Outdoor air temperature [K]; defaults to ``t_source_K``.  Ignored for air units.

    Returns
    -------
    dict of numpy.ndarray, each of shape (n, m)
        ``cop`` [1], ``electric_power`` [W], ``heat_output`` [W] as hplib's ``simulate``
        computes them at full load (no back-up rod, ``p_th_min = 0``), and ``valid`` [bool],
        False where the fitted COP is <= 1 (hplib then switches to its heating rod).
    """
    t_in = np.atleast_1d(np.asarray(t_source_K, dtype=float)) - 273.15
    t_out = np.atleast_1d(np.asarray(t_flow_K, dtype=float)) - 273.15
    t_amb = t_in if t_outdoor_K is None else np.atleast_1d(np.asarray(t_outdoor_K, float)) - 273.15
    try:
        t_in, t_out, t_amb = np.broadcast_arrays(t_in, t_out, t_amb)
    except ValueError as exc:
        raise ConfigurationError(
            f"t_source_K, t_flow_K and t_outdoor_K must have one common shape: {exc}"
        ) from exc
    if np.any(~np.isfinite(t_in)) or np.any(~np.isfinite(t_out)) or np.any(~np.isfinite(t_amb)):
        raise ConfigurationError("temperatures must be finite numbers (K)")
    c = {k: catalogue[k].to_numpy(float)[:, None] for k in _COEFFS}
    group = catalogue["group"].to_numpy(int)[:, None]
    air = np.isin(group, (1, 4))
    t_amb_u = np.where(air, t_in[None, :], t_amb[None, :])
    t_in_u = np.broadcast_to(t_in[None, :], t_amb_u.shape)
    p_el_ref = catalogue["p_el_ref_W"].to_numpy(float)[:, None]

    def lin(q, ti, ta):
        return c[f"p1_{q}"] * ti + c[f"p2_{q}"] * t_out[None, :] + c[f"p3_{q}"] + c[f"p4_{q}"] * ta

    cop = lin("cop", t_in_u, t_amb_u)
    p_el = p_el_ref * lin("p_el", t_in_u, t_amb_u)
    # regulated units: P_el floored at 25 % of P_el at -7 °C (hplib.simulate)
    ti_25 = np.where(group == 1, -7.0, t_in_u)
    ta_25 = np.where(np.isin(group, (1, 2)), -7.0, t_amb_u)
    p_el_25 = 0.25 * p_el_ref * lin("p_el", ti_25, ta_25)
    regulated = np.isin(group, (1, 2, 3))
    p_el = np.where(regulated & (p_el < p_el_25), p_el_25, p_el)
    return {
        "cop": cop,
        "electric_power": p_el,
        "heat_output": p_el * cop,
        "valid": cop > 1.0,
    }

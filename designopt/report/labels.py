"""Words and numbers of the report: roles, units, axis labels, column headers, formatting."""

from __future__ import annotations

import numpy as np
import xarray as xr

#: Axis label of each catalogue objective (and of the cost metrics), ``{years}`` replaced by the
#: case's ``economics.lifetime_years``; from :data:`designopt.catalogue.OBJECTIVES`, in words
#: a client reads.  Anything else is labelled by its ``long_name``.
QUANTITIES: dict[str, tuple[str, str]] = {
    # name: (label with the horizon, label without it)
    "capital_cost": ("Capital cost", "Capital cost"),
    "net_present_cost": ("{years}-year net present cost", "Net present cost over the lifetime"),
    "annualised_cost": ("Annualised cost", "Annualised cost"),
    "lcoh": ("Levelised cost of heat over {years} years", "Levelised cost of heat"),
    "lifetime_co2": (
        "{years}-year CO2-equivalent emissions (TEWI)",
        "Lifetime CO2-equivalent emissions (TEWI)",
    ),
    "lifetime_co2_kg": (
        "{years}-year CO2-equivalent emissions (TEWI)",
        "Lifetime CO2-equivalent emissions (TEWI)",
    ),
    "scop": ("Seasonal COP (SCOP, EN 14825)", "Seasonal COP (SCOP, EN 14825)"),
    "spf": ("Seasonal performance factor SPF_H3", "Seasonal performance factor SPF_H3"),
    "sound_power": ("Sound power level L_WA", "Sound power level L_WA"),
}


def role(ds: xr.Dataset, name: str) -> list[str]:
    """Names of the variables whose ``role`` attr is ``name`` (objective, design_variable,
    constraint, metric), in Dataset order."""
    return [str(n) for n, v in ds.data_vars.items() if v.attrs.get("role") == name]


def unit(ds: xr.Dataset, name: str) -> str:
    """The unit of ``name`` as written in the results, "" for dimensionless ("1") or text.

    Capital cost items (``capex_<item>``) of results written before their unit was recorded
    carry "1"; they are in the currency of ``capital_cost``.
    """
    u = str(ds[name].attrs.get("units", ""))
    if name.startswith("capex_") and u in ("", "1") and "capital_cost" in ds:
        return str(ds["capital_cost"].attrs.get("units", ""))
    return "" if u == "1" else u


def is_text(ds: xr.Dataset, name: str) -> bool:
    return ds[name].dtype.kind in "OUS"


def header(ds: xr.Dataset, name: str) -> str:
    """Column header of an export: the variable name and its unit, ``capital_cost [EUR]``;
    dimensionless numbers ``[-]``, text columns (refrigerant) the bare name."""
    if is_text(ds, name):
        return name
    return f"{name} [{unit(ds, name) or '-'}]"


def quantity(ds: xr.Dataset, name: str) -> str:
    """The quantity in words, with the horizon where it has one: "20-year net present cost"."""
    if name in QUANTITIES:
        with_years, without = QUANTITIES[name]
        years = ds.attrs.get("lifetime_years")
        return with_years.format(years=int(years)) if years else without
    text = str(ds[name].attrs.get("long_name", name)) or name
    return text[:1].upper() + text[1:]


def axis_label(ds: xr.Dataset, name: str) -> str:
    """Axis label: quantity in words and unit, "20-year net present cost [EUR]"."""
    u = unit(ds, name)
    return f"{quantity(ds, name)} [{u}]" if u else quantity(ds, name)


def fmt(v) -> str:
    """A value for a table: thousands separators from 1,000, three significant digits below
    10, "-" for a missing number."""
    if isinstance(v, str | np.str_ | bytes):
        return str(v)
    v = float(v)
    if not np.isfinite(v):
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def title(ds: xr.Dataset) -> str:
    """The study's title: the case's (``designopt run`` records it), else the results' own."""
    return str(ds.attrs.get("title") or "designopt study")

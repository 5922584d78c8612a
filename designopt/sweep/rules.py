"""Policy rules of a sweep's rule axes, judged per design and scenario (numpy, no physics).

The rule data (dates, limits, their sources and whether each was verified) are in
``designopt/sweep/data/rules.toml``:

* EU F-gas Regulation 2024/573, Annex IV: a unit of a given type (monobloc or split) and rated
  capacity placed on the market from a date may not contain a fluorinated refrigerant with GWP
  at or above a threshold (0: any F-gas) -- axis ``fgas_year``;
* Regulation 813/2013, Annex II: outdoor sound power limit by rated heat output; the German BEG
  funding rule asks for ``x`` dB below it (5 dB to 2025, 10 dB from 2026) -- axis
  ``noise_below_ecodesign_dB``;
* a receiver distance for the case's noise receivers (MCS 020(a) by default): levels are
  recomputed from each design's stored sound power -- axis ``noise_receiver_distance_m``;
* minimum seasonal efficiency: 813/2013 ηs (110 %, 125 % for low-temperature heat pumps) --
  axis ``min_eta_s_pct``; the UK Boiler Upgrade Scheme's SCOP >= 2.8 -- axis ``min_scop``.

A NaN value of a rule axis switches the rule off in that scenario.  Each function returns a
``(D, S)`` boolean array: the design meets the rule in the scenario.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from importlib import resources
from typing import Any

import numpy as np

__all__ = [
    "RULE_AXES",
    "ecodesign_outdoor_limit_dBA",
    "fgas_allowed",
    "load_rules",
    "meets_rules",
]

#: The rule axes (valuation axes that judge designs, not money).
RULE_AXES = (
    "fgas_year",
    "noise_below_ecodesign_dB",
    "noise_receiver_distance_m",
    "min_eta_s_pct",
    "min_scop",
)
#: Sources whose sound power is that of an outdoor unit (the 813/2013 outdoor limit applies).
OUTDOOR_SOURCES = ("air", "twin_source")


@functools.cache
def load_rules() -> dict[str, Any]:
    """The rule data file (``designopt/sweep/data/rules.toml``) as a dict."""
    text = resources.files("designopt.sweep").joinpath("data/rules.toml").read_text("utf-8")
    return tomllib.loads(text)


def _year(date: Any) -> float:
    """A ban date as a decimal year (1 January 2027 -> 2027.0)."""
    if isinstance(date, dt.date):
        return date.year + (date.timetuple().tm_yday - 1) / 365.0
    return float(date)


def fgas_allowed(
    refrigerant: np.ndarray,
    gwp: np.ndarray,
    capacity_kW: np.ndarray,
    year: np.ndarray,
    unit_type: str,
) -> np.ndarray:
    """``(D, S)``: design ``d`` may be placed on the market in scenario year ``year[s]`` under
    Regulation (EU) 2024/573 Annex IV (NaN year: no rule).

    Parameters
    ----------
    refrigerant : (D,) str -- refrigerant names (F-gases listed in the rule data).
    gwp : (D,) -- GWP100 of the refrigerant [1] (AR4, the regulation's basis).
    capacity_kW : (D,) -- rated capacity of the unit [kW].
    year : (S,) -- installation year [a]; a ban from 1 January Y applies to every Y' >= Y.
    unit_type : ``monobloc`` (self-contained) or ``split``.
    """
    data = load_rules()["fgas"]
    fluorinated = np.isin(np.asarray(refrigerant).astype(str), data["fluorinated"])[:, None]
    g = np.asarray(gwp, float)[:, None]
    cap = np.asarray(capacity_kW, float)[:, None]
    y = np.asarray(year, float)[None, :]
    banned = np.zeros(np.broadcast_shapes(g.shape, y.shape), bool)
    for row in data["ban"]:
        if row["unit_type"] != unit_type:
            continue
        in_band = (cap > row["min_kW"]) & (cap <= row["max_kW"])
        gwp_hit = g >= row["gwp_at_least"]
        banned |= fluorinated & in_band & gwp_hit & (y >= _year(row["from"]))
    return ~banned | np.isnan(y)


def ecodesign_outdoor_limit_dBA(rated_kW: np.ndarray) -> np.ndarray:
    """Outdoor sound power limit of Regulation 813/2013 Annex II for a heat pump of rated heat
    output ``rated_kW`` [kW] (NaN above 70 kW, where the regulation sets none)."""
    data = load_rules()["ecodesign_noise"]
    p = np.asarray(rated_kW, float)
    out = np.full(p.shape, np.nan)
    for lo, hi, lim in zip(data["min_kW"], data["max_kW"], data["outdoor_dBA"], strict=True):
        out = np.where((p > lo) & (p <= hi), lim, out)
    return out


def _receiver_levels_ok(lwa: np.ndarray, receivers: list, distance: np.ndarray) -> np.ndarray:
    """``(D, S)``: every receiver, moved to ``distance[s]`` [m], meets its limit (NaN: no rule)."""
    import dataclasses

    from designopt import noise

    D, S = lwa.size, distance.size
    ok = np.ones((D, S), bool)
    for value in np.unique(distance[np.isfinite(distance)]):
        moved = [dataclasses.replace(r, distance_m=float(value)) for r in receivers]
        margin = np.asarray(noise.receiver_levels(lwa, moved).constraint, float).reshape(D)
        ok[:, distance == value] = (margin <= 0.0)[:, None]
    return ok


def meets_rules(ps, columns: dict[str, np.ndarray], rules, receivers: list) -> np.ndarray:
    """``(D, S)``: design meets every rule axis present in ``columns`` (scenario arrays).

    ``rules`` is the sweep file's :class:`designopt.sweep.spec.Rules`; ``receivers`` are the
    noise receivers of the ``noise_receiver_distance_m`` axis.
    """
    a = ps.arrays
    D = ps.size
    S = next(iter(columns.values())).size
    ok = np.ones((D, S), bool)
    rating = a["heat_output_rating_W"]
    if rules.rated_output == "design":
        # Pdesignh: the output at the design temperature; a unit that cannot run there (0 W,
        # its back-up heater covers the load) is rated by its rating-point output instead
        design = a["capacity_design_W"]
        rated_W = np.where(np.isfinite(design) & (design > 0), design, rating)
    else:
        rated_W = rating
    rated_kW = rated_W / 1e3
    if "fgas_year" in columns:
        ok &= fgas_allowed(
            ps.labels["refrigerant"], a["gwp100"], rated_kW, columns["fgas_year"], rules.unit_type
        )
    if "noise_below_ecodesign_dB" in columns:
        x = columns["noise_below_ecodesign_dB"][None, :]
        limit = ecodesign_outdoor_limit_dBA(rated_kW)[:, None] - x
        outdoor = np.isin(ps.labels["source"], OUTDOOR_SOURCES)[:, None]
        with np.errstate(invalid="ignore"):
            met = a["sound_power_dBA"][:, None] <= limit
        ok &= met | ~outdoor | np.isnan(x)
    if "noise_receiver_distance_m" in columns:
        ok &= _receiver_levels_ok(
            a["sound_power_dBA"], receivers, columns["noise_receiver_distance_m"]
        )
    if "min_eta_s_pct" in columns:
        eta = ps.metrics.get("eta_s_pct")
        if eta is None:
            from designopt.seasonal.en14825 import eta_s_pct

            eta = np.asarray(eta_s_pct(a["seasonal_cop"], ps.labels["source"]), float)
        x = columns["min_eta_s_pct"][None, :]
        with np.errstate(invalid="ignore"):
            ok &= (np.asarray(eta, float)[:, None] >= x) | np.isnan(x)
    if "min_scop" in columns:
        x = columns["min_scop"][None, :]
        with np.errstate(invalid="ignore"):
            ok &= (a["seasonal_cop"][:, None] >= x) | np.isnan(x)
    return ok

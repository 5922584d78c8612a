"""Published compressor operating envelopes (evaporating / condensing temperature polygons).

A compressor manufacturer publishes the allowed operating range of a compressor as a polygon in
the plane of evaporating and condensing (dew-point) temperature, plus a discharge temperature
limit.  The polygons stored here come from ``designopt/cycle/data/compressor_envelopes.json``;
each entry names its source (manufacturer document, page, figure), copied in
``tests/data/compressor_envelopes/SOURCE.md``.  A :class:`designopt.cycle.Compressor` uses one
by name (``envelope="highly_whp13300"``); its operating points outside the polygon get
``Status.OUTSIDE_COMPRESSOR_ENVELOPE`` and the envelope's discharge limit replaces
``discharge_temperature_max_K``.  Without an envelope the compressor keeps the rule
``pressure ratio <= pressure_ratio_max`` (applied to each compression stage of a
vapour-injection compressor, see :mod:`designopt.cycle.compressor`).

No envelope with printed corner points was found for an R290 or R32 (vapour-injection)
compressor in the sources searched (see SOURCE.md); those refrigerants keep the pressure-ratio
rule by default.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from pathlib import Path

import numpy as np

from designopt.errors import ConfigurationError

__all__ = ["DATA_FILE", "CompressorEnvelope", "envelope", "envelope_names"]

#: The envelope data file (package data).
DATA_FILE = Path(__file__).with_name("data") / "compressor_envelopes.json"

ZERO_CELSIUS_K = 273.15


@dataclasses.dataclass(frozen=True, kw_only=True)
class CompressorEnvelope:
    """A compressor's published operating envelope.

    Attributes
    ----------
    name : str
        Key in the data file.
    t_evap_K, t_cond_K : tuple of float
        Corner points of the polygon, in order: evaporating and condensing dew-point
        temperatures [K].
    discharge_temperature_max_K : float
        Discharge temperature limit [K] (NaN: none given; the compressor's own limit applies).
    refrigerant : str or None
        Refrigerant the envelope was published for (None: not stated by the source).
    source : str
        Citation (document, page, figure, address).
    """

    name: str
    t_evap_K: tuple[float, ...]
    t_cond_K: tuple[float, ...]
    discharge_temperature_max_K: float = math.nan
    refrigerant: str | None = None
    source: str = ""

    def __post_init__(self):
        if len(self.t_evap_K) != len(self.t_cond_K) or len(self.t_evap_K) < 3:
            raise ConfigurationError(
                f"envelope {self.name!r}: needs at least 3 corner points with both temperatures, "
                f"got {len(self.t_evap_K)} evaporating and {len(self.t_cond_K)} condensing"
            )

    def contains(self, t_evap_K, t_cond_K, *, tol_K: float = 1e-6):
        """True where (``t_evap_K``, ``t_cond_K``) [K] lies inside the polygon or on its edge
        (within ``tol_K``); False outside or for NaN (ray casting, vectorised)."""
        x = np.asarray(t_evap_K, dtype=float)
        y = np.asarray(t_cond_K, dtype=float)
        xs = np.asarray(self.t_evap_K)
        ys = np.asarray(self.t_cond_K)
        inside = np.zeros(np.broadcast(x, y).shape, dtype=bool)
        near = np.zeros_like(inside)
        n = xs.size
        with np.errstate(all="ignore"):
            for k in range(n):
                x0, y0, x1, y1 = xs[k], ys[k], xs[(k + 1) % n], ys[(k + 1) % n]
                crosses = (y0 > y) != (y1 > y)
                x_at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                inside ^= crosses & (x < x_at)
                # distance to the edge segment (points on the boundary count as inside)
                dx, dy = x1 - x0, y1 - y0
                t = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
                near |= np.hypot(x - x0 - t * dx, y - y0 - t * dy) <= tol_K
        return (inside | near) & np.isfinite(x) & np.isfinite(y)


@functools.lru_cache(maxsize=1)
def _load() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))["envelopes"]


def envelope_names() -> tuple[str, ...]:
    """Names of the stored envelopes."""
    return tuple(sorted(_load()))


@functools.cache
def envelope(name: str) -> CompressorEnvelope:
    """The stored envelope ``name`` (see :func:`envelope_names`)."""
    data = _load()
    if name not in data:
        raise ConfigurationError(
            f"compressor envelope {name!r} is unknown; valid: {list(envelope_names())}"
        )
    e = data[name]
    dmax = e.get("discharge_temperature_max_degC")
    return CompressorEnvelope(
        name=name,
        t_evap_K=tuple(ZERO_CELSIUS_K + float(t) for t in e["t_evap_degC"]),
        t_cond_K=tuple(ZERO_CELSIUS_K + float(t) for t in e["t_cond_degC"]),
        discharge_temperature_max_K=math.nan if dmax is None else ZERO_CELSIUS_K + float(dmax),
        refrigerant=e.get("refrigerant"),
        source=e.get("source", ""),
    )

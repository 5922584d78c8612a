"""Point reads of a performance map (the contract of :func:`designopt.cycle.performance_map`).

Edge policy (one for every point read of the evaluation core): values are bilinear in source and
sink temperature between the four neighbouring grid points and linear in speed; a point outside
the grid, or one whose neighbouring grid points lie outside the unit's envelope (NaN in the
map), reads NaN.  Nothing is extrapolated or clipped.  Hour-by-hour reads of whole years go
through :func:`designopt.seasonal.hourly.prepare_map` instead (vectorised, with its own
documented treatment of hours outside the envelope).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "at_speeds",
    "at_point",
    "at_highest_running_speed",
    "highest_running",
    "rating_compressor_power",
]

#: Sink temperature of the EN 12102-1 sound-power rating point (W55) [K].
T_SINK_SOUND_RATING_K = 328.15


def at_speeds(pmap, var: str, t_source_K: float, t_sink_K: float) -> np.ndarray:
    """``var`` at every map speed, bilinear in source and sink temperature [unit of ``var``]
    (NaN where a neighbouring grid point lies outside the envelope, or outside the grid)."""
    ts = pmap["t_source"].values
    tk = pmap["t_sink"].values
    arr = pmap[var].values
    i = min(int(np.searchsorted(ts, t_source_K, side="right")) - 1, ts.size - 2)
    j = min(int(np.searchsorted(tk, t_sink_K, side="right")) - 1, tk.size - 2)
    if i < 0 or j < 0 or t_source_K > ts[-1] or t_sink_K > tk[-1]:
        return np.full(arr.shape[2], np.nan)
    wx = (t_source_K - ts[i]) / (ts[i + 1] - ts[i])
    wy = (t_sink_K - tk[j]) / (tk[j + 1] - tk[j])
    return (
        arr[i, j] * (1 - wx) * (1 - wy)
        + arr[i + 1, j] * wx * (1 - wy)
        + arr[i, j + 1] * (1 - wx) * wy
        + arr[i + 1, j + 1] * wx * wy
    )


def at_point(pmap, var: str, t_source_K: float, t_sink_K: float, speed: float) -> float:
    """``var`` at one operating point: bilinear in temperatures, linear in speed [1 of nominal];
    NaN outside the grid or the envelope."""
    values = at_speeds(pmap, var, t_source_K, t_sink_K)
    return float(np.interp(speed, pmap["speed"].values, values, left=np.nan, right=np.nan))


def highest_running(values: np.ndarray) -> float:
    """Value at the highest speed that runs inside the envelope (the controller's speed limit),
    or NaN."""
    ok = np.flatnonzero(np.isfinite(values))
    return float(values[ok[-1]]) if ok.size else math.nan


def at_highest_running_speed(pmap, var: str, t_source_K: float, t_sink_K: float) -> float:
    """``var`` at the highest speed that runs at this point (NaN if none)."""
    return highest_running(at_speeds(pmap, var, t_source_K, t_sink_K))


def rating_compressor_power(pmap, t_source_K: float) -> float:
    """Compressor power [W] of the sound-power rating at source temperature ``t_source_K``:
    the highest speed that runs at W55 (EN 12102-1 rating point); a unit whose envelope stops
    short of W55 there (e.g. discharge temperature) is rated at the largest compressor power it
    runs at that source temperature over the map's flow temperatures.  NaN if none runs."""
    power = at_highest_running_speed(pmap, "compressor_power", t_source_K, T_SINK_SOUND_RATING_K)
    if math.isfinite(power):
        return power
    runs = [
        at_speeds(pmap, "compressor_power", t_source_K, float(tk)) for tk in pmap["t_sink"].values
    ]
    finite = np.concatenate([a[np.isfinite(a)] for a in runs])
    return float(finite.max()) if finite.size else math.nan

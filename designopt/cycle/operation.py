"""Reading a unit's performance map and operating the unit at a load: one reader, one policy.

The map is the contract of :func:`designopt.cycle.performance_map` (``docs/architecture.md``):
heat output and electric power on a grid of source temperature, sink (outlet) temperature and
compressor speed, NaN (or ``status != 0``) where the unit cannot run.

**Reading** (:func:`bilinear`, the only interpolation of a map in the package): bilinear in
source and sink temperature between the four neighbouring grid points; a point outside the grid
(beyond a 1e-9 K tolerance) reads NaN, and so does a point inside a grid cell with a node
outside the unit's envelope; a point on a grid line reads the values on that line.  Nothing is extrapolated.  Point reads of rating points
(:func:`at_speeds`, :func:`at_point`) and the EN 14825 bins use it as it is.

**Operating** (:class:`PreparedMap`, :func:`follow_load`): for hour-by-hour operation two
documented assumptions come on top of the reader:

* a source warmer than the grid is read at the grid's warmest source and a sink colder than the
  grid at its coldest sink (both under-estimate the COP); a source colder or a sink warmer than
  the grid is outside the envelope: the unit is off;
* a speed is usable where the four surrounding grid points run; above the highest usable speed
  the unit stays at it (e.g. its discharge-temperature limit), below the lowest it cycles.

:func:`follow_load` then meets a demand: speed interpolated linearly in heat output between the
usable speeds; below the lowest usable speed on/off cycling with the EN 14825 degradation
``P = P_min (Cdh CR + 1 - Cdh)``, ``CR = demand / heat_min``; above the highest, the largest
heat output at its power and the shortfall left to the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from designopt.enums import as_source_type
from designopt.errors import ConfigurationError

__all__ = [
    "CDH_DEFAULT",
    "PreparedMap",
    "at_highest_running_speed",
    "at_point",
    "at_speeds",
    "bilinear",
    "follow_load",
    "highest_running",
    "prepare_map",
]

#: EN 14825 degradation coefficient for on/off cycling when not declared [1].
CDH_DEFAULT = 0.9
#: Tolerance of the grid edges [K].
EDGE_TOL_K = 1e-9


def bilinear(x_grid, y_grid, table, x, y) -> np.ndarray:
    """Bilinear interpolation of ``table`` at the points ``(x[i], y[i])``.

    Parameters
    ----------
    x_grid, y_grid : increasing 1-D arrays (source and sink temperature [K]) of sizes nx, ny.
    table : array (nx, ny, m) or its reshape (nx * ny, m): values at every grid node
        (NaN outside the envelope).
    x, y : arrays (n,) or scalars: the points.

    Returns
    -------
    array (n, m): NaN for points outside the grid (beyond ``EDGE_TOL_K``) or inside a grid cell
    with a NaN node; a point on a grid line reads the values on that line.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    y = np.atleast_1d(np.asarray(y, dtype=float))
    nx, ny = x_grid.size, y_grid.size
    flat = table.reshape(nx * ny, -1)
    i = np.clip(np.searchsorted(x_grid, x, side="right") - 1, 0, nx - 2)
    j = np.clip(np.searchsorted(y_grid, y, side="right") - 1, 0, ny - 2)
    wx = np.clip((x - x_grid[i]) / (x_grid[i + 1] - x_grid[i]), 0.0, 1.0)[:, None]
    wy = np.clip((y - y_grid[j]) / (y_grid[j + 1] - y_grid[j]), 0.0, 1.0)[:, None]
    k00 = i * ny + j
    a00 = np.take(flat, k00, axis=0)
    a01 = np.take(flat, k00 + 1, axis=0)
    a10 = np.take(flat, k00 + ny, axis=0)
    a11 = np.take(flat, k00 + ny + 1, axis=0)
    lo = _lerp(a00, a01, wy)
    hi = _lerp(a10, a11, wy)
    out = _lerp(lo, hi, wx)
    outside = (
        (x < x_grid[0] - EDGE_TOL_K)
        | (x > x_grid[-1] + EDGE_TOL_K)
        | (y < y_grid[0] - EDGE_TOL_K)
        | (y > y_grid[-1] + EDGE_TOL_K)
    )
    if outside.any():
        out[outside] = np.nan
    return out


def _lerp(a, b, w):
    """``a + w (b - a)``, exactly ``a`` at ``w = 0`` and ``b`` at ``w = 1``: a point on a grid
    line takes the values on that line, a NaN node across the line does not spoil it."""
    mixed = a + w * (b - a)
    return np.where(w == 0.0, a, np.where(w == 1.0, b, mixed))


def _grid(pmap, var: str):
    """(t_source, t_sink, values (ns, nk, n_speed)) of ``var`` in a map Dataset."""
    order = ("t_source", "t_sink", "speed")
    return (
        np.asarray(pmap["t_source"].values, dtype=float),
        np.asarray(pmap["t_sink"].values, dtype=float),
        np.asarray(pmap[var].transpose(*order).values, dtype=float),
    )


def at_speeds(pmap, var: str, t_source_K: float, t_sink_K: float) -> np.ndarray:
    """``var`` of a map Dataset at one point for every map speed [unit of ``var``]
    (:func:`bilinear`: NaN outside the grid or next to the envelope's edge)."""
    ts, tk, a = _grid(pmap, var)
    return bilinear(ts, tk, a, t_source_K, t_sink_K)[0]


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


def follow_load(demand_W, heat_W, power_W, speed, *, cdh: float = CDH_DEFAULT):
    """Operate a unit to meet ``demand_W`` [W] from its heat output and power at each speed.

    Parameters
    ----------
    demand_W : array (n,) [W], the mean heat rate wanted while the unit may run.
    heat_W, power_W : arrays (n, n_speed) [W] at increasing ``speed`` (usable speeds only,
        e.g. from :meth:`PreparedMap.interpolate`).
    speed : array (n_speed,) [1 of nominal].
    cdh : EN 14825 degradation coefficient of on/off cycling [1].

    Returns
    -------
    heat, power, speed, cycling_ratio : arrays (n,) -- heat delivered (at most the largest output
    over the speeds) [W], electric power [W], compressor speed [1], and ``CR`` (1 unless the
    unit cycles below its lowest speed).
    """
    demand = np.asarray(demand_W, dtype=float)
    n, s = heat_W.shape
    rows = np.arange(n)
    hs = np.maximum.accumulate(heat_W, axis=1)  # monotone in speed for the search
    k = np.clip((hs < demand[:, None]).sum(axis=1), 1, s - 1)
    h0, h1 = hs[rows, k - 1], hs[rows, k]
    p0, p1 = power_W[rows, k - 1], power_W[rows, k]
    w = np.clip(np.where(h1 > h0, (demand - h0) / np.where(h1 > h0, h1 - h0, 1.0), 1.0), 0.0, 1.0)
    h_min, h_max = heat_W[:, 0], hs[:, -1]
    top = np.argmax(hs, axis=1)  # the speed of the largest output
    cycling = demand < h_min
    above = demand > h_max
    cr = np.where(cycling, demand / np.where(h_min > 0, h_min, 1.0), 1.0)
    q = np.minimum(demand, h_max)
    p = np.where(
        cycling,
        power_W[:, 0] * (cdh * cr + 1.0 - cdh),
        np.where(above, power_W[rows, top], p0 + w * (p1 - p0)),
    )
    spd = np.where(
        cycling,
        speed[0],
        np.where(above, speed[top], speed[k - 1] + w * (speed[k] - speed[k - 1])),
    )
    return q, p, spd, cr


# --------------------------------------------------------------------------------------------
# hour-by-hour reads
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedMap:
    """Performance map as plain arrays for fast repeated interpolation.

    Built by :func:`prepare_map`; ``heat`` and ``power`` are ``(t_source, t_sink, speed)``
    arrays [W] restricted to the speeds between ``speed_min`` and ``speed_max``.
    """

    t_source: np.ndarray
    t_sink: np.ndarray
    speed: np.ndarray
    heat: np.ndarray
    power: np.ndarray
    source_type: str
    design_hash: str = ""

    def __post_init__(self) -> None:
        # (t_source * t_sink, 2 * speed) table: heat then power per grid node, for one gather
        ns, nk, nsp = self.heat.shape
        table = np.concatenate(
            [self.heat.reshape(ns * nk, nsp), self.power.reshape(ns * nk, nsp)], axis=1
        )
        object.__setattr__(self, "_table", table)

    def interpolate(self, t_source_K, t_sink_K):
        """Heat output and power [W] at every speed, shape ``(n, n_speed)``.

        Bilinear in (t_source, t_sink).  Sources warmer than the grid are evaluated at its
        warmest point, sinks colder than the grid at its coldest (conservative); sources colder
        or sinks warmer than the grid are outside the envelope.  A speed is usable where the
        four surrounding map points converged; speeds above the highest usable one repeat it (the unit cannot go
        faster there, e.g. at its discharge-temperature limit), speeds below the lowest usable
        one repeat that (the unit cycles there).  Points outside the grid or without any usable
        speed get NaN and ``valid = False``.

        Returns
        -------
        heat, power : ndarray (n, n_speed) [W]; valid : ndarray (n,) bool;
        speed_low, speed_top : ndarray (n,) lowest and highest usable speed [1].
        """
        # conservative clamping: a source warmer than the grid is evaluated at the grid's top,
        # a sink colder than the grid at its bottom (both under-estimate the COP); a source
        # colder or a sink warmer than the grid is outside the envelope: the reader gives NaN
        x = np.minimum(np.asarray(t_source_K, dtype=float), self.t_source[-1])
        y = np.maximum(np.asarray(t_sink_K, dtype=float), self.t_sink[0])
        both = bilinear(self.t_source, self.t_sink, self._table, x, y)
        ok = ~((x < self.t_source[0] - EDGE_TOL_K) | (y > self.t_sink[-1] + EDGE_TOL_K))
        ns = self.speed.size
        heat = both[:, :ns]
        power = both[:, ns:]
        finite = ok[:, None] & np.isfinite(heat) & np.isfinite(power) & (heat > 0) & (power > 0)
        # usable speeds: the contiguous run of converged points starting at the lowest converged
        # speed; columns outside the run repeat its ends (the unit cannot run slower or faster
        # there: it cycles at the lowest usable speed, saturates at the highest)
        if finite.all():  # common case: every speed usable everywhere
            valid = np.ones(x.size, dtype=bool)
            return (
                heat,
                power,
                valid,
                np.full(x.size, self.speed[0]),
                np.full(x.size, self.speed[-1]),
            )
        cols = np.arange(ns)[None, :]
        valid = finite.any(axis=1)
        first = np.argmax(finite, axis=1)[:, None]
        gap = ~finite & (cols > first)
        broken = gap.copy()
        for c in range(1, ns):  # running "a gap has occurred" along the (short) speed axis
            broken[:, c] |= broken[:, c - 1]
        usable = finite & (cols >= first) & ~broken
        top = np.where(valid, usable.sum(axis=1) - 1 + first[:, 0], 0)
        idx = np.clip(cols, first, top[:, None])
        heat = np.take_along_axis(heat, idx, axis=1)
        power = np.take_along_axis(power, idx, axis=1)
        heat[~valid] = np.nan
        power[~valid] = np.nan
        return heat, power, valid, self.speed[first[:, 0]], self.speed[top]


def prepare_map(pmap: xr.Dataset | PreparedMap) -> PreparedMap:
    """Check a performance map and turn it into arrays for :func:`simulate`.

    Parameters
    ----------
    pmap
        Dataset with coordinates ``t_source`` [K], ``t_sink`` [K] (sink outlet), ``speed`` [1]
        and variables ``heat_output`` [W], ``electric_power`` [W]; attrs ``speed_min``,
        ``speed_max`` (default: the ends of the speed grid) and ``source_type`` (default
        ``air``).

    Raises
    ------
    ConfigurationError
        Missing coordinates or variables, grids with fewer than 2 points or not increasing.
    """
    if isinstance(pmap, PreparedMap):
        return pmap
    if not isinstance(pmap, xr.Dataset):
        raise ConfigurationError(
            f"pmap must be an xarray.Dataset from designopt.cycle.performance_map, got {type(pmap)}"
        )
    need = {"heat_output", "electric_power"}
    missing = need - set(pmap.data_vars)
    dims = ("t_source", "t_sink", "speed")
    missing |= {d for d in dims if d not in pmap.coords}
    if missing:
        raise ConfigurationError(
            f"performance map lacks {sorted(missing)}; the contract (docs/architecture.md) needs "
            "coords t_source, t_sink, speed and variables heat_output, electric_power"
        )
    axes = {}
    for d in dims:
        v = np.asarray(pmap[d].values, dtype=float)
        least = 1 if d == "speed" else 2
        if v.ndim != 1 or v.size < least or np.any(np.diff(v) <= 0):
            raise ConfigurationError(
                f"map coordinate {d!r} must be 1-D, increasing, with at least {least} points; "
                f"got {v}"
            )
        axes[d] = v
    heat = np.asarray(pmap["heat_output"].transpose(*dims).values, dtype=float)
    power = np.asarray(pmap["electric_power"].transpose(*dims).values, dtype=float)
    if axes["speed"].size == 1:  # a fixed-speed unit: on/off only
        s = axes["speed"][0]
        return PreparedMap(
            t_source=axes["t_source"],
            t_sink=axes["t_sink"],
            speed=np.array([s, s]),
            heat=np.repeat(heat, 2, axis=2),
            power=np.repeat(power, 2, axis=2),
            source_type=as_source_type(pmap.attrs.get("source_type", "air")).value,
            design_hash=str(pmap.attrs.get("design_hash", "")),
        )
    spd = axes["speed"]
    # speeds both allowed (attrs) and mapped (grid)
    s_min = max(float(pmap.attrs.get("speed_min", spd[0])), float(spd[0]))
    s_max = min(float(pmap.attrs.get("speed_max", spd[-1])), float(spd[-1]))
    if not s_min < s_max:
        raise ConfigurationError(
            f"map attrs speed_min={pmap.attrs.get('speed_min')}, "
            f"speed_max={pmap.attrs.get('speed_max')} leave no speed range on the grid {spd}"
        )
    # speeds used: speed_min, the grid points inside, speed_max (linear interpolation in speed)
    inner = spd[(spd > s_min + 1e-12) & (spd < s_max - 1e-12)]
    use = np.concatenate([[s_min], inner, [s_max]])
    k = np.clip(np.searchsorted(spd, use, side="right") - 1, 0, spd.size - 2)
    w = np.clip((use - spd[k]) / (spd[k + 1] - spd[k]), 0, 1)

    def _at_speeds(a):
        mixed = a[:, :, k] * (1 - w) + a[:, :, k + 1] * w
        # on a grid speed take the grid value itself (a failed neighbour must not spoil it)
        return np.where(w == 0.0, a[:, :, k], np.where(w == 1.0, a[:, :, k + 1], mixed))

    heat_u = _at_speeds(heat)
    power_u = _at_speeds(power)
    source_type = as_source_type(pmap.attrs.get("source_type", "air")).value
    return PreparedMap(
        t_source=axes["t_source"],
        t_sink=axes["t_sink"],
        speed=use,
        heat=heat_u,
        power=power_u,
        source_type=source_type,
        design_hash=str(pmap.attrs.get("design_hash", "")),
    )

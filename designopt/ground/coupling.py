"""Coupling of the borefield to the heat pump's performance map.

In heating the ground supplies the **evaporator heat** (heat output minus the electric power
turned into heat, i.e. the map's ``evaporator_heat``); in cooling it receives the **condenser
heat** ``Q_c (1 + 1/EER)``.  The source temperature of the heat pump (brine inlet = borehole
outlet, see :mod:`designopt.ground.sizing` for the convention) is
``T_source = T_f + Q_ground / (2 m_flow cp)``, so the ground load depends on the fluid
temperature and vice versa.  :func:`simulate_coupled` solves this as a fixed point:

1. start from ``T_source = T_g`` (undisturbed ground);
2. evaluate the map at ``(T_source, T_sink)`` at the speed that meets the demand (below the
   minimum speed the unit cycles at minimum speed, above the maximum speed the shortfall is
   reported as ``unmet`` and not taken from the ground);
3. simulate the fluid temperature with those ground loads (hourly FFT superposition);
4. update ``T_source`` and repeat until it changes by less than ``tol_K`` everywhere.

The map is linear-interpolated in ``t_source`` and ``t_sink``; source temperatures outside the
map are clipped to its edge and counted.  Each iteration is a substitution ``T <- F(T)`` whose
gain ``|dF/dT| = (dQ_ground/dT) * (R_b*/L + ...)`` is far below one for realistic fields, so it
converges in a handful of iterations; otherwise :class:`~designopt.errors.ConvergenceError`.

:func:`size_length_coupled` wraps the sizing in an outer fixed point on ``H`` (loads at ``H_i``
-> length ``H_{i+1}``).  The *one-pass* approximation (loads from the COP at ``T_g``, no
feedback) is available with ``one_pass=True``; its error on the length is measured in the tests
and in ``docs/ground.md``.

:func:`carnot_map` builds a synthetic map (a fixed fraction of the Carnot COP) in the contract
format of :func:`designopt.cycle.performance_map` for examples and tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designopt.errors import ConfigurationError, ConvergenceError
from designopt.ground.borehole import BoreholeHeatExchanger
from designopt.ground.geometry import Borefield, Ground
from designopt.ground.simulate import HourlyLoads, LifetimeTemperatures, MonthlyLoads
from designopt.ground.sizing import FluidLimits, SizingResult, fluid_temperatures, size_length

__all__ = [
    "carnot_map",
    "operate",
    "CoupledResult",
    "simulate_coupled",
    "size_length_coupled",
]

_REQUIRED = ("heat_output", "electric_power", "cop", "evaporator_heat")


def carnot_map(
    *,
    carnot_fraction: float = 0.5,
    heat_output_W: float = 10_000.0,
    t_source_K=None,
    t_sink_K=None,
    speed=(0.3, 0.65, 1.0),
    approach_K: float = 5.0,
    capacity_slope_per_K: float = 0.02,
):
    """A synthetic performance map: ``COP = carnot_fraction * T_c / (T_c - T_e)``.

    ``T_e = t_source - approach_K``, ``T_c = t_sink + approach_K``; heat output
    ``heat_output_W * speed * (1 + capacity_slope_per_K * (t_source - 273.15 K))``.  Variables
    and coordinates follow the performance-map contract (docs/architecture.md).
    """
    import xarray as xr

    if not 0.0 < carnot_fraction <= 1.0:
        raise ConfigurationError(f"carnot_fraction={carnot_fraction!r} must be within (0, 1]")
    ts = np.asarray(np.arange(263.15, 303.16, 2.5) if t_source_K is None else t_source_K, float)
    tk = np.asarray(np.arange(298.15, 333.16, 5.0) if t_sink_K is None else t_sink_K, float)
    sp = np.asarray(speed, float)
    TS, TK, SP = np.meshgrid(ts, tk, sp, indexing="ij")
    te, tc = TS - approach_K, TK + approach_K
    cop = carnot_fraction * tc / np.maximum(tc - te, 1.0)
    heat = heat_output_W * SP * np.clip(1.0 + capacity_slope_per_K * (TS - 273.15), 0.2, None)
    power = heat / cop
    dims = ("t_source", "t_sink", "speed")

    def v(a, units, name):
        return (dims, a, {"units": units, "long_name": name})

    return xr.Dataset(
        {
            "heat_output": v(heat, "W", "heat output"),
            "electric_power": v(power, "W", "electric power"),
            "cop": v(cop, "1", "coefficient of performance"),
            "evaporator_heat": v(heat - power, "W", "heat taken at the evaporator"),
            "compressor_power": v(power, "W", "compressor power"),
            "fan_power": v(np.zeros_like(power), "W", "fan power"),
        },
        coords={
            "t_source": ("t_source", ts, {"units": "K", "long_name": "source inlet temperature"}),
            "t_sink": ("t_sink", tk, {"units": "K", "long_name": "sink outlet temperature"}),
            "speed": ("speed", sp, {"units": "1", "long_name": "compressor speed fraction"}),
        },
        attrs={
            "source_type": "ground",
            "refrigerant": "synthetic",
            "model": f"{carnot_fraction} x Carnot",
            "speed_min": float(sp[0]),
            "speed_max": float(sp[-1]),
        },
    )


def _check_map(pmap) -> None:
    missing = [v for v in _REQUIRED if v not in pmap]
    if missing or any(c not in pmap.coords for c in ("t_source", "t_sink", "speed")):
        raise ConfigurationError(
            f"performance map lacks {missing or 'coordinates'}; it needs coords t_source, "
            f"t_sink, speed and variables {list(_REQUIRED)} (docs/architecture.md)"
        )


def _interp_ts_tk(pmap, ts: np.ndarray, tk: np.ndarray, var: str) -> np.ndarray:
    """Bilinear interpolation of ``var`` at (ts, tk) for every speed: shape (n, n_speed)."""
    from scipy.interpolate import RegularGridInterpolator

    a = np.asarray(pmap[var].transpose("t_source", "t_sink", "speed").values, float)
    sp = np.asarray(pmap["speed"].values, float)
    interp = RegularGridInterpolator(
        (np.asarray(pmap["t_source"].values, float), np.asarray(pmap["t_sink"].values, float)),
        a,
        method="linear",
    )
    out = interp(np.c_[ts, tk])
    return out.reshape(len(ts), len(sp))


def operate(pmap, *, demand_W, t_source_K, t_sink_K) -> dict:
    """Operate the heat pump of ``pmap`` to meet ``demand_W`` [W] (arrays of equal length).

    Returns arrays ``heat`` (delivered) [W], ``electric`` [W], ``evaporator`` [W], ``unmet``
    [W], ``speed`` [1] and the count ``n_clipped`` of points outside the map's source/sink range.
    """
    _check_map(pmap)
    demand = np.asarray(demand_W, float)
    n = demand.size
    ts = np.broadcast_to(np.asarray(t_source_K, float), (n,))
    tk = np.broadcast_to(np.asarray(t_sink_K, float), (n,))
    tsv, tkv = pmap["t_source"].values, pmap["t_sink"].values
    tsc, tkc = np.clip(ts, tsv.min(), tsv.max()), np.clip(tk, tkv.min(), tkv.max())
    n_clipped = int(np.count_nonzero((tsc != ts) | (tkc != tk)))
    heat = _interp_ts_tk(pmap, tsc, tkc, "heat_output")
    elec = _interp_ts_tk(pmap, tsc, tkc, "electric_power")
    evap = _interp_ts_tk(pmap, tsc, tkc, "evaporator_heat")
    if not (np.all(np.isfinite(heat)) and np.all(np.isfinite(elec)) and np.all(np.isfinite(evap))):
        bad = ~np.all(np.isfinite(heat) & np.isfinite(elec) & np.isfinite(evap), axis=1)
        i = int(np.argmax(bad))
        raise ConfigurationError(
            f"the performance map has failed (NaN) points around t_source={tsc[i]:.2f} K, "
            f"t_sink={tkc[i]:.2f} K (status != 0); give a map whose speeds converge over the "
            "operating range"
        )
    sp = np.asarray(pmap["speed"].values, float)
    # fractional speed index where heat output reaches the demand (heat grows with speed)
    idx = np.sum(heat < demand[:, None], axis=1)  # number of nodes below the demand
    rows = np.arange(n)
    i_hi = np.clip(idx, 1, len(sp) - 1)
    i_lo = i_hi - 1
    h_lo, h_hi = heat[rows, i_lo], heat[rows, i_hi]
    w = np.clip((demand - h_lo) / np.where(h_hi > h_lo, h_hi - h_lo, 1.0), 0.0, 1.0)
    if len(sp) == 1:
        i_lo = i_hi = np.zeros(n, int)
        w = np.zeros(n)

    def at(a):
        return a[rows, i_lo] * (1 - w) + a[rows, i_hi] * w

    q_mod, e_mod, ev_mod = at(heat), at(elec), at(evap)
    speed = sp[i_lo] * (1 - w) + sp[i_hi] * w
    # below minimum speed: on/off cycling at minimum speed
    below = idx == 0
    frac = np.where(below, demand / np.where(heat[:, 0] > 0, heat[:, 0], 1.0), 1.0)
    q = np.where(below, frac * heat[:, 0], q_mod)
    e = np.where(below, frac * elec[:, 0], e_mod)
    ev = np.where(below, frac * evap[:, 0], ev_mod)
    speed = np.where(below, sp[0], speed)
    # above maximum speed: full speed, shortfall unmet
    above = demand > heat[:, -1]
    q = np.where(above, heat[:, -1], q)
    e = np.where(above, elec[:, -1], e)
    ev = np.where(above, evap[:, -1], ev)
    off = demand <= 0
    q, e, ev = (np.where(off, 0.0, x) for x in (q, e, ev))
    return {
        "heat": q,
        "electric": e,
        "evaporator": ev,
        "unmet": np.clip(demand - q, 0.0, None),
        "speed": np.where(off, 0.0, speed),
        "n_clipped": n_clipped,
    }


@dataclass(frozen=True, kw_only=True, eq=False)
class CoupledResult:
    """Result of :func:`simulate_coupled`.

    Attributes
    ----------
    loads : HourlyLoads  net ground loads (positive = extraction) [W]
    temperatures : LifetimeTemperatures
    t_source : array  heat-pump source inlet temperature [K]
    electric : array  heat-pump electric power [W]
    heat : array  heat delivered [W]
    unmet : array  heating demand the heat pump could not meet [W]
    iterations : int
    max_change_K : float  last fixed-point update [K]
    n_clipped : int  hours whose source/sink temperature was outside the map
    """

    loads: HourlyLoads
    temperatures: LifetimeTemperatures
    t_source: np.ndarray
    electric: np.ndarray
    heat: np.ndarray
    unmet: np.ndarray
    iterations: int
    max_change_K: float
    n_clipped: int

    @property
    def seasonal_cop(self) -> float:
        """Delivered heat over electric energy of the heat pump [1]."""
        return float(self.heat.sum() / max(self.electric.sum(), 1e-9))


def _series(name: str, v, years: int) -> np.ndarray:
    a = np.atleast_1d(np.asarray(v, float))
    if a.size == 1:
        return np.full(8760 * years, float(a[0]))
    if a.size == 8760:
        return np.tile(a, years)
    if a.size == 8760 * years:
        return a
    raise ConfigurationError(
        f"{name} needs 1, 8760 or 8760*years={8760 * years} values, got {a.size}"
    )


def simulate_coupled(
    *,
    borefield: Borefield,
    ground: Ground,
    resistance: float | BoreholeHeatExchanger,
    pmap,
    heat_demand_W,
    t_sink_K,
    m_flow: float,
    cp: float,
    years: int = 20,
    cooling_demand_W=0.0,
    eer_cooling: float = math.inf,
    one_pass: bool = False,
    tol_K: float = 0.01,
    max_iter: int = 50,
) -> CoupledResult:
    """Hourly lifetime simulation of heat pump + borefield, solved as a fixed point.

    Parameters
    ----------
    borefield, ground, resistance : the field (at its ``H``), ground and ``R_b*`` or pipe data.
    pmap : xarray.Dataset
        Performance map of the ground-source unit (contract of ``cycle.performance_map``).
    heat_demand_W : array
        Hourly heating demand [W] (8760 values repeated, or 8760 * years).
    t_sink_K : float or array
        Sink (supply water) temperature [K], hourly or constant.
    m_flow, cp : float
        Total brine flow of the field [kg/s] and its specific heat [J/(kg K)].
    cooling_demand_W : float or array
        Hourly cooling demand served by the borefield [W].
    eer_cooling : float
        Energy efficiency ratio of cooling; ``inf`` = passive (free) cooling, the injected heat
        equals the cooling demand.
    one_pass : bool
        Skip the feedback: the map is evaluated once at ``T_source = T_g``.
    tol_K, max_iter : convergence tolerance on ``T_source`` [K] and iteration cap.
    """
    if m_flow <= 0 or cp <= 0:
        raise ConfigurationError(f"m_flow={m_flow!r} kg/s and cp={cp!r} J/(kg K) must be > 0")
    if eer_cooling <= 0:
        raise ConfigurationError(f"eer_cooling={eer_cooling!r} must be > 0 (inf = passive)")
    demand = _series("heat_demand_W", heat_demand_W, years)
    if np.any(demand < 0):
        raise ConfigurationError("heat_demand_W must be >= 0 W")
    tk = _series("t_sink_K", t_sink_K, years)
    cooling = _series("cooling_demand_W", cooling_demand_W, years)
    injection = cooling * (1.0 + 1.0 / eer_cooling)
    tg = ground.t_ground(H=borefield.H, D=borefield.D)
    t_source = np.full(demand.size, tg)
    mc2 = 2.0 * m_flow * cp
    change = math.inf
    for it in range(1, max_iter + 1):
        iterations = it
        op = operate(pmap, demand_W=demand, t_source_K=t_source, t_sink_K=tk)
        net = op["evaporator"] - injection
        loads = HourlyLoads(net=net, years=years)
        temps = fluid_temperatures(
            borefield=borefield,
            ground=ground,
            loads=loads,
            resistance=resistance,
            method="hourly",
        )
        new = temps.t_fluid + net / mc2
        change = float(np.max(np.abs(new - t_source)))
        t_source = new
        if one_pass or change < tol_K:
            break
    else:
        raise ConvergenceError(
            f"heat pump / borefield coupling did not converge in max_iter={max_iter} iterations: "
            f"last source-temperature change {change:.3g} K > tol_K={tol_K} K"
        )
    return CoupledResult(
        loads=loads,
        temperatures=temps,
        t_source=t_source,
        electric=op["electric"],
        heat=op["heat"],
        unmet=op["unmet"],
        iterations=iterations,
        max_change_K=change,
        n_clipped=op["n_clipped"],
    )


def size_length_coupled(
    *,
    borefield: Borefield,
    ground: Ground,
    resistance: float | BoreholeHeatExchanger,
    limits: FluidLimits,
    pmap,
    heat_demand_W,
    t_sink_K,
    m_flow: float,
    cp: float,
    years: int = 20,
    cooling_demand_W=0.0,
    eer_cooling: float = math.inf,
    one_pass: bool = False,
    peak_duration: float = 6 * 3600.0,
    tol_m: float = 0.05,
    max_iter: int = 20,
    **size_kw,
) -> tuple[SizingResult, CoupledResult]:
    """Size the borehole length with ground loads that follow the heat pump's COP.

    Outer fixed point on the length: the coupled hourly simulation at ``H_i`` gives the
    ground loads (as monthly means and monthly hourly peaks of duration ``peak_duration``), the
    monthly sizing of those loads gives ``H_{i+1}``; stops when ``|H_{i+1} - H_i| < tol_m``.
    """
    H = borefield.H
    for _ in range(max_iter):
        bf = borefield.with_length(H)
        coupled = simulate_coupled(
            borefield=bf,
            ground=ground,
            resistance=resistance,
            pmap=pmap,
            heat_demand_W=heat_demand_W,
            t_sink_K=t_sink_K,
            m_flow=m_flow,
            cp=cp,
            years=years,
            cooling_demand_W=cooling_demand_W,
            eer_cooling=eer_cooling,
            one_pass=one_pass,
        )
        monthly = MonthlyLoads.from_hourly(coupled.loads, peak_duration=peak_duration)
        res = size_length(
            borefield=bf,
            ground=ground,
            loads=monthly,
            limits=limits,
            resistance=resistance,
            **size_kw,
        )
        if abs(res.H - H) < tol_m or one_pass:
            return res, coupled
        H = res.H
    raise ConvergenceError(
        f"coupled sizing did not converge in max_iter={max_iter} iterations (last H={H:.2f} m)"
    )

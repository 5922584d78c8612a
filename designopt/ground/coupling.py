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

The map is read and the load followed by :mod:`designopt.cycle.operation` (the one reader and
load follower of the package, EN 14825 cycling loss).  Hours whose inlet is outside the envelope leave the unit off
(the back-up takes over).  :func:`solve_source_temperature` is the one fixed point (also used
by the design study's ground route): substitution on the unit's operation, relaxed hour by hour
where it flips (an inlet at the edge of the envelope), and
:class:`~designopt.errors.ConvergenceError` when it does not converge.

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

from designopt.cycle.operation import CDH_DEFAULT, follow_load, prepare_map
from designopt.errors import ConfigurationError, ConvergenceError
from designopt.ground.borehole import BoreholeHeatExchanger
from designopt.ground.geometry import Borefield, Ground
from designopt.ground.simulate import HourlyLoads, LifetimeTemperatures, MonthlyLoads
from designopt.ground.sizing import FluidLimits, SizingResult, fluid_temperatures, size_length

#: Largest share of hours allowed to stay unsettled at a step of the unit's behaviour [1].
EDGE_HOURS_SHARE = 1e-3

__all__ = [
    "carnot_map",
    "operate",
    "CoupledResult",
    "simulate_coupled",
    "size_length_coupled",
    "solve_source_temperature",
]


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


def operate(pmap, *, demand_W, t_source_K, t_sink_K, cdh: float = CDH_DEFAULT) -> dict:
    """Operate the heat pump of ``pmap`` to meet ``demand_W`` [W] (arrays of equal length).

    The map is read and the load followed as everywhere else
    (:mod:`designopt.cycle.operation`: sources warmer or sinks colder than the grid read at its
    edge, sources colder or sinks warmer than the grid leave the unit off, EN 14825 cycling loss
    with ``cdh`` below the lowest speed).  The ground gives the evaporator heat, heat delivered
    minus electricity (energy balance; no fan in a ground unit).

    Returns arrays ``heat`` (delivered) [W], ``electric`` [W], ``evaporator`` [W], ``unmet``
    [W], ``speed`` [1] (0 when off) and the count ``n_clipped`` of points outside the map's
    source/sink range.
    """
    pm = prepare_map(pmap)
    demand = np.asarray(demand_W, float)
    n = demand.size
    ts = np.broadcast_to(np.asarray(t_source_K, float), (n,))
    tk = np.broadcast_to(np.asarray(t_sink_K, float), (n,))
    n_clipped = int(
        np.count_nonzero(
            (ts < pm.t_source[0])
            | (ts > pm.t_source[-1])
            | (tk < pm.t_sink[0])
            | (tk > pm.t_sink[-1])
        )
    )
    heat, power, valid, _, _ = pm.interpolate(ts, tk)
    on = valid & (demand > 0)
    heat = np.where(on[:, None], heat, 1.0)
    power = np.where(on[:, None], power, 1.0)
    q, e, speed, _ = follow_load(np.where(on, demand, 0.0), heat, power, pm.speed, cdh=cdh)
    q, e = np.where(on, q, 0.0), np.where(on, e, 0.0)
    return {
        "heat": q,
        "electric": e,
        "evaporator": q - e,
        "unmet": np.clip(demand - q, 0.0, None),
        "speed": np.where(on, speed, 0.0),
        "n_clipped": n_clipped,
    }


def solve_source_temperature(
    operate_at,
    respond,
    t_start,
    *,
    tol_K: float,
    max_iter: int,
    one_pass: bool = False,
    steer: str = "heat",
):
    """The one heat-pump / borefield fixed point on the source inlet temperature ``T``.

    ``operate_at(T)`` [K, array over hours] gives the unit's operation at that inlet as a dict of
    hourly arrays (heat, electricity, ...); ``respond(operation)`` gives the inlet temperature
    [K] that the resulting ground loads produce.  The solution is ``T = respond(operate_at(T))``.

    Method: substitution on the operation, relaxed hour by hour.  An hour whose operation moves
    in the opposite direction from its previous move gets half its step (down to 1/1024): near
    a step in the unit's behaviour (the inlet crossing the edge of the envelope: off below,
    running above) plain substitution flips between the two states forever; the halving finds
    the share of the hour the unit can run while the inlet stays at that edge (it then cycles on
    its low-pressure limit), like a bisection.  Converged when ``T`` changes by less than
    ``tol_K`` in every hour.

    Hours that have reversed twice sit at such a step; they may keep moving by a fraction of it
    while all other hours have settled: converged too if they are at most
    ``EDGE_HOURS_SHARE`` of all hours (the returned change then reports their largest move).

    Returns ``(T, operation, iterations, last change [K])``.  Raises
    :class:`~designopt.errors.ConvergenceError` after ``max_iter`` responses without converging,
    unless ``one_pass`` (no feedback: the operation at ``t_start`` and its response).
    ``steer`` names the operation array whose direction of change steers the relaxation.
    """
    t = np.asarray(t_start, dtype=float)
    op = {k: np.asarray(v, dtype=float) for k, v in operate_at(t).items()}
    key = steer  # the quantity whose direction of change steers the relaxation
    weight = None
    direction = None
    change = math.inf
    for it in range(1, max_iter + 1):
        new = respond(op)
        moved = np.abs(new - t)
        change = float(np.max(moved))
        t = new
        if one_pass or change < tol_K:
            return t, op, it, change
        if weight is not None:
            # hours whose operation reversed twice sit at a step of the unit's behaviour: they
            # may keep moving by a fraction of the step while every other hour has settled
            edge = (weight <= 0.25) & (moved >= tol_K)
            rest = np.max(np.where(edge, 0.0, moved))
            if rest < tol_K and edge.sum() <= EDGE_HOURS_SHARE * moved.size:
                return t, op, it, change
        target = {k: np.asarray(v, dtype=float) for k, v in operate_at(t).items()}
        step = target[key] - op[key]
        sign = np.sign(step)
        if weight is None:
            weight = np.ones_like(step)
        else:
            weight = np.where(sign * direction < 0, np.maximum(weight * 0.5, 2.0**-10), weight)
        direction = np.where(sign != 0, sign, direction if direction is not None else 0.0)
        op = {k: op[k] + weight * (target[k] - op[k]) for k in op}
    raise ConvergenceError(
        f"heat pump / borefield coupling did not converge in max_iter={max_iter} iterations: "
        f"last source-temperature change {change:.3g} K > tol_K={tol_K} K"
    )


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
    pm = prepare_map(pmap)
    mc2 = 2.0 * m_flow * cp

    def operate_at(t_source):
        op = operate(pm, demand_W=demand, t_source_K=t_source, t_sink_K=tk)
        state["n_clipped"] = op.pop("n_clipped")
        return op

    def respond(op):
        net = op["evaporator"] - injection
        loads = HourlyLoads(net=net, years=years)
        temps = fluid_temperatures(
            borefield=borefield, ground=ground, loads=loads, resistance=resistance, method="hourly"
        )
        state.update(loads=loads, temps=temps)
        return temps.t_fluid + net / mc2

    state = {}
    t_source, op, iterations, change = solve_source_temperature(
        operate_at,
        respond,
        np.full(demand.size, tg),
        tol_K=tol_K,
        max_iter=max_iter,
        one_pass=one_pass,
    )
    loads, temps = state["loads"], state["temps"]
    return CoupledResult(
        loads=loads,
        temperatures=temps,
        t_source=t_source,
        electric=op["electric"],
        heat=op["heat"],
        unmet=op["unmet"],
        iterations=iterations,
        max_change_K=change,
        n_clipped=state["n_clipped"],
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

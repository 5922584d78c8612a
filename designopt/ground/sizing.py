"""Borefield sizing: the shortest borehole (or fewest boreholes) that keeps the fluid in limits.

The requirement is that the mean fluid temperature stays within ``[t_min, t_max]`` in every
month (with its peaks) of the lifetime.  The residual

    r(H) = max(t_min - min_t T_f(t; H), max_t T_f(t; H) - t_max)       [K]

decreases with ``H``; the required length is its root, found with Brent's method
(:func:`scipy.optimize.brentq`, 1 mm tolerance).  The result reports which limit and which year
bind.  If even ``H_max`` leaves ``r > 0``, :class:`~designopt.errors.InfeasibleDesignError` is
raised (a study records it as an infeasible trial).

Limits on the heat-pump inlet temperature (:attr:`LimitReference.HEAT_PUMP_INLET`) are converted
to mean-fluid limits with the **convention**: the heat-pump source inlet is the borehole outlet;
the mean fluid temperature is the arithmetic mean of borehole inlet and outlet; with the field
flow ``m_flow`` [kg/s] and the fluid ``cp`` the temperature difference at the peak load ``Q`` is
``dT = Q / (m_flow cp)``.  In heating the outlet is warmer than the mean by ``dT/2``, so
``t_min_mean = t_min_inlet - dT_extraction/2``; in cooling it is colder, so ``t_max_mean =
t_max_inlet + dT_injection/2`` (the convention of Ahmadfard & Bernier 2019 test cases).

g-functions come from a :class:`~designopt.ground.gfunction.GFunctionFamily`:

* ``gfunction="exact"``: fixed point ``H = size(g(H))`` solved by secant steps, with g computed
  at exactly the trial lengths (typically 3-4 pygfunction calls for a new layout, no
  interpolation in H): the faster cold start for a one-off sizing.
* ``gfunction="grid"`` (default): a first estimate with the g-function of the nearest cached
  length node, then the root with g interpolated between nodes (nodes computed once per layout
  and cached on disk): best inside optimisers.
"""

from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import brentq

from designopt.errors import ConfigurationError, ConvergenceError, InfeasibleDesignError
from designopt.ground.borehole import BoreholeHeatExchanger
from designopt.ground.geometry import Borefield, Ground
from designopt.ground.gfunction import (
    GFunctionFamily,
    evaluate_coefficients,
    family_for,
    spline_coefficients,
)
from designopt.ground.simulate import (
    HourlyLoads,
    LifetimeTemperatures,
    MonthlyLoads,
    simulate_hourly,
    simulate_monthly,
    three_pulse,
)

__all__ = [
    "LimitReference",
    "SizingMethod",
    "FluidLimits",
    "SizingResult",
    "mean_fluid_limits",
    "borehole_resistance",
    "fluid_temperatures",
    "size_length",
    "size_count",
]


class LimitReference(enum.Enum):
    """Which temperature the limits apply to."""

    MEAN_FLUID = "mean_fluid"
    HEAT_PUMP_INLET = "heat_pump_inlet"


class SizingMethod(enum.Enum):
    """Temporal resolution of the sizing."""

    THREE_PULSE = "three_pulse"  # ASHRAE / L2
    MONTHLY = "monthly"  # monthly superposition with peaks / L3
    HOURLY = "hourly"  # hourly superposition / L4


@dataclass(frozen=True, kw_only=True)
class FluidLimits:
    """Allowed fluid temperatures [K].

    Parameters
    ----------
    t_min, t_max : float
        Lower (heating) and upper (cooling) limit [K].
    reference : LimitReference
        Mean fluid temperature or heat-pump (source) inlet temperature.
    m_flow : float or None
        Total field mass flow [kg/s] (required for ``HEAT_PUMP_INLET``).
    cp : float or None
        Fluid specific heat [J/(kg K)] (required for ``HEAT_PUMP_INLET``).
    """

    t_min: float
    t_max: float
    reference: LimitReference = LimitReference.MEAN_FLUID
    m_flow: float | None = None
    cp: float | None = None

    def __post_init__(self) -> None:
        if not (150.0 < self.t_min < 400.0 and 150.0 < self.t_max < 400.0):
            raise ConfigurationError(
                f"fluid limits t_min={self.t_min!r} K, t_max={self.t_max!r} K must be in kelvin"
            )
        if self.t_min >= self.t_max:
            raise ConfigurationError(f"t_min={self.t_min!r} K must be below t_max={self.t_max!r} K")
        if self.reference is LimitReference.HEAT_PUMP_INLET and not (
            self.m_flow and self.m_flow > 0 and self.cp and self.cp > 0
        ):
            raise ConfigurationError(
                "heat-pump inlet limits need the total field flow m_flow [kg/s] > 0 and the fluid "
                f"cp [J/(kg K)] > 0, got m_flow={self.m_flow!r}, cp={self.cp!r}"
            )


def mean_fluid_limits(
    limits: FluidLimits, *, peak_extraction: float, peak_injection: float
) -> tuple[float, float]:
    """Mean-fluid limits [K] from ``limits`` and the peak extraction / injection [W] of the
    field (see the module docstring for the convention)."""
    if limits.reference is LimitReference.MEAN_FLUID:
        return float(limits.t_min), float(limits.t_max)
    mc = limits.m_flow * limits.cp
    return (
        float(limits.t_min - 0.5 * peak_extraction / mc),
        float(limits.t_max + 0.5 * peak_injection / mc),
    )


@dataclass(frozen=True, kw_only=True)
class SizingResult:
    """Outcome of a sizing.

    Attributes
    ----------
    H : float  required length per borehole [m]
    n_boreholes : int
    total_length : float  [m]
    binding_limit : str  'minimum' (heating) or 'maximum' (cooling)
    binding_year : int  1-based year in which the binding extreme occurs
    t_fluid_min, t_fluid_max : float  extreme mean fluid temperatures at ``H`` [K]
    year_min, year_max : int  years of those extremes
    t_min_mean, t_max_mean : float  mean-fluid limits used [K]
    r_b_star : float  effective borehole resistance at ``H`` [m K/W]
    method : str  sizing method
    at_lower_bound : bool  True if even ``H_min`` meets the limits (H = H_min is returned)
    """

    H: float
    n_boreholes: int
    total_length: float
    binding_limit: str
    binding_year: int
    t_fluid_min: float
    t_fluid_max: float
    year_min: int
    year_max: int
    t_min_mean: float
    t_max_mean: float
    r_b_star: float
    method: str
    at_lower_bound: bool = False

    def to_dict(self, *, celsius: bool = False) -> dict:
        """Plain dict; with ``celsius=True`` temperatures get ``_degC`` keys."""
        d = asdict(self)
        if celsius:
            for k in ("t_fluid_min", "t_fluid_max", "t_min_mean", "t_max_mean"):
                d[f"{k}_degC"] = d.pop(k) - 273.15
        return d


def borehole_resistance(
    resistance: float | BoreholeHeatExchanger, *, borefield: Borefield, ground: Ground
) -> float:
    """``R_b*`` [m K/W]: the given number or the pipe model at ``borefield.H``."""
    if isinstance(resistance, BoreholeHeatExchanger):
        return resistance.resistance(
            H=borefield.H, r_b=borefield.r_b, D=borefield.D, k_ground=ground.conductivity
        )
    rb = float(resistance)
    if not (0.0 < rb < 5.0):
        raise ConfigurationError(f"borehole resistance R_b*={rb!r} m K/W must be within 0..5")
    return rb


def _method(method, loads) -> SizingMethod:
    m = SizingMethod(method) if not isinstance(method, SizingMethod) else method
    if isinstance(loads, HourlyLoads) and m is not SizingMethod.HOURLY:
        raise ConfigurationError(f"hourly loads need method='hourly', got {m.value!r}")
    if isinstance(loads, MonthlyLoads) and m is SizingMethod.HOURLY:
        raise ConfigurationError("method='hourly' needs HourlyLoads, got MonthlyLoads")
    return m


def fluid_temperatures(
    *,
    borefield: Borefield,
    ground: Ground,
    loads: MonthlyLoads | HourlyLoads,
    resistance: float | BoreholeHeatExchanger,
    method: SizingMethod | str = SizingMethod.MONTHLY,
    family: GFunctionFamily | None = None,
    exact: bool = False,
) -> LifetimeTemperatures:
    """Lifetime mean fluid temperatures of ``borefield`` (at its ``H``) under ``loads``.

    The g-function comes from the layout's cached family (interpolated in ``H`` unless
    ``exact``).  ``method`` is 'monthly' for :class:`MonthlyLoads`, 'hourly' for
    :class:`HourlyLoads`.
    """
    if isinstance(loads, HourlyLoads) and method == SizingMethod.MONTHLY:
        method = SizingMethod.HOURLY
    m = _method(method, loads)
    if m is SizingMethod.THREE_PULSE:
        raise ConfigurationError("method='three_pulse' gives extremes only; use size_length")
    fam = family or family_for(borefield)
    alpha = ground.diffusivity
    rb = borehole_resistance(resistance, borefield=borefield, ground=ground)

    def g(H, t):
        return fam.at_times(H, t, alpha, exact=exact)

    sim = simulate_hourly if m is SizingMethod.HOURLY else simulate_monthly
    return sim(borefield=borefield, ground=ground, loads=loads, r_b_star=rb, g=g)


class _Problem:
    """Residual of the sizing at a length, for a given g provider."""

    def __init__(self, borefield, ground, loads, resistance, method, tmin, tmax):
        self.bf, self.ground, self.loads = borefield, ground, loads
        self.resistance, self.method = resistance, method
        self.tmin, self.tmax = tmin, tmax
        self.alpha = ground.diffusivity

    def extremes(self, H: float, g) -> dict:
        bf = self.bf.with_length(H)
        rb = borehole_resistance(self.resistance, borefield=bf, ground=self.ground)
        kw = dict(borefield=bf, ground=self.ground, loads=self.loads, r_b_star=rb, g=g)
        if self.method is SizingMethod.THREE_PULSE:
            ex = three_pulse(**kw)
        elif self.method is SizingMethod.MONTHLY:
            ex = simulate_monthly(**kw).extremes()
        else:
            ex = simulate_hourly(**kw).extremes()
        ex["r_b_star"] = rb
        return ex

    def residual(self, H: float, g) -> float:
        ex = self.extremes(H, g)
        return max(self.tmin - ex["t_fluid_min"], ex["t_fluid_max"] - self.tmax)


def _frozen(values: np.ndarray, alpha: float, r_b: float):
    coef, g0 = spline_coefficients(values), float(values[0])

    def g(H, t):
        t = np.asarray(t, float)
        lntts = np.log(np.maximum(t, 1e-300) / (H**2 / (9.0 * alpha)))
        return np.where(t > 0, evaluate_coefficients(coef, g0, lntts, r_b / H), 0.0)

    return g


def _root(f, lo: float, hi: float, xtol: float = 1e-3) -> float:
    return float(brentq(f, lo, hi, xtol=xtol, rtol=1e-10, maxiter=200))


def size_length(
    *,
    borefield: Borefield,
    ground: Ground,
    loads: MonthlyLoads | HourlyLoads,
    limits: FluidLimits,
    resistance: float | BoreholeHeatExchanger,
    method: SizingMethod | str = SizingMethod.MONTHLY,
    gfunction: str = "grid",
    H_min: float = 20.0,
    H_max: float = 400.0,
    family: GFunctionFamily | None = None,
) -> SizingResult:
    """Minimum borehole length [m] for ``borefield``'s layout that keeps the fluid in ``limits``.

    Parameters
    ----------
    borefield : Borefield
        Layout; its ``H`` is the initial guess.
    ground : Ground
    loads : MonthlyLoads or HourlyLoads
        Field ground loads (positive = extraction).
    limits : FluidLimits
    resistance : float or BoreholeHeatExchanger
        ``R_b*`` [m K/W] or the pipe data to compute it at each length.
    method : 'three_pulse', 'monthly' or 'hourly'
    gfunction : 'grid' or 'exact'
        See the module docstring.
    H_min, H_max : float
        Search range [m].

    Returns
    -------
    SizingResult

    Raises
    ------
    InfeasibleDesignError
        If no length up to ``H_max`` meets the limits.
    ConfigurationError
        On invalid inputs.
    """
    if isinstance(loads, HourlyLoads) and method in (SizingMethod.MONTHLY, "monthly"):
        method = SizingMethod.HOURLY
    m = _method(method, loads)
    if gfunction not in ("grid", "exact"):
        raise ConfigurationError(f"gfunction={gfunction!r} is not one of 'grid', 'exact'")
    if not (0 < H_min < H_max):
        raise ConfigurationError(f"need 0 < H_min={H_min!r} < H_max={H_max!r} m")
    if isinstance(loads, HourlyLoads):
        q = loads.series()
        pe, pi = float(max(q.max(), 0.0)), float(max(-q.min(), 0.0))
    else:
        pe, pi = float(loads.peak_extraction.max()), float(loads.peak_injection.max())
    tmin, tmax = mean_fluid_limits(limits, peak_extraction=pe, peak_injection=pi)
    prob = _Problem(borefield, ground, loads, resistance, m, tmin, tmax)
    fam = family or family_for(borefield)
    alpha = ground.diffusivity

    def g_interp(H, t):
        return fam.at_times(H, t, alpha)

    H0 = float(np.clip(borefield.H, H_min, H_max))
    if gfunction == "grid":
        k0 = int(round(fam.node_index(H0)))
        g0 = _frozen(fam.node(k0), alpha, borefield.r_b)
        H1 = _estimate(prob, g0, H_min, H_max, xtol=0.1)
        H = _local_root(prob, g_interp, H1, H_min, H_max)
        g_final = g_interp
    else:
        H, g_final = _exact_fixed_point(prob, fam, H0, H_min, H_max, alpha, borefield.r_b)
    at_lower = False
    if H <= H_min and prob.residual(H_min, g_final) <= 0:
        H, at_lower = H_min, True
    ex = prob.extremes(H, g_final)
    margin_min = ex["t_fluid_min"] - tmin
    margin_max = tmax - ex["t_fluid_max"]
    binding = "minimum" if margin_min <= margin_max else "maximum"
    return SizingResult(
        H=H,
        n_boreholes=borefield.n_boreholes,
        total_length=H * borefield.n_boreholes,
        binding_limit=binding,
        binding_year=ex["year_min"] if binding == "minimum" else ex["year_max"],
        t_fluid_min=ex["t_fluid_min"],
        t_fluid_max=ex["t_fluid_max"],
        year_min=ex["year_min"],
        year_max=ex["year_max"],
        t_min_mean=tmin,
        t_max_mean=tmax,
        r_b_star=ex["r_b_star"],
        method=m.value,
        at_lower_bound=at_lower,
    )


def _exact_fixed_point(
    prob, fam, H0, H_min, H_max, alpha, r_b, rtol=5e-4, accept=0.01, max_iter=12
):
    """Solve ``H = S(g(H))`` (S: sizing with a fixed g) by secant steps on ``S(g(H)) - H``.

    Each step costs one pygfunction evaluation at exactly ``H``.  Stops when ``|S - H| <= rtol
    H`` or when a secant step (after at least two evaluations) moves less than ``accept * H``;
    the secant iterate is then returned with the g of the last evaluated length (measured
    difference to the converged fixed point < 0.05 %, see benchmarks/bench_ground.py).
    """
    xs, fs = [], []
    H = H0
    for _ in range(max_iter):
        g_h = _frozen(fam.exact_values(H), alpha, r_b)
        S = _estimate(prob, g_h, H_min, H_max)
        F = S - H
        if abs(F) <= rtol * H or (S <= H_min and H <= H_min * (1 + rtol)):
            return S, g_h
        xs.append(H)
        fs.append(F)
        if len(xs) >= 2 and fs[-1] != fs[-2]:
            H_next = xs[-1] - fs[-1] * (xs[-1] - xs[-2]) / (fs[-1] - fs[-2])
            lo_b, hi_b = sorted((xs[-1], S))
            H_next = float(np.clip(min(max(H_next, lo_b - abs(F)), hi_b + abs(F)), H_min, H_max))
            if abs(H_next - H) <= accept * H:
                return H_next, g_h
        else:
            H_next = S
        H = float(np.clip(H_next, H_min, H_max))
    raise ConvergenceError(
        f"exact g-function sizing did not converge in {max_iter} steps (last H={H:.2f} m)"
    )


def _raise_infeasible(prob: _Problem, H_max: float, g, borefield: Borefield):
    ex = prob.extremes(H_max, g)
    parts = []
    if ex["t_fluid_min"] < prob.tmin:
        parts.append(
            f"minimum mean fluid temperature {ex['t_fluid_min'] - 273.15:.2f} degC in year "
            f"{ex['year_min']} is below the limit {prob.tmin - 273.15:.2f} degC"
        )
    if ex["t_fluid_max"] > prob.tmax:
        parts.append(
            f"maximum mean fluid temperature {ex['t_fluid_max'] - 273.15:.2f} degC in year "
            f"{ex['year_max']} is above the limit {prob.tmax - 273.15:.2f} degC"
        )
    raise InfeasibleDesignError(
        f"no borehole length up to H_max={H_max:.1f} m meets the fluid limits with "
        f"{borefield.n_boreholes} borehole(s): at H_max the "
        + " and the ".join(parts)
        + "; add boreholes, raise H_max, balance the loads or relax the limits"
    )


def _estimate(prob: _Problem, g, H_min: float, H_max: float, xtol: float = 1e-3) -> float:
    """Root of the residual over [H_min, H_max] with a fixed g provider."""
    r_hi = prob.residual(H_max, g)
    if r_hi > 0:
        _raise_infeasible(prob, H_max, g, prob.bf)
    r_lo = prob.residual(H_min, g)
    if r_lo <= 0:
        return H_min
    return _root(lambda H: prob.residual(H, g), H_min, H_max, xtol)


def _local_root(prob: _Problem, g, H1: float, H_min: float, H_max: float) -> float:
    """Root near ``H1`` with the interpolated family, expanding the bracket as needed."""
    lo, hi = max(H_min, H1 / 1.05), min(H_max, H1 * 1.05)
    r_lo, r_hi = prob.residual(lo, g), prob.residual(hi, g)
    while r_lo <= 0 and lo > H_min:
        hi, r_hi = lo, r_lo
        lo = max(H_min, lo / 1.25)
        r_lo = prob.residual(lo, g)
    while r_hi > 0:
        if hi >= H_max:
            _raise_infeasible(prob, H_max, g, prob.bf)
        lo, r_lo = hi, r_hi
        hi = min(H_max, hi * 1.25)
        r_hi = prob.residual(hi, g)
    if r_lo <= 0:
        return lo
    return _root(lambda H: prob.residual(H, g), lo, hi)


def rectangle_candidates(max_boreholes: int) -> list[tuple[int, int]]:
    """Near-square rectangles ``(nx, ny)`` with ``nx = ny`` or ``ny + 1``, by borehole count."""
    cands = set()
    for ny in range(1, int(math.isqrt(max_boreholes)) + 2):
        for nx in (ny, ny + 1):
            if nx * ny <= max_boreholes:
                cands.add((nx, ny))
    return sorted(cands, key=lambda c: (c[0] * c[1], c[0]))


def size_count(
    *,
    H: float,
    spacing: float,
    ground: Ground,
    loads: MonthlyLoads | HourlyLoads,
    limits: FluidLimits,
    resistance: float | BoreholeHeatExchanger,
    D: float = 4.0,
    r_b: float = 0.075,
    method: SizingMethod | str = SizingMethod.MONTHLY,
    max_boreholes: int = 400,
) -> tuple[Borefield, LifetimeTemperatures | dict]:
    """Fewest boreholes of length ``H`` [m] on a near-square rectangle (``nx = ny`` or
    ``ny + 1``, spacing ``spacing`` [m]) that keeps the fluid in ``limits``.

    Returns the field and its lifetime temperatures (a dict of extremes for 'three_pulse').
    Feasibility is assumed monotone in the number of boreholes (bisection over candidates).

    Raises
    ------
    InfeasibleDesignError
        If ``max_boreholes`` boreholes are not enough.
    """
    if isinstance(loads, HourlyLoads) and method in (SizingMethod.MONTHLY, "monthly"):
        method = SizingMethod.HOURLY
    m = _method(method, loads)
    cands = rectangle_candidates(max_boreholes)
    if isinstance(loads, HourlyLoads):
        q = loads.series()
        pe, pi = float(max(q.max(), 0.0)), float(max(-q.min(), 0.0))
    else:
        pe, pi = float(loads.peak_extraction.max()), float(loads.peak_injection.max())
    tmin, tmax = mean_fluid_limits(limits, peak_extraction=pe, peak_injection=pi)

    def evaluate(c):
        bf = Borefield.rectangle(nx=c[0], ny=c[1], spacing=spacing, H=H, D=D, r_b=r_b)
        fam = family_for(bf)
        prob = _Problem(bf, ground, loads, resistance, m, tmin, tmax)
        g = _frozen(fam.exact_values(H), ground.diffusivity, r_b)
        return bf, prob, g, prob.residual(H, g)

    lo, hi = 0, len(cands) - 1
    bf_hi, prob_hi, g_hi, r_hi = evaluate(cands[hi])
    if r_hi > 0:
        _raise_infeasible(prob_hi, H, g_hi, bf_hi)
    best = (bf_hi, prob_hi, g_hi)
    while hi - lo > 0:
        mid = (lo + hi) // 2
        bf_m, prob_m, g_m, r_m = evaluate(cands[mid])
        if r_m <= 0:
            hi, best = mid, (bf_m, prob_m, g_m)
        else:
            lo = mid + 1
    bf, prob, g = best
    if best[0].n_boreholes != cands[hi][0] * cands[hi][1]:
        bf, prob, g, _ = evaluate(cands[hi])
    rb = borehole_resistance(resistance, borefield=bf, ground=ground)
    kw = dict(borefield=bf, ground=ground, loads=loads, r_b_star=rb, g=g)
    if m is SizingMethod.THREE_PULSE:
        return bf, three_pulse(**kw)
    sim = simulate_hourly if m is SizingMethod.HOURLY else simulate_monthly
    return bf, sim(**kw)

"""Lifetime mean fluid temperatures of a borefield by temporal superposition of g-functions.

Sign convention: a ground load ``Q`` [W] is **positive when heat is extracted** from the ground
(heat-pump heating) and negative when heat is injected (cooling).  All loads are for the whole
field; each of the ``N`` boreholes of length ``H`` carries ``q' = Q / (N H)`` [W/m].

Borehole wall and mean fluid temperature (Eskilson 1987; Bernier 2000)::

    T_b(t_n) = T_g - 1/(2 pi k_s) * sum_i (q'_i - q'_{i-1}) * g(t_n - t_{i-1})
    T_f(t_n) = T_b(t_n) - q'_n * R_b*

Three methods, in increasing detail:

* :func:`three_pulse` -- the ASHRAE / Kavanaugh & Rafferty sizing equation in the form of
  Bernier (2000) ("L2"): a yearly-average pulse over the lifetime, the peak month's mean load for
  one month and the peak load for ``peak_duration``; evaluated for the first and last year.
* :func:`simulate_monthly` -- monthly superposition of the monthly mean loads over the lifetime
  with, in every month, a peak pulse of the month's peak extraction and injection of the given
  duration on top ("L3"; Peere et al. 2021).
* :func:`simulate_hourly` -- an hourly (or any uniform step) series, superposed exactly by FFT
  convolution (:mod:`scipy.fft`; O(n log n), no aggregation error).  For long
  series, the Claesson & Javed (2012) load aggregation of pygfunction gives the same result
  (checked in the tests) but is slower in Python.

References
----------
Eskilson P. (1987) Thermal analysis of heat extraction boreholes. PhD thesis, Lund University.
Bernier M. (2000) A review of the cylindrical heat source method for the design and analysis
of vertical ground-coupled heat pump systems. 4th Int. Conf. Heat Pumps in Cold Climates.
Kavanaugh S., Rafferty K. (1997/2014) Ground-source heat pumps: design of geothermal systems
for commercial and institutional buildings. ASHRAE.
Claesson J., Javed S. (2012) A load-aggregation method to calculate extraction temperatures of
borehole heat exchangers. ASHRAE Trans. 118(1) 530-539.
Peere W. et al. (2021) Validated combined first and last year borefield sizing methodology.
Building Simulation 2021, Bruges.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from designopt.errors import ConfigurationError
from designopt.ground.geometry import Borefield, Ground

__all__ = [
    "HOURS_PER_MONTH",
    "MONTH_S",
    "MonthlyLoads",
    "HourlyLoads",
    "LifetimeTemperatures",
    "GFunc",
    "three_pulse",
    "simulate_monthly",
    "simulate_hourly",
]

HOURS_PER_MONTH = 730.0
MONTH_S = HOURS_PER_MONTH * 3600.0
_YEAR_S = 12 * MONTH_S

#: g provider: ``g(H, t)`` for length ``H`` [m] and times ``t`` [s] -> g [1].
GFunc = Callable[[float, np.ndarray], np.ndarray]


def _as_array(name: str, v, n_allowed: tuple[int, ...] | None = None) -> np.ndarray:
    a = np.atleast_1d(np.asarray(v, dtype=float))
    if a.ndim != 1 or not np.all(np.isfinite(a)):
        raise ConfigurationError(f"{name} must be a 1-D array of finite numbers")
    if n_allowed is not None and len(a) not in n_allowed:
        raise ConfigurationError(f"{name} has {len(a)} values; expected one of {n_allowed}")
    return a


@dataclass(frozen=True, kw_only=True, eq=False)
class MonthlyLoads:
    """Monthly ground loads over a lifetime.

    Parameters
    ----------
    extraction : array
        Monthly mean heat extracted from the ground [W] (>= 0), 12 values (repeated every
        year) or ``12 * years`` values.
    injection : array
        Monthly mean heat injected into the ground [W] (>= 0), same length.
    peak_extraction, peak_injection : array or None
        Monthly peak extraction / injection [W] (>= 0) lasting ``peak_duration``; default the
        monthly means (no peak above the mean).
    peak_duration : float
        Duration of the peak pulses [s] (ASHRAE uses 6 h).
    years : int
        Lifetime [a].
    """

    extraction: np.ndarray
    injection: np.ndarray
    peak_extraction: np.ndarray | None = None
    peak_injection: np.ndarray | None = None
    peak_duration: float = 6 * 3600.0
    years: int = 20

    def __post_init__(self) -> None:
        years = int(self.years)
        if years < 1 or years != self.years or years > 200:
            raise ConfigurationError(f"years={self.years!r} must be an integer in 1..200")
        allowed = (12, 12 * years)
        ext = _as_array("extraction (W)", self.extraction, allowed)
        inj = _as_array("injection (W)", self.injection, (len(ext),))
        pe = ext if self.peak_extraction is None else self.peak_extraction
        pi = inj if self.peak_injection is None else self.peak_injection
        pe = _as_array("peak_extraction (W)", pe, (len(ext),))
        pi = _as_array("peak_injection (W)", pi, (len(ext),))
        for name, a in (
            ("extraction", ext),
            ("injection", inj),
            ("peak_extraction", pe),
            ("peak_injection", pi),
        ):
            if np.any(a < 0):
                raise ConfigurationError(
                    f"{name} loads must be >= 0 W (extraction and injection are given "
                    f"separately), got min {a.min()!r}"
                )
        if not (0.0 < float(self.peak_duration) <= MONTH_S):
            raise ConfigurationError(
                f"peak_duration={self.peak_duration!r} s must be within 0..{MONTH_S:.0f} s"
            )
        reps = 1 if len(ext) == 12 * years else years
        for name, a in (
            ("extraction", ext),
            ("injection", inj),
            ("peak_extraction", pe),
            ("peak_injection", pi),
        ):
            object.__setattr__(self, name, np.tile(a, reps))
        object.__setattr__(self, "years", years)
        object.__setattr__(self, "peak_duration", float(self.peak_duration))

    @classmethod
    def from_energy_kWh(
        cls,
        *,
        extraction_kWh,
        injection_kWh,
        peak_extraction_kW=None,
        peak_injection_kW=None,
        peak_duration_h: float = 6.0,
        years: int = 20,
    ) -> MonthlyLoads:
        """Build from monthly energies [kWh] and peaks [kW] (months of 730 h)."""
        k = 1000.0 / HOURS_PER_MONTH
        return cls(
            extraction=np.asarray(extraction_kWh, float) * k,
            injection=np.asarray(injection_kWh, float) * k,
            peak_extraction=None
            if peak_extraction_kW is None
            else np.asarray(peak_extraction_kW, float) * 1e3,
            peak_injection=None
            if peak_injection_kW is None
            else np.asarray(peak_injection_kW, float) * 1e3,
            peak_duration=peak_duration_h * 3600.0,
            years=years,
        )

    @classmethod
    def from_hourly(cls, hourly: HourlyLoads, *, peak_duration: float = 6 * 3600.0):
        """Monthly means and monthly peaks of an hourly series (8760 h years, 730 h months)."""
        q = hourly.series()
        months = q.reshape(-1, int(HOURS_PER_MONTH))
        ext = np.clip(months, 0, None)
        inj = np.clip(-months, 0, None)
        return cls(
            extraction=ext.mean(axis=1),
            injection=inj.mean(axis=1),
            peak_extraction=ext.max(axis=1),
            peak_injection=inj.max(axis=1),
            peak_duration=peak_duration,
            years=hourly.years,
        )

    @property
    def net(self) -> np.ndarray:
        """Monthly net extraction over the lifetime [W]."""
        return self.extraction - self.injection

    @property
    def n_months(self) -> int:
        return 12 * self.years


@dataclass(frozen=True, kw_only=True, eq=False)
class HourlyLoads:
    """Hourly net ground load [W] (positive = extraction); one year (8760 values, repeated
    ``years`` times) or the whole lifetime (``8760 * years`` values)."""

    net: np.ndarray
    years: int = 20

    def __post_init__(self) -> None:
        years = int(self.years)
        if years < 1 or years != self.years:
            raise ConfigurationError(f"years={self.years!r} must be an integer >= 1")
        q = _as_array("hourly net load (W)", self.net, (8760, 8760 * years))
        object.__setattr__(self, "net", q)

    def series(self) -> np.ndarray:
        """The full lifetime series [W]."""
        return self.net if len(self.net) == 8760 * self.years else np.tile(self.net, self.years)

    def _step_response(self, g_steps: np.ndarray) -> np.ndarray:
        """sum_i (Q_i - Q_{i-1}) g_{n-i} [W] by real FFT; the load spectrum is kept (cache)."""
        from scipy import fft

        nt = 8760 * self.years
        m = fft.next_fast_len(2 * nt - 1, real=True)
        spec = self.__dict__.get("_spectrum")
        if spec is None or spec[0] != m:
            spec = (m, fft.rfft(np.diff(self.series(), prepend=0.0), m))
            object.__setattr__(self, "_spectrum", spec)
        return fft.irfft(spec[1] * fft.rfft(g_steps, m), m)[:nt]


@dataclass(frozen=True, kw_only=True, eq=False)
class LifetimeTemperatures:
    """Mean fluid temperatures over the lifetime.

    Attributes
    ----------
    time : array
        End time of each step [s].
    t_fluid : array
        Mean fluid temperature under the step's mean load [K].
    t_fluid_min, t_fluid_max : array
        Mean fluid temperature at the end of the step's extraction / injection peak [K]
        (equal to ``t_fluid`` for hourly simulations).
    t_wall : array
        Borehole wall temperature [K].
    step : str
        'month' or 'hour'.
    H, n_boreholes, r_b_star, t_ground : float
        Borehole length [m], number of boreholes, resistance [m K/W], undisturbed temp. [K].
    """

    time: np.ndarray
    t_fluid: np.ndarray
    t_fluid_min: np.ndarray
    t_fluid_max: np.ndarray
    t_wall: np.ndarray
    step: str
    H: float
    n_boreholes: int
    r_b_star: float
    t_ground: float

    @property
    def year(self) -> np.ndarray:
        """Operating year (1-based) of each step."""
        return (np.floor((self.time - 1e-6) / _YEAR_S) + 1).astype(int)

    def extremes(self) -> dict:
        """Minimum and maximum fluid temperature [K] and their (1-based) year."""
        i, j = int(np.argmin(self.t_fluid_min)), int(np.argmax(self.t_fluid_max))
        return {
            "t_fluid_min": float(self.t_fluid_min[i]),
            "year_min": int(self.year[i]),
            "t_fluid_max": float(self.t_fluid_max[j]),
            "year_max": int(self.year[j]),
        }

    def to_dataset(self):
        """The temperatures as an :class:`xarray.Dataset` (units and long names attached)."""
        import xarray as xr

        def var(v, units, long_name):
            return ("time", np.asarray(v), {"units": units, "long_name": long_name})

        ds = xr.Dataset(
            {
                "t_fluid": var(self.t_fluid, "K", "mean fluid temperature under the mean load"),
                "t_fluid_min": var(
                    self.t_fluid_min,
                    "K",
                    "mean fluid temperature at the end of the extraction peak",
                ),
                "t_fluid_max": var(
                    self.t_fluid_max, "K", "mean fluid temperature at the end of the injection peak"
                ),
                "t_wall": var(self.t_wall, "K", "borehole wall temperature"),
                "year": var(self.year, "1", "operating year (1-based)"),
            },
            coords={
                "time": (
                    "time",
                    self.time,
                    {"units": "s", "long_name": "end of time step since start"},
                )
            },
            attrs={
                "step": self.step,
                "borehole_length_m": self.H,
                "n_boreholes": self.n_boreholes,
                "borehole_resistance_mK_per_W": self.r_b_star,
                "t_ground_K": self.t_ground,
                "sign_convention": "ground load positive when heat is extracted",
            },
        )
        return ds


def _check_common(H: float, r_b_star: float, n: int) -> None:
    if not (H > 0 and math.isfinite(H)):
        raise ConfigurationError(f"borehole length H={H!r} m must be > 0")
    if not (r_b_star > 0 and math.isfinite(r_b_star)):
        raise ConfigurationError(f"borehole resistance r_b_star={r_b_star!r} m K/W must be > 0")


def simulate_monthly(
    *,
    borefield: Borefield,
    ground: Ground,
    loads: MonthlyLoads,
    r_b_star: float,
    g: GFunc,
) -> LifetimeTemperatures:
    """Monthly superposition with monthly peak pulses ("L3"), see the module docstring.

    Parameters
    ----------
    borefield, ground : the field (its ``H`` is used) and the ground.
    loads : MonthlyLoads
    r_b_star : float
        Effective borehole thermal resistance [m K/W].
    g : callable
        ``g(H, t)`` g-function provider (e.g. ``GFunctionFamily.at_times`` bound to alpha).
    """
    H, n = borefield.H, borefield.n_boreholes
    _check_common(H, r_b_star, n)
    tg = ground.t_ground(H=H, D=borefield.D)
    nm = loads.n_months
    length = n * H
    two_pi_k = 2.0 * math.pi * ground.conductivity
    t_end = MONTH_S * np.arange(1, nm + 1)
    gv = g(H, np.append(t_end, loads.peak_duration))
    g_steps, g_peak = gv[:-1], gv[-1]
    q = loads.net / length  # W/m
    dq = np.diff(q, prepend=0.0)
    resp = np.convolve(dq, g_steps)[:nm]
    t_wall = tg - resp / two_pi_k
    t_f = t_wall - q * r_b_star
    pe = loads.peak_extraction / length
    pi = loads.peak_injection / length
    t_min = t_wall - (pe - q) * g_peak / two_pi_k - pe * r_b_star
    t_max = t_wall + (pi + q) * g_peak / two_pi_k + pi * r_b_star
    # a month without a peak keeps the mean-load temperature as its extreme
    t_min = np.minimum(t_min, t_f)
    t_max = np.maximum(t_max, t_f)
    return LifetimeTemperatures(
        time=t_end,
        t_fluid=t_f,
        t_fluid_min=t_min,
        t_fluid_max=t_max,
        t_wall=t_wall,
        step="month",
        H=H,
        n_boreholes=n,
        r_b_star=r_b_star,
        t_ground=tg,
    )


def simulate_hourly(
    *,
    borefield: Borefield,
    ground: Ground,
    loads: HourlyLoads,
    r_b_star: float,
    g: GFunc,
    dt: float = 3600.0,
) -> LifetimeTemperatures:
    """Hourly superposition (exact, FFT convolution) of an hourly load series.

    ``dt`` [s] is the step of the series.  Returns temperatures at the end of every step.
    """
    H, n = borefield.H, borefield.n_boreholes
    _check_common(H, r_b_star, n)
    tg = ground.t_ground(H=H, D=borefield.D)
    q = loads.series() / (n * H)
    nt = len(q)
    t_end = dt * np.arange(1, nt + 1)
    g_steps = g(H, t_end)
    resp = loads._step_response(g_steps) / (n * H)
    t_wall = tg - resp / (2.0 * math.pi * ground.conductivity)
    t_f = t_wall - q * r_b_star
    return LifetimeTemperatures(
        time=t_end,
        t_fluid=t_f,
        t_fluid_min=t_f,
        t_fluid_max=t_f,
        t_wall=t_wall,
        step="hour",
        H=H,
        n_boreholes=n,
        r_b_star=r_b_star,
        t_ground=tg,
    )


def three_pulse(
    *,
    borefield: Borefield,
    ground: Ground,
    loads: MonthlyLoads,
    r_b_star: float,
    g: GFunc,
) -> dict:
    """Three-pulse ("L2") extreme mean fluid temperatures [K] in the first and last year.

    For every month ``m`` of the year (mean net load ``q_m``, peak ``q_h`` of duration ``t_p``):

    * **last year** (ASHRAE equation in the form of Bernier 2000): the lifetime-average net load
      ``q_a`` for the lifetime, then ``q_m`` for one month, then ``q_h`` for ``t_p``;
    * **first year** (Monzo et al. 2016, as used by Peere et al. 2021): the mean net load of the
      months before ``m`` since the start, then ``q_m`` for one month, then ``q_h`` for ``t_p``.

    The extraction peak gives the coldest, the injection peak the warmest temperature; the
    extremes over months and the two years are returned as ``{"t_fluid_min", "year_min",
    "t_fluid_max", "year_max"}`` (years 1 or ``loads.years``).  Loads of the first year are
    used (12 values repeated is the usual input).

    Monzo P., Bernier M., Acuna J., Mogensen P. (2016) A monthly based bore field sizing
    methodology with applications to optimum borehole spacing. ASHRAE Trans. 122(1) 111-126.
    """
    H, n = borefield.H, borefield.n_boreholes
    _check_common(H, r_b_star, n)
    tg = ground.t_ground(H=H, D=borefield.D)
    length = n * H
    tp = loads.peak_duration
    t_life = loads.years * _YEAR_S
    two_pi_k = 2.0 * math.pi * ground.conductivity
    months = np.arange(12)
    t_cm = (months + 1) * MONTH_S  # end of month m since the start
    gv = g(H, np.concatenate([[tp, MONTH_S + tp, t_life + MONTH_S + tp], t_cm + tp]))
    g_p, g_mp, g_life, g_cm = gv[0], gv[1], gv[2], gv[3:]
    net = loads.net[:12]
    q_a = float(np.mean(loads.net))
    # mean net load of the months before m (0 for January)
    q_past = np.concatenate([[0.0], np.cumsum(net)[:-1] / np.arange(1, 12)])
    # response [K m] of the background pulses (everything but the peak) at the peak's end
    bg_last = q_a * (g_life - g_mp) + net * (g_mp - g_p)
    bg_first = q_past * (g_cm - g_mp) + net * (g_mp - g_p)
    pe = loads.peak_extraction[:12]
    pi = loads.peak_injection[:12]
    cold, hot = {}, {}
    for year, bg in ((1, bg_first), (loads.years, bg_last)):
        t_cold = tg - (bg + pe * (g_p + two_pi_k * r_b_star)) / (two_pi_k * length)
        t_hot = tg - (bg - pi * (g_p + two_pi_k * r_b_star)) / (two_pi_k * length)
        cold[year] = float(np.min(t_cold))
        hot[year] = float(np.max(t_hot))
    ymin = min(cold, key=cold.get)
    ymax = max(hot, key=hot.get)
    return {
        "t_fluid_min": cold[ymin],
        "year_min": int(ymin),
        "t_fluid_max": hot[ymax],
        "year_max": int(ymax),
    }

"""Building heat load and heat emitters for the hourly simulation.

Load
----
:class:`HeatLoadLine` is the steady-state load line used by EN 14825 and most sizing rules:
the space-heating load falls linearly with outdoor temperature from the design heat load at
the design temperature to zero at the balance (heating-limit) temperature,

``Q(T) = Q_design · max(0, (T_balance - T) / (T_balance - T_design))``.

EN 14825 uses ``T_balance = 16 °C`` (part load ``pl = (Tj - 16)/(Tdesignh - 16)``).  Below the
design temperature the line is extended (the load keeps rising).  :class:`HourlyHeatLoad`
takes a measured or simulated load series instead (e.g. from a building simulation).

Emitter and heating curve
-------------------------
A heat emitter delivers ``Q/Q_design = (ΔT/ΔT_design)^n`` with ``ΔT`` the mean excess of the
water over the room temperature (EN 442-2:2014, characteristic equation of radiators; the same
form with a smaller exponent describes floor heating, EN 1264).  Weather compensation sets the
flow temperature so that the emitter output matches the load at constant water flow:

``T_flow = T_room + ΔT_m,d · φ^(1/n) + ΔT_fr,d · φ / 2``,

with ``φ = Q/Q_design`` the load ratio, ``ΔT_m,d`` the design mean excess
(``(T_flow,d + T_return,d)/2 - T_room``) and ``ΔT_fr,d`` the design flow-return difference
(which scales with ``φ`` at constant flow).  The arithmetic mean excess is the usual heating-curve
simplification of the logarithmic mean of EN 442.  Presets:

* :meth:`HeatingCurve.underfloor`: 35/30 °C at design, ``n = 1.1`` (floor heating is close to
  linear; EN 1264 characteristic exponents are about 1.1);
* :meth:`HeatingCurve.radiator`: 55/45 °C at design, ``n = 1.3`` (EN 442 panel radiators,
  typical 1.25-1.35).

The flow temperature is bounded below by ``t_flow_min_K`` (default: room temperature + 2 K).

:class:`OutdoorResetCurve` is the alternative found in controllers and in EN 14825: the flow
temperature is a piecewise-linear function of the *outdoor* temperature, given by points;
:meth:`OutdoorResetCurve.en14825` gives the standard's variable-outlet temperatures of the 35 °C
and 55 °C applications (from :mod:`designopt.seasonal.climates`), which lets an hourly run on the
built-in EN 14825 year be compared with the bin method.

Both expose ``flow_temperature(t_air_K, load_ratio)`` [K], the interface the hourly simulation
calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designopt.errors import ConfigurationError

__all__ = [
    "DomesticHotWater",
    "HeatLoadLine",
    "HeatingCurve",
    "HourlyHeatLoad",
    "OutdoorResetCurve",
]

_T0_K = 273.15


def _check_K(name: str, value: float, lo: float = 200.0, hi: float = 400.0) -> None:
    if not np.isfinite(value) or not lo <= value <= hi:
        raise ConfigurationError(f"{name}={value} must lie in [{lo}, {hi}] K (kelvin, not °C)")


@dataclass(frozen=True, kw_only=True)
class HeatLoadLine:
    """Space-heating load line.

    Parameters
    ----------
    design_load_W
        Heat load at the design outdoor temperature [W], > 0.
    t_design_K
        Design outdoor temperature [K].
    t_balance_K
        Outdoor temperature at which the load reaches zero [K]; default 16 °C (EN 14825).
    """

    design_load_W: float
    t_design_K: float
    t_balance_K: float = 289.15

    def __post_init__(self) -> None:
        if not np.isfinite(self.design_load_W) or self.design_load_W <= 0:
            raise ConfigurationError(f"design_load_W={self.design_load_W} must be > 0 W")
        _check_K("t_design_K", self.t_design_K)
        _check_K("t_balance_K", self.t_balance_K)
        if self.t_balance_K <= self.t_design_K:
            raise ConfigurationError(
                f"t_balance_K={self.t_balance_K} must be above t_design_K={self.t_design_K}"
            )

    def load_W(self, t_air_K, time=None) -> np.ndarray:
        """Space-heating load [W] at outdoor dry bulb ``t_air_K`` [K] (``time`` unused)."""
        t = np.asarray(t_air_K, dtype=float)
        ratio = (self.t_balance_K - t) / (self.t_balance_K - self.t_design_K)
        return self.design_load_W * np.maximum(ratio, 0.0)


@dataclass(frozen=True, kw_only=True)
class HourlyHeatLoad:
    """A given space-heating load series.

    Parameters
    ----------
    load_W_series
        Load per time step [W], same length as the weather, all >= 0 and finite.
    design_load_W
        Load at which the emitter delivers its design temperatures [W]; default the maximum of
        the series.
    """

    load_W_series: np.ndarray = field(repr=False)
    design_load_W: float | None = None

    def __post_init__(self) -> None:
        arr = np.asarray(self.load_W_series, dtype=float)
        if arr.ndim != 1 or arr.size == 0:
            raise ConfigurationError("load_W_series must be a non-empty 1-D array of loads [W]")
        if not np.all(np.isfinite(arr)):
            raise ConfigurationError("load_W_series must be finite (found NaN or inf)")
        if np.any(arr < 0):
            i = int(np.argmin(arr))
            raise ConfigurationError(
                f"heat load must be >= 0 W; load_W_series[{i}]={arr[i]} "
                "(cooling loads are not simulated)"
            )
        arr = arr.copy()
        arr.setflags(write=False)
        object.__setattr__(self, "load_W_series", arr)
        design = float(arr.max()) if self.design_load_W is None else float(self.design_load_W)
        if not design > 0:
            raise ConfigurationError(f"design_load_W={design} must be > 0 W")
        object.__setattr__(self, "design_load_W", design)

    @classmethod
    def from_csv(cls, path, *, column: str = "load_W", design_load_W: float | None = None):
        """Read a load series from a CSV file with one row per time step.

        The column ``column`` holds the load in W (a ``load_kW`` column is accepted and
        converted).  Raises :class:`designopt.errors.DataFormatError` on a missing column or
        non-numeric values.
        """
        import pandas as pd

        from designopt.errors import DataFormatError

        df = pd.read_csv(path, comment="#")
        if column in df:
            values = pd.to_numeric(df[column], errors="coerce").to_numpy()
        elif "load_kW" in df:
            values = pd.to_numeric(df["load_kW"], errors="coerce").to_numpy() * 1e3
        else:
            raise DataFormatError(
                f"{path}: needs a column {column!r} [W] or 'load_kW'; found {list(df.columns)}"
            )
        if np.any(~np.isfinite(values)):
            raise DataFormatError(f"{path}: non-numeric or empty load values")
        return cls(load_W_series=values, design_load_W=design_load_W)

    def load_W(self, t_air_K, time=None) -> np.ndarray:
        """The stored series [W]; its length must match the weather."""
        n = np.asarray(t_air_K).size
        if n != self.load_W_series.size:
            raise ConfigurationError(
                f"load series has {self.load_W_series.size} steps but the weather has {n}"
            )
        return np.asarray(self.load_W_series, dtype=float)


@dataclass(frozen=True, kw_only=True)
class HeatingCurve:
    """Weather-compensated flow temperature of a heat emitter.

    Parameters
    ----------
    t_flow_design_K, t_return_design_K
        Flow and return water temperatures at the design load [K].
    exponent
        Emitter exponent ``n`` of ``Q ∝ ΔT^n`` [1] (EN 442: radiators about 1.3).
    t_room_K
        Room temperature [K]; default 20 °C.
    t_flow_min_K
        Lowest flow temperature [K]; default room temperature + 2 K.
    """

    t_flow_design_K: float
    t_return_design_K: float
    exponent: float
    t_room_K: float = 293.15
    t_flow_min_K: float | None = None

    def __post_init__(self) -> None:
        for name in ("t_flow_design_K", "t_return_design_K", "t_room_K"):
            _check_K(name, getattr(self, name), 270.0, 380.0)
        if not self.t_room_K < self.t_return_design_K <= self.t_flow_design_K:
            raise ConfigurationError(
                "need t_room_K < t_return_design_K <= t_flow_design_K; got "
                f"{self.t_room_K}, {self.t_return_design_K}, {self.t_flow_design_K} K"
            )
        if not 0.8 <= self.exponent <= 2.0:
            raise ConfigurationError(
                f"emitter exponent={self.exponent} must lie in [0.8, 2.0] "
                "(EN 442 radiators about 1.3, floor heating about 1.1)"
            )
        if self.t_flow_min_K is None:
            object.__setattr__(self, "t_flow_min_K", self.t_room_K + 2.0)
        _check_K("t_flow_min_K", self.t_flow_min_K, 270.0, 380.0)

    @classmethod
    def underfloor(cls, *, t_flow_design_K: float = 308.15, **kw) -> HeatingCurve:
        """Floor heating, 35/30 °C at design, ``n = 1.1``."""
        return cls(
            t_flow_design_K=t_flow_design_K,
            t_return_design_K=t_flow_design_K - 5.0,
            exponent=kw.pop("exponent", 1.1),
            **kw,
        )

    @classmethod
    def radiator(cls, *, t_flow_design_K: float = 328.15, **kw) -> HeatingCurve:
        """Panel radiators, 55/45 °C at design, ``n = 1.3`` (EN 442)."""
        return cls(
            t_flow_design_K=t_flow_design_K,
            t_return_design_K=t_flow_design_K - 10.0,
            exponent=kw.pop("exponent", 1.3),
            **kw,
        )

    def flow_temperature_K(self, load_ratio) -> np.ndarray:
        """Flow temperature [K] at load ratio ``φ = Q/Q_design`` [1] (``φ > 1`` extrapolates)."""
        phi = np.maximum(np.asarray(load_ratio, dtype=float), 0.0)
        dt_m = 0.5 * (self.t_flow_design_K + self.t_return_design_K) - self.t_room_K
        dt_fr = self.t_flow_design_K - self.t_return_design_K
        t = self.t_room_K + dt_m * phi ** (1.0 / self.exponent) + 0.5 * dt_fr * phi
        return np.maximum(t, self.t_flow_min_K)

    def return_temperature_K(self, load_ratio) -> np.ndarray:
        """Return temperature [K] at load ratio ``φ`` [1]: the flow temperature minus the
        design flow/return difference times ``φ`` (constant flow rate), at least the room
        temperature."""
        phi = np.maximum(np.asarray(load_ratio, dtype=float), 0.0)
        dt_fr = self.t_flow_design_K - self.t_return_design_K
        return np.maximum(self.flow_temperature_K(phi) - dt_fr * phi, self.t_room_K)

    def flow_temperature(self, t_air_K, load_ratio) -> np.ndarray:
        """Flow temperature [K] for the hourly simulation (depends on the load ratio only)."""
        return self.flow_temperature_K(load_ratio)


@dataclass(frozen=True, kw_only=True)
class OutdoorResetCurve:
    """Flow temperature as a piecewise-linear function of outdoor temperature.

    Parameters
    ----------
    t_air_K
        Outdoor temperatures of the points [K], increasing.
    t_flow_K
        Flow temperatures at those points [K]; held constant beyond the end points.
    """

    t_air_K: tuple
    t_flow_K: tuple

    def __post_init__(self) -> None:
        x = np.asarray(self.t_air_K, dtype=float)
        y = np.asarray(self.t_flow_K, dtype=float)
        if x.ndim != 1 or x.size < 2 or x.shape != y.shape or np.any(np.diff(x) <= 0):
            raise ConfigurationError(
                "t_air_K and t_flow_K need the same length >= 2 with t_air_K increasing; "
                f"got {x.tolist()} and {y.tolist()}"
            )
        for name, arr in (("t_air_K", x), ("t_flow_K", y)):
            if np.any(~np.isfinite(arr)) or np.any((arr < 200.0) | (arr > 400.0)):
                raise ConfigurationError(f"{name} must lie in [200, 400] K (kelvin, not °C)")
        object.__setattr__(self, "t_air_K", tuple(x.tolist()))
        object.__setattr__(self, "t_flow_K", tuple(y.tolist()))

    @classmethod
    def en14825(cls, climate: str = "average", application_degC: int = 35) -> OutdoorResetCurve:
        """EN 14825 variable-outlet temperatures of ``climate`` and the 35/55 °C application.

        Points from :meth:`designopt.seasonal.climates.ReferenceSeason.flow_temperature_K`
        at the design temperature and the test points; held constant above +15 °C at the value
        there (EN 14825 extrapolates the C-D segment up to the last bin, +15 °C).
        """
        from designopt.seasonal.climates import reference_season

        season = reference_season(climate)
        table = season.flow_temperature_degC.get(int(application_degC))
        if table is None:
            raise ConfigurationError(
                f"application_degC={application_degC} is not an EN 14825 application; "
                f"valid options: {sorted(season.flow_temperature_degC)}"
            )
        x = np.unique(np.concatenate([[t + _T0_K for t in table], season.t_bin_K[[-1]]]))
        y = season.flow_temperature_K(x, application_degC)
        return cls(t_air_K=tuple(x), t_flow_K=tuple(y))

    def flow_temperature(self, t_air_K, load_ratio=None) -> np.ndarray:
        """Flow temperature [K] at outdoor dry bulb ``t_air_K`` [K] (``load_ratio`` unused)."""
        return np.interp(np.asarray(t_air_K, dtype=float), self.t_air_K, self.t_flow_K)


_DEFAULT_DHW_PROFILE = np.array(
    # share of the daily energy per hour 0..23: morning and evening draw-offs, small base
    [0.5, 0.5, 0.5, 0.5, 0.5, 1, 6, 10, 8, 4, 3, 3, 4, 3, 2, 2, 3, 5, 9, 10, 8, 6, 3, 1],
    dtype=float,
)


@dataclass(frozen=True, kw_only=True)
class DomesticHotWater:
    """Domestic hot-water heat demand served at its own flow temperature.

    Parameters
    ----------
    daily_energy_J
        Heat to the storage per day [J] (tapping energy plus storage losses).
    t_flow_K
        Flow temperature needed to charge the store [K]; default 55 °C.
    profile
        24 relative weights for the hours 0..23 (local time); default a morning/evening profile.
    """

    daily_energy_J: float
    t_flow_K: float = 328.15
    profile: tuple = tuple(_DEFAULT_DHW_PROFILE)

    def __post_init__(self) -> None:
        if not np.isfinite(self.daily_energy_J) or self.daily_energy_J < 0:
            raise ConfigurationError(f"daily_energy_J={self.daily_energy_J} must be >= 0 J")
        _check_K("t_flow_K", self.t_flow_K, 300.0, 370.0)
        p = np.asarray(self.profile, dtype=float)
        if p.shape != (24,) or np.any(p < 0) or p.sum() <= 0:
            raise ConfigurationError("profile must hold 24 non-negative weights, not all zero")

    @classmethod
    def from_kWh_per_day(cls, energy_kWh_per_day: float, *, t_flow_degC: float = 55.0):
        """Convenience constructor at the edge (kWh/day, °C)."""
        return cls(daily_energy_J=energy_kWh_per_day * 3.6e6, t_flow_K=t_flow_degC + _T0_K)

    def load_W(self, time) -> np.ndarray:
        """Mean DHW heat demand [W] for each hour starting at ``time`` (datetime64)."""
        hours = (np.asarray(time, dtype="datetime64[h]").astype(np.int64) % 24).astype(int)
        p = np.asarray(self.profile, dtype=float)
        return self.daily_energy_J / 3600.0 * (p / p.sum())[hours]

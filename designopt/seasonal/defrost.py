"""Frost and defrost penalty of air-source heat pumps.

The steady-state performance map (``designopt.cycle.performance_map``) describes a clean outdoor
coil.  Below a few degrees Celsius and in humid air, frost builds on the coil and the unit must
defrost (reverse cycle or a resistive heater): the integrated heat output and efficiency over an
hour fall, the outdoor fan stops during each defrost and the heat used to melt the frost is taken
from the heating loop.  This module gives hour-averaged multipliers for the map.

Correlation
-----------
The EnergyPlus "frost adjustment factors" of the DX heating coil (EnergyPlus Engineering
Reference, *Single-Speed Electric Heat Pump DX Air Heating Coil*, section "Frost Adjustment
Factors"; the same equations are the DOE-2 model, and are reimplemented in the Modelica Buildings
library, ``Buildings.Fluid.DXSystems.Heating.BaseClasses.CoilDefrostTimeCalculations``):

* outdoor coil surface temperature estimated from the outdoor dry bulb (°C):
  ``T_coil = 0.82 * T_out - 8.589``;
* frosting potential ``dw = max(1e-6, w_out - w_sat(T_coil))`` [kg/kg dry air], the humidity
  ratio of the outdoor air above saturation at the coil surface;
* **on-demand** defrost: time fraction ``f = 1 / (1 + 0.01446 / dw)``, heating capacity
  multiplier ``0.875 * (1 - f)``, input power multiplier ``0.954 * (1 - f)``;
* **timed** defrost (fixed time fraction, EnergyPlus default 0.058333 = 3.5 min per hour):
  capacity multiplier ``0.909 - 107.33 * dw``, input power multiplier ``0.90 - 36.45 * dw``;
* the penalty applies only when the outdoor dry bulb is below the maximum defrost temperature
  (EnergyPlus default and here: 5 °C); above it all factors are 1;
* reverse-cycle defrost takes heat from the indoor side:
  ``Q_defrost = 0.01 * f * (7.222 - T_out) * Q_rated / 1.01667`` [W], returned here as the
  fraction ``0.01 * f * (7.222 - T_out) / 1.01667`` of the rated heating capacity.

Outdoor humidity ratio from dry bulb and relative humidity follows EnergyPlus: saturation
pressure over ice below 0 °C and over liquid water above (Hyland & Wexler 1983, as given in
ASHRAE Handbook - Fundamentals 2017, chapter 1, eqs. 5 and 6), ``w = 0.621945 p_w / (p - p_w)``.

Limits
------
The coefficients were fitted to residential air-to-air units of the 1980s (DOE-2); modern
air-to-water units with demand defrost control tend to lose less.  The factor jumps from 1 to
about 0.875 at the maximum defrost temperature (a step, as in EnergyPlus).  Valid for outdoor
air between about -25 °C and +5 °C; below about -10 °C the air is so dry that ``dw`` is at its
floor and only the constant part of the penalty remains.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np

from designopt.errors import ConfigurationError

__all__ = [
    "DefrostControl",
    "DefrostFactors",
    "DefrostModel",
    "defrost_factors",
    "defrost_performance",
    "defrost_time_fraction",
    "humidity_ratio",
    "saturation_pressure",
]

_T0_K = 273.15
_MW_RATIO = 0.621945  # molar mass ratio water / dry air [1] (ASHRAE Fundamentals 2017, ch. 1)

# Hyland & Wexler (1983) saturation pressure, ASHRAE Fundamentals 2017 ch. 1 eq. 5 (over ice,
# -100 .. 0 degC) and eq. 6 (over liquid water, 0 .. 200 degC); T in K, p in Pa.
_ICE = (
    -5.6745359e03,
    6.3925247e00,
    -9.6778430e-03,
    6.2215701e-07,
    2.0747825e-09,
    -9.4840240e-13,
    4.1635019e00,
)
_WATER = (-5.8002206e03, 1.3914993e00, -4.8640239e-02, 4.1764768e-05, -1.4452093e-08, 6.5459673e00)


class DefrostControl(StrEnum):
    """How defrost cycles are triggered (EnergyPlus ``Defrost Control``)."""

    ON_DEMAND = "on-demand"
    TIMED = "timed"
    NONE = "none"


@dataclass(frozen=True, kw_only=True)
class DefrostModel:
    """Parameters of the defrost penalty.

    Parameters
    ----------
    control
        ``on-demand`` (default: frost-dependent defrost time, typical of modern units),
        ``timed`` (fixed defrost time fraction) or ``none`` (no penalty, e.g. ground units).
    t_max_K
        Maximum outdoor dry bulb at which frost and defrost occur [K]; EnergyPlus default 5 °C.
    timed_fraction
        Defrost time fraction for ``timed`` control [1]; EnergyPlus default 0.058333.
    rh_default
        Relative humidity used when none is given [1].  0.85 is typical of a central-European
        winter and close to the EN 14511 test conditions (+2 °C dry / +1 °C wet bulb is 84 %).
    pressure_Pa
        Atmospheric pressure [Pa].
    """

    control: DefrostControl = DefrostControl.ON_DEMAND
    t_max_K: float = 278.15
    timed_fraction: float = 0.058333
    rh_default: float = 0.85
    pressure_Pa: float = 101325.0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "control", DefrostControl(self.control))
        except ValueError:
            valid = [c.value for c in DefrostControl]
            raise ConfigurationError(
                f"defrost control={self.control!r} is not known; valid options: {valid}"
            ) from None
        if not 250.0 <= self.t_max_K <= 290.0:
            raise ConfigurationError(
                f"t_max_K={self.t_max_K} must lie in [250, 290] K (maximum defrost temperature)"
            )
        if not 0.0 <= self.timed_fraction < 1.0:
            raise ConfigurationError(f"timed_fraction={self.timed_fraction} must lie in [0, 1)")
        if not 0.0 <= self.rh_default <= 1.0:
            raise ConfigurationError(
                f"rh_default={self.rh_default} must lie in [0, 1] (a fraction, not a percent)"
            )
        if not 5.0e4 <= self.pressure_Pa <= 1.1e5:
            raise ConfigurationError(f"pressure_Pa={self.pressure_Pa} must lie in [5e4, 1.1e5] Pa")


class DefrostFactors(NamedTuple):
    """Hour-averaged defrost effects (arrays broadcast from the inputs).

    Attributes
    ----------
    capacity_factor
        Multiplier on the clean-coil heat output of the map [1], in (0, 1].
    power_factor
        Multiplier on the clean-coil electric power of the map [1], in (0, 1].
    time_fraction
        Fraction of the running time spent defrosting (outdoor fan stopped) [1].
    defrost_heat_fraction
        Heat taken from the heating loop by reverse-cycle defrost, as a fraction of the rated
        heating capacity [1]; to be supplied by the back-up heater.
    """

    capacity_factor: np.ndarray
    power_factor: np.ndarray
    time_fraction: np.ndarray
    defrost_heat_fraction: np.ndarray


def saturation_pressure(t_K):
    """Saturation pressure of water vapour [Pa], over ice below 0 °C, over water above.

    Hyland & Wexler (1983), ASHRAE Handbook - Fundamentals 2017, ch. 1, eqs. 5-6.

    Parameters
    ----------
    t_K
        Temperature [K], 173.15 ... 473.15 K.

    >>> round(float(saturation_pressure(273.15)), 1)
    611.2
    """
    t = np.asarray(t_K, dtype=float)
    ln_t = np.log(t)
    c = _ICE
    ln_ice = c[0] / t + c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))) + c[6] * ln_t
    w = _WATER
    ln_wat = w[0] / t + w[1] + t * (w[2] + t * (w[3] + t * w[4])) + w[5] * ln_t
    return np.exp(np.where(t < _T0_K, ln_ice, ln_wat))


def humidity_ratio(t_K, rh, pressure_Pa: float = 101325.0):
    """Humidity ratio [kg water / kg dry air] from dry bulb [K] and relative humidity [1].

    Relative humidity is taken relative to the saturation pressure of :func:`saturation_pressure`
    (over ice below 0 °C), as EnergyPlus does.
    """
    p_w = np.asarray(rh, dtype=float) * saturation_pressure(t_K)
    return _MW_RATIO * p_w / (pressure_Pa - p_w)


def _check_inputs(t_air_K, rh, model: DefrostModel):
    t = np.asarray(t_air_K, dtype=float)
    if np.any(~np.isfinite(t)):
        raise ConfigurationError("t_air_K must be finite (got NaN or inf)")
    if np.any((t < 173.15) | (t > 343.15)):
        raise ConfigurationError(
            f"t_air_K outside [173.15, 343.15] K (min {t.min():.2f}, max {t.max():.2f}): "
            "temperatures must be given in kelvin"
        )
    r = np.asarray(model.rh_default if rh is None else rh, dtype=float)
    if np.any(~np.isfinite(r)) or np.any((r < 0.0) | (r > 1.0)):
        raise ConfigurationError(
            "rh must be a fraction in [0, 1] (not percent); "
            f"got min {np.nanmin(r):.3g}, max {np.nanmax(r):.3g}"
        )
    return np.broadcast_arrays(t, r)


def defrost_performance(
    t_air_K, rh=None, *, model: DefrostModel | None = None, pressure_Pa=None
) -> DefrostFactors:
    """All hour-averaged defrost effects for outdoor air states.

    Parameters
    ----------
    t_air_K
        Outdoor dry-bulb temperature [K], scalar or array.
    rh
        Outdoor relative humidity [1] (fraction), broadcastable to ``t_air_K``; ``None`` uses
        ``model.rh_default``.
    model
        Defrost parameters; default :class:`DefrostModel` (on-demand, 5 °C limit).
    pressure_Pa
        Atmospheric pressure [Pa], scalar or per point (e.g. from the weather file); default
        ``model.pressure_Pa``.

    Returns
    -------
    DefrostFactors
        Arrays ``capacity_factor``, ``power_factor``, ``time_fraction``,
        ``defrost_heat_fraction`` (see the module docstring for the equations and source).

    Examples
    --------
    >>> f = defrost_performance(273.15 + 2.0, 0.84)
    >>> 0.7 < float(f.capacity_factor) < 0.875
    True
    >>> float(defrost_performance(273.15 + 10.0, 0.9).capacity_factor)
    1.0
    """
    model = model or DefrostModel()
    t, r = _check_inputs(t_air_K, rh, model)
    one = np.ones_like(t)
    zero = np.zeros_like(t)
    if model.control is DefrostControl.NONE:
        return DefrostFactors(one, one.copy(), zero, zero.copy())

    t_degC = t - _T0_K
    t_coil_K = 0.82 * t_degC - 8.589 + _T0_K
    if pressure_Pa is None:
        p = model.pressure_Pa
    else:
        p = np.asarray(pressure_Pa, dtype=float)
        if np.any(~np.isfinite(p)) or np.any((p < 5.0e4) | (p > 1.1e5)):
            raise ConfigurationError("pressure_Pa must lie in [5e4, 1.1e5] Pa (pascal, not hPa)")
    w_out = humidity_ratio(t, r, p)
    w_coil = humidity_ratio(t_coil_K, 1.0, p)
    dw = np.maximum(1.0e-6, w_out - w_coil)

    if model.control is DefrostControl.ON_DEMAND:
        frac = 1.0 / (1.0 + 0.01446 / dw)
        cap = 0.875 * (1.0 - frac)
        pow_ = 0.954 * (1.0 - frac)
    else:  # timed
        frac = np.full_like(t, model.timed_fraction)
        cap = 0.909 - 107.33 * dw
        pow_ = 0.90 - 36.45 * dw
    heat = 0.01 * frac * (7.222 - t_degC) / 1.01667

    frost = t < model.t_max_K
    floor = 1.0e-3  # keep factors strictly positive for absurd humidity inputs
    return DefrostFactors(
        capacity_factor=np.where(frost, np.maximum(cap, floor), 1.0),
        power_factor=np.where(frost, np.maximum(pow_, floor), 1.0),
        time_fraction=np.where(frost, frac, 0.0),
        defrost_heat_fraction=np.where(frost, np.maximum(heat, 0.0), 0.0),
    )


def defrost_factors(t_air_K, rh=None, *, model: DefrostModel | None = None):
    """Capacity and power multipliers for the clean-coil map.

    Multiply the map's ``heat_output`` by ``capacity_factor`` and ``electric_power`` by
    ``power_factor``; the COP multiplier is their ratio.  Both are 1 above the maximum defrost
    temperature.  See :func:`defrost_performance` for arguments.

    Returns
    -------
    (capacity_factor, power_factor)
        Arrays [1] in (0, 1], broadcast from the inputs.
    """
    f = defrost_performance(t_air_K, rh, model=model)
    return f.capacity_factor, f.power_factor


def defrost_time_fraction(t_air_K, rh=None, *, model: DefrostModel | None = None):
    """Fraction of the running time spent in defrost (fan stopped) [1]."""
    return defrost_performance(t_air_K, rh, model=model).time_fraction

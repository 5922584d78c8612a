"""Variable-speed positive-displacement compressor: displacement, efficiencies, envelope.

Default efficiency map (``map=None``)
-------------------------------------
Volumetric efficiency, clearance re-expansion model (Stoecker, W.F., Jones, J.W. (1982)
*Refrigeration and Air Conditioning*, 2nd ed., McGraw-Hill, sec. 11-3; ASHRAE Handbook -
HVAC Systems and Equipment (2020), ch. 38)::

    eta_vol = eta_vol0 * (1 - C * (pi**(1/n) - 1))

with pressure ratio ``pi = p_dis / p_suc``, effective clearance ``C`` (re-expansion plus
leakage), polytropic exponent ``n`` and ``eta_vol0`` for suction heating.

Isentropic efficiency, linear in pressure ratio after
Brunin, O., Feidt, M., Hivet, B. (1997) Comparison of the working domains of some compression
heat pumps and a compression-absorption heat pump, Int. J. Refrig. 20(5), 308-318,
doi:10.1016/S0140-7007(97)00025-X::

    eta_is = a - b * pi,   a = 0.85, b = 0.046667

clipped to [0.3, 0.85].  ``eta_is_scale`` multiplies it (a better or worse compressor).  The
overall (electric) isentropic efficiency used by the cycle is this times the motor and
inverter efficiency ``eta_drive`` (default 0.90); the hermetic compressor is adiabatic, so the
drive losses heat the refrigerant and ``h2 = h1 + P_el / m``.

AHRI 540 map (optional)
-----------------------
ANSI/AHRI Standard 540-2020, sec. 5: mass flow and power as the 10-coefficient third-order
polynomial ``X = C1 + C2*S + C3*D + C4*S^2 + C5*S*D + C6*D^2 + C7*S^3 + C8*D*S^2 + C9*S*D^2 +
C10*D^3`` of suction dew temperature ``S`` and discharge dew temperature ``D`` [degF]; mass
flow in [lb/h], power in [W], at the map's rated suction superheat (or return-gas
temperature).  Mass flow is corrected for the actual suction density (ratio of densities,
Dabiri, A.E., Rice, C.K. (1981) ASHRAE Trans. 87(2), 771-780) and both are scaled linearly
with speed (an approximation: the standard maps one speed).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from designopt.errors import ConfigurationError

__all__ = ["AHRI540Map", "Compressor", "default_eta_is", "default_eta_vol"]


def default_eta_vol(pi, *, clearance: float = 0.04, exponent: float = 1.10, eta_vol0: float = 0.97):
    """Volumetric efficiency [1] of the default map at pressure ratio ``pi`` [1] (see module doc)."""
    pi = np.asarray(pi, dtype=float)
    return eta_vol0 * (1.0 - clearance * (pi ** (1.0 / exponent) - 1.0))


def default_eta_is(pi, *, a: float = 0.85, b: float = 0.046667):
    """Overall isentropic efficiency [1] of the default map (Brunin et al. 1997), clipped to [0.3, 0.85]."""
    pi = np.asarray(pi, dtype=float)
    return np.minimum(np.maximum(a - b * pi, 0.3), 0.85)


@dataclasses.dataclass(frozen=True, kw_only=True)
class AHRI540Map:
    """AHRI 540 10-coefficient compressor map (coefficients for degF, lb/h and W).

    Attributes
    ----------
    mass_flow_coefficients : tuple of 10 float
        C1..C10 of mass flow [lb/h].
    power_coefficients : tuple of 10 float
        C1..C10 of electric power [W].
    rated_superheat_K : float
        Suction superheat at which the map was measured [K] (AHRI 540 often 11.1 K = 20 degF).
    """

    mass_flow_coefficients: tuple[float, ...]
    power_coefficients: tuple[float, ...]
    rated_superheat_K: float = 11.1

    def __post_init__(self):
        for name in ("mass_flow_coefficients", "power_coefficients"):
            c = tuple(float(x) for x in getattr(self, name))
            if len(c) != 10 or not all(math.isfinite(x) for x in c):
                raise ConfigurationError(
                    f"AHRI 540 {name} must be 10 finite numbers, got {getattr(self, name)!r}"
                )
            object.__setattr__(self, name, c)
        if not 0.0 <= self.rated_superheat_K < 50.0:
            raise ConfigurationError(
                f"rated_superheat_K={self.rated_superheat_K!r} must lie in [0, 50) K"
            )

    @staticmethod
    def _poly(c, t_suc_K, t_dis_K):
        S = (np.asarray(t_suc_K, float) - 273.15) * 1.8 + 32.0
        D = (np.asarray(t_dis_K, float) - 273.15) * 1.8 + 32.0
        return (
            c[0]
            + c[1] * S
            + c[2] * D
            + c[3] * S * S
            + c[4] * S * D
            + c[5] * D * D
            + c[6] * S**3
            + c[7] * D * S * S
            + c[8] * S * D * D
            + c[9] * D**3
        )

    def mass_flow(self, t_evap_K, t_cond_K):
        """Rated mass flow [kg/s] at dew temperatures ``t_evap_K``, ``t_cond_K`` [K]."""
        return self._poly(self.mass_flow_coefficients, t_evap_K, t_cond_K) * 0.45359237 / 3600.0

    def power(self, t_evap_K, t_cond_K):
        """Rated electric power [W] at dew temperatures ``t_evap_K``, ``t_cond_K`` [K]."""
        return self._poly(self.power_coefficients, t_evap_K, t_cond_K)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Compressor:
    """Variable-speed compressor sized by its swept volume.

    Attributes
    ----------
    swept_volume_m3 : float
        Displacement per revolution [m3/rev].
    nominal_speed_hz : float
        Nominal rotational speed [rev/s]; ``speed = 1`` in maps and operating points.
    speed_min, speed_max : float
        Allowed speed range as fractions of nominal [1].
    eta_is_scale : float
        Factor on the default isentropic efficiency [1].
    eta_drive : float
        Motor and inverter efficiency [1] (default 0.90: permanent-magnet compressor motor about
        0.93-0.95 times inverter about 0.96-0.97); its losses heat the suction gas (hermetic
        compressor), so all electric power ends in the refrigerant.
    clearance, polytropic_exponent, eta_vol0 : float
        Parameters of the default volumetric efficiency (module docstring).
    discharge_temperature_max_K : float
        Envelope: highest allowed discharge temperature [K].
    pressure_ratio_max : float
        Envelope: highest allowed pressure ratio [1].
    ahri540 : AHRI540Map or None
        Optional AHRI 540 map used instead of the default efficiencies.
    """

    swept_volume_m3: float
    nominal_speed_hz: float = 50.0
    speed_min: float = 0.25
    speed_max: float = 1.2
    eta_is_scale: float = 1.0
    eta_drive: float = 0.90
    clearance: float = 0.04
    polytropic_exponent: float = 1.10
    eta_vol0: float = 0.97
    discharge_temperature_max_K: float = 403.15
    pressure_ratio_max: float = 10.0
    ahri540: AHRI540Map | None = None

    def __post_init__(self):
        checks = {
            "swept_volume_m3": (self.swept_volume_m3, 1e-7, 1e-2),
            "nominal_speed_hz": (self.nominal_speed_hz, 1.0, 300.0),
            "speed_min": (self.speed_min, 0.05, 1.0),
            "speed_max": (self.speed_max, 1.0, 3.0),
            "eta_is_scale": (self.eta_is_scale, 0.5, 1.3),
            "eta_drive": (self.eta_drive, 0.5, 1.0),
            "clearance": (self.clearance, 0.0, 0.2),
            "polytropic_exponent": (self.polytropic_exponent, 1.0, 1.5),
            "eta_vol0": (self.eta_vol0, 0.5, 1.0),
            "discharge_temperature_max_K": (self.discharge_temperature_max_K, 320.0, 450.0),
            "pressure_ratio_max": (self.pressure_ratio_max, 1.5, 30.0),
        }
        for name, (value, lo, hi) in checks.items():
            if (
                not isinstance(value, int | float)
                or not math.isfinite(value)
                or not lo <= value <= hi
            ):
                raise ConfigurationError(
                    f"compressor {name}={value!r} must be a number in [{lo}, {hi}]"
                )
        if self.ahri540 is not None and not isinstance(self.ahri540, AHRI540Map):
            raise ConfigurationError(
                f"compressor ahri540 must be an AHRI540Map or None, got {type(self.ahri540).__name__}"
            )

    @property
    def displacement_m3_s(self) -> float:
        """Swept volume rate at nominal speed [m3/s]."""
        return self.swept_volume_m3 * self.nominal_speed_hz

    def eta_vol(self, pi):
        """Volumetric efficiency [1] at pressure ratio ``pi`` (default map)."""
        return default_eta_vol(
            pi, clearance=self.clearance, exponent=self.polytropic_exponent, eta_vol0=self.eta_vol0
        )

    def eta_is(self, pi):
        """Overall (electric) isentropic efficiency [1] at pressure ratio ``pi`` (default map).

        ``eta_is_scale * eta_is_Brunin(pi) * eta_drive``: isentropic enthalpy rise over electric
        power input.
        """
        eta = np.minimum(np.maximum(default_eta_is(pi) * self.eta_is_scale, 0.2), 0.95)
        return eta * self.eta_drive

"""Finite-area heat exchangers (zone-wise) and the outdoor fan.

Two kinds of heat exchanger:

``HXKind.FINNED_COIL`` - outdoor-air finned-tube coil (evaporator of air-source units).  Air
crosses every refrigerant zone in parallel, so a zone holding the fraction ``f`` of the area
also receives the fraction ``f`` of the air flow.  Each air stream is unmixed; the refrigerant
is mixed across the air flow.  Along the refrigerant path the zone fractions follow in closed
form (the (Cmin mixed, Cmax unmixed) cross-flow relation written along the tube, Incropera &
DeWitt, *Fundamentals of Heat and Mass Transfer*, 6th ed., table 11.3):

* two-phase zone at ``T_e``:    ``f_tp = Q_tp / (C_air * eps_tp * (T_air,in - T_e))``
* superheat zone ``T_e -> T_e + SH``:
  ``f_sh = C_ref / (C_air * eps_sh) * ln((T_air,in - T_e) / (T_air,in - T_e - SH))``

with ``eps_z = 1 - exp(-U_z A / C_air)`` and ``C_ref = Q_sh / SH``.  The coil fits when
``f_tp + f_sh = 1``.  The coil is treated as dry (no latent load, no frost: defrost is applied
by the seasonal models).

``HXKind.BRAZED_PLATE`` - water or brine brazed-plate exchanger in counter-flow.  Each zone
(desuperheat / two-phase / subcool for the condenser; two-phase / superheat for the
evaporator) needs ``UA_z = Q_z / LMTD_z`` (exact for counter-flow with constant zone heat
capacities, equivalent to the effectiveness-NTU relation); the exchanger fits when
``sum(UA_z / U_z) = A``.  A zone whose terminal temperature difference is not positive is
pinched: that state is infeasible and the solver moves away from it.

Heat-transfer coefficients (overall U per zone, referred to ``area_m2``) are representative
values of the cited correlations at the design conditions of small heat pumps:

* finned coil, referred to the air-side area: air side h = 50 W/(m2 K) (plain fins at about
  2 m/s face velocity, Wang, Chi & Chang (2000) Int. J. Heat Mass Transfer 43, 2693-2700,
  doi:10.1016/S0017-9310(99)00333-6) with overall surface efficiency 0.8, in series with the
  refrigerant side (evaporation about 3000 W/(m2 K), Gungor & Winterton (1986) Int. J. Heat Mass
  Transfer 29, 351-358; vapour 400 W/(m2 K)) at an outside/inside area ratio of 20:
  U_tp = 32 W/(m2 K), U_sh = 13 W/(m2 K).  Air-side h scales with air flow to the power 0.6
  (Colburn j ~ Re^-0.4).
* brazed plate, referred to one side's plate area: water/brine side 6000 W/(m2 K) (Martin
  (1996) Chem. Eng. Process. 35, 301-310), condensation/evaporation 3000 W/(m2 K) (Longo &
  Gasparella (2007) Int. J. Refrig. 30, 821-830), vapour 700 W/(m2 K), liquid 2500 W/(m2 K),
  0.4 mm stainless wall: U_tp = 1900, U_vap = 620, U_liq = 1690 W/(m2 K).

Fan
---
Electric power ``P = V * dp / eta`` at the design air flow and total pressure rise, scaled
with the cube of the flow (fan affinity laws) when the air flow follows compressor speed.
Tip speed from the tip flow coefficient ``phi = c_m / u_tip`` with ``c_m = V / (pi/4 D^2
(1 - nu^2))`` (hub ratio ``nu``), Carolus, T. (2013) *Ventilatoren*, 3rd ed., Springer, ch. 2.
"""

from __future__ import annotations

import dataclasses
import enum
import math

import numpy as np

from designopt.errors import ConfigurationError

__all__ = ["Fan", "HXKind", "HeatExchanger", "lmtd"]

CP_AIR = 1006.0
"""Specific heat capacity of dry air [J/(kg K)]."""
R_AIR = 287.05
"""Specific gas constant of dry air [J/(kg K)]."""
P_ATM = 101325.0
"""Standard atmospheric pressure [Pa]."""


class HXKind(enum.StrEnum):
    """Construction of a heat exchanger."""

    FINNED_COIL = "finned_coil"
    BRAZED_PLATE = "brazed_plate"


_DEFAULT_U = {
    # kind: (U two-phase, U vapour, U liquid) [W/(m2 K)]
    HXKind.FINNED_COIL: (32.0, 13.0, 20.0),
    HXKind.BRAZED_PLATE: (1900.0, 620.0, 1690.0),
}


def _positive(name: str, value, lo: float = 0.0, hi: float = math.inf) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ConfigurationError(f"{name}={value!r} must be a finite number")
    if not lo < value <= hi:
        raise ConfigurationError(f"{name}={value!r} must lie in ({lo}, {hi}]")


@dataclasses.dataclass(frozen=True, kw_only=True)
class HeatExchanger:
    """A finite-area heat exchanger.

    Attributes
    ----------
    kind : HXKind
        ``finned_coil`` (outdoor air) or ``brazed_plate`` (water / brine).
    area_m2 : float
        Heat-transfer area [m2] (air-side total area for coils, one side's plate area for plates).
    u_two_phase, u_vapour, u_liquid : float or None
        Overall heat-transfer coefficients per zone [W/(m2 K)]; None takes the documented default
        of ``kind``.
    """

    kind: HXKind
    area_m2: float
    u_two_phase: float | None = None
    u_vapour: float | None = None
    u_liquid: float | None = None

    def __post_init__(self):
        try:
            kind = HXKind(self.kind)
        except ValueError:
            raise ConfigurationError(
                f"heat exchanger kind={self.kind!r} is unknown; valid: {', '.join(k.value for k in HXKind)}"
            ) from None
        object.__setattr__(self, "kind", kind)
        _positive("heat exchanger area_m2", self.area_m2, 0.0, 1e4)
        for name, default in zip(
            ("u_two_phase", "u_vapour", "u_liquid"), _DEFAULT_U[kind], strict=True
        ):
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, default)
            else:
                _positive(f"heat exchanger {name}", value, 0.0, 1e5)

    @property
    def ua_two_phase(self) -> float:
        """UA of the whole exchanger at the two-phase coefficient [W/K]."""
        return self.u_two_phase * self.area_m2


@dataclasses.dataclass(frozen=True, kw_only=True)
class Fan:
    """Outdoor-unit axial fan.

    Attributes
    ----------
    air_flow_m3_s : float
        Design (nominal) air volume flow [m3/s].
    diameter_m : float
        Impeller diameter [m].
    pressure_rise_Pa : float
        Total pressure rise at the design flow [Pa] (coil plus grille, typically 30-60 Pa).
    efficiency : float
        Total efficiency fan + motor + drive [1] (EC axial fans 0.3-0.5).
    flow_follows_speed : bool
        If True, the air flow is ``air_flow_m3_s * clip(speed, min_flow_fraction, 1)``.
    min_flow_fraction : float
        Lowest air flow as a fraction of the design flow [1].
    hub_ratio : float
        Hub-to-tip diameter ratio [1].
    tip_flow_coefficient : float
        ``phi = c_m / u_tip`` [1] (low-pressure axial fans 0.15-0.25).
    """

    air_flow_m3_s: float
    diameter_m: float = 0.55
    pressure_rise_Pa: float = 40.0
    efficiency: float = 0.40
    flow_follows_speed: bool = True
    min_flow_fraction: float = 0.5
    hub_ratio: float = 0.3
    tip_flow_coefficient: float = 0.20

    def __post_init__(self):
        _positive("fan air_flow_m3_s", self.air_flow_m3_s, 0.0, 100.0)
        _positive("fan diameter_m", self.diameter_m, 0.05, 5.0)
        _positive("fan pressure_rise_Pa", self.pressure_rise_Pa, 0.0, 2000.0)
        _positive("fan efficiency", self.efficiency, 0.0, 1.0)
        _positive("fan min_flow_fraction", self.min_flow_fraction, 0.0, 1.0)
        _positive("fan tip_flow_coefficient", self.tip_flow_coefficient, 0.0, 1.0)
        if not isinstance(self.flow_follows_speed, bool):
            raise ConfigurationError(
                f"fan flow_follows_speed={self.flow_follows_speed!r} must be true or false"
            )
        if not 0.0 <= self.hub_ratio < 0.9:
            raise ConfigurationError(f"fan hub_ratio={self.hub_ratio!r} must lie in [0, 0.9)")

    def air_flow(self, speed):
        """Air volume flow [m3/s] at compressor ``speed`` [1]."""
        speed = np.asarray(speed, dtype=float)
        if not self.flow_follows_speed:
            return np.full_like(speed, self.air_flow_m3_s)
        return self.air_flow_m3_s * np.clip(speed, self.min_flow_fraction, 1.0)

    def power(self, air_flow_m3_s):
        """Electric power [W] at air flow ``air_flow_m3_s`` [m3/s] (affinity laws)."""
        ratio = np.asarray(air_flow_m3_s, dtype=float) / self.air_flow_m3_s
        return self.air_flow_m3_s * self.pressure_rise_Pa / self.efficiency * ratio**3

    def tip_speed(self, air_flow_m3_s):
        """Blade tip speed [m/s] at air flow ``air_flow_m3_s`` [m3/s]."""
        annulus = math.pi / 4.0 * self.diameter_m**2 * (1.0 - self.hub_ratio**2)
        return np.asarray(air_flow_m3_s, dtype=float) / annulus / self.tip_flow_coefficient

    def rotational_speed(self, air_flow_m3_s):
        """Rotational speed [rev/s] at air flow ``air_flow_m3_s`` [m3/s]."""
        return self.tip_speed(air_flow_m3_s) / (math.pi * self.diameter_m)


def lmtd(a, b):
    """Logarithmic mean of temperature differences ``a``, ``b`` [K] (both > 0).

    Written as ``b * x / log1p(x)`` with ``x = a / b - 1`` and a series for small ``x``, so it is
    smooth to round-off when ``a`` is close to ``b``.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (a - b) / b
        small = np.abs(x) < 1e-4
        xs = np.where(small, 1.0, x)
        ratio = np.where(small, 1.0 + x / 2.0 - x * x / 12.0, xs / np.log1p(xs))
    return b * ratio


#: Air-side resistance of the default coil U [m2 K/W].
R_AIR_SIDE_NOMINAL = 1.0 / (0.8 * 50.0)


def coil_u(u_nom, flow_ratio):
    """Coil U [W/(m2 K)] at air flow ``flow_ratio`` [1] times the design flow.

    ``u_nom`` is split into an air-side resistance (``R_AIR_SIDE_NOMINAL``, at most the whole
    ``1/u_nom``) that scales with flow**-0.6 and a remainder that does not; at the design flow
    the result is ``u_nom`` (also above 1/R_AIR_SIDE_NOMINAL = 40 W/(m2 K)).
    """
    r_air = min(R_AIR_SIDE_NOMINAL, 1.0 / u_nom)
    return 1.0 / (r_air * flow_ratio**-0.6 + (1.0 / u_nom - r_air))

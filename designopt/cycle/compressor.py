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

Vapour injection (``injection="vapour"``)
-----------------------------------------
An economised (EVI) compressor: part of the liquid leaving the condenser is expanded to an
intermediate pressure, evaporated and superheated in an economiser (a counter-flow plate heat
exchanger that subcools the main liquid) and injected into the compression pockets.  The
compression is modelled as two stages with adiabatic mixing at the injection port, the structure
of semi-empirical EVI scroll models (Dardenne, L., Fraccari, E., Maggioni, A., Molinaroli, L.,
Proserpio, L., Winandy, E. (2015) Semi-empirical modelling of a variable speed scroll compressor
with vapour injection, Int. J. Refrig. 54, 76-87, doi:10.1016/j.ijrefrig.2015.03.004; the same
split is used by VCLibPy's ``BaseVaporInjection``, github.com/RWTH-EBC/vclibpy):

* intermediate pressure ``p_i = k sqrt(p_evap p_cond)`` (``k = injection_pressure_factor``, 1:
  the geometric mean, near the optimum of injection cycles; Xu, X., Hwang, Y., Radermacher, R.
  (2011) Refrigerant injection for heat pumping/air conditioning systems: literature review and
  challenges discussions, Int. J. Refrig. 34(2), 402-415, doi:10.1016/j.ijrefrig.2010.09.015);
* suction mass flow as without injection (the suction pocket closes before the injection port
  opens): ``m_suc = eta_vol(pi) rho_1 V f``;
* economiser: the liquid leaves at ``T_i + economiser_approach_K`` (``T_i`` the saturation
  temperature at ``p_i``), the injected vapour at ``T_i + injection_superheat_K``; the tap is
  downstream of the economiser, so ``m_tot (h3 - h5) = m_inj (h6 - h5)``; the injected mass
  fraction of the discharge flow is ``x = (h3 - h5) / (h6 - h5)``;
* stage 1 ``p_evap -> p_i`` with ``m_suc``, adiabatic mixing with the injected flow, stage 2
  ``p_i -> p_cond`` with ``m_tot = m_suc / (1 - x)``; the electric power is the isentropic
  work of this economised path over the overall efficiency of the default map at the
  **overall** pressure ratio (``eta_is(pi) * eta_drive``): one scroll with one set of leakage,
  friction and drive losses, the semi-empirical EVI models lumping the losses of the whole
  machine (Winandy, E.L., Lebrun, J. (2002) Scroll compressors using gas and liquid
  injection: experimental analysis and modelling, Int. J. Refrig. 25(8), 1143-1156;
  Dardenne et al. 2015).  Rating each stage at the efficiency of its own ratio, as two
  compressors, credited injection with 18 % (-15/32 degC) and 30 % (-15/49 degC) more COP
  than the single-stage cycle, against measured gains of 0-18 %; the discharge enthalpy
  follows from the energy balance of the adiabatic compressor; the volumetric efficiency is
  that of the overall pressure ratio;
* discharge-temperature control: where the discharge with superheated injection would exceed
  ``discharge_limit_K - 0.5 K``, the injection valve opens further and the injected flow leaves
  the economiser wet (quality down to ``wet_injection_quality_min``, default 0.8), the wet
  vapour injection of EVI heat pumps at very low ambient and high condensing temperatures
  (International Compressor Engineering Conference at Purdue, paper 2374,
  docs.lib.purdue.edu/icec/2374).

Envelope: with a published envelope (``envelope=<name>``, :mod:`designopt.cycle.envelope`) the
operating point must lie inside its polygon and below its discharge limit; without one the
pressure ratio of each compression stage must not exceed ``pressure_ratio_max`` (one stage
without injection) and the discharge temperature not ``discharge_temperature_max_K``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from designopt.cycle.envelope import envelope as published_envelope
from designopt.errors import ConfigurationError

__all__ = [
    "INJECTION_CHOICES",
    "AHRI540Map",
    "Compressor",
    "default_eta_is",
    "default_eta_vol",
]

#: Values of ``Compressor.injection``: none (single stage) or vapour (economised, EVI).
INJECTION_CHOICES = ("none", "vapour")


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
    injection : str
        ``"none"`` or ``"vapour"`` (economiser and vapour injection, see module docstring).
    injection_superheat_K : float
        Superheat of the injected vapour at the economiser outlet [K] (vapour injection).
    economiser_approach_K : float
        Liquid outlet of the economiser above the saturation temperature at the intermediate
        pressure [K]; not below ``injection_superheat_K`` (counter-flow: the injected vapour
        leaves colder than the liquid enters).
    injection_pressure_factor : float
        ``k`` of the intermediate pressure ``k sqrt(p_evap p_cond)`` [1].
    wet_injection_quality_min : float
        Lowest vapour quality of the injected flow under discharge-temperature control [1]
        (vapour injection; 1 disables wet injection, see module docstring).
    envelope : str or None
        Name of a published envelope (:func:`designopt.cycle.envelope.envelope_names`) that
        replaces the pressure-ratio rule; None keeps the rule.
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
    injection: str = "none"
    injection_superheat_K: float = 5.0
    economiser_approach_K: float = 5.0
    injection_pressure_factor: float = 1.0
    wet_injection_quality_min: float = 0.8
    envelope: str | None = None

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
            "injection_superheat_K": (self.injection_superheat_K, 0.5, 30.0),
            "economiser_approach_K": (self.economiser_approach_K, 0.5, 30.0),
            "injection_pressure_factor": (self.injection_pressure_factor, 0.5, 2.0),
            "wet_injection_quality_min": (self.wet_injection_quality_min, 0.5, 1.0),
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
        if self.injection not in INJECTION_CHOICES:
            raise ConfigurationError(
                f"compressor injection={self.injection!r} is unknown; valid: {list(INJECTION_CHOICES)}"
            )
        if self.vapour_injection and self.ahri540 is not None:
            raise ConfigurationError(
                "compressor injection='vapour' cannot use an AHRI 540 map (it maps a single-stage "
                "compressor); valid: ahri540=None with injection='vapour'"
            )
        if self.economiser_approach_K < self.injection_superheat_K:
            raise ConfigurationError(
                f"compressor economiser_approach_K={self.economiser_approach_K!r} must not be below "
                f"injection_superheat_K={self.injection_superheat_K!r} (counter-flow economiser: the "
                "injected vapour cannot leave warmer than the liquid enters)"
            )
        if self.envelope is not None:
            published_envelope(self.envelope)  # unknown names raise here

    @property
    def vapour_injection(self) -> bool:
        """True for an economised (vapour-injection) compressor."""
        return self.injection == "vapour"

    @property
    def envelope_data(self):
        """The published :class:`designopt.cycle.envelope.CompressorEnvelope` or None."""
        if self.envelope is None:
            return None
        return published_envelope(self.envelope)

    @property
    def discharge_limit_K(self) -> float:
        """Discharge temperature limit [K]: the envelope's if it gives one, else
        ``discharge_temperature_max_K``."""
        env = self.envelope_data
        if env is not None and math.isfinite(env.discharge_temperature_max_K):
            return env.discharge_temperature_max_K
        return self.discharge_temperature_max_K

    def limiting_pressure_ratio(self, pi):
        """The pressure ratio [1] checked against ``pressure_ratio_max`` at overall pressure
        ratio ``pi``: ``pi`` itself, or with vapour injection the larger stage ratio
        ``max(k, 1/k) sqrt(pi)``."""
        if not self.vapour_injection:
            return pi
        k = self.injection_pressure_factor
        return max(k, 1.0 / k) * np.sqrt(pi)

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

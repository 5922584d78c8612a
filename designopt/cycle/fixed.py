"""Fixed-saturation single-stage cycle: given evaporating and condensing temperatures.

The textbook cycle (no heat exchangers): state 1 compressor suction at the evaporator dew
pressure and ``superheat_K`` above the dew point; 2 discharge at the condenser dew pressure from
an isentropic efficiency ``eta_is`` (``h2 = h1 + (h2s - h1) / eta_is``); 3 condenser outlet
``subcool_K`` below the bubble point; 4 isenthalpic expansion to the evaporator pressure.
Evaporating and condensing temperatures are **dew-point** temperatures (EN 12900 / AHRI 540
convention); subcooling counts from the bubble point (CoolProp's pseudo-pure R407C has a glide
of 5-6 K between them).  All states come from
:mod:`designopt.properties` (CoolProp HEOS by default), with the phase imposed on the
superheated and subcooled p-T flashes.
"""

from __future__ import annotations

import dataclasses
import math

from designopt import properties, refrigerants
from designopt.errors import ConfigurationError

__all__ = ["FixedCycle", "fixed_saturation_cycle"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class FixedCycle:
    """Result of :func:`fixed_saturation_cycle` (SI units, per kg of refrigerant)."""

    refrigerant: str
    t_evap_K: float
    t_cond_K: float
    superheat_K: float
    subcool_K: float
    eta_is: float
    p_evap_Pa: float
    p_cond_Pa: float
    states: tuple[properties.State, properties.State, properties.State, properties.State]
    h2s_J_kg: float
    q_evap_J_kg: float
    q_cond_J_kg: float
    w_J_kg: float
    cop_heating: float
    cop_cooling: float
    pressure_ratio: float
    t_discharge_K: float

    @property
    def cop_carnot_heating(self) -> float:
        """Carnot heating COP between the saturation temperatures [1]."""
        return self.t_cond_K / (self.t_cond_K - self.t_evap_K)

    def as_dict(self) -> dict:
        """JSON-friendly dict (keys with units)."""
        return {
            "refrigerant": self.refrigerant,
            "t_evap_K": self.t_evap_K,
            "t_cond_K": self.t_cond_K,
            "superheat_K": self.superheat_K,
            "subcool_K": self.subcool_K,
            "eta_is": self.eta_is,
            "p_evap_Pa": self.p_evap_Pa,
            "p_cond_Pa": self.p_cond_Pa,
            "pressure_ratio": self.pressure_ratio,
            "t_discharge_K": self.t_discharge_K,
            "q_evap_J_kg": self.q_evap_J_kg,
            "q_cond_J_kg": self.q_cond_J_kg,
            "specific_work_J_kg": self.w_J_kg,
            "cop_heating": self.cop_heating,
            "cop_cooling": self.cop_cooling,
            "cop_carnot_heating": self.cop_carnot_heating,
            "states": {str(i + 1): s.as_dict() for i, s in enumerate(self.states)},
        }


def fixed_saturation_cycle(
    refrigerant: str,
    *,
    t_evap_K: float,
    t_cond_K: float,
    superheat_K: float = 0.0,
    subcool_K: float = 0.0,
    eta_is: float = 1.0,
    backend: str = "HEOS",
) -> FixedCycle:
    """Compute the single-stage cycle between dew temperatures ``t_evap_K`` and ``t_cond_K`` [K].

    Parameters
    ----------
    refrigerant : str
        Catalogue name (e.g. ``"R290"``).
    t_evap_K, t_cond_K : float
        Evaporating and condensing dew-point temperatures [K]; ``t_evap_K < t_cond_K < T_crit``.
    superheat_K, subcool_K : float
        Suction superheat and condenser subcooling [K], >= 0.
    eta_is : float
        Isentropic efficiency of the compressor (0, 1].
    backend : str
        ``"HEOS"`` or ``"BICUBIC&HEOS"``.

    Raises
    ------
    ConfigurationError
        Bad numbers (NaN, negative superheat, ``t_evap_K >= t_cond_K``, ``eta_is`` outside (0, 1]).
    PropertyError
        A state outside the fluid's range (below the triple point, above critical).
    """
    ref = refrigerants.get(refrigerant)
    vals = {
        "t_evap_K": t_evap_K,
        "t_cond_K": t_cond_K,
        "superheat_K": superheat_K,
        "subcool_K": subcool_K,
        "eta_is": eta_is,
    }
    for name, val in vals.items():
        if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
            raise ConfigurationError(f"{name}={val!r} must be a finite number")
    if superheat_K < 0 or subcool_K < 0:
        raise ConfigurationError(
            f"superheat_K={superheat_K!r} and subcool_K={subcool_K!r} must be >= 0"
        )
    if not 0.0 < eta_is <= 1.0:
        raise ConfigurationError(f"eta_is={eta_is!r} must lie in (0, 1]")
    if not t_evap_K < t_cond_K:
        raise ConfigurationError(f"t_evap_K={t_evap_K!r} must be below t_cond_K={t_cond_K!r}")
    fl = ref.coolprop_name
    lim = properties.fluid_limits(fl)
    if t_cond_K >= lim.t_crit_K:
        raise ConfigurationError(
            f"t_cond_K={t_cond_K!r} must be below the critical temperature t_crit_K={lim.t_crit_K:.2f} of {ref.name} "
            "(subcritical cycle)"
        )
    dew_e = properties.state_tq(fl, T=t_evap_K, q=1.0, backend=backend)
    dew_c = properties.state_tq(fl, T=t_cond_K, q=1.0, backend=backend)
    pe, pc = dew_e.p, dew_c.p
    s1 = (
        dew_e
        if superheat_K == 0
        else properties.state_pt(fl, p=pe, T=t_evap_K + superheat_K, phase="gas", backend=backend)
    )
    s2s = properties.state_ps(fl, p=pc, s=s1.s, backend=backend)
    h2 = s1.h + (s2s.h - s1.h) / eta_is
    s2 = properties.state_ph(fl, p=pc, h=h2, backend=backend)
    bub = properties.state_pq(fl, p=pc, q=0.0, backend=backend)
    s3 = (
        bub
        if subcool_K == 0
        else properties.state_pt(fl, p=pc, T=bub.T - subcool_K, phase="liquid", backend=backend)
    )
    s4 = properties.state_ph(fl, p=pe, h=s3.h, backend=backend)
    q_e = s1.h - s4.h
    q_c = s2.h - s3.h
    w = s2.h - s1.h
    return FixedCycle(
        refrigerant=ref.name,
        t_evap_K=float(t_evap_K),
        t_cond_K=float(t_cond_K),
        superheat_K=float(superheat_K),
        subcool_K=float(subcool_K),
        eta_is=float(eta_is),
        p_evap_Pa=pe,
        p_cond_Pa=pc,
        states=(s1, s2, s3, s4),
        h2s_J_kg=s2s.h,
        q_evap_J_kg=q_e,
        q_cond_J_kg=q_c,
        w_J_kg=w,
        cop_heating=q_c / w,
        cop_cooling=q_e / w,
        pressure_ratio=pc / pe,
        t_discharge_K=s2.T,
    )

"""The one CoolProp adapter of designopt: cached ``AbstractState`` objects and checked flashes.

Every thermodynamic property designopt uses comes through this module.  It

* keeps one :class:`CoolProp.AbstractState` per ``(backend, fluid)`` (creating an
  ``AbstractState`` costs far more than updating one, and the tabular backend builds or loads its
  tables once per fluid);
* offers the Helmholtz-energy reference backend ``HEOS`` and CoolProp's bicubic tabular backend
  ``BICUBIC&HEOS`` (tables in ``~/.CoolProp``, built once per fluid and machine);
* checks every input and every result against the fluid's limits and raises
  :class:`designopt.errors.PropertyError` naming the fluid, the inputs and the violated limit,
  because CoolProp silently returns values below the triple point, qualities of -1 and
  extrapolations above its limits;
* lets callers state the phase of p-T flashes (``phase="liquid"`` / ``"gas"``), which avoids the
  wrong-phase results of the tabular backends within a few kelvin of saturation (CoolProp issue
  #629, https://github.com/CoolProp/CoolProp/issues/629).

CoolProp is imported lazily (on the first flash), so importing this module stays cheap.

References
----------
Bell, I. H., Wronski, J., Quoilin, S., Lemort, V. (2014). Pure and pseudo-pure fluid
thermophysical property evaluation and the open-source thermophysical property library
CoolProp. Ind. Eng. Chem. Res. 53(6), 2498-2508. doi:10.1021/ie4033999
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import math
import numbers

from designopt.errors import ConfigurationError, PropertyError

__all__ = [
    "Backend",
    "FluidLimits",
    "State",
    "abstract_state",
    "coolprop_version",
    "fluid_limits",
    "saturation_pressure",
    "saturation_temperature",
    "state_ph",
    "state_ps",
    "state_pq",
    "state_pt",
    "state_tq",
]


class Backend(enum.StrEnum):
    """CoolProp backends designopt uses."""

    HEOS = "HEOS"
    """Helmholtz-energy equation of state (reference accuracy, slower)."""
    BICUBIC = "BICUBIC&HEOS"
    """Bicubic interpolation in (log p, h) tables built from HEOS (fast; see docs/properties.md)."""


def _coolprop():
    import CoolProp.CoolProp as CP  # noqa: N812  (lazy: ~1.5 s import)

    return CP


def coolprop_version() -> str:
    """Return the installed CoolProp version string."""
    return _coolprop().get_global_param_string("version")


def _backend(backend: Backend | str) -> Backend:
    try:
        return Backend(backend)
    except ValueError:
        valid = ", ".join(repr(b.value) for b in Backend)
        raise ConfigurationError(
            f"property backend {backend!r} is unknown; valid: {valid}"
        ) from None


@functools.lru_cache(maxsize=64)
def _abstract_state(backend: Backend, fluid: str):
    CP = _coolprop()
    try:
        return CP.AbstractState(backend.value, fluid)
    except ValueError as exc:
        raise PropertyError(
            f"CoolProp cannot create fluid {fluid!r} with backend {backend.value!r}: {exc}"
        ) from None


def abstract_state(fluid: str, backend: Backend | str = Backend.HEOS):
    """Return the cached CoolProp ``AbstractState`` of ``fluid`` for ``backend``.

    The object is shared: callers must not leave a phase specified on it (the flash helpers
    of this module always unspecify the phase again).
    """
    return _abstract_state(_backend(backend), fluid)


@dataclasses.dataclass(frozen=True, slots=True)
class FluidLimits:
    """Validity limits and characteristic points of a fluid's equation of state (SI units).

    Attributes
    ----------
    fluid : str
        CoolProp fluid name.
    t_triple_K, t_crit_K, t_max_K : float
        Triple-point, critical and maximum temperature of the equation of state [K].
        For CoolProp's pseudo-pure blends ``t_triple_K`` is the lower limit of the model.
    p_triple_Pa, p_crit_Pa, p_max_Pa : float
        Saturation pressure at ``t_triple_K``, critical and maximum pressure [Pa].
    molar_mass_kg_mol : float
        Molar mass [kg/mol].
    """

    fluid: str
    t_triple_K: float
    p_triple_Pa: float
    t_crit_K: float
    p_crit_Pa: float
    t_max_K: float
    p_max_Pa: float
    molar_mass_kg_mol: float


@functools.lru_cache(maxsize=64)
def fluid_limits(fluid: str) -> FluidLimits:
    """Return the :class:`FluidLimits` of ``fluid`` from CoolProp's HEOS model."""
    CP = _coolprop()
    a = abstract_state(fluid, Backend.HEOS)
    t_min = max(a.Ttriple(), a.Tmin())
    try:
        a.update(CP.QT_INPUTS, 0.0, t_min)
        p_trip = a.p()
    except ValueError:  # pragma: no cover - CoolProp quirk for some pseudo-pure fluids
        p_trip = float("nan")
    return FluidLimits(
        fluid=fluid,
        t_triple_K=float(t_min),
        p_triple_Pa=float(p_trip),
        t_crit_K=float(a.T_critical()),
        p_crit_Pa=float(a.p_critical()),
        t_max_K=float(a.Tmax()),
        p_max_Pa=float(a.pmax()),
        molar_mass_kg_mol=float(a.molar_mass()),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    """A thermodynamic state point (SI units).

    Attributes
    ----------
    T : float
        Temperature [K].
    p : float
        Pressure [Pa].
    h : float
        Specific enthalpy [J/kg].
    s : float
        Specific entropy [J/(kg K)].
    rho : float
        Density [kg/m3].
    q : float
        Vapour quality [1] inside the two-phase dome, NaN outside it.
    """

    T: float
    p: float
    h: float
    s: float
    rho: float
    q: float

    def as_dict(self) -> dict[str, float]:
        """Return the state as a plain dict with unit-suffixed keys."""
        return {
            "T_K": self.T,
            "p_Pa": self.p,
            "h_J_kg": self.h,
            "s_J_kgK": self.s,
            "rho_kg_m3": self.rho,
            "q": self.q,
        }


_PHASES = ("liquid", "gas", "supercritical", "supercritical_gas", "supercritical_liquid")


def _describe(fluid: str, backend: Backend, **inputs: float) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
    return f"{fluid} ({backend.value}) at {text}"


def _check_finite(fluid: str, backend: Backend, **inputs: float) -> None:
    for name, value in inputs.items():
        # numbers.Real: also numpy float32 / integer scalars (not subclasses of float / int)
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
        ):
            raise PropertyError(
                f"{_describe(fluid, backend, **inputs)}: input {name}={value!r} must be a finite number"
            )


def _check_T(fluid: str, backend: Backend, value_T: float, **inputs: float) -> None:
    T = value_T
    lim = fluid_limits(fluid)
    if T < lim.t_triple_K:
        raise PropertyError(
            f"{_describe(fluid, backend, **inputs)}: T={T:.3f} K is below the triple point "
            f"(lower limit) t_triple_K={lim.t_triple_K:.3f} K"
        )
    if T > lim.t_max_K:
        raise PropertyError(
            f"{_describe(fluid, backend, **inputs)}: T={T:.3f} K is above the equation of state's "
            f"limit t_max_K={lim.t_max_K:.3f} K"
        )


def _check_p(fluid: str, backend: Backend, value_p: float, **inputs: float) -> None:
    p = value_p
    lim = fluid_limits(fluid)
    if p <= 0.0:
        raise PropertyError(
            f"{_describe(fluid, backend, **inputs)}: pressure p={p!r} Pa must be positive"
        )
    if p > lim.p_max_Pa:
        raise PropertyError(
            f"{_describe(fluid, backend, **inputs)}: p={p:.6g} Pa is above the equation of state's "
            f"limit p_max_Pa={lim.p_max_Pa:.6g} Pa"
        )


def _read(fluid: str, backend: Backend, a, two_phase: bool, **inputs: float) -> State:
    T, p, h, s, rho = a.T(), a.p(), a.hmass(), a.smass(), a.rhomass()
    for name, value in (("T", T), ("p", p), ("h", h), ("s", s), ("rho", rho)):
        if not math.isfinite(value):
            raise PropertyError(
                f"{_describe(fluid, backend, **inputs)}: CoolProp returned {name}={value!r}"
            )
    q = a.Q()
    if two_phase:
        if not (-1e-9 <= q <= 1.0 + 1e-9):
            raise PropertyError(
                f"{_describe(fluid, backend, **inputs)}: two-phase state expected but quality "
                f"q={q!r} is outside [0, 1]"
            )
    else:
        q = q if 0.0 <= q <= 1.0 else float("nan")
    _check_T(fluid, backend, T, **inputs)
    _check_p(fluid, backend, p, **inputs)
    return State(T=T, p=p, h=h, s=s, rho=rho, q=q)


def _update(
    fluid: str, backend: Backend, pair: str, x: float, y: float, phase: str | None, **inputs: float
):
    CP = _coolprop()
    a = abstract_state(fluid, backend)
    if phase is not None:
        if phase not in _PHASES:
            raise ConfigurationError(f"phase={phase!r} is unknown; valid: {', '.join(_PHASES)}")
        a.specify_phase(getattr(CP, f"iphase_{phase}"))
    try:
        a.update(getattr(CP, pair), x, y)
    except ValueError as exc:
        raise PropertyError(
            f"{_describe(fluid, backend, **inputs)}: CoolProp failed: {exc}"
        ) from None
    finally:
        if phase is not None:
            a.unspecify_phase()
    return a


def state_pt(
    fluid: str,
    *,
    p: float,
    T: float,
    phase: str | None = None,
    backend: Backend | str = Backend.HEOS,
) -> State:
    """Flash at pressure ``p`` [Pa] and temperature ``T`` [K].

    ``phase`` (``"liquid"``, ``"gas"``, ``"supercritical"``...) imposes the phase; use it for
    states whose phase you know (subcooled liquid, superheated vapour) - with the tabular
    backend near saturation it is required for a correct result (CoolProp issue #629).
    """
    be = _backend(backend)
    _check_finite(fluid, be, p=p, T=T)
    _check_T(fluid, be, T, p=p, T=T)
    _check_p(fluid, be, p, p=p, T=T)
    a = _update(fluid, be, "PT_INPUTS", p, T, phase, p=p, T=T)
    return _read(fluid, be, a, False, p=p, T=T)


def state_tq(fluid: str, *, T: float, q: float, backend: Backend | str = Backend.HEOS) -> State:
    """Saturated state at temperature ``T`` [K] and quality ``q`` [1] (0 bubble, 1 dew)."""
    be = _backend(backend)
    _check_finite(fluid, be, T=T, q=q)
    _check_q(fluid, be, q, T=T, q=q)
    _check_T(fluid, be, T, T=T, q=q)
    lim = fluid_limits(fluid)
    if T > lim.t_crit_K:
        raise PropertyError(
            f"{_describe(fluid, be, T=T, q=q)}: no saturation above the critical temperature "
            f"t_crit_K={lim.t_crit_K:.3f} K"
        )
    a = _update(fluid, be, "QT_INPUTS", q, T, None, T=T, q=q)
    return _read(fluid, be, a, True, T=T, q=q)


def state_pq(fluid: str, *, p: float, q: float, backend: Backend | str = Backend.HEOS) -> State:
    """Saturated state at pressure ``p`` [Pa] and quality ``q`` [1] (0 bubble, 1 dew)."""
    be = _backend(backend)
    _check_finite(fluid, be, p=p, q=q)
    _check_q(fluid, be, q, p=p, q=q)
    lim = fluid_limits(fluid)
    if not (lim.p_triple_Pa <= p <= lim.p_crit_Pa):
        raise PropertyError(
            f"{_describe(fluid, be, p=p, q=q)}: saturation needs p_triple_Pa={lim.p_triple_Pa:.6g} "
            f"<= p <= p_crit_Pa={lim.p_crit_Pa:.6g}"
        )
    a = _update(fluid, be, "PQ_INPUTS", p, q, None, p=p, q=q)
    return _read(fluid, be, a, True, p=p, q=q)


def state_ph(fluid: str, *, p: float, h: float, backend: Backend | str = Backend.HEOS) -> State:
    """Flash at pressure ``p`` [Pa] and specific enthalpy ``h`` [J/kg]."""
    be = _backend(backend)
    _check_finite(fluid, be, p=p, h=h)
    _check_p(fluid, be, p, p=p, h=h)
    a = _update(fluid, be, "HmassP_INPUTS", h, p, None, p=p, h=h)
    return _read(fluid, be, a, False, p=p, h=h)


def state_ps(fluid: str, *, p: float, s: float, backend: Backend | str = Backend.HEOS) -> State:
    """Flash at pressure ``p`` [Pa] and specific entropy ``s`` [J/(kg K)]."""
    be = _backend(backend)
    _check_finite(fluid, be, p=p, s=s)
    _check_p(fluid, be, p, p=p, s=s)
    a = _update(fluid, be, "PSmass_INPUTS", p, s, None, p=p, s=s)
    return _read(fluid, be, a, False, p=p, s=s)


def _check_q(fluid: str, backend: Backend, quality: float, **inputs: float) -> None:
    q = quality
    if not 0.0 <= q <= 1.0:
        raise PropertyError(
            f"{_describe(fluid, backend, **inputs)}: quality q={q!r} must lie in [0, 1]"
        )


def saturation_pressure(
    fluid: str, T: float, *, q: float = 1.0, backend: Backend | str = Backend.HEOS
) -> float:
    """Saturation pressure [Pa] at temperature ``T`` [K] (dew point ``q=1`` by default)."""
    return state_tq(fluid, T=T, q=q, backend=backend).p


def saturation_temperature(
    fluid: str, p: float, *, q: float = 1.0, backend: Backend | str = Backend.HEOS
) -> float:
    """Saturation temperature [K] at pressure ``p`` [Pa] (dew point ``q=1`` by default)."""
    return state_pq(fluid, p=p, q=q, backend=backend).T

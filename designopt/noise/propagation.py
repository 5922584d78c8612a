"""Sound pressure level at a receiver from a point source: ISO 9613-2, MCS 020(a), MCS 020,
US night limit.

All methods share the free-field point-source relation over reflecting planes

.. math:: L_p = L_{WA} + 10\\lg\\frac{Q}{4\\pi r^2} - A_\\mathrm{bar} - A_\\mathrm{atm}
          = L_{WA} - 20\\lg(r/1\\,\\mathrm{m}) - 11 + 10\\lg Q - A_\\mathrm{bar} - A_\\mathrm{atm}

with directivity Q = 2^k for k reflecting surfaces within about 1 m of the unit (the ground
counts as one): Q = 2, 4, 8. ISO 9613-2:1996 clause 7.1 gives the divergence term
A_div = 20 lg(d/1 m) + 11 dB; clause 7.2 air absorption A_atm = α d (α ≈ 1.9 dB/km at 500 Hz,
10 °C, 70 % RH, Table 2); clause 7.4 the barrier term D_z = 10 lg(3 + 20 z/λ), capped at 20 dB
for single diffraction.

MCS 020(a) (MCS, England, 2025, permitted-development noise assessment): the level above,
rounded to 0.1 dB, must not exceed 37.0 dB(A) at any assessment position (1 m from a
neighbour's habitable-room window or door). Barrier attenuation: 10 / 5 / 0 dB for no / partial /
full line of sight over a solid barrier (masonry, or a fence of at least 18 mm), 5 / 2.5 / 0 dB
for a thinner fence. The printed formula in the standard adds the barrier term with the wrong sign;
a barrier attenuates, so it is subtracted here. L_WA is the maximum declared sound power (never
a quiet mode).

Legacy MCS 020 (2019 and earlier): the heat-pump level is combined energetically with a
background of 40 dB(A) (or a measured background) and the total must not exceed 42.0 dB(A).

US night: US EPA (1974) "Levels Document" (EPA 550/9-74-004): Ldn 55 dB(A) with a 10 dB night
penalty, i.e. 45 dB(A) at night from a steadily running unit.

Confidence: the worked example L_WA 67 dB(A), Q = 4, 10 m → 42.0 dB(A) is the MCS worked
example [S]; the 37 / 42 / 45 dB(A) limits are as cited above.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np

from designopt._check import real
from designopt.errors import ConfigurationError


class Method(StrEnum):
    """Assessment method."""

    ISO9613 = "iso9613"
    MCS020A = "mcs020a"
    MCS020 = "mcs020"
    US_NIGHT = "us-night"


class Barrier(StrEnum):
    """Barrier classes of MCS 020(a) (solid: masonry or fence ≥ 18 mm; thin: thinner fence)."""

    NONE = "none"
    SOLID_NO_VIEW = "solid-no-view"
    SOLID_PARTIAL_VIEW = "solid-partial-view"
    SOLID_FULL_VIEW = "solid-full-view"
    THIN_NO_VIEW = "thin-no-view"
    THIN_PARTIAL_VIEW = "thin-partial-view"
    THIN_FULL_VIEW = "thin-full-view"


#: MCS 020(a) barrier attenuation [dB].
BARRIER_ATTENUATION_DB: dict[Barrier, float] = {
    Barrier.NONE: 0.0,
    Barrier.SOLID_NO_VIEW: 10.0,
    Barrier.SOLID_PARTIAL_VIEW: 5.0,
    Barrier.SOLID_FULL_VIEW: 0.0,
    Barrier.THIN_NO_VIEW: 5.0,
    Barrier.THIN_PARTIAL_VIEW: 2.5,
    Barrier.THIN_FULL_VIEW: 0.0,
}

#: Default limits [dB(A)] per method. ISO 9613-2 itself sets no limit: the default 40 dB(A) is
#: the WHO Night Noise Guidelines for Europe (2009) Lnight,outside target; override it.
DEFAULT_LIMIT_DBA: dict[Method, float] = {
    Method.ISO9613: 40.0,
    Method.MCS020A: 37.0,
    Method.MCS020: 42.0,
    Method.US_NIGHT: 45.0,
}

#: Legacy MCS 020 assumed background level [dB(A)].
MCS020_DEFAULT_BACKGROUND_DBA = 40.0

#: ISO 9613-2 Table 2 air attenuation at 500 Hz, 10 °C, 70 % RH [dB/m].
AIR_ABSORPTION_500HZ_DB_PER_M = 0.0019

SPEED_OF_SOUND_M_S = 343.0


def parse_method(method: str | Method) -> Method:
    """Method from its name; clear error listing the valid names."""
    try:
        return Method(str(method).lower())
    except ValueError:
        raise ConfigurationError(
            f"method={method!r} is unknown; valid: {[m.value for m in Method]}"
        ) from None


#: Short aliases (as in case files): "partial" = partial view over a solid barrier (5 dB),
#: "full" = a solid barrier fully screening the unit, no line of sight (10 dB).
BARRIER_ALIASES: dict[str, Barrier] = {
    "partial": Barrier.SOLID_PARTIAL_VIEW,
    "full": Barrier.SOLID_NO_VIEW,
}


def _barrier_from_name(name: Any) -> float:
    key = str(name).lower().replace("_", "-")
    if key in BARRIER_ALIASES:
        return BARRIER_ATTENUATION_DB[BARRIER_ALIASES[key]]
    try:
        return BARRIER_ATTENUATION_DB[Barrier(key)]
    except ValueError:
        raise ConfigurationError(
            f"barrier={name!r} is unknown; valid: {[x.value for x in Barrier]}, aliases "
            f"{sorted(BARRIER_ALIASES)} or a number of dB"
        ) from None


def barrier_attenuation(barrier: Any) -> Any:
    """Barrier attenuation [dB] from a :class:`Barrier` name (or names), or a number of dB."""
    if isinstance(barrier, str):
        return np.float64(_barrier_from_name(barrier))
    arr = np.asarray(barrier, dtype=object if isinstance(barrier, (list, tuple)) else None)
    if arr.dtype.kind in "iuf":
        return real("barrier", arr, lo=0.0)
    out = np.empty(arr.shape, dtype=float)
    for idx, b in np.ndenumerate(arr):
        if isinstance(b, str):
            out[idx] = _barrier_from_name(b)
        elif isinstance(b, (int, float, np.integer, np.floating)) and not isinstance(b, bool):
            out[idx] = real("barrier", b, lo=0.0)
        else:
            _barrier_from_name(b)
    return out[()]


def directivity(reflecting_surfaces: Any, *, allow_free_field: bool = True) -> np.ndarray:
    """Directivity factor Q = 2^k for k reflecting surfaces (0-3) [1]."""
    k = np.asarray(reflecting_surfaces)
    lo = 0 if allow_free_field else 1
    if k.ndim == 0 and isinstance(k[()], (np.integer, np.floating)):
        v = float(k)
        bad = not (v == int(v) and lo <= v <= 3) if np.isfinite(v) else True
    else:
        bad = (
            not np.issubdtype(k.dtype, np.number)
            or bool((k != np.round(k)).any())
            or bool((k < lo).any())
            or bool((k > 3).any())
        )
    if bad:
        raise ConfigurationError(
            f"reflecting_surfaces={reflecting_surfaces!r} must be an integer from {lo} to 3 "
            "(ground, walls within 1 m of the unit; Q = 2, 4, 8)"
        )
    return 2.0 ** k.astype(float)[()]


def _distance(distance_m: Any) -> np.ndarray:
    return real("distance_m", distance_m, lo=0.0, lo_open=True)


def _lwa(lwa_dBA: Any) -> np.ndarray:
    return real("lwa_dBA", lwa_dBA, lo=0.0, hi=150.0)


def point_source_level(
    lwa_dBA: Any,
    distance_m: Any,
    reflecting_surfaces: Any = 1,
    *,
    barrier_dB: Any = 0.0,
    air_absorption_dB_per_m: Any = 0.0,
) -> np.ndarray:
    """Unrounded Lp = L_WA + 10 lg(Q/(4π r²)) − A_bar − α r [dB(A)]."""
    lw = _lwa(lwa_dBA)
    r = _distance(distance_m)
    q = directivity(reflecting_surfaces)
    a_bar = real("barrier_dB", barrier_dB, lo=0.0)
    alpha = real("air_absorption_dB_per_m", air_absorption_dB_per_m, lo=0.0)
    return lw + 10.0 * np.log10(q / (4.0 * np.pi * r**2)) - a_bar - alpha * r


def iso9613_barrier_attenuation(
    path_difference_m: Any, *, frequency_Hz: float = 500.0
) -> np.ndarray:
    """ISO 9613-2 eq. (14) single-diffraction barrier attenuation D_z [dB], capped at 20 dB.

    D_z = 10 lg(3 + (C2/λ) C3 z K_met) with C2 = 20, C3 = 1, K_met = 1 (short range); z the
    path difference [m]; λ = c/f. A-weighted broadband noise of fans peaks near 500 Hz, the
    default. For z ≤ 0 (line of sight) D_z is taken as 0 (ISO applies the formula only for a
    screened receiver).
    """
    z = np.asarray(path_difference_m, dtype=float)
    lam = SPEED_OF_SOUND_M_S / float(frequency_Hz)
    dz = 10.0 * np.log10(3.0 + 20.0 / lam * np.maximum(z, 0.0))
    return np.where(z > 0, np.minimum(dz, 20.0), 0.0)


def combine_levels(*levels_dBA: Any) -> np.ndarray:
    """Energetic sum 10 lg Σ 10^(L/10) [dB(A)]."""
    return 10.0 * np.log10(sum(10.0 ** (np.asarray(L, dtype=float) / 10.0) for L in levels_dBA))


def round_half_up(x: Any, decimals: int = 1) -> np.ndarray:
    """Round half away from zero at ``decimals`` (as a hand calculation would; numpy rounds half
    to even). A tiny offset guards binary representation (42.05 → 42.1)."""
    f = 10.0**decimals
    v = np.asarray(x, dtype=float)[()] * f
    return np.sign(v) * np.floor(abs(v) + 0.5 + 1e-9) / f


def sound_pressure_level(
    *,
    lwa_dBA: Any,
    distance_m: Any,
    reflecting_surfaces: Any = 1,
    barrier: Any = "none",
    method: str | Method = Method.MCS020A,
    background_dBA: Any = None,
    air_absorption_dB_per_m: Any = 0.0,
    limit_dBA: Any = None,
) -> dict[str, np.ndarray]:
    """Level at a receiver, the applicable limit and the margin (≤ 0 passes).

    Parameters
    ----------
    lwa_dBA : A-weighted sound power of the unit [dB(A)] (the maximum declared for MCS).
    distance_m : distance from the unit to the assessment position [m], > 0.
    reflecting_surfaces : 0-3 (0 only for ``iso9613``; MCS counts the ground, so 1-3).
    barrier : :class:`Barrier` name or a number of dB.
    method : ``iso9613``, ``mcs020a``, ``mcs020`` (legacy, with background), ``us-night``.
    background_dBA : ``mcs020`` only: background level (default 40 dB(A)).
    air_absorption_dB_per_m : ``iso9613`` and ``us-night`` only; e.g.
        :data:`AIR_ABSORPTION_500HZ_DB_PER_M`.
    limit_dBA : override the method's default limit (:data:`DEFAULT_LIMIT_DBA`).

    Returns
    -------
    dict with ``level_dBA`` (MCS: rounded to 0.1 dB; legacy MCS 020: the heat pump combined with
    the background), ``heat_pump_level_dBA`` (unrounded, the unit alone), ``limit_dBA``,
    ``margin_dB`` = level − limit (the constraint value, ≤ 0 passes).

    Examples
    --------
    >>> r = sound_pressure_level(lwa_dBA=67, distance_m=10, reflecting_surfaces=2)
    >>> float(r["level_dBA"]), float(r["margin_dB"])
    (42.0, 5.0)
    """
    m = parse_method(method)
    mcs = m in (Method.MCS020A, Method.MCS020)
    directivity(reflecting_surfaces, allow_free_field=not mcs)
    a_bar = barrier_attenuation(barrier)
    alpha = 0.0 if mcs else air_absorption_dB_per_m
    if mcs and np.max(np.abs(air_absorption_dB_per_m)) != 0:
        raise ConfigurationError(f"air absorption is not part of method={m.value!r}")
    lp = point_source_level(
        lwa_dBA, distance_m, reflecting_surfaces, barrier_dB=a_bar, air_absorption_dB_per_m=alpha
    )
    if background_dBA is not None and m is not Method.MCS020:
        raise ConfigurationError(
            f"background_dBA applies to method='mcs020' only, not method={m.value!r}"
        )
    bg = None
    if m is Method.MCS020:
        bg = MCS020_DEFAULT_BACKGROUND_DBA if background_dBA is None else background_dBA
        bg = real("background_dBA", bg, lo=0.0)
    limit = real("limit_dBA", DEFAULT_LIMIT_DBA[m] if limit_dBA is None else limit_dBA)
    return assess_level(lp, method=m, background_dBA=bg, limit_dBA=limit)


def assess_level(
    lp_dBA: Any, *, method: Method, background_dBA: Any = None, limit_dBA: Any
) -> dict[str, Any]:
    """Apply a method's rounding, background and limit to an (unrounded, checked) heat-pump level.

    Used by :func:`sound_pressure_level` and :func:`designopt.noise.receiver_levels`; inputs are
    not re-checked here.
    """
    m, lp, limit = method, lp_dBA, limit_dBA
    mcs = m in (Method.MCS020A, Method.MCS020)
    if m is Method.MCS020:
        level = round_half_up(combine_levels(lp, background_dBA), 1)
    elif m is Method.MCS020A:
        level = round_half_up(lp, 1)
    else:
        level = lp
    margin = level - limit
    if mcs:
        margin = round_half_up(margin, 1)
    return {
        "level_dBA": level,
        "heat_pump_level_dBA": lp,
        "limit_dBA": limit + 0.0 * level,
        "margin_dB": margin,
    }

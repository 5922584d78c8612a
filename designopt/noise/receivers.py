"""Several receivers (assessment positions) per case, as one optimiser constraint.

A :class:`Receiver` describes one assessment position: distance to the unit, reflecting
surfaces around the unit as seen for that position, the barrier between them and (legacy
MCS 020) the background level there. :func:`receiver_levels` evaluates every receiver for every
design (vectorised over the sound power) and returns the worst margin: the constraint value.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from designopt._check import real
from designopt.errors import ConfigurationError
from designopt.noise.propagation import (
    DEFAULT_LIMIT_DBA,
    MCS020_DEFAULT_BACKGROUND_DBA,
    Method,
    assess_level,
    barrier_attenuation,
    directivity,
    parse_method,
)


@dataclass(frozen=True)
class Receiver:
    """One assessment position.

    Attributes
    ----------
    name : label (e.g. "No. 12 bedroom window").
    distance_m : distance from the unit [m], > 0.
    reflecting_surfaces : 0-3 (MCS: 1-3, the ground counts).
    barrier : :class:`designopt.noise.propagation.Barrier` name or a number of dB.
    background_dBA : background level for legacy MCS 020 [dB(A)]; None = method default.
    method : assessment method of this receiver; None = the one passed to
        :func:`receiver_levels`.
    limit_dBA : limit at this receiver [dB(A)]; None = the call's ``limit_dBA`` or the
        method's default.
    """

    name: str
    distance_m: float
    reflecting_surfaces: int = 1
    barrier: str | float = "none"
    background_dBA: float | None = None
    method: str | None = None
    limit_dBA: float | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.distance_m) and self.distance_m > 0):
            raise ConfigurationError(
                f"receiver {self.name!r}: distance_m={self.distance_m} must be finite and > 0"
            )
        directivity(self.reflecting_surfaces)
        object.__setattr__(self, "_barrier_dB", float(barrier_attenuation(self.barrier)))
        if self.method is not None:
            parse_method(self.method)
        if self.limit_dBA is not None and not (0 <= self.limit_dBA <= 150):
            raise ConfigurationError(
                f"receiver {self.name!r}: limit_dBA={self.limit_dBA} must lie in 0-150 dB(A)"
            )

    @property
    def barrier_dB(self) -> float:
        """Barrier attenuation [dB]."""
        return self._barrier_dB  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NoiseAssessment:
    """Levels of designs at receivers.

    Arrays have shape ``(*design_shape, n_receivers)`` except ``constraint`` and ``worst``
    (``design_shape``).

    Attributes
    ----------
    receivers : the receivers, in column order
    methods : the method used for each receiver
    level_dBA, limit_dBA, margin_dB : per receiver
    constraint : worst margin over the receivers [dB] (≤ 0 passes)
    worst : index of the worst receiver
    """

    receivers: tuple[Receiver, ...]
    methods: tuple[Method, ...]
    level_dBA: np.ndarray
    limit_dBA: np.ndarray
    margin_dB: np.ndarray
    constraint: np.ndarray
    worst: np.ndarray

    def scaled_constraint(self) -> np.ndarray:
        """Worst of (level − limit)/limit over the receivers (designopt's scaled form)."""
        return np.max(self.margin_dB / self.limit_dBA, axis=-1)


def receiver_levels(
    lwa_dBA: Any,
    receivers: Sequence[Receiver],
    *,
    method: str | Method = Method.MCS020A,
    limit_dBA: Any = None,
    air_absorption_dB_per_m: float = 0.0,
) -> NoiseAssessment:
    """Level, limit and margin of every design at every receiver, and the worst margin.

    Parameters
    ----------
    lwa_dBA : sound power of each design [dB(A)], scalar or array of any shape.
    receivers : at least one :class:`Receiver`.
    method : ``iso9613``, ``mcs020a``, ``mcs020``, ``us-night``: the method of receivers that do
        not set their own.
    limit_dBA : limit for receivers that do not set their own (default: the method's,
        :data:`DEFAULT_LIMIT_DBA`).
    air_absorption_dB_per_m : for ``iso9613`` / ``us-night`` receivers.

    Examples
    --------
    >>> rs = [Receiver("A", 10.0, 2), Receiver("B", 6.0, 1, "solid-no-view")]
    >>> a = receiver_levels([60.0, 67.0], rs)
    >>> a.level_dBA.tolist(), a.constraint.tolist()
    ([[35.0, 26.5], [42.0, 33.5]], [-2.0, 5.0])
    """
    default = parse_method(method)
    if len(receivers) == 0:
        raise ConfigurationError("receivers must hold at least one Receiver")
    lw = np.asarray(real("lwa_dBA", lwa_dBA, lo=0.0, hi=150.0))[..., None]
    lim_default = None if limit_dBA is None else float(real("limit_dBA", limit_dBA, lo=0.0))
    groups = _groups(tuple(receivers), default, lim_default, float(air_absorption_dB_per_m))
    if len(groups) == 1:
        m, _, geom, bg, lim = groups[0]
        res = assess_level(lw + geom, method=m, background_dBA=bg, limit_dBA=lim)
        level, margin, limit = res["level_dBA"], res["margin_dB"], res["limit_dBA"]
    else:
        shape = np.broadcast_shapes(lw.shape[:-1] + (len(receivers),))
        level, margin, limit = np.empty(shape), np.empty(shape), np.empty(shape)
        for m, cols, geom, bg, lim in groups:
            res = assess_level(lw + geom, method=m, background_dBA=bg, limit_dBA=lim)
            level[..., cols] = res["level_dBA"]
            margin[..., cols] = res["margin_dB"]
            limit[..., cols] = res["limit_dBA"]
    worst = np.argmax(margin, axis=-1)
    return NoiseAssessment(
        receivers=tuple(receivers),
        methods=tuple(default if r.method is None else parse_method(r.method) for r in receivers),
        level_dBA=level,
        limit_dBA=limit,
        margin_dB=margin,
        constraint=np.max(margin, axis=-1),
        worst=worst,
    )


@functools.lru_cache(maxsize=256)
def _groups(
    receivers: tuple[Receiver, ...], default: Method, limit: float | None, alpha: float
) -> list[tuple[Method, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]]:
    """Receivers grouped by method: (method, columns, L_p − L_WA [dB], background, limits)."""
    methods = [default if r.method is None else parse_method(r.method) for r in receivers]
    out = []
    for m in dict.fromkeys(methods):
        cols = np.array([i for i, mi in enumerate(methods) if mi is m])
        group = [receivers[i] for i in cols]
        geom, bg = _receiver_terms(tuple(group), m, alpha)
        lim = np.array(
            [
                r.limit_dBA
                if r.limit_dBA is not None
                else (DEFAULT_LIMIT_DBA[m] if limit is None else limit)
                for r in group
            ]
        )
        out.append((m, cols, geom, bg, lim))
    return out


@functools.lru_cache(maxsize=256)
def _receiver_terms(
    receivers: tuple[Receiver, ...], m: Method, alpha: float
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-receiver propagation term L_p − L_WA [dB] and background (mcs020), checked once."""
    mcs = m in (Method.MCS020, Method.MCS020A)
    if mcs and alpha != 0:
        raise ConfigurationError(f"air absorption is not part of method={m.value!r}")
    if alpha < 0 or not np.isfinite(alpha):
        raise ConfigurationError(f"air_absorption_dB_per_m={alpha} must be finite and >= 0")
    dist = np.array([r.distance_m for r in receivers])
    q = directivity(np.array([r.reflecting_surfaces for r in receivers]), allow_free_field=not mcs)
    bar = np.array([r.barrier_dB for r in receivers])
    geom = 10.0 * np.log10(q / (4.0 * np.pi * dist**2)) - bar - alpha * dist
    bg = None
    if m is Method.MCS020:
        bg = np.array(
            [
                MCS020_DEFAULT_BACKGROUND_DBA if r.background_dBA is None else r.background_dBA
                for r in receivers
            ]
        )
        real("background_dBA", bg, lo=0.0)
    elif any(r.background_dBA is not None for r in receivers):
        raise ConfigurationError(
            f"receiver background_dBA applies to method='mcs020' only, not method={m.value!r}"
        )
    geom.flags.writeable = False
    return geom, bg


@dataclass(frozen=True)
class SoundPowerLimit:
    """The largest sound power that still meets every receiver (see :func:`max_sound_power`).

    Attributes
    ----------
    lwa_dBA : the largest L_WA [dB(A)] on the ``resolution_dB`` grid that meets every receiver
        with the forward model (:func:`receiver_levels`); ``-inf`` if no sound power can (a
        legacy MCS 020 background at or above the limit).
    per_receiver_dBA : the same bound for each receiver alone [dB(A)]
    worst : index of the receiver that sets the bound
    level_dBA, margin_dB : the forward model's level and margin at each receiver for ``lwa_dBA``
    """

    lwa_dBA: float
    per_receiver_dBA: np.ndarray
    worst: int
    level_dBA: np.ndarray
    margin_dB: np.ndarray


def max_sound_power(
    receivers: Sequence[Receiver],
    *,
    method: str | Method = Method.MCS020A,
    limit_dBA: Any = None,
    air_absorption_dB_per_m: float = 0.0,
    resolution_dB: float = 0.1,
) -> SoundPowerLimit:
    """Invert :func:`receiver_levels`: the largest L_WA that meets every receiver.

    For each receiver the propagation term G = L_p − L_WA (directivity, distance, barrier, air
    absorption) is known, so the unrounded bound is L_WA ≤ limit − G; legacy MCS 020 first
    removes the background energetically, L_p ≤ 10 lg(10^(limit/10) − 10^(bg/10)).  The bound
    is rounded down to ``resolution_dB`` and then checked with the forward model (its rounding
    of the level to 0.1 dB included): the returned L_WA passes every receiver and L_WA +
    ``resolution_dB`` fails at least one.

    Examples
    --------
    >>> lim = max_sound_power([Receiver("window", 10.0, 2)])  # MCS 020(a), 37 dB(A)
    >>> round(lim.lwa_dBA, 1), float(receiver_levels(lim.lwa_dBA, [Receiver("window", 10.0, 2)]).constraint)
    (62.0, 0.0)
    """
    if len(receivers) == 0:
        raise ConfigurationError("receivers must hold at least one Receiver")
    if not (resolution_dB > 0 and np.isfinite(resolution_dB)):
        raise ConfigurationError(f"resolution_dB={resolution_dB} must be finite and > 0")
    default = parse_method(method)
    lim_default = None if limit_dBA is None else float(real("limit_dBA", limit_dBA, lo=0.0))
    groups = _groups(tuple(receivers), default, lim_default, float(air_absorption_dB_per_m))
    bound = np.empty(len(receivers))
    for m, cols, geom, bg, lim in groups:
        target = lim.astype(float)
        if m is Method.MCS020:
            with np.errstate(divide="ignore", invalid="ignore"):
                target = 10.0 * np.log10(10.0 ** (lim / 10.0) - 10.0 ** (bg / 10.0))
            target = np.where(lim > bg, target, -np.inf)
        bound[cols] = target - geom
    steps = np.floor(bound / resolution_dB + 1e-9)
    per = np.where(np.isfinite(bound), steps * resolution_dB, -np.inf)
    best = float(np.min(per))
    worst = int(np.argmin(per))
    if not np.isfinite(best):
        nan = np.full(len(receivers), np.nan)
        return SoundPowerLimit(-np.inf, per, worst, nan, nan)
    # the forward model decides: step down while it fails, up while one more step passes
    kw = {
        "method": default,
        "limit_dBA": limit_dBA,
        "air_absorption_dB_per_m": air_absorption_dB_per_m,
    }
    lw = round(best, 6)
    for _ in range(50):
        if float(receiver_levels(lw, receivers, **kw).constraint) <= 0 or lw <= 0:
            break
        lw = round(lw - resolution_dB, 6)
    for _ in range(50):
        if (
            lw + resolution_dB > 150
            or float(receiver_levels(lw + resolution_dB, receivers, **kw).constraint) > 0
        ):
            break
        lw = round(lw + resolution_dB, 6)
    res = receiver_levels(lw, receivers, **kw)
    return SoundPowerLimit(lw, per, worst, res.level_dBA, res.margin_dB)

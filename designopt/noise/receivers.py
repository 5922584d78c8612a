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

from designopt.errors import ConfigurationError
from designopt.noise._check import real
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
    """

    name: str
    distance_m: float
    reflecting_surfaces: int = 1
    barrier: str | float = "none"
    background_dBA: float | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.distance_m) and self.distance_m > 0):
            raise ConfigurationError(
                f"receiver {self.name!r}: distance_m={self.distance_m} must be finite and > 0"
            )
        directivity(self.reflecting_surfaces)
        object.__setattr__(self, "_barrier_dB", float(barrier_attenuation(self.barrier)))

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
    method : the method used
    level_dBA, limit_dBA, margin_dB : per receiver
    constraint : worst margin over the receivers [dB] (≤ 0 passes)
    worst : index of the worst receiver
    """

    receivers: tuple[Receiver, ...]
    method: Method
    level_dBA: np.ndarray
    limit_dBA: np.ndarray
    margin_dB: np.ndarray
    constraint: np.ndarray
    worst: np.ndarray

    def scaled_constraint(self) -> np.ndarray:
        """Constraint divided by the limit of the worst receiver (designopt's scaled form)."""
        lim = np.take_along_axis(self.limit_dBA, self.worst[..., None], axis=-1)[..., 0]
        return self.constraint / lim


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
    method : ``iso9613``, ``mcs020a``, ``mcs020``, ``us-night``.
    limit_dBA : override the method's limit (:data:`DEFAULT_LIMIT_DBA`).
    air_absorption_dB_per_m : for ``iso9613`` / ``us-night``.

    Examples
    --------
    >>> rs = [Receiver("A", 10.0, 2), Receiver("B", 6.0, 1, "solid-no-view")]
    >>> a = receiver_levels([60.0, 67.0], rs)
    >>> a.level_dBA.tolist(), a.constraint.tolist()
    ([[35.0, 26.5], [42.0, 33.5]], [-2.0, 5.0])
    """
    m = parse_method(method)
    if len(receivers) == 0:
        raise ConfigurationError("receivers must hold at least one Receiver")
    lw = real("lwa_dBA", lwa_dBA, lo=0.0, hi=150.0)
    lw = np.asarray(lw)[..., None]
    geom, bg = _receiver_terms(tuple(receivers), m, float(air_absorption_dB_per_m))
    limit = real("limit_dBA", DEFAULT_LIMIT_DBA[m] if limit_dBA is None else limit_dBA)
    res = assess_level(lw + geom, method=m, background_dBA=bg, limit_dBA=limit)
    margin = res["margin_dB"]
    worst = np.argmax(margin, axis=-1)
    return NoiseAssessment(
        receivers=tuple(receivers),
        method=m,
        level_dBA=res["level_dBA"],
        limit_dBA=res["limit_dBA"],
        margin_dB=margin,
        constraint=np.max(margin, axis=-1),
        worst=worst,
    )


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

"""Input checks and small helpers shared by the physics modules (private).

Scalars are returned as ``numpy.float64`` (arithmetic on them is ~10x faster than on 0-d
arrays), arrays as float arrays: one design costs microseconds, many designs broadcast.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from designopt.errors import ConfigurationError

_SCALARS = (float, int, np.float64)


def real(
    name: str,
    value: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
) -> Any:
    """``value`` as float64 scalar/array; ConfigurationError unless finite and within bounds."""
    scalar = type(value) in _SCALARS
    try:
        a = None if scalar else np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"{name}={value!r} must be a number or an array of numbers"
        ) from None
    if scalar or a.ndim == 0:
        v = float(value) if scalar else float(a)
        bad = not math.isfinite(v)
        if lo is not None:
            bad = bad or (v <= lo if lo_open else v < lo)
        if hi is not None:
            bad = bad or v > hi
    else:
        bad = a.size > 0 and not bool(np.isfinite(a).all())
        if not bad and a.size and lo is not None:
            m = a.min()
            bad = bool(m <= lo if lo_open else m < lo)
        if not bad and a.size and hi is not None:
            bad = bool(a.max() > hi)
    if bad:
        rule = "finite"
        if lo is not None:
            rule += f" and {'>' if lo_open else '>='} {lo:g}"
        if hi is not None:
            rule += f" and <= {hi:g}"
        raise ConfigurationError(f"{name}={value!r} must be {rule}")
    return np.float64(v) if scalar else a[()]


def select(cond: Any, a: Any, b: Any) -> Any:
    """``np.where`` with a fast path for scalars."""
    if not (isinstance(cond, np.ndarray) or isinstance(a, np.ndarray) or isinstance(b, np.ndarray)):
        return a if cond else b
    return np.where(cond, a, b)

"""Point reads of a performance map for the evaluation core: the rating points and the
EN 12102-1 sound-power rating.  The reads themselves are :mod:`designopt.cycle.operation`'s (one
reader, one edge policy: bilinear inside the grid, NaN outside it or next to the envelope's
edge), re-exported here.
"""

from __future__ import annotations

import math

import numpy as np

from designopt.cycle.operation import (
    at_highest_running_speed,
    at_point,
    at_speeds,
    highest_running,
)

__all__ = [
    "at_speeds",
    "at_point",
    "at_highest_running_speed",
    "highest_running",
    "rating_compressor_power",
]

#: Sink temperature of the EN 12102-1 sound-power rating point (W55) [K].
T_SINK_SOUND_RATING_K = 328.15


def rating_compressor_power(pmap, t_source_K: float) -> float:
    """Compressor power [W] of the sound-power rating at source temperature ``t_source_K``:
    the highest speed that runs at W55 (EN 12102-1 rating point); a unit whose envelope stops
    short of W55 there (e.g. discharge temperature) is rated at the largest compressor power it
    runs at that source temperature over the map's flow temperatures.  NaN if none runs."""
    power = at_highest_running_speed(pmap, "compressor_power", t_source_K, T_SINK_SOUND_RATING_K)
    if math.isfinite(power):
        return power
    runs = [
        at_speeds(pmap, "compressor_power", t_source_K, float(tk)) for tk in pmap["t_sink"].values
    ]
    finite = np.concatenate([a[np.isfinite(a)] for a in runs])
    return float(finite.max()) if finite.size else math.nan

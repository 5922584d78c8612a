"""Seasonal performance: EN 14825 SCOP/ηs, AHRI 210/240 HSPF2, hourly simulation.

* EN 14825 rating route (declared certificate data): :func:`rate_declared`; consistency
  check of declared SCOPs: :func:`check_declared`;
* EN 14825 physics route (performance map of a design): :func:`seasonal_performance`;
* AHRI 210/240-2023 HSPF2: :func:`hspf2`, :func:`hspf2_from_map`; SEER2: :func:`seer2`,
  :func:`seer2_from_map`;
* reference seasons: :mod:`designopt.seasonal.climates`.

The hourly simulation and the defrost model live in their own modules (import them directly).
"""

from designopt.seasonal.ahri import (
    HSPF2Result,
    SEER2Result,
    hspf2,
    hspf2_from_map,
    seer2,
    seer2_from_map,
)
from designopt.seasonal.climates import (
    Application,
    Climate,
    ReferenceSeason,
    off_mode_hours,
    reference_season,
)
from designopt.seasonal.en14825 import (
    ALTERNATIVE_CONVENTIONS,
    DeclaredCheck,
    DeclaredPerformance,
    MapArrays,
    RatingConventions,
    RatingResult,
    SeasonalResult,
    check_declared,
    eta_s_pct,
    rate_declared,
    seasonal_performance,
)

__all__ = [
    "ALTERNATIVE_CONVENTIONS",
    "DeclaredCheck",
    "check_declared",
    "HSPF2Result",
    "SEER2Result",
    "MapArrays",
    "SeasonalResult",
    "hspf2",
    "hspf2_from_map",
    "seer2",
    "seer2_from_map",
    "seasonal_performance",
    "Application",
    "Climate",
    "DeclaredPerformance",
    "RatingConventions",
    "RatingResult",
    "ReferenceSeason",
    "eta_s_pct",
    "off_mode_hours",
    "rate_declared",
    "reference_season",
]

"""Seasonal performance: EN 14825 SCOP/ηs, AHRI 210/240 HSPF2, hourly simulation.

Rating route (declared certificate data): :func:`designopt.seasonal.en14825.rate_declared`;
reference seasons: :mod:`designopt.seasonal.climates`. The hourly simulation and defrost live in
their own modules (import them directly).
"""

from designopt.seasonal.climates import (
    Application,
    Climate,
    ReferenceSeason,
    off_mode_hours,
    reference_season,
)
from designopt.seasonal.en14825 import (
    DeclaredPerformance,
    RatingConventions,
    RatingResult,
    eta_s_pct,
    rate_declared,
)

__all__ = [
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

"""One enumeration per concept, shared by every layer (the lowest module of the package).

* :class:`SourceType` -- where the heat comes from.  A unit (a :class:`~designopt.cycle.HeatPumpDesign`,
  an EN 14825 declaration) has one of ``air``, ``ground`` or ``water``; a design study's case may
  also be ``twin_source`` (a ground unit with an air coil above a switchover temperature).  A
  heat pump + boiler *hybrid* is not a source type: any case becomes one with a ``[boiler]`` table.  EN 14825 and
  the Keymark data call a ground unit *brine*/water: :func:`as_source_type` accepts those words.
* :class:`Climate` -- the EN 14825 reference heating season.
"""

from __future__ import annotations

import enum

from designopt.errors import ConfigurationError

__all__ = ["UNIT_SOURCES", "Climate", "SourceType", "as_source_type"]


class SourceType(enum.StrEnum):
    """Heat source: of a unit (``air``, ``ground``, ``water``) or of a study case (also
    ``twin_source``)."""

    AIR = "air"
    GROUND = "ground"
    WATER = "water"
    TWIN_SOURCE = "twin_source"  # case only: ground below a switchover temperature, air above


#: Sources a single unit (one refrigerant cycle, one EN 14825 declaration) can have.
UNIT_SOURCES = (SourceType.AIR, SourceType.GROUND, SourceType.WATER)

#: Words of EN 14825 / EN 14511 and the Keymark data for the same sources.
_ALIASES = {
    "air/water": "air",
    "brine": "ground",
    "brine/water": "ground",
    "water/water": "water",
}


def as_source_type(value, *, unit: bool = True) -> SourceType:
    """``value`` as a :class:`SourceType` (case-insensitive; EN 14825's ``brine``,
    ``air/water``, ``brine/water``, ``water/water`` accepted).  ``unit=True`` refuses
    ``twin_source``, which is a case arrangement of two units, not a unit."""
    if isinstance(value, SourceType):
        st = value
    else:
        v = str(value).strip().lower()
        try:
            st = SourceType(_ALIASES.get(v, v))
        except ValueError:
            st = None
    valid = UNIT_SOURCES if unit else tuple(SourceType)
    if st not in valid:
        raise ConfigurationError(
            f"source_type={value!r} is not known; valid options: {[s.value for s in valid]}"
            " (or EN 14825's 'brine', 'air/water', 'brine/water', 'water/water')"
        )
    return st


class Climate(enum.StrEnum):
    """EN 14825 reference heating season."""

    AVERAGE = "average"
    COLDER = "colder"
    WARMER = "warmer"

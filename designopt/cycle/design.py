"""The heat-pump design: refrigerant, heat exchangers, compressor, fan and set points.

:class:`HeatPumpDesign` is the frozen, validated description of one machine that
:func:`designopt.cycle.solve_operating_point` and :func:`designopt.cycle.performance_map`
evaluate.  :func:`design_from_mapping` builds one from a plain dict (TOML design files, see
``casestudies/designs/``); :func:`designopt.cycle.presets.default_air_water_design` returns a sensible air/water unit.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import Any

from designopt import refrigerants
from designopt.cycle.compressor import AHRI540Map, Compressor
from designopt.cycle.heat_exchangers import Fan, HeatExchanger, HXKind
from designopt.enums import SourceType, as_source_type
from designopt.errors import ConfigurationError

__all__ = ["HeatPumpDesign", "SourceType", "design_from_mapping"]

CP_WATER = 4180.0
"""Specific heat capacity of the sink water [J/(kg K)] (water at 30-40 degC)."""
CP_BRINE = 3800.0
"""Default specific heat capacity of ground-loop brine [J/(kg K)] (25 % propylene glycol)."""


def bounded_number(name: str, value: Any, lo: float, hi: float, *, lo_open: bool = False) -> float:
    """``value`` as a float if it is a finite number in [lo, hi] (``(lo, hi]`` with
    ``lo_open``); a :class:`ConfigurationError` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigurationError(f"{name}={value!r} must be a finite number")
    ok = (lo < value if lo_open else lo <= value) and value <= hi
    if not ok:
        raise ConfigurationError(
            f"{name}={value!r} must lie in {'(' if lo_open else '['}{lo}, {hi}]"
        )
    return float(value)


@dataclasses.dataclass(frozen=True, kw_only=True)
class HeatPumpDesign:
    """One single-stage vapour-compression heat pump heating water.

    Attributes
    ----------
    refrigerant : str
        Catalogue name (:mod:`designopt.refrigerants`), e.g. ``"R290"``.
    source_type : SourceType
        ``air`` (finned-coil evaporator with fan), ``ground`` (brine) or ``water``
        (brazed-plate evaporator, no fan).
    evaporator, condenser : HeatExchanger
        The evaporator (``finned_coil`` for air, ``brazed_plate`` otherwise) and the water-heated
        condenser (``brazed_plate``).
    compressor : Compressor
        The compressor.
    fan : Fan or None
        Outdoor fan (air source only, None otherwise).
    superheat_K : float
        Suction superheat set point above the evaporator dew point [K], 0.5-30.
    subcool_K : float
        Condenser outlet subcooling set point below the bubble point [K], 0-30.
    sink_flow_kg_s : float or None
        Fixed sink water mass flow [kg/s]; None means the flow follows the load so that the
        sink temperature rise equals ``sink_delta_T_K``.
    sink_delta_T_K : float
        Sink temperature rise when ``sink_flow_kg_s`` is None [K].
    source_flow_kg_s : float or None
        Brine / water mass flow of ground and water sources [kg/s] (None for air).
    source_cp_J_kgK : float or None
        Heat capacity of the source liquid [J/(kg K)]; None: 3800 brine, 4180 water.
    high_pressure_Pa : float or None
        R744 only: gas-cooler pressure [Pa] (7.5-14 MPa); None uses the optimum-pressure
        correlation (see :mod:`designopt.cycle.transcritical`).
    """

    refrigerant: str
    source_type: SourceType
    evaporator: HeatExchanger
    condenser: HeatExchanger
    compressor: Compressor
    fan: Fan | None = None
    superheat_K: float = 5.0
    subcool_K: float = 3.0
    sink_flow_kg_s: float | None = None
    sink_delta_T_K: float = 5.0
    source_flow_kg_s: float | None = None
    source_cp_J_kgK: float | None = None
    high_pressure_Pa: float | None = None

    def __post_init__(self):
        ref = refrigerants.get(self.refrigerant)
        object.__setattr__(self, "refrigerant", ref.name)
        st = as_source_type(self.source_type)
        object.__setattr__(self, "source_type", st)
        for name, cls in (
            ("evaporator", HeatExchanger),
            ("condenser", HeatExchanger),
            ("compressor", Compressor),
        ):
            if not isinstance(getattr(self, name), cls):
                raise ConfigurationError(
                    f"{name} must be a {cls.__name__}, got {type(getattr(self, name)).__name__}"
                )
        if self.condenser.kind is not HXKind.BRAZED_PLATE:
            raise ConfigurationError(
                f"condenser kind={self.condenser.kind.value!r} must be 'brazed_plate' (the sink is water)"
            )
        if st is SourceType.AIR:
            if self.evaporator.kind is not HXKind.FINNED_COIL:
                raise ConfigurationError(
                    f"air source needs evaporator kind 'finned_coil', got {self.evaporator.kind.value!r}"
                )
            if not isinstance(self.fan, Fan):
                raise ConfigurationError("air source needs a fan (Fan), got None")
            if self.source_flow_kg_s is not None:
                raise ConfigurationError(
                    "source_flow_kg_s must be None for an air source (the fan sets the air flow)"
                )
        else:
            if self.evaporator.kind is not HXKind.BRAZED_PLATE:
                raise ConfigurationError(
                    f"{st.value} source needs evaporator kind 'brazed_plate', got {self.evaporator.kind.value!r}"
                )
            if self.fan is not None:
                raise ConfigurationError(f"fan must be None for a {st.value} source")
            bounded_number("source_flow_kg_s", self.source_flow_kg_s, 0.0, 100.0, lo_open=True)
        if self.source_cp_J_kgK is not None:
            bounded_number("source_cp_J_kgK", self.source_cp_J_kgK, 1000.0, 5000.0)
        bounded_number("superheat_K", self.superheat_K, 0.5, 30.0)
        bounded_number("subcool_K", self.subcool_K, 0.0, 30.0)
        bounded_number("sink_delta_T_K", self.sink_delta_T_K, 1.0, 30.0)
        if self.sink_flow_kg_s is not None:
            bounded_number("sink_flow_kg_s", self.sink_flow_kg_s, 0.0, 100.0, lo_open=True)
        if self.high_pressure_Pa is not None:
            if ref.name != "R744":
                raise ConfigurationError(
                    f"high_pressure_Pa is for transcritical R744 only, not {ref.name}"
                )
            bounded_number("high_pressure_Pa", self.high_pressure_Pa, 7.5e6, 14.0e6)
        if ref.name == "R744" and self.compressor.vapour_injection:
            raise ConfigurationError(
                "compressor injection='vapour' is not modelled for transcritical R744; "
                "valid: injection='none' for R744"
            )

    @property
    def transcritical(self) -> bool:
        """True for R744, which always runs transcritical (gas cooler) when heating water."""
        return self.refrigerant == "R744"

    @property
    def coolprop_name(self) -> str:
        """CoolProp name of the refrigerant."""
        return refrigerants.get(self.refrigerant).coolprop_name

    @property
    def source_cp(self) -> float:
        """Heat capacity of the source liquid [J/(kg K)] (NaN for air)."""
        if self.source_type is SourceType.AIR:
            return math.nan
        if self.source_cp_J_kgK is not None:
            return self.source_cp_J_kgK
        return CP_BRINE if self.source_type is SourceType.GROUND else CP_WATER

    @property
    def design_hash(self) -> str:
        """Stable hash of every field (key of map caches)."""
        from designopt.cache import stable_hash

        return stable_hash(self)

    def to_mapping(self) -> dict[str, Any]:
        """Plain-dict form (inverse of :func:`design_from_mapping`; None fields left out)."""

        def clean(obj):
            if dataclasses.is_dataclass(obj):
                return {
                    f.name: clean(getattr(obj, f.name))
                    for f in dataclasses.fields(obj)
                    if getattr(obj, f.name) is not None
                }
            if isinstance(obj, enum.Enum):
                return obj.value
            if isinstance(obj, tuple):
                return list(obj)
            return obj

        return clean(self)


def _sub(cls, mapping: Any, where: str):
    if isinstance(mapping, cls):
        return mapping
    if not isinstance(mapping, Mapping):
        raise ConfigurationError(f"{where} must be a table/mapping, got {type(mapping).__name__}")
    valid = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(mapping) - valid)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown keys {unknown}; valid: {', '.join(sorted(valid))}"
        )
    kwargs = dict(mapping)
    if cls is Compressor and isinstance(kwargs.get("ahri540"), Mapping):
        kwargs["ahri540"] = _sub(AHRI540Map, kwargs["ahri540"], f"{where}.ahri540")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


def design_from_mapping(mapping: Mapping[str, Any]) -> HeatPumpDesign:
    """Build a :class:`HeatPumpDesign` from a nested mapping (a parsed TOML design file).

    Tables ``evaporator``, ``condenser``, ``compressor`` and (air source) ``fan`` map one to one
    onto :class:`HeatExchanger`, :class:`Compressor` and :class:`Fan`; the other keys onto
    :class:`HeatPumpDesign` fields.  Unknown keys raise :class:`ConfigurationError`.
    """
    if not isinstance(mapping, Mapping):
        raise ConfigurationError(f"a design must be a mapping, got {type(mapping).__name__}")
    valid = {f.name for f in dataclasses.fields(HeatPumpDesign)}
    unknown = sorted(set(mapping) - valid)
    if unknown:
        raise ConfigurationError(
            f"design: unknown keys {unknown}; valid: {', '.join(sorted(valid))}"
        )
    missing = sorted(
        {"refrigerant", "source_type", "evaporator", "condenser", "compressor"} - set(mapping)
    )
    if missing:
        raise ConfigurationError(f"design: missing required keys {missing}")
    kwargs = dict(mapping)
    kwargs["evaporator"] = _sub(HeatExchanger, mapping["evaporator"], "design.evaporator")
    kwargs["condenser"] = _sub(HeatExchanger, mapping["condenser"], "design.condenser")
    kwargs["compressor"] = _sub(Compressor, mapping["compressor"], "design.compressor")
    if mapping.get("fan") is not None:
        kwargs["fan"] = _sub(Fan, mapping["fan"], "design.fan")
    return HeatPumpDesign(**kwargs)

"""From design-variable values to heat-pump designs.

* :func:`check_design` -- every value names a variable of the case's source type and is valid;
* :func:`resolve` -- all values of a design: given over ``[fixed]`` over defaults;
* :func:`design_from_strings` -- a design from ``--set name=value`` strings;
* :func:`heat_pump_design` -- the :class:`designopt.cycle.HeatPumpDesign` of the unit that works
  on the case's source (air coil, brazed-plate evaporator on water or brine);
* :func:`air_mode_design` -- the air mode of a hybrid twin-source unit.
"""

from __future__ import annotations

import math
from typing import Any

from designopt.case import Case, SourceType, check_variable_value
from designopt.catalogue import VARIABLES
from designopt.enums import as_source_type
from designopt.errors import ConfigurationError

__all__ = [
    "PLATE_EVAPORATOR_DEFAULT_M2",
    "SINK_DELTA_T_K",
    "air_mode_design",
    "check_design",
    "design_from_strings",
    "heat_pump_design",
    "resolve",
    "unit_design",
]

#: Default plate-evaporator area of water, ground and hybrid units when not a design variable [m2].
PLATE_EVAPORATOR_DEFAULT_M2 = 1.5
#: Temperature rise of the heating water across the condenser [K].
SINK_DELTA_T_K = 5.0


def check_design(design: dict[str, Any], case: Case) -> None:
    """Every value of ``design`` names a design variable of the case's source type and is valid."""
    src = case.source.type
    for name, value in design.items():
        if name not in VARIABLES:
            raise ConfigurationError(
                f"{name!r} is not a design variable; valid: {sorted(VARIABLES)}"
            )
        if src not in VARIABLES[name].sources:
            valid = sorted(k for k, v in VARIABLES.items() if src in v.sources)
            raise ConfigurationError(
                f"{name!r} does not apply to source type {src!r}; valid: {valid}"
            )
        check_variable_value(name, value, name)


def resolve(params: dict[str, Any], case: Case) -> dict[str, Any]:
    """All design-variable values of the case's source type: ``params`` over ``case.fixed`` over
    defaults (a brazed-plate evaporator of 1.5 m2 for water, ground and hybrid units; the
    ``[ground]`` table's borehole count)."""
    src = case.source.type
    out = {k: v.default for k, v in VARIABLES.items() if src in v.sources}
    if src != SourceType.AIR:
        out["evaporator_area_m2"] = PLATE_EVAPORATOR_DEFAULT_M2  # a brazed plate, not an air coil
    if src in (SourceType.GROUND, SourceType.TWIN_SOURCE):
        table = case.ground
        out["borehole_count"] = (
            table.nx * table.ny if table.layout == "rectangle" else table.n_boreholes
        )
    out.update(case.fixed)
    out.update(params)
    return out


def design_from_strings(case: Case, sets: dict[str, str]) -> dict[str, Any]:
    """Values of the case's space variables for ``designopt evaluate``: ``--set`` strings parsed,
    the rest at the middle of their range (geometric middle on log scales, first choice)."""
    out: dict[str, Any] = {}
    for name, spec in case.space.items():
        if spec.choices is not None:
            out[name] = spec.choices[0]
        elif spec.log:
            out[name] = math.sqrt(spec.low * spec.high)
        else:
            out[name] = 0.5 * (spec.low + spec.high)
        if spec.choices is None and (spec.type == "int" or VARIABLES[name].kind == "int"):
            out[name] = min(max(round(out[name]), math.ceil(spec.low)), math.floor(spec.high))
    for name, text in sets.items():
        if name not in VARIABLES:
            raise ConfigurationError(
                f"--set {name}: not a design variable; valid: {sorted(VARIABLES)}"
            )
        if VARIABLES[name].kind == "categorical":
            value: Any = text
        else:
            try:
                value = float(text)
            except ValueError:
                raise ConfigurationError(
                    f"--set {name}={text!r} must be a number [{VARIABLES[name].unit}]"
                ) from None
        check_variable_value(name, value, f"--set {name}")
        out[name] = int(value) if VARIABLES[name].kind == "int" else value
    return out


def heat_pump_design(values: dict[str, Any], case: Case):
    """The :class:`designopt.cycle.HeatPumpDesign` of resolved design values that works on the
    case's source: a finned air coil with its fan (air), or a brazed-plate evaporator on well
    water (water) or brine (ground and the ground mode of a hybrid)."""
    src = case.source.type
    if src in (SourceType.GROUND, SourceType.TWIN_SOURCE):
        return unit_design(
            values,
            SourceType.GROUND,
            float(values["evaporator_area_m2"]),
            source_cp_J_kgK=case.ground.brine_cp_J_per_kgK,
        )
    return unit_design(values, src, float(values["evaporator_area_m2"]))


def air_mode_design(values: dict[str, Any]):
    """The air mode of a hybrid twin-source unit: same compressor, condenser and set points,
    finned coil of ``air_coil_area_m2`` and its fan."""
    return unit_design(values, SourceType.AIR, float(values["air_coil_area_m2"]))


def unit_design(
    values: dict[str, Any],
    source: SourceType,
    evaporator_area_m2: float,
    *,
    source_cp_J_kgK: float | None = None,
):
    """The one builder of a :class:`designopt.cycle.HeatPumpDesign` from resolved design values.

    ``source`` air: finned coil of ``evaporator_area_m2`` [m2, air side] with its fan (air flow
    per coil area, fan diameter); ground or water: brazed-plate evaporator of that area [m2] on
    ``source_flow_kg_s`` of brine (specific heat ``source_cp_J_kgK`` [J/(kg K)]) or well water.
    Compressor, plate condenser, superheat and subcooling come from ``values`` for every source.
    """
    from designopt.cycle import Compressor, Fan, HeatExchanger, HeatPumpDesign, HXKind

    source = as_source_type(source)
    common = dict(
        refrigerant=str(values["refrigerant"]),
        source_type=source,
        condenser=HeatExchanger(
            kind=HXKind.BRAZED_PLATE, area_m2=float(values["condenser_area_m2"])
        ),
        compressor=Compressor(
            swept_volume_m3=float(values["swept_volume_cm3"]) * 1e-6,
            nominal_speed_hz=float(values["nominal_speed_Hz"]),
            speed_min=float(values["speed_min"]),
            speed_max=float(values["speed_max"]),
            injection=str(values.get("compressor_injection", "none")),
        ),
        superheat_K=float(values["superheat_K"]),
        subcool_K=float(values["subcool_K"]),
        sink_delta_T_K=SINK_DELTA_T_K,
    )
    if source is SourceType.AIR:
        return HeatPumpDesign(
            evaporator=HeatExchanger(kind=HXKind.FINNED_COIL, area_m2=evaporator_area_m2),
            fan=Fan(
                air_flow_m3_s=evaporator_area_m2 * float(values["air_flow_per_area_m3_s_m2"]),
                diameter_m=float(values["fan_diameter_m"]),
            ),
            **common,
        )
    return HeatPumpDesign(
        evaporator=HeatExchanger(kind=HXKind.BRAZED_PLATE, area_m2=evaporator_area_m2),
        source_flow_kg_s=float(values["source_flow_kg_s"]),
        source_cp_J_kgK=source_cp_J_kgK,
        **common,
    )

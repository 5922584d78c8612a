"""Single-stage vapour-compression heat pump: compressor, heat exchangers, operating points, maps.

See ``docs/cycle.md`` for the method, equations, references and limits.  CoolProp is imported
only when a property table is first needed.
"""

from designopt.cycle.compressor import AHRI540Map, Compressor
from designopt.cycle.design import HeatPumpDesign, SourceType, design_from_mapping
from designopt.cycle.fixed import FixedCycle, fixed_saturation_cycle
from designopt.cycle.heat_exchangers import Fan, HeatExchanger, HXKind
from designopt.cycle.operating_point import (
    OperatingPoint,
    StatePoint,
    Status,
    solve_arrays,
    solve_cooling_arrays,
    solve_operating_point,
)
from designopt.cycle.performance_map import (
    COOLING_MAP_VARIABLES,
    MAP_VARIABLES,
    clear_map_cache,
    cooling_map,
    performance_map,
)
from designopt.cycle.presets import default_air_water_design

__all__ = [
    "AHRI540Map",
    "COOLING_MAP_VARIABLES",
    "Compressor",
    "Fan",
    "FixedCycle",
    "HXKind",
    "HeatExchanger",
    "HeatPumpDesign",
    "MAP_VARIABLES",
    "OperatingPoint",
    "SourceType",
    "StatePoint",
    "Status",
    "clear_map_cache",
    "cooling_map",
    "default_air_water_design",
    "design_from_mapping",
    "fixed_saturation_cycle",
    "performance_map",
    "solve_arrays",
    "solve_cooling_arrays",
    "solve_operating_point",
]

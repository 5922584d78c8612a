"""Ground-source borefields: geometry, g-functions (pygfunction, cached), lifetime mean fluid
temperatures, sizing, heat-pump coupling and hybrid air/ground operation.

Physics only (no I/O apart from the g-function cache).  SI units; ground loads are positive
when heat is extracted from the ground.  See ``docs/ground.md``.

Heavy dependencies (pygfunction) are imported only when a g-function or pipe resistance is
computed.
"""

from designopt.ground.borehole import BoreholeHeatExchanger, Fluid, PipeKind
from designopt.ground.coupling import (
    CoupledResult,
    carnot_map,
    operate,
    simulate_coupled,
    size_length_coupled,
)
from designopt.ground.geometry import Borefield, Ground, Layout
from designopt.ground.gfunction import GFunctionFamily, compute_gfunction, family_for
from designopt.ground.hybrid import hybrid_length_saving, split_hybrid
from designopt.ground.simulate import (
    HourlyLoads,
    LifetimeTemperatures,
    MonthlyLoads,
    simulate_hourly,
    simulate_monthly,
    three_pulse,
)
from designopt.ground.sizing import (
    FluidLimits,
    LimitReference,
    SizingMethod,
    SizingResult,
    borehole_resistance,
    fluid_temperatures,
    mean_fluid_limits,
    size_count,
    size_length,
)

__all__ = [
    "Borefield",
    "CoupledResult",
    "BoreholeHeatExchanger",
    "Fluid",
    "FluidLimits",
    "GFunctionFamily",
    "Ground",
    "HourlyLoads",
    "Layout",
    "LifetimeTemperatures",
    "LimitReference",
    "MonthlyLoads",
    "PipeKind",
    "SizingMethod",
    "SizingResult",
    "borehole_resistance",
    "carnot_map",
    "hybrid_length_saving",
    "operate",
    "simulate_coupled",
    "size_length_coupled",
    "split_hybrid",
    "compute_gfunction",
    "family_for",
    "fluid_temperatures",
    "mean_fluid_limits",
    "simulate_hourly",
    "simulate_monthly",
    "size_count",
    "size_length",
    "three_pulse",
]

"""Heat pump + boiler hybrids: the boiler of a case's design and the metrics of its year.

A case with a ``[boiler]`` table is a hybrid whatever its source: below the switchover
temperature (design variable ``switchover_temperature_degC``) the boiler serves the load alone
(``operation = "alternative"``) or tops up the heat pump running at full output
(``"parallel"``); it also covers what the heat pump cannot deliver at any temperature, before
the electric back-up heater.  The hour-by-hour rules are those of
:func:`designopt.seasonal.hourly.simulate` (air and water sources) and of
:func:`designopt.evaluate.sources.borefield.simulate_ground_design` (ground sources, where the
borefield then only sees what the heat pump extracts).  See ``docs/hybrid-boiler.md``.
"""

from __future__ import annotations

import math
from typing import Any

from designopt.case import Case
from designopt.units import ZERO_CELSIUS_K

__all__ = ["boiler_metrics", "boiler_of"]


def boiler_of(case: Case, values: dict[str, Any]):
    """The case's ``[boiler]`` as a :class:`designopt.seasonal.hourly.Boiler` of the design's
    size (``boiler_kW``, default the design heat load), its switchover temperature [K] and
    operating mode, or ``(None, None, None)`` without a boiler."""
    from designopt.seasonal.hourly import Boiler

    table = case.boiler
    if table is None:
        return None, None, None
    size_kW = values.get("boiler_kW")
    size_W = case.building.design_heat_load_kW * 1e3 if size_kW is None else float(size_kW) * 1e3
    boiler = Boiler(
        capacity_W=size_W,
        efficiency=table.efficiency,
        efficiency_30C_return=table.efficiency_30C_return if table.condensing else None,
    )
    t_sw = float(values["switchover_temperature_degC"]) + ZERO_CELSIUS_K
    return boiler, t_sw, f"bivalent-{table.operation}"


def boiler_metrics(heat_boiler_kWh: float, fuel_kWh: float, heat_kWh: float, hours: float):
    """Metrics of a hybrid's boiler: heat, fuel, shares, seasonal efficiency, firing hours."""
    return {
        "annual_boiler_heat_kWh": heat_boiler_kWh,
        "annual_fuel_kWh": fuel_kWh,
        "boiler_heat_share": heat_boiler_kWh / max(heat_kWh, 1e-9),
        "boiler_seasonal_efficiency": heat_boiler_kWh / fuel_kWh if fuel_kWh > 0 else math.nan,
        "hours_boiler": hours,
    }

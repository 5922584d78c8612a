"""Ready-made designs: a sensible air-to-water unit sized to a nominal heat output."""

from __future__ import annotations

import dataclasses

from designopt.cycle.compressor import Compressor
from designopt.cycle.design import CP_WATER, HeatPumpDesign, SourceType, bounded_number
from designopt.cycle.heat_exchangers import Fan, HeatExchanger, HXKind
from designopt.cycle.operating_point import solve_operating_point

__all__ = ["default_air_water_design"]


def default_air_water_design(
    *,
    refrigerant: str = "R290",
    nominal_heat_W: float = 8000.0,
    evaporator_area_m2: float | None = None,
    condenser_area_m2: float | None = None,
    air_flow_m3_s: float | None = None,
    fan_diameter_m: float = 0.55,
    superheat_K: float = 5.0,
    subcool_K: float = 3.0,
    size_compressor: bool = True,
) -> HeatPumpDesign:
    """Return a sensible air/water heat pump of ``nominal_heat_W`` at A7/W35, nominal speed.

    Heat-exchanger sizes and air flow scale linearly with ``nominal_heat_W`` from an 8 kW
    reference (coil 40 m2 air side, 1.1 m3/s air, plate condenser 1.2 m2); the sink water flow
    is fixed at the flow giving a 5 K rise at ``nominal_heat_W``.  With ``size_compressor`` the
    swept volume is scaled (three solves) so that the heat output at A7/W35 (sink outlet 35
    degC) and nominal speed equals ``nominal_heat_W`` within 1 %; this solves the cycle and so
    needs CoolProp's property tables of the refrigerant.
    """
    q = bounded_number("nominal_heat_W", nominal_heat_W, 500.0, 1e6)
    scale = q / 8000.0
    design = HeatPumpDesign(
        refrigerant=refrigerant,
        source_type=SourceType.AIR,
        evaporator=HeatExchanger(
            kind=HXKind.FINNED_COIL, area_m2=evaporator_area_m2 or 40.0 * scale
        ),
        condenser=HeatExchanger(kind=HXKind.BRAZED_PLATE, area_m2=condenser_area_m2 or 1.2 * scale),
        compressor=Compressor(swept_volume_m3=60e-6 * scale, nominal_speed_hz=50.0),
        fan=Fan(air_flow_m3_s=air_flow_m3_s or 1.1 * scale, diameter_m=fan_diameter_m),
        superheat_K=superheat_K,
        subcool_K=subcool_K,
        sink_flow_kg_s=q / (CP_WATER * 5.0),
    )
    if not size_compressor:
        return design
    # size with the envelope limits relaxed (the sizing point itself may lie outside the
    # envelope for some refrigerants, e.g. R717's discharge temperature), then restore them
    limits = {"discharge_temperature_max_K": 450.0, "pressure_ratio_max": 30.0}
    trial = dataclasses.replace(design, compressor=dataclasses.replace(design.compressor, **limits))
    for _ in range(4):
        op = solve_operating_point(trial, t_source_K=280.15, t_sink_out_K=308.15, speed=1.0)
        ratio = q / op.heat_output_W
        if abs(ratio - 1.0) < 0.002:
            break
        volume = trial.compressor.swept_volume_m3 * ratio
        trial = dataclasses.replace(
            trial, compressor=dataclasses.replace(trial.compressor, swept_volume_m3=volume)
        )
    comp = dataclasses.replace(design.compressor, swept_volume_m3=trial.compressor.swept_volume_m3)
    return dataclasses.replace(design, compressor=comp)

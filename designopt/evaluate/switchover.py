"""How the switchover temperature of a hybrid trades borehole length, fuel and money.

:func:`switchover_table` takes one design of a case with a switchover temperature (a heat pump
+ boiler hybrid, or a twin-source air/ground unit) and, for each switchover temperature asked
for, sizes the borefield of a ground case to its fluid limits (the shortest borehole length
that keeps the lifetime fluid temperature within ``[ground]`` t_min/t_max, coupled hourly
simulation: :func:`designopt.evaluate.sources.borefield.required_length`) and values the design
under the case's economics (:func:`designopt.evaluate.evaluate`).  The first row is the
reference without switchover: the heat pump alone (the case without its ``[boiler]``) or, for
a twin-source unit, ground only.  Air and water cases have no borefield: their rows compare
fuel, electricity, cost and CO2 only.  ``designopt switchover`` writes the table.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from designopt.case import Case, SourceType
from designopt.errors import DesignOptError

__all__ = ["COLUMNS", "reference_case", "switchover_table"]

#: Columns of the table: name -> (unit, long name).
COLUMNS: dict[str, tuple[str, str]] = {
    "switchover_temperature_degC": ("degC", "switchover outdoor temperature (NaN: reference)"),
    "borehole_length_m": ("m", "length per borehole that just meets the fluid limits"),
    "borehole_total_length_m": ("m", "total drilled length"),
    "length_saving": ("1", "borehole length saved against the reference"),
    "heat_pump_heat_share": ("1", "share of the annual heat from the heat pump"),
    "annual_fuel_kWh": ("kWh", "annual boiler fuel use"),
    "annual_electricity_kWh": ("kWh", "annual electricity"),
    "seasonal_performance": ("1", "SPF_H3 (hourly) or SCOP (EN 14825) of the heat pump system"),
    "capital_cost": ("EUR", "capital cost after grants"),
    "net_present_cost": ("EUR", "net present cost over the lifetime"),
    "lifetime_co2": ("kg", "lifetime CO2-equivalent emissions"),
    "npc_saving": ("EUR", "net present cost saved against the reference"),
    "feasible": ("1", "1 if every constraint of the case is met"),
}


def reference_case(case: Case) -> tuple[Case, dict[str, Any]]:
    """The case of the reference row and the design values it fixes: without the boiler (and
    without its variables) for a hybrid; ground only (switchover above every heating hour) for
    a twin-source unit."""
    if case.boiler is not None:
        drop = ("switchover_temperature_degC", "boiler_kW")
        ref = case.model_copy(
            update={
                "boiler": None,
                "space": {k: v for k, v in case.space.items() if k not in drop},
                "fixed": {k: v for k, v in case.fixed.items() if k not in drop},
            }
        )
        return ref, {}
    if case.source.type == SourceType.TWIN_SOURCE:
        return case, {"switchover_temperature_degC": 20.0}
    raise DesignOptError(
        "the case has no switchover temperature: give it a [boiler] table (heat pump + boiler"
        " hybrid) or source.type='twin_source'"
    )


def switchover_table(
    case: Case, design: dict[str, Any], switchovers, *, xtol_m: float = 0.1
) -> xr.Dataset:
    """The reference row and one row per switchover temperature [degC] (see the module).

    ``design`` holds the other design values (a ``borehole_length_m`` in it is replaced by the
    sized length of a ground case).  A design that cannot be sized or evaluated is a row of
    NaN with its reason in ``failure``."""
    from designopt.evaluate import evaluate
    from designopt.evaluate.sources.borefield import required_length

    ground = case.ground is not None
    ref_case, ref_fixed = reference_case(case)
    drop = ("switchover_temperature_degC", "boiler_kW") if case.boiler is not None else ()
    rows: list[tuple[str, Case, dict[str, Any]]] = [
        (
            "heat pump only" if case.boiler is not None else "ground only",
            ref_case,
            {**{k: v for k, v in design.items() if k not in drop}, **ref_fixed},
        )
    ]
    for t in switchovers:
        rows.append(
            (f"{float(t):g} degC", case, {**design, "switchover_temperature_degC": float(t)})
        )
    data: dict[str, list[float]] = {k: [] for k in COLUMNS}
    failures: list[str] = []
    for _, c, d in rows:
        out = dict.fromkeys(COLUMNS, math.nan)
        out["switchover_temperature_degC"] = d.get("switchover_temperature_degC", math.nan)
        failure = ""
        try:
            if ground:
                # the root is bracketed to xtol_m: its upper end keeps the fluid within the limits
                d = {**d, "borehole_length_m": required_length(d, c, xtol_m=xtol_m) + xtol_m}
            e = evaluate(d, c)
            m = e.metrics
            out.update(
                borehole_length_m=d.get("borehole_length_m", math.nan) if ground else math.nan,
                borehole_total_length_m=m.get("borehole_total_length_m", math.nan),
                heat_pump_heat_share=m.get(
                    "heat_pump_heat_share", 1.0 - m.get("boiler_heat_share", 0.0)
                ),
                annual_fuel_kWh=m.get("annual_fuel_kWh", 0.0),
                annual_electricity_kWh=m["annual_electricity_kWh"],
                seasonal_performance=m.get("spf_h3", m.get("scop", math.nan)),
                capital_cost=m["capital_cost"],
                net_present_cost=m["net_present_cost"],
                lifetime_co2=m["lifetime_co2_kg"],
                feasible=float(all(v <= 0 for v in e.constraints.values())),
            )
            if case.source.type == SourceType.TWIN_SOURCE:
                out["heat_pump_heat_share"] = 1.0  # both modes are the heat pump
        except DesignOptError as exc:
            failure = str(exc)
        failures.append(failure)
        for k in COLUMNS:
            data[k].append(float(out[k]))
    a = {k: np.asarray(v, float) for k, v in data.items()}
    a["length_saving"] = 1.0 - a["borehole_total_length_m"] / a["borehole_total_length_m"][0]
    a["npc_saving"] = a["net_present_cost"][0] - a["net_present_cost"]
    labels = [r[0] for r in rows]
    ds = xr.Dataset(
        coords={"option": ("option", np.array(labels, dtype=str), {"long_name": "option"})}
    )
    for k, (unit, name) in COLUMNS.items():
        ds[k] = ("option", a[k], {"units": unit, "long_name": name})
    ds["failure"] = (
        "option",
        np.array(failures, dtype=str),
        {"long_name": "why a row has no numbers"},
    )
    ds.attrs.update(
        title=f"Switchover temperature of {case.name}",
        case=case.name,
        reference=labels[0],
        sizing="shortest borehole within the [ground] fluid limits" if ground else "none",
    )
    return ds

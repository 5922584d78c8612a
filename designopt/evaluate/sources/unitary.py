"""Air and water sources: one packaged unit rated by the EN 14825 bin method.

The design's performance map (:func:`designopt.cycle.performance_map`) on the study grid
(:func:`map_grid`), the rating-point values (A7/W35 for air, W10/W35 for water), the EN 14825
seasonal figures at 35 and 55 degC (:func:`designopt.seasonal.en14825.seasonal_performance`),
quiet (night) mode as a speed cap from the fan laws, with a weather file the hourly year
(:func:`designopt.seasonal.hourly.simulate`), the refrigerant charge and the sound power.
:func:`assess_unitary` returns them as a :class:`~designopt.evaluate.performance.Performance`;
money and rules are applied by :mod:`designopt.evaluate.value`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from designopt.case import Case, SourceType
from designopt.errors import ConfigurationError, OperatingPointError
from designopt.evaluate.charge import saturated_densities
from designopt.evaluate.designs import check_design, heat_pump_design, resolve
from designopt.evaluate.hybrid import boiler_metrics, boiler_of
from designopt.evaluate.mapview import at_point, at_speeds, highest_running, rating_compressor_power
from designopt.evaluate.performance import Performance
from designopt.units import ZERO_CELSIUS_K

__all__ = [
    "SeasonMix",
    "assess_unitary",
    "hourly_year",
    "map_grid",
    "speed_capped",
]

#: Sink (flow) temperatures of the performance-map grid [degC].
T_SINK_GRID_DEGC = np.array([20.0, 24.0, 30.0, 36.0, 42.0, 48.0, 54.0, 58.0])
SPEED_POINTS = 5


def map_grid(case: Case, design) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The performance-map grid of the study [K, K, 1].

    Source: from 2 K below the colder of the design temperature and the season's lowest bin up
    to 18 degC in 3 K steps (water sources: 6 K around the water temperature and W10).  Sink:
    20-58 degC, both EN 14825 applications down to the mildest bin.  Speed: five values from
    minimum to maximum.  Linear interpolation on this grid changes SCOP by a median 0.2 %
    against a 1.5 K x 2 K x 9-speed grid (worst cases, at the edge of the compressor envelope,
    up to 12 %, pessimistic in the cases measured)."""
    t_low = (
        min(case.design_temperature_degC, -10.0 if case.site.climate.value != "colder" else -22.0)
        - 2.0
    )
    t_source = np.arange(t_low, 18.1, 3.0) + ZERO_CELSIUS_K
    if case.source.type == SourceType.WATER:
        # around the water temperature and the EN 14825 rating inlet (W10)
        t_w = case.source.water_temperature_degC
        t_source = np.arange(min(t_w, 10.0) - 6.0, max(t_w, 10.0) + 6.1, 3.0) + ZERO_CELSIUS_K
    t_sink = T_SINK_GRID_DEGC + ZERO_CELSIUS_K
    c = design.compressor
    speed = np.linspace(c.speed_min, c.speed_max, SPEED_POINTS)
    return t_source, t_sink, speed


@dataclass(frozen=True)
class SeasonMix:
    """Seasonal figures of a unit running a share of its hours in quiet mode (bin method per
    EN 14825 for each mode, energies weighted by the share of hours)."""

    scop: float
    scop_day: float
    eta_s_pct: float
    t_biv_K: float
    heat_J: float
    electricity_J: float
    backup_J: float

    @classmethod
    def mix(cls, day, night, f: float) -> SeasonMix:
        elec = (1 - f) * day.electricity_J + f * night.electricity_J
        scop = day.heat_J / elec
        return cls(
            scop=scop,
            scop_day=float(day.scop),
            eta_s_pct=float(day.eta_s_pct) * scop / float(day.scop),
            t_biv_K=float(day.t_biv_K),
            heat_J=float(day.heat_J),
            electricity_J=elec,
            backup_J=(1 - f) * day.backup_J + f * night.backup_J,
        )


def speed_capped(arrays, cap: float):
    """``arrays`` (a :class:`~designopt.seasonal.en14825.MapArrays`) with the compressor speed
    limited to ``cap``: grid speeds above it dropped, the values at ``cap`` interpolated."""
    import dataclasses

    sp = arrays.speed
    if cap >= sp[-1]:
        return arrays
    k = int(np.clip(np.searchsorted(sp, cap), 1, sp.size - 1))
    w = (cap - sp[k - 1]) / (sp[k] - sp[k - 1])
    keep = sp < cap - 1e-12

    def cut(a):
        at_cap = a[..., k - 1] * (1 - w) + a[..., k] * w
        return np.concatenate([a[..., keep], at_cap[..., None]], axis=-1)

    return dataclasses.replace(
        arrays,
        speed=np.append(sp[keep], cap),
        heat_W=cut(arrays.heat_W),
        power_W=cut(arrays.power_W),
        speed_max=min(arrays.speed_max, cap),
    )


@functools.lru_cache(maxsize=4)
def _weather(path: str):
    from designopt.io.epw import read_epw

    ds = read_epw(path)
    if ds.sizes["time"] != 8760:
        raise ConfigurationError(
            f"site.weather_file={path!r} has {ds.sizes['time']} hours; the design study needs a whole"
            " year of 8760 hourly records (annual energy and cost)"
        )
    return ds


@functools.lru_cache(maxsize=4)
def _reference_year(climate: str):
    from designopt.seasonal.weather import en14825_weather

    return en14825_weather(climate)


def hourly_year(
    pmap,
    case: Case,
    *,
    load_W: float,
    t_design_K: float,
    backup_W: float,
    quiet_cap: float,
    boiler=None,
    switchover_K: float | None = None,
    mode: str = "bivalent-parallel",
) -> dict[str, Any]:
    """Hourly year (``designopt.seasonal.hourly.simulate``) on the case's EPW weather, or on the
    EN 14825 reference year of its climate (:func:`designopt.seasonal.weather.en14825_weather`)
    for a boiler hybrid without a weather file: load line of the design load,
    weather-compensated flow of the emitter preset, electric back-up of the design's size, the
    boiler below the switchover temperature (``boiler``, ``switchover_K`` [K], ``mode``).  A
    water source runs at the case's constant water temperature.  In quiet mode the night hours
    (22:00-07:00) run on the speed-capped map; hours are independent (no storage), so
    combining the two runs hour by hour is exact."""
    import xarray as xr

    from designopt.seasonal.building import HeatingCurve, HeatLoadLine
    from designopt.seasonal.hourly import simulate

    if case.site.weather_file is not None:
        weather = _weather(str(case.weather_path))
    else:
        weather = _reference_year(case.site.climate.value)
    building = HeatLoadLine(design_load_W=load_W, t_design_K=t_design_K)
    curve = (
        HeatingCurve.underfloor()
        if case.building.emitter.value == "underfloor"
        else HeatingCurve.radiator()
    )
    kw: dict[str, Any] = {"backup_W": backup_W}
    if boiler is not None:
        kw.update(boiler=boiler, switchover_K=switchover_K, mode=mode)
    if case.source.type == SourceType.WATER:
        kw["t_source_K"] = case.source.water_temperature_degC + ZERO_CELSIUS_K
    day = simulate(pmap, weather, building, curve, **kw).data
    data = day
    if math.isfinite(quiet_cap):
        sp = pmap["speed"].values
        if quiet_cap <= sp[0] * (1.0 + 1e-9):
            # capped at the minimum speed: a fixed-speed night; the hourly model needs a speed
            # range, and one of 1e-6 of the speed changes no figure measurably
            speeds = np.array([sp[0], sp[0] * (1.0 + 1e-6)])
        else:
            speeds = np.append(sp[sp < quiet_cap - 1e-12], quiet_cap)
        capped = pmap.interp(speed=speeds)
        capped.attrs = {**pmap.attrs, "speed_max": float(speeds[-1])}
        night_run = simulate(capped, weather, building, curve, **kw).data
        hour = day["time"].dt.hour
        night = (hour >= 22) | (hour < 7)
        data = xr.where(night, night_run, day, keep_attrs=True)
    dt_J = 3600.0 * float(day.attrs.get("time_step_h", 1.0))
    tot = {
        k: float(data[k].sum()) * dt_J
        for k in (
            "electricity",
            "electricity_backup",
            "space_load",
            "dhw_load",
            "unmet",
            "heat_hp",
            "heat_backup",
            "heat_boiler",
            "gas",
            "defrost_heat",
        )
    }
    load_J = tot["space_load"] + tot["dhw_load"]
    if not load_J > 0.0:
        raise ConfigurationError(
            f"site.weather_file={case.site.weather_file!r} has no heating demand: no hour is"
            f" below the load line's heating limit ({building.t_balance_K - ZERO_CELSIUS_K:g} degC);"
            " give a weather file of a heating climate"
        )
    h = float(day.attrs.get("time_step_h", 1.0))
    return {
        "electricity_J": tot["electricity"],
        "electricity_backup_J": tot["electricity_backup"],
        "load_J": load_J,
        "unmet_J": tot["unmet"],
        "heat_hp_J": tot["heat_hp"] - tot["defrost_heat"],
        "heat_boiler_J": tot["heat_boiler"],
        "fuel_J": tot["gas"],
        "spf_h3": (tot["heat_hp"] - tot["defrost_heat"] + tot["heat_backup"]) / tot["electricity"],
        "electricity_profile_kWh": _by_month_and_hour(data["electricity"], dt_J),
        "hours_backup": float((data["heat_backup"] > 1e-9).sum()) * h,
        "hours_boiler": float((data["heat_boiler"] > 1e-9).sum()) * h,
    }


def _by_month_and_hour(series, dt_J: float) -> np.ndarray:
    """Annual sums [kWh] of an hourly power series [W] by month and hour of the day, shape
    :data:`~designopt.evaluate.performance.PROFILE_SHAPE`."""
    from designopt.economics.profiles import month_hour_sum

    kWh = np.asarray(series.values, float) * (dt_J / 3.6e6)
    return month_hour_sum(kWh, np.asarray(series["time"].values))


def assess_unitary(design: dict[str, Any], case: Case) -> Performance:
    """The physics of one air or water design of ``case`` (see the module docstring).

    Raises :class:`~designopt.errors.OperatingPointError` when the unit has no operating point
    at the rating point (nothing can be assessed).
    """
    from designopt import economics, noise, refrigerants
    from designopt.cycle import performance_map
    from designopt.seasonal.en14825 import MapArrays, seasonal_performance

    check_design(design, case)
    values = resolve(design, case)
    hp = heat_pump_design(values, case)
    ref = refrigerants.get(hp.refrigerant)
    load_W = case.building.design_heat_load_kW * 1e3
    t_design_K = case.design_temperature_degC + ZERO_CELSIUS_K
    t_flow_K = case.flow_temperature_degC + ZERO_CELSIUS_K
    application = int(case.flow_temperature_degC)

    pmap = performance_map(hp, *map_grid(case, hp))
    arrays = MapArrays.from_dataset(pmap)
    c = hp.compressor
    water = case.source.type == SourceType.WATER
    # rating source temperature: A7 for air, the EN 14825 W10 inlet for water sources
    t_rate = 283.15 if water else 280.15
    t_src_design = case.source.water_temperature_degC + ZERO_CELSIUS_K if water else t_design_K
    # capacity at the design point: the highest speed inside the envelope (0 if none runs there;
    # the back-up heater must then carry the design load)
    cap_design = highest_running(at_speeds(pmap, "heat_output", t_src_design, t_flow_K))
    cap_design = 0.0 if not math.isfinite(cap_design) else cap_design
    heat_rating = at_point(pmap, "heat_output", t_rate, 308.15, 1.0)
    cop_rating = at_point(pmap, "cop", t_rate, 308.15, 1.0)
    comp_power_max = rating_compressor_power(pmap, t_rate)
    t_evap = at_point(pmap, "t_evap", t_rate, 308.15, 1.0)
    t_cond = at_point(pmap, "t_cond", t_rate, 308.15, 1.0)
    t_discharge = at_point(pmap, "t_discharge", t_rate, 308.15, 1.0)
    if not all(math.isfinite(x) for x in (heat_rating, comp_power_max, t_evap, t_cond)):
        raise OperatingPointError(
            "the design has no operating point inside its envelope at "
            + ("W10/W35" if water else "A7/W35")
            + " (nominal speed)"
        )
    if water:
        # an indoor unit: the compressor behind its casing is the only source
        lc = float(
            noise.compressor_sound_power(
                power_W=comp_power_max, compressor_type=str(values["compressor_type"])
            )
        )
        lw = {"total": lc, "fan": -np.inf, "compressor": lc}
    else:
        lw = noise.outdoor_unit_sound_power(
            volume_flow_m3_s=hp.fan.air_flow_m3_s,
            compressor_power_W=comp_power_max,
            fan_diameter_m=hp.fan.diameter_m,
            compressor_type=str(values["compressor_type"]),
        )
    lwa = float(lw["total"])

    climate = case.site.climate.value
    day = {
        app: seasonal_performance(
            arrays, climate=climate, application_degC=app, design_load_W=load_W
        )
        for app in (35, 55)
    }
    quiet_cap = math.nan
    lwa_quiet = math.nan
    if case.noise.quiet_mode_dBA is not None:
        # night (quiet) mode: fan and compressor at most at the speed ratio that meets the target
        q = noise.quiet_mode_speed_ratio(
            target_lwa_dBA=case.noise.quiet_mode_dBA,
            fan_lwa_dBA=lw["fan"],
            compressor_lwa_dBA=lw["compressor"],
            speed_min=c.speed_min / c.speed_max,
        )
        quiet_cap = float(q["speed_ratio"]) * c.speed_max
        lwa_quiet = float(q["lwa_dBA"])
        capped = speed_capped(arrays, quiet_cap)
        night = {
            app: seasonal_performance(
                capped, climate=climate, application_degC=app, design_load_W=load_W
            )
            for app in (35, 55)
        }
        season = {
            app: SeasonMix.mix(day[app], night[app], case.noise.night_fraction) for app in (35, 55)
        }
    else:
        season = {app: SeasonMix.mix(day[app], day[app], 0.0) for app in (35, 55)}
    s = season[application]
    hourly = None
    boiler, t_sw, mode = boiler_of(case, values)
    if case.site.weather_file is not None or boiler is not None:
        hourly = hourly_year(
            pmap,
            case,
            load_W=load_W,
            t_design_K=t_design_K,
            backup_W=float(values["backup_kW"]) * 1e3,
            quiet_cap=quiet_cap,
            boiler=boiler,
            switchover_K=t_sw,
            mode=mode,
        )

    charge = economics.refrigerant_charge(
        evaporator_area_m2=hp.evaporator.area_m2,
        condenser_area_m2=hp.condenser.area_m2,
        evaporator_type="brazed_plate" if water else "finned_air_coil",
        **saturated_densities(ref, t_evap_K=t_evap, t_cond_K=t_cond, t_discharge_K=t_discharge),
    )
    backup_W = float(values["backup_kW"]) * 1e3
    if hourly is None:
        elec_kWh = s.electricity_J / 3.6e6
        heat_kWh = s.heat_J / 3.6e6
        backup_kWh = s.backup_J / 3.6e6
    else:
        elec_kWh = hourly["electricity_J"] / 3.6e6
        heat_kWh = (hourly["load_J"] - hourly["unmet_J"]) / 3.6e6
        backup_kWh = hourly["electricity_backup_J"] / 3.6e6
    metrics: dict[str, Any] = {
        "scop_35": float(season[35].scop),
        "scop_55": float(season[55].scop),
        "scop": float(s.scop),
        "eta_s_pct": float(s.eta_s_pct),
        "scop_without_quiet_mode": s.scop_day,
        "quiet_mode_speed_max": quiet_cap,
        "sound_power_quiet_dBA": lwa_quiet,
        "t_biv_degC": float(s.t_biv_K - ZERO_CELSIUS_K),
        "capacity_design_kW": cap_design / 1e3,
        ("heat_W10W35_kW" if water else "heat_A7W35_kW"): heat_rating / 1e3,
        ("cop_W10W35" if water else "cop_A7W35"): cop_rating,
        "annual_heat_kWh": heat_kWh,
        "annual_electricity_kWh": elec_kWh,
        "annual_backup_kWh": backup_kWh,
    }
    unmet_share = math.nan
    fuel_kWh = 0.0
    if hourly is not None:
        unmet_share = hourly["unmet_J"] / hourly["load_J"]
        metrics["spf_h3"] = hourly["spf_h3"]
        metrics["unmet_share"] = unmet_share
        metrics["hours_backup"] = hourly["hours_backup"]
    if boiler is not None:
        fuel_kWh = hourly["fuel_J"] / 3.6e6
        metrics.update(
            boiler_metrics(
                hourly["heat_boiler_J"] / 3.6e6, fuel_kWh, heat_kWh, hourly["hours_boiler"]
            )
        )
        metrics["heat_pump_heat_share"] = hourly["heat_hp_J"] / 3.6e6 / max(heat_kWh, 1e-9)
    metrics["heat_pump_coverage"] = cap_design / load_W
    return Performance(
        source=case.source.type,
        refrigerant=hp.refrigerant,
        evaporator_type="brazed_plate" if water else "finned_air_coil",
        gwp100=float(ref.gwp100),
        lfl_kg_m3=ref.lfl_kg_m3 if ref.lfl_kg_m3 is not None else math.inf,
        charge_kg=float(charge.total),
        compressor_displacement_m3_s=c.displacement_m3_s,
        evaporator_area_m2=hp.evaporator.area_m2,
        condenser_area_m2=hp.condenser.area_m2,
        fan_diameter_m=0.0 if hp.fan is None else hp.fan.diameter_m,
        heat_output_rating_W=heat_rating,
        backup_heater_W=backup_W,
        design_load_W=load_W,
        capacity_design_W=cap_design,
        annual_heat_kWh=heat_kWh,
        annual_electricity_kWh=elec_kWh,
        seasonal_cop=float(s.scop),
        sound_power_dBA=lwa,
        sound_power_quiet_dBA=lwa_quiet,
        unmet_share=unmet_share,
        metrics=metrics,
        annual_fuel_kWh=fuel_kWh,
        boiler_W=0.0 if boiler is None else boiler.capacity_W,
        # a clock-time profile only from a real weather year (the EN 14825 year is synthetic)
        electricity_profile_kWh=(
            hourly["electricity_profile_kWh"] if case.site.weather_file is not None else None
        ),
    )

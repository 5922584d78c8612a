"""The one pass: ``evaluate(design, case) -> Evaluation``.

A *design* is a dict of design-variable values (from an Optuna trial, a grid point, a MILP
candidate or ``--set name=value``).  ``evaluate`` builds the heat pump, its performance map,
the EN 14825 seasonal figures at 35 and 55 degC, the refrigerant charge, capital and lifetime
cost, TEWI, the outdoor sound power and the levels at the case's receivers, and returns
objectives, scaled constraints (met when <= 0) and diagnostics.  It is a pure function of
``(design, case)``; performance maps are cached by design hash inside :mod:`designopt.cycle`.

Design variables (``[space]`` ranges or ``[fixed]`` values in a case; defaults otherwise) are
listed in :data:`VARIABLES`.  See ``docs/case-files.md``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from designopt.case import CONSTRAINTS, OBJECTIVES, Case, SourceType, VariableSpec
from designopt.errors import ConfigurationError, OperatingPointError
from designopt.search.problem import (
    Constraint,
    Direction,
    Evaluation,
    Objective,
    Problem,
    Variable,
    VariableKind,
)
from designopt.units import ZERO_CELSIUS_K


@dataclass(frozen=True)
class VariableInfo:
    """A design variable known to :func:`evaluate`."""

    kind: str  # float | int | categorical
    unit: str
    default: Any
    long_name: str
    low: float | None = None  # physical validity bounds (checked at the boundary)
    high: float | None = None
    sources: tuple[str, ...] = ("air", "ground", "water", "hybrid")


#: Design variables understood by :func:`evaluate`.
VARIABLES: dict[str, VariableInfo] = {
    "refrigerant": VariableInfo("categorical", "1", "R290", "refrigerant"),
    "evaporator_area_m2": VariableInfo(
        "float", "m2", 40.0, "evaporator heat-transfer area (air side for coils)", 0.5, 2000.0
    ),
    "condenser_area_m2": VariableInfo(
        "float", "m2", 1.2, "condenser plate area (one side)", 0.05, 100.0
    ),
    "swept_volume_cm3": VariableInfo(
        "float", "cm3", 60.0, "compressor swept volume per revolution", 1.0, 5000.0
    ),
    "nominal_speed_Hz": VariableInfo("float", "Hz", 50.0, "compressor nominal speed", 10.0, 200.0),
    "speed_max": VariableInfo(
        "float", "1", 1.2, "maximum compressor speed as a fraction of nominal", 1.0, 2.0
    ),
    "speed_min": VariableInfo(
        "float", "1", 0.3, "minimum compressor speed as a fraction of nominal", 0.1, 1.0
    ),
    "fan_diameter_m": VariableInfo(
        "float", "m", 0.55, "outdoor fan diameter", 0.2, 1.5, ("air", "hybrid")
    ),
    "air_flow_per_area_m3_s_m2": VariableInfo(
        "float",
        "m3/(s m2)",
        0.0275,
        "fan air flow per m2 of coil area (0.0275: 1.1 m3/s on 40 m2)",
        0.005,
        0.1,
        ("air", "hybrid"),
    ),
    "backup_kW": VariableInfo("float", "kW", 0.0, "electric back-up heater size", 0.0, 100.0),
    "superheat_K": VariableInfo("float", "K", 5.0, "evaporator superheat set point", 0.5, 30.0),
    "subcool_K": VariableInfo("float", "K", 3.0, "condenser subcooling set point", 0.0, 30.0),
    "source_flow_kg_s": VariableInfo(
        "float", "kg/s", 0.5, "brine/water source flow", 0.01, 100.0, ("ground", "water", "hybrid")
    ),
    "compressor_type": VariableInfo("categorical", "1", "rotary", "compressor type (noise)"),
}

#: Sink (flow) temperatures of the performance-map grid [degC].
_T_SINK_GRID_DEGC = np.array([20.0, 24.0, 30.0, 36.0, 42.0, 48.0, 54.0, 58.0])
_SPEED_POINTS = 5

METRIC_UNITS = {
    "scop_35": ("1", "SCOP, EN 14825, 35 degC application, case climate"),
    "scop_55": ("1", "SCOP, EN 14825, 55 degC application, case climate"),
    "scop": ("1", "SCOP of the case's emitter application"),
    "eta_s_pct": ("%", "seasonal space heating efficiency of the case's application"),
    "t_biv_degC": ("degC", "bivalent temperature (unit at maximum speed meets the load)"),
    "capacity_design_kW": (
        "kW",
        "heat pump capacity at the design temperature and flow, maximum speed",
    ),
    "heat_A7W35_kW": ("kW", "heat output at A7/W35, nominal speed"),
    "cop_A7W35": ("1", "COP at A7/W35, nominal speed (no defrost)"),
    "annual_heat_kWh": (
        "kWh",
        "annual heat delivered to the building (EN 14825 reference season or the weather year)",
    ),
    "annual_electricity_kWh": ("kWh", "annual electricity incl. back-up and off modes"),
    "annual_backup_kWh": ("kWh", "annual back-up heater electricity"),
    "charge_kg": ("kg", "estimated refrigerant charge"),
    "charge_limit_kg": ("kg", "charge limit (IEC 60335-2-40 style, user cap)"),
    "gwp": ("1", "refrigerant GWP100 (AR4)"),
    "sound_power_dBA": ("dB(A)", "outdoor unit sound power L_WA at maximum speed"),
    "noise_margin_dB": ("dB", "worst receiver level minus its limit"),
    "scop_without_quiet_mode": ("1", "SCOP of the case's application if no hour ran in quiet mode"),
    "quiet_mode_speed_max": (
        "1",
        "compressor speed cap in quiet mode (fraction of nominal; NaN: no quiet mode)",
    ),
    "sound_power_quiet_dBA": ("dB(A)", "outdoor unit sound power in quiet mode"),
    "lifetime_co2_kg": ("kg", "TEWI over the lifetime"),
    "co2_direct_kg": ("kg", "refrigerant-related part of TEWI"),
}


def check_case(case: Case) -> None:
    """Check the case's design space, fixed values, objectives and constraints against
    :data:`VARIABLES`; raise one :class:`ConfigurationError` naming field, value and options."""
    src = case.source.type.value
    if src in (SourceType.GROUND.value, SourceType.HYBRID.value):
        try:  # registers the ground variables in VARIABLES
            import designopt.evaluate_ground  # noqa: F401
        except ImportError:
            pass
    valid = sorted(k for k, v in VARIABLES.items() if src in v.sources)
    for where, names in (("space", case.space), ("fixed", case.fixed)):
        for name in names:
            if name not in VARIABLES:
                raise ConfigurationError(f"{where}.{name} is not a design variable; valid: {valid}")
            if src not in VARIABLES[name].sources:
                raise ConfigurationError(
                    f"{where}.{name} does not apply to source type {src!r}; valid: {valid}"
                )
    both = sorted(set(case.space) & set(case.fixed))
    if both:
        raise ConfigurationError(f"{both} appear in both [space] and [fixed]; give each once")
    for name, spec in case.space.items():
        info = VARIABLES[name]
        if info.kind == "categorical":
            if spec.choices is None:
                raise ConfigurationError(
                    f"space.{name} is categorical: give choices = [...], not low/high"
                )
            for c in spec.choices:
                _check_value(name, c, f"space.{name}.choices")
        else:
            if spec.choices is not None:
                raise ConfigurationError(f"space.{name} is numeric: give low/high, not choices")
            for bound in (spec.low, spec.high):
                _check_value(name, bound, f"space.{name}")
    for name, value in case.fixed.items():
        _check_value(name, value, f"fixed.{name}")
    if src in (SourceType.GROUND.value, SourceType.HYBRID.value):
        try:
            from designopt.evaluate_ground import check_ground_case
        except ImportError:
            check_ground_case = None
        if check_ground_case is None:
            raise ConfigurationError(
                f"source.type={src!r} is not yet supported by the design study; valid: ['air']"
            )
        check_ground_case(case)
    elif src == SourceType.WATER.value:
        if (
            case.noise.receivers
            or "noise" in case.optimisation.constraints
            or case.noise.quiet_mode_dBA
        ):
            raise ConfigurationError(
                "noise receivers, the 'noise' constraint and quiet mode do not apply to"
                " source.type='water' (an indoor unit without outdoor fan); remove them"
            )
        if case.site.weather_file is not None:
            raise ConfigurationError(
                "site.weather_file is not used for source.type='water' (constant water temperature);"
                " remove it"
            )
    if "noise" in case.optimisation.constraints and not case.noise.receivers:
        raise ConfigurationError("constraint 'noise' needs at least one [[noise.receivers]] entry")
    if "gwp" in case.optimisation.constraints and case.policy.gwp_cap is None:
        raise ConfigurationError(
            "constraint 'gwp' needs policy.gwp_cap (e.g. 150 for the F-gas ban)"
        )
    if src == SourceType.AIR.value and case.site.weather_file is not None:
        path = weather_path(case)
        if not path.is_file():
            raise ConfigurationError(
                f"site.weather_file={case.site.weather_file!r} does not exist (looked for {path})"
            )
        _weather(str(path))  # read and check it once (DataFormatError names the problem)
    if src in (SourceType.AIR.value, SourceType.WATER.value):
        hourly_only = {"fluid_temperature"} & set(case.optimisation.constraints)
        if case.site.weather_file is None and "unmet_load" in case.optimisation.constraints:
            hourly_only.add("unmet_load")  # water sources never have a weather file
        if hourly_only:
            raise ConfigurationError(
                f"constraint(s) {sorted(hourly_only)} need an hourly simulation: 'fluid_temperature' a"
                " ground or hybrid source, 'unmet_load' a site.weather_file (air) or a ground or"
                " hybrid source; valid here:"
                f" {sorted(set(CONSTRAINTS) - hourly_only)}"
            )


def _check_value(name: str, value: Any, where: str) -> None:
    info = VARIABLES[name]
    if info.kind == "categorical":
        if name == "refrigerant":
            from designopt import refrigerants

            if value not in refrigerants.names():
                raise ConfigurationError(
                    f"{where}={value!r} is not a known refrigerant; valid: {list(refrigerants.names())}"
                )
        if name == "compressor_type":
            from designopt.noise import CompressorType

            valid = [c.value for c in CompressorType]
            if value not in valid:
                raise ConfigurationError(
                    f"{where}={value!r} is not a compressor type; valid: {valid}"
                )
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigurationError(f"{where}={value!r} must be a finite number [{info.unit}]")
    if info.kind == "int" and not float(value).is_integer():
        raise ConfigurationError(f"{where}={value!r} must be a whole number [{info.unit}]")
    if (info.low is not None and value < info.low) or (info.high is not None and value > info.high):
        raise ConfigurationError(
            f"{where}={value!r} lies outside [{info.low}, {info.high}] {info.unit}"
        )


def check_design(design: dict[str, Any], case: Case) -> None:
    """Every value of ``design`` names a design variable of the case's source type and is valid."""
    src = case.source.type.value
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
        _check_value(name, value, name)


def resolve(params: dict[str, Any], case: Case) -> dict[str, Any]:
    """All design-variable values: ``params`` over ``case.fixed`` over defaults."""
    out = {k: v.default for k, v in VARIABLES.items() if case.source.type.value in v.sources}
    if case.source.type is SourceType.WATER:
        out["evaporator_area_m2"] = 1.5  # a brazed plate, not an air coil
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
        _check_value(name, value, f"--set {name}")
        out[name] = int(value) if VARIABLES[name].kind == "int" else value
    return out


def heat_pump_design(values: dict[str, Any], case: Case):
    """The :class:`designopt.cycle.HeatPumpDesign` of resolved design values."""
    from designopt.cycle import Compressor, Fan, HeatExchanger, HeatPumpDesign, HXKind

    area = float(values["evaporator_area_m2"])
    water = case.source.type is SourceType.WATER
    if water:
        fan = None
        evaporator = HeatExchanger(kind=HXKind.BRAZED_PLATE, area_m2=area)
    else:
        fan = Fan(
            air_flow_m3_s=area * float(values["air_flow_per_area_m3_s_m2"]),
            diameter_m=float(values["fan_diameter_m"]),
        )
        evaporator = HeatExchanger(kind=HXKind.FINNED_COIL, area_m2=area)
    return HeatPumpDesign(
        refrigerant=str(values["refrigerant"]),
        source_type="water" if water else "air",
        source_flow_kg_s=float(values["source_flow_kg_s"]) if water else None,
        evaporator=evaporator,
        condenser=HeatExchanger(
            kind=HXKind.BRAZED_PLATE, area_m2=float(values["condenser_area_m2"])
        ),
        compressor=Compressor(
            swept_volume_m3=float(values["swept_volume_cm3"]) * 1e-6,
            nominal_speed_hz=float(values["nominal_speed_Hz"]),
            speed_min=float(values["speed_min"]),
            speed_max=float(values["speed_max"]),
        ),
        fan=fan,
        superheat_K=float(values["superheat_K"]),
        subcool_K=float(values["subcool_K"]),
        sink_delta_T_K=5.0,
    )


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
    if case.source.type is SourceType.WATER:
        # around the water temperature and the EN 14825 rating inlet (W10)
        t_w = case.source.water_temperature_degC
        t_source = np.arange(min(t_w, 10.0) - 6.0, max(t_w, 10.0) + 6.1, 3.0) + ZERO_CELSIUS_K
    t_sink = _T_SINK_GRID_DEGC + ZERO_CELSIUS_K
    c = design.compressor
    speed = np.linspace(c.speed_min, c.speed_max, _SPEED_POINTS)
    return t_source, t_sink, speed


def _at_speeds(pmap, var: str, t_source_K: float, t_sink_K: float) -> np.ndarray:
    """``var`` at every map speed, bilinear in source and sink temperature (NaN where a
    neighbouring grid point lies outside the envelope, or outside the grid)."""
    ts = pmap["t_source"].values
    tk = pmap["t_sink"].values
    arr = pmap[var].values
    i = min(int(np.searchsorted(ts, t_source_K, side="right")) - 1, ts.size - 2)
    j = min(int(np.searchsorted(tk, t_sink_K, side="right")) - 1, tk.size - 2)
    if i < 0 or j < 0 or t_source_K > ts[-1] or t_sink_K > tk[-1]:
        return np.full(arr.shape[2], np.nan)
    wx = (t_source_K - ts[i]) / (ts[i + 1] - ts[i])
    wy = (t_sink_K - tk[j]) / (tk[j + 1] - tk[j])
    return (
        arr[i, j] * (1 - wx) * (1 - wy)
        + arr[i + 1, j] * wx * (1 - wy)
        + arr[i, j + 1] * (1 - wx) * wy
        + arr[i + 1, j + 1] * wx * wy
    )


_map_grid = map_grid  # kept for callers of the former private name


def _interp_map(pmap, var: str, t_source_K: float, t_sink_K: float, speed: float) -> float:
    """``var`` at one operating point: bilinear in temperatures, linear in speed."""
    values = _at_speeds(pmap, var, t_source_K, t_sink_K)
    return float(np.interp(speed, pmap["speed"].values, values, left=np.nan, right=np.nan))


@dataclass(frozen=True)
class _SeasonMix:
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
    def mix(cls, day, night, f: float) -> _SeasonMix:
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


def _speed_capped(arrays, cap: float):
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


#: Share of the annual heat demand allowed to go unmet before the ``unmet_load`` constraint bites.
UNMET_TOLERANCE = 1e-3


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


def weather_path(case: Case) -> Path:
    """The case's EPW file (relative paths are relative to the case file)."""
    p = Path(case.site.weather_file)
    return p if p.is_absolute() else Path(case.base_dir) / p


def _hourly_air(
    pmap, case: Case, *, load_W: float, t_design_K: float, backup_W: float, quiet_cap: float
) -> dict[str, float]:
    """Hourly year on the case's EPW weather (``designopt.seasonal.hourly.simulate``): load line
    of the design load, weather-compensated flow of the emitter preset, electric back-up of the
    design's size.  In quiet mode the night hours (22:00-07:00) run on the speed-capped map;
    hours are independent (no storage), so combining the two runs hour by hour is exact."""
    from designopt.seasonal.building import HeatingCurve, HeatLoadLine
    from designopt.seasonal.hourly import simulate

    weather = _weather(str(weather_path(case)))
    building = HeatLoadLine(design_load_W=load_W, t_design_K=t_design_K)
    curve = (
        HeatingCurve.underfloor()
        if case.building.emitter.value == "underfloor"
        else HeatingCurve.radiator()
    )
    day = simulate(pmap, weather, building, curve, backup_W=backup_W).data
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
        night_run = simulate(capped, weather, building, curve, backup_W=backup_W).data
        hour = day["time"].dt.hour
        night = (hour >= 22) | (hour < 7)
        data = xr_where(night, night_run, day)
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
    return {
        "electricity_J": tot["electricity"],
        "electricity_backup_J": tot["electricity_backup"],
        "load_J": load_J,
        "unmet_J": tot["unmet"],
        "spf_h3": (tot["heat_hp"] - tot["defrost_heat"] + tot["heat_backup"]) / tot["electricity"],
        "hours_backup": float((data["heat_backup"] > 1e-9).sum())
        * float(day.attrs.get("time_step_h", 1.0)),
    }


def xr_where(cond, a, b):
    """Element-wise choice between two hourly Datasets of the same shape."""
    import xarray as xr

    return xr.where(cond, a, b, keep_attrs=True)


def _highest_running(values: np.ndarray) -> float:
    """Value at the highest speed that runs inside the envelope (the controller's speed limit), or NaN."""
    ok = np.flatnonzero(np.isfinite(values))
    return float(values[ok[-1]]) if ok.size else math.nan


def rating_compressor_power(pmap, t_source_K: float) -> float:
    """Compressor power [W] of the sound-power rating at source temperature ``t_source_K``:
    the highest speed that runs at W55 (EN 12102-1 rating point); a unit whose envelope stops
    short of W55 there (e.g. discharge temperature) is rated at the largest compressor power it
    runs at that source temperature over the map's flow temperatures.  NaN if none runs."""
    power = _highest_running(_at_speeds(pmap, "compressor_power", t_source_K, 328.15))
    if math.isfinite(power):
        return power
    runs = [
        _at_speeds(pmap, "compressor_power", t_source_K, float(tk)) for tk in pmap["t_sink"].values
    ]
    finite = np.concatenate([a[np.isfinite(a)] for a in runs])
    return float(finite.max()) if finite.size else math.nan


def evaluate(design: dict[str, Any], case: Case) -> Evaluation:
    """Evaluate one design of ``case``; see the module docstring.

    Raises a :class:`~designopt.errors.DesignOptError` for a design that cannot be evaluated
    (the study records it as a failed trial).
    """
    from designopt import economics, noise, refrigerants
    from designopt.cycle import performance_map
    from designopt.seasonal.en14825 import MapArrays, seasonal_performance

    if case.source.type in (SourceType.GROUND, SourceType.HYBRID):
        from designopt.evaluate_ground import evaluate_ground

        return evaluate_ground(design, case)
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
    water = case.source.type is SourceType.WATER
    # rating source temperature: A7 for air, the EN 14825 W10 inlet for water sources
    t_rate = 283.15 if water else 280.15
    t_src_design = case.source.water_temperature_degC + ZERO_CELSIUS_K if water else t_design_K
    # capacity at the design point: the highest speed inside the envelope (0 if none runs there;
    # the back-up heater must then carry the design load)
    cap_design = _highest_running(_at_speeds(pmap, "heat_output", t_src_design, t_flow_K))
    cap_design = 0.0 if not math.isfinite(cap_design) else cap_design
    heat_a7 = _interp_map(pmap, "heat_output", t_rate, 308.15, 1.0)
    cop_a7 = _interp_map(pmap, "cop", t_rate, 308.15, 1.0)
    comp_power_max = rating_compressor_power(pmap, t_rate)
    t_evap = _interp_map(pmap, "t_evap", t_rate, 308.15, 1.0)
    t_cond = _interp_map(pmap, "t_cond", t_rate, 308.15, 1.0)
    t_discharge = _interp_map(pmap, "t_discharge", t_rate, 308.15, 1.0)
    if not all(math.isfinite(x) for x in (heat_a7, comp_power_max, t_evap, t_cond)):
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
        capped = _speed_capped(arrays, quiet_cap)
        night = {
            app: seasonal_performance(
                capped, climate=climate, application_degC=app, design_load_W=load_W
            )
            for app in (35, 55)
        }
        season = {
            app: _SeasonMix.mix(day[app], night[app], case.noise.night_fraction) for app in (35, 55)
        }
    else:
        season = {app: _SeasonMix.mix(day[app], day[app], 0.0) for app in (35, 55)}
    s = season[application]
    hourly = None
    if case.site.weather_file is not None:
        hourly = _hourly_air(
            pmap,
            case,
            load_W=load_W,
            t_design_K=t_design_K,
            backup_W=float(values["backup_kW"]) * 1e3,
            quiet_cap=quiet_cap,
        )

    charge = economics.refrigerant_charge(
        evaporator_area_m2=hp.evaporator.area_m2,
        condenser_area_m2=hp.condenser.area_m2,
        evaporator_type="brazed_plate" if water else "finned_air_coil",
        **saturated_densities(ref, t_evap_K=t_evap, t_cond_K=t_cond, t_discharge_K=t_discharge),
    )
    charge_kg = float(charge.total)
    limit, user_cap = charge_limits(case, ref)
    charge_limit_kg = min(limit, user_cap)
    pol = case.policy

    backup_W = float(values["backup_kW"]) * 1e3
    econ = case.economics
    cap = economics.capital_cost(
        compressor_displacement_m3_s=c.displacement_m3_s,
        evaporator_area_m2=hp.evaporator.area_m2,
        condenser_area_m2=hp.condenser.area_m2,
        fan_diameter_m=0.0 if hp.fan is None else hp.fan.diameter_m,
        evaporator_type="brazed_plate" if water else "finned_air_coil",
        refrigerant_charge_kg=charge_kg,
        refrigerant=hp.refrigerant,
        heat_output_W=heat_a7,
        backup_heater_W=backup_W,
        subsidy_fixed=econ.capital_subsidy,
        target_year=econ.cost_base_year,
    )
    capital = float(cap.total)
    if hourly is None:
        elec_kWh = s.electricity_J / 3.6e6
        heat_kWh = s.heat_J / 3.6e6
        backup_kWh = s.backup_J / 3.6e6
    else:
        elec_kWh = hourly["electricity_J"] / 3.6e6
        heat_kWh = (hourly["load_J"] - hourly["unmet_J"]) / 3.6e6
        backup_kWh = hourly["electricity_backup_J"] / 3.6e6
    em, life = lifetime_money(
        case,
        capital=capital,
        electricity_kWh=elec_kWh,
        heat_kWh=heat_kWh,
        charge_kg=charge_kg,
        gwp=ref.gwp100,
    )

    objectives = objective_values(capital=capital, em=em, life=life, scop=float(s.scop), lwa=lwa)
    constraints: dict[str, float] = {}
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
        "heat_A7W35_kW": heat_a7 / 1e3,
        "cop_A7W35": cop_a7,
        "annual_heat_kWh": heat_kWh,
        "annual_electricity_kWh": elec_kWh,
        "annual_backup_kWh": backup_kWh,
        **money_metrics(
            charge_kg=charge_kg,
            charge_limit_kg=charge_limit_kg,
            gwp=ref.gwp100,
            lwa=lwa,
            em=em,
            life=life,
            capital=capital,
        ),
    }
    for item, value in cap.items.items():
        metrics[f"capex_{item}"] = float(value)
    if case.noise.receivers:
        receivers = case_receivers(case)
        na = noise.receiver_levels(lwa, receivers)
        level = np.array(na.level_dBA, dtype=float).reshape(-1)
        margin = np.array(na.margin_dB, dtype=float).reshape(-1)
        limit_r = np.array(na.limit_dBA, dtype=float).reshape(-1)
        if math.isfinite(lwa_quiet):
            # night limits (us-night) are judged in quiet mode; MCS 020(a) always at full L_WA
            nq = noise.receiver_levels(lwa_quiet, receivers)
            night = np.array([r.method == "us-night" for r in case.noise.receivers])
            level = np.where(night, np.array(nq.level_dBA, float).reshape(-1), level)
            margin = np.where(night, np.array(nq.margin_dB, float).reshape(-1), margin)
        for i, r in enumerate(case.noise.receivers):
            metrics[f"level_{_slug(r.name)}_dBA"] = float(level[i])
        metrics["noise_margin_dB"] = float(margin.max())
        if "noise" in case.optimisation.constraints:
            constraints["noise"] = float(np.max(margin / limit_r))
    if hourly is not None:
        metrics["spf_h3"] = hourly["spf_h3"]
        metrics["unmet_share"] = hourly["unmet_J"] / hourly["load_J"]
        metrics["hours_backup"] = hourly["hours_backup"]
        if "unmet_load" in case.optimisation.constraints:
            constraints["unmet_load"] = (metrics["unmet_share"] - UNMET_TOLERANCE) / UNMET_TOLERANCE
    if "capacity" in case.optimisation.constraints:
        constraints["capacity"] = (load_W - (cap_design + backup_W)) / load_W
    if "charge" in case.optimisation.constraints:
        constraints["charge"] = float(
            economics.charge_constraint(charge_kg, limit, user_cap_kg=user_cap, scaled=True)
        )
    if "gwp" in case.optimisation.constraints:
        constraints["gwp"] = float(
            economics.gwp_cap_constraint(ref.gwp100, pol.gwp_cap, scaled=True)
        )
    return Evaluation(
        objectives={k: objectives[k] for k in case.optimisation.objectives},
        constraints=constraints,
        metrics=metrics,
    )


def saturated_densities(
    ref, *, t_evap_K: float, t_cond_K: float, t_discharge_K: float | None = None
) -> dict[str, float]:
    """Saturated liquid and vapour densities [kg/m3] at the evaporating and condensing
    temperatures, keyed as :func:`designopt.economics.refrigerant_charge` takes them.

    A transcritical cycle (``t_cond_K``, then the gas-cooler outlet temperature, at or above
    the critical temperature) has no saturation on the high side: its "liquid" and "vapour"
    densities are the supercritical densities at the gas-cooler pressure of the cycle model
    (:func:`designopt.cycle.transcritical.optimal_high_pressure`, Liao et al. 2000) at the
    gas-cooler outlet and at the discharge temperature ``t_discharge_K``."""
    from designopt.properties import fluid_limits, state_pt, state_tq

    name = ref.coolprop_name
    if t_cond_K >= fluid_limits(name).t_crit_K:
        from designopt.cycle.transcritical import optimal_high_pressure

        if t_discharge_K is None or not t_discharge_K > t_cond_K:
            raise OperatingPointError(
                f"{ref.name}: gas-cooler outlet at {t_cond_K:.2f} K needs a discharge temperature"
                f" above it for the charge estimate, got {t_discharge_K!r}"
            )
        p_gc = float(optimal_high_pressure(t_evap_K, t_cond_K))
        high = {
            "rho_liquid_cond_kg_m3": state_pt(name, p=p_gc, T=t_cond_K).rho,
            "rho_vapour_cond_kg_m3": state_pt(name, p=p_gc, T=t_discharge_K).rho,
        }
    else:
        high = {
            "rho_liquid_cond_kg_m3": state_tq(name, T=t_cond_K, q=0.0).rho,
            "rho_vapour_cond_kg_m3": state_tq(name, T=t_cond_K, q=1.0).rho,
        }
    return {
        **high,
        "rho_liquid_evap_kg_m3": state_tq(name, T=t_evap_K, q=0.0).rho,
        "rho_vapour_evap_kg_m3": state_tq(name, T=t_evap_K, q=1.0).rho,
    }


def charge_limits(case: Case, ref) -> tuple[float, float]:
    """(IEC 60335-2-40 style limit, user cap) [kg] of the case: the room formula when the case
    gives ``policy.room_area_m2``, else the outdoor limit (inf for non-flammable fluids)."""
    from designopt import economics

    lfl = ref.lfl_kg_m3 if ref.lfl_kg_m3 is not None else math.inf
    pol = case.policy
    if pol.room_area_m2 is not None:
        limit = float(economics.charge_limit(lfl_kg_m3=lfl, room_area_m2=pol.room_area_m2))
    else:
        limit = float(economics.charge_limit(lfl_kg_m3=lfl, outdoor=True))
    user_cap = pol.charge_limit_kg if pol.charge_limit_kg is not None else math.inf
    return limit, user_cap


def lifetime_money(
    case: Case,
    *,
    capital: float,
    electricity_kWh: float,
    heat_kWh: float,
    charge_kg: float,
    gwp: float,
):
    """TEWI and lifetime cost of a design under the case's economics: ``(Tewi, LifetimeCost)``."""
    from designopt import economics

    econ = case.economics
    em = economics.tewi(
        charge_kg=charge_kg,
        gwp=gwp,
        lifetime_years=econ.lifetime_years,
        annual_electricity_kWh=electricity_kWh,
        grid_factor_kg_per_kWh=econ.grid_co2_kg_per_kWh,
        annual_leak_rate=econ.annual_leakage_rate,
        recovery_fraction=1.0 - econ.end_of_life_loss,
    )
    life = economics.lifetime_cost(
        capital=capital,
        discount_rate=econ.discount_rate,
        lifetime_years=econ.lifetime_years,
        annual_electricity_kWh=electricity_kWh,
        electricity_price_per_kWh=econ.electricity_price_per_kWh,
        electricity_standing_charge_per_day=econ.electricity_standing_charge_per_year / 365.0,
        electricity_escalation=econ.price_escalation,
        maintenance_fraction_of_capital=econ.maintenance_fraction,
        annual_co2_kg=float(em.annual),
        carbon_price_per_t=econ.carbon_price_per_t,
        annual_heat_kWh=heat_kWh,
    )
    return em, life


def objective_values(*, capital: float, em, life, scop: float, lwa: float) -> dict[str, float]:
    """Every objective of :data:`designopt.case.OBJECTIVES` from a design's results."""
    return {
        "capital_cost": capital,
        "net_present_cost": float(life.npc),
        "annualised_cost": float(life.annualised),
        "lcoh": float(life.lcoh),
        "lifetime_co2": float(em.total),
        "scop": scop,
        "sound_power": lwa,
    }


def money_metrics(
    *, charge_kg: float, charge_limit_kg: float, gwp: float, lwa: float, em, life, capital: float
) -> dict[str, float]:
    """The charge, sound, CO2 and cost metrics every source type reports."""
    return {
        "charge_kg": charge_kg,
        "charge_limit_kg": charge_limit_kg,
        "gwp": gwp,
        "sound_power_dBA": lwa,
        "lifetime_co2_kg": float(em.total),
        "co2_direct_kg": float(em.direct),
        "capital_cost": capital,
        "net_present_cost": float(life.npc),
        "annualised_cost": float(life.annualised),
        "lcoh": float(life.lcoh),
    }


def case_receivers(case: Case) -> list:
    """The case's ``[[noise.receivers]]`` as :class:`designopt.noise.Receiver` objects."""
    from designopt import noise

    return [
        noise.Receiver(
            r.name,
            r.distance_m,
            r.reflecting_surfaces,
            r.barrier,
            background_dBA=r.background_dBA,
            method=r.method,
            limit_dBA=r.limit_dBA,
        )
        for r in case.noise.receivers
    ]


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_") or "receiver"


class _CaseEvaluator:
    """Picklable ``params -> Evaluation`` bound to a case, with a small memo: NSGA-II proposes
    the same design again now and then, and ``evaluate`` is pure."""

    def __init__(self, case: Case, memo_size: int = 4096):
        self.case = case
        self.memo_size = memo_size
        self._memo: dict[tuple, Evaluation] = {}

    def __call__(self, params: dict[str, Any]) -> Evaluation:
        key = tuple(sorted((k, repr(v)) for k, v in params.items()))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        ev = evaluate(params, self.case)
        if len(self._memo) >= self.memo_size:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = ev
        return ev


def search_variables(case: Case) -> tuple[Variable, ...]:
    """The case's ``[space]`` as search variables."""
    out = []
    for name, spec in case.space.items():
        info = VARIABLES[name]
        out.append(_variable(name, spec, info))
    return tuple(out)


def _variable(name: str, spec: VariableSpec, info: VariableInfo) -> Variable:
    if info.kind == "categorical":
        return Variable(
            name=name, kind=VariableKind.CATEGORICAL, choices=tuple(spec.choices), unit=info.unit
        )
    kind = VariableKind.INT if (spec.type == "int" or info.kind == "int") else VariableKind.FLOAT
    return Variable(
        name=name,
        kind=kind,
        low=spec.low,
        high=spec.high,
        log=spec.log,
        step=spec.step,
        unit=info.unit,
    )


def build_problem(case: Case) -> Problem:
    """The search problem of ``case``."""
    if not case.space:
        raise ConfigurationError(
            "the case has an empty [space]: give at least one design variable range"
        )
    objectives = tuple(
        Objective(
            name=o,
            direction=Direction(OBJECTIVES[o][0]),
            unit=OBJECTIVES[o][1],
            long_name=OBJECTIVES[o][2],
        )
        for o in case.optimisation.objectives
    )
    constraints = tuple(
        Constraint(name=c, long_name=CONSTRAINTS[c]) for c in case.optimisation.constraints
    )
    units = {k: u for k, (u, _) in METRIC_UNITS.items()}
    longs = {k: n for k, (_, n) in METRIC_UNITS.items()}
    for r in case.noise.receivers:
        units[f"level_{_slug(r.name)}_dBA"] = "dB(A)"
        longs[f"level_{_slug(r.name)}_dBA"] = (
            f"sound pressure level at receiver {r.name!r} ({r.method})"
        )
    for o, (_, unit, long_name) in OBJECTIVES.items():
        units.setdefault(o, unit)
        longs.setdefault(o, long_name)
    return Problem(
        name=case.name,
        variables=search_variables(case),
        objectives=objectives,
        constraints=constraints,
        evaluate=_CaseEvaluator(case),
        metric_units=units,
        metric_long_names=longs,
        fingerprint=case.fingerprint(),
    )

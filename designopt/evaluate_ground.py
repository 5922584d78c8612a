"""Ground-source and hybrid air/ground designs in the design study.

:func:`designopt.evaluate.evaluate` hands ground and hybrid cases to :func:`evaluate_ground`.
One evaluation builds the brine/water heat pump (brazed-plate evaporator) and, for a hybrid, the
air mode of the same twin-source unit (same compressor and condenser, finned coil and fan), their
performance maps, and runs an hourly lifetime simulation of heat pump and borefield with the
source temperature fed back to the COP:

1. hourly year: the EN 14825 synthetic year of the case's climate
   (:func:`designopt.seasonal.weather.en14825_weather`) or the case's EPW file; load line from
   the design heat load (zero at 16 degC), weather-compensated flow temperature of the emitter;
2. hybrid rule: the ground serves the hours colder than the switchover temperature, the air
   coil the others (:func:`designopt.ground.split_hybrid`);
3. operation (vectorised over ``years * 8760`` hours): the map is interpolated bilinearly in
   source and sink temperature at every speed, the speed follows the load, below the minimum
   speed the unit cycles with the EN 14825 degradation (``Cdh = 0.9``), above the maximum speed
   the shortfall is covered by direct electric heating (the EN 14825 convention, as the air
   route); air hours get the defrost factors of :mod:`designopt.seasonal.defrost`;
4. ground load of an hour = heat delivered by the heat pump in ground mode minus its compressor
   electricity (first law around the unit; the brine pump is not counted as heat);
5. mean fluid temperature of the borefield over the lifetime by exact hourly superposition
   (as :func:`designopt.ground.simulate_hourly`: FFT, g-function family cached on disk, its
   spectrum cached in memory); heat-pump
   inlet temperature ``T_f + Q / (2 m cp)``;
6. fixed point: steps 3-5 are repeated with the new inlet temperatures until they change by
   less than ``ground.coupling_tol_K`` (0.05 K default; 3-5 iterations).  The last change is
   reported (``coupling_residual_K``).

A loop that cannot keep the fluid within the limits is *not* an error: the design is recorded
with the ``fluid_temperature`` constraint violated.  ``InfeasibleDesignError`` is raised only if
nothing can be computed (no operating point of the unit at the rating conditions).

See ``docs/ground-study.md`` and the "Ground and hybrid sources" section of
``docs/case-files.md``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from designopt.case import Case, Emitter, SourceType
from designopt.errors import ConfigurationError, InfeasibleDesignError
from designopt.evaluate import METRIC_UNITS, VARIABLES, VariableInfo
from designopt.search.problem import Evaluation
from designopt.units import ZERO_CELSIUS_K

__all__ = [
    "GroundTable",
    "GroundRun",
    "check_ground_case",
    "ground_table",
    "simulate_ground_design",
    "evaluate_ground",
    "fluid_margin_K",
    "required_length",
    "FLUID_SCALE_K",
]

#: Temperature scale of the ``fluid_temperature`` constraint [K]: (limit - extreme) / 10 K.
FLUID_SCALE_K = 10.0
#: Degradation coefficient of on/off cycling below the minimum speed (EN 14825) [1].
CDH = 0.9
#: Default plate-evaporator area of ground/water units when not a design variable [m2].
PLATE_EVAPORATOR_DEFAULT_M2 = 1.5
#: Density of the brine for the pump power [kg/m3] (25 % propylene glycol near 0 degC).
RHO_BRINE = 1030.0

_T_SOURCE_GROUND_DEGC = np.arange(-15.0, 21.1, 3.0)
_T_SINK_GRID_DEGC = np.array([24.0, 30.0, 36.0, 42.0, 48.0, 54.0, 58.0])
_SPEED_POINTS = 5
_HOURS = 8760

_GROUND_ONLY = ("ground", "hybrid")

# ------------------------------------------------------------------------------ registration
VARIABLES.update(
    {
        "borehole_length_m": VariableInfo(
            "float", "m", 100.0, "active length of each borehole", 10.0, 500.0, _GROUND_ONLY
        ),
        "borehole_count": VariableInfo(
            "int",
            "1",
            1,
            "number of boreholes (layouts 'line' and 'compact'; default [ground].n_boreholes)",
            1,
            100,
            _GROUND_ONLY,
        ),
        "switchover_temperature_degC": VariableInfo(
            "float",
            "degC",
            2.0,
            "hybrid switchover outdoor temperature: ground below, air coil above",
            -25.0,
            20.0,
            ("hybrid",),
        ),
        "air_coil_area_m2": VariableInfo(
            "float",
            "m2",
            40.0,
            "finned air coil of the hybrid's air mode (air side)",
            0.5,
            2000.0,
            ("hybrid",),
        ),
    }
)

METRIC_UNITS.update(
    {
        "spf_h1": ("1", "seasonal performance factor SPF_H1 (heat pump only, SEPEMO)"),
        "spf_h2": ("1", "seasonal performance factor SPF_H2 (heat pump + brine pump, SEPEMO)"),
        "spf_h3": ("1", "seasonal performance factor SPF_H3 (+ back-up heating, SEPEMO)"),
        "annual_hp_heat_kWh": ("kWh", "annual heat delivered by the heat pump (lifetime mean)"),
        "annual_ground_heat_kWh": ("kWh", "annual heat extracted from the ground (lifetime mean)"),
        "annual_hp_electricity_kWh": ("kWh", "annual heat-pump electricity (compressor, fan)"),
        "annual_pump_electricity_kWh": ("kWh", "annual brine-pump electricity"),
        "annual_air_heat_kWh": ("kWh", "annual heat delivered in air mode (hybrid)"),
        "ground_heat_share": ("1", "share of the annual heat demand delivered in ground mode"),
        "borehole_total_length_m": ("m", "total drilled active length"),
        "n_boreholes": ("1", "number of boreholes"),
        "t_fluid_min_degC": ("degC", "lowest hourly mean fluid temperature over the lifetime"),
        "t_fluid_max_degC": ("degC", "highest hourly mean fluid temperature over the lifetime"),
        "year_t_fluid_min": ("1", "operating year of the lowest mean fluid temperature"),
        "year_t_fluid_max": ("1", "operating year of the highest mean fluid temperature"),
        "t_inlet_min_degC": ("degC", "lowest hourly heat-pump brine inlet temperature"),
        "fluid_margin_K": ("K", "limit minus extreme of the limited fluid temperature (<= 0: met)"),
        "heat_B0W35_kW": ("kW", "heat output at B0/W35, nominal speed"),
        "cop_B0W35": ("1", "COP at B0/W35, nominal speed"),
        "r_b_star_mK_per_W": ("m K/W", "effective borehole thermal resistance"),
        "t_ground_degC": ("degC", "undisturbed ground temperature over the active length"),
        "coupling_iterations": ("1", "heat pump / borefield fixed-point iterations"),
        "coupling_residual_K": ("K", "last change of the heat-pump inlet temperature"),
        "hours_ground": ("h", "hours per year on the ground"),
        "annual_unmet_by_backup_kWh": (
            "kWh",
            "annual shortfall beyond the installed back-up heater (charged as direct electric)",
        ),
    }
)


# ------------------------------------------------------------------------------ [ground] table
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PipeTable(_Model):
    """U-tube data for the borehole resistance (pygfunction multipole model)."""

    kind: Literal["single_u", "double_u"] = "single_u"
    r_in_m: float = Field(0.0131, gt=0, le=0.1, description="inner pipe radius [m]")
    r_out_m: float = Field(0.016, gt=0, le=0.1, description="outer pipe radius [m]")
    shank_spacing_m: float = Field(0.035, gt=0, le=0.3, description="borehole to pipe centre [m]")
    k_pipe_W_per_mK: float = Field(0.42, gt=0, le=50)
    k_grout_W_per_mK: float = Field(1.5, gt=0, le=10)
    brine_mixer: Literal["MPG", "MEG", "MEA", "MMA"] = "MPG"
    brine_percent: float = Field(25.0, ge=0, le=60, description="antifreeze mass percentage")

    @model_validator(mode="after")
    def _radii(self) -> PipeTable:
        if self.r_in_m >= self.r_out_m:
            raise ValueError(f"r_in_m={self.r_in_m} must be smaller than r_out_m={self.r_out_m}")
        return self


class GroundTable(_Model):
    """The ``[ground]`` table of a ground or hybrid case (see docs/case-files.md)."""

    layout: Literal["line", "rectangle", "compact"] = "line"
    nx: int | None = Field(None, ge=1, le=30, description="rectangle: boreholes along x")
    ny: int | None = Field(None, ge=1, le=30, description="rectangle: boreholes along y")
    n_boreholes: int = Field(
        1, ge=1, le=100, description="line/compact: count unless borehole_count is a variable"
    )
    spacing_m: float = Field(6.0, ge=2.0, le=50.0, description="borehole spacing [m]")
    buried_depth_m: float = Field(1.5, ge=0.0, le=100.0, description="top of the active length")
    borehole_radius_m: float = Field(0.075, ge=0.03, le=0.2)
    conductivity_W_per_mK: float = Field(gt=0, le=10, description="ground conductivity")
    volumetric_heat_capacity_J_per_m3K: float = Field(2.4e6, ge=5e5, le=6e6)
    t_undisturbed_degC: float = Field(ge=-5, le=40, description="undisturbed ground temperature")
    geothermal_gradient_K_per_m: float | None = Field(None, ge=-0.1, le=0.1)
    borehole_resistance_mK_per_W: float | None = Field(None, gt=0, le=1.0)
    pipe: PipeTable | None = None
    brine_cp_J_per_kgK: float = Field(3800.0, ge=2500, le=4300)
    limit_reference: Literal["mean_fluid", "heat_pump_inlet"] = "mean_fluid"
    t_min_degC: float = Field(0.0, ge=-20, le=20, description="lowest allowed fluid temperature")
    t_max_degC: float = Field(30.0, ge=0, le=60, description="highest allowed fluid temperature")
    years: int = Field(20, ge=1, le=50, description="simulated operating years")
    brine_pump_head_kPa: float = Field(40.0, ge=0, le=500)
    brine_pump_efficiency: float = Field(0.25, ge=0.05, le=0.9)
    coupling_tol_K: float = Field(0.05, ge=1e-4, le=1.0)
    coupling_max_iter: int = Field(12, ge=1, le=100)

    @model_validator(mode="after")
    def _check(self) -> GroundTable:
        if self.layout == "rectangle":
            if self.nx is None or self.ny is None:
                raise ValueError(
                    f"layout='rectangle' needs nx and ny, got nx={self.nx}, ny={self.ny}"
                )
        elif self.nx is not None or self.ny is not None:
            raise ValueError(
                f"nx/ny are for layout='rectangle'; layout={self.layout!r} uses n_boreholes "
                "(or the design variable borehole_count)"
            )
        if (self.borehole_resistance_mK_per_W is None) == (self.pipe is None):
            raise ValueError(
                "give exactly one of borehole_resistance_mK_per_W (e.g. 0.1) or a [ground.pipe] "
                "table"
            )
        if self.t_min_degC >= self.t_max_degC:
            raise ValueError(
                f"t_min_degC={self.t_min_degC} must be below t_max_degC={self.t_max_degC}"
            )
        if self.pipe is not None and self.pipe.shank_spacing_m + self.pipe.r_out_m > (
            self.borehole_radius_m
        ):
            raise ValueError(
                f"pipes do not fit: pipe.shank_spacing_m + pipe.r_out_m = "
                f"{self.pipe.shank_spacing_m + self.pipe.r_out_m:.4f} m exceeds "
                f"borehole_radius_m={self.borehole_radius_m}"
            )
        return self


def _format(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        where = f"ground.{loc}" if loc else "ground"
        msg = "is not a known field" if err["type"] == "extra_forbidden" else err["msg"]
        if err["type"] == "missing":
            parts.append(f"{where}: missing (required for a ground or hybrid source)")
            continue
        value = err.get("input")
        shown = "{...}" if isinstance(value, dict) else repr(value)
        parts.append(f"{where}={shown}: {msg}" if loc else f"{where}: {msg}")
    return "invalid [ground] table: " + "; ".join(parts)


@functools.lru_cache(maxsize=64)
def _ground_table_cached(key: str) -> GroundTable:
    import json

    try:
        return GroundTable.model_validate(json.loads(key))
    except ValidationError as exc:
        raise ConfigurationError(_format(exc)) from None


def ground_table(case: Case) -> GroundTable:
    """The validated ``[ground]`` table of ``case``; ConfigurationError naming field and value."""
    import json

    return _ground_table_cached(json.dumps(case.ground, sort_keys=True, default=str))


def check_ground_case(case: Case) -> None:
    """Checks of a ground or hybrid case beyond the variable names (called by
    :func:`designopt.evaluate.check_case`)."""
    src = case.source.type
    if src not in (SourceType.GROUND, SourceType.HYBRID):
        raise ConfigurationError(
            f"check_ground_case needs source.type 'ground' or 'hybrid', got {src.value!r}"
        )
    if not case.ground:
        raise ConfigurationError(
            f"source.type={src.value!r} needs a [ground] table with at least "
            "conductivity_W_per_mK, t_undisturbed_degC and borehole_resistance_mK_per_W "
            "(or [ground.pipe]); see docs/case-files.md, 'Ground and hybrid sources'"
        )
    table = ground_table(case)
    for where, names in (("space", case.space), ("fixed", case.fixed)):
        if "borehole_count" in names and table.layout == "rectangle":
            raise ConfigurationError(
                f"{where}.borehole_count needs [ground] layout 'line' or 'compact'; "
                f"layout='rectangle' fixes the count to nx*ny={table.nx * table.ny}"
            )
    if case.noise.quiet_mode_dBA is not None:
        raise ConfigurationError(
            f"noise.quiet_mode_dBA={case.noise.quiet_mode_dBA} is not modelled for "
            f"source.type={src.value!r} (the hourly ground study has no night speed cap); "
            "remove it (quiet mode is available for source.type='air')"
        )
    if src is SourceType.GROUND:
        if case.noise.receivers or "noise" in case.optimisation.constraints:
            raise ConfigurationError(
                "constraint 'noise' and [[noise.receivers]] do not apply to source.type='ground' "
                "(the unit stands indoors, no outdoor fan); remove them, or use 'hybrid'"
            )
    if case.site.weather_file is not None:
        path = weather_path(case)
        if not path.is_file():
            raise ConfigurationError(
                f"site.weather_file={case.site.weather_file!r} does not exist (looked for {path})"
            )
        _case_year(case)  # reads and checks the year (cached for the evaluations)


# ------------------------------------------------------------------------------ helpers
from designopt.evaluate import UNMET_TOLERANCE, weather_path  # noqa: E402  (shared rules)


@functools.lru_cache(maxsize=8)
def _year(
    climate: str, weather_file: str | None, load_W: float, t_design_K: float, emitter: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(t_air [K], rh [1], demand [W], flow temperature [K]) of the hourly year."""
    from designopt.seasonal.building import HeatingCurve, HeatLoadLine

    if weather_file is None:
        from designopt.seasonal.weather import en14825_weather

        ds = en14825_weather(climate)
    else:
        from designopt.io.epw import read_epw

        ds = read_epw(weather_file)
    t_air = np.asarray(ds["t_air"].values, float)
    if t_air.size != _HOURS:
        raise ConfigurationError(
            f"site.weather_file={weather_file!r} has {t_air.size} hours; the ground study needs "
            "a whole year of 8760 hours (no leap day)"
        )
    rh = np.asarray(ds["rh"].values, float) if "rh" in ds else np.full(_HOURS, 0.85)
    line = HeatLoadLine(design_load_W=load_W, t_design_K=t_design_K)
    demand = line.load_W(t_air)
    if emitter == Emitter.UNDERFLOOR.value:
        curve = HeatingCurve.underfloor()
    else:
        curve = HeatingCurve.radiator()
    flow = curve.flow_temperature_K(demand / load_W)
    for a in (t_air, rh, demand, flow):
        a.setflags(write=False)
    return t_air, rh, demand, flow


def _case_year(case: Case):
    wf = None if case.site.weather_file is None else str(weather_path(case))
    return _year(
        case.site.climate.value,
        wf,
        case.building.design_heat_load_kW * 1e3,
        case.design_temperature_degC + ZERO_CELSIUS_K,
        case.building.emitter.value,
    )


def _resolve(design: dict[str, Any], case: Case, table: GroundTable) -> dict[str, Any]:
    from designopt.evaluate import check_design, resolve

    check_design(design, case)
    values = resolve(design, case)
    given = set(design) | set(case.fixed)
    if "evaporator_area_m2" not in given:
        values["evaporator_area_m2"] = PLATE_EVAPORATOR_DEFAULT_M2
    if "borehole_count" not in given:
        values["borehole_count"] = (
            table.nx * table.ny if table.layout == "rectangle" else table.n_boreholes
        )
    return values


def _compressor(values):
    from designopt.cycle import Compressor

    return Compressor(
        swept_volume_m3=float(values["swept_volume_cm3"]) * 1e-6,
        nominal_speed_hz=float(values["nominal_speed_Hz"]),
        speed_min=float(values["speed_min"]),
        speed_max=float(values["speed_max"]),
    )


def ground_heat_pump_design(values: dict[str, Any], table: GroundTable):
    """The brine-to-water :class:`~designopt.cycle.HeatPumpDesign` of resolved values
    (``evaporator_area_m2`` is the plate evaporator)."""
    from designopt.cycle import HeatExchanger, HeatPumpDesign, HXKind

    return HeatPumpDesign(
        refrigerant=str(values["refrigerant"]),
        source_type="ground",
        evaporator=HeatExchanger(
            kind=HXKind.BRAZED_PLATE, area_m2=float(values["evaporator_area_m2"])
        ),
        condenser=HeatExchanger(
            kind=HXKind.BRAZED_PLATE, area_m2=float(values["condenser_area_m2"])
        ),
        compressor=_compressor(values),
        superheat_K=float(values["superheat_K"]),
        subcool_K=float(values["subcool_K"]),
        sink_delta_T_K=5.0,
        source_flow_kg_s=float(values["source_flow_kg_s"]),
        source_cp_J_kgK=table.brine_cp_J_per_kgK,
    )


def air_mode_design(values: dict[str, Any]):
    """The air mode of a hybrid twin-source unit: same compressor, condenser and set points,
    finned coil of ``air_coil_area_m2`` and its fan."""
    from designopt.cycle import Fan, HeatExchanger, HeatPumpDesign, HXKind

    area = float(values["air_coil_area_m2"])
    return HeatPumpDesign(
        refrigerant=str(values["refrigerant"]),
        source_type="air",
        evaporator=HeatExchanger(kind=HXKind.FINNED_COIL, area_m2=area),
        condenser=HeatExchanger(
            kind=HXKind.BRAZED_PLATE, area_m2=float(values["condenser_area_m2"])
        ),
        compressor=_compressor(values),
        fan=Fan(
            air_flow_m3_s=area * float(values["air_flow_per_area_m3_s_m2"]),
            diameter_m=float(values["fan_diameter_m"]),
        ),
        superheat_K=float(values["superheat_K"]),
        subcool_K=float(values["subcool_K"]),
        sink_delta_T_K=5.0,
    )


def _maps(hp, t_source_degC: np.ndarray):
    from designopt.cycle import performance_map
    from designopt.seasonal.hourly import prepare_map

    c = hp.compressor
    speed = np.linspace(c.speed_min, c.speed_max, _SPEED_POINTS)
    pmap = performance_map(
        hp, t_source_degC + ZERO_CELSIUS_K, _T_SINK_GRID_DEGC + ZERO_CELSIUS_K, speed
    )
    return pmap, prepare_map(pmap)


def _at(pmap, var: str, t_source_K: float, t_sink_K: float, speed: float | None = None) -> float:
    """``var`` at one point (bilinear in temperatures; highest running speed if ``speed`` is
    None, else linear in speed); NaN outside the envelope."""
    from designopt.evaluate import _at_speeds

    v = _at_speeds(pmap, var, t_source_K, t_sink_K)
    if speed is None:
        ok = np.flatnonzero(np.isfinite(v))
        return float(v[ok[-1]]) if ok.size else math.nan
    return float(np.interp(speed, pmap["speed"].values, v, left=np.nan, right=np.nan))


def _operate(pm, demand, t_source, t_sink, cap_factor=None, pow_factor=None):
    """Meet ``demand`` [W] hour by hour with the prepared map ``pm``.

    Returns heat delivered [W], electricity [W] (compressor and fan, cycling degradation
    included) and the running fraction [1].  Hours outside the envelope: the unit is off.
    """
    heat, power, valid, _, _ = pm.interpolate(t_source, t_sink)
    if cap_factor is not None:
        heat = heat * cap_factor[:, None]
        power = power * pow_factor[:, None]
    heat = np.where(valid[:, None], heat, 0.0)
    power = np.where(valid[:, None], power, 0.0)
    n, s = heat.shape
    rows = np.arange(n)
    hs = np.maximum.accumulate(heat, axis=1)
    k = np.clip((hs < demand[:, None]).sum(axis=1), 1, s - 1)
    h0, h1 = hs[rows, k - 1], hs[rows, k]
    p0, p1 = power[rows, k - 1], power[rows, k]
    dh = np.where(h1 > h0, h1 - h0, 1.0)
    w = np.clip(np.where(h1 > h0, (demand - h0) / dh, 1.0), 0.0, 1.0)
    h_min, h_max = heat[:, 0], hs[:, -1]
    cycling = demand < h_min
    cr = np.where(cycling, demand / np.where(h_min > 0, h_min, 1.0), 1.0)
    q = np.where(valid, np.minimum(demand, h_max), 0.0)
    p = np.where(
        cycling,
        power[:, 0] * (CDH * cr + 1.0 - CDH),
        np.where(demand > h_max, power[rows, np.argmax(hs, axis=1)], p0 + w * (p1 - p0)),
    )
    p = np.where(valid & (demand > 0), p, 0.0)
    run = np.where(valid & (demand > 0), cr, 0.0)
    return q, p, run


def _layout(table: GroundTable, count: int, H: float):
    from designopt.ground import Borefield

    common = dict(H=H, D=table.buried_depth_m, r_b=table.borehole_radius_m)
    if table.layout == "rectangle":
        return Borefield.rectangle(nx=table.nx, ny=table.ny, spacing=table.spacing_m, **common)
    if table.layout == "line" or count == 1:
        return Borefield.line(n=count, spacing=table.spacing_m, **common)
    nx = math.ceil(math.sqrt(count))
    xy = [((i % nx) * table.spacing_m, (i // nx) * table.spacing_m) for i in range(count)]
    return Borefield.from_coordinates(coordinates=xy, **common)


@functools.lru_cache(maxsize=16)
def _fluid(mixer: str, percent: float):
    from designopt.ground import Fluid

    return Fluid.water_glycol(mixer=mixer, percent=percent, t_K=273.15)


def _resistance(table: GroundTable, m_flow_total: float, n: int):
    if table.pipe is None:
        return float(table.borehole_resistance_mK_per_W)
    from designopt.ground import BoreholeHeatExchanger, PipeKind

    p = table.pipe
    return BoreholeHeatExchanger(
        kind=PipeKind(p.kind),
        r_in=p.r_in_m,
        r_out=p.r_out_m,
        shank_spacing=p.shank_spacing_m,
        k_pipe=p.k_pipe_W_per_mK,
        k_grout=p.k_grout_W_per_mK,
        fluid=_fluid(p.brine_mixer, p.brine_percent),
        m_flow_borehole=m_flow_total / n,
    )


@functools.lru_cache(maxsize=8)
def _g_spectrum(borefield, alpha: float, years: int) -> tuple[int, np.ndarray]:
    """FFT length and real spectrum of the field's g-function at the end of every hour of the
    lifetime (cached: the coupling passes and designs of equal length share it)."""
    from scipy import fft

    from designopt.ground import family_for

    nt = _HOURS * years
    t_end = 3600.0 * np.arange(1, nt + 1)
    g = family_for(borefield).at_times(borefield.H, t_end, alpha)
    m = fft.next_fast_len(2 * nt - 1, real=True)
    spec = fft.rfft(g, m)
    spec.setflags(write=False)
    return m, spec


def _mean_fluid(net: np.ndarray, *, spectrum, borefield, ground, r_b_star: float) -> np.ndarray:
    """Hourly mean fluid temperature [K] under the lifetime net extraction ``net`` [W]: the
    superposition of :func:`designopt.ground.simulate_hourly` (Eskilson's step response, FFT
    convolution) with the cached g spectrum; the tests check it against that function."""
    from scipy import fft

    m, spec = spectrum
    nh = borefield.n_boreholes * borefield.H
    resp = fft.irfft(fft.rfft(np.diff(net, prepend=0.0), m) * spec, m)[: net.size]
    t_wall = ground.t_ground(H=borefield.H, D=borefield.D) - resp / (
        2.0 * math.pi * ground.conductivity * nh
    )
    return t_wall - net / nh * r_b_star


# ------------------------------------------------------------------------------ simulation
@dataclass(frozen=True, kw_only=True, eq=False)
class GroundRun:
    """Hourly lifetime simulation of one ground/hybrid design (arrays over ``years * 8760`` h).

    Attributes
    ----------
    demand, heat_hp, electric_hp, pump, ground_load, backup : array [W]
        Heat demand, heat delivered by the heat pump (both modes), heat-pump electricity
        (compressor and fan), brine-pump electricity, net ground extraction (ground mode:
        ``heat_hp - electric_hp``), shortfall covered electrically.
    on_ground : array bool  hours served in ground mode.
    t_fluid, t_inlet : array [K]  mean fluid and heat-pump brine inlet temperature.
    t_air, t_flow : array [K]  outdoor air and supply (flow) water temperature.
    years : int; iterations : int; residual_K : float  last fixed-point change [K].
    borefield, ground, r_b_star, t_ground : the field, ground, resistance [m K/W], T_g [K].
    pmap_ground, pmap_air : performance maps (air None unless hybrid).
    values : dict  resolved design values.
    """

    demand: np.ndarray
    heat_hp: np.ndarray
    electric_hp: np.ndarray
    pump: np.ndarray
    ground_load: np.ndarray
    backup: np.ndarray
    on_ground: np.ndarray
    t_fluid: np.ndarray
    t_inlet: np.ndarray
    t_air: np.ndarray
    t_flow: np.ndarray
    years: int
    iterations: int
    residual_K: float
    borefield: Any
    ground: Any
    r_b_star: float
    t_ground: float
    pmap_ground: Any
    pmap_air: Any
    values: dict

    def annual(self, a: np.ndarray) -> np.ndarray:
        """Yearly sums [J] of an hourly power series [W]."""
        return a.reshape(self.years, _HOURS).sum(axis=1) * 3600.0


def simulate_ground_design(design: dict[str, Any], case: Case, *, max_iter: int | None = None):
    """Hourly lifetime simulation of heat pump + borefield of ``design`` (see module docstring).

    ``max_iter=1`` gives the one-pass approximation (COP at the undisturbed ground
    temperature, no feedback) used to measure the coupling error.
    """
    from designopt.ground import Ground, borehole_resistance
    from designopt.seasonal.defrost import defrost_factors

    table = ground_table(case)
    values = _resolve(design, case, table)
    years = table.years
    t_air, rh, demand1, flow1 = _case_year(case)
    hybrid = case.source.type is SourceType.HYBRID

    hp_g = ground_heat_pump_design(values, table)
    pmap_g, pm_g = _maps(hp_g, _T_SOURCE_GROUND_DEGC)
    m_flow = hp_g.source_flow_kg_s
    cp = table.brine_cp_J_per_kgK

    if hybrid:
        t_sw = float(values["switchover_temperature_degC"]) + ZERO_CELSIUS_K
        on_ground1 = t_air < t_sw
    else:
        on_ground1 = np.ones(_HOURS, bool)
    ground_dem1 = np.where(on_ground1, demand1, 0.0)

    # air mode: independent of the borefield, one year
    q_air1 = np.zeros(_HOURS)
    e_air1 = np.zeros(_HOURS)
    pmap_a = None
    if hybrid:
        hp_a = air_mode_design(values)
        t_lo = math.floor(min(float(t_air.min()), case.design_temperature_degC + ZERO_CELSIUS_K))
        grid = np.arange(t_lo - ZERO_CELSIUS_K - 2.0, 18.1, 3.0)
        pmap_a, pm_a = _maps(hp_a, grid)
        idx = np.flatnonzero(~on_ground1 & (demand1 > 0))
        if idx.size:
            cf, pf = defrost_factors(t_air[idx], rh[idx])
            q, e, _ = _operate(
                pm_a,
                demand1[idx],
                t_air[idx],
                flow1[idx],
                np.broadcast_to(np.asarray(cf, float), idx.shape),
                np.broadcast_to(np.asarray(pf, float), idx.shape),
            )
            q_air1[idx], e_air1[idx] = q, e

    count = int(values["borehole_count"])
    H = float(values["borehole_length_m"])
    bf = _layout(table, count, H)
    ground = Ground(
        conductivity=table.conductivity_W_per_mK,
        volumetric_heat_capacity=table.volumetric_heat_capacity_J_per_m3K,
        t_undisturbed=table.t_undisturbed_degC + ZERO_CELSIUS_K,
        geothermal_gradient=table.geothermal_gradient_K_per_m,
    )
    rb = borehole_resistance(
        _resistance(table, m_flow, bf.n_boreholes), borefield=bf, ground=ground
    )
    spectrum = _g_spectrum(bf, ground.diffusivity, years)
    tg = ground.t_ground(H=bf.H, D=bf.D)

    n = _HOURS * years
    demand_L = np.tile(ground_dem1, years)
    flow_L = np.tile(flow1, years)
    idx = np.flatnonzero(demand_L > 0)
    t_inlet = np.full(n, tg)
    mc2 = 2.0 * m_flow * cp
    iters = max_iter if max_iter is not None else table.coupling_max_iter
    change = math.inf
    q_g = np.zeros(n)
    e_g = np.zeros(n)
    run_g = np.zeros(n)
    iterations = 0
    t_floor = pm_g.t_source[0]
    relax = 1.0
    for it in range(1, iters + 1):
        iterations = it
        # inlet colder than the map: operated at the map's coldest source (more extraction
        # than the real unit: conservative for the fluid limit, and no on/off flip-flop)
        q, e, run = _operate(pm_g, demand_L[idx], np.maximum(t_inlet[idx], t_floor), flow_L[idx])
        q_g[idx], e_g[idx], run_g[idx] = q, e, run
        net = q_g - e_g
        t_fluid = _mean_fluid(net, spectrum=spectrum, borefield=bf, ground=ground, r_b_star=rb)
        new = t_fluid + net / mc2
        last, change = change, float(np.max(np.abs(new - t_inlet)))
        if change > last:  # not contracting: under-relax
            relax = max(0.25, 0.5 * relax)
        t_inlet = t_inlet + relax * (new - t_inlet) if it > 1 else new
        if change < table.coupling_tol_K:
            t_inlet = new
            break

    # brine pump: runs with the compressor in ground mode
    pump_W = m_flow / RHO_BRINE * table.brine_pump_head_kPa * 1e3 / table.brine_pump_efficiency
    on_ground = np.tile(on_ground1, years)
    heat_hp = q_g + np.tile(q_air1, years)
    elec_hp = e_g + np.tile(e_air1, years)
    demand = np.tile(demand1, years)
    return GroundRun(
        demand=demand,
        heat_hp=heat_hp,
        electric_hp=elec_hp,
        pump=pump_W * run_g,
        ground_load=net,
        backup=np.clip(demand - heat_hp, 0.0, None),
        on_ground=on_ground,
        t_fluid=t_fluid,
        t_inlet=t_inlet,
        t_air=np.tile(t_air, years),
        t_flow=np.tile(flow1, years),
        years=years,
        iterations=iterations,
        residual_K=change,
        borefield=bf,
        ground=ground,
        r_b_star=float(rb),
        t_ground=float(tg),
        pmap_ground=pmap_g,
        pmap_air=pmap_a,
        values=values,
    )


def fluid_margin_K(run: GroundRun, table: GroundTable) -> float:
    """Worst excess of the limited fluid temperature over its limits [K] (<= 0: met): the
    larger of ``t_min - min(T)`` and ``max(T) - t_max``, with ``T`` the hourly mean fluid or
    heat-pump inlet temperature over the whole simulated lifetime."""
    limited = run.t_fluid if table.limit_reference == "mean_fluid" else run.t_inlet
    t_lo = table.t_min_degC + ZERO_CELSIUS_K
    t_hi = table.t_max_degC + ZERO_CELSIUS_K
    return max(t_lo - float(limited.min()), float(limited.max()) - t_hi)


def required_length(
    design: dict[str, Any],
    case: Case,
    *,
    H_min: float = 10.0,
    H_max: float = 500.0,
    xtol_m: float = 0.1,
    max_iter: int | None = None,
) -> float:
    """Shortest ``borehole_length_m`` [m] at which ``design`` (other values as given) keeps the
    fluid within the ``[ground]`` limits, with the coupled simulation (Brent's method on
    :func:`fluid_margin_K`, which falls with the length).

    ``max_iter=1``: the one-pass approximation (to measure the coupling error).
    Returns ``H_min`` if even that meets the limits; raises
    :class:`~designopt.errors.InfeasibleDesignError` if ``H_max`` does not.
    """
    from scipy.optimize import brentq

    table = ground_table(case)

    def margin(H: float) -> float:
        return fluid_margin_K(
            simulate_ground_design({**design, "borehole_length_m": H}, case, max_iter=max_iter),
            table,
        )

    hi = margin(H_max)
    if hi > 0:
        raise InfeasibleDesignError(
            f"even borehole_length_m={H_max} m misses the fluid limit by {hi:.2f} K"
        )
    if margin(H_min) <= 0:
        return H_min
    return float(brentq(margin, H_min, H_max, xtol=xtol_m))


# ------------------------------------------------------------------------------ evaluation
def evaluate_ground(design: dict[str, Any], case: Case) -> Evaluation:
    """Evaluate one design of a ground or hybrid ``case``: objectives (same catalogue as the
    air route), scaled constraints (met when <= 0, incl. ``fluid_temperature``) and metrics.

    Raises :class:`~designopt.errors.InfeasibleDesignError` only when the unit has no operating
    point at the rating conditions (nothing can be computed).
    """
    from designopt import economics, noise, refrigerants
    from designopt.evaluate import (
        charge_limits,
        lifetime_money,
        money_metrics,
        objective_values,
        rating_compressor_power,
        saturated_densities,
    )

    table = ground_table(case)
    run = simulate_ground_design(design, case)
    values = run.values
    hybrid = case.source.type is SourceType.HYBRID
    pg, pa = run.pmap_ground, run.pmap_air
    b0, w35 = ZERO_CELSIUS_K, ZERO_CELSIUS_K + 35.0
    t_flow_K = case.flow_temperature_degC + ZERO_CELSIUS_K
    t_design_K = case.design_temperature_degC + ZERO_CELSIUS_K
    load_W = case.building.design_heat_load_kW * 1e3

    heat_b0 = _at(pg, "heat_output", b0, w35, 1.0)
    cop_b0 = _at(pg, "cop", b0, w35, 1.0)
    t_evap = _at(pg, "t_evap", b0, w35, 1.0)
    t_cond = _at(pg, "t_cond", b0, w35, 1.0)
    comp_max_g = rating_compressor_power(pg, b0)
    if not all(math.isfinite(x) for x in (heat_b0, cop_b0, t_evap, t_cond, comp_max_g)):
        raise InfeasibleDesignError(
            "the ground unit has no operating point inside its envelope at B0/W35 (nominal "
            "speed): nothing can be evaluated"
        )
    # capacity at the design temperature: the mode that runs there, highest running speed
    if hybrid and t_design_K >= float(values["switchover_temperature_degC"]) + ZERO_CELSIUS_K:
        cap = _at(pa, "heat_output", t_design_K, t_flow_K)
    else:
        cap = _at(pg, "heat_output", b0, t_flow_K)
    cap = cap if math.isfinite(cap) else 0.0

    ref = refrigerants.get(str(values["refrigerant"]))

    dens = saturated_densities(
        ref, t_evap_K=t_evap, t_cond_K=t_cond, t_discharge_K=_at(pg, "t_discharge", b0, w35, 1.0)
    )
    plate = float(values["evaporator_area_m2"])
    cond = float(values["condenser_area_m2"])
    charge_kg = float(
        economics.refrigerant_charge(
            evaporator_area_m2=plate,
            condenser_area_m2=cond,
            evaporator_type="brazed_plate",
            **dens,
        ).total
    )
    if hybrid:  # twin source: the air coil holds refrigerant too
        charge_kg += float(
            economics.refrigerant_charge(
                evaporator_area_m2=float(values["air_coil_area_m2"]),
                condenser_area_m2=cond,
                **dens,
            ).evaporator
        )
    # as the air route; give policy.room_area_m2 for a ground unit in a plant room
    limit, user_cap = charge_limits(case, ref)
    charge_limit_kg = min(limit, user_cap)

    bf = run.borefield
    backup_W = float(values["backup_kW"]) * 1e3
    econ = case.economics
    hp_g = ground_heat_pump_design(values, table)
    common = dict(
        compressor_displacement_m3_s=hp_g.compressor.displacement_m3_s,
        condenser_area_m2=cond,
        refrigerant_charge_kg=charge_kg,
        refrigerant=ref.name,
        heat_output_W=heat_b0,
        backup_heater_W=backup_W,
        borehole_length_m=bf.H,
        n_boreholes=bf.n_boreholes,
        subsidy_fixed=econ.capital_subsidy,
        target_year=econ.cost_base_year,
    )
    if hybrid:
        cap_cost = economics.capital_cost(
            evaporator_area_m2=float(values["air_coil_area_m2"]),
            fan_diameter_m=float(values["fan_diameter_m"]),
            **common,
        )
        plate_cost = float(
            economics.capital_cost(
                evaporator_area_m2=plate,
                evaporator_type="brazed_plate",
                include_installation=False,
                target_year=econ.cost_base_year,
            ).items["evaporator"]
        )
    else:
        cap_cost = economics.capital_cost(
            evaporator_area_m2=plate, evaporator_type="brazed_plate", **common
        )
        plate_cost = 0.0
    capital = float(cap_cost.total) + plate_cost

    Y = run.years
    J = 3.6e6 * Y  # lifetime J -> annual kWh
    heat_kWh = float(run.demand.sum()) * 3600.0 / J
    hp_heat_kWh = float(run.heat_hp.sum()) * 3600.0 / J
    hp_elec_kWh = float(run.electric_hp.sum()) * 3600.0 / J
    pump_kWh = float(run.pump.sum()) * 3600.0 / J
    backup_kWh = float(run.backup.sum()) * 3600.0 / J
    elec_kWh = hp_elec_kWh + pump_kWh + backup_kWh
    ground_kWh = float(run.ground_load.sum()) * 3600.0 / J
    ground_mode_heat = float((run.heat_hp * run.on_ground).sum()) * 3600.0 / J
    installed_short = np.clip(run.backup - backup_W, 0.0, None)

    em, life = lifetime_money(
        case,
        capital=capital,
        electricity_kWh=elec_kWh,
        heat_kWh=heat_kWh,
        charge_kg=charge_kg,
        gwp=ref.gwp100,
    )
    if hybrid:
        comp_max_a = rating_compressor_power(pa, ZERO_CELSIUS_K + 7.0)
        if not math.isfinite(comp_max_a):
            raise InfeasibleDesignError(
                "the hybrid's air mode has no operating point at A7: nothing can be evaluated"
            )
        hp_a = air_mode_design(values)
        lwa = float(
            noise.outdoor_unit_sound_power(
                volume_flow_m3_s=hp_a.fan.air_flow_m3_s,
                compressor_power_W=comp_max_a,
                fan_diameter_m=hp_a.fan.diameter_m,
                compressor_type=str(values["compressor_type"]),
            )["total"]
        )
    else:  # indoor unit: compressor noise radiated through the casing, B0/W55 max speed
        lwa = float(
            noise.compressor_sound_power(
                power_W=comp_max_g, compressor_type=str(values["compressor_type"])
            )
        )

    # fluid temperatures and the limit
    years_of = (np.arange(run.t_fluid.size) // _HOURS) + 1
    i_min, i_max = int(np.argmin(run.t_fluid)), int(np.argmax(run.t_fluid))
    margin = fluid_margin_K(run, table)

    spf_h1 = hp_heat_kWh / max(hp_elec_kWh, 1e-9)
    spf_h2 = hp_heat_kWh / max(hp_elec_kWh + pump_kWh, 1e-9)
    spf_h3 = (hp_heat_kWh + backup_kWh) / max(elec_kWh, 1e-9)

    objectives = objective_values(capital=capital, em=em, life=life, scop=spf_h3, lwa=lwa)
    metrics: dict[str, Any] = {
        "scop": spf_h3,
        "spf_h1": spf_h1,
        "spf_h2": spf_h2,
        "spf_h3": spf_h3,
        "capacity_design_kW": cap / 1e3,
        "heat_B0W35_kW": heat_b0 / 1e3,
        "cop_B0W35": cop_b0,
        "annual_heat_kWh": heat_kWh,
        "annual_electricity_kWh": elec_kWh,
        "annual_backup_kWh": backup_kWh,
        "annual_unmet_by_backup_kWh": float(installed_short.sum()) * 3600.0 / J,
        "annual_hp_heat_kWh": hp_heat_kWh,
        "annual_hp_electricity_kWh": hp_elec_kWh,
        "annual_pump_electricity_kWh": pump_kWh,
        "annual_ground_heat_kWh": ground_kWh,
        "ground_heat_share": ground_mode_heat / max(heat_kWh, 1e-9),
        "hours_ground": float(np.count_nonzero(run.on_ground & (run.demand > 0))) / Y,
        "borehole_total_length_m": bf.total_length,
        "n_boreholes": bf.n_boreholes,
        "t_fluid_min_degC": float(run.t_fluid[i_min]) - ZERO_CELSIUS_K,
        "year_t_fluid_min": int(years_of[i_min]),
        "t_fluid_max_degC": float(run.t_fluid[i_max]) - ZERO_CELSIUS_K,
        "year_t_fluid_max": int(years_of[i_max]),
        "t_inlet_min_degC": float(run.t_inlet.min()) - ZERO_CELSIUS_K,
        "fluid_margin_K": margin,
        "r_b_star_mK_per_W": run.r_b_star,
        "t_ground_degC": run.t_ground - ZERO_CELSIUS_K,
        "coupling_iterations": run.iterations,
        "coupling_residual_K": run.residual_K,
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
    if hybrid:
        metrics["annual_air_heat_kWh"] = hp_heat_kWh - ground_mode_heat
    for item, value in cap_cost.items.items():
        metrics[f"capex_{item}"] = float(value) + (plate_cost if item == "evaporator" else 0.0)

    cons = case.optimisation.constraints
    constraints: dict[str, float] = {}
    if hybrid and case.noise.receivers:
        from designopt.evaluate import _slug, case_receivers

        receivers = case_receivers(case)
        na = noise.receiver_levels(lwa, receivers)
        for i, r in enumerate(case.noise.receivers):
            metrics[f"level_{_slug(r.name)}_dBA"] = float(na.level_dBA[..., i])
        metrics["noise_margin_dB"] = float(na.constraint)
        if "noise" in cons:
            constraints["noise"] = float(na.scaled_constraint())
    if "capacity" in cons:
        constraints["capacity"] = (load_W - (cap + backup_W)) / load_W
    if "charge" in cons:
        constraints["charge"] = float(
            economics.charge_constraint(charge_kg, limit, user_cap_kg=user_cap, scaled=True)
        )
    if "gwp" in cons:
        constraints["gwp"] = float(
            economics.gwp_cap_constraint(ref.gwp100, case.policy.gwp_cap, scaled=True)
        )
    if "fluid_temperature" in cons:
        constraints["fluid_temperature"] = margin / FLUID_SCALE_K
    if "unmet_load" in cons:  # beyond heat pump + installed back-up, scaled by the 0.1 % allowed
        unmet_share = metrics["annual_unmet_by_backup_kWh"] / max(heat_kWh, 1e-9)
        constraints["unmet_load"] = (unmet_share - UNMET_TOLERANCE) / UNMET_TOLERANCE
    return Evaluation(
        objectives={k: objectives[k] for k in case.optimisation.objectives},
        constraints=constraints,
        metrics=metrics,
    )

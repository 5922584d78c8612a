"""Ground and hybrid sources: the heat pump and its borefield over the lifetime, hour by hour.

One assessment builds the brine/water heat pump (brazed-plate evaporator) and, for a hybrid, the
air mode of the same twin-source unit (same compressor and condenser, finned coil and fan), their
performance maps, and runs an hourly lifetime simulation of heat pump and borefield with the
source temperature fed back to the COP:

1. hourly year: the EN 14825 synthetic year of the case's climate
   (:func:`designopt.seasonal.weather.en14825_weather`) or the case's EPW file; load line from
   the design heat load (zero at 16 degC), weather-compensated flow temperature of the emitter;
2. hybrid rule: the ground serves the hours colder than the switchover temperature, the air
   coil the others;
3. operation (vectorised over ``years * 8760`` hours): the map is interpolated bilinearly in
   source and sink temperature at every speed, the speed follows the load, below the minimum
   speed the unit cycles with the EN 14825 degradation (``Cdh = 0.9``), above the maximum speed
   the shortfall is covered by direct electric heating (the EN 14825 convention, as the air
   route); air hours get the defrost factors of :mod:`designopt.seasonal.defrost`;
4. ground load of an hour = heat delivered by the heat pump in ground mode minus its compressor
   electricity (first law around the unit; the brine pump is not counted as heat);
5. mean fluid temperature of the borefield over the lifetime by exact hourly superposition
   (as :func:`designopt.ground.simulate_hourly`: FFT, g-function family cached on disk, its
   spectrum cached in memory); heat-pump inlet temperature ``T_f + Q / (2 m cp)``;
6. fixed point (:func:`designopt.ground.coupling.solve_source_temperature`, the one of the
   package): steps 3-5 are repeated with the new inlet temperatures until they change by less
   than ``ground.coupling_tol_K`` (0.05 K default; 3-5 iterations for fields that are not
   undersized), the operation relaxed hour by hour where the inlet sits at the edge of the
   unit's envelope.  The last change is reported (``coupling_residual_K``); no convergence in
   ``ground.coupling_max_iter`` passes raises ``ConvergenceError``.

A loop that cannot keep the fluid within the limits is *not* an error: the design is recorded
with the ``fluid_temperature`` constraint violated.  ``InfeasibleDesignError`` is raised only if
nothing can be computed (no operating point of the unit at the rating conditions, checked
before the lifetime is simulated).

See ``docs/ground-study.md`` and the "Ground and hybrid sources" section of
``docs/case-files.md``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from designopt.case import Case, Emitter, GroundTable, SourceType
from designopt.cycle.operation import CDH_DEFAULT, follow_load
from designopt.errors import ConfigurationError, InfeasibleDesignError
from designopt.evaluate.charge import saturated_densities
from designopt.evaluate.designs import air_mode_design, check_design, heat_pump_design, resolve
from designopt.evaluate.hybrid import boiler_metrics, boiler_of
from designopt.evaluate.mapview import (
    at_highest_running_speed,
    at_point,
    rating_compressor_power,
)
from designopt.evaluate.performance import Performance
from designopt.ground.coupling import solve_source_temperature
from designopt.units import ZERO_CELSIUS_K

__all__ = [
    "CDH",
    "FLUID_SCALE_K",
    "GroundRun",
    "assess_borefield",
    "build_maps",
    "fluid_margin_K",
    "required_length",
    "simulate_ground_design",
]

#: Temperature scale of the ``fluid_temperature`` constraint [K]: (limit - extreme) / 10 K.
FLUID_SCALE_K = 10.0
#: Degradation coefficient of on/off cycling below the minimum speed (EN 14825) [1].
CDH = CDH_DEFAULT
#: Density of the brine for the pump power [kg/m3] (25 % propylene glycol near 0 degC).
RHO_BRINE = 1030.0

T_SOURCE_GROUND_DEGC = np.arange(-15.0, 21.1, 3.0)
T_SINK_GRID_DEGC = np.array([24.0, 30.0, 36.0, 42.0, 48.0, 54.0, 58.0])
SPEED_POINTS = 5
HOURS = 8760


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
    if t_air.size != HOURS:
        raise ConfigurationError(
            f"site.weather_file={weather_file!r} has {t_air.size} hours; the ground study needs "
            "a whole year of 8760 hours (no leap day)"
        )
    rh = np.asarray(ds["rh"].values, float) if "rh" in ds else np.full(HOURS, 0.85)
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
    wf = None if case.site.weather_file is None else str(case.weather_path)
    return _year(
        case.site.climate.value,
        wf,
        case.building.design_heat_load_kW * 1e3,
        case.design_temperature_degC + ZERO_CELSIUS_K,
        case.building.emitter.value,
    )


def build_maps(hp, t_source_degC: np.ndarray):
    """Performance map of ``hp`` on the study grid at source temperatures ``t_source_degC``
    [degC] and its hourly reader (:func:`designopt.seasonal.hourly.prepare_map`)."""
    from designopt.cycle import performance_map
    from designopt.seasonal.hourly import prepare_map

    c = hp.compressor
    speed = np.linspace(c.speed_min, c.speed_max, SPEED_POINTS)
    pmap = performance_map(
        hp, t_source_degC + ZERO_CELSIUS_K, T_SINK_GRID_DEGC + ZERO_CELSIUS_K, speed
    )
    return pmap, prepare_map(pmap)


def _operate(pm, demand, t_source, t_sink, cap_factor=None, pow_factor=None):
    """Meet ``demand`` [W] hour by hour with the prepared map ``pm``
    (:func:`designopt.cycle.operation.follow_load`, EN 14825 cycling loss).

    Returns heat delivered [W], electricity [W] (compressor and fan, cycling degradation
    included) and the running fraction [1].  Hours outside the envelope: the unit is off.
    """
    heat, power, valid, _, _ = pm.interpolate(t_source, t_sink)
    if cap_factor is not None:
        heat = heat * cap_factor[:, None]
        power = power * pow_factor[:, None]
    heat = np.where(valid[:, None], heat, 0.0)
    power = np.where(valid[:, None], power, 0.0)
    q, p, _, cr = follow_load(demand, heat, power, pm.speed, cdh=CDH)
    on = valid & (demand > 0)
    return np.where(valid, q, 0.0), np.where(on, p, 0.0), np.where(on, cr, 0.0)


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

    nt = HOURS * years
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
    heat_boiler, fuel : array [W]  heat of a hybrid's boiler and its fuel power (0: no boiler).
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
    heat_boiler: np.ndarray
    fuel: np.ndarray
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
        return a.reshape(self.years, HOURS).sum(axis=1) * 3600.0


def _check_rating(pmap_ground, pmap_air) -> None:
    """Refuse a design whose unit cannot be rated (before the lifetime is simulated): no
    operating point at B0/W35 nominal speed in ground mode, or at A7 in the hybrid's air mode."""
    b0, w35 = ZERO_CELSIUS_K, ZERO_CELSIUS_K + 35.0
    reads = [
        at_point(pmap_ground, v, b0, w35, 1.0) for v in ("heat_output", "cop", "t_evap", "t_cond")
    ]
    if not all(math.isfinite(x) for x in [*reads, rating_compressor_power(pmap_ground, b0)]):
        raise InfeasibleDesignError(
            "the ground unit has no operating point inside its envelope at B0/W35 (nominal "
            "speed): nothing can be evaluated"
        )
    if pmap_air is not None and not math.isfinite(
        rating_compressor_power(pmap_air, ZERO_CELSIUS_K + 7.0)
    ):
        raise InfeasibleDesignError(
            "the hybrid's air mode has no operating point at A7: nothing can be evaluated"
        )


def simulate_ground_design(design: dict[str, Any], case: Case, *, max_iter: int | None = None):
    """Hourly lifetime simulation of heat pump + borefield of ``design`` (see module docstring).

    ``max_iter=1`` gives the one-pass approximation (COP at the undisturbed ground
    temperature, no feedback) used to measure the coupling error.
    """
    from designopt.ground import Ground, borehole_resistance
    from designopt.seasonal.defrost import defrost_factors

    table = case.ground
    check_design(design, case)
    values = resolve(design, case)
    years = table.years
    t_air, rh, demand1, flow1 = _case_year(case)
    hybrid = case.source.type == SourceType.TWIN_SOURCE

    hp_g = heat_pump_design(values, case)
    pmap_g, pm_g = build_maps(hp_g, T_SOURCE_GROUND_DEGC)
    m_flow = hp_g.source_flow_kg_s
    cp = table.brine_cp_J_per_kgK

    boiler, t_sw_boiler, mode = boiler_of(case, values)
    below1 = np.zeros(HOURS, bool) if boiler is None else t_air < t_sw_boiler
    if hybrid:
        t_sw = float(values["switchover_temperature_degC"]) + ZERO_CELSIUS_K
        on_ground1 = t_air < t_sw
    elif boiler is not None and mode == "bivalent-alternative":
        on_ground1 = ~below1  # below the switchover the boiler serves the load alone
    else:
        on_ground1 = np.ones(HOURS, bool)
    ground_dem1 = np.where(on_ground1, demand1, 0.0)

    # air mode: independent of the borefield, one year
    q_air1 = np.zeros(HOURS)
    e_air1 = np.zeros(HOURS)
    pmap_a = None
    if hybrid:
        hp_a = air_mode_design(values)
        t_lo = math.floor(min(float(t_air.min()), case.design_temperature_degC + ZERO_CELSIUS_K))
        grid = np.arange(t_lo - ZERO_CELSIUS_K - 2.0, 18.1, 3.0)
        pmap_a, pm_a = build_maps(hp_a, grid)
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

    _check_rating(pmap_g, pmap_a)
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

    n = HOURS * years
    demand_L = np.tile(ground_dem1, years)
    flow_L = np.tile(flow1, years)
    idx = np.flatnonzero(demand_L > 0)
    mc2 = 2.0 * m_flow * cp
    state = {}

    def operate_at(t_inlet):
        # inlet colder than the map: operated at the map's coldest source (more extraction
        # than the real unit: conservative for the fluid limit)
        op = {k: np.zeros(n) for k in ("heat", "electric", "run")}
        q, e, run = _operate(pm_g, demand_L[idx], np.maximum(t_inlet[idx], t_floor), flow_L[idx])
        op["heat"][idx], op["electric"][idx], op["run"][idx] = q, e, run
        return op

    def respond(op):
        net = op["heat"] - op["electric"]
        t_fluid = _mean_fluid(net, spectrum=spectrum, borefield=bf, ground=ground, r_b_star=rb)
        state.update(net=net, t_fluid=t_fluid)
        return t_fluid + net / mc2

    t_floor = pm_g.t_source[0]
    iters = max_iter if max_iter is not None else table.coupling_max_iter
    t_inlet, op, iterations, change = solve_source_temperature(
        operate_at,
        respond,
        np.full(n, tg),
        tol_K=table.coupling_tol_K,
        max_iter=iters,
        one_pass=iters == 1,
    )
    net, t_fluid = state["net"], state["t_fluid"]
    q_g, e_g, run_g = op["heat"], op["electric"], op["run"]

    # brine pump: runs with the compressor in ground mode
    pump_W = m_flow / RHO_BRINE * table.brine_pump_head_kPa * 1e3 / table.brine_pump_efficiency
    on_ground = np.tile(on_ground1, years)
    heat_hp = q_g + np.tile(q_air1, years)
    elec_hp = e_g + np.tile(e_air1, years)
    demand = np.tile(demand1, years)
    deficit = np.clip(demand - heat_hp, 0.0, None)
    heat_boiler = np.zeros(n)
    fuel = np.zeros(n)
    if boiler is not None:
        # the boiler: below the switchover, and wherever the heat pump delivers nothing
        below = np.tile(below1, years)
        use = below | (heat_hp <= 0.0)
        heat_boiler = np.where(use, np.minimum(deficit, boiler.capacity_W), 0.0)
        deficit = deficit - heat_boiler
        t_in = _boiler_inlet_K(case, demand, heat_hp, heat_boiler, np.tile(flow1, years))
        fuel = np.where(heat_boiler > 0, heat_boiler / boiler.efficiency_at(t_in), 0.0)
    return GroundRun(
        demand=demand,
        heat_hp=heat_hp,
        electric_hp=elec_hp,
        pump=pump_W * run_g,
        ground_load=net,
        backup=deficit,
        heat_boiler=heat_boiler,
        fuel=fuel,
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


def _boiler_inlet_K(case: Case, demand, heat_hp, heat_boiler, t_flow) -> np.ndarray:
    """Water entering the boiler [K]: the emitter's return at the hour's load ratio, raised by
    the heat pump's share of the heat (in series before the boiler)."""
    from designopt.seasonal.building import HeatingCurve

    curve = (
        HeatingCurve.underfloor()
        if case.building.emitter == Emitter.UNDERFLOOR
        else HeatingCurve.radiator()
    )
    t_ret = curve.return_temperature_K(demand / (case.building.design_heat_load_kW * 1e3))
    total = heat_hp + heat_boiler
    share = np.divide(heat_hp, total, out=np.zeros_like(total), where=total > 0)
    return t_ret + np.clip(share, 0.0, 1.0) * np.maximum(t_flow - t_ret, 0.0)


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

    table = case.ground

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


def _month_hour_kWh(run: GroundRun, elec_W: np.ndarray) -> np.ndarray:
    """Lifetime-mean annual electricity [kWh] by month and hour of the day, shape
    :data:`~designopt.evaluate.performance.PROFILE_SHAPE` (each simulated year is the weather
    file's 8760 hours from 1 January 00:00)."""
    from designopt.economics.profiles import month_hour_sum

    mean_W = elec_W.reshape(run.years, HOURS).mean(axis=0)
    return month_hour_sum(mean_W * (3600.0 / 3.6e6))


def assess_borefield(design: dict[str, Any], case: Case) -> Performance:
    """The physics of one ground or hybrid design of ``case`` (see the module docstring).

    Raises :class:`~designopt.errors.InfeasibleDesignError` only when the unit has no operating
    point at the rating conditions (nothing can be computed).
    """
    from designopt import economics, noise, refrigerants

    table = case.ground
    run = simulate_ground_design(design, case)
    values = run.values
    hybrid = case.source.type == SourceType.TWIN_SOURCE
    pg, pa = run.pmap_ground, run.pmap_air
    b0, w35 = ZERO_CELSIUS_K, ZERO_CELSIUS_K + 35.0
    t_flow_K = case.flow_temperature_degC + ZERO_CELSIUS_K
    t_design_K = case.design_temperature_degC + ZERO_CELSIUS_K
    load_W = case.building.design_heat_load_kW * 1e3

    heat_b0 = at_point(pg, "heat_output", b0, w35, 1.0)
    cop_b0 = at_point(pg, "cop", b0, w35, 1.0)
    t_evap = at_point(pg, "t_evap", b0, w35, 1.0)
    t_cond = at_point(pg, "t_cond", b0, w35, 1.0)
    comp_max_g = rating_compressor_power(pg, b0)
    _check_rating(pg, None)
    # capacity at the design temperature: the mode that runs there, highest running speed
    if hybrid and t_design_K >= float(values["switchover_temperature_degC"]) + ZERO_CELSIUS_K:
        cap = at_highest_running_speed(pa, "heat_output", t_design_K, t_flow_K)
    else:
        cap = at_highest_running_speed(pg, "heat_output", b0, t_flow_K)
    cap = cap if math.isfinite(cap) else 0.0

    ref = refrigerants.get(str(values["refrigerant"]))
    dens = saturated_densities(
        ref,
        t_evap_K=t_evap,
        t_cond_K=t_cond,
        t_discharge_K=at_point(pg, "t_discharge", b0, w35, 1.0),
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

    bf = run.borefield
    backup_W = float(values["backup_kW"]) * 1e3
    hp_g = heat_pump_design(values, case)

    Y = run.years
    J = 3.6e6 * Y  # lifetime J -> annual kWh
    heat_kWh = float(run.demand.sum()) * 3600.0 / J
    hp_heat_kWh = float(run.heat_hp.sum()) * 3600.0 / J
    hp_elec_kWh = float(run.electric_hp.sum()) * 3600.0 / J
    pump_kWh = float(run.pump.sum()) * 3600.0 / J
    backup_kWh = float(run.backup.sum()) * 3600.0 / J
    boiler_kWh = float(run.heat_boiler.sum()) * 3600.0 / J
    fuel_kWh = float(run.fuel.sum()) * 3600.0 / J
    elec_kWh = hp_elec_kWh + pump_kWh + backup_kWh
    ground_kWh = float(run.ground_load.sum()) * 3600.0 / J
    ground_mode_heat = float((run.heat_hp * run.on_ground).sum()) * 3600.0 / J
    installed_short = np.clip(run.backup - backup_W, 0.0, None)

    if hybrid:
        comp_max_a = rating_compressor_power(pa, ZERO_CELSIUS_K + 7.0)
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
    years_of = (np.arange(run.t_fluid.size) // HOURS) + 1
    i_min, i_max = int(np.argmin(run.t_fluid)), int(np.argmax(run.t_fluid))
    margin = fluid_margin_K(run, table)

    spf_h1 = hp_heat_kWh / max(hp_elec_kWh, 1e-9)
    spf_h2 = hp_heat_kWh / max(hp_elec_kWh + pump_kWh, 1e-9)
    spf_h3 = (hp_heat_kWh + backup_kWh) / max(elec_kWh, 1e-9)
    unmet_kWh = float(installed_short.sum()) * 3600.0 / J

    metrics: dict[str, Any] = {
        "spf_h1": spf_h1,
        "spf_h2": spf_h2,
        "spf_h3": spf_h3,
        "capacity_design_kW": cap / 1e3,
        "heat_B0W35_kW": heat_b0 / 1e3,
        "cop_B0W35": cop_b0,
        "annual_heat_kWh": heat_kWh,
        "annual_electricity_kWh": elec_kWh,
        "annual_backup_kWh": backup_kWh,
        "annual_unmet_by_backup_kWh": unmet_kWh,
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
    }
    if hybrid:
        metrics["annual_air_heat_kWh"] = hp_heat_kWh - ground_mode_heat
    boiler_W = 0.0
    if case.boiler is not None:
        boiler_W = boiler_of(case, values)[0].capacity_W
        hours = float(np.count_nonzero(run.heat_boiler > 1e-9)) / Y
        metrics.update(boiler_metrics(boiler_kWh, fuel_kWh, heat_kWh, hours))
        metrics["heat_pump_heat_share"] = hp_heat_kWh / max(heat_kWh, 1e-9)
    metrics["heat_pump_coverage"] = cap / load_W
    elec_W = run.electric_hp + run.pump + run.backup
    return Performance(
        source=case.source.type,
        refrigerant=ref.name,
        # a hybrid is costed as an air unit (coil and fan) plus its plate evaporator
        evaporator_type="finned_air_coil" if hybrid else "brazed_plate",
        gwp100=float(ref.gwp100),
        lfl_kg_m3=ref.lfl_kg_m3 if ref.lfl_kg_m3 is not None else math.inf,
        charge_kg=charge_kg,
        compressor_displacement_m3_s=hp_g.compressor.displacement_m3_s,
        evaporator_area_m2=float(values["air_coil_area_m2"]) if hybrid else plate,
        condenser_area_m2=cond,
        fan_diameter_m=float(values["fan_diameter_m"]) if hybrid else 0.0,
        plate_evaporator_area_m2=plate if hybrid else 0.0,
        heat_output_rating_W=heat_b0,
        backup_heater_W=backup_W,
        borehole_length_m=bf.H,
        n_boreholes=bf.n_boreholes,
        design_load_W=load_W,
        capacity_design_W=cap,
        annual_heat_kWh=heat_kWh,
        annual_electricity_kWh=elec_kWh,
        seasonal_cop=spf_h3,
        sound_power_dBA=lwa,
        unmet_share=unmet_kWh / max(heat_kWh, 1e-9),
        fluid_margin_K=margin,
        annual_fuel_kWh=fuel_kWh,
        boiler_W=boiler_W,
        metrics=metrics,
        electricity_profile_kWh=_month_hour_kWh(run, elec_W),
    )

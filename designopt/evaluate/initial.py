"""A seeded initial population for a new design study: space-filling designs screened by a
cheap estimate of the case's constraints.

Why.  The first generation of a study is sampled at random.  Where the feasible region is a thin
slice of the design space (the default case: 37 dB(A) at the neighbour's window and the design
load at -10 degC; about 3 % of random designs meet both), a small study finds nothing feasible
(40 trials) or a handful of points (150 trials).

Method (:func:`initial_designs`), for ``n`` designs and a seed:

1. **Candidates**: a scrambled Sobol sequence (:class:`scipy.stats.qmc.Sobol`, seeded) over the
   search variables, mapped onto each (uniform or log scale, step grids, integers, categorical
   choices; :func:`sobol_designs`).  Space-filling, so any prefix is spread out.
2. **Exact bound**: an outdoor unit whose fan alone exceeds the noise limit is dropped without
   a cycle solve (cases with quiet mode are not judged this way).
3. **Cheap physics** (:func:`estimate`): the unit's performance map on the study map's source
   lines around the points read, all its sink lines and its speeds, read as the source plug-ins
   read the study map: capacity at the design point at the highest running speed, compressor
   power of the EN 12102-1 sound rating, rating-point temperatures for the charge; then sound
   power (with quiet mode), charge, GWP.  On the same cells the reads equal the evaluation's
   (the hybrid's air mode is read on a grid of its own).  One estimator per source type in
   :data:`ESTIMATORS`.  About two thirds of an air evaluation: the map's Newton solve
   dominates both.
4. **Repairs**, where these are search variables: a unit too loud gets a smaller
   ``swept_volume_cm3`` (compressor power scales with it; one step, estimated again), and
   ``backup_kW`` is set to the smallest value of its range that closes the capacity gap (the
   capacity constraint is ``load - capacity - back-up <= 0``).
5. **The case's own rules**: the estimates are valued by
   :func:`designopt.evaluate.value.value_arrays`, so noise receivers, charge limits and GWP caps
   are those of the evaluation.  What a cheap estimate cannot know (the hourly unmet load, the
   fluid temperatures of a ground loop over its lifetime) is not screened.
6. **Selection**: candidates are screened in Sobol order, ``n`` at a time, until ``n`` pass
   every estimated constraint or ``SCREEN_FACTOR * n`` were screened; those that pass are taken
   in Sobol order, and the rest of the population is filled with the least-violating others.

The population is a pure function of the case, the variables, ``n`` and the seed.  The study
enqueues it only when it creates a new study (:func:`designopt.search.study.run_study`): a
resumed study keeps its trials.  Every design is then evaluated in full like any other trial;
the estimate only chooses where the search starts.  Measured effect: ``docs/search.md`` and
``benchmarks/bench_initial.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from designopt.case import Case, SourceType
from designopt.errors import DesignOptError, OperatingPointError
from designopt.evaluate.charge import saturated_densities
from designopt.evaluate.designs import air_mode_design, heat_pump_design, resolve
from designopt.evaluate.mapview import (
    at_highest_running_speed,
    at_point,
    rating_compressor_power,
)
from designopt.evaluate.performance import Performance, PerformanceSet
from designopt.evaluate.sources.borefield import T_SINK_GRID_DEGC, T_SOURCE_GROUND_DEGC
from designopt.evaluate.sources.unitary import map_grid
from designopt.search.problem import Variable, VariableKind
from designopt.units import ZERO_CELSIUS_K

__all__ = [
    "ESTIMATORS",
    "InitialPopulation",
    "SCREEN_FACTOR",
    "estimate",
    "initial_designs",
    "screen",
    "sobol_designs",
]

#: At most this many candidates per design of the population are estimated.
SCREEN_FACTOR = 6
#: Speeds of the estimate's map: those of the study's map (minimum to maximum).
SPEED_POINTS = 5
_W35_K = ZERO_CELSIUS_K + 35.0
_W55_K = ZERO_CELSIUS_K + 55.0
_A7_K = ZERO_CELSIUS_K + 7.0
_W10_K = ZERO_CELSIUS_K + 10.0
_B0_K = ZERO_CELSIUS_K


# ------------------------------------------------------------------------------ candidates
def sobol_designs(variables: Sequence[Variable], n: int, *, seed: int) -> list[dict[str, Any]]:
    """The first ``n`` points of a scrambled Sobol sequence (seeded) mapped onto ``variables``.

    Floats: uniform in ``[low, high]`` (log scale where asked), on the ``step`` grid if one is
    set; integers: the integers in range (on the step grid); categoricals: equal shares of the
    unit interval per choice.
    """
    from scipy.stats import qmc

    if n < 1:
        return []
    u = qmc.Sobol(d=len(variables), scramble=True, seed=seed).random_base2(
        max(0, math.ceil(math.log2(n)))
    )[:n]
    out: list[dict[str, Any]] = [{} for _ in range(n)]
    for j, v in enumerate(variables):
        col = u[:, j]
        for i, x in enumerate(_map_unit(v, col)):
            out[i][v.name] = x
    return out


def _map_unit(v: Variable, u: np.ndarray) -> list[Any]:
    if v.kind is VariableKind.CATEGORICAL:
        k = np.minimum((u * len(v.choices)).astype(int), len(v.choices) - 1)
        return [v.choices[i] for i in k]
    lo, hi = float(v.low), float(v.high)
    if v.kind is VariableKind.INT:
        step = int(v.step or 1)
        lo_i = math.ceil(lo)
        count = (math.floor(hi) - lo_i) // step + 1
        k = np.minimum((u * count).astype(int), count - 1)
        return [int(lo_i + step * i) for i in k]
    if v.step is not None:
        count = int(math.floor((hi - lo) / v.step + 1e-9)) + 1
        k = np.minimum((u * count).astype(int), count - 1)
        return [float(lo + v.step * i) for i in k]
    x = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) if v.log else lo + u * (hi - lo)
    return [float(a) for a in np.clip(x, lo, hi)]  # exp(log(hi)) may round above hi


# ------------------------------------------------------------------------------ the estimate
def _bracket(grid: np.ndarray, points: Sequence[float]) -> np.ndarray:
    """The lines of ``grid`` that enclose each of ``points`` (two per point; the nearest two at
    or beyond an end).  On these lines the map reader reads a point exactly as on the full grid
    (the same cell, the same nodes)."""
    grid = np.asarray(grid, float)
    keep = set()
    for p in points:
        i = int(np.clip(np.searchsorted(grid, p, side="right") - 1, 0, grid.size - 2))
        keep.update((i, i + 1))
    return grid[sorted(keep)]


def _small_map(hp, t_source_K: np.ndarray, t_sink_K: np.ndarray):
    """The unit's map on the given source and sink lines and the study's speeds."""
    from designopt.cycle import performance_map

    c = hp.compressor
    return performance_map(
        hp, t_source_K, t_sink_K, np.linspace(c.speed_min, c.speed_max, SPEED_POINTS)
    )


def _finite_or_zero(x: float) -> float:
    return x if math.isfinite(x) else 0.0


def _sound(case: Case, *, values, hp_outdoor, comp_power_W: float) -> dict[str, float]:
    """Sound power of the unit [dB(A)]: ``total``, its ``fan`` and ``compressor`` parts and the
    quiet-mode ``quiet`` value (NaN without quiet mode); an indoor unit (``hp_outdoor`` None)
    radiates the compressor only, as in the source plug-ins."""
    from designopt import noise

    ctype = str(values["compressor_type"])
    if hp_outdoor is None:
        lc = float(noise.compressor_sound_power(power_W=comp_power_W, compressor_type=ctype))
        return {"total": lc, "fan": -math.inf, "compressor": lc, "quiet": math.nan}
    lw = noise.outdoor_unit_sound_power(
        volume_flow_m3_s=hp_outdoor.fan.air_flow_m3_s,
        compressor_power_W=comp_power_W,
        fan_diameter_m=hp_outdoor.fan.diameter_m,
        compressor_type=ctype,
    )
    quiet = math.nan
    if case.noise.quiet_mode_dBA is not None:
        c = hp_outdoor.compressor
        quiet = float(
            noise.quiet_mode_speed_ratio(
                target_lwa_dBA=case.noise.quiet_mode_dBA,
                fan_lwa_dBA=lw["fan"],
                compressor_lwa_dBA=lw["compressor"],
                speed_min=c.speed_min / c.speed_max,
            )["lwa_dBA"]
        )
    return {
        "total": float(lw["total"]),
        "fan": float(lw["fan"]),
        "compressor": float(lw["compressor"]),
        "quiet": quiet,
    }


def _estimate_unitary(design: dict[str, Any], case: Case) -> Performance:
    """Air and water units (cf. :func:`designopt.evaluate.sources.unitary.assess_unitary`)."""
    from designopt import economics, refrigerants

    values = resolve(design, case)
    hp = heat_pump_design(values, case)
    water = case.source.type == SourceType.WATER
    t_flow = case.flow_temperature_degC + ZERO_CELSIUS_K
    t_rate = _W10_K if water else _A7_K
    t_design = (
        case.source.water_temperature_degC + ZERO_CELSIUS_K
        if water
        else case.design_temperature_degC + ZERO_CELSIUS_K
    )
    # the study map's source lines around the points read below and all its sink lines (the
    # sound rating falls back to the largest power over them): the reads equal the study's
    src, snk, _ = map_grid(case, hp)
    pm = _small_map(hp, _bracket(src, [t_design, t_rate]), snk)
    cap = _finite_or_zero(at_highest_running_speed(pm, "heat_output", t_design, t_flow))
    reads = {k: at_point(pm, k, t_rate, _W35_K, 1.0) for k in ("t_evap", "t_cond", "t_discharge")}
    heat_rating = at_point(pm, "heat_output", t_rate, _W35_K, 1.0)
    comp = rating_compressor_power(pm, t_rate)
    if not all(math.isfinite(x) for x in (heat_rating, comp, reads["t_evap"], reads["t_cond"])):
        raise OperatingPointError("no operating point at the rating point (estimate)")
    sound = _sound(case, values=values, hp_outdoor=None if water else hp, comp_power_W=comp)
    ref = refrigerants.get(hp.refrigerant)
    charge = economics.refrigerant_charge(
        evaporator_area_m2=hp.evaporator.area_m2,
        condenser_area_m2=hp.condenser.area_m2,
        evaporator_type="brazed_plate" if water else "finned_air_coil",
        **saturated_densities(
            ref,
            t_evap_K=reads["t_evap"],
            t_cond_K=reads["t_cond"],
            t_discharge_K=reads["t_discharge"],
        ),
    )
    return _performance(
        case,
        values,
        hp,
        ref,
        evaporator_type="brazed_plate" if water else "finned_air_coil",
        charge_kg=float(charge.total),
        fan_diameter_m=0.0 if hp.fan is None else hp.fan.diameter_m,
        heat_rating_W=heat_rating,
        capacity_W=cap,
        sound=sound,
    )


def _estimate_borefield(design: dict[str, Any], case: Case) -> Performance:
    """Ground and hybrid units (cf. :func:`designopt.evaluate.sources.borefield.assess_borefield`);
    the fluid temperatures of the loop are not estimated."""
    from designopt import economics, refrigerants

    values = resolve(design, case)
    hybrid = case.source.type == SourceType.TWIN_SOURCE
    t_flow = case.flow_temperature_degC + ZERO_CELSIUS_K
    t_design = case.design_temperature_degC + ZERO_CELSIUS_K
    hp = heat_pump_design(values, case)
    sinks = T_SINK_GRID_DEGC + ZERO_CELSIUS_K
    pg = _small_map(hp, _bracket(T_SOURCE_GROUND_DEGC + ZERO_CELSIUS_K, [_B0_K]), sinks)
    reads = {k: at_point(pg, k, _B0_K, _W35_K, 1.0) for k in ("t_evap", "t_cond", "t_discharge")}
    heat_b0 = at_point(pg, "heat_output", _B0_K, _W35_K, 1.0)
    comp = rating_compressor_power(pg, _B0_K)
    if not all(math.isfinite(x) for x in (heat_b0, comp, reads["t_evap"], reads["t_cond"])):
        raise OperatingPointError("no operating point at B0/W35 (estimate)")
    ref = refrigerants.get(hp.refrigerant)
    dens = saturated_densities(
        ref, t_evap_K=reads["t_evap"], t_cond_K=reads["t_cond"], t_discharge_K=reads["t_discharge"]
    )
    charge = float(
        economics.refrigerant_charge(
            evaporator_area_m2=float(values["evaporator_area_m2"]),
            condenser_area_m2=float(values["condenser_area_m2"]),
            evaporator_type="brazed_plate",
            **dens,
        ).total
    )
    if hybrid:
        ha = air_mode_design(values)
        # the study's air-mode grid starts 2 K below the coldest hour of the weather year; here
        # 2 K below the design temperature (the reads can differ slightly from the study's)
        air = np.arange(case.design_temperature_degC - 2.0, 18.1, 3.0) + ZERO_CELSIUS_K
        pa = _small_map(ha, _bracket(air, [t_design, _A7_K]), sinks)
        charge += float(
            economics.refrigerant_charge(
                evaporator_area_m2=float(values["air_coil_area_m2"]),
                condenser_area_m2=float(values["condenser_area_m2"]),
                **dens,
            ).evaporator
        )
        air_runs = t_design >= float(values["switchover_temperature_degC"]) + ZERO_CELSIUS_K
        cap = (
            at_highest_running_speed(pa, "heat_output", t_design, t_flow)
            if air_runs
            else at_highest_running_speed(pg, "heat_output", _B0_K, t_flow)
        )
        comp_a = rating_compressor_power(pa, _A7_K)
        if not math.isfinite(comp_a):
            raise OperatingPointError("the air mode has no operating point at A7 (estimate)")
        sound = _sound(case, values=values, hp_outdoor=ha, comp_power_W=comp_a)
    else:
        cap = at_highest_running_speed(pg, "heat_output", _B0_K, t_flow)
        sound = _sound(case, values=values, hp_outdoor=None, comp_power_W=comp)
    return _performance(
        case,
        values,
        hp,
        ref,
        evaporator_type="brazed_plate",
        charge_kg=charge,
        fan_diameter_m=float(values["fan_diameter_m"]) if hybrid else 0.0,
        heat_rating_W=heat_b0,
        capacity_W=_finite_or_zero(cap),
        sound=sound,
        borehole_length_m=float(values["borehole_length_m"]),
        n_boreholes=float(values["borehole_count"]),
    )


def _performance(case: Case, values, hp, ref, **q) -> Performance:
    """A :class:`Performance` holding what the estimate knows.  Annual figures are zero
    placeholders: no constraint reads them (the valuation refuses NaN there), and the
    objectives of an estimate are never used."""
    return Performance(
        source=case.source.type,
        refrigerant=hp.refrigerant,
        evaporator_type=q["evaporator_type"],
        gwp100=float(ref.gwp100),
        lfl_kg_m3=ref.lfl_kg_m3 if ref.lfl_kg_m3 is not None else math.inf,
        charge_kg=q["charge_kg"],
        compressor_displacement_m3_s=hp.compressor.displacement_m3_s,
        evaporator_area_m2=hp.evaporator.area_m2,
        condenser_area_m2=hp.condenser.area_m2,
        fan_diameter_m=q["fan_diameter_m"],
        heat_output_rating_W=q["heat_rating_W"],
        backup_heater_W=float(values["backup_kW"]) * 1e3,
        borehole_length_m=q.get("borehole_length_m", 0.0),
        n_boreholes=q.get("n_boreholes", 0.0),
        design_load_W=case.building.design_heat_load_kW * 1e3,
        capacity_design_W=q["capacity_W"],
        annual_heat_kWh=0.0,
        annual_electricity_kWh=0.0,
        seasonal_cop=1.0,
        sound_power_dBA=q["sound"]["total"],
        sound_power_quiet_dBA=q["sound"]["quiet"],
        metrics={
            "fan_sound_power_dBA": q["sound"]["fan"],
            "compressor_sound_power_dBA": q["sound"]["compressor"],
        },
    )


#: The estimator of each source type: ``(design, case) -> Performance`` (no annual figures).
ESTIMATORS: dict[str, Callable[[dict[str, Any], Case], Performance]] = {
    SourceType.AIR.value: _estimate_unitary,
    SourceType.WATER.value: _estimate_unitary,
    SourceType.GROUND.value: _estimate_borefield,
    SourceType.TWIN_SOURCE.value: _estimate_borefield,
}


def estimate(design: dict[str, Any], case: Case) -> Performance | None:
    """The cheap estimate of one design's :class:`Performance`, or None when the estimate finds
    no operating point (or the design is invalid)."""
    from designopt.evaluate import sources

    # a source type without a cheap estimator is screened with its full assessment (slower,
    # same answer): a new source type needs no entry here
    fn = ESTIMATORS.get(case.source.type) or sources.get(case.source.type).assess
    try:
        return fn(design, case)
    except DesignOptError:
        return None


# ------------------------------------------------------------------------------ screening
#: Extra quietness the swept-volume repair aims for beyond the estimated excess [dB].
NOISE_REPAIR_MARGIN_DB = 0.5


def _on_range(var: Variable, value: float, *, up: bool) -> float:
    """``value`` moved onto the range of numeric variable ``var`` (its step grid, rounded up or
    down; the integers of an int variable)."""
    lo, hi = float(var.low), float(var.high)
    step = var.step if var.step is not None else (1.0 if var.kind is VariableKind.INT else None)
    if step is None:
        return float(min(max(value, lo), hi))
    lo = math.ceil(lo) if var.kind is VariableKind.INT else lo
    k = (value - lo) / step
    k = math.ceil(k - 1e-9) if up else math.floor(k + 1e-9)
    k = min(max(k, 0), int(math.floor((hi - lo) / step + 1e-9)))
    x = lo + step * k
    return int(x) if var.kind is VariableKind.INT else float(x)


def _numeric(variables: dict[str, Variable], name: str) -> Variable | None:
    v = variables.get(name)
    return v if v is not None and v.kind is not VariableKind.CATEGORICAL else None


def _noise_margin_dB(lwa_dBA: float, case: Case) -> float:
    """Worst receiver margin [dB] of a unit of sound power ``lwa_dBA`` (full speed; > 0 fails)."""
    from designopt import noise
    from designopt.evaluate.value import case_receivers

    if not case.noise.receivers or not math.isfinite(lwa_dBA):
        return -math.inf
    return float(noise.receiver_levels(lwa_dBA, case_receivers(case)).constraint)


def _fan_alone_too_loud(design: dict[str, Any], case: Case) -> bool:
    """Exact and cheap: the outdoor fan alone already exceeds the noise limit at full speed
    (no compressor can make that design quieter).  Cases with quiet mode are not judged here
    (night receivers are assessed at the quiet-mode level)."""
    from designopt import noise

    if (
        "noise" not in case.optimisation.constraints
        or case.noise.quiet_mode_dBA is not None
        or case.source.type not in (SourceType.AIR, SourceType.TWIN_SOURCE)
    ):
        return False
    values = resolve(design, case)
    fan = (
        air_mode_design(values)
        if case.source.type == SourceType.TWIN_SOURCE
        else heat_pump_design(values, case)
    ).fan
    lf = float(noise.fan_sound_power(volume_flow_m3_s=fan.air_flow_m3_s, diameter_m=fan.diameter_m))
    return _noise_margin_dB(lf, case) > 0.0


def _quieter(
    design: dict[str, Any], perf: Performance, case: Case, variables: dict[str, Variable]
) -> dict[str, Any] | None:
    """``design`` with a smaller compressor where it is too loud: compressor power scales with
    the swept volume, so the compressor's share of the excess sets the new volume (one step,
    then re-estimated).  None where nothing is to be gained."""
    var = _numeric(variables, "swept_volume_cm3")
    if "noise" not in case.optimisation.constraints or var is None:
        return None
    excess = _noise_margin_dB(perf.sound_power_dBA, case) + NOISE_REPAIR_MARGIN_DB
    if excess <= NOISE_REPAIR_MARGIN_DB:
        return None
    lf = perf.metrics["fan_sound_power_dBA"]
    lc = perf.metrics["compressor_sound_power_dBA"]
    room = 10.0 ** ((perf.sound_power_dBA - excess) / 10.0) - 10.0 ** (lf / 10.0)
    if not room > 0.0:
        return None  # the fan alone is too loud
    volume = float(design["swept_volume_cm3"]) * room / 10.0 ** (lc / 10.0)
    volume = _on_range(var, volume, up=False)
    if volume >= float(design["swept_volume_cm3"]):
        return None
    return {**design, "swept_volume_cm3": volume}


def _with_backup(design: dict[str, Any], perf: Performance, variables: dict[str, Variable]):
    """``design`` (and its estimate) with the smallest ``backup_kW`` of its range that closes the
    estimated capacity gap."""
    import dataclasses

    var = _numeric(variables, "backup_kW")
    if var is None:
        return design, perf
    gap_kW = (perf.design_load_W - perf.capacity_design_W) / 1e3
    backup = _on_range(var, gap_kW, up=True)
    return {**design, "backup_kW": backup}, dataclasses.replace(perf, backup_heater_W=backup * 1e3)


def _screen_one(design: dict[str, Any], case: Case, variables: dict[str, Variable]):
    """The repaired design and its estimate (None: no operating point or hopeless)."""
    if _fan_alone_too_loud(design, case):
        return design, None
    perf = estimate(design, case)
    if perf is None:
        return design, None
    quieter = _quieter(design, perf, case, variables)
    if quieter is not None:
        p = estimate(quieter, case)
        if p is not None:
            design, perf = quieter, p
    return _with_backup(design, perf, variables)


def screen(
    designs: Sequence[dict[str, Any]], case: Case, variables: Sequence[Variable]
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Screen ``designs``: the exact fan bound, the estimate, a smaller compressor where the
    unit is too loud and the back-up that closes the capacity gap (where ``swept_volume_cm3``
    and ``backup_kW`` are among ``variables``, the search variables).  Returns the repaired designs and their estimated
    total violation [1]: the sum of the positive scaled constraints the estimate knows (as
    :func:`designopt.evaluate.value.value_arrays` values them), ``inf`` where the design is
    hopeless or has no operating point."""
    from designopt.evaluate.value import Scenarios, value_arrays

    by_name = {v.name: v for v in variables}
    out = list(designs)
    violation = np.full(len(out), np.inf)
    perfs, idx = [], []
    for i, d in enumerate(out):
        out[i], p = _screen_one(d, case, by_name)
        if p is not None:
            perfs.append(p)
            idx.append(i)
    if not perfs:
        return out, violation
    with np.errstate(all="ignore"):
        vals = value_arrays(
            PerformanceSet.from_performances(perfs), Scenarios.from_case(case), case
        )
    total = np.zeros(len(perfs))
    for c in case.optimisation.constraints:
        if c not in vals:
            continue
        g = np.asarray(vals[c], float)
        g = g[:, 0] if g.ndim == 2 else g
        total += np.where(np.isfinite(g), np.maximum(g, 0.0), 0.0)
    violation[np.asarray(idx)] = total
    return out, violation


def initial_designs(case: Case, variables: Sequence[Variable], n: int, *, seed: int) -> list[dict]:
    """``n`` designs to start a new study of ``case`` with (see the module docstring).

    Deterministic for ``(case, variables, n, seed)``.  Only the values of ``variables`` (the
    case's ``[space]``) appear in the designs.
    """
    if n < 1:
        return []
    budget = SCREEN_FACTOR * n
    pool = sobol_designs(variables, budget, seed=seed)
    names = [v.name for v in variables]
    screened: list[dict[str, Any]] = []
    violation = np.empty(0)
    while len(screened) < budget:
        batch, v = screen(pool[len(screened) : len(screened) + n], case, variables)
        screened += batch
        violation = np.concatenate([violation, v])
        if int(np.sum(violation <= 0.0)) >= n:
            break
    feasible = np.flatnonzero(violation <= 0.0)[:n].tolist()
    rest = [int(i) for i in np.argsort(violation, kind="stable") if violation[i] > 0.0]
    chosen = feasible + rest[: n - len(feasible)]
    return [{k: screened[i][k] for k in names} for i in chosen]


class InitialPopulation:
    """``(variables, n, seed) -> designs``: the initial population of a new study of ``case``;
    the hook :class:`designopt.search.Problem` takes as ``initial_designs`` (``variables``: the
    problem's, e.g. the step grids of a discretised copy)."""

    def __init__(self, case: Case):
        self.case = case

    def __call__(self, variables: Sequence[Variable], n: int, seed: int) -> list[dict[str, Any]]:
        return initial_designs(self.case, variables, n, seed=seed)

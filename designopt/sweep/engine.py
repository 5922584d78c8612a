"""Run a sweep: value a study's stored designs under many scenarios, in batches, on Dask.

Layout of the work:

* the scenarios (:func:`scenario_table`) are cut into batches of ``batch_size``; a batch is one
  Dask task that values every candidate design under its scenarios with
  :func:`designopt.evaluate.value_arrays` (numpy, no CoolProp) and writes its own region of
  the Zarr store ``OUT/sweep.zarr`` (chunks are aligned with batches, so two tasks never write
  one chunk);
* the client marks a batch done in ``batch_done`` once its task returned; a rerun computes only
  the batches not marked (a run killed with -9 loses at most the batches in flight);
* when every batch is done, ``sweep.nc`` and ``sweep_scenarios.csv`` are written (atomically:
  a file with that name is always complete).

Dask: by default an embedded ``LocalCluster`` (processes, one thread each); with ``scheduler``
the address of a running ``dask scheduler``.  The candidates' Performance set is sent to the
workers once (``scatter``); a task carries only its scenario rows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from designopt.errors import ConfigurationError, DataFormatError
from designopt.sweep.physics import DESIGNS_PER_TASK
from designopt.sweep.rules import RULE_AXES, meets_rules
from designopt.sweep.spec import AXES, PHYSICS_AXES, SweepSpec

__all__ = ["SweepResult", "run_sweep", "scenario_table", "value_batch", "ZARR_NAME", "NC_NAME"]

ZARR_NAME = "sweep.zarr"
NC_NAME = "sweep.nc"
CSV_NAME = "sweep_scenarios.csv"
#: Axes of the gas boiler reference; they also price the fuel of a gas hybrid's boiler.
BOILER_AXES = ("gas_price_per_kWh", "gas_co2_kg_per_kWh")
PAIR_VARS = {
    "net_present_cost": ("currency", "net present cost of the design"),
    "lcoh": ("currency/kWh", "levelised cost of heat of the design"),
    "lifetime_co2": ("kg", "lifetime CO2 (TEWI) of the design"),
    "feasible": (
        "1",
        "design meets every constraint of the case and every rule axis in the scenario (1) or not",
    ),
    "pareto": (
        "1",
        "design is on the scenario's Pareto front of (net present cost, lifetime CO2) among the"
        " feasible designs (1) or not (0)",
    ),
}
SCENARIO_VARS = {
    "best_design": (
        "1",
        "position along the design dimension of the lowest-NPC feasible design (-1: none)",
    ),
    "best_net_present_cost": ("currency", "net present cost of the best design"),
    "best_capital_cost": ("currency", "capital cost after grants of the best design"),
    "best_lifetime_co2": ("kg", "lifetime CO2 of the best design"),
    "boiler_net_present_cost": ("currency", "net present cost of the gas boiler reference"),
    "boiler_lifetime_co2": ("kg", "lifetime CO2 of the gas boiler reference"),
    "npc_saving_vs_boiler": (
        "currency",
        "boiler NPC minus best heat-pump NPC (> 0: the heat pump is cheaper over its life)",
    ),
    "co2_saving_vs_boiler": ("kg", "boiler lifetime CO2 minus that of the best heat pump"),
    "feasible_share": ("1", "share of the candidate designs that are feasible"),
    "hybrid_net_present_cost": (
        "currency",
        "net present cost of the heat pump + gas boiler hybrid reference (NaN: none)",
    ),
    "hybrid_lifetime_co2": ("kg", "lifetime CO2 of the hybrid reference"),
    "hybrid_switchover_degC": ("degC", "switchover outdoor temperature of the hybrid reference"),
    "hybrid_design": (
        "1",
        "position along the design dimension of the hybrid reference's heat pump (-1: none)",
    ),
    "npc_saving_vs_hybrid": (
        "currency",
        "hybrid NPC minus best heat-pump NPC (> 0: the heat pump alone is cheaper over its life)",
    ),
    "co2_saving_vs_hybrid": ("kg", "hybrid lifetime CO2 minus that of the best heat pump"),
}


def scenario_table(spec: SweepSpec) -> dict[str, np.ndarray]:
    """The valuation scenarios as columns: axis name -> array of length S (physics axes are
    crossed with them by the engine)."""
    axes = spec.valuation_axes
    names = list(axes)
    mode = spec.scenarios.mode
    if mode == "list":
        return {k: np.asarray(axes[k].values, float) for k in names}
    if mode == "grid":
        combos = np.array(list(itertools.product(*(axes[k].values for k in names))), float)
        return {k: combos[:, i] for i, k in enumerate(names)}
    from scipy.stats import qmc

    d, n, seed = len(names), spec.scenarios.n, spec.scenarios.seed
    if spec.scenarios.method == "sobol":
        u = qmc.Sobol(d, scramble=True, seed=seed).random(n)
    else:
        u = qmc.LatinHypercube(d, seed=seed).random(n)
    out = {}
    for i, k in enumerate(names):
        ax = axes[k]
        if ax.values is not None:  # a single fixed value
            out[k] = np.full(n, ax.values[0])
        else:
            out[k] = ax.low + u[:, i] * (ax.high - ax.low)
    return out


def _constraint_names(spec: SweepSpec, case) -> list[str]:
    names = list(case.optimisation.constraints)
    if "gwp_cap" in spec.axes and "gwp" not in names:
        names.append("gwp")
    return names


def _feasible(out: dict, constraints: list[str], D: int, s: int) -> np.ndarray:
    feasible = np.ones((D, s), bool)
    for name in constraints:
        if name not in out:
            raise ConfigurationError(f"constraint {name!r} is not valued by the sweep")
        g = np.broadcast_to(np.asarray(out[name], float).reshape(D, -1), (D, s))
        with np.errstate(invalid="ignore"):
            met = g <= 0.0
        if name == "gwp":
            met |= np.isnan(g)  # no cap in this scenario
        feasible &= met
    return feasible


def _scenarios(case, columns: dict[str, np.ndarray], s: int):
    """:class:`designopt.evaluate.Scenarios` of the valuation axes (rule axes are judged by
    :mod:`designopt.sweep.rules`, the gas axes by the boiler reference and a gas hybrid)."""
    from designopt.evaluate import Scenarios

    axes = {k: v for k, v in columns.items() if k not in BOILER_AXES and k not in RULE_AXES}
    if case.boiler is not None and case.boiler.fuel == "gas":
        # a gas hybrid burns gas: the gas axes price its fuel too (unless the case fixed them)
        if "gas_price_per_kWh" in columns and case.boiler.price_per_kWh is None:
            axes["fuel_price_per_kWh"] = columns["gas_price_per_kWh"]
        if "gas_co2_kg_per_kWh" in columns and case.boiler.co2_kg_per_kWh is None:
            axes["fuel_co2_kg_per_kWh"] = columns["gas_co2_kg_per_kWh"]
    return Scenarios.from_case(case, s, **axes)


def _pareto(npc: np.ndarray, co2: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """``(D, s)``: the feasible design is not dominated in (net present cost, lifetime CO2)
    in its scenario (both minimised; sort by cost, keep the running CO2 minimum)."""
    big = np.where(feasible, npc, np.inf)
    order = np.argsort(big, axis=0, kind="stable")
    c = np.take_along_axis(np.where(feasible, co2, np.inf), order, axis=0)
    n = np.take_along_axis(big, order, axis=0)
    run = np.minimum.accumulate(c, axis=0)
    prev = np.vstack([np.full((1, c.shape[1]), np.inf), run[:-1]])
    on = (c < prev) & np.isfinite(n)
    out = np.zeros(npc.shape, bool)
    np.put_along_axis(out, order, on, axis=0)
    return out


def _value_set(ps, case, columns, constraints, rules, receivers, carbon_on="all"):
    """Value ``ps`` under the scenario rows: (scenarios, value_arrays output, feasible (D, s)).

    ``carbon_on = "fuel"``: the carbon price is paid on burnt fuel only (a hybrid's gas, as
    under the German BEHG or the EU ETS2), not on grid electricity (whose ETS1 price is in the
    electricity price) or refrigerant leaks."""
    from designopt import economics
    from designopt.evaluate import value_arrays

    s = next(iter(columns.values())).size
    if carbon_on == "fuel":
        carbon = columns.get(
            "carbon_price_per_t", np.full(s, case.economics.carbon_price_per_t, float)
        )
        columns = {**columns, "carbon_price_per_t": np.zeros(s)}
    sc = _scenarios(case, columns, s)
    out = value_arrays(ps, sc, case, chunk=max(1, s))
    if carbon_on == "fuel":
        v = sc.values
        pw = economics.present_worth_factor(v["discount_rate"], v["lifetime_years"])
        fuel_t = ps.arrays["annual_fuel_kWh"][:, None] * v["fuel_co2_kg_per_kWh"][None] / 1e3
        extra = fuel_t * carbon[None] * pw[None]  # present worth of the fuel's carbon cost
        heat = ps.arrays["annual_heat_kWh"][:, None]
        out["net_present_cost"] = out["net_present_cost"] + extra
        out["annualised_cost"] = out["annualised_cost"] + extra / pw[None]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["lcoh"] = out["lcoh"] + np.where(heat > 0, extra / (pw[None] * heat), np.nan)
    feasible = _feasible(out, constraints, ps.size, s)
    if rules is not None:
        feasible &= meets_rules(ps, columns, rules, receivers)
    return sc, out, feasible


def _boiler_reference(ps, case, columns, sc, reference, s):
    """Net present cost and lifetime CO2 ``(s,)`` of the gas condensing boiler alone."""
    from designopt import economics

    econ = case.economics
    v = sc.values
    gas_price = columns.get("gas_price_per_kWh", np.full(s, econ.gas_price_per_kWh))
    gas_co2 = columns.get("gas_co2_kg_per_kWh", np.full(s, econ.gas_co2_kg_per_kWh))
    # the scenario's carbon price (the heat pump's scenarios may have it at 0: carbon_on="fuel")
    carbon = columns.get("carbon_price_per_t", np.full(s, econ.carbon_price_per_t))
    heat = float(np.nanmedian(ps.arrays["annual_heat_kWh"]))
    gas_kWh = heat / reference.boiler_efficiency
    load_W = float(np.nanmax(ps.arrays["design_load_W"]))
    capital = float(
        economics.capital_cost(
            boiler_W=load_W, include_installation=False, target_year=econ.cost_base_year
        ).items["gas_boiler"]
    )  # grants are for heat pumps: the boiler gets none
    co2_year = gas_kWh * gas_co2
    life = economics.lifetime_cost(
        capital=np.full(s, capital),
        discount_rate=v["discount_rate"],
        lifetime_years=v["lifetime_years"],
        annual_gas_kWh=gas_kWh,
        gas_price_per_kWh=gas_price,
        gas_standing_charge_per_day=reference.gas_standing_charge_per_year / 365.0,
        gas_escalation=v["price_escalation"],
        maintenance_per_year=reference.boiler_maintenance_per_year,
        annual_co2_kg=co2_year,
        carbon_price_per_t=carbon,
        annual_heat_kWh=heat,
    )
    return np.asarray(life.npc, float) * np.ones(s), co2_year * v["lifetime_years"]


def value_batch(
    ps,
    case,
    columns: dict[str, np.ndarray],
    constraints: list[str],
    reference,
    *,
    rules=None,
    receivers=(),
    ok: np.ndarray | None = None,
    hybrid: dict | None = None,
    carbon_on: str = "all",
):
    """Value the candidates under the scenario rows ``columns`` (one batch).

    ``ps`` holds the candidates that could be assessed (``ok``: which of all ``D`` they are;
    the others are infeasible with NaN values).  ``hybrid``: ``{"ps", "case", "constraints",
    "switchover", "design"}`` of the hybrid reference's variants; ``carbon_on``: see
    :func:`_value_set` (the gas boiler reference always pays the carbon price on its gas).  Returns ``(pairs,
    per_scenario)``: arrays ``(D, s)`` of :data:`PAIR_VARS` and ``(s,)`` of
    :data:`SCENARIO_VARS`.
    """
    s = next(iter(columns.values())).size
    D = ps.size if ok is None else ok.size
    sc, out, feasible_ok = _value_set(ps, case, columns, constraints, rules, receivers, carbon_on)
    idx = np.arange(D) if ok is None else np.flatnonzero(ok)

    def full(a: np.ndarray, fill) -> np.ndarray:
        x = np.full((D, s), fill, dtype=np.asarray(a).dtype)
        x[idx] = np.broadcast_to(np.asarray(a).reshape(idx.size, -1), (idx.size, s))
        return x

    npc = full(out["net_present_cost"], np.nan)
    co2 = full(out["lifetime_co2"], np.nan)
    capital = full(out["capital_cost"], np.nan)
    feasible = full(feasible_ok, False)
    masked = np.where(feasible, npc, np.inf)
    best = np.argmin(masked, axis=0)
    cols = np.arange(s)
    has = np.isfinite(masked[best, cols])

    def pick(a: np.ndarray) -> np.ndarray:  # the best design's value in each scenario
        return np.where(has, a[best, cols], np.nan)

    boiler_npc, boiler_co2 = _boiler_reference(ps, case, columns, sc, reference, s)
    best_npc, best_co2 = pick(npc), pick(co2)
    pairs = {
        "net_present_cost": npc.astype(np.float32),
        "lcoh": full(out["lcoh"], np.nan).astype(np.float32),
        "lifetime_co2": co2.astype(np.float32),
        "feasible": feasible.astype(np.int8),
        "pareto": _pareto(npc, co2, feasible).astype(np.int8),
    }
    per = {
        "best_design": np.where(has, best, -1).astype(np.int32),
        "best_net_present_cost": best_npc,
        "best_capital_cost": pick(capital),
        "best_lifetime_co2": best_co2,
        "boiler_net_present_cost": boiler_npc,
        "boiler_lifetime_co2": boiler_co2 * np.ones(s),
        "npc_saving_vs_boiler": boiler_npc - best_npc,
        "co2_saving_vs_boiler": boiler_co2 - best_co2,
        "feasible_share": feasible.mean(axis=0),
    }
    nan = np.full(s, np.nan)
    hyb = {
        "hybrid_net_present_cost": nan,
        "hybrid_lifetime_co2": nan,
        "hybrid_switchover_degC": nan,
        "hybrid_design": np.full(s, -1, np.int32),
    }
    if hybrid is not None and hybrid["ps"] is not None:
        _, hout, hfeas = _value_set(
            hybrid["ps"],
            hybrid["case"],
            columns,
            hybrid["constraints"],
            rules,
            receivers,
            carbon_on,
        )
        hnpc = np.where(hfeas, hout["net_present_cost"], np.inf)
        hb = np.argmin(hnpc, axis=0)
        hhas = np.isfinite(hnpc[hb, cols])
        hyb = {
            "hybrid_net_present_cost": np.where(hhas, hnpc[hb, cols], np.nan),
            "hybrid_lifetime_co2": np.where(hhas, hout["lifetime_co2"][hb, cols], np.nan),
            "hybrid_switchover_degC": np.where(hhas, hybrid["switchover"][hb], np.nan),
            "hybrid_design": np.where(hhas, hybrid["design"][hb], -1).astype(np.int32),
        }
    per.update(hyb)
    per["npc_saving_vs_hybrid"] = per["hybrid_net_present_cost"] - best_npc
    per["co2_saving_vs_hybrid"] = per["hybrid_lifetime_co2"] - best_co2
    return pairs, per


@dataclass(frozen=True)
class SweepResult:
    """What a finished sweep wrote and how many batches this run computed."""

    netcdf: Path
    csv: Path
    n_scenarios: int
    n_designs: int
    batches_run: int
    batches_total: int
    n_physics: int = 1
    figures: tuple[Path, ...] = ()
    #: wall-clock seconds of the steps of this run: cluster (start), physics, valuation, finish
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidates:
    """The candidate designs: their stored physics, trial numbers and design values."""

    ps: Any  # PerformanceSet in the base case
    trials: np.ndarray
    perf: Any  # xarray.Dataset (performance.nc rows of the candidates)
    designs: list[dict[str, Any]] | None  # design-variable values (None: no results.nc)


def _design_values(rs, trials: np.ndarray, case) -> list[dict[str, Any]]:
    from designopt.catalogue import VARIABLES

    pos = {int(t): i for i, t in enumerate(np.asarray(rs["trial"].values))}
    out = []
    for t in trials:
        i = pos[int(t)]
        d: dict[str, Any] = {}
        for name in case.space:
            v = np.asarray(rs[name].values)[i]
            kind = VARIABLES[name].kind
            d[name] = str(v) if kind == "categorical" else int(v) if kind == "int" else float(v)
        out.append(d)
    return out


def _candidates(spec: SweepSpec, case) -> Candidates:
    """The Performance set of the candidate designs, their trial numbers and values."""
    import xarray as xr

    from designopt.evaluate import PerformanceSet, build_problem
    from designopt.results import PERFORMANCE_NAME, RESULTS_NAME

    with xr.open_dataset(spec.study / PERFORMANCE_NAME) as ds:
        perf = ds.load()
    trials = np.asarray(perf["design"].values)
    keep = np.ones(trials.size, bool)
    results = spec.study / RESULTS_NAME
    rs = None
    if results.is_file():
        with xr.open_dataset(results) as f:
            rs = f.load()
        fp = rs.attrs.get("case_fingerprint")
        mine = build_problem(case).fingerprint
        if fp is not None and fp != mine:
            raise ConfigurationError(
                f"study {spec.study} holds a study of another case (fingerprint {fp} !="
                f" {mine} of {spec.case}); give the case the study was run with"
            )
        if spec.candidates != "all":
            flag = "feasible" if spec.candidates == "feasible" else "pareto"
            good = set(np.asarray(rs["trial"].values)[np.asarray(rs[flag].values, bool)])
            keep = np.array([t in good for t in trials])
    elif spec.candidates != "all":
        raise ConfigurationError(
            f"candidates={spec.candidates!r} needs {results}; it is missing (use 'all')"
        )
    if not keep.any():
        raise ConfigurationError(
            f"study {spec.study} has no {spec.candidates} design to sweep; use candidates = 'all'"
        )
    sel = perf.isel(design=np.flatnonzero(keep))
    designs = None
    if rs is not None and all(k in rs for k in case.space):
        designs = _design_values(rs, trials[keep], case)
    needs = [k for k in spec.physics_axes] + (["hybrid"] if spec.reference.hybrid else [])
    if needs and designs is None:
        raise ConfigurationError(
            f"{' and '.join(needs)} need the design values of the study ({results} with every"
            f" [space] variable of {spec.case}); it is missing"
        )
    return Candidates(PerformanceSet.from_dataset(sel), trials[keep], sel, designs)


@contextlib.contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ConfigurationError(
                f"--scheduler {scheduler}: no Dask scheduler answers there ({exc})"
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never collide with another cluster
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _write_region(store: str, pairs, per, p: int, start: int, stop: int, n_designs: int) -> None:
    """Write one batch's region into the Zarr store (runs on a worker)."""
    import xarray as xr

    ds = xr.Dataset(
        {k: (("physics", "design", "scenario"), v[None]) for k, v in pairs.items()}
        | {k: (("physics", "scenario"), v[None]) for k, v in per.items()},
    )
    ds.to_zarr(
        store,
        region={
            "physics": slice(p, p + 1),
            "design": slice(0, n_designs),
            "scenario": slice(start, stop),
        },
        mode="r+",
        consolidated=False,
    )


def _batch_task(ctx: dict, columns, store: str, p: int, start: int, stop: int) -> tuple[int, int]:
    pairs, per = value_batch(
        ctx["ps"],
        ctx["case"],
        columns,
        ctx["constraints"],
        ctx["reference"],
        rules=ctx["rules"],
        receivers=ctx["receivers"],
        ok=ctx["ok"],
        hybrid=ctx["hybrid"],
        carbon_on=ctx["carbon_on"],
    )
    _write_region(store, pairs, per, p, start, stop, ctx["n_designs"])
    return p, start


def _template(spec, table, trials, P: int, n_batches: int, store: Path, fingerprint: str):
    import dask.array as da
    import xarray as xr

    S, D = next(iter(table.values())).size, trials.size
    b = spec.batch_size
    ds = xr.Dataset(
        coords={"physics": np.arange(P), "design": ("design", trials), "scenario": np.arange(S)}
    )
    ds["physics"].attrs = {"units": "1", "long_name": "physics scenario number"}
    ds["design"].attrs = {"units": "1", "long_name": "trial number of the design in the study"}
    ds["scenario"].attrs = {"units": "1", "long_name": "valuation scenario number"}
    for k, col in table.items():
        unit, long_name = AXES[k][0], AXES[k][1]
        ds = ds.assign_coords({k: ("scenario", col, {"units": unit, "long_name": long_name})})
    for k, (unit, long_name) in PAIR_VARS.items():
        dtype = np.int8 if k in ("feasible", "pareto") else np.float32
        ds[k] = (
            ("physics", "design", "scenario"),
            da.zeros((P, D, S), dtype=dtype, chunks=(1, D, b)),
            {"units": unit, "long_name": long_name},
        )
    for k, (unit, long_name) in SCENARIO_VARS.items():
        dtype = np.int32 if k in ("best_design", "hybrid_design") else np.float64
        ds[k] = (
            ("physics", "scenario"),
            da.zeros((P, S), dtype=dtype, chunks=(1, b)),
            {"units": unit, "long_name": long_name},
        )
    ds["batch_done"] = (
        ("physics", "batch"),
        da.zeros((P, n_batches), dtype=np.int8, chunks=(1, 1)),
        {"units": "1", "long_name": "batch finished (1) or not (0)"},
    )
    ds.attrs.update(
        {
            "title": f"designopt sweep {spec.name}",
            "sweep_fingerprint": fingerprint,
            "batch_size": b,
            "candidates": spec.candidates,
            "study": str(spec.study),
            "case": str(spec.case),
        }
    )
    ds.to_zarr(store, mode="w", compute=False, consolidated=False)


def _receivers(case, rules) -> list:
    from designopt import noise
    from designopt.evaluate import case_receivers

    found = case_receivers(case)
    return found or [noise.Receiver("receiver", 5.0, rules.reflecting_surfaces, method="mcs020a")]


#: The strictest value of each rule axis (the hybrid's heat pumps should meet it if they can).
_STRICT = {
    "fgas_year": np.nanmax,
    "noise_below_ecodesign_dB": np.nanmax,
    "noise_receiver_distance_m": np.nanmin,
    "min_eta_s_pct": np.nanmax,
    "min_scop": np.nanmax,
    "gwp_cap": np.nanmin,
}


def _hybrid_choice(ps_p, ok, case_p, constraints, n: int, table, rules, receivers) -> np.ndarray:
    """Positions (among all candidates) of the heat pumps of the hybrid reference: the ``n``
    cheapest candidates in the base scenario of ``case_p`` that meet every constraint but
    capacity (a boiler adds capacity), those that also meet the strictest value of every rule
    axis of the sweep first (so that the hybrid exists in every scenario where it can)."""
    from designopt.evaluate import Scenarios, value_arrays

    out = value_arrays(ps_p, Scenarios.from_case(case_p), case_p)
    rest = [c for c in constraints if c not in ("capacity", "coverage", "gwp")]
    feas = _feasible(out, rest, ps_p.size, 1)[:, 0]
    strict_cols = {
        k: np.array([f(table[k]) if np.isfinite(table[k]).any() else np.nan])
        for k, f in _STRICT.items()
        if k in table
    }
    strict = np.ones(ps_p.size, bool)
    if strict_cols:
        strict = meets_rules(ps_p, strict_cols, rules, receivers)[:, 0]
        if "gwp_cap" in strict_cols and np.isfinite(strict_cols["gwp_cap"][0]):
            strict &= ps_p.arrays["gwp100"] <= strict_cols["gwp_cap"][0]
    npc = out["net_present_cost"][:, 0]
    rank = np.where(feas & strict, 0, np.where(feas, 1, 2))  # then by cost
    order = np.lexsort((npc, rank))
    pos = np.arange(ps_p.size) if ok is None else np.flatnonzero(ok)
    return pos[order[:n]]


def _physics_contexts(
    spec, case, cand, points, needed, constraints, client, table
) -> dict[int, dict]:
    """Per needed physics scenario the valuation context: its Performance sets (assessed on
    Dask and cached on disk when the physics differ from the study's), case and hybrid."""
    from designopt.cache import cache_dir
    from designopt.evaluate import Performance, PerformanceSet
    from designopt.sweep.physics import assess_task, hybrid_case, hybrid_designs, physics_case

    cache = str(cache_dir("sweep"))
    D = cand.trials.size
    has_physics = bool(spec.physics_axes)
    cases = {p: physics_case(case, points[p]) if has_physics else case for p in needed}

    def submit(c, designs):
        [cf] = client.scatter([c], broadcast=True)
        step = DESIGNS_PER_TASK
        return [
            client.submit(assess_task, cf, designs[i : i + step], cache, pure=False)
            for i in range(0, len(designs), step)
        ]

    def collect(futures):
        results = [r for chunk in client.gather(futures) for r in chunk]
        ok = np.array([isinstance(r, dict) for r in results], bool)
        good = [Performance.from_record(r) for r in results if isinstance(r, dict)]
        return (PerformanceSet.from_performances(good) if good else None), ok

    # round 1: the candidates under every physics scenario (all submitted before any wait)
    sets: dict[int, tuple[Any, np.ndarray | None]] = {}
    if has_physics:
        pending = {p: submit(cases[p], cand.designs) for p in needed}
        for p, futs in pending.items():
            sets[p] = collect(futs)
    else:
        sets = {p: (cand.ps, None) for p in needed}
    # round 2: the hybrid reference's variants
    hybrids: dict[int, dict | None] = {p: None for p in needed}
    h = spec.reference.hybrid
    if h is not None:
        pending = {}
        meta = {}
        for p in needed:
            ps_p, ok = sets[p]
            if ps_p is None:
                continue
            c = cases[p]
            lo, hi = c.design_temperature_degC, 16.0
            bad = [t for t in h.switchover_temperature_degC if not lo <= t <= hi]
            if bad:
                raise ConfigurationError(
                    f"reference.hybrid.switchover_temperature_degC={bad[0]!r} lies outside the"
                    f" heating range [{lo:g}, {hi:g}] degC of physics scenario {points[p]}"
                )
            chosen = _hybrid_choice(
                ps_p, ok, c, constraints, h.designs, table, spec.rules, _receivers(c, spec.rules)
            )
            boiler_kW = h.boiler_kW or c.building.design_heat_load_kW
            designs, sw, src = hybrid_designs(
                [cand.designs[i] for i in chosen], h.switchover_temperature_degC, boiler_kW
            )
            hc = hybrid_case(c, h.operation)
            pending[p] = submit(hc, designs)
            meta[p] = (hc, sw, chosen[src])
        for p, futs in pending.items():
            hps, hok = collect(futs)
            hc, sw, src = meta[p]
            hybrids[p] = {
                "ps": hps,
                "case": hc,
                "constraints": [c for c in constraints if c != "coverage"],
                "switchover": sw[hok],
                "design": src[hok],
            }
    rules = spec.rules
    return {
        p: {
            "ps": sets[p][0],
            "ok": sets[p][1],
            "case": cases[p],
            "constraints": constraints,
            "reference": spec.reference,
            "rules": rules,
            "receivers": _receivers(cases[p], rules),
            "hybrid": hybrids[p],
            "n_designs": D,
            "carbon_on": spec.carbon_price_on,
        }
        for p in needed
    }


def run_sweep(
    spec: SweepSpec,
    out_dir: Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: bool = False,
    report: bool = True,
) -> SweepResult:
    """Run (or resume) ``spec`` into ``out_dir``: ``sweep.nc``, the scenario CSV and (with
    ``report``) the figures and ``summary.md``."""
    import xarray as xr

    from designopt.case import load_case
    from designopt.sweep.physics import physics_table

    case = load_case(spec.case)
    cand = _candidates(spec, case)
    table = scenario_table(spec)
    points = physics_table(spec.physics_axes)
    P = len(points)
    S = next(iter(table.values())).size
    b = spec.batch_size
    n_batches = math.ceil(S / b)
    constraints = _constraint_names(spec, case)
    store = out_dir / ZARR_NAME
    fingerprint = f"{spec.fingerprint()}-{cand.trials.size}-{P}"
    done = np.zeros((P, n_batches), bool)
    if store.exists():
        try:
            old = xr.open_zarr(store, consolidated=False)
            same = (
                old.attrs.get("sweep_fingerprint") == fingerprint
                and int(old.attrs.get("batch_size", -1)) == b
            )
            if same:
                done = np.asarray(old["batch_done"].values, bool).reshape(P, n_batches)
            old.close()
        except (OSError, KeyError, ValueError):
            same = False
        if not same:
            shutil.rmtree(store)
    nc = out_dir / NC_NAME
    if not done.all() and nc.exists():
        nc.unlink()  # a sweep.nc of an earlier, different run must not look like this one's
    if not store.exists():
        _template(spec, table, cand.trials, P, n_batches, store, fingerprint)
    todo = [(p, i) for p in range(P) for i in range(n_batches) if not done[p, i]]
    timings: dict[str, float] = {}
    if todo:
        _compute(
            spec,
            case,
            cand,
            table,
            points,
            constraints,
            store,
            todo,
            done,
            workers,
            scheduler,
            progress,
            timings,
        )
    t0 = time.perf_counter()
    res = _finish(spec, case, out_dir, store, cand, points, S, len(todo), P * n_batches, report)
    timings["finish"] = time.perf_counter() - t0
    return dataclasses.replace(res, timings=timings)


def _compute(
    spec,
    case,
    cand,
    table,
    points,
    constraints,
    store,
    todo,
    done,
    workers,
    scheduler,
    progress,
    timings,
):
    import zarr
    from distributed import as_completed

    S = next(iter(table.values())).size
    b = spec.batch_size
    flags = zarr.open_group(str(store), mode="r+")["batch_done"]
    needed = sorted({p for p, _ in todo})
    t0 = time.perf_counter()
    with _client(workers, scheduler) as client:
        t1 = time.perf_counter()
        timings["cluster"] = t1 - t0
        if (spec.physics_axes or spec.reference.hybrid) and cand.designs:
            # each worker imports the physics and builds its CoolProp states once, in parallel
            client.run(_warm_worker, case, cand.designs[0])
            t1 = time.perf_counter()
            timings["warm_up"] = t1 - t0 - timings["cluster"]
        contexts = _physics_contexts(spec, case, cand, points, needed, constraints, client, table)
        t2 = time.perf_counter()
        timings["physics"] = t2 - t1
        scattered = {p: client.scatter([ctx], broadcast=True)[0] for p, ctx in contexts.items()}
        futures = []
        for p, i in todo:
            start, stop = i * b, min(S, (i + 1) * b)
            cols = {k: v[start:stop] for k, v in table.items()}
            futures.append(
                client.submit(
                    _batch_task,
                    scattered[p],
                    cols,
                    str(store),
                    p,
                    start,
                    stop,
                    key=f"sweep-batch-{p}-{i}-{os.getpid()}",
                    pure=False,
                )
            )
        bar = None
        if progress:
            from tqdm import tqdm

            total = done.size
            bar = tqdm(total=total, initial=total - len(todo), unit="batch", desc="sweep")
        for fut in as_completed(futures):
            p, start = fut.result()
            flags[p, start // b] = 1
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        timings["valuation"] = time.perf_counter() - t2


def _warm_worker(case, design) -> None:
    """Start-up of a worker that will assess designs: imports, property tables, cycle maps of
    one design (its result is not used; a failure here is left to the real task)."""
    from designopt.evaluate import assess

    with contextlib.suppress(Exception):
        assess(design, case)


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _best_values(ds, cand, case):
    """``best_<variable>`` (physics, scenario): the best design's design-variable values and
    labels, and ``best_trial``; the same for the hybrid reference's heat pump."""
    import xarray as xr

    from designopt.catalogue import VARIABLES

    best = ds["best_design"].values
    has = best >= 0
    at = np.maximum(best, 0)
    trials = np.asarray(cand.trials)
    out = {
        "best_trial": xr.DataArray(
            np.where(has, trials[at], -1),
            dims=ds["best_design"].dims,
            attrs={"units": "1", "long_name": "trial number of the best design (-1: none)"},
        )
    }
    hb = ds["hybrid_design"].values
    out["hybrid_trial"] = xr.DataArray(
        np.where(hb >= 0, trials[np.maximum(hb, 0)], -1),
        dims=ds["hybrid_design"].dims,
        attrs={"units": "1", "long_name": "trial number of the hybrid reference's heat pump"},
    )
    labels: dict[str, tuple[np.ndarray, str, str]] = {}
    for k in ("refrigerant", "source"):
        if k in cand.perf:
            labels[k] = (np.asarray(cand.perf[k].values).astype(str), "1", k)
    if cand.designs is not None:
        for name in case.space:
            if name in labels:
                continue
            info = VARIABLES[name]
            vals = [d[name] for d in cand.designs]
            arr = (
                np.array(vals).astype(str) if info.kind == "categorical" else np.array(vals, float)
            )
            labels[name] = (arr, info.unit if hasattr(info, "unit") else "1", name)
    for name, (arr, unit, long_name) in labels.items():
        if arr.dtype.kind in "US":
            v = np.where(has, arr[at], "")
        else:
            v = np.where(has, arr[at], np.nan)
        out[f"best_{name}"] = xr.DataArray(
            v,
            dims=ds["best_design"].dims,
            attrs={"units": unit, "long_name": f"{long_name.replace('_', ' ')} of the best design"},
        )
    return out, labels


def _finish(spec, case, out_dir, store, cand, points, S, ran, total, report) -> SweepResult:
    import xarray as xr

    ds = xr.open_zarr(store, consolidated=False).load()
    if not bool(ds["batch_done"].all()):
        raise DataFormatError(f"{store}: some batches are not finished; rerun the sweep")
    ds = ds.drop_vars("batch_done")
    best, labels = _best_values(ds, cand, case)
    for name, (arr, _unit, _long) in labels.items():
        if name in ("refrigerant", "source"):
            ds = ds.assign_coords({name: ("design", arr, {"units": "1", "long_name": name})})
    ds = ds.assign(best)
    P = len(points)
    for name in spec.physics_axes:
        unit, long_name = PHYSICS_AXES[name][0], PHYSICS_AXES[name][1]
        vals = [pt[name] for pt in points]
        if name == "climate":
            vals = [Path(v).stem if str(v).lower().endswith(".epw") else str(v) for v in vals]
        arr = np.array(vals) if isinstance(vals[0], str) else np.array(vals, float)
        ds = ds.assign_coords({name: ("physics", arr, {"units": unit, "long_name": long_name})})
    if not spec.physics_axes:
        ds = ds.isel(physics=0, drop=True)
    ds.attrs.update(
        {
            "n_scenarios": S,
            "n_designs": int(cand.trials.size),
            "n_physics": P,
            "valuation_axes": ",".join(spec.valuation_axes),
            "physics_axes": ",".join(spec.physics_axes),
            "producer": "designopt",
        }
    )
    if spec.reference.hybrid is not None:
        h = spec.reference.hybrid
        ds.attrs["hybrid_reference"] = (
            f"{h.designs} cheapest heat-pump candidates x switchover"
            f" {h.switchover_temperature_degC} degC, gas boiler"
            f" {h.boiler_kW or 'design load'} kW, {h.operation}"
        )
    nc = out_dir / NC_NAME
    _atomic(nc, lambda p: ds.to_netcdf(p, engine="h5netcdf"))
    csv = out_dir / CSV_NAME
    names = [k for k in SCENARIO_VARS] + [k for k in best]
    rows = ds[names].to_dataframe()
    rows = rows[[c for c in rows.columns if c not in ("refrigerant", "source")]]
    _atomic(csv, lambda p: rows.to_csv(p))
    figures: tuple[Path, ...] = ()
    if report:
        from designopt.sweep.report import write_report

        figures = tuple(write_report(ds, spec, out_dir))
    return SweepResult(nc, csv, S, int(cand.trials.size), ran, total, P, figures)

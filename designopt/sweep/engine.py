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
import itertools
import math
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from designopt.errors import ConfigurationError, DataFormatError
from designopt.sweep.spec import AXES, SweepSpec

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
    "feasible": ("1", "design meets every constraint of the case in the scenario (1) or not (0)"),
}
SCENARIO_VARS = {
    "best_design": ("1", "index (design coordinate) of the lowest-NPC feasible design (-1: none)"),
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
}


def scenario_table(spec: SweepSpec) -> dict[str, np.ndarray]:
    """The scenarios as columns: axis name -> array of length S."""
    names = list(spec.axes)
    mode = spec.scenarios.mode
    if mode == "list":
        return {k: np.asarray(spec.axes[k].values, float) for k in names}
    if mode == "grid":
        combos = np.array(list(itertools.product(*(spec.axes[k].values for k in names))), float)
        return {k: combos[:, i] for i, k in enumerate(names)}
    from scipy.stats import qmc

    d, n, seed = len(names), spec.scenarios.n, spec.scenarios.seed
    if spec.scenarios.method == "sobol":
        u = qmc.Sobol(d, scramble=True, seed=seed).random(n)
    else:
        u = qmc.LatinHypercube(d, seed=seed).random(n)
    out = {}
    for i, k in enumerate(names):
        ax = spec.axes[k]
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


def value_batch(ps, case, columns: dict[str, np.ndarray], constraints: list[str], reference):
    """Value the Performance set ``ps`` under the scenario rows ``columns`` (one batch).

    Returns ``(pairs, per_scenario)``: arrays ``(D, s)`` of :data:`PAIR_VARS` and ``(s,)`` of
    :data:`SCENARIO_VARS`.
    """
    from designopt import economics
    from designopt.evaluate import Scenarios, value_arrays

    s = next(iter(columns.values())).size
    axes = {k: v for k, v in columns.items() if k not in BOILER_AXES}
    if case.boiler is not None and case.boiler.fuel == "gas":
        # a gas hybrid burns gas: the gas axes price its fuel too (unless the case fixed them)
        if "gas_price_per_kWh" in columns and case.boiler.price_per_kWh is None:
            axes["fuel_price_per_kWh"] = columns["gas_price_per_kWh"]
        if "gas_co2_kg_per_kWh" in columns and case.boiler.co2_kg_per_kWh is None:
            axes["fuel_co2_kg_per_kWh"] = columns["gas_co2_kg_per_kWh"]
    sc = Scenarios.from_case(case, s, **axes)
    out = value_arrays(ps, sc, case, chunk=max(1, s))
    D = ps.size
    feasible = np.ones((D, s), bool)
    for name in constraints:
        if name not in out:
            raise ConfigurationError(f"constraint {name!r} is not valued by the sweep")
        g = np.broadcast_to(np.asarray(out[name], float).reshape(D, -1), (D, s))
        met = g <= 0.0
        if name == "gwp":
            met |= np.isnan(g)  # no cap in this scenario
        feasible &= met
    npc = out["net_present_cost"]
    masked = np.where(feasible, npc, np.inf)
    best = np.argmin(masked, axis=0)
    has = np.isfinite(masked[best, np.arange(s)])

    def pick(a: np.ndarray) -> np.ndarray:  # the best design's value in each scenario
        return np.where(has, a[best, np.arange(s)], np.nan)

    econ = case.economics
    v = sc.values
    gas_price = columns.get("gas_price_per_kWh", np.full(s, econ.gas_price_per_kWh))
    gas_co2 = columns.get("gas_co2_kg_per_kWh", np.full(s, econ.gas_co2_kg_per_kWh))
    heat = float(np.nanmedian(ps.arrays["annual_heat_kWh"]))
    gas_kWh = heat / reference.boiler_efficiency
    load_W = float(np.nanmax(ps.arrays["design_load_W"]))
    boiler_capex = float(
        economics.capital_cost(
            boiler_W=load_W, include_installation=False, target_year=econ.cost_base_year
        ).items["gas_boiler"]
    )
    capital = boiler_capex  # grants are for heat pumps: the boiler gets none
    co2_year = gas_kWh * gas_co2
    boiler = economics.lifetime_cost(
        capital=np.full(s, capital),
        discount_rate=v["discount_rate"],
        lifetime_years=v["lifetime_years"],
        annual_gas_kWh=gas_kWh,
        gas_price_per_kWh=gas_price,
        gas_standing_charge_per_day=reference.gas_standing_charge_per_year / 365.0,
        gas_escalation=v["price_escalation"],
        maintenance_per_year=reference.boiler_maintenance_per_year,
        annual_co2_kg=co2_year,
        carbon_price_per_t=v["carbon_price_per_t"],
        annual_heat_kWh=heat,
    )
    boiler_co2 = co2_year * v["lifetime_years"]
    best_npc = pick(npc)
    best_co2 = pick(out["lifetime_co2"])
    pairs = {
        "net_present_cost": npc.astype(np.float32),
        "lcoh": out["lcoh"].astype(np.float32),
        "lifetime_co2": out["lifetime_co2"].astype(np.float32),
        "feasible": feasible.astype(np.int8),
    }
    per = {
        "best_design": np.where(has, best, -1).astype(np.int32),
        "best_net_present_cost": best_npc,
        "best_capital_cost": pick(out["capital_cost"]),
        "best_lifetime_co2": best_co2,
        "boiler_net_present_cost": np.asarray(boiler.npc, float) * np.ones(s),
        "boiler_lifetime_co2": boiler_co2 * np.ones(s),
        "npc_saving_vs_boiler": np.asarray(boiler.npc, float) - best_npc,
        "co2_saving_vs_boiler": boiler_co2 - best_co2,
        "feasible_share": feasible.mean(axis=0),
    }
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


def _candidates(spec: SweepSpec, case):
    """The Performance set of the candidate designs and their trial numbers."""
    import xarray as xr

    from designopt.evaluate import PerformanceSet
    from designopt.results import PERFORMANCE_NAME, RESULTS_NAME

    with xr.open_dataset(spec.study / PERFORMANCE_NAME) as ds:
        perf = ds.load()
    trials = np.asarray(perf["design"].values)
    keep = np.ones(trials.size, bool)
    results = spec.study / RESULTS_NAME
    if results.is_file():
        with xr.open_dataset(results) as rs:
            fp = rs.attrs.get("case_fingerprint")
            from designopt.evaluate import build_problem

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
    ps = PerformanceSet.from_dataset(perf.isel(design=np.flatnonzero(keep)))
    return ps, trials[keep], perf.isel(design=np.flatnonzero(keep))


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


def _write_region(store: str, pairs, per, start: int, stop: int, n_designs: int) -> None:
    """Write one batch's region into the Zarr store (runs on a worker)."""
    import xarray as xr

    ds = xr.Dataset(
        {k: (("design", "scenario"), v) for k, v in pairs.items()}
        | {k: (("scenario",), v) for k, v in per.items()},
    )
    ds.to_zarr(
        store,
        region={"design": slice(0, n_designs), "scenario": slice(start, stop)},
        mode="r+",
        consolidated=False,
    )


def _batch_task(ps, case, columns, constraints, reference, store, start, stop):
    pairs, per = value_batch(ps, case, columns, constraints, reference)
    _write_region(store, pairs, per, start, stop, ps.size)
    return start


def _template(spec, table, trials, perf, n_batches, store: Path, fingerprint: str):
    import xarray as xr

    S, D = next(iter(table.values())).size, trials.size
    b = spec.batch_size
    ds = xr.Dataset(coords={"design": ("design", trials), "scenario": np.arange(S)})
    ds["design"].attrs = {"units": "1", "long_name": "trial number of the design in the study"}
    ds["scenario"].attrs = {"units": "1", "long_name": "scenario number"}
    for k, col in table.items():
        unit, long_name = AXES[k][0], AXES[k][1]
        ds = ds.assign_coords({k: ("scenario", col, {"units": unit, "long_name": long_name})})
    import dask.array as da

    for k, (unit, long_name) in PAIR_VARS.items():
        dtype = np.int8 if k == "feasible" else np.float32
        ds[k] = (
            ("design", "scenario"),
            da.zeros((D, S), dtype=dtype, chunks=(D, b)),
            {"units": unit, "long_name": long_name},
        )
    for k, (unit, long_name) in SCENARIO_VARS.items():
        dtype = np.int32 if k == "best_design" else np.float64
        ds[k] = (
            "scenario",
            da.zeros(S, dtype=dtype, chunks=b),
            {"units": unit, "long_name": long_name},
        )
    ds["batch_done"] = (
        "batch",
        da.zeros(n_batches, dtype=np.int8, chunks=1),
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


def run_sweep(
    spec: SweepSpec,
    out_dir: Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run (or resume) ``spec`` into ``out_dir`` and write ``sweep.nc`` and the scenario CSV."""
    import xarray as xr

    from designopt.case import load_case

    case = load_case(spec.case)
    ps, trials, perf = _candidates(spec, case)
    table = scenario_table(spec)
    S = next(iter(table.values())).size
    b = spec.batch_size
    n_batches = math.ceil(S / b)
    constraints = _constraint_names(spec, case)
    store = out_dir / ZARR_NAME
    fingerprint = f"{spec.fingerprint()}-{ps.size}"
    done = np.zeros(n_batches, bool)
    if store.exists():
        try:
            old = xr.open_zarr(store, consolidated=False)
            same = (
                old.attrs.get("sweep_fingerprint") == fingerprint
                and int(old.attrs.get("batch_size", -1)) == b
            )
            if same:
                done = np.asarray(old["batch_done"].values, bool)
            old.close()
        except (OSError, KeyError, ValueError):
            same = False
        if not same:
            shutil.rmtree(store)
    if not store.exists():
        _template(spec, table, trials, perf, n_batches, store, fingerprint)
    todo = [i for i in range(n_batches) if not done[i]]
    if todo:
        _compute(
            spec, case, ps, table, constraints, store, todo, n_batches, workers, scheduler, progress
        )
    return _finish(spec, out_dir, store, perf, S, ps.size, len(todo), n_batches)


def _compute(
    spec, case, ps, table, constraints, store, todo, n_batches, workers, scheduler, progress
):
    import zarr
    from distributed import as_completed

    S = next(iter(table.values())).size
    b = spec.batch_size
    flags = zarr.open_group(str(store), mode="r+")["batch_done"]
    with _client(workers, scheduler) as client:
        [ps_f] = client.scatter([ps], broadcast=True)
        [case_f] = client.scatter([case], broadcast=True)
        futures = []
        for i in todo:
            start, stop = i * b, min(S, (i + 1) * b)
            cols = {k: v[start:stop] for k, v in table.items()}
            futures.append(
                client.submit(
                    _batch_task,
                    ps_f,
                    case_f,
                    cols,
                    constraints,
                    spec.reference,
                    str(store),
                    start,
                    stop,
                    key=f"sweep-batch-{i}-{os.getpid()}",
                    pure=False,
                )
            )
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=n_batches, initial=n_batches - len(todo), unit="batch", desc="sweep")
        for fut in as_completed(futures):
            start = fut.result()
            flags[start // b] = 1
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _finish(spec, out_dir, store, perf, S, D, ran, n_batches) -> SweepResult:
    import xarray as xr

    ds = xr.open_zarr(store, consolidated=False).load()
    for k in ("refrigerant", "evaporator_type", "source"):  # labels of the designs
        if k in perf:
            label = np.asarray(perf[k].values).astype(str)
            ds = ds.assign_coords({k: ("design", label, {"units": "1", "long_name": k})})
    if not bool(ds["batch_done"].all()):
        raise DataFormatError(f"{store}: some batches are not finished; rerun the sweep")
    ds = ds.drop_vars("batch_done")
    ds.attrs["n_scenarios"] = S
    ds.attrs["n_designs"] = D
    ds.attrs["producer"] = "designopt"
    nc = out_dir / NC_NAME
    _atomic(nc, lambda p: ds.to_netcdf(p, engine="h5netcdf"))
    csv = out_dir / CSV_NAME
    rows = ds[[k for k in SCENARIO_VARS]].to_dataframe()
    best = ds["best_design"].values
    if "refrigerant" in ds.coords:
        ref = np.asarray(ds["refrigerant"].values).astype(str)
        rows["best_refrigerant"] = np.where(best >= 0, ref[np.maximum(best, 0)], "")
    rows["best_trial"] = np.where(best >= 0, ds["design"].values[np.maximum(best, 0)], -1)
    _atomic(csv, lambda p: rows.to_csv(p))
    return SweepResult(nc, csv, S, D, ran, n_batches)

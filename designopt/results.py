"""Study results as an :class:`xarray.Dataset` and their NetCDF file.

``from_study`` turns an Optuna study over a :class:`~designopt.search.problem.Problem` into a
Dataset with dims ``trial`` and ``objective``: one variable per design variable, objective,
constraint (``g_<name>``, scaled, met when <= 0) and metric, plus ``feasible``, ``pareto``,
``state`` and ``failure_reason``.  Every variable has ``units`` and ``long_name``; the attrs
record the package version, the case fingerprint, the sampler and seed, and the hypervolume of
the Pareto set against the stated reference point.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from designopt import __version__
from designopt.search.pareto import hypervolume, non_dominated_mask, to_minimisation
from designopt.search.problem import Problem, VariableKind
from designopt.search.study import (
    FAILURE_ATTR,
    METRICS_ATTR,
    PERFORMANCE_ATTR,
    orphan_numbers,
    sampler_runs,
)

if TYPE_CHECKING:
    from designopt.case import Case

RESULTS_NAME = "results.nc"
#: The price-free physics of the study's evaluated trials (:class:`designopt.evaluate.PerformanceSet`).
PERFORMANCE_NAME = "performance.nc"


def reference_point(front_min: np.ndarray, margin: float = 0.1) -> np.ndarray:
    """Default hypervolume reference point (minimisation space): the worst value of each
    objective over ``front_min`` plus ``margin`` times its range (or of its magnitude if flat)."""
    worst = front_min.max(axis=0)
    span = worst - front_min.min(axis=0)
    span = np.where(span > 0, span, np.maximum(np.abs(worst), 1.0))
    return worst + margin * span


@dataclass(frozen=True)
class Record:
    """One evaluated design, whatever produced it (a study trial, a grid point)."""

    number: int
    params: dict[str, Any]
    state: str  # COMPLETE | FAIL
    values: Sequence[float] | None
    constraints: dict[str, float]
    metrics: dict[str, Any]
    failure: str = ""


def records_from_study(study: Any) -> list[Record]:
    """The finished trials of ``study`` as records (orphaned trials left out)."""
    from optuna.trial import TrialState

    out = []
    trials = study.get_trials(deepcopy=False)
    orphans = orphan_numbers(trials)
    for t in trials:
        if t.state not in (TrialState.COMPLETE, TrialState.FAIL) or t.number in orphans:
            continue
        raw = t.user_attrs.get(METRICS_ATTR)
        done = t.state == TrialState.COMPLETE and t.values is not None
        out.append(
            Record(
                number=t.number,
                params=dict(t.params),
                state=t.state.name,
                values=list(t.values) if done else None,
                constraints=dict(t.constraints) if done else {},
                metrics=json.loads(raw) if isinstance(raw, str) else {},
                failure=t.user_attrs.get(FAILURE_ATTR, ""),
            )
        )
    return out


def from_study(
    study: Any, problem: Problem, *, reference: Sequence[float] | None = None
) -> xr.Dataset:
    """Build the results Dataset of ``study`` (orphaned trials left out)."""
    ds = from_records(records_from_study(study), problem, reference=reference)
    runs = sampler_runs(study)
    names = [r["sampler"] for r in runs]
    ds.attrs["sampler"] = ", then ".join(
        n for i, n in enumerate(names) if i == 0 or n != names[i - 1]
    )
    ds.attrs["seed"] = int(runs[0]["seed"]) if len(runs) == 1 else -1
    ds.attrs["search_history"] = "; ".join(
        f"{r['sampler']}, seed {r['seed']} (from trial {r['first_trial']})" for r in runs
    )
    return ds


def _repeats(records: Sequence[Record], problem: Problem) -> np.ndarray:
    """For each record, the trial number of the first earlier record with the same design
    variables (all of them equal), or -1."""
    names = [v.name for v in problem.variables]
    first: dict[tuple, int] = {}
    out = np.full(len(records), -1, dtype=np.int64)
    for i, r in enumerate(records):
        if not r.params:
            continue
        key = tuple(repr(r.params.get(k)) for k in names)
        if key in first:
            out[i] = first[key]
        else:
            first[key] = int(r.number)
    return out


def from_records(
    records: Sequence[Record], problem: Problem, *, reference: Sequence[float] | None = None
) -> xr.Dataset:
    """Build the results Dataset of evaluated designs (dim ``trial`` = record number)."""
    n = len(records)
    obj_names = [o.name for o in problem.objectives]
    con_names = [c.name for c in problem.constraints]
    number = np.array([r.number for r in records], dtype=np.int64)
    state = np.array([r.state for r in records], dtype=object)
    failure = np.array([r.failure or "" for r in records], dtype=object)
    values = np.full((n, len(obj_names)), np.nan)
    cons = np.full((n, len(con_names)), np.nan)
    metrics: list[dict[str, Any]] = []
    for i, r in enumerate(records):
        if r.state == "COMPLETE" and r.values is not None:
            values[i] = r.values
            cons[i] = [r.constraints.get(name, np.nan) for name in con_names]
        metrics.append(r.metrics)
    complete = state == "COMPLETE"
    feasible = (
        complete & np.all(np.nan_to_num(cons, nan=np.inf) <= 0.0, axis=1) if con_names else complete
    )
    pareto = np.zeros(n, dtype=bool)
    vmin = to_minimisation(values, problem.directions)
    idx = np.flatnonzero(feasible)
    if idx.size:
        pareto[idx[non_dominated_mask(vmin[idx])]] = True
    # a sampler may propose the same design again (NSGA-II offspring equal to a parent): the
    # repeat is kept as a trial but marked, and only its first trial is in the Pareto set
    repeat_of = _repeats(records, problem)
    pareto &= repeat_of < 0
    if reference is None:
        ref = reference_point(vmin[idx]) if idx.size else np.full(len(obj_names), np.nan)
        ref_kind = "worst feasible value + 10 % of the feasible range, per objective"
    else:
        ref = to_minimisation(np.asarray(reference, float)[None, :], problem.directions)[0]
        ref_kind = "given"
    hv = hypervolume(vmin[pareto], ref) if idx.size else 0.0

    ds = xr.Dataset(
        coords={"trial": ("trial", number, {"long_name": "trial (design) number", "units": "1"})}
    )
    ds = ds.assign_coords(
        objective=(
            "objective",
            np.array(obj_names, dtype=object),
            {"long_name": "objective name", "units": "1"},
        )
    )
    for v in problem.variables:
        col = [r.params.get(v.name) for r in records]
        if v.kind is VariableKind.CATEGORICAL:
            arr = np.array(["" if c is None else str(c) for c in col], dtype=object)
        else:
            arr = np.array([np.nan if c is None else float(c) for c in col])
        ds[v.name] = (
            "trial",
            arr,
            {"units": v.unit, "long_name": f"design variable {v.name}", "role": "design_variable"},
        )
    for j, o in enumerate(problem.objectives):
        ds[o.name] = (
            "trial",
            values[:, j],
            {
                "units": o.unit,
                "long_name": o.long_name or o.name,
                "role": "objective",
                "direction": o.direction.value,
            },
        )
    for j, c in enumerate(problem.constraints):
        ds[f"g_{c.name}"] = (
            "trial",
            cons[:, j],
            {
                "units": "1",
                "long_name": (c.long_name or c.name) + " (scaled constraint, met when <= 0)",
                "role": "constraint",
            },
        )
    metric_names = sorted({k for m in metrics for k in m})
    for name in metric_names:
        if name in ds:
            continue
        col = [m.get(name) for m in metrics]
        if any(isinstance(c, str) for c in col):
            arr = np.array(["" if c is None else str(c) for c in col], dtype=object)
        else:
            arr = np.array([np.nan if c is None else float(c) for c in col])
        ds[name] = (
            "trial",
            arr,
            {
                "units": problem.metric_units.get(name, "1"),
                "long_name": problem.metric_long_names.get(name, name),
                "role": "metric",
            },
        )
    ds["repeat_of"] = (
        "trial",
        repeat_of,
        {
            "units": "1",
            "long_name": "number of the first trial with the same design variables (-1: none)",
        },
    )
    ds["objective_values"] = (
        ("trial", "objective"),
        values,
        {"units": "1", "long_name": "objective values (each in its own unit)"},
    )
    ds["feasible"] = (
        "trial",
        feasible,
        {"units": "1", "long_name": "evaluated and every constraint met"},
    )
    ds["pareto"] = (
        "trial",
        pareto,
        {"units": "1", "long_name": "feasible and not dominated (Pareto set)"},
    )
    ds["state"] = ("trial", state, {"units": "1", "long_name": "Optuna trial state"})
    ds["failure_reason"] = (
        "trial",
        failure,
        {"units": "1", "long_name": "why the design could not be evaluated"},
    )
    ds.attrs.update(
        {
            "title": f"designopt study {problem.name}",
            "designopt_version": __version__,
            "case_fingerprint": problem.fingerprint,
            "sampler": "",
            "seed": -1,
            "search_history": "",
            "directions": json.dumps(problem.directions),
            "n_trials": int(n),
            "n_feasible": int(feasible.sum()),
            "n_pareto": int(pareto.sum()),
            "hypervolume": float(hv),
            "hypervolume_reference": json.dumps([float(x) for x in ref]),
            "hypervolume_reference_rule": ref_kind
            + " (in minimisation space: maximised objectives negated)",
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }
    )
    return ds


def case_attrs(case: Case) -> dict[str, Any]:
    """Dataset attrs a report takes from the case: the title of its figures and summary
    (:attr:`Case.report_title`), the case's name and description, the economic horizon (axis
    labels such as "20-year net present cost") and the limits that turn scaled constraints
    back into physical units (design heat load; GWP cap when set).  None changes the
    fingerprint or the trials."""
    attrs: dict[str, Any] = {
        "title": case.report_title,
        "case_name": case.name,
        "case_description": case.description,
        "lifetime_years": int(case.economics.lifetime_years),
        "design_heat_load_kW": float(case.building.design_heat_load_kW),
    }
    if case.policy.gwp_cap is not None:
        attrs["gwp_cap"] = float(case.policy.gwp_cap)
    return attrs


def write_atomic(ds: xr.Dataset, path: Path) -> Path:
    """Write ``ds`` to NetCDF at ``path`` atomically (temporary name, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    ds = ds.assign_attrs(producer="designopt")  # who wrote it: only such files are replaced
    enc = {}
    for name, var in ds.variables.items():
        if var.dtype == object:
            enc[name] = {"dtype": str}
    try:
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=enc or None)
    except BaseException:  # e.g. a full disk: leave no half-written file behind
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path


def load(path: Path) -> xr.Dataset:
    """Read a results file written by :func:`write_atomic`."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        out = ds.load()
    for flag in ("feasible", "pareto"):
        if flag in out:
            out[flag] = out[flag].astype(bool)
    return out


def performance_from_study(study: Any) -> xr.Dataset | None:
    """The stored :class:`~designopt.evaluate.Performance` of every finished trial of
    ``study`` as a Dataset over ``design`` (= trial number), or None if no trial kept one (a
    study run before performances were stored).  Re-value it with
    :func:`designopt.evaluate.value_arrays` without CoolProp or pygfunction."""
    from optuna.trial import TrialState

    from designopt.evaluate.performance import Performance, PerformanceSet

    numbers, items = [], []
    for t in study.get_trials(deepcopy=False):
        raw = t.user_attrs.get(PERFORMANCE_ATTR)
        if t.state is TrialState.COMPLETE and isinstance(raw, str):
            numbers.append(t.number)
            items.append(Performance.from_record(json.loads(raw)))
    if not items:
        return None
    ds = PerformanceSet.from_performances(items).to_dataset(design=numbers)
    ds["design"].attrs = {"units": "1", "long_name": "trial number of the study"}
    ds.attrs["designopt_version"] = __version__
    return ds

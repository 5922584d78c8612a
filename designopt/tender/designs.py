"""Where a spec's design comes from: a trial of a finished study, or a case and design values.

Both return a :class:`~designopt.tender.derive.DesignValues`; the rating points that the study
does not store (A2/W35, A-7/W35, A-7/W55 ...) are computed from the design's performance map at
those points only (:func:`designopt.tender.derive.rating_points`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from designopt.errors import ConfigurationError, DataFormatError
from designopt.tender.derive import DesignValues, design_quantities, rating_points

__all__ = ["design_from_case", "design_from_study"]


def design_from_study(folder: str | Path, trial: int, case) -> DesignValues:
    """The design of trial ``trial`` of the study in ``folder`` (its ``results.nc``), valued
    for ``case`` (the study's case file: its receivers, policy and climate)."""

    from designopt.results import RESULTS_NAME, load

    folder = Path(folder)
    path = folder / RESULTS_NAME if folder.is_dir() else folder
    if not path.is_file():
        raise ConfigurationError(f"--study {str(folder)!r}: no study results at {str(path)!r}")
    ds = load(path)
    fp = ds.attrs.get("case_name")
    if fp is not None and str(fp) != str(case.name):
        raise ConfigurationError(
            f"--study {str(folder)!r} is a study of case {str(fp)!r}, not of --case {case.name!r}"
        )
    trials = ds["trial"].values
    if trial not in set(int(t) for t in trials):
        raise ConfigurationError(
            f"--trial {trial} is not in {str(path)!r}; its trials are {int(trials.min())}-"
            f"{int(trials.max())}"
        )
    row = ds.sel(trial=trial)
    state = str(row["state"].values) if "state" in row else "COMPLETE"
    if state != "COMPLETE":
        reason = str(row["failure_reason"].values) if "failure_reason" in row else ""
        raise ConfigurationError(f"trial {trial} did not complete ({state}: {reason})")
    if "feasible" in row and not bool(row["feasible"].values):
        feasible = np.flatnonzero(np.asarray(ds["feasible"].values, bool))
        hint = (
            f"; feasible trials are e.g. {[int(trials[i]) for i in feasible[:5]]}"
            if feasible.size
            else ""
        )
        raise ConfigurationError(
            f"trial {trial} breaks a constraint of its study (not feasible){hint}"
        )
    params: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    for name, var in row.data_vars.items():
        role = ds[name].attrs.get("role")
        val = var.values[()]
        if role == "design_variable":
            params[name] = _py(val)
        elif role == "metric":
            metrics[name] = _py(val)
    return _design(case, params, metrics, f"study {str(folder)!r} trial {trial}")


def design_from_case(case, sets: dict[str, str]) -> DesignValues:
    """The design of ``case`` with ``--set`` values (the rest at the middle of the space, as
    ``designopt evaluate``), evaluated now."""
    from designopt.evaluate import build_problem, design_from_strings
    from designopt.search import evaluate_safely

    params = design_from_strings(case, sets)
    ev = evaluate_safely(build_problem(case), params)
    if ev.failure is not None:
        raise ConfigurationError(f"the design cannot be evaluated: {ev.failure}")
    shown = ", ".join(f"{k}={v}" for k, v in sets.items()) or "the middle of the design space"
    return _design(case, params, dict(ev.metrics), f"case {case.name!r} design ({shown})")


def _design(case, params, metrics, origin) -> DesignValues:
    src = str(case.source.type)
    from designopt.evaluate import resolve

    refrigerant = str(resolve(params, case).get("refrigerant", ""))
    points = rating_points(params, case)
    merged = {**metrics, **points}
    values = design_quantities(merged, source_type=src, refrigerant=refrigerant, case=case)
    if not any(k.startswith("scop@") for k in values):
        raise DataFormatError(f"{origin}: no SCOP among its metrics; is it a design of this case?")
    return DesignValues(src, refrigerant, values, origin, params)


def _py(v):
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(float(v)) else math.nan
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.str_, bytes)):
        return str(v)
    return v.item() if hasattr(v, "item") else v

"""Physics scenarios of a sweep: the candidates assessed once per climate, load and emitter.

A physics axis (``climate``, ``design_heat_load_kW``, ``emitter``) changes what the designs
deliver, so every candidate is assessed again (:func:`designopt.evaluate.assess`: cycle maps,
season, sound power) under the base case with that physics (:func:`physics_case`).  The
assessments run as Dask tasks of a few designs each; every result is stored on disk under
``designopt.cache.cache_dir('sweep')`` keyed by the case fingerprint and the design values, so
a rerun, a resumed sweep or another sweep of the same case assesses nothing twice.  A task
carries only the case (a pydantic model) and plain design dicts: workers build their own
CoolProp states.  A design that cannot be assessed under a physics scenario is a result (it
is infeasible there), not a failure of the sweep.

The hybrid reference (:func:`hybrid_designs`) uses the same machinery: a few heat-pump
candidates, each with a gas boiler and a switchover temperature, assessed under the base case
with a ``[boiler]`` table.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from designopt.case import Case, check_case
from designopt.errors import ConfigurationError, DesignOptError

__all__ = [
    "assess_task",
    "hybrid_case",
    "hybrid_designs",
    "physics_case",
    "physics_table",
]

#: Designs per assessment task (a few seconds of work when nothing is cached).
DESIGNS_PER_TASK = 8


def physics_table(axes: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the physics axes' values, in file order (``[{}]`` without any)."""
    names = list(axes)
    if not names:
        return [{}]
    combos = itertools.product(*(axes[k].values for k in names))
    return [dict(zip(names, c, strict=True)) for c in combos]


def physics_case(case: Case, point: dict[str, Any]) -> Case:
    """The base case with the physics of ``point`` (climate, design heat load, emitter),
    checked like a case file."""
    from designopt.case import Emitter
    from designopt.enums import Climate

    site, building = case.site, case.building
    if "climate" in point:
        v = str(point["climate"])
        if v.lower().endswith(".epw"):
            site = site.model_copy(update={"weather_file": str(Path(v).resolve())})
        else:
            site = site.model_copy(update={"climate": Climate(v), "weather_file": None})
    if "design_heat_load_kW" in point:
        building = building.model_copy(
            update={"design_heat_load_kW": float(point["design_heat_load_kW"])}
        )
    if "emitter" in point:
        building = building.model_copy(update={"emitter": Emitter(point["emitter"])})
    out = case.model_copy(update={"site": site, "building": building})
    try:
        check_case(out)
    except ConfigurationError as exc:
        raise ConfigurationError(f"physics scenario {point}: {exc}") from None
    return out


def hybrid_case(case: Case, operation: str) -> Case:
    """The base case with a condensing gas boiler (``[boiler]`` defaults of
    ``docs/hybrid-boiler.md``); a case that has a ``[boiler]`` keeps it."""
    from designopt.case import BoilerTable

    boiler = case.boiler or BoilerTable(fuel="gas", operation=operation)
    return case.model_copy(update={"boiler": boiler})


def hybrid_designs(
    designs: list[dict[str, Any]], switchovers: list[float], boiler_kW: float
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """Each design with each switchover temperature and the boiler: ``(designs, switchover
    [degC] per design, index of the heat-pump design)``."""
    out, sw, src = [], [], []
    for i, d in enumerate(designs):
        for t in switchovers:
            out.append(
                {**d, "switchover_temperature_degC": float(t), "boiler_kW": float(boiler_kW)}
            )
            sw.append(float(t))
            src.append(i)
    return out, np.array(sw), np.array(src)


def _key(case_fp: str, design: dict[str, Any]) -> str:
    from designopt.cache import stable_hash

    return stable_hash(case_fp, design)


def assess_task(case: Case, designs: list[dict[str, Any]], cache: str) -> list[dict | str]:
    """Assess ``designs`` under ``case`` (a Dask task): per design its Performance record, or
    the reason it could not be assessed (a str).  Results are read from and written to the
    cache folder ``cache``."""
    from designopt.evaluate import assess

    fp = case.fingerprint()
    folder = Path(cache)
    out: list[dict | str] = []
    for d in designs:
        path = folder / f"{_key(fp, d)}.json"
        if path.is_file():
            try:
                out.append(json.loads(path.read_text("utf-8"))["result"])
                continue
            except (OSError, ValueError, KeyError):
                pass  # a torn file: assess again
        try:
            result: dict | str = assess(d, case).to_record()
        except DesignOptError as exc:
            result = f"{type(exc).__name__}: {exc}"
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"design": d, "result": result}), encoding="utf-8")
        os.replace(tmp, path)
        out.append(result)
    return out

"""Speed and quality of the design study on the ashp_retrofit case.

Speed: wall time of ``designopt run`` (NSGA-II, journal storage, N workers) for N trials.
Quality: on a discretised copy of the case (a grid small enough to enumerate), the exact front
is found by enumerating every design; a study over the same grid must reach >= 98 % of its
hypervolume (same reference point).

    python benchmarks/bench_study.py speed [--trials 2000] [--workers 2]
    python benchmarks/bench_study.py quality [--trials 600] [--workers 2]

Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from designopt.case import load_case
from designopt.evaluate import build_problem
from designopt.results import from_records, from_study
from designopt.search import StudySettings, hypervolume, run_study, to_minimisation
from designopt.search.grid import discretised, enumerate_designs, grid_designs

CASE = Path(__file__).resolve().parents[1] / "casestudies" / "ashp_retrofit" / "case.toml"

#: Grids of the quality benchmark (two refrigerants, R290 and R32).
GRIDS = {
    # 2 x 4 x 3 x 4 x 3 x 3 x 3 = 2,592 designs
    "small": {
        "evaporator_area_m2": 4,
        "condenser_area_m2": 3,
        "swept_volume_cm3": 4,
        "fan_diameter_m": 3,
        "air_flow_per_area_m3_s_m2": 3,
        "backup_kW": 3,
    },
    # 2 x 5 x 4 x 5 x 4 x 4 x 4 = 12,800 designs
    "large": {
        "evaporator_area_m2": 5,
        "condenser_area_m2": 4,
        "swept_volume_cm3": 5,
        "fan_diameter_m": 4,
        "air_flow_per_area_m3_s_m2": 4,
        "backup_kW": 4,
    },
}


def speed(trials: int, workers: int) -> None:
    case = load_case(CASE)
    problem = build_problem(case)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        study = run_study(
            problem, StudySettings(out_dir=Path(d), n_trials=trials, seed=1, workers=workers)
        )
        dt = time.perf_counter() - t0
        ds = from_study(study, problem)
    print(
        f"{trials} trials, {workers} workers: {dt:.1f} s ({1000 * dt / trials:.0f} ms/trial wall),"
        f" {ds.attrs['n_feasible']} feasible, {ds.attrs['n_pareto']} Pareto designs"
    )


def quality(
    trials: int,
    workers: int,
    *,
    sampler: str = "nsga2",
    population: int = 50,
    exact_cache: str | None = None,
    seed: int = 1,
    grid: str = "small",
) -> None:
    case = load_case(CASE)
    base = build_problem(case)
    # two refrigerants keep the grid small enough to enumerate
    import dataclasses

    variables = tuple(
        dataclasses.replace(v, choices=("R290", "R32")) if v.name == "refrigerant" else v
        for v in base.variables
    )
    problem = discretised(dataclasses.replace(base, variables=variables), GRIDS[grid])
    designs = grid_designs(problem)
    t0 = time.perf_counter()
    if exact_cache and Path(exact_cache).exists():
        from designopt.results import load

        exact = load(Path(exact_cache))
    else:
        exact = from_records(enumerate_designs(problem, designs, workers=workers), problem)
        if exact_cache:
            from designopt.results import write_atomic

            write_atomic(exact, Path(exact_cache))
    t_enum = time.perf_counter() - t0
    names = [o.name for o in problem.objectives]
    ref = np.array(json.loads(exact.attrs["hypervolume_reference"]), float)
    vals = to_minimisation(np.column_stack([exact[n].values for n in names]), problem.directions)
    hv_exact = hypervolume(vals[exact.pareto.values], ref)
    print(
        f"grid: {len(designs)} designs enumerated in {t_enum:.0f} s; {int(exact.feasible.sum())} feasible,"
        f" {int(exact.pareto.sum())} on the exact front; HV = {hv_exact:.6g} (ref {ref.tolist()})"
    )
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        study = run_study(
            problem, StudySettings(out_dir=Path(d), n_trials=trials, seed=1, workers=workers)
        )
        t_study = time.perf_counter() - t0
        ds = from_study(study, problem, reference=ref.tolist())
    print(
        f"study: {trials} trials in {t_study:.0f} s; HV = {ds.attrs['hypervolume']:.6g}"
        f" = {100 * ds.attrs['hypervolume'] / hv_exact:.1f} % of the exact front's"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["speed", "quality"])
    ap.add_argument("--trials", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sampler", default="nsga2")
    ap.add_argument("--population", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--grid", choices=sorted(GRIDS), default="small")
    ap.add_argument("--exact-cache", default=None, help="NetCDF file to keep the enumeration in")
    a = ap.parse_args()
    if a.what == "speed":
        speed(a.trials or 2000, a.workers)
    else:
        quality(
            a.trials or 600,
            a.workers,
            sampler=a.sampler,
            population=a.population,
            exact_cache=a.exact_cache,
            seed=a.seed,
            grid=a.grid,
        )

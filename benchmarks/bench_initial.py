"""Small studies with and without the screened initial population (designopt.evaluate.initial).

For each trial count and seed, a new study of the case (NSGA-II, the case's population, one
worker) is run twice: from the sampler alone ("before": ``initial_population=False``, what
``designopt run`` did before) and from the initial population ("after").  Printed per run and
as means over the seeds: the feasible share of the trials, the size of the Pareto front, its
hypervolume against one reference point shared by all runs of a trial count (worst feasible
value of every objective over those runs plus 10 % of the range) and the wall time (the
screening included).

    python benchmarks/bench_initial.py [--case casestudies/ashp_retrofit/case.toml]
        [--trials 40 80 150] [--seeds 1 2 3]

Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from designopt.case import load_case
from designopt.evaluate import build_problem
from designopt.results import from_study
from designopt.search import StudySettings, hypervolume, run_study, to_minimisation

CASE = Path(__file__).resolve().parents[1] / "casestudies" / "ashp_retrofit" / "case.toml"


def one_run(problem, case, trials: int, seed: int, initial: bool) -> dict:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        study = run_study(
            problem,
            StudySettings(
                out_dir=Path(d),
                n_trials=trials,
                seed=seed,
                workers=1,
                population_size=case.optimisation.population_size,
                initial_population=initial,
            ),
        )
        wall = time.perf_counter() - t0
        ds = from_study(study, problem)
    feasible = ds.feasible.values
    values = to_minimisation(ds.objective_values.values, problem.directions)
    return {
        "trials": trials,
        "seed": seed,
        "mode": "after" if initial else "before",
        "feasible": int(feasible.sum()),
        "share": float(feasible.mean()),
        "front": int(ds.pareto.sum()),
        "points": values[feasible],
        "pareto": values[ds.pareto.values],
        "wall_s": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", type=Path, default=CASE)
    ap.add_argument("--trials", type=int, nargs="+", default=[40, 80, 150])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()
    case = load_case(args.case)
    problem = build_problem(case)
    print(
        f"case {case.name}: NSGA-II, population {case.optimisation.population_size}, 1 worker; "
        f"trials {args.trials}, seeds {args.seeds}"
    )
    runs = [
        one_run(problem, case, n, seed, initial)
        for n in args.trials
        for seed in args.seeds
        for initial in (False, True)
    ]
    for n in args.trials:  # one reference point per trial count
        pts = [r["points"] for r in runs if r["trials"] == n and len(r["points"])]
        if not pts:
            for r in runs:
                if r["trials"] == n:
                    r["hv"] = 0.0
            continue
        allp = np.vstack(pts)
        ref = allp.max(axis=0) + 0.1 * (allp.max(axis=0) - allp.min(axis=0))
        for r in runs:
            if r["trials"] == n:
                r["hv"] = hypervolume(r["pareto"], ref) if len(r["pareto"]) else 0.0
        best = max(r["hv"] for r in runs if r["trials"] == n) or 1.0
        for r in runs:
            if r["trials"] == n:
                r["hv_pct"] = 100.0 * r["hv"] / best

    print("\nper run (hypervolume in % of the best run of the same trial count)")
    print(
        "| trials | seed | mode | feasible | feasible share | front size | hypervolume | wall [s] |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in runs:
        print(
            f"| {r['trials']} | {r['seed']} | {r['mode']} | {r['feasible']} | "
            f"{100 * r['share']:.0f} % | {r['front']} | {r['hv_pct']:.0f} % | {r['wall_s']:.1f} |"
        )
    print(f"\nmeans over seeds {args.seeds}")
    print(
        "| trials | feasible share before | after | front size before | after | "
        "hypervolume before | after | wall before [s] | after [s] | runs with no feasible design before | after |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.trials:
        b = [r for r in runs if r["trials"] == n and r["mode"] == "before"]
        a = [r for r in runs if r["trials"] == n and r["mode"] == "after"]

        def m(rs, k):
            return float(np.mean([r[k] for r in rs]))

        print(
            f"| {n} | {100 * m(b, 'share'):.0f} % | {100 * m(a, 'share'):.0f} % | "
            f"{m(b, 'front'):.1f} | {m(a, 'front'):.1f} | {m(b, 'hv_pct'):.0f} % | "
            f"{m(a, 'hv_pct'):.0f} % | {m(b, 'wall_s'):.1f} | {m(a, 'wall_s'):.1f} | "
            f"{sum(r['feasible'] == 0 for r in b)} of {len(b)} | "
            f"{sum(r['feasible'] == 0 for r in a)} of {len(a)} |"
        )


if __name__ == "__main__":
    main()

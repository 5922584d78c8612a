"""Storage overhead per trial of the study machinery (NSGA-II on the Binh-Korn problem).

Compares designopt's journal-file study (ask/tell, run lock, constraints, metrics attribute) with
a bare Optuna in-memory study doing the same ask/tell work, so the difference is the price of
durable, resumable storage.

    python benchmarks/bench_search_storage.py [N_TRIALS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import optuna

from designopt.search import StudySettings, run_study
from designopt.search.problem import suggest
from designopt.search.testing import bnh_problem


def in_memory(n: int) -> float:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    problem = bnh_problem()
    study = optuna.create_study(
        directions=problem.directions, sampler=optuna.samplers.NSGAIISampler(seed=1)
    )
    t0 = time.perf_counter()
    for _ in range(n):
        trial = study.ask()
        ev = problem.evaluate(suggest(trial, problem.variables))
        for c in problem.constraints:
            trial.set_constraint(c.name, ev.constraints[c.name])
        study.tell(trial, problem.objective_values(ev))
    return time.perf_counter() - t0


def journal(n: int, workers: int = 1) -> float:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        run_study(
            bnh_problem(), StudySettings(out_dir=Path(d), n_trials=n, seed=1, workers=workers)
        )
        return time.perf_counter() - t0


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tm = in_memory(n)
    tj = journal(n)
    print(f"NSGA-II, {n} trials, Binh-Korn (evaluation ~us):")
    print(f"  optuna in-memory ask/tell : {tm:7.1f} s  {1000 * tm / n:6.1f} ms/trial")
    print(f"  designopt journal study   : {tj:7.1f} s  {1000 * tj / n:6.1f} ms/trial")

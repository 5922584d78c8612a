"""``designopt run CASE``: run (or resume) the design study of a case file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "run"
HELP = "run or resume the multi-objective design study of a case file (rerun to resume)"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", type=Path, help="case TOML file")
    p.add_argument(
        "--trials", type=int, default=None, help="total number of trials (default: the case's)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default: results/<case name>)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes on this machine (default: the case's)",
    )
    p.add_argument("--seed", type=int, default=None, help="sampler seed (default: the case's)")
    p.add_argument("--sampler", default=None, help="nsga2 (default), nsga3, tpe, random or qmc")
    p.add_argument(
        "--storage",
        default=None,
        help="Optuna RDB URL for many machines (default: journal file in --out)",
    )
    p.add_argument(
        "--no-initial-population",
        action="store_true",
        help="start a new study from the sampler alone, without the screened initial population",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-report", action="store_true", help="skip figures and summary")


def run(args: argparse.Namespace) -> int:
    from designopt.case import load_case
    from designopt.evaluate import build_problem
    from designopt.results import (
        PERFORMANCE_NAME,
        RESULTS_NAME,
        from_study,
        performance_from_study,
        write_atomic,
    )
    from designopt.search import StudySettings, run_study

    case = load_case(args.case)
    opt = case.optimisation
    out = args.out or Path("results") / case.name
    settings = StudySettings(
        out_dir=out,
        n_trials=args.trials if args.trials is not None else opt.trials,
        sampler=args.sampler or opt.sampler,
        seed=args.seed if args.seed is not None else opt.seed,
        workers=args.workers if args.workers is not None else opt.workers,
        storage_url=args.storage,
        population_size=opt.population_size,
        progress=not args.no_progress,
        initial_population=not args.no_initial_population,
    )
    problem = build_problem(case)
    study = run_study(problem, settings)
    ds = from_study(study, problem)
    path = write_atomic(ds, settings.out_dir / RESULTS_NAME)
    perf = performance_from_study(study)
    if perf is not None:  # the physics of every evaluated design, for re-valuation later
        write_atomic(perf, settings.out_dir / PERFORMANCE_NAME)
    print(
        f"designopt run: {ds.attrs['n_trials']} trials, {ds.attrs['n_feasible']} feasible, "
        f"{ds.attrs['n_pareto']} Pareto designs -> {path}"
    )
    if not args.no_report:
        from designopt.report import write_report

        write_report(ds, settings.out_dir)
        print(f"designopt run: figures and summary in {settings.out_dir}")
    if ds.attrs["n_pareto"] == 0:
        print(
            "designopt run: no feasible design was found; relax the constraints or widen the design "
            "space (see summary.md for the most frequent failure reasons)",
            file=sys.stderr,
        )
        return 3
    return 0

"""``designopt run CASE``: run (or resume) the design study of a case file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "run"
HELP = "run or resume the multi-objective design study of a case file (rerun to resume)"


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{value} is outside 0 .. 2**32-1 (numpy's seed range)")
    return value


def _check_storage_url(url: str) -> None:
    """A one-line error for a ``--storage`` value that is not a database URL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from designopt.errors import ConfigurationError

    try:
        make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"--storage {url!r} is not a database URL; e.g. postgresql://user@host/db or "
            "sqlite:///study.db (leave it out for the journal file in --out)"
        ) from None


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", type=Path, help="case TOML file")
    p.add_argument(
        "--trials", type=int, default=None, help="total number of trials (default: the case's)"
    )
    p.add_argument(
        "--out", type=str, default=None, help="output folder (default: results/<case name>)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes on this machine (default: the case's)",
    )
    p.add_argument(
        "--seed", type=_seed, default=None, help="sampler seed, 0 to 2**32-1 (default: the case's)"
    )
    p.add_argument("--sampler", default=None, help="nsga2 (default), nsga3, tpe, random or qmc")
    p.add_argument(
        "--storage",
        default=None,
        help="Optuna RDB URL for many machines (default: journal file in --out)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into an --out folder that holds files designopt did not write",
    )
    p.add_argument(
        "--heartbeat",
        type=int,
        default=None,
        metavar="SECONDS",
        help="with --storage: seconds between a worker's heartbeats; a trial silent for twice"
        " this is failed and re-queued (default 20)",
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
    from designopt.cli._outputs import output_folder
    from designopt.errors import StudyInterrupted
    from designopt.evaluate import build_problem
    from designopt.results import (
        PERFORMANCE_NAME,
        RESULTS_NAME,
        case_attrs,
        from_study,
        performance_from_study,
        write_atomic,
    )
    from designopt.search import StudySettings, run_study
    from designopt.search.study import EXIT_INTERRUPTED

    case = load_case(args.case)
    opt = case.optimisation
    if args.storage is not None:
        _check_storage_url(args.storage)
    out = output_folder(
        args.out if args.out is not None else Path("results") / case.name, force=args.force
    )
    settings = StudySettings(
        out_dir=out,
        n_trials=args.trials if args.trials is not None else opt.trials,
        sampler=args.sampler or opt.sampler,
        seed=args.seed if args.seed is not None else opt.seed,
        workers=args.workers if args.workers is not None else opt.workers,
        storage_url=args.storage,
        population_size=opt.population_size,
        progress=not args.no_progress,
        **({} if args.heartbeat is None else {"heartbeat_interval_s": args.heartbeat}),
        initial_population=not args.no_initial_population,
    )
    problem = build_problem(case)
    stopped: StudyInterrupted | None = None
    try:
        study = run_study(problem, settings)
    except StudyInterrupted as exc:  # the workers have stopped: write what is finished
        study, stopped = exc.study, exc
    try:
        ds = from_study(study, problem)
        ds.attrs.update(case_attrs(case))
        if stopped is not None:
            ds.attrs["stopped_by"] = stopped.signal_name
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
    except OSError as exc:  # the study is done; only its results files could not be written
        from designopt.search.study import FULL_ERRNOS, storage_full_error

        if exc.errno not in FULL_ERRNOS:
            raise
        raise storage_full_error(settings, exc) from exc
    if stopped is not None:
        print(f"designopt run: {stopped}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if ds.attrs["n_pareto"] == 0:
        from designopt.report import blocking_text

        print(
            f"designopt run: no feasible design was found; {blocking_text(ds)} (summary.md has"
            " the table and the most frequent failure reasons)",
            file=sys.stderr,
        )
        return 3
    return 0

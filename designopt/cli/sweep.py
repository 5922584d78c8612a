"""``designopt sweep SWEEP.toml``: value a study's designs under many scenarios (policy what-if)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "sweep"
HELP = (
    "value a finished study's designs under many price, carbon, grant, rule and climate"
    " scenarios against a gas boiler and a hybrid (Dask)"
)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 512:
        raise argparse.ArgumentTypeError(f"{value} must lie in 1 .. 512")
    return value


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("sweep", type=Path, help="sweep TOML file (docs/sweep.md)")
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default: results/sweep_<name>)"
    )
    p.add_argument(
        "--workers", type=_positive, default=2, help="local Dask worker processes (default 2)"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="address of a running Dask scheduler (tcp://HOST:PORT) instead of local workers",
    )
    p.add_argument("--force", action="store_true", help="write into a non-empty foreign --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--no-report", action="store_true", help="no figures and summary.md (sweep.nc and CSV only)"
    )


def run(args: argparse.Namespace) -> int:
    from designopt.cli._outputs import output_folder
    from designopt.sweep import load_sweep, run_sweep

    spec = load_sweep(args.sweep)
    out = output_folder(
        args.out if args.out is not None else Path("results") / f"sweep_{spec.name}",
        force=args.force,
    )
    res = run_sweep(
        spec,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.no_progress,
        report=not args.no_report,
    )
    physics = f" x {res.n_physics} physics scenarios" if res.n_physics > 1 else ""
    print(
        f"designopt sweep: {res.n_scenarios} scenarios{physics} x {res.n_designs} designs"
        f" ({res.batches_run} of {res.batches_total} batches computed now) -> {res.netcdf},"
        f" {res.csv}" + (f", {len(res.figures)} figures and summary.md" if res.figures else ""),
        file=sys.stdout,
    )
    return 0

"""``designopt report DIR``: rebuild the figures and the summary of a finished study."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "report"
HELP = "rebuild figures and the Markdown summary from DIR/results.nc"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="study output folder (holding results.nc)")


def run(args: argparse.Namespace) -> int:
    from designopt.errors import ConfigurationError
    from designopt.report import write_report
    from designopt.results import RESULTS_NAME, load

    path = args.dir / RESULTS_NAME
    if not path.is_file():
        raise ConfigurationError(
            f"{path} does not exist; run 'designopt run CASE --out {args.dir}' first"
        )
    from designopt.cli._outputs import is_designopt_netcdf

    if not is_designopt_netcdf(path):
        raise ConfigurationError(
            f"{path} is not a results file written by designopt; 'designopt report' rebuilds "
            "the report of a study folder"
        )
    try:
        ds = load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigurationError(f"{path} cannot be read as designopt results: {exc}") from None
    for p in write_report(ds, args.dir):
        print(p)
    return 0

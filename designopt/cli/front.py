"""``designopt front --exact``: exact ε-constraint Pareto front over evaluated designs."""

from __future__ import annotations

import argparse
from pathlib import Path

from designopt.cli._outputs import add_force_argument

NAME = "front"
HELP = "exact capital/lifetime-cost Pareto front by ε-constraint (HiGHS), compared with the Optuna front"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", type=Path, help="case TOML file")
    p.add_argument(
        "--exact",
        action="store_true",
        required=True,
        help="compute the exact front (ε-constraint MILP)",
    )
    p.add_argument(
        "--designs",
        type=Path,
        default=None,
        help="evaluated discretised designs: results.nc (dim trial) or CSV; default: enumerate"
        " the case's design space on a grid of --grid-points values per numeric variable",
    )
    p.add_argument(
        "--grid-points", type=int, default=3, help="grid values per numeric variable (default 3)"
    )
    p.add_argument(
        "--workers", type=int, default=2, help="processes for the grid enumeration (default 2)"
    )
    p.add_argument("--capital", default="capital_cost", help="capital-cost column")
    p.add_argument("--lifetime", default="net_present_cost", help="lifetime-cost column")
    p.add_argument(
        "--points", default="20", help="number of ε values, or 'all' to walk the whole front"
    )
    p.add_argument(
        "--study",
        type=Path,
        default=None,
        help="Optuna study folder or results.nc to compare (default: results/<case>)",
    )
    p.add_argument(
        "--out",
        type=str,
        default=None,
        help="NetCDF output (default: results/<case>/front_exact.nc)",
    )
    p.add_argument(
        "--no-plot", action="store_true", help="skip the PNG figure next to the NetCDF file"
    )
    add_force_argument(p)


def _table(path: Path):
    import pandas as pd
    import xarray as xr

    if path.suffix == ".csv":
        return pd.read_csv(path, comment="#")
    return xr.load_dataset(path)


def _enumerate(args: argparse.Namespace, case) -> Path:
    """Evaluate every design of the case's space on a grid; write and return the results file."""
    import time

    from designopt.case import load_case
    from designopt.evaluate import build_problem
    from designopt.results import from_records, write_atomic
    from designopt.search.grid import discretised, enumerate_designs, grid_designs

    problem = discretised(build_problem(load_case(args.case)), args.grid_points)
    designs = grid_designs(problem)
    print(
        f"designopt front: enumerating {len(designs)} designs ({args.grid_points} values per numeric variable)"
    )
    t0 = time.perf_counter()
    ds = from_records(enumerate_designs(problem, designs, workers=args.workers), problem)
    out = (
        Path(args.out).parent if args.out else Path("results") / case.name
    ) / f"designs_grid{args.grid_points}.nc"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(ds, out)
    print(f"  {int(ds.feasible.sum())} feasible in {time.perf_counter() - t0:.0f} s -> {out}")
    return out


def run(args: argparse.Namespace) -> int:
    import hashlib
    import json

    import numpy as np

    from designopt.cli._outputs import output_file
    from designopt.errors import ConfigurationError
    from designopt.results import RESULTS_NAME, write_atomic
    from formulations.case_data import design_space_from_table, load_case_for_formulations
    from formulations.epsilon import compare_fronts, epsilon_front

    case = load_case_for_formulations(args.case)
    if args.points == "all":
        n_points = None
    else:
        try:
            n_points = int(args.points)
        except ValueError:
            raise ConfigurationError(
                f"--points {args.points!r} must be an integer >= 2 or 'all'"
            ) from None
    if args.designs is None:
        args.designs = _enumerate(args, case)
    elif not Path(args.designs).is_file():
        raise ConfigurationError(
            f"--designs {str(args.designs)!r} is not a file; give a results.nc (dim trial) or a CSV"
        )
    space = design_space_from_table(
        _table(args.designs), capital=args.capital, lifetime=args.lifetime
    )
    ds = epsilon_front(space, n_points=n_points)
    ds.attrs.update(
        {
            "case_file": str(args.case),
            "case_sha256": hashlib.sha256(Path(args.case).read_bytes()).hexdigest(),
            "designs_file": str(args.designs),
        }
    )
    study = args.study or Path("results") / case.name
    study = study / RESULTS_NAME if study.is_dir() else study
    other = None
    print(
        f"designopt front: {ds.sizes['point']} exact Pareto points from {space.feasible.sum()} feasible of {space.n} designs"
    )
    if study.is_file():
        res = _table(study)
        cols = list(res.data_vars) if hasattr(res, "data_vars") else list(res.columns)
        cap = np.asarray(res[args.capital].values, float)
        life = np.asarray(res[args.lifetime].values, float)
        mask = (
            np.asarray(res["pareto"].values, bool) if "pareto" in cols else np.isfinite(cap + life)
        )
        other = np.c_[cap[mask], life[mask]]
        exact = np.c_[ds.capital_cost.values, ds.lifetime_cost.values]
        cmp = compare_fronts(exact, other)
        ds.attrs.update(
            {
                "compared_study": str(study),
                "study_points_all_weakly_dominated": int(cmp.all_weakly_dominated),
                "study_points_not_dominated": json.dumps(cmp.not_dominated.tolist()),
                "hypervolume_reference": json.dumps(list(cmp.reference_point)),
                "hypervolume_exact": cmp.hypervolume_exact,
                "hypervolume_study": cmp.hypervolume_other,
                "hypervolume_gap_pct": cmp.hypervolume_gap_pct,
            }
        )
        print(
            f"  study front ({other.shape[0]} points): all weakly dominated = {cmp.all_weakly_dominated}; hypervolume gap {cmp.hypervolume_gap_pct:.2f} % (reference {cmp.reference_point})"
        )
    else:
        print(f"  no study results at {study}: nothing to compare")
    out = output_file(
        args.out if args.out is not None else Path("results") / case.name / "front_exact.nc",
        suffix=".nc",
        inputs=[args.case],
        force=args.force,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(ds, out)
    if not args.no_plot:
        from formulations.plots import plot_front

        fig = plot_front(ds, out.with_suffix(".png"), other=other)
        print(f"  figure {fig}")
    print(
        f"  build {ds.attrs['build_time_s']:.2f} s, solve {ds.attrs['solve_time_s']:.2f} s -> {out}"
    )
    return 0

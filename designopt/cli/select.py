"""``designopt select``: choose one certified heat pump and size its back-up (selection MILP)."""

from __future__ import annotations

import argparse
from pathlib import Path

from designopt.cli._outputs import add_force_argument

NAME = "select"
HELP = (
    "pick the cheapest certified heat pump + back-up for a case (Pyomo/HiGHS MILP on EN 14825 bins)"
)


#: Largest candidate file read [bytes] (the full hplib catalogue is about 1 MB).
MAX_CANDIDATE_BYTES = 200_000_000


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", type=Path, help="case TOML file")
    p.add_argument(
        "--candidates",
        default="hplib",
        help="'hplib' (the installed hplib database, default), a CSV in hplib's format, "
        "a Keymark-layout CSV of declared EN 14825 records, or a study folder / results.nc "
        "(its feasible Pareto designs, re-evaluated to EN 14825 bins)",
    )
    p.add_argument("--backup", choices=["electric", "gas"], default="electric", help="back-up kind")
    p.add_argument(
        "--borehole",
        type=Path,
        default=None,
        help="ground cases: CSV with columns extraction_W,length_m (sizing results; first row 0,0)",
    )
    p.add_argument(
        "--borefield",
        type=Path,
        default=None,
        help="ground cases: borefield TOML (see docs/ground.md); the surrogate is built by sizing runs",
    )
    p.add_argument("--time-limit", type=float, default=60.0, help="solver time limit [s]")
    p.add_argument(
        "--out",
        type=str,
        default=None,
        help="NetCDF output (default: results/<case>/selection.nc)",
    )
    add_force_argument(p)


def run(args: argparse.Namespace) -> int:
    import hashlib

    import numpy as np
    import pandas as pd

    from designopt.cli._outputs import output_file
    from designopt.errors import ConfigurationError, DataFormatError
    from designopt.io.hplib_catalogue import load_hplib_catalogue
    from designopt.results import write_atomic
    from formulations.case_data import load_case_for_formulations, selection_data_from_case
    from formulations.data import BackupKind, BoreholeSurrogate
    from formulations.selection import solve_selection

    case = load_case_for_formulations(args.case)
    out = output_file(
        args.out if args.out is not None else Path("results") / case.name / "selection.nc",
        suffix=".nc",
        inputs=[args.case, args.candidates if args.candidates != "hplib" else None],
        force=args.force,
    )
    src = args.candidates
    if src != "hplib" and not Path(src).exists():
        raise ConfigurationError(
            f"--candidates {src}: no such file or folder; give 'hplib', a CSV (hplib or Keymark "
            "layout) or a study folder / results.nc"
        )
    if src != "hplib" and not (Path(src).is_dir() or Path(src).is_file()):
        raise ConfigurationError(
            f"--candidates {src}: not a regular file or folder (a device or pipe); give a CSV, "
            "a study folder or a results.nc"
        )
    if src != "hplib" and Path(src).is_file() and Path(src).stat().st_size > MAX_CANDIDATE_BYTES:
        raise ConfigurationError(
            f"--candidates {src}: {Path(src).stat().st_size / 1e6:.0f} MB is more than "
            f"{MAX_CANDIDATE_BYTES / 1e6:.0f} MB; a candidate table is far smaller"
        )
    study = None
    if src != "hplib" and (Path(src).is_dir() or Path(src).suffix == ".nc"):
        import xarray as xr

        from designopt.results import RESULTS_NAME

        path = Path(src) / RESULTS_NAME if Path(src).is_dir() else Path(src)
        if not path.is_file():
            raise ConfigurationError(f"--candidates {src}: no study results at {path}")
        study = xr.load_dataset(path)
    if study is not None:
        cat = None
    elif src != "hplib" and "Pdh_m7_kW" in Path(src).read_text(errors="replace")[:5000]:
        cat = Path(src)  # Keymark layout: declared EN 14825 records
    else:
        cat = load_hplib_catalogue(None if src == "hplib" else src)
    borehole = None
    if args.borehole is not None:
        try:
            tab = pd.read_csv(args.borehole, comment="#")
            borehole = BoreholeSurrogate(
                extraction_W=tab["extraction_W"].to_numpy(float),
                length_m=tab["length_m"].to_numpy(float),
                cost_per_m_EUR=_borehole_cost_per_m(),
            )
        except (OSError, KeyError) as exc:
            raise DataFormatError(
                f"--borehole {args.borehole}: need columns extraction_W,length_m ({exc})"
            ) from exc
    if args.borefield is not None:
        import functools

        from designopt.io.borefield_toml import load_borefield_case
        from formulations.case_data import borehole_surrogate_from_borefield

        borehole = functools.partial(
            borehole_surrogate_from_borefield, load_borefield_case(args.borefield)
        )
    kind = BackupKind.GAS_BOILER if args.backup == "gas" else BackupKind.ELECTRIC
    if study is not None:
        from formulations.case_data import selection_data_from_study

        data = selection_data_from_study(case, study, backup_kind=kind)
    else:
        data = selection_data_from_case(case, cat, borehole=borehole, backup_kind=kind)
    ds, _, res = solve_selection(data, time_limit_s=args.time_limit)
    ds.attrs["case_file"] = str(args.case)
    ds.attrs["case_sha256"] = hashlib.sha256(Path(args.case).read_bytes()).hexdigest()
    ds.attrs["candidates"] = src
    write_atomic(ds, out)
    i = int(ds.attrs["selected_index"])
    print(
        f"designopt select: {ds.attrs['selected_name']} out of {data.candidates.n} {case.source.type} candidates"
    )
    print(
        f"  annualised cost {float(ds.annualised_cost):.0f} EUR/a (capital {float(ds.capital):.0f} EUR, energy {float(ds.energy_cost):.0f} EUR/a)"
    )
    print(
        f"  back-up {float(ds.backup_capacity) / 1e3:.2f} kW ({kind.value}), borehole {float(ds.borehole_length):.0f} m"
    )
    if np.isfinite(data.candidates.receiver_level_dB[i]) and data.noise_limit_dB is not None:
        lv = data.candidates.receiver_level_dB[i]
        if data.noise_basis == "margin":
            print(f"  worst noise margin {lv:+.1f} dB")
        else:
            print(f"  receiver level {lv:.1f} dB(A) (limit {data.noise_limit_dB:.1f})")
    print(
        f"  {ds.attrs['n_variables']} variables ({ds.attrs['n_binaries']} binary), build {ds.attrs['build_time_s']:.2f} s, solve {res.wall_time_s:.2f} s -> {out}"
    )
    return 0


def _borehole_cost_per_m() -> float:
    from formulations.case_data import linear_cost

    return linear_cost("borehole_length_m", "borehole_drilling")[1]

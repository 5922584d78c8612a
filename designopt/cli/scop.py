"""``designopt scop``: rate declared EN 14825 performance (Keymark CSV layout).

Writes every input row with the added columns ``SCOP_calc``, ``SCOP_on_calc``,
``SCOP_net_calc``, ``eta_s_calc_pct`` and ``status`` (empty when the row was rated; otherwise
the reason, with NaN figures). A row that cannot be rated never stops the command.

When the file has a declared ``SCOP`` column, three checking columns follow
(:func:`designopt.seasonal.check_declared`): ``SCOP_deviation_pct`` (calculated vs declared),
``SCOP_consistent`` (within ``--tolerance-pct``) and ``SCOP_explained_by`` (empty when
consistent, else the certificate convention that reproduces the declared value, or
``unexplained``).
"""

from __future__ import annotations

import argparse

from designopt.cli._outputs import add_force_argument

NAME = "scop"
HELP = "EN 14825 SCOP, SCOP_on, SCOP_net and eta_s from declared (Keymark-layout) performance"


def register(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument(
        "--declared", required=True, metavar="FILE.csv", help="declared performance (Keymark CSV)"
    )
    parser.add_argument("--out", required=True, metavar="OUT.csv", help="output CSV")
    parser.add_argument(
        "--cc",
        type=float,
        default=2.5,
        help="primary energy conversion coefficient for eta_s (2.5: Reg. 813/2013; 1.9: EED 2023)",
    )
    parser.add_argument(
        "--tolerance-pct",
        type=float,
        default=2.0,
        help="tolerance of the declared-SCOP check when the file has a SCOP column [%%] (default 2)",
    )
    add_force_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Rate the file and write the result; return 0 (rows that fail are flagged, not fatal)."""
    import numpy as np

    from designopt.errors import ConfigurationError
    from designopt.io.keymark import read_declared
    from designopt.seasonal.en14825 import check_declared, rate_declared

    if not (np.isfinite(args.tolerance_pct) and args.tolerance_pct > 0):
        raise ConfigurationError(f"--tolerance-pct {args.tolerance_pct} must be a number > 0")
    from pathlib import Path

    from designopt.cli._outputs import csv_with_header, output_file

    if not Path(args.declared).is_file():
        raise ConfigurationError(
            f"--declared {args.declared!r} is not a file; give a Keymark-layout CSV"
        )
    out_path = output_file(
        args.out,
        suffix=".csv",
        inputs=[args.declared],
        owned=csv_with_header("SCOP_calc"),
        force=args.force,
    )
    dp, df, status_read = read_declared(args.declared)
    result = rate_declared(dp, cc=args.cc)
    status = np.where(status_read != "", status_read, result.status)
    bad = status != ""
    out = df.copy()
    out["SCOP_calc"] = np.where(bad, np.nan, np.round(result.scop, 4))
    out["SCOP_on_calc"] = np.where(bad, np.nan, np.round(result.scop_on, 4))
    out["SCOP_net_calc"] = np.where(bad, np.nan, np.round(result.scop_net, 4))
    out["eta_s_calc_pct"] = np.where(bad, np.nan, np.round(result.eta_s_pct, 2))
    out["status"] = np.where(bad, status, "ok")
    if "SCOP" in df.columns:
        import pandas as pd

        declared = pd.to_numeric(df["SCOP"], errors="coerce").to_numpy(dtype=float)
        check = check_declared(dp, declared, tolerance_pct=args.tolerance_pct, rated=result)
        out["SCOP_deviation_pct"] = np.where(bad, np.nan, np.round(check.deviation_pct, 3))
        out["SCOP_consistent"] = np.where(bad, False, check.consistent)
        out["SCOP_explained_by"] = np.where(bad, "not rated", check.explained_by)
    out.to_csv(out_path, index=False)
    n_bad = int(bad.sum())
    print(
        f"rated {len(out) - n_bad} of {len(out)} rows -> {args.out}"
        + (f" ({n_bad} not rated, see the 'status' column)" if n_bad else "")
    )
    if "SCOP_consistent" in out:
        n_ok = int(out["SCOP_consistent"].sum())
        print(
            f"declared SCOP reproduced within {args.tolerance_pct:g} %: {n_ok} of "
            f"{len(out) - n_bad} rated rows (see 'SCOP_explained_by' for the others)"
        )
    return 0

"""From a results Dataset to a report a client can read (``designopt report DIR``, also run at
the end of ``designopt run``).  See ``docs/report.md``.

Writes into the study folder (and nowhere else):

* ``summary.md`` -- counts, hypervolume, the marked designs, which constraints block which
  designs (per constraint: designs violating it, violating it alone, the smallest violation
  scaled and in physical units) and the Pareto designs (at most 20 rows, spread evenly along
  the front, marked designs always shown; identical designs once with their trial numbers);
* ``pareto_designs.csv``, ``feasible_designs.csv`` -- every distinct Pareto / feasible design,
  one row each, units in the column headers, the trials that evaluated it, its marker;
* ``designs.xlsx`` -- the same two tables, the constraint diagnostics and an *About* sheet;
* ``pareto_front.png`` -- the first two objectives of every design: infeasible faint, the
  Pareto front, and three marked designs: the cheapest compliant design (lowest capital cost
  among feasible designs), the knee of the front (farthest from the line joining the two
  extremes, objectives scaled to 0..1 over the front) and the lowest lifetime cost (lowest
  net present cost among feasible designs);
* ``pareto_front.html`` -- the same as a self-contained interactive plotly page (zoom, hover
  for the design; plotly.js inline, works offline);
* ``constraints.png`` -- each constraint's distance to its limit against the first objective;
* ``parallel_coordinates.png`` -- design variables and objectives of the Pareto set;
* ``history.png`` -- objective values by trial with the best feasible value so far.

Figures and labels take the case's title and economic horizon from the results' attrs
(:func:`designopt.results.case_attrs`), e.g. "20-year net present cost [EUR]".
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from designopt.errors import ConfigurationError
from designopt.report.analysis import (
    ConstraintDiagnosis,
    Marker,
    blocking_text,
    constraint_diagnostics,
    knee_index,
    markers,
)
from designopt.report.figures import plot_constraints, plot_history, plot_parallel, plot_pareto
from designopt.report.interactive import pareto_html
from designopt.report.tables import (
    design_table,
    pareto_table,
    summary_markdown,
    write_exports,
)

__all__ = [
    "ConstraintDiagnosis",
    "Marker",
    "blocking_text",
    "constraint_diagnostics",
    "design_table",
    "knee_index",
    "markers",
    "pareto_html",
    "pareto_table",
    "plot_constraints",
    "plot_history",
    "plot_parallel",
    "plot_pareto",
    "summary_markdown",
    "write_exports",
    "write_report",
]

#: Variables a results Dataset needs for a report.
REQUIRED = ("feasible", "pareto", "state", "failure_reason")


def check_results(ds: xr.Dataset) -> None:
    """A one-line :class:`ConfigurationError` for a Dataset the report cannot read."""
    missing = [v for v in REQUIRED if v not in ds]
    if missing:
        raise ConfigurationError(
            f"the results lack {missing}; a report needs a results Dataset written by "
            "designopt.results (designopt run)"
        )
    if not any(v.attrs.get("role") == "objective" for v in ds.data_vars.values()):
        raise ConfigurationError("the results have no variable with role 'objective'")


def write_report(ds: xr.Dataset, out_dir: Path) -> list[Path]:
    """Write every figure, table and the summary into ``out_dir`` (which must exist); return
    the paths."""
    out_dir = Path(out_dir)
    check_results(ds)
    if not out_dir.is_dir():
        raise ConfigurationError(f"the report folder {out_dir} does not exist")
    paths = [
        plot_pareto(ds, out_dir / "pareto_front.png"),
        pareto_html(ds, out_dir / "pareto_front.html"),
        plot_constraints(ds, out_dir / "constraints.png"),
        plot_parallel(ds, out_dir / "parallel_coordinates.png"),
        plot_history(ds, out_dir / "history.png"),
        *write_exports(ds, out_dir),
    ]
    summary = out_dir / "summary.md"
    summary.write_text(summary_markdown(ds), encoding="utf-8")
    paths.append(summary)
    return paths

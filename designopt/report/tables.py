"""Tables of the report: the design exports (CSV, XLSX) and the Markdown summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from designopt.report.analysis import (
    blocking_text,
    constraint_diagnostics,
    design_groups,
    marker_names,
    markers,
)
from designopt.report.labels import fmt, header, role, title

#: Rows of the Pareto table of ``summary.md`` (all of them are in the CSV and XLSX files).
SUMMARY_ROWS = 20
#: Metrics shown in the summary's Pareto table besides design variables and objectives.
SUMMARY_METRICS = ("scop_35", "scop_55", "scop", "sound_power_dBA", "noise_margin_dB", "charge_kg")
#: Share of the design heat load below which the summary warns that the heat pump covers little
#: of it (at the design temperature): the back-up heater or boiler then carries most of the
#: peak, and MCS MIS 3005-D (100 %) and most funding rules would not accept the design.
LOW_COVERAGE = 0.5
PARETO_CSV = "pareto_designs.csv"
FEASIBLE_CSV = "feasible_designs.csv"
WORKBOOK = "designs.xlsx"
#: Sheet names of :data:`WORKBOOK`.
SHEETS = ("Pareto designs", "Feasible designs", "Constraints", "About")
TRIALS_COLUMN = "trials (identical designs)"
MARKER_COLUMN = "marker"


def _columns(ds: xr.Dataset) -> list[str]:
    """Design variables, objectives, constraints, then metrics: the export's value columns."""
    cols = role(ds, "design_variable") + role(ds, "objective") + role(ds, "constraint")
    return cols + [m for m in role(ds, "metric") if m not in cols]


def design_table(ds: xr.Dataset, which: str = "pareto") -> pd.DataFrame:
    """The Pareto designs (``which="pareto"``) or all feasible designs (``"feasible"``), one row
    per distinct design, sorted by the first objective (best first), then trial number.

    Columns: ``trial`` (the first trial of the design), ``trials (identical designs)`` (every
    trial that evaluated it, "12; 48"), ``marker`` (cheapest compliant, knee, lowest lifetime
    cost), then every design variable, objective, scaled constraint and metric with its unit in
    the header (``capital_cost [EUR]``).
    """
    if which not in ("pareto", "feasible"):
        raise ValueError(f"{which=} must be 'pareto' or 'feasible'")
    keep = ds.pareto.values.astype(bool) if which == "pareto" else ds.feasible.values.astype(bool)
    if "repeat_of" in ds:
        keep = keep & (ds["repeat_of"].values.astype(int) < 0)
    idx = np.flatnonzero(keep)
    objs = role(ds, "objective")
    trials = ds.trial.values.astype(int)
    if objs and idx.size:
        o = objs[0]
        sign = -1.0 if ds[o].attrs.get("direction") == "maximize" else 1.0
        idx = idx[np.lexsort((trials[idx], sign * ds[o].values[idx].astype(float)))]
    groups = design_groups(ds)
    names = marker_names(ds)
    data: dict[str, list] = {
        "trial": [int(trials[i]) for i in idx],
        TRIALS_COLUMN: ["; ".join(map(str, groups[int(trials[i])])) for i in idx],
        MARKER_COLUMN: [names.get(int(trials[i]), "") for i in idx],
    }
    for c in _columns(ds):
        v = ds[c].values[idx]
        data[header(ds, c)] = [str(x) for x in v] if v.dtype.kind in "OUS" else v.astype(float)
    return pd.DataFrame(data)


def diagnostics_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per constraint: designs evaluated, violated, violated by it alone, the smallest
    violation (scaled and physical) and its trial."""
    rows = []
    for d in constraint_diagnostics(ds):
        rows.append(
            {
                "constraint": d.name,
                "definition (scaled, met when <= 0)": d.long_name,
                "designs evaluated": d.evaluated,
                "designs violating it": d.violated,
                "violating it alone": d.alone,
                "smallest violation [scaled]": d.smallest,
                "smallest violation [physical]": d.physical,
                "physical unit": d.unit,
                "meaning": d.what,
                "closest trial": d.closest_trial if d.violated else None,
            }
        )
    return pd.DataFrame(rows)


def _safe(path: Path, out_dir: Path) -> Path:
    """``path`` if it lies inside ``out_dir``; the report never writes elsewhere."""
    if not path.resolve().is_relative_to(out_dir.resolve()):
        raise ValueError(f"{path} is outside the output folder {out_dir}")
    return path


def write_exports(ds: xr.Dataset, out_dir: Path) -> list[Path]:
    """Write ``pareto_designs.csv``, ``feasible_designs.csv`` and the workbook ``designs.xlsx``
    (sheets: Pareto designs, Feasible designs, Constraints, About) into ``out_dir``."""
    out_dir = Path(out_dir)
    pareto, feasible = design_table(ds, "pareto"), design_table(ds, "feasible")
    paths = []
    for frame, name in ((pareto, PARETO_CSV), (feasible, FEASIBLE_CSV)):
        p = _safe(out_dir / name, out_dir)
        frame.to_csv(p, index=False, encoding="utf-8")
        paths.append(p)
    about = pd.DataFrame(
        {
            "item": ["title", "case", "study", "trials", "feasible", "Pareto designs", "rows"],
            "value": [
                title(ds),
                str(ds.attrs.get("case_name", "")),
                f"designopt {ds.attrs.get('designopt_version', '')}, case fingerprint "
                f"{ds.attrs.get('case_fingerprint', '')}, sampler {ds.attrs.get('sampler', '')}",
                str(ds.attrs.get("n_trials", ds.sizes["trial"])),
                str(ds.attrs.get("n_feasible", "")),
                str(ds.attrs.get("n_pareto", "")),
                "one row per distinct design; 'trials (identical designs)' lists every trial "
                "that evaluated it; constraints g_* are scaled and met when <= 0",
            ],
        }
    )
    book = _safe(out_dir / WORKBOOK, out_dir)
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for frame, sheet in zip(
            (pareto, feasible, diagnostics_table(ds), about), SHEETS, strict=True
        ):
            frame.to_excel(xl, sheet_name=sheet, index=False)
            ws = xl.sheets[sheet]
            ws.freeze_panes = "B2"
            for k, col in enumerate(frame.columns, start=1):
                cells = (
                    fmt(x) if isinstance(x, int | float) else str(x) for x in frame[col].head(50)
                )
                width = max(len(str(col)), *(len(c) for c in cells), 6)
                ws.column_dimensions[ws.cell(1, k).column_letter].width = min(width + 2, 60)
    paths.append(book)
    return paths


# ------------------------------------------------------------------------------ summary.md
def shown_rows(n: int, keep: list[int], max_rows: int = SUMMARY_ROWS) -> list[int]:
    """Row positions (0..n-1, sorted) to show of a front of ``n`` rows sorted along it: all of
    them when they fit, else both ends and the rows in ``keep`` (the marked designs), then,
    one at a time, the row farthest (in rows) from every row already shown, the lower one on
    a tie, until ``max_rows`` are shown (``keep`` may exceed it).

    >>> shown_rows(10, [4], max_rows=4)
    [0, 2, 4, 9]
    """
    if n <= max_rows:
        return list(range(n))
    chosen = sorted({0, n - 1, *keep})
    pos = np.arange(n)
    while len(chosen) < max_rows:
        gap = np.min(np.abs(pos[:, None] - np.array(chosen)[None, :]), axis=1)
        chosen = sorted({*chosen, int(np.argmax(gap))})
    return chosen


def _summary_columns(ds: xr.Dataset) -> list[str]:
    cols = role(ds, "design_variable") + role(ds, "objective")
    return cols + [m for m in SUMMARY_METRICS if m in ds and m not in cols]


def pareto_table(ds: xr.Dataset, *, max_rows: int = SUMMARY_ROWS) -> list[dict[str, str]]:
    """Rows (dicts of formatted text) of the distinct Pareto designs sorted by the first
    objective; at most ``max_rows`` spread evenly along the front (:func:`shown_rows`), the
    marked designs always among them.  Keys: ``trial``, ``trials``, ``marker`` and the value
    columns with units."""
    table = design_table(ds, "pareto")
    if table.empty:
        return []
    keep = [i for i, m in enumerate(table[MARKER_COLUMN]) if m]
    rows = []
    for i in shown_rows(len(table), keep, max_rows):
        r = table.iloc[i]
        row = {"trial": str(r["trial"]), "trials": r[TRIALS_COLUMN], "marker": r[MARKER_COLUMN]}
        for c in _summary_columns(ds):
            row[header(ds, c)] = fmt(r[header(ds, c)])
        rows.append(row)
    return rows


def _repeated(ds: xr.Dataset) -> str:
    """ ", N repeated an earlier design" when the sampler proposed designs again."""
    if "repeat_of" not in ds:
        return ""
    k = int((ds["repeat_of"] >= 0).sum())
    return f", {k} repeated an earlier trial's design" if k else ""


def _search(ds: xr.Dataset) -> str:
    """Sampler and seed, or each run's when a resumed study changed them."""
    history = ds.attrs.get("search_history", "")
    if history and int(ds.attrs.get("seed", -1)) == -1:
        return f"sampler {ds.attrs.get('sampler')} ({history})"
    return f"sampler {ds.attrs.get('sampler')}, seed {ds.attrs.get('seed')}"


def _md_table(header_row: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header_row) + " |", "|" + "---|" * len(header_row)]
    out += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    return out


def _diagnostics_md(ds: xr.Dataset) -> list[str]:
    diag = constraint_diagnostics(ds)
    if not diag:
        return []
    lines = [
        "## Constraints: which designs they block",
        "",
        f"Of {diag[0].evaluated} distinct evaluated designs (repeats counted once). *Alone*: "
        "designs that meet every other constraint, so relaxing this one would admit them. "
        "*Smallest violation*: the scaled value (met when <= 0) of the design closest to "
        "meeting it, and the same in physical units where the results carry them.",
        "",
    ]
    rows = []
    for d in diag:
        rows.append(
            [
                d.name,
                str(d.violated),
                str(d.alone),
                f"{d.smallest:.3g}" if d.violated else "-",
                d.closest_text() or "-",
            ]
        )
    lines += _md_table(
        ["constraint", "designs violating it", "alone", "smallest violation", "closest design"],
        rows,
    )
    return [*lines, ""]


def _coverage_warnings(ds: xr.Dataset, marks) -> list[str]:
    """A warning per marked design whose heat pump covers less than :data:`LOW_COVERAGE` of the
    design heat load at the design temperature (metric ``heat_pump_coverage``)."""
    if "heat_pump_coverage" not in ds:
        return []
    trials = ds.trial.values.astype(int)
    out = []
    for m in marks:
        i = int(np.flatnonzero(trials == m.trial)[0])
        cov = float(ds["heat_pump_coverage"].values[i])
        if np.isfinite(cov) and cov < LOW_COVERAGE:
            out.append(
                f"- **Warning**: the heat pump of the {m.label.lower()} (trial {m.trial}) covers"
                f" only {cov:.0%} of the design heat load at the design temperature; the back-up"
                " heater or boiler carries the rest. Add the constraint 'coverage'"
                " (policy.min_heat_pump_coverage; MCS MIS 3005-D asks for 100 %) if the heat pump"
                " must be the main heating."
            )
    return [*out, ""] if out else []


def summary_markdown(ds: xr.Dataset) -> str:
    """A short Markdown summary of the study: counts, the marked designs, constraint
    diagnostics and the Pareto designs."""
    objs = role(ds, "objective")
    lines = [f"# {title(ds)}", ""]
    if ds.attrs.get("case_description") and ds.attrs.get("case_description") != title(ds):
        lines += [str(ds.attrs["case_description"]), ""]
    n, nf, npar = (
        ds.attrs.get("n_trials", ds.sizes["trial"]),
        ds.attrs.get("n_feasible"),
        ds.attrs.get("n_pareto"),
    )
    failed = int((ds.state == "FAIL").sum())
    lines += [
        f"- trials: {n} ({failed} could not be evaluated{_repeated(ds)}), feasible: {nf},"
        f" Pareto designs: {npar} (distinct)",
        "- objectives: " + ", ".join(f"{o} ({ds[o].attrs.get('direction')})" for o in objs),
        f"- hypervolume: {ds.attrs.get('hypervolume', float('nan')):.6g} against reference "
        f"{ds.attrs.get('hypervolume_reference')} ({ds.attrs.get('hypervolume_reference_rule', '')})",
        f"- search: {_search(ds)}, designopt {ds.attrs.get('designopt_version')},"
        f" case fingerprint {ds.attrs.get('case_fingerprint')}",
        "",
    ]
    if ds.attrs.get("stopped_by"):
        lines[-1:-1] = [
            f"- **stopped early** by {ds.attrs['stopped_by']}: these are the trials finished by"
            " then; rerun the same command to complete the study"
        ]
    rows = pareto_table(ds)
    if not rows:
        lines += [f"**No feasible design was found**: {blocking_text(ds)}.", ""]
        lines += _diagnostics_md(ds)
        reasons = [r for r in ds.failure_reason.values if r]
        if reasons:
            uniq, counts = np.unique(np.array(reasons, dtype=str), return_counts=True)
            lines += ["Most frequent failure reasons:", ""]
            for k in np.argsort(-counts)[:5]:
                lines.append(f"- {counts[k]} x {uniq[k]}")
        return "\n".join(lines).rstrip("\n") + "\n"
    marks = markers(ds)
    if marks:
        lines += ["## Marked designs", ""]
        for m in marks:
            lines.append(f"- **{m.label}**: trial {m.trial} ({m.rule})")
        lines.append("")
        lines += _coverage_warnings(ds, marks)
    lines += _diagnostics_md(ds)
    total = len(design_table(ds, "pareto"))
    lines += [f"## Pareto designs (sorted by {objs[0]})", ""]
    if len(rows) < total:
        lines += [
            f"{len(rows)} of {total} distinct designs shown, spread evenly along the front and "
            f"including the marked designs; all in {PARETO_CSV} and {WORKBOOK}. ",
            "",
        ]
    else:
        lines += [f"All {total} distinct designs; also in {PARETO_CSV} and {WORKBOOK}.", ""]
    head = list(rows[0])
    show = [h for h in head if h != "trials"]
    body = []
    for r in rows:
        cells = [r[h] for h in show]
        if r["trials"] != r["trial"]:
            cells[0] = f"{r['trial']} (= {r['trials'].replace('; ', ', ')})"
        body.append(cells)
    lines += _md_table(show, body)
    if any(r["trials"] != r["trial"] for r in rows):
        lines += ["", "(= ...): every trial that evaluated the same design."]
    return "\n".join(lines) + "\n"

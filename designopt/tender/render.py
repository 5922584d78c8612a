"""A spec and its product check for people: ``spec.md``, ``spec.html``, the requirements and check
tables as CSV/XLSX, and the check figure.  Front-end layer: formats what
:mod:`designopt.tender.spec` and :mod:`designopt.tender.check` computed.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from designopt.tender.spec import QUANTITIES, Spec

if TYPE_CHECKING:
    from designopt.tender.check import CheckResult

__all__ = [
    "REQUIREMENTS_CSV",
    "REQUIREMENTS_XLSX",
    "requirements_table",
    "spec_markdown",
    "write_spec_files",
]

SPEC_MD = "spec.md"
SPEC_HTML = "spec.html"
SPEC_TOML = "spec.toml"
REQUIREMENTS_CSV = "requirements.csv"
REQUIREMENTS_XLSX = "requirements.xlsx"
CHECK_CSV = "check_products.csv"
CHECK_SUMMARY_CSV = "check_requirements.csv"
CHECK_XLSX = "check.xlsx"
CHECK_FIGURE = "check_rejections.png"

_UNITS = {"1": "", "degC": "°C"}


def _fmt(x, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if isinstance(x, int | np.integer) and not isinstance(x, bool):
        s = f"{x:,}"
    elif isinstance(x, float):
        s = f"{x:,.2f}".rstrip("0").rstrip(".") if abs(x) < 1000 else f"{x:,.0f}"
    else:
        s = str(x)
    u = _UNITS.get(unit, unit)
    return f"{s} {u}".strip()


def requirements_table(spec: Spec) -> pd.DataFrame:
    """One row per requirement, every field a column (units in the column names)."""
    rows = []
    for r in spec.requirements:
        rows.append(
            {
                "id": r.id,
                "requirement": r.text(),
                "quantity": r.quantity,
                "long_name": QUANTITIES[r.quantity].long_name,
                "op": r.op,
                "limit": r.limit,
                "unit": r.unit,
                "limit_by_rated_output": (
                    "; ".join(
                        f"<= {b:g} kW: {lim:g}"
                        for b, lim in zip(r.bands_kW or (), r.band_limits or (), strict=True)
                    )
                    if r.banded
                    else ""
                ),
                "climate": r.climate or "",
                "application_C": r.application_C or "",
                "test_point": r.test_point,
                "standard": r.standard,
                "certificate_field": r.certificate_field,
                "tolerance": r.tolerance,
                "tolerance_note": r.tolerance_note,
                "origin": r.origin,
                "source": r.source,
                "url": r.url,
                "effective": r.effective.isoformat() if r.effective else "",
                "verified": r.verified,
                "design_value": r.design_value,
                "note": r.note,
            }
        )
    return pd.DataFrame(rows)


def spec_markdown(spec: Spec, check: CheckResult | None = None) -> str:
    """``spec.md``: the spec for people, and the product check when given."""
    L = [f"# {spec.title}", ""]
    L.append(
        f"Tender date {spec.date.isoformat()} · {spec.hp_type} heat pump ({spec.construction}) · "
        f"EN 14825 {spec.climate} climate, {spec.application_C} °C application"
        + (f" · design heat load {_fmt(spec.design_load_kW, 'kW')}" if spec.design_load_kW else "")
    )
    L.append("")
    if spec.provenance:
        L.append(
            "Derived from: "
            + "; ".join(
                f"{k} {v}" for k, v in spec.provenance.items() if not k.startswith("param_")
            )
        )
        L.append("")
    unv = spec.unverified()
    if unv:
        L.append(
            f"**{len(unv)} of {len(spec.requirements)} requirements rest on a source that was not "
            "verified against its primary text** (marked ⚠ below): read the cited text before "
            "publishing. " + ", ".join(r.id for r in unv)
        )
        L.append("")
    L.append("## Requirements")
    L.append("")
    L.append(
        "| # | requirement | limit | test point / standard | certificate field | tolerance | "
        "origin and source | effective | design |"
    )
    L.append("|---|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(spec.requirements, 1):
        lim = f"{r.op} {_fmt(r.limit, r.unit)}"
        if r.banded:
            lim += (
                " (by rated output: "
                + ", ".join(
                    f"≤{b:g} kW {v:g}"
                    for b, v in zip(r.bands_kW or (), r.band_limits or (), strict=True)
                )
                + ")"
            )
        where = ", ".join(x for x in (r.test_point, r.standard) if x)
        if r.climate:
            where = f"{r.climate}, {r.application_C} °C; " + where
        tol = _fmt(r.tolerance, r.unit) if r.tolerance else "none (declared value)"
        src = f"{r.origin}: {r.source}"
        if r.url:
            src += f" <{r.url}>"
        flag = "" if r.verified else " ⚠ not verified"
        L.append(
            f"| {i} | {QUANTITIES[r.quantity].long_name} (`{r.id}`){flag} | {lim} | {where} | "
            f"{r.certificate_field} | {tol} | {src} | "
            f"{r.effective.isoformat() if r.effective else '–'} | {_fmt(r.design_value, r.unit)} |"
        )
    L.append("")
    L.append(
        "Limits apply to declared certificate values as they stand; the tolerance is the largest "
        "shortfall an acceptance test (measurement of the delivered unit) may show."
    )
    if spec.notes:
        L.append("")
        L.append("## Notes")
        L.append("")
        L.extend(f"- {n}" for n in spec.notes)
    if check is not None:
        L.append("")
        L.extend(check_markdown(check))
    L.append("")
    return "\n".join(L)


def check_markdown(check: CheckResult) -> list[str]:
    from designopt.tender.check import STATUS_FAIL, STATUS_OPEN, STATUS_PASS

    s = check.summary
    n = check.n_products
    L = ["## Certified products checked", ""]
    L.append(
        f"{_fmt(n)} product records from `{check.products_name}` ({check.record_note}). "
        f"Pass every requirement: **{check.counts[STATUS_PASS]:,}**; pass every requirement that "
        f"can be checked, with others not checkable from this file: {check.counts[STATUS_OPEN]:,}; "
        f"fail at least one: {check.counts[STATUS_FAIL]:,}."
    )
    L.append("")
    L.append("| requirement | checkable | fail | share failing | only failure (relaxing it adds) |")
    L.append("|---|---|---|---|---|")
    for _, row in s.iterrows():
        share = f"{row['share_failing']:.0%}" if math.isfinite(row["share_failing"]) else "–"
        L.append(
            f"| `{row['id']}` {row['requirement']} | {int(row['checkable']):,} | "
            f"{int(row['fail']):,} | {share} | {int(row['only_failure']):,} |"
        )
    L.append("")
    if check.not_checkable_reasons:
        L.append("Not checkable from this file:")
        L.append("")
        L.extend(f"- `{k}`: {v}" for k, v in check.not_checkable_reasons.items())
        L.append("")
    if check.percentiles is not None and len(check.percentiles):
        L.append(f"The design against {check.similar_note}:")
        L.append("")
        L.append("| quantity | design | products | median | design better than |")
        L.append("|---|---|---|---|---|")
        for _, row in check.percentiles.iterrows():
            L.append(
                f"| {row['quantity']} | {_fmt(row['design'])} | {int(row['n']):,} | "
                f"{_fmt(row['median'])} | {row['better_than']:.0%} |"
            )
        L.append("")
    top = check.ranked.head(10)
    if len(top):
        L.append(f"Best compliant products by {check.rank_by} (first 10 of {len(check.ranked):,}):")
        L.append("")
        cols = [
            c
            for c in ("manufacturer", "title", "Prated_kW", "SCOP", "eta_s_pct", "Lw_outdoor_dBA")
            if c in top.columns
        ]
        L.append("| " + " | ".join(cols) + " |")
        L.append("|" + "---|" * len(cols))
        for _, row in top.iterrows():
            L.append("| " + " | ".join(_fmt(row[c]) for c in cols) + " |")
        L.append("")
    return L


def spec_html(md_text: str, title: str) -> str:
    """A self-contained HTML page of the markdown (headings, tables, lists, paragraphs)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:75em;margin:2em auto;padding:0 1em;"
        "line-height:1.4}table{border-collapse:collapse;font-size:90%}td,th{border:1px solid "
        "#bbb;padding:.25em .5em;vertical-align:top}th{background:#eee}code{background:#f4f4f4}"
        "</style></head><body>",
    ]
    lines = md_text.splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            out.append("<table>")
            for k, row in enumerate(rows):
                if k == 1 and set(row.replace("|", "").strip()) <= {"-"}:
                    continue
                cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
                tag = "th" if k == 0 else "td"
                out.append(
                    "<tr>" + "".join(f"<{tag}>{_inline(c)}</{tag}>" for c in cells) + "</tr>"
                )
            out.append("</table>")
            continue
        if ln.startswith("# "):
            out.append(f"<h1>{_inline(ln[2:])}</h1>")
        elif ln.startswith("## "):
            out.append(f"<h2>{_inline(ln[3:])}</h2>")
        elif ln.startswith("- "):
            out.append("<ul>")
            while i < len(lines) and lines[i].startswith("- "):
                out.append(f"<li>{_inline(lines[i][2:])}</li>")
                i += 1
            out.append("</ul>")
            continue
        elif ln.startswith("!["):
            alt, src = ln[2:].split("](", 1)
            out.append(f'<img alt="{html.escape(alt)}" src="{html.escape(src.rstrip(")"))}">')
        elif ln.strip():
            out.append(f"<p>{_inline(ln)}</p>")
        i += 1
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _inline(text: str) -> str:
    import re

    t = html.escape(text)
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    t = re.sub(r"`(.+?)`", r"<code>\1</code>", t)
    t = re.sub(r"&lt;(https?://[^ &]+)&gt;", r'<a href="\1">\1</a>', t)
    return t


def write_spec_files(spec: Spec, out: Path, check: CheckResult | None = None) -> list[Path]:
    """Write ``spec.toml``, ``spec.md``, ``spec.html``, ``requirements.csv`` and
    ``requirements.xlsx`` into ``out`` (a checked output folder)."""
    from designopt.tender.spec import write_spec_toml

    paths = [write_spec_toml(spec, out / SPEC_TOML)]
    md = spec_markdown(spec, check)
    if check is not None and check.figure is not None:
        md = (
            md.rstrip("\n")
            + f"\n\n![Share of products each requirement rejects]({check.figure.name})\n"
        )
    (out / SPEC_MD).write_text(md, encoding="utf-8")
    (out / SPEC_HTML).write_text(spec_html(md, spec.title), encoding="utf-8")
    table = requirements_table(spec)
    table.to_csv(out / REQUIREMENTS_CSV, index=False)
    with pd.ExcelWriter(out / REQUIREMENTS_XLSX, engine="openpyxl") as xl:
        table.to_excel(xl, sheet_name="Requirements", index=False)
        about = pd.DataFrame(
            {
                "field": ["title", "date", "unit", "climate", "application", "notes"],
                "value": [
                    spec.title,
                    spec.date.isoformat(),
                    f"{spec.hp_type} ({spec.construction})",
                    spec.climate,
                    f"{spec.application_C} degC",
                    " | ".join(spec.notes),
                ],
            }
        )
        about.to_excel(xl, sheet_name="About", index=False)
    paths += [out / SPEC_MD, out / SPEC_HTML, out / REQUIREMENTS_CSV, out / REQUIREMENTS_XLSX]
    return paths


def plot_rejections(check: CheckResult, path: Path, title: str) -> Path:
    """Horizontal bars: the share of checkable products each requirement rejects, and the share
    it rejects alone (what relaxing it would add); requirements no product could be checked
    against are listed as such."""
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    s = check.summary
    n = len(s)
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.42 * n), dpi=120)
    y = np.arange(n)[::-1]
    total = np.where(s["checkable"] > 0, s["fail"] / s["checkable"].clip(lower=1), np.nan) * 100
    alone = (
        np.where(s["checkable"] > 0, s["only_failure"] / s["checkable"].clip(lower=1), np.nan) * 100
    )
    ax.barh(y, np.nan_to_num(total), color="#8fa3b8", label="rejected by this requirement")
    ax.barh(
        y,
        np.nan_to_num(alone),
        color="#c0392b",
        height=0.45,
        label="rejected by this requirement alone",
    )
    for yi, t, k in zip(y, total, s["checkable"], strict=True):
        ax.text(
            (0 if not np.isfinite(t) else t) + 1,
            yi,
            "not checkable in this file" if k == 0 else f"{t:.0f} % of {k:,}",
            va="center",
            fontsize=8,
        )
    labels = [textwrap.shorten(f"{i} ({o})", 48) for i, o in zip(s["id"], s["origin"], strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 115)
    ax.set_xlabel("Share of checkable certified products rejected [%]")
    ax.set_title(
        "\n".join(textwrap.wrap(title, 80)[:2])
        + f"\n{check.n_products:,} products: {check.counts['pass']:,} pass, {check.counts['open']:,} "
        f"open (not all checkable), {check.counts['fail']:,} fail",
        fontsize=9,
        loc="left",
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write_check_files(check: CheckResult, out: Path, spec: Spec) -> list[Path]:
    """``check_products.csv``, ``check_requirements.csv``, ``check.xlsx`` and the figure."""
    check.products.to_csv(out / CHECK_CSV, index=False)
    check.summary.to_csv(out / CHECK_SUMMARY_CSV, index=False)
    with pd.ExcelWriter(out / CHECK_XLSX, engine="openpyxl") as xl:
        check.summary.to_excel(xl, sheet_name="Requirements", index=False)
        check.products.to_excel(xl, sheet_name="Products", index=False)
        check.ranked.to_excel(xl, sheet_name="Passing, ranked", index=False)
        if check.percentiles is not None:
            check.percentiles.to_excel(xl, sheet_name="Design percentile", index=False)
        pd.DataFrame({"row not read": check.unreadable or ["(none)"]}).to_excel(
            xl, sheet_name="Rows not read", index=False
        )
    check.figure = plot_rejections(check, out / CHECK_FIGURE, spec.title)
    return [out / CHECK_CSV, out / CHECK_SUMMARY_CSV, out / CHECK_XLSX, check.figure]

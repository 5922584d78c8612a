"""``pareto_front.html``: the Pareto front as a self-contained interactive plotly page.

Zoom, pan, ticks with thousands separators, a hover card with the design variables and
objectives of each design, the same marked designs as the PNG.  plotly.js is written into the
page (``include_plotlyjs=True``, about 4.5 MB), so it opens offline.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import xarray as xr

from designopt.report.analysis import design_groups, markers
from designopt.report.figures import FEASIBLE, INFEASIBLE, MARKER_STYLE, PARETO
from designopt.report.labels import axis_label, fmt, header, role, title

#: plotly symbol of each matplotlib marker code of :data:`MARKER_STYLE`.
_SYMBOL = {"s": "square", "D": "diamond", "^": "triangle-up"}


def _hover(ds: xr.Dataset, idx: np.ndarray) -> list[str]:
    """The hover card of each design: trial (and identical trials), objectives, design
    variables, feasibility."""
    groups = design_groups(ds)
    trials = ds.trial.values.astype(int)
    rep = ds["repeat_of"].values.astype(int) if "repeat_of" in ds else np.full(trials.size, -1)
    objs, dvars = role(ds, "objective"), role(ds, "design_variable")
    out = []
    for i in idx:
        first = int(rep[i]) if rep[i] >= 0 else int(trials[i])
        same = groups.get(first, [int(trials[i])])
        lines = [f"<b>trial {int(trials[i])}</b>"]
        if len(same) > 1:
            lines[0] += f" (same design: trials {', '.join(map(str, same))})"
        lines += [f"{html.escape(axis_label(ds, o))}: {fmt(ds[o].values[i])}" for o in objs]
        lines += [f"{html.escape(header(ds, v))}: {fmt(ds[v].values[i])}" for v in dvars]
        if not bool(ds.feasible.values[i]):
            viol = [
                c.removeprefix("g_")
                for c in role(ds, "constraint")
                if np.nan_to_num(float(ds[c].values[i]), nan=np.inf) > 0
            ]
            lines.append("violates: " + ", ".join(viol))
        out.append("<br>".join(lines))
    return out


def pareto_html(ds: xr.Dataset, path: Path) -> Path:
    """Write the interactive Pareto front of the first two objectives to ``path``."""
    import plotly.graph_objects as go

    objs = role(ds, "objective")
    page_title = title(ds)
    if len(objs) < 2:
        path.write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(page_title)}"
            "</title></head><body><p>The interactive front needs two objectives.</p></body></html>",
            encoding="utf-8",
        )
        return path
    x, y = ds[objs[0]].values.astype(float), ds[objs[1]].values.astype(float)
    ok = (ds.state.values == "COMPLETE") & np.isfinite(x) & np.isfinite(y)
    feas = ds.feasible.values.astype(bool) & ok
    par = ds.pareto.values.astype(bool) & ok
    trials = ds.trial.values.astype(int)
    fig = go.Figure()

    def points(mask, name, **style):
        idx = np.flatnonzero(mask)
        o = idx[np.argsort(x[idx], kind="stable")]
        fig.add_trace(
            go.Scatter(
                x=x[o],
                y=y[o],
                name=name,
                text=_hover(ds, o),
                hovertemplate="%{text}<extra></extra>",
                **style,
            )
        )

    bad = ok & ~feas
    points(
        bad,
        f"violates a constraint ({int(bad.sum())})",
        mode="markers",
        marker={"color": INFEASIBLE, "symbol": "x-thin-open", "size": 6, "opacity": 0.45},
    )
    points(
        feas & ~par,
        f"meets every constraint ({int(feas.sum())})",
        mode="markers",
        marker={"color": FEASIBLE, "size": 6, "opacity": 0.8},
    )
    cats = [v for v in role(ds, "design_variable") if ds[v].dtype.kind in "OUS"]
    if cats and par.any():
        key = cats[0]
        for val in sorted(set(ds[key].values[par].astype(str))):
            m = par & (ds[key].values.astype(str) == val)
            points(m, f"Pareto front, {key} {val} ({int(m.sum())})", mode="lines+markers")
    elif par.any():
        points(
            par,
            f"Pareto front ({int(par.sum())})",
            mode="lines+markers",
            marker={"color": PARETO},
            line={"color": PARETO},
        )
    marks = markers(ds)
    for k, m in enumerate(marks):
        i = int(np.flatnonzero(trials == m.trial)[0])
        colour, sym = MARKER_STYLE[m.key]
        # designs marked twice (e.g. cheapest = lowest lifetime cost): one label, "A = B"
        same = [n.label for n in marks if n.trial == m.trial]
        first = next(j for j, n in enumerate(marks) if n.trial == m.trial) == k
        fig.add_trace(
            go.Scatter(
                x=[x[i]],
                y=[y[i]],
                name=f"{m.label} (trial {m.trial})",
                mode="markers+text",
                text=[" = ".join(same) if first else ""],
                textposition="top right" if m.key != "knee" else "bottom left",
                textfont={"color": colour, "size": 12},
                hovertext=[f"<b>{m.label}</b><br>" + _hover(ds, np.array([i]))[0]],
                hovertemplate="%{hovertext}<extra></extra>",
                marker={
                    "color": colour,
                    "symbol": _SYMBOL[sym],
                    "size": 14,
                    "line": {"color": "black", "width": 1},
                },
            )
        )
    fig.update_layout(
        title={
            "text": f"{html.escape(page_title)}<br><sup>Hover a design for its variables; drag"
            " to zoom, double-click to zoom out.</sup>",
            "x": 0.01,
        },
        xaxis={"title": {"text": axis_label(ds, objs[0])}, "tickformat": ",~r"},
        yaxis={"title": {"text": axis_label(ds, objs[1])}, "tickformat": ",~r"},
        template="plotly_white",
        hoverlabel={"align": "left"},
        legend={"orientation": "h", "x": 0.0, "y": -0.15, "yanchor": "top"},  # off the data
        margin={"l": 80, "r": 30, "t": 90, "b": 130},
        height=640,
    )
    text = fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        config={"displaylogo": False, "responsive": True},
        div_id="pareto-front",
    )
    text = text.replace("<head>", f"<head><title>{html.escape(page_title)}</title>", 1)
    path.write_text(text, encoding="utf-8")
    return path

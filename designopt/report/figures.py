"""The report's figures (matplotlib, PNG): the Pareto front with the marked designs, the
constraints against their limits, parallel coordinates of the Pareto set, the search history."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import xarray as xr

from designopt.report.analysis import Marker, constraint_diagnostics, markers, physical_violation
from designopt.report.labels import axis_label, quantity, role, title

#: Colour and symbol of each marker (matplotlib marker codes), shared with the HTML page.
MARKER_STYLE = {
    "cheapest": ("#1b7837", "s"),
    "knee": ("#e08214", "D"),
    "lifetime": ("#5e3c99", "^"),
}
#: Where each marker's label goes, in points from the design (the front runs from the cheapest
#: design at the top left to the lowest lifetime cost at the bottom right).
_LABEL_OFFSET = {"cheapest": (22, 18), "knee": (-30, -34), "lifetime": (26, -26)}
#: Margin of the Pareto front figure around the front, as a share of the front's range.
VIEW_PAD = 0.35
INFEASIBLE = "#c9a0a0"
FEASIBLE = "#8fa3b8"
PARETO = "#c0392b"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _thousands(ax, axis: str, values: np.ndarray) -> None:
    """Thousands separators on an axis whose numbers reach 1,000."""
    from matplotlib.ticker import FuncFormatter

    v = values[np.isfinite(values)]
    if v.size and np.max(np.abs(v)) >= 1000:
        fmt = FuncFormatter(lambda x, _: f"{x:,.0f}")
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _title(ax, ds: xr.Dataset, subtitle: str = "") -> None:
    text = "\n".join(textwrap.wrap(title(ds), 80)[:2])
    ax.set_title(text + (f"\n{subtitle}" if subtitle else ""), fontsize=10, loc="left")


def _marker_groups(ds: xr.Dataset, marks: list[Marker]) -> dict[int, list[Marker]]:
    out: dict[int, list[Marker]] = {}
    for m in marks:
        out.setdefault(m.trial, []).append(m)
    return out


def _limits(values: np.ndarray, pad: float = 0.06) -> tuple[float, float] | None:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo or max(abs(hi), 1.0) * 0.1
    return lo - pad * span, hi + pad * span


def plot_pareto(ds: xr.Dataset, path: Path) -> Path:
    """The first two objectives of every evaluated design: infeasible faint, feasible grey, the
    Pareto front as a line (one per value of a categorical design variable), and the marked
    designs (:func:`designopt.report.analysis.markers`) with their labels."""
    plt = _plt()
    objs = role(ds, "objective")
    fig, ax = plt.subplots(figsize=(8, 5.6), dpi=120)
    if len(objs) < 2:
        ax.plot(ds.trial.values, ds[objs[0]].values, ".", ms=3, c=FEASIBLE)
        ax.set_xlabel("trial")
        ax.set_ylabel(axis_label(ds, objs[0]))
        _thousands(ax, "y", ds[objs[0]].values.astype(float))
        _title(ax, ds)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
        return path
    x, y = ds[objs[0]].values.astype(float), ds[objs[1]].values.astype(float)
    ok = ds.state.values == "COMPLETE"
    feas = ds.feasible.values.astype(bool)
    par = ds.pareto.values.astype(bool)
    trials = ds.trial.values.astype(int)
    bad = ok & ~feas
    ax.scatter(
        x[bad], y[bad], s=12, c=INFEASIBLE, marker="x", lw=0.8, alpha=0.45, zorder=1,
        label=f"violates a constraint ({int(bad.sum())})",
    )  # fmt: skip
    ax.scatter(
        x[feas & ~par], y[feas & ~par], s=12, c=FEASIBLE, alpha=0.8, zorder=2,
        label=f"meets every constraint ({int(feas.sum())})",
    )  # fmt: skip
    cats = [v for v in role(ds, "design_variable") if ds[v].dtype.kind in "OUS"]
    if cats and par.any():
        key = cats[0]
        for val in sorted(set(ds[key].values[par].astype(str))):
            m = par & (ds[key].values.astype(str) == val)
            o = np.argsort(x[m])
            ax.plot(
                x[m][o], y[m][o], "o-", ms=4, lw=1.2, zorder=3,
                label=f"Pareto front, {key} {val} ({int(m.sum())})",
            )  # fmt: skip
    elif par.any():
        o = np.argsort(x[par])
        ax.plot(
            x[par][o], y[par][o], "o-", ms=4, lw=1.2, c=PARETO, zorder=3,
            label=f"Pareto front ({int(par.sum())})",
        )  # fmt: skip
    marks = markers(ds)
    for trial, group in _marker_groups(ds, marks).items():
        i = int(np.flatnonzero(trials == trial)[0])
        first = group[0]
        colour, sym = MARKER_STYLE[first.key]
        ax.scatter(
            [x[i]], [y[i]], s=110, marker=sym, facecolor=colour, edgecolor="black", lw=0.8,
            zorder=5, label=" = ".join(m.label for m in group),
        )  # fmt: skip
        text = " = ".join(m.label for m in group) + f"\ntrial {trial}"
        ax.annotate(
            text,
            (x[i], y[i]),
            xytext=_LABEL_OFFSET[first.key],
            textcoords="offset points",
            ha="right" if _LABEL_OFFSET[first.key][0] < 0 else "left",
            va="top" if _LABEL_OFFSET[first.key][1] < 0 else "bottom",
            fontsize=8,
            color=colour,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": colour, "alpha": 0.9},
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.8},
            zorder=6,
        )
    # the view: the Pareto front with room around it for the labels and the designs near it
    ref = par if par.sum() >= 2 else (feas if feas.sum() >= 2 else ok)
    xl, yl = _limits(x[ref], VIEW_PAD), _limits(y[ref], VIEW_PAD)
    outside = 0
    if xl and yl:
        ax.set_xlim(*xl)
        ax.set_ylim(*yl)
        inside = (x >= xl[0]) & (x <= xl[1]) & (y >= yl[0]) & (y <= yl[1])
        outside = int((ok & ~inside).sum())
    if not feas.any():
        ax.text(
            0.5, 0.5, "No design meets every constraint:\nsee summary.md for the blocking ones",
            transform=ax.transAxes, ha="center", va="center", fontsize=11, color=PARETO,
            bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": PARETO, "alpha": 0.9},
        )  # fmt: skip
    ax.set_xlabel(axis_label(ds, objs[0]))
    ax.set_ylabel(axis_label(ds, objs[1]))
    _thousands(ax, "x", x)
    _thousands(ax, "y", y)
    sub = f"{int(ok.sum())} designs evaluated"
    if outside:
        sub += f"; view around the Pareto front, {outside} designs beyond it (pareto_front.html)"
    _title(ax, ds, sub)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper right", framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_constraints(ds: xr.Dataset, path: Path) -> Path:
    """One panel per constraint: how far each design is from its limit (physical units where
    the results carry them, else the scaled value) against the first objective; the limit is
    the line at 0, designs above it violate the constraint."""
    plt = _plt()
    diag = constraint_diagnostics(ds)
    objs = role(ds, "objective")
    n = max(len(diag), 1)
    ncol = min(n, 3)
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(4.4 * ncol, 3.6 * nrow + 0.6), dpi=120, squeeze=False, sharex=True
    )
    ok = ds.state.values == "COMPLETE"
    feas = ds.feasible.values.astype(bool)
    par = ds.pareto.values.astype(bool)
    x = ds[objs[0]].values.astype(float)
    for ax, d in zip(axes.flat, diag, strict=False):
        phys = physical_violation(ds, d.name)
        g = ds[f"g_{d.name}"].values.astype(float)
        y, ylabel = (
            (phys.amount, f"over the limit [{phys.unit or '-'}]\n(> 0: violated)")
            if phys is not None
            else (g, "scaled constraint [-]\n(> 0: violated)")
        )
        bad = ok & ~feas
        ax.scatter(x[bad], y[bad], s=9, c=INFEASIBLE, marker="x", lw=0.7, alpha=0.5)
        ax.scatter(x[feas & ~par], y[feas & ~par], s=9, c=FEASIBLE, alpha=0.8)
        ax.scatter(x[par], y[par], s=14, c=PARETO, zorder=3)
        lim = _limits(y[ok], 0.08)
        if lim is not None:
            ax.set_ylim(
                min(lim[0], -0.05 * (lim[1] - lim[0])), max(lim[1], 0.05 * (lim[1] - lim[0]))
            )
        ax.axhline(0.0, color="black", lw=1.0)
        ax.axhspan(0.0, ax.get_ylim()[1], color=PARETO, alpha=0.06, lw=0)
        ax.annotate(
            "limit", (1.0, 0.0), xycoords=("axes fraction", "data"), xytext=(-3, 2),
            textcoords="offset points", ha="right", va="bottom", fontsize=7.5,
        )  # fmt: skip
        what = phys.what if phys is not None else d.long_name
        ax.set_title(
            "\n".join(textwrap.wrap(f"{d.name}: {what}", 48)[:2])
            + f"\n{d.violated} of {d.evaluated} designs violate it",
            fontsize=8.5,
            loc="left",
        )
        ax.set_ylabel(ylabel, fontsize=8.5)
        ax.set_xlabel(axis_label(ds, objs[0]), fontsize=8.5)
        ax.tick_params(labelsize=7.5, labelbottom=True)
        _thousands(ax, "x", x)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(diag) :]:
        ax.axis("off")
    if not diag:
        axes.flat[0].text(0.5, 0.5, "The study has no constraints.", ha="center", va="center")
    fig.suptitle(
        "\n".join(textwrap.wrap(title(ds), 100)[:2])
        + "\nConstraints: distance to the limit (line at 0); red dots: Pareto designs",
        fontsize=9.5,
        x=0.01,
        ha="left",
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_parallel(ds: xr.Dataset, path: Path) -> Path:
    """Design variables and objectives of the Pareto set, each scaled to its range over the
    set (colour: the first objective)."""
    plt = _plt()
    cols = role(ds, "design_variable") + role(ds, "objective")
    par = ds.pareto.values.astype(bool)
    fig, ax = plt.subplots(figsize=(max(7, 1.5 * len(cols)), 5), dpi=120)
    if par.any():
        mat = []
        for c in cols:
            v = ds[c].values[par]
            if v.dtype.kind in "OUS":
                levels = sorted(set(v.astype(str)))
                v = np.array([levels.index(s) for s in v.astype(str)], float) / max(
                    1, len(levels) - 1
                )
            else:
                v = v.astype(float)
                lo, hi = np.nanmin(v), np.nanmax(v)
                v = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
            mat.append(v)
        mat = np.array(mat)
        first = ds[role(ds, "objective")[0]].values[par].astype(float)
        colors = plt.cm.viridis((first - first.min()) / (np.ptp(first) or 1.0))
        for j in range(mat.shape[1]):
            ax.plot(range(len(cols)), mat[:, j], c=colors[j], alpha=0.7, lw=1)
    ax.set_xticks(range(len(cols)))
    labels = [
        "\n".join(textwrap.wrap(axis_label(ds, c) if c in role(ds, "objective") else c, 22))
        for c in cols
    ]
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("scaled to its range over the Pareto set")
    _title(ax, ds, f"Pareto designs (colour: {quantity(ds, role(ds, 'objective')[0]).lower()})")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_history(ds: xr.Dataset, path: Path) -> Path:
    """Each objective by trial with the best feasible value so far."""
    plt = _plt()
    objs = role(ds, "objective")
    fig, axes = plt.subplots(
        len(objs), 1, figsize=(8, 2.8 * len(objs) + 0.5), dpi=120, sharex=True, squeeze=False
    )
    feas = ds.feasible.values.astype(bool)
    for ax, o in zip(axes[:, 0], objs, strict=True):
        v = ds[o].values.astype(float)
        ax.plot(ds.trial.values[~feas], v[~feas], "x", ms=3, c=INFEASIBLE, label="infeasible")
        ax.plot(ds.trial.values[feas], v[feas], ".", ms=4, c=FEASIBLE, label="feasible")
        sign = -1.0 if ds[o].attrs.get("direction") == "maximize" else 1.0
        best = np.where(feas, sign * v, np.inf)
        run = sign * np.minimum.accumulate(best)
        ax.plot(
            ds.trial.values,
            np.where(np.isfinite(run), run, np.nan),
            c="C3",
            lw=1.4,
            label="best feasible so far",
        )
        ax.set_ylabel("\n".join(textwrap.wrap(axis_label(ds, o), 28)), fontsize=8)
        _thousands(ax, "y", v)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7.5)
    _title(axes[0, 0], ds, "Search history")
    axes[-1, 0].set_xlabel("trial")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path

"""Figures and a Markdown summary from a results Dataset (``designopt report DIR``).

Writes into the study folder:

* ``pareto_front.png`` -- all evaluated designs, the feasible ones and the Pareto set for the
  first two objectives (matplotlib);
* ``pareto_front.html`` -- the same plot as a self-contained interactive page (inline SVG and a
  few lines of JavaScript: hover a point to see its design; no network needed);
* ``parallel_coordinates.png`` -- design variables and objectives of the Pareto set;
* ``history.png`` -- objective values by trial with the running best;
* ``summary.md`` -- counts, hypervolume and a table of the Pareto designs.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import xarray as xr


def _role(ds: xr.Dataset, role: str) -> list[str]:
    return [str(n) for n, v in ds.data_vars.items() if v.attrs.get("role") == role]


def _label(ds: xr.Dataset, name: str) -> str:
    u = ds[name].attrs.get("units", "")
    return f"{name} [{u}]" if u and u != "1" else name


def _fmt(v) -> str:
    if isinstance(v, str | np.str_):
        return str(v)
    v = float(v)
    if not np.isfinite(v):
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def pareto_table(ds: xr.Dataset, *, max_rows: int = 20) -> list[dict[str, str]]:
    """Rows (dicts of formatted text) of the Pareto designs sorted by the first objective."""
    objs = _role(ds, "objective")
    cols = _role(ds, "design_variable") + objs
    extra = [
        m
        for m in ("scop_35", "scop_55", "scop", "sound_power_dBA", "noise_margin_dB", "charge_kg")
        if m in ds and m not in cols
    ]
    front = ds.where(ds.pareto, drop=True) if bool(ds.pareto.any()) else ds.isel(trial=slice(0, 0))
    if front.sizes["trial"] == 0:
        return []
    order = np.argsort(front[objs[0]].values)
    rows = []
    for i in order[:max_rows]:
        row = {"trial": str(int(front.trial.values[i]))}
        for c in cols + extra:
            row[_label(ds, c)] = _fmt(front[c].values[i])
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


def summary_markdown(ds: xr.Dataset) -> str:
    """A short Markdown summary of the study."""
    objs = _role(ds, "objective")
    lines = [f"# {ds.attrs.get('title', 'designopt study')}", ""]
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
        lines.append(
            "**No feasible design was found.** Relax the constraints or widen the design space."
        )
        reasons = [r for r in ds.failure_reason.values if r]
        if reasons:
            uniq, counts = np.unique(np.array(reasons, dtype=str), return_counts=True)
            lines += ["", "Most frequent failure reasons:", ""]
            for k in np.argsort(-counts)[:5]:
                lines.append(f"- {counts[k]} x {uniq[k]}")
        return "\n".join(lines) + "\n"
    lines += ["## Pareto designs (sorted by the first objective)", ""]
    header = list(rows[0])
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for r in rows:
        lines.append("| " + " | ".join(r[h] for h in header) + " |")
    return "\n".join(lines) + "\n"


def plot_pareto(ds: xr.Dataset, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    objs = _role(ds, "objective")
    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    if len(objs) >= 2:
        x, y = ds[objs[0]].values, ds[objs[1]].values
        ok = ds.state.values == "COMPLETE"
        feas = ds.feasible.values.astype(bool)
        par = ds.pareto.values.astype(bool)
        ax.scatter(
            x[ok & ~feas],
            y[ok & ~feas],
            s=8,
            c="#e6a0a0",
            marker="x",
            label="violates a constraint",
        )
        ax.scatter(x[feas & ~par], y[feas & ~par], s=8, c="#9aa7b5", label="feasible")
        cats = [v for v in _role(ds, "design_variable") if ds[v].dtype.kind in "OUS"]
        if cats and par.any():
            key = cats[0]
            for val in sorted(set(ds[key].values[par].astype(str))):
                m = par & (ds[key].values.astype(str) == val)
                o = np.argsort(x[m])
                ax.plot(x[m][o], y[m][o], "o-", ms=4, lw=1, label=f"Pareto, {key}={val}")
        elif par.any():
            o = np.argsort(x[par])
            ax.plot(x[par][o], y[par][o], "o-", ms=4, lw=1, c="C3", label="Pareto set")
        ax.set_xlabel(_label(ds, objs[0]))
        ax.set_ylabel(_label(ds, objs[1]))
        ax.legend(fontsize=8)
    else:
        ax.plot(ds.trial.values, ds[objs[0]].values, ".", ms=3)
        ax.set_xlabel("trial")
        ax.set_ylabel(_label(ds, objs[0]))
    ax.set_title(ds.attrs.get("title", ""), fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_parallel(ds: xr.Dataset, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = _role(ds, "design_variable") + _role(ds, "objective")
    par = ds.pareto.values.astype(bool)
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(cols)), 4.5), dpi=110)
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
        first = ds[_role(ds, "objective")[0]].values[par].astype(float)
        colors = plt.cm.viridis((first - first.min()) / (np.ptp(first) or 1.0))
        for j in range(mat.shape[1]):
            ax.plot(range(len(cols)), mat[:, j], c=colors[j], alpha=0.7, lw=1)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([_label(ds, c) for c in cols], rotation=25, ha="right", fontsize=8)
    ax.set_ylabel("normalised over the Pareto set")
    ax.set_title("Pareto designs (colour: first objective)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_history(ds: xr.Dataset, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    objs = _role(ds, "objective")
    fig, axes = plt.subplots(
        len(objs), 1, figsize=(7, 2.6 * len(objs)), dpi=110, sharex=True, squeeze=False
    )
    feas = ds.feasible.values.astype(bool)
    for ax, o in zip(axes[:, 0], objs, strict=True):
        v = ds[o].values.astype(float)
        ax.plot(ds.trial.values, v, ".", ms=2, c="#9aa7b5")
        sign = -1.0 if ds[o].attrs.get("direction") == "maximize" else 1.0
        best = np.where(feas, sign * v, np.inf)
        run = sign * np.minimum.accumulate(best)
        ax.plot(
            ds.trial.values,
            np.where(np.isfinite(run), run, np.nan),
            c="C3",
            lw=1.2,
            label="best feasible",
        )
        ax.set_ylabel(_label(ds, o), fontsize=8)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    axes[-1, 0].set_xlabel("trial")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def pareto_html(ds: xr.Dataset, path: Path) -> Path:
    """A self-contained interactive scatter (inline SVG, hover for the design)."""
    objs = _role(ds, "objective")
    dvars = _role(ds, "design_variable")
    if len(objs) < 2:
        path.write_text("<p>Interactive front needs two objectives.</p>", encoding="utf-8")
        return path
    x, y = ds[objs[0]].values.astype(float), ds[objs[1]].values.astype(float)
    ok = np.isfinite(x) & np.isfinite(y)
    W, H, P = 760, 480, 60
    if not ok.any():
        path.write_text("<p>No evaluated design.</p>", encoding="utf-8")
        return path
    x0, x1, y0, y1 = x[ok].min(), x[ok].max(), y[ok].min(), y[ok].max()
    sx = (W - 2 * P) / ((x1 - x0) or 1.0)
    sy = (H - 2 * P) / ((y1 - y0) or 1.0)
    pts = []
    for i in np.flatnonzero(ok):
        info = {"trial": int(ds.trial.values[i])}
        for c in dvars + objs:
            info[c] = _fmt(ds[c].values[i])
        cls = "p" if ds.pareto.values[i] else ("f" if ds.feasible.values[i] else "i")
        cx, cy = P + (x[i] - x0) * sx, H - P - (y[i] - y0) * sy
        pts.append(
            f'<circle class="{cls}" cx="{cx:.1f}" cy="{cy:.1f}" r="{4 if cls == "p" else 2.5}" data-d=\'{html.escape(json.dumps(info))}\'/>'
        )
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(ds.attrs.get("title", "designopt"))}</title>
<style>body{{font-family:sans-serif}} .p{{fill:#c0392b}} .f{{fill:#9aa7b5}} .i{{fill:#f3c4c4}} circle:hover{{stroke:#000}}
#info{{white-space:pre;font-family:monospace;border:1px solid #ccc;padding:6px;min-height:4em}}</style></head><body>
<h3>{html.escape(ds.attrs.get("title", "designopt study"))}</h3>
<p>Red: Pareto set; grey: feasible; pink: violates a constraint. Hover a point.</p>
<svg width="{W}" height="{H}" style="border:1px solid #ddd">
<text x="{W / 2}" y="{H - 15}" text-anchor="middle">{html.escape(_label(ds, objs[0]))}: {_fmt(x0)} .. {_fmt(x1)}</text>
<text x="15" y="{H / 2}" transform="rotate(-90 15 {H / 2})" text-anchor="middle">{html.escape(_label(ds, objs[1]))}: {_fmt(y0)} .. {_fmt(y1)}</text>
{"".join(pts)}</svg><div id="info"></div>
<script>document.querySelectorAll('circle').forEach(c=>c.addEventListener('mouseover',e=>{{
const d=JSON.parse(c.dataset.d);document.getElementById('info').textContent=Object.entries(d).map(([k,v])=>k+' = '+v).join('\\n');}}));</script>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def write_report(ds: xr.Dataset, out_dir: Path) -> list[Path]:
    """Write every figure and the summary into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    paths = [
        plot_pareto(ds, out_dir / "pareto_front.png"),
        pareto_html(ds, out_dir / "pareto_front.html"),
        plot_parallel(ds, out_dir / "parallel_coordinates.png"),
        plot_history(ds, out_dir / "history.png"),
    ]
    summary = out_dir / "summary.md"
    summary.write_text(summary_markdown(ds), encoding="utf-8")
    paths.append(summary)
    return paths

"""Figures and ``summary.md`` of a finished sweep (a front end: reads ``sweep.nc`` only).

* :func:`heatmap` -- a metric over two axes (the mean over every other axis; sampled axes
  binned into quantiles), or the most frequent best refrigerant;
* :func:`tornado` -- per axis, the metric's mean at the axis's lowest and highest values (the
  lowest and highest fifth of a sampled axis), sorted by the swing: a one-at-a-time sensitivity
  read off the sweep itself (no extra runs);
* :func:`write_report` -- both figures for the saving against the boiler (and the optimal
  refrigerant when it varies), and ``summary.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["heatmap", "scenario_frame", "tornado", "write_report"]

#: Words for the axis names in titles and labels.
LABELS = {
    "electricity_price_per_kWh": "Electricity price [currency/kWh]",
    "gas_price_per_kWh": "Gas price [currency/kWh]",
    "electricity_standing_charge_per_year": "Electricity standing charge [currency/a]",
    "price_escalation": "Real energy price escalation [1/a]",
    "discount_rate": "Real discount rate [1/a]",
    "lifetime_years": "Economic lifetime [a]",
    "maintenance_fraction": "Maintenance [share of capital per year]",
    "grid_co2_kg_per_kWh": "Grid CO2 intensity [kg/kWh]",
    "gas_co2_kg_per_kWh": "Gas CO2 intensity [kg/kWh]",
    "carbon_price_per_t": "Carbon price [currency/t CO2]",
    "capital_subsidy": "Fixed capital grant [currency]",
    "capital_subsidy_fraction": "Capital grant [share of capital cost]",
    "gwp_cap": "Refrigerant GWP cap [1]",
    "charge_limit_kg": "Refrigerant charge cap [kg]",
    "annual_leakage_rate": "Refrigerant leakage [1/a]",
    "fgas_year": "Installation year (EU F-gas 2024/573) [a]",
    "noise_below_ecodesign_dB": "Outdoor sound power below the 813/2013 limit [dB]",
    "noise_receiver_distance_m": "Noise receiver distance [m]",
    "min_eta_s_pct": "Minimum seasonal efficiency ηs [%]",
    "min_scop": "Minimum SCOP [1]",
    "climate": "Climate",
    "design_heat_load_kW": "Design heat load [kW]",
    "emitter": "Heat emitter",
}
METRICS = {
    "npc_saving_vs_boiler": "Lifetime cost saving of the best heat pump vs a gas boiler [currency]",
    "npc_saving_vs_hybrid": "Lifetime cost saving of the best heat pump vs a hybrid [currency]",
    "best_net_present_cost": "Net present cost of the best heat pump [currency]",
    "co2_saving_vs_boiler": "Lifetime CO2 saving of the best heat pump vs a gas boiler [kg]",
    "feasible_share": "Share of feasible designs [1]",
}
BINS = 5


def scenario_frame(ds) -> pd.DataFrame:
    """One row per (physics, valuation) scenario: axes and per-scenario variables."""
    keep = [k for k in ds.data_vars if set(ds[k].dims) <= {"physics", "scenario"}]
    df = ds[keep].to_dataframe().reset_index()
    return df


def _axes(ds) -> list[str]:
    names = [a for a in ds.attrs.get("valuation_axes", "").split(",") if a]
    names += [a for a in ds.attrs.get("physics_axes", "").split(",") if a]
    return names


def _levels(df: pd.DataFrame, axis: str) -> pd.Series:
    """The axis values, or quantile bins (their mid values) of a finely sampled axis."""
    x = df[axis]
    if x.dtype.kind in "OUS" or x.nunique(dropna=False) <= 12:
        return x.astype(str) if x.dtype.kind in "OUS" else x
    q = pd.qcut(x, BINS, duplicates="drop")
    return q.map(lambda iv: round(float(iv.mid), 6)).astype(float)


def _unit(text: str, currency: str) -> str:
    return text.replace("currency", currency)


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float) and np.isnan(v):
        return "off"
    return f"{v:g}"


def heatmap(ds, x: str, y: str, metric: str, path: Path, title: str, currency: str = "EUR") -> Path:
    """A heatmap of ``metric`` over axes ``x`` and ``y`` (mean over the other axes; a text
    metric such as ``best_refrigerant`` shows the most frequent value)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = scenario_frame(ds)
    df["_x"], df["_y"] = _levels(df, x), _levels(df, y)
    categorical = df[metric].dtype.kind in "OUS"
    if categorical:
        grid = df.groupby(["_y", "_x"])[metric].agg(lambda s: s.replace("", "none").mode().iloc[0])
        grid = grid.unstack("_x")
        words = sorted(set(grid.values.ravel().tolist()))
        codes = grid.map(words.index) if hasattr(grid, "map") else grid.applymap(words.index)
        values = codes.values.astype(float)
    else:
        grid = df.groupby(["_y", "_x"])[metric].mean().unstack("_x")
        values = grid.values.astype(float)
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    if categorical:
        cmap = plt.get_cmap("tab10", len(words))
        im = ax.imshow(
            values, origin="lower", aspect="auto", cmap=cmap, vmin=-0.5, vmax=len(words) - 0.5
        )
        cb = fig.colorbar(im, ax=ax, ticks=range(len(words)))
        cb.ax.set_yticklabels(words)
        cb.set_label("Optimal refrigerant (most frequent)")
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, words[int(v)], ha="center", va="center", fontsize=8)
    else:
        lim = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
        diverging = metric.startswith("npc_saving") or metric.startswith("co2_saving")
        im = ax.imshow(
            values,
            origin="lower",
            aspect="auto",
            cmap="RdBu" if diverging else "viridis",
            vmin=-lim if diverging else None,
            vmax=lim if diverging else None,
        )
        cb = fig.colorbar(im, ax=ax)
        cb.set_label(_unit(METRICS.get(metric, metric), currency))
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(
                    j,
                    i,
                    f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2g}",
                    ha="center",
                    va="center",
                    fontsize=7,
                )
    ax.set_xticks(range(grid.shape[1]), [_fmt(v) for v in grid.columns], rotation=45)
    ax.set_yticks(range(grid.shape[0]), [_fmt(v) for v in grid.index])
    ax.set_xlabel(_unit(LABELS.get(x, x), currency))
    ax.set_ylabel(_unit(LABELS.get(y, y), currency))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def tornado_table(ds, metric: str) -> pd.DataFrame:
    """Per axis: the metric's mean at the axis's lowest and highest level.

    A rule axis switched off (NaN) counts as its lowest level ("off"); a word axis (climate,
    emitter) shows its levels with the lowest and the highest mean.  On a grid the two levels
    are compared pair by pair (the same values of every other axis) over the pairs where the
    metric exists at both (a scenario without a feasible heat pump has none); a sampled axis
    compares the means of its lowest and highest fifth.
    """
    df = scenario_frame(ds)
    axes = _axes(ds)
    rows = []
    for axis in axes:
        lev = _levels(df, axis).astype(object).where(lambda v: pd.notna(v), "off")
        keys = pd.Index(lev.unique())
        if keys.size < 2:
            continue
        numbers = [k for k in keys if not isinstance(k, str)]
        if numbers and len(numbers) == keys.size - ("off" in keys):
            lo = "off" if "off" in keys else min(numbers)
            hi = max(numbers)
        else:  # words: the levels with the lowest and highest mean
            means = df.groupby(lev)[metric].mean()
            lo, hi = means.idxmin(), means.idxmax()
        others = [a for a in axes if a != axis]
        a_lo = df.loc[lev == lo].set_index(others)[metric] if others else None
        a_hi = df.loc[lev == hi].set_index(others)[metric] if others else None
        if others and a_lo.index.is_unique and a_hi.index.is_unique:
            both = pd.concat([a_lo.rename("lo"), a_hi.rename("hi")], axis=1).dropna()
            at_lo, at_hi, n = both["lo"].mean(), both["hi"].mean(), len(both)
        else:
            at_lo = df.loc[lev == lo, metric].mean()
            at_hi = df.loc[lev == hi, metric].mean()
            n = int(df.loc[lev.isin([lo, hi]), metric].notna().sum())
        rows.append(
            {
                "axis": axis,
                "low": _fmt(lo),
                "high": _fmt(hi),
                "at_low": float(at_lo),
                "at_high": float(at_hi),
                "n": n,
            }
        )
    out = pd.DataFrame(rows, columns=["axis", "low", "high", "at_low", "at_high", "n"])
    out["swing"] = (out["at_high"] - out["at_low"]).abs()
    return out.sort_values("swing").reset_index(drop=True)


def tornado(ds, metric: str, path: Path, title: str, currency: str = "EUR") -> Path:
    """A tornado chart: per axis the metric's mean at its low and high level, around the mean
    over every scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = tornado_table(ds, metric)
    centre = float(scenario_frame(ds)[metric].mean())
    lo, hi = t["at_low"].astype(float), t["at_high"].astype(float)
    t = t[np.isfinite(lo) & np.isfinite(hi)].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 2.2 + 0.55 * max(1, len(t))))
    for i, r in t.iterrows():
        ax.barh(i, r["at_low"] - centre, left=centre, color="#4477aa", height=0.6)
        ax.barh(i, r["at_high"] - centre, left=centre, color="#cc6677", height=0.6)
        if abs(r["at_high"] - r["at_low"]) < 0.02 * (abs(centre) + 1.0):  # one label for both
            ax.text(
                r["at_high"],
                i,
                f" {r['low']} = {r['high']} (no change) ",
                va="center",
                ha="left",
                fontsize=8,
            )
            continue
        ax.text(
            r["at_low"],
            i,
            f" {r['low']} ",
            va="center",
            ha="right" if r["at_low"] < centre else "left",
            fontsize=8,
        )
        ax.text(
            r["at_high"],
            i,
            f" {r['high']} ",
            va="center",
            ha="left" if r["at_high"] >= centre else "right",
            fontsize=8,
        )
    ax.set_yticks(range(len(t)), [_unit(LABELS.get(a, a), currency) for a in t["axis"]], fontsize=8)
    ax.axvline(centre, color="k", lw=0.8)
    ax.set_xlabel(_unit(METRICS.get(metric, metric), currency))
    ax.set_title(title, fontsize=10)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color="#4477aa", label="lowest value (a rule: off)"),
            Patch(color="#cc6677", label="highest value"),
        ],
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        ncol=2,
        frameon=False,
    )
    ax.margins(x=0.25)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _summary(ds, spec, figures: list[Path]) -> str:
    df = scenario_frame(ds)
    n = len(df)
    lines = [f"# Sweep `{spec.name}`", ""]
    lines += [
        f"- case: `{spec.case}`; study: `{spec.study}` ({ds.attrs['n_designs']} candidate"
        f" designs, `{spec.candidates}`)",
        f"- {ds.attrs['n_scenarios']} valuation scenarios x {ds.attrs['n_physics']} physics"
        f" scenarios = {n} scenarios",
        f"- valuation axes: {ds.attrs['valuation_axes'] or 'none'}; physics axes:"
        f" {ds.attrs['physics_axes'] or 'none'}",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    has = df["best_design"] >= 0
    lines.append(f"| scenarios with a feasible heat pump | {has.mean():.1%} |")
    s = df["npc_saving_vs_boiler"]
    lines.append(f"| heat pump cheaper than the gas boiler over its life | {(s > 0).mean():.1%} |")
    lines.append(
        f"| lifetime cost saving vs boiler: median (5 % .. 95 %) | {s.median():,.0f}"
        f" ({s.quantile(0.05):,.0f} .. {s.quantile(0.95):,.0f}) |"
    )
    if df["hybrid_net_present_cost"].notna().any():
        h = df["npc_saving_vs_hybrid"]
        lines.append(f"| heat pump cheaper than the hybrid | {(h > 0).mean():.1%} |")
        lines.append(
            f"| lifetime cost saving vs hybrid: median (5 % .. 95 %) | {h.median():,.0f}"
            f" ({h.quantile(0.05):,.0f} .. {h.quantile(0.95):,.0f}) |"
        )
        sw = df["hybrid_switchover_degC"].dropna()
        if sw.size:
            lines.append(f"| hybrid switchover (median) [degC] | {sw.median():g} |")
    c = df["co2_saving_vs_boiler"]
    lines.append(f"| lifetime CO2 saving vs boiler: median [kg] | {c.median():,.0f} |")
    lines.append(f"| share of feasible designs: median | {df['feasible_share'].median():.1%} |")
    if "best_refrigerant" in df:
        counts = df.loc[has, "best_refrigerant"].value_counts(normalize=True)
        txt = ", ".join(f"{k} {v:.0%}" for k, v in counts.items())
        lines.append(f"| optimal refrigerant (share of scenarios) | {txt or 'none'} |")
    lines += ["", "## Sensitivity (mean saving vs boiler at each axis's lowest and highest value)"]
    t = tornado_table(ds, "npc_saving_vs_boiler")
    lines += ["", "| axis | low | at low | high | at high | swing |", "|---|---|---|---|---|---|"]
    for _, r in t.iloc[::-1].iterrows():
        lines.append(
            f"| {r['axis']} | {r['low']} | {r['at_low']:,.0f} | {r['high']} |"
            f" {r['at_high']:,.0f} | {r['swing']:,.0f} |"
        )
    lines += ["", "## Figures", ""] + [f"![{p.stem}]({p.name})" for p in figures]
    lines += ["", f"Money in {spec.report.currency}. Written by `designopt sweep`.", ""]
    return "\n".join(lines)


def write_report(ds, spec, out_dir: Path) -> list[Path]:
    """Heatmap(s), tornado chart and ``summary.md`` into ``out_dir``; returns the figures."""
    axes = _axes(ds)
    cur = spec.report.currency
    figures: list[Path] = []
    pair = spec.report.heatmap or (axes[:2] if len(axes) >= 2 else None)
    if pair is not None:
        x, y = pair
        figures.append(
            heatmap(
                ds,
                x,
                y,
                "npc_saving_vs_boiler",
                out_dir / "heatmap_saving_vs_boiler.png",
                "Lifetime cost saving of the best heat pump against a gas boiler\n"
                "(mean over the other axes; > 0: the heat pump is cheaper)",
                cur,
            )
        )
        if "best_refrigerant" in ds and np.unique(ds["best_refrigerant"].values).size > 1:
            figures.append(
                heatmap(
                    ds,
                    x,
                    y,
                    "best_refrigerant",
                    out_dir / "heatmap_refrigerant.png",
                    "Refrigerant of the lowest-cost feasible design (most frequent)",
                    cur,
                )
            )
        if ds["hybrid_net_present_cost"].notnull().any():
            figures.append(
                heatmap(
                    ds,
                    x,
                    y,
                    "npc_saving_vs_hybrid",
                    out_dir / "heatmap_saving_vs_hybrid.png",
                    "Lifetime cost saving of the best heat pump against a heat pump +"
                    " gas boiler hybrid\n(mean over the other axes; > 0: heat pump alone"
                    " is cheaper)",
                    cur,
                )
            )
    if len(tornado_table(ds, "npc_saving_vs_boiler")):  # an axis with two or more values
        figures.append(
            tornado(
                ds,
                "npc_saving_vs_boiler",
                out_dir / "tornado_saving_vs_boiler.png",
                "Sensitivity of the lifetime cost saving against a gas boiler\n"
                "(means of scenario pairs differing only in that axis)",
                cur,
            )
        )
    (out_dir / "summary.md").write_text(_summary(ds, spec, figures), encoding="utf-8")
    return figures

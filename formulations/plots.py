"""Figures of the formulations' results (matplotlib, Agg backend; imported only when plotting)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_front", "plot_dispatch"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_front(front, path, *, other=None, other_label: str = "Optuna front") -> Path:
    """Exact front (steps and points) with another front's points; axes in kEUR."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    c = np.asarray(front["capital_cost"].values, float) / 1e3
    life = np.asarray(front["lifetime_cost"].values, float) / 1e3
    ax.step(c, life, where="post", color="k", lw=1.0)
    ax.plot(c, life, "o", color="k", ms=4, label=f"exact front (ε-constraint, {c.size} points)")
    if other is not None and len(other):
        o = np.asarray(other, float) / 1e3
        ax.plot(o[:, 0], o[:, 1], "x", color="tab:red", ms=5, label=other_label)
    ax.set_xlabel("capital cost [kEUR]")
    ax.set_ylabel("lifetime cost [kEUR]")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def plot_dispatch(ds, path, *, implied_switchover_K: float | None = None) -> Path:
    """Heat-pump share of each hour's heat against outdoor temperature, with the switchover."""
    plt = _plt()
    q = np.asarray(ds["heat_pump_heat"].values, float)
    g = np.asarray(ds["boiler_heat"].values, float)
    t = np.asarray(ds["t_outdoor"].values, float) - 273.15
    tot = q + g
    on = tot > 0
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    ax.plot(t[on], q[on] / tot[on], ".", ms=2, alpha=0.4, color="tab:blue", label="LP, hourly")
    if implied_switchover_K is not None and np.isfinite(implied_switchover_K):
        ax.axvline(
            implied_switchover_K - 273.15, color="k", ls="--", lw=1, label="implied switchover"
        )
    ax.set_xlabel("outdoor temperature [°C]")
    ax.set_ylabel("heat-pump share of the heat [1]")
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path

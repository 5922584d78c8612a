"""What the report says about a study: identical designs, the marked designs (cheapest
compliant, knee, lowest lifetime cost) and which constraints block which designs.

Pure functions of a results Dataset (:mod:`designopt.results`); no figures, no files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from designopt.report.labels import role

#: Objectives (or metrics) the cost markers read; a marker is left out when its quantity is not
#: in the results.
CAPITAL = "capital_cost"
LIFETIME = "net_present_cost"


def design_groups(ds: xr.Dataset) -> dict[int, list[int]]:
    """Trial numbers of each distinct design: the first trial with the design -> every trial
    with the same design variables (``repeat_of``), in order."""
    trials = ds.trial.values.astype(int)
    rep = ds["repeat_of"].values.astype(int) if "repeat_of" in ds else np.full(trials.size, -1)
    groups: dict[int, list[int]] = {}
    for t, r in zip(trials, rep, strict=True):
        groups.setdefault(int(r) if r >= 0 else int(t), []).append(int(t))
    return groups


def _distinct(ds: xr.Dataset) -> np.ndarray:
    """True for the first trial of each design (repeats of an earlier trial False)."""
    if "repeat_of" not in ds:
        return np.ones(ds.sizes["trial"], dtype=bool)
    return ds["repeat_of"].values.astype(int) < 0


def _sign(ds: xr.Dataset, name: str) -> float:
    return -1.0 if ds[name].attrs.get("direction") == "maximize" else 1.0


def knee_index(points: np.ndarray) -> int | None:
    """Index of the knee of a two-objective front ``points`` (n, 2), both minimised.

    Each objective is scaled to [0, 1] over the front; the knee is the point farthest from the
    straight line joining the two extremes (the best point of each objective), i.e. the design
    where giving up a little of one objective buys the most of the other.  None for fewer
    than three points or a flat front; ties go to the lower index.

    >>> knee_index(np.array([[0.0, 10.0], [1.0, 2.0], [5.0, 1.0], [10.0, 0.0]]))
    1
    """
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[0] < 3 or p.shape[1] != 2 or not np.isfinite(p).all():
        return None
    lo, span = p.min(axis=0), np.ptp(p, axis=0)
    if (span <= 0).any():
        return None
    z = (p - lo) / span
    a = z[np.lexsort((z[:, 1], z[:, 0]))[0]]  # best first objective (then second)
    b = z[np.lexsort((z[:, 0], z[:, 1]))[0]]  # best second objective (then first)
    d = b - a
    dist = np.abs(d[0] * (z[:, 1] - a[1]) - d[1] * (z[:, 0] - a[0])) / np.hypot(*d)
    if dist.max() <= 1e-12:
        return None
    return int(np.argmax(dist))


@dataclass(frozen=True)
class Marker:
    """A design the report points at."""

    key: str  #: cheapest | knee | lifetime
    label: str  #: what a client reads: "Cheapest compliant design"
    trial: int  #: its (first) trial number
    rule: str  #: how it was chosen, in one sentence


def markers(ds: xr.Dataset) -> list[Marker]:
    """The cheapest compliant design (lowest capital cost among feasible designs), the knee of
    the Pareto front of the first two objectives (:func:`knee_index`) and the lowest lifetime
    cost (lowest net present cost among feasible designs), those the results allow.  A tie
    goes to the lowest trial number; a repeated design counts as its first trial."""
    feas = ds.feasible.values.astype(bool) & _distinct(ds)
    trials = ds.trial.values.astype(int)
    out: list[Marker] = []

    def lowest(name: str) -> int | None:
        if name not in ds or not feas.any():
            return None
        v = ds[name].values.astype(float)
        ok = feas & np.isfinite(v)
        if not ok.any():
            return None
        idx = np.flatnonzero(ok)
        best = idx[np.lexsort((trials[idx], v[idx]))[0]]
        return int(trials[best])

    t = lowest(CAPITAL)
    if t is not None:
        out.append(
            Marker(
                "cheapest",
                "Cheapest compliant design",
                t,
                "lowest capital cost among the designs that meet every constraint",
            )
        )
    objs = role(ds, "objective")
    par = ds.pareto.values.astype(bool)
    if len(objs) >= 2 and par.sum() >= 3:
        idx = np.flatnonzero(par)
        idx = idx[np.argsort(trials[idx])]
        pts = np.column_stack([_sign(ds, o) * ds[o].values[idx].astype(float) for o in objs[:2]])
        k = knee_index(pts)
        if k is not None:
            out.append(
                Marker(
                    "knee",
                    "Knee of the front",
                    int(trials[idx[k]]),
                    f"the Pareto design farthest from the straight line joining the best "
                    f"{objs[0]} and the best {objs[1]} designs, each objective scaled to 0..1 "
                    "over the front",
                )
            )
    t = lowest(LIFETIME)
    if t is not None:
        out.append(
            Marker(
                "lifetime",
                "Lowest lifetime cost",
                t,
                "lowest net present cost among the designs that meet every constraint",
            )
        )
    return out


def marker_names(ds: xr.Dataset, marks: list[Marker] | None = None) -> dict[int, str]:
    """Trial number -> the labels of its markers joined by "; "."""
    out: dict[int, str] = {}
    for m in markers(ds) if marks is None else marks:
        out[m.trial] = f"{out[m.trial]}; {m.label}" if m.trial in out else m.label
    return out


# ------------------------------------------------------------------------------ constraints
@dataclass(frozen=True)
class Violation:
    """A constraint in physical units: ``amount`` (> 0: violated by that much) in ``unit``,
    ``what`` completes "x kW short of the design heat load"."""

    amount: np.ndarray
    unit: str
    what: str


def physical_violation(ds: xr.Dataset, name: str) -> Violation | None:
    """Constraint ``name`` (``g_<name>`` in the results) in physical units, where the results
    carry what that takes; None otherwise (the scaled value is all there is)."""
    g = ds[f"g_{name}"].values.astype(float)
    if name == "noise" and "noise_margin_dB" in ds:
        return Violation(
            ds["noise_margin_dB"].values.astype(float),
            "dB",
            "above the noise limit at the worst receiver",
        )
    if name == "charge" and "charge_kg" in ds and "charge_limit_kg" in ds:
        amount = ds["charge_kg"].values.astype(float) - ds["charge_limit_kg"].values.astype(float)
        return Violation(amount, "kg", "over the refrigerant charge limit")
    if name == "capacity" and "design_heat_load_kW" in ds.attrs:
        load = float(ds.attrs["design_heat_load_kW"])
        return Violation(g * load, "kW", f"short of the {load:g} kW design heat load")
    if name == "gwp" and "gwp" in ds and "gwp_cap" in ds.attrs:
        cap = float(ds.attrs["gwp_cap"])
        return Violation(ds["gwp"].values.astype(float) - cap, "", f"above the GWP cap of {cap:g}")
    if name == "fluid_temperature" and "fluid_margin_K" in ds:
        return Violation(
            ds["fluid_margin_K"].values.astype(float), "K", "beyond the fluid temperature limit"
        )
    if name == "unmet_load":
        from designopt.evaluate.value import UNMET_TOLERANCE

        return Violation(
            g * UNMET_TOLERANCE * 100.0,
            "%",
            f"of the annual heat demand unmet beyond the {UNMET_TOLERANCE:.1%} allowance",
        )
    return None


@dataclass(frozen=True)
class ConstraintDiagnosis:
    """How one constraint blocks the evaluated designs (distinct designs, repeats counted once).

    ``violated``: designs that violate it; ``alone``: designs that violate it and meet every
    other constraint (relaxing this one alone would make them feasible); ``smallest``: the
    smallest violation in the constraint's own (scaled) measure, at trial ``closest_trial``,
    and the same in physical units (``physical``, ``unit``, ``what``) where known.
    """

    name: str
    long_name: str
    evaluated: int
    violated: int
    alone: int
    smallest: float = float("nan")
    closest_trial: int = -1
    physical: float = float("nan")
    unit: str = ""
    what: str = ""

    def closest_text(self) -> str:
        """ "trial 17: 0.4 dB above the noise limit ..." or "trial 17: 0.012 (scaled)"."""
        if self.violated == 0:
            return ""
        if np.isfinite(self.physical):
            u = f" {self.unit}" if self.unit and self.unit != "%" else self.unit
            return f"trial {self.closest_trial}: {_num(self.physical)}{u} {self.what}"
        return f"trial {self.closest_trial}: {_num(self.smallest)} (scaled)"


def _num(v: float) -> str:
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 1:
        return f"{v:.1f}"
    return f"{v:.2g}"


def constraint_diagnostics(ds: xr.Dataset) -> list[ConstraintDiagnosis]:
    """One :class:`ConstraintDiagnosis` per constraint of the results, in their order."""
    cons = role(ds, "constraint")
    ok = (ds.state.values == "COMPLETE") & _distinct(ds)
    trials = ds.trial.values.astype(int)
    if not cons:
        return []
    g = np.column_stack([ds[c].values.astype(float) for c in cons])
    viol = np.nan_to_num(g, nan=np.inf) > 0.0
    out = []
    for j, c in enumerate(cons):
        name = c.removeprefix("g_")
        long_name = str(ds[c].attrs.get("long_name", name)).split(" (scaled")[0]
        v = ok & viol[:, j]
        others = np.delete(viol, j, axis=1).any(axis=1) if len(cons) > 1 else np.zeros_like(v)
        kw = {}
        if v.any():
            idx = np.flatnonzero(v)
            i = idx[np.lexsort((trials[idx], g[idx, j]))[0]]
            kw = {"smallest": float(g[i, j]), "closest_trial": int(trials[i])}
            phys = physical_violation(ds, name)
            if phys is not None:
                kw.update(physical=float(phys.amount[i]), unit=phys.unit, what=phys.what)
        out.append(
            ConstraintDiagnosis(
                name=name,
                long_name=long_name,
                evaluated=int(ok.sum()),
                violated=int(v.sum()),
                alone=int((v & ~others).sum()),
                **kw,
            )
        )
    return out


def blocking_text(ds: xr.Dataset) -> str:
    """One sentence naming the constraints that block the designs, most blocking first: what
    ``designopt run`` prints when no design is feasible."""
    diag = [d for d in constraint_diagnostics(ds) if d.violated]
    evaluated = int(((ds.state.values == "COMPLETE") & _distinct(ds)).sum())
    if evaluated == 0:
        return "no design could be evaluated (see the failure reasons in summary.md)"
    if not diag:
        return f"no constraint is violated by the {evaluated} evaluated designs"
    diag.sort(key=lambda d: (-d.violated, -d.alone, d.name))
    parts = []
    for d in diag:
        who = "every design" if d.violated == evaluated else f"{d.violated} of {evaluated} designs"
        alone = f", {d.alone} by it alone" if d.alone else ""
        parts.append(f"{d.name} (violated by {who}{alone}; closest {d.closest_text()})")
    names = " and ".join(d.name for d in diag[:2])
    return f"blocked by {'; '.join(parts)}; relax {names} or widen the design space"

"""Pareto dominance and hypervolume for minimisation problems.

All functions take objective arrays already oriented for minimisation (multiply maximised
objectives by -1 first, see :func:`to_minimisation`).

The hypervolume is exact: a sweep in two dimensions and the hypervolume-by-slicing-objectives
recursion (While et al. 2006, doi:10.1109/TEVC.2005.851275) above that.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from designopt.errors import ConfigurationError


def to_minimisation(values: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Return ``values`` [n, k] with maximised objectives negated."""
    values = np.asarray(values, dtype=float)
    sign = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    return values * sign


def non_dominated_mask(values: np.ndarray) -> np.ndarray:
    """Boolean mask of the points of ``values`` [n, k] that no other point dominates.

    A point dominates another when it is no worse in every objective and better in one.
    Duplicates of a non-dominated point are all kept.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        if not mask[i]:
            continue
        le = np.all(values <= values[i], axis=1)
        lt = np.any(values < values[i], axis=1)
        if np.any(le & lt):
            mask[i] = False
    return mask


def weakly_dominated(points: np.ndarray, front: np.ndarray, *, rtol: float = 1e-9) -> np.ndarray:
    """For each row of ``points``, whether some row of ``front`` is no worse in every objective."""
    points = np.atleast_2d(np.asarray(points, dtype=float))
    front = np.atleast_2d(np.asarray(front, dtype=float))
    if front.size == 0:
        return np.zeros(points.shape[0], dtype=bool)
    tol = rtol * np.maximum(1.0, np.abs(points))
    return np.array(
        [np.any(np.all(front <= p + t, axis=1)) for p, t in zip(points, tol, strict=True)]
    )


def hypervolume(values: np.ndarray, reference: Sequence[float]) -> float:
    """Exact hypervolume dominated by ``values`` [n, k] and bounded by ``reference`` [k].

    Points that do not strictly dominate the reference point contribute nothing.
    """
    ref = np.asarray(reference, dtype=float)
    pts = np.atleast_2d(np.asarray(values, dtype=float))
    if pts.size == 0:
        return 0.0
    if pts.shape[1] != ref.size:
        raise ConfigurationError(
            f"reference point has {ref.size} coordinates but the points have {pts.shape[1]} objectives"
        )
    pts = pts[np.all(pts < ref, axis=1)]
    if pts.shape[0] == 0:
        return 0.0
    pts = pts[non_dominated_mask(pts)]
    return float(_hv(pts, ref))


def _hv(pts: np.ndarray, ref: np.ndarray) -> float:
    k = pts.shape[1]
    if k == 1:
        return float(ref[0] - pts[:, 0].min())
    if k == 2:
        order = np.argsort(pts[:, 0], kind="stable")
        p = pts[order]
        hv, best_y = 0.0, ref[1]
        for x, y in p:
            if y < best_y:
                hv += (ref[0] - x) * (best_y - y)
                best_y = y
        return hv
    # slice along the last objective
    order = np.argsort(pts[:, -1], kind="stable")
    p = pts[order]
    hv = 0.0
    for i in range(p.shape[0]):
        upper = p[i + 1, -1] if i + 1 < p.shape[0] else ref[-1]
        depth = upper - p[i, -1]
        if depth <= 0:
            continue
        sub = p[: i + 1, :-1]
        sub = sub[non_dominated_mask(sub)]
        hv += depth * _hv(sub, ref[:-1])
    return hv

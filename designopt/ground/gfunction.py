"""g-functions from pygfunction, cached by normalised geometry and interpolated in length.

The g-function of a field (Eskilson 1987) is the dimensionless step response of the borehole
wall temperature, ``T_b(t) = T_g - q' / (2 pi k_s) * g(ln(t / t_s))`` with ``t_s = H**2 / (9
alpha)`` and ``q'`` the extraction rate per metre.  For a fixed layout (plan coordinates, buried
depth ``D``, radius ``r_b``) it depends on the length ``H`` only through ``B/H``, ``D/H`` and
``r_b/H``, and *not* on the ground diffusivity once time is expressed as ``ln(t/t_s)``.

A :class:`GFunctionFamily` therefore stores, per layout, g on a fixed grid of ``ln(t/t_s)``
(:data:`LNTTS_GRID`) at a geometric grid of lengths ``H_k = 100 m * 2**(k / NODES_PER_OCTAVE)``.
Nodes are computed lazily with pygfunction (Cimmino 2018; the 'equivalent' borehole method of
Prieto & Cimmino 2021 for fields of more than a few boreholes, uniform borehole wall temperature)
and kept in memory and on disk (``designopt.cache.cache_dir("gfunctions")``).  Between nodes
g is interpolated by cubic Lagrange polynomials in ``ln H``, between times by a cubic spline in
``ln(t/t_s)``.  Before the first grid time the field behaves like an isolated borehole and the
infinite line source ``g = E1(r_b**2 / (4 alpha t)) / 2`` is used, scaled to join the grid.
The interpolation error is measured in ``benchmarks/bench_ground.py`` and stated in
``docs/ground.md``; :meth:`GFunctionFamily.exact` gives the uninterpolated value.

References
----------
Eskilson P. (1987) Thermal analysis of heat extraction boreholes. PhD thesis, Lund University.
Cimmino M. (2018) pygfunction: an open-source toolbox for the evaluation of thermal response
factors for geothermal borehole fields. eSim 2018, Montreal, 492-501.
Prieto C., Cimmino M. (2021) Thermal interactions in large irregular fields of geothermal
boreholes: the method of equivalent boreholes. J. Build. Perform. Simul. 14(4) 446-460.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.special import exp1

from designopt.cache import cache_dir, stable_hash
from designopt.errors import ConfigurationError
from designopt.ground.geometry import Borefield

__all__ = [
    "LNTTS_GRID",
    "NODES_PER_OCTAVE",
    "GFunctionFamily",
    "family_for",
    "compute_gfunction",
    "clear_memory_cache",
]

#: Grid of ln(t / t_s) on which g-functions are stored [1].
LNTTS_GRID = np.linspace(-10.0, 3.5, 19)
#: Length nodes per doubling of H (geometric grid, ratio 2**(1/4) = 1.19).
NODES_PER_OCTAVE = 4
_H_REF = 100.0
_H_MIN, _H_MAX = 5.0, 2000.0
_PYGFUNCTION_OPTIONS = {"disp": False, "nSegments": 8}
_CACHE_VERSION = 1

_FAMILIES: dict[str, GFunctionFamily] = {}
_LOCK = threading.Lock()


def clear_memory_cache() -> None:
    """Forget every in-memory g-function family (the disk cache is kept)."""
    with _LOCK:
        _FAMILIES.clear()


def _method_for(n: int, method: str | None) -> str:
    if method is not None:
        if method not in ("equivalent", "similarities", "detailed"):
            raise ConfigurationError(
                f"g-function method={method!r} is not one of 'equivalent', 'similarities', "
                f"'detailed'"
            )
        return method
    return "similarities" if n <= 4 else "equivalent"


def compute_gfunction(
    borefield: Borefield, lntts: np.ndarray, *, method: str | None = None
) -> np.ndarray:
    """Compute g at ``lntts = ln(t / t_s)`` [1] for ``borefield`` with pygfunction.

    Uniform borehole wall temperature boundary condition (the usual sizing g-function).
    ``method`` defaults to 'similarities' for up to 4 boreholes, else 'equivalent'.
    """
    import pygfunction as gt

    alpha = 1.0e-6  # any value: g depends on ln(t/ts) only
    H = borefield.H
    boreholes = [
        gt.boreholes.Borehole(H, borefield.D, borefield.r_b, x, y)
        for x, y in zip(borefield.x, borefield.y, strict=True)
    ]
    t = np.exp(np.asarray(lntts, dtype=float)) * H**2 / (9.0 * alpha)
    gfunc = gt.gfunction.gFunction(
        boreholes,
        alpha,
        time=t,
        method=_method_for(borefield.n_boreholes, method),
        options=dict(_PYGFUNCTION_OPTIONS),
        boundary_condition="UBWT",
    )
    return np.asarray(gfunc.gFunc, dtype=float)


def _ils(lntts: np.ndarray, rb_over_H: float) -> np.ndarray:
    """Infinite line source g at ln(t/ts): E1(r_b^2/(4 alpha t)) / 2 with alpha t = e^lntts H^2/9."""
    return 0.5 * exp1(9.0 * rb_over_H**2 / (4.0 * np.exp(lntts)))


class GFunctionFamily:
    """g-functions of one layout for any length ``H`` (see the module docstring).

    Parameters
    ----------
    borefield : Borefield
        The layout; its own ``H`` is irrelevant.
    method : str or None
        pygfunction solver ('equivalent', 'similarities', 'detailed'); default by field size.
    use_disk : bool
        Read and write nodes under ``cache_dir("gfunctions")``.
    """

    def __init__(self, borefield: Borefield, *, method: str | None = None, use_disk: bool = True):
        self.borefield = borefield
        self.method = _method_for(borefield.n_boreholes, method)
        self.use_disk = use_disk
        self.key = stable_hash(
            "gfunction-family",
            _CACHE_VERSION,
            borefield.normalised_key(),
            self.method,
            LNTTS_GRID,
            _PYGFUNCTION_OPTIONS,
        )
        self._nodes: dict[int, np.ndarray] = {}
        self._coefs: dict[int, np.ndarray] = {}
        self._exact: dict[float, np.ndarray] = {}
        self.n_computed = 0  # pygfunction evaluations done by this object (diagnostics)

    # -------------------------------------------------------------- nodes
    @staticmethod
    def node_length(k: int) -> float:
        """Length of node ``k`` [m]."""
        return _H_REF * 2.0 ** (k / NODES_PER_OCTAVE)

    @staticmethod
    def node_index(H: float) -> float:
        """Fractional node index of length ``H`` [m]."""
        return NODES_PER_OCTAVE * np.log2(H / _H_REF)

    def _path(self, tag: str) -> Path:
        return cache_dir("gfunctions") / f"{self.key}_{tag}.npy"

    def _load_or_compute(self, H: float, tag: str) -> np.ndarray:
        if self.use_disk:
            path = self._path(tag)
            if path.exists():
                try:
                    values = np.load(path)
                    if values.shape == LNTTS_GRID.shape:
                        return values
                except (OSError, ValueError):
                    pass
        values = compute_gfunction(self.borefield.with_length(H), LNTTS_GRID, method=self.method)
        self.n_computed += 1
        if self.use_disk:
            tmp = self._path(f"{tag}.{os.getpid()}.{threading.get_ident()}.tmp")
            with open(tmp, "wb") as fh:
                np.save(fh, values)
            tmp.replace(self._path(tag))
        return values

    def node(self, k: int) -> np.ndarray:
        """g on :data:`LNTTS_GRID` at node ``k`` (computed once, then cached)."""
        if k not in self._nodes:
            self._nodes[k] = self._load_or_compute(self.node_length(k), f"k{k}")
        return self._nodes[k]

    def _weights(self, H: float) -> tuple[list[int], np.ndarray]:
        """Nodes and cubic Lagrange weights (in ln H) for length ``H``."""
        s = self.node_index(self._check_H(H))
        if abs(s - round(s)) < 1e-9:
            return [int(round(s))], np.ones(1)
        k0 = int(np.floor(s))
        ks = [k0 - 1, k0, k0 + 1, k0 + 2]
        w = np.array(
            [np.prod([(s - ks[j]) / (ks[i] - ks[j]) for j in range(4) if j != i]) for i in range(4)]
        )
        return ks, w

    def grid_values(self, H: float) -> np.ndarray:
        """g on :data:`LNTTS_GRID` at length ``H`` [m], cubic Lagrange in ln H over 4 nodes."""
        ks, w = self._weights(H)
        return sum(wi * self.node(k) for k, wi in zip(ks, w, strict=True))

    def _node_coef(self, k: int) -> np.ndarray:
        if k not in self._coefs:
            self._coefs[k] = spline_coefficients(self.node(k))
        return self._coefs[k]

    def grid_coefficients(self, H: float) -> tuple[np.ndarray, float]:
        """Spline coefficients and first grid value of g at length ``H`` [m]."""
        ks, w = self._weights(H)
        coef = sum(wi * self._node_coef(k) for k, wi in zip(ks, w, strict=True))
        g0 = float(sum(wi * self.node(k)[0] for k, wi in zip(ks, w, strict=True)))
        return coef, g0

    def exact_values(self, H: float) -> np.ndarray:
        """g on :data:`LNTTS_GRID` computed at exactly ``H`` [m] (no interpolation in H)."""
        H = self._check_H(H)
        key = round(H, 6)
        if key not in self._exact:
            self._exact[key] = self._load_or_compute(H, f"H{key:.6f}")
        return self._exact[key]

    def _check_H(self, H: float) -> float:
        H = float(H)
        if not (_H_MIN <= H <= _H_MAX):
            raise ConfigurationError(
                f"borehole length H={H!r} m is outside the g-function range {_H_MIN}-{_H_MAX} m"
            )
        return H

    # -------------------------------------------------------------- evaluation
    def __call__(self, H: float, lntts, *, exact: bool = False) -> np.ndarray:
        """g at length ``H`` [m] and ``lntts = ln(t/t_s)`` [1] (array)."""
        lntts = np.asarray(lntts, dtype=float)
        if exact:
            return evaluate_on_grid(self.exact_values(H), lntts, self.borefield.r_b / H)
        coef, g0 = self.grid_coefficients(H)
        return evaluate_coefficients(coef, g0, lntts, self.borefield.r_b / H)

    def at_times(self, H: float, t, alpha: float, *, exact: bool = False) -> np.ndarray:
        """g at length ``H`` [m] and times ``t`` [s] in ground of diffusivity ``alpha`` [m2/s]."""
        t = np.asarray(t, dtype=float)
        ts = H**2 / (9.0 * alpha)
        with np.errstate(divide="ignore"):
            lntts = np.log(np.maximum(t, 1e-300) / ts)
        g = self(H, lntts, exact=exact)
        return np.where(t > 0.0, g, 0.0)


def spline_coefficients(values: np.ndarray) -> np.ndarray:
    """Coefficients (4, n-1) of the not-a-knot cubic spline of ``values`` on
    :data:`LNTTS_GRID` (linear in ``values``, so node splines can be combined)."""
    return CubicSpline(LNTTS_GRID, values).c


def evaluate_coefficients(
    coef: np.ndarray, g0: float, lntts: np.ndarray, rb_over_H: float
) -> np.ndarray:
    """g at ``lntts`` from spline coefficients ``coef`` (first grid value ``g0``): the spline
    inside the grid, the infinite line source scaled to ``g0`` before it, constant after it."""
    x = LNTTS_GRID
    lntts = np.asarray(lntts, dtype=float)
    shape = lntts.shape
    lntts = lntts.reshape(-1)  # 1-d so the early-time branch can index (scalars too)
    lt = np.clip(lntts, x[0], x[-1])
    idx = np.clip(np.searchsorted(x, lt, side="right") - 1, 0, len(x) - 2)
    dx = lt - x[idx]
    out = ((coef[0, idx] * dx + coef[1, idx]) * dx + coef[2, idx]) * dx + coef[3, idx]
    early = np.flatnonzero(lntts < x[0])
    if early.size:
        scale = g0 / _ils(np.array([x[0]]), rb_over_H)[0]
        out[early] = scale * _ils(lntts[early], rb_over_H)
    return out.reshape(shape)


def evaluate_on_grid(values: np.ndarray, lntts: np.ndarray, rb_over_H: float) -> np.ndarray:
    """Interpolate g given on :data:`LNTTS_GRID` at ``lntts`` (see
    :func:`evaluate_coefficients`)."""
    return evaluate_coefficients(spline_coefficients(values), values[0], lntts, rb_over_H)


def family_for(
    borefield: Borefield, *, method: str | None = None, use_disk: bool = True
) -> GFunctionFamily:
    """The (memory-cached) :class:`GFunctionFamily` of ``borefield``'s layout."""
    fam = GFunctionFamily(borefield, method=method, use_disk=use_disk)
    mem_key = f"{fam.key}-{use_disk}-{cache_dir('gfunctions') if use_disk else ''}"
    with _LOCK:
        return _FAMILIES.setdefault(mem_key, fam)

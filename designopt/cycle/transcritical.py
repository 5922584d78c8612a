"""Transcritical R744 (CO2) cycle: supercritical gas cooler against water.

Above its critical temperature (31 degC) CO2 rejects heat without condensing.  The cycle is the
single-stage one of :mod:`designopt.cycle.operating_point` with the condenser replaced by a
counter-flow **gas cooler** at the high-side pressure ``p_gc``:

* gas-cooler outlet temperature ``T3`` is an unknown (log of its approach to the water inlet,
  re-based on the smallest temperature difference like the condenser's);
* the gas cooler is discretised into ``N_SEGMENTS = 12`` segments of equal enthalpy drop; each
  segment needs ``UA_k = Q_k / LMTD_k`` with the CO2 temperatures from ``T(p_gc, h)`` and the
  water temperatures from energy balances, so a pinch inside the exchanger (near the
  pseudo-critical temperature, where the CO2 heat capacity peaks) is resolved; the exchanger
  fits when ``sum(UA_k) / U = A`` with ``U = condenser.u_liquid`` (single-phase supercritical
  CO2 against water, about 1700 W/(m2 K); CO2-side coefficients of Dang & Hihara (2004)
  Int. J. Refrig. 27, 736-747, are of the order of 2500-5000 W/(m2 K));
* high-side pressure: ``design.high_pressure_Pa`` if given, otherwise the optimum-pressure
  correlation of Liao, Zhao & Jakobsen (2000), Appl. Therm. Eng. 20, 831-841,
  doi:10.1016/S1359-4311(99)00070-8:
  ``p_opt [bar] = (2.778 - 0.0157 t_e) t_3 + (0.381 t_e - 9.34)`` with ``t_e``, ``t_3`` in degC
  (fitted for t_e -10...20 degC, t_3 30...60 degC), limited to 7.5-14 MPa.

Supercritical states come from tables over (p, T) built once from CoolProp HEOS
(7.45-14.5 MPa in 0.05 MPa steps, 270-480 K in 0.5 K steps; bilinear; secant inversion for
``T(p, h)`` and ``T(p, s)``).  In the map, ``t_cond`` holds the gas-cooler outlet temperature
and the condensing status code 3 marks gas-cooler temperatures outside these tables.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from designopt.errors import PropertyError

N_SEGMENTS = 12
P0_PA = 7.45e6
DP_PA = 0.05e6
N_P = 142  # up to 14.5 MPa
T0_K = 270.0
DT_K = 0.5
N_T = 421  # up to 480 K
P_GC_MIN_PA = 7.5e6
P_GC_MAX_PA = 14.0e6
_VERSION = 1


@dataclasses.dataclass(frozen=True, eq=False)
class SupercriticalTables:
    """h [J/kg] and s [J/(kg K)] of CO2 on the (p, T) grid above the critical pressure."""

    h: np.ndarray
    s: np.ndarray

    def _prow(self, p):
        x = (np.asarray(p, float) - P0_PA) / DP_PA
        x = np.where(np.isfinite(x), x, -1.0)
        i = np.minimum(np.maximum(np.floor(x), 0), N_P - 2).astype(np.intp)
        w = x - i
        return i, w, (w < -1e-9) | (w > 1 + 1e-9)

    def h_pt(self, p, T):
        """Enthalpy [J/kg] at ``p`` [Pa], ``T`` [K] (NaN outside the tables)."""
        i, w, bad = self._prow(p)
        y = (np.asarray(T, float) - T0_K) / DT_K
        y = np.where(np.isfinite(y), y, -1.0)
        j = np.minimum(np.maximum(np.floor(y), 0), N_T - 2).astype(np.intp)
        v = y - j
        t = self.h
        out = (t[i, j] * (1 - v) + t[i, j + 1] * v) * (1 - w) + (
            t[i + 1, j] * (1 - v) + t[i + 1, j + 1] * v
        ) * w
        bad = bad | (v < -1e-9) | (v > 1 + 1e-9)
        return np.where(bad, np.nan, out)

    def _inv(self, tab, p, target):
        """Temperature [K] where the (monotone) row of ``tab`` at ``p`` equals ``target``.

        Vectorised bisection on the grid index (9 steps for 421 columns), then linear
        interpolation in the cell: robust across the steep pseudo-critical region.
        """
        i, w, bad = self._prow(p)
        w1 = 1.0 - w
        target = np.asarray(target, float)
        shape = np.broadcast_shapes(np.shape(i), target.shape)
        i = np.broadcast_to(i, shape)
        w = np.broadcast_to(w, shape)
        w1 = np.broadcast_to(w1, shape)
        lo = np.zeros(shape, dtype=np.intp)
        hi = np.full(shape, N_T - 1, dtype=np.intp)
        while True:
            open_ = hi - lo > 1
            if not open_.any():
                break
            mid = (lo + hi) // 2
            val = tab[i, mid] * w1 + tab[i + 1, mid] * w
            up = val < target
            lo = np.where(open_ & up, mid, lo)
            hi = np.where(open_ & ~up, mid, hi)
        a = tab[i, lo] * w1 + tab[i + 1, lo] * w
        b = tab[i, hi] * w1 + tab[i + 1, hi] * w
        frac = (target - a) / (b - a)
        ok = ~np.broadcast_to(bad, shape) & (frac >= -1e-9) & (frac <= 1 + 1e-9)
        return np.where(ok, T0_K + (lo + frac) * DT_K, np.nan)

    def t_ph(self, p, h):
        """Temperature [K] at ``p`` [Pa] and enthalpy ``h`` [J/kg]."""
        return self._inv(self.h, p, h)

    def t_ps(self, p, s):
        """Temperature [K] at ``p`` [Pa] and entropy ``s`` [J/(kg K)]."""
        return self._inv(self.s, p, s)


def _build() -> SupercriticalTables:
    import CoolProp.CoolProp as CP  # noqa: N812

    from designopt.properties import Backend, abstract_state

    a = abstract_state("CarbonDioxide", Backend.HEOS)
    h = np.full((N_P, N_T), np.nan)
    s = np.full((N_P, N_T), np.nan)
    try:  # single phase everywhere above the critical pressure: no phase to impose
        for r in range(N_P):
            p = P0_PA + r * DP_PA
            for c in range(N_T):
                a.update(CP.PT_INPUTS, p, T0_K + c * DT_K)
                h[r, c] = a.hmass()
                s[r, c] = a.smass()
    except ValueError as exc:
        raise PropertyError(f"building the supercritical CO2 tables failed: {exc}") from None
    return SupercriticalTables(h=h, s=s)


@functools.lru_cache(maxsize=1)
def supercritical_tables() -> SupercriticalTables:
    """Memory- and disk-cached :class:`SupercriticalTables` of CO2."""
    from designopt.cache import cache_dir, stable_hash
    from designopt.properties import coolprop_version

    key = stable_hash(
        "CO2-supercritical", coolprop_version(), P0_PA, DP_PA, N_P, T0_K, DT_K, N_T, _VERSION
    )
    path = cache_dir("property_tables") / f"CO2-supercritical-{key}.npz"
    if path.exists():
        try:
            z = np.load(path)
            return SupercriticalTables(h=z["h"], s=z["s"])
        except (OSError, KeyError, ValueError):
            pass
    tab = _build()
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, h=tab.h, s=tab.s)
    tmp.replace(path)
    return tab


def optimal_high_pressure(t_evap_K, t_gc_out_K):
    """Optimum high-side pressure [Pa] of Liao, Zhao & Jakobsen (2000), limited to 7.5-14 MPa.

    ``p [bar] = (2.778 - 0.0157 t_e) t_3 + (0.381 t_e - 9.34)``, temperatures in degC.
    """
    te = np.asarray(t_evap_K, float) - 273.15
    t3 = np.asarray(t_gc_out_K, float) - 273.15
    p_bar = (2.778 - 0.0157 * te) * t3 + (0.381 * te - 9.34)
    return np.minimum(np.maximum(p_bar * 1e5, P_GC_MIN_PA), P_GC_MAX_PA)

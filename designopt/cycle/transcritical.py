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
(7.45-14.5 MPa in 0.05 MPa steps, 270-480 K in 0.5 K steps; bilinear).  ``T(p, h)`` and
``T(p, s)`` invert the bilinear surface exactly: the temperature cell is found from an inverse
index table (first guess), checked on the tables and corrected (bisection where needed), then
interpolated linearly, so ``h_pt(p, t_ph(p, h)) == h`` to round-off.  Against HEOS: enthalpy
within 0.1 % above 8.5 MPa; near the critical point (7.5-8.5 MPa, 298-318 K) up to 4 % at a
given temperature (sharp heat-capacity peak), temperature at a given enthalpy or entropy within
0.2 K.  :class:`CoolPropSupercritical` offers the same lookups as direct CoolProp flashes
(``backend="HEOS"``), against which the tabulated solve is validated (COP within 0.2 %).  In the map, ``t_cond`` holds the gas-cooler outlet temperature
and the condensing status code 3 marks gas-cooler temperatures outside these tables.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading

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

    def pressure_row(self, p):
        """Row index, weight and out-of-table flag of the pressures ``p`` [Pa].

        Pass it as ``row=`` to :meth:`h_pt`, :meth:`t_ph` and :meth:`t_ps` (with the same
        ``p``) to locate the pressure once for several lookups; ``np.newaxis`` may be added to
        its arrays for broadcasting.
        """
        return self._prow(p)

    def h_pt(self, p, T, *, row=None):
        """Enthalpy [J/kg] at ``p`` [Pa], ``T`` [K] (NaN outside the tables)."""
        i, w, bad = self._prow(p) if row is None else row
        y = (np.asarray(T, float) - T0_K) / DT_K
        y = np.where(np.isfinite(y), y, -1.0)
        j = np.minimum(np.maximum(np.floor(y), 0), N_T - 2).astype(np.intp)
        v = y - j
        ij = i * N_T + j
        t = self.h.ravel()
        out = (t.take(ij) * (1 - v) + t.take(ij + 1) * v) * (1 - w) + (
            t.take(ij + N_T) * (1 - v) + t.take(ij + N_T + 1) * v
        ) * w
        bad = bad | (v < -1e-9) | (v > 1 + 1e-9)
        return np.where(bad, np.nan, out)

    @functools.cached_property
    def _guess(self):
        """Inverse index tables for the start of :meth:`_inv`, one per tabulated property.

        For each pressure row, the fractional temperature-column index at which the row reaches
        each value of a uniform grid of the property (``np.interp`` of the monotone row); only a
        first guess, the bracket is then checked and corrected on the tables themselves.
        """
        out = {}
        for name, tab, step in (("h", self.h, 250.0), ("s", self.s, 0.5)):
            v0 = float(np.min(tab))
            n = int(np.ceil((float(np.max(tab)) - v0) / step)) + 2
            grid = v0 + step * np.arange(n)
            cols = np.arange(N_T, dtype=float)
            x = np.array([np.interp(grid, row, cols) for row in tab])
            out[name] = (x.ravel(), v0, step, n)
        return out

    def _bisect(self, tab, i, w, w1, target):
        """Vectorised bisection on the grid index: (lo, hi = lo + 1) with the row at ``lo``
        below ``target`` and at ``hi`` at or above it (ends untested)."""
        lo = np.zeros(target.shape, dtype=np.intp)
        hi = np.full(target.shape, N_T - 1, dtype=np.intp)
        while True:
            open_ = hi - lo > 1
            if not open_.any():
                break
            mid = (lo + hi) // 2
            val = tab[i, mid] * w1 + tab[i + 1, mid] * w
            up = val < target
            lo = np.where(open_ & up, mid, lo)
            hi = np.where(open_ & ~up, mid, hi)
        return lo

    def _inv(self, tab, row, target, which):
        """Temperature [K] where the (monotone) row of ``tab`` at ``p`` equals ``target``.

        The temperature cell is the one a bisection on the grid index would find (robust
        across the steep pseudo-critical region); it is located from a first guess of the
        inverse index table (:attr:`_guess`, right in more than 99 % of lookups), checked and
        moved by up to three cells, and bisected only where that fails.  Linear interpolation
        in the cell.  Gathers use flat indices (``np.take``), several times faster than 2-D
        fancy indexing.
        """
        i, w, bad = row
        tg = np.asarray(target, float)
        w1 = 1.0 - w
        x, v0, step, n = self._guess[which]
        k = (tg - v0) / step
        k = np.where(np.isfinite(k), k, 0.0)
        kk = np.minimum(np.maximum(k.astype(np.intp), 0), n - 2)
        f = np.minimum(np.maximum(k - kk, 0.0), 1.0)
        f1 = 1.0 - f
        ik = i * n + kk
        g = (x.take(ik) * f1 + x.take(ik + 1) * f) * w1 + (
            x.take(ik + n) * f1 + x.take(ik + n + 1) * f
        ) * w
        j = np.minimum(np.maximum(g.astype(np.intp), 0), N_T - 2)
        flat = tab.ravel()
        base = i * N_T

        def cell(j):
            ij = base + j
            return (
                flat.take(ij) * w1 + flat.take(ij + N_T) * w,
                flat.take(ij + 1) * w1 + flat.take(ij + N_T + 1) * w,
            )

        for _ in range(4):
            a, b = cell(j)
            down = (j > 0) & (a >= tg)
            up = (j < N_T - 2) & (b < tg)
            miss = down | up
            if not miss.any():
                break
            j = j - down + up
        else:
            shape = miss.shape
            j = np.array(j, dtype=np.intp)
            ib, wb, w1b, tb = (np.broadcast_to(z, shape)[miss] for z in (i, w, w1, tg))
            j[miss] = self._bisect(tab, ib, wb, w1b, tb)
            a, b = cell(j)
        frac = (tg - a) / (b - a)
        ok = ~bad & (frac >= -1e-9) & (frac <= 1 + 1e-9)
        return np.where(ok, T0_K + (j + frac) * DT_K, np.nan)

    def t_ph(self, p, h, *, row=None):
        """Temperature [K] at ``p`` [Pa] and enthalpy ``h`` [J/kg]."""
        return self._inv(self.h, self._prow(p) if row is None else row, h, "h")

    def t_ps(self, p, s, *, row=None):
        """Temperature [K] at ``p`` [Pa] and entropy ``s`` [J/(kg K)]."""
        return self._inv(self.s, self._prow(p) if row is None else row, s, "s")


class CoolPropSupercritical:
    """Same lookups as :class:`SupercriticalTables`, but every value is a direct CoolProp flash.

    Slow (a Python loop over the elements); the reference against which the tabulated
    transcritical solve is validated (``backend="HEOS"`` of
    :func:`designopt.cycle.solve_operating_point`).  Same domain as the tables (7.45-14.5 MPa,
    270-480 K): NaN outside it, so that the envelope is the same.
    """

    def __init__(self, backend: str = "HEOS"):
        from designopt.properties import abstract_state

        self.backend = backend
        self._a = abstract_state("CarbonDioxide", backend)

    def pressure_row(self, p):
        """The pressures themselves (no table row to locate)."""
        return np.asarray(p, float)

    def _loop(self, pair, p, x, out):
        import CoolProp.CoolProp as CP  # noqa: N812

        a = self._a
        inputs = getattr(CP, pair)
        p, x = np.broadcast_arrays(np.asarray(p, float), np.asarray(x, float))
        res = np.full(p.shape, np.nan)
        p_hi = P0_PA + (N_P - 1) * DP_PA
        t_hi = T0_K + (N_T - 1) * DT_K
        for k in np.ndindex(p.shape):
            pk, xk = float(p[k]), float(x[k])
            if not (P0_PA <= pk <= p_hi and np.isfinite(xk)):
                continue
            try:
                if pair == "PT_INPUTS":
                    if not T0_K <= xk <= t_hi:
                        continue
                    a.update(inputs, pk, xk)
                elif pair == "HmassP_INPUTS":
                    a.update(inputs, xk, pk)
                else:
                    a.update(inputs, pk, xk)
                val = out(a)
            except ValueError:
                continue
            if pair != "PT_INPUTS" and not T0_K <= a.T() <= t_hi:
                continue
            res[k] = val
        return res

    def h_pt(self, p, T, *, row=None):
        """Enthalpy [J/kg] at ``p`` [Pa], ``T`` [K] (NaN outside the table domain)."""
        return self._loop("PT_INPUTS", p, T, lambda a: a.hmass())

    def t_ph(self, p, h, *, row=None):
        """Temperature [K] at ``p`` [Pa] and enthalpy ``h`` [J/kg]."""
        return self._loop("HmassP_INPUTS", p, h, lambda a: a.T())

    def t_ps(self, p, s, *, row=None):
        """Temperature [K] at ``p`` [Pa] and entropy ``s`` [J/(kg K)]."""
        return self._loop("PSmass_INPUTS", p, s, lambda a: a.T())


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
    # a writer-unique temporary name: two processes (study workers) may build the same
    # table at once on a cold cache, and each must rename its own complete file
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
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

"""Property tables of one refrigerant for the vectorised cycle solve.

The operating-point solve needs, again and again, the same few kinds of states: saturation at a
given (dew-point) temperature, superheated vapour at a given saturation temperature and
superheat, subcooled liquid at a given saturation temperature and subcooling.  This module
evaluates them once per fluid with CoolProp's HEOS reference model on regular grids

* ``t_sat`` [K]: dew-point temperature from ``max(T_triple + 1 K, 213.15 K)`` to
  ``T_crit - 3 K`` in steps of 0.5 K (1-D saturation tables, ``ln p`` stored for accuracy);
* ``dt_sh`` [K]: superheat 0 ... 200 K in steps of 1 K (enthalpy, entropy, density of vapour
  at the dew pressure; NaN above the fluid's ``Tmax``);
* ``dt_sc`` [K]: subcooling below the bubble point 0 ... 40 K in steps of 1 K (liquid enthalpy);

and interpolates them bilinearly with numpy, vectorised over any array shape.  Isentropic
discharge and discharge temperature are found by Newton iteration on the same tables.  The
tables are kept in memory per fluid and cached on disk (``designopt.cache.cache_dir``) keyed by
the CoolProp version and the grid definition, so they are built once per machine (about 1 s).

Accuracy against direct HEOS flashes is tested in ``tests/test_cycle_tables.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading

import numpy as np

from designopt.errors import PropertyError

DT_SAT_K = 0.5
DT_SH_K = 1.0
N_SH = 201
DT_SC_K = 1.0
N_SC = 41
T_LOW_FLOOR_K = 213.15
T_HIGH_MARGIN_K = 3.0
_VERSION = 1


@dataclasses.dataclass(frozen=True, eq=False)
class FluidTables:
    """Gridded HEOS properties of one fluid (see module docstring).

    Attributes
    ----------
    fluid : str
        CoolProp fluid name.
    t0_K, n_sat : float, int
        First saturation temperature [K] and number of rows; step :data:`DT_SAT_K`.
    sat : numpy.ndarray
        Shape (n_sat, 8): ln p_dew [ln Pa], h_dew [J/kg], s_dew [J/(kg K)], rho_dew [kg/m3],
        T_bubble at p_dew [K], h_bubble [J/kg], cp of dew vapour [J/(kg K)], cp of bubble liquid.
    sh : numpy.ndarray
        Shape (n_sat, N_SH, 3): h, s, rho of superheated vapour.
    sc : numpy.ndarray
        Shape (n_sat, N_SC): h of subcooled liquid.
    t_crit_K, p_crit_Pa, t_max_K : float
        Critical point and upper temperature limit of the equation of state.
    """

    fluid: str
    t0_K: float
    n_sat: int
    sat: np.ndarray
    sh: np.ndarray
    sc: np.ndarray
    t_crit_K: float
    p_crit_Pa: float
    t_max_K: float

    @property
    def t_min_K(self) -> float:
        """Lowest tabulated saturation temperature [K]."""
        return self.t0_K

    @property
    def t_max_sat_K(self) -> float:
        """Highest tabulated saturation temperature [K] (``T_crit - 3 K``)."""
        return self.t0_K + (self.n_sat - 1) * DT_SAT_K

    # -- 1-D saturation -------------------------------------------------------------------
    def _row(self, t_sat):
        x = (np.asarray(t_sat, dtype=float) - self.t0_K) / DT_SAT_K
        x = np.where(np.isfinite(x), x, -1.0)  # NaN input: flagged bad through w < 0
        i = np.minimum(np.maximum(np.floor(x), 0), self.n_sat - 2).astype(np.intp)
        w = x - i
        return i, w

    def saturation(self, t_sat):
        """Saturation properties at dew-point temperature ``t_sat`` [K].

        Returns
        -------
        dict of numpy.ndarray
            ``p`` [Pa], ``h_dew``, ``s_dew``, ``rho_dew``, ``t_bub`` [K], ``h_bub``, ``cp_dew``,
            ``cp_bub``.  Values outside the table are NaN.
        """
        i, w = self._row(t_sat)
        a = self.sat[i]
        b = self.sat[i + 1]
        v = a + (b - a) * w[..., None]
        bad = (w < -1e-9) | (w > 1 + 1e-9)
        v[bad] = np.nan
        return {
            "p": np.exp(v[..., 0]),
            "h_dew": v[..., 1],
            "s_dew": v[..., 2],
            "rho_dew": v[..., 3],
            "t_bub": v[..., 4],
            "h_bub": v[..., 5],
            "cp_dew": v[..., 6],
            "cp_bub": v[..., 7],
        }

    def t_sat_from_p(self, p):
        """Dew-point temperature [K] at pressure ``p`` [Pa] (inverse of ``saturation``)."""
        lnp = np.log(np.asarray(p, dtype=float))
        col = self.sat[:, 0]
        t = self.t0_K + DT_SAT_K * np.interp(
            lnp, col, np.arange(self.n_sat), left=np.nan, right=np.nan
        )
        return t

    # -- 2-D superheated vapour / subcooled liquid ----------------------------------------
    def _cell(self, t_sat, d, step, n):
        i, w = self._row(t_sat)
        y = np.asarray(d, dtype=float) / step
        y = np.where(np.isfinite(y), y, -1.0)
        j = np.minimum(np.maximum(np.floor(y), 0), n - 2).astype(np.intp)
        v = y - j
        return i, w, j, v

    def superheated(self, t_sat, dt_sh):
        """Vapour at the dew pressure of ``t_sat`` [K] and ``dt_sh`` [K] above it.

        Returns ``(h, s, rho)`` arrays [J/kg, J/(kg K), kg/m3]; NaN outside the tables.
        """
        i, w, j, v = self._cell(t_sat, dt_sh, DT_SH_K, N_SH)
        t = self.sh
        w_ = w[..., None]
        v_ = v[..., None]
        out = (t[i, j] * (1 - v_) + t[i, j + 1] * v_) * (1 - w_) + (
            t[i + 1, j] * (1 - v_) + t[i + 1, j + 1] * v_
        ) * w_
        bad = (w < -1e-9) | (w > 1 + 1e-9) | (v < -1e-9) | (v > 1 + 1e-9)
        out[bad] = np.nan
        return out[..., 0], out[..., 1], out[..., 2]

    def subcooled_h(self, t_sat, dt_sc):
        """Enthalpy [J/kg] of liquid at the pressure of ``t_sat`` and ``dt_sc`` [K] below the bubble point."""
        i, w, j, v = self._cell(t_sat, dt_sc, DT_SC_K, N_SC)
        t = self.sc
        out = (t[i, j] * (1 - v) + t[i, j + 1] * v) * (1 - w) + (
            t[i + 1, j] * (1 - v) + t[i + 1, j + 1] * v
        ) * w
        bad = (w < -1e-9) | (w > 1 + 1e-9) | (v < -1e-9) | (v > 1 + 1e-9)
        return np.where(bad, np.nan, out)

    def _invert(self, t_sat, target, k, guess):
        """Superheat [K] at which property ``k`` (0 h, 1 s) of vapour at ``t_sat`` equals ``target``.

        The table is piecewise linear in superheat at a given ``t_sat`` and monotone, so a
        secant step on the current cell lands in the right cell within a few steps and is then
        exact; NaN if the target lies outside the row (below the dew point or beyond the grid).
        """
        i, w = self._row(t_sat)
        tab = self.sh[..., k]
        w1 = 1.0 - w
        a0 = tab[i, 0] * w1 + tab[i + 1, 0] * w
        a1 = tab[i, 1] * w1 + tab[i + 1, 1] * w
        d = (target - a0) / (a1 - a0) if guess is None else guess
        top = float(N_SH - 1)
        for _ in range(6):
            bad = ~np.isfinite(d)
            d = np.minimum(np.maximum(np.where(bad, 0.0, d), 0.0), top)
            j = np.minimum(d.astype(np.intp), N_SH - 2)
            lo = tab[i, j] * w1 + tab[i + 1, j] * w
            hi = tab[i, j + 1] * w1 + tab[i + 1, j + 1] * w
            d_new = j + (target - lo) / (hi - lo)
            done = (d_new >= j) & (d_new <= j + 1)
            d = np.where(bad, np.nan, d_new)
            if np.all(done | ~np.isfinite(d)):
                break
        ok = np.isfinite(d) & (d >= -1e-9) & (d <= top + 1e-9) & done
        return np.where(ok, np.maximum(d, 0.0) * DT_SH_K, np.nan)

    def superheat_from_s(self, t_sat, s):
        """Superheat [K] of vapour at the dew pressure of ``t_sat`` with entropy ``s``."""
        return self._invert(np.asarray(t_sat, float), np.asarray(s, float), 1, None)

    def superheat_from_h(self, t_sat, h):
        """Superheat [K] of vapour at the dew pressure of ``t_sat`` with enthalpy ``h``."""
        return self._invert(np.asarray(t_sat, float), np.asarray(h, float), 0, None)


def _build(fluid: str) -> FluidTables:
    import CoolProp.CoolProp as CP  # noqa: N812

    from designopt.properties import Backend, abstract_state, fluid_limits

    lim = fluid_limits(fluid)
    a = abstract_state(fluid, Backend.HEOS)
    t0 = max(np.ceil(lim.t_triple_K) + 1.0, T_LOW_FLOOR_K)
    t_hi = lim.t_crit_K - T_HIGH_MARGIN_K
    n = int(np.floor((t_hi - t0) / DT_SAT_K)) + 1
    t_sat = t0 + DT_SAT_K * np.arange(n)
    sat = np.full((n, 8), np.nan)
    sh = np.full((n, N_SH, 3), np.nan)
    sc = np.full((n, N_SC), np.nan)
    dsh = DT_SH_K * np.arange(N_SH)
    dsc = DT_SC_K * np.arange(N_SC)
    try:
        for r, t in enumerate(t_sat):
            a.update(CP.QT_INPUTS, 1.0, t)
            p = a.p()
            h_dew, s_dew, rho_dew, cp_dew = a.hmass(), a.smass(), a.rhomass(), a.cpmass()
            a.update(CP.PQ_INPUTS, p, 0.0)
            t_bub, h_bub, cp_bub = a.T(), a.hmass(), a.cpmass()
            sat[r] = (np.log(p), h_dew, s_dew, rho_dew, t_bub, h_bub, cp_dew, cp_bub)
            sh[r, 0] = (h_dew, s_dew, rho_dew)
            a.specify_phase(CP.iphase_gas)
            for c in range(1, N_SH):
                tt = t + dsh[c]
                if tt > lim.t_max_K:
                    break
                a.update(CP.PT_INPUTS, p, tt)
                sh[r, c] = (a.hmass(), a.smass(), a.rhomass())
            a.unspecify_phase()
            sc[r, 0] = h_bub
            a.specify_phase(CP.iphase_liquid)
            for c in range(1, N_SC):
                tt = t_bub - dsc[c]
                if tt < lim.t_triple_K:
                    break
                a.update(CP.PT_INPUTS, p, tt)
                sc[r, c] = a.hmass()
            a.unspecify_phase()
    except ValueError as exc:
        a.unspecify_phase()
        raise PropertyError(f"building property tables of {fluid} failed: {exc}") from None
    return FluidTables(
        fluid=fluid,
        t0_K=float(t0),
        n_sat=n,
        sat=sat,
        sh=sh,
        sc=sc,
        t_crit_K=lim.t_crit_K,
        p_crit_Pa=lim.p_crit_Pa,
        t_max_K=lim.t_max_K,
    )


@functools.lru_cache(maxsize=16)
def fluid_tables(fluid: str) -> FluidTables:
    """Return the (memory- and disk-cached) :class:`FluidTables` of CoolProp fluid ``fluid``."""
    from designopt.cache import cache_dir, stable_hash
    from designopt.properties import coolprop_version

    key = stable_hash(
        fluid,
        coolprop_version(),
        DT_SAT_K,
        DT_SH_K,
        N_SH,
        DT_SC_K,
        N_SC,
        T_LOW_FLOOR_K,
        T_HIGH_MARGIN_K,
        _VERSION,
    )
    path = cache_dir("property_tables") / f"{fluid.replace('(', '_').replace(')', '_')}-{key}.npz"
    if path.exists():
        try:
            z = np.load(path)
            return FluidTables(
                fluid=fluid,
                t0_K=float(z["t0_K"]),
                n_sat=int(z["n_sat"]),
                sat=z["sat"],
                sh=z["sh"],
                sc=z["sc"],
                t_crit_K=float(z["t_crit_K"]),
                p_crit_Pa=float(z["p_crit_Pa"]),
                t_max_K=float(z["t_max_K"]),
            )
        except (OSError, KeyError, ValueError):
            pass  # rebuild a corrupt cache file
    tab = _build(fluid)
    # a writer-unique temporary name: two processes (study workers) may build the same
    # table at once on a cold cache, and each must rename its own complete file
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
    np.savez(
        tmp,
        t0_K=tab.t0_K,
        n_sat=tab.n_sat,
        sat=tab.sat,
        sh=tab.sh,
        sc=tab.sc,
        t_crit_K=tab.t_crit_K,
        p_crit_Pa=tab.p_crit_Pa,
        t_max_K=tab.t_max_K,
    )
    tmp.replace(path)
    return tab


class CoolPropProvider:
    """Same interface as :class:`FluidTables`, but every value is a direct CoolProp flash.

    Slow (a Python loop over the elements); used to validate the tables and the tabulated
    operating-point solve against HEOS or BICUBIC&HEOS.  Phases are imposed on the
    single-phase p-T flashes (CoolProp issue #629).
    """

    def __init__(self, fluid: str, backend: str = "HEOS"):
        from designopt.properties import abstract_state, fluid_limits

        self.fluid = fluid
        self.backend = backend
        self._a = abstract_state(fluid, backend)
        lim = fluid_limits(fluid)
        self.t_crit_K = lim.t_crit_K
        self.p_crit_Pa = lim.p_crit_Pa
        self.t_max_K = lim.t_max_K
        self.t_min_K = max(np.ceil(lim.t_triple_K) + 1.0, T_LOW_FLOOR_K)
        n = int(np.floor((lim.t_crit_K - T_HIGH_MARGIN_K - self.t_min_K) / DT_SAT_K)) + 1
        self.t_max_sat_K = self.t_min_K + (n - 1) * DT_SAT_K

    def _cp(self):
        import CoolProp.CoolProp as CP  # noqa: N812

        return CP

    def _loop(self, fn, *arrays, nout=1):
        arrays = np.broadcast_arrays(*[np.asarray(a, float) for a in arrays])
        shape = arrays[0].shape
        out = np.full((nout,) + shape, np.nan)
        flat = [a.ravel() for a in arrays]
        for k in range(flat[0].size):
            try:
                vals = fn(*[f[k] for f in flat])
            except ValueError:
                self._a.unspecify_phase()
                continue
            out[(slice(None),) + np.unravel_index(k, shape)] = vals
        return out

    def saturation(self, t_sat):
        CP, a = self._cp(), self._a
        lo, hi = self.t_min_K, self.t_max_sat_K

        def f(t):
            if not lo <= t <= hi:
                return (np.nan,) * 8
            a.update(CP.QT_INPUTS, 1.0, t)
            p, hd, sd, rd, cpd = a.p(), a.hmass(), a.smass(), a.rhomass(), a.cpmass()
            a.update(CP.PQ_INPUTS, p, 0.0)
            return (p, hd, sd, rd, a.T(), a.hmass(), cpd, a.cpmass())

        o = self._loop(f, t_sat, nout=8)
        keys = ("p", "h_dew", "s_dew", "rho_dew", "t_bub", "h_bub", "cp_dew", "cp_bub")
        return dict(zip(keys, o, strict=True))

    def t_sat_from_p(self, p):
        """Dew-point temperature [K] at pressure ``p`` [Pa] (direct flash)."""
        CP, a = self._cp(), self._a
        lo, hi = self.t_min_K, self.t_max_sat_K

        def f(pp):
            a.update(CP.PQ_INPUTS, pp, 1.0)
            t = a.T()
            return t if lo <= t <= hi else np.nan

        return self._loop(f, p)[0]

    def _gas(self, t_sat, dt):
        CP, a = self._cp(), self._a
        a.update(CP.QT_INPUTS, 1.0, t_sat)
        if dt <= 0.0:
            return a
        p = a.p()
        a.specify_phase(CP.iphase_gas)
        try:
            a.update(CP.PT_INPUTS, p, t_sat + dt)
        finally:
            a.unspecify_phase()
        return a

    def superheated(self, t_sat, dt_sh):
        lo, hi = self.t_min_K, self.t_max_sat_K

        def f(t, d):
            if not (lo <= t <= hi and 0 <= d <= (N_SH - 1) * DT_SH_K and t + d <= self.t_max_K):
                return (np.nan,) * 3
            a = self._gas(t, d)
            return (a.hmass(), a.smass(), a.rhomass())

        o = self._loop(f, t_sat, dt_sh, nout=3)
        return o[0], o[1], o[2]

    def subcooled_h(self, t_sat, dt_sc):
        CP, a = self._cp(), self._a
        lo, hi = self.t_min_K, self.t_max_sat_K

        def f(t, d):
            if not (lo <= t <= hi and 0 <= d <= (N_SC - 1) * DT_SC_K):
                return np.nan
            a.update(CP.QT_INPUTS, 1.0, t)
            p = a.p()
            a.update(CP.PQ_INPUTS, p, 0.0)
            if d <= 0.0:
                return a.hmass()
            tb = a.T()
            a.specify_phase(CP.iphase_liquid)
            try:
                a.update(CP.PT_INPUTS, p, tb - d)
            finally:
                a.unspecify_phase()
            return a.hmass()

        return self._loop(f, t_sat, dt_sc)[0]

    def _inv(self, t_sat, target, pair):
        CP, a = self._cp(), self._a
        lo, hi = self.t_min_K, self.t_max_sat_K

        def f(t, x):
            if not lo <= t <= hi:
                return np.nan
            a.update(CP.QT_INPUTS, 1.0, t)
            p = a.p()
            if pair == "PSmass_INPUTS":
                a.update(CP.PSmass_INPUTS, p, x)
            else:
                a.update(CP.HmassP_INPUTS, x, p)
            return max(a.T() - t, 0.0)

        return self._loop(f, t_sat, target)[0]

    def superheat_from_s(self, t_sat, s):
        return self._inv(t_sat, s, "PSmass_INPUTS")

    def superheat_from_h(self, t_sat, h):
        return self._inv(t_sat, h, "HmassP_INPUTS")

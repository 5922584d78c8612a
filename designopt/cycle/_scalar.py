"""Scalar (pure-Python) fast path of the operating-point solve.

Same equations, unknowns, pinch handling and convergence test as the vectorised solve in
:mod:`designopt.cycle.operating_point` (see its docstring), written with Python floats and the
property tables as nested lists: for a single point this avoids numpy's per-call overhead
(about 20x faster).  ``tests/test_cycle_scalar.py`` checks it against the vectorised solve.
The caller falls back to the vectorised solve whenever this path does not converge.
"""

from __future__ import annotations

import functools
import math

from designopt.cycle.design import CP_WATER, HeatPumpDesign, SourceType
from designopt.cycle.heat_exchangers import CP_AIR, P_ATM, R_AIR, coil_u
from designopt.cycle.tables import DT_SAT_K, DT_SC_K, DT_SH_K, N_SC, N_SH, FluidTables

_exp, _log, _isfinite = math.exp, math.log, math.isfinite
_NAN = math.nan
PRE_STEPS = 3


class ScalarTables:
    """Nested-list copy of :class:`FluidTables` with scalar bilinear lookups."""

    def __init__(self, tab: FluidTables):
        self.t0 = tab.t0_K
        self.n = tab.n_sat
        self.t_min_K = tab.t_min_K
        self.t_max_sat_K = tab.t_max_sat_K
        self.sat = tab.sat.tolist()
        self.sh_h = tab.sh[..., 0].tolist()
        self.sh_s = tab.sh[..., 1].tolist()
        self.sh_r = tab.sh[..., 2].tolist()
        self.sc = tab.sc.tolist()

    def row(self, t):
        x = (t - self.t0) / DT_SAT_K
        if not (0.0 <= x <= self.n - 1):  # also False for NaN
            return -1, 0.0
        i = int(x)
        if i > self.n - 2:
            i = self.n - 2
        return i, x - i

    def sat_at(self, i, w):
        a, b = self.sat[i], self.sat[i + 1]
        w1 = 1.0 - w
        return [a[k] * w1 + b[k] * w for k in range(8)]

    @staticmethod
    def _bil(tab, i, w, d, step, n):
        y = d / step
        if not (0.0 <= y <= n - 1):
            return _NAN
        j = int(y)
        if j > n - 2:
            j = n - 2
        v = y - j
        r0, r1 = tab[i], tab[i + 1]
        return (r0[j] * (1 - v) + r0[j + 1] * v) * (1 - w) + (r1[j] * (1 - v) + r1[j + 1] * v) * w

    def sh(self, tab, i, w, d):
        return self._bil(tab, i, w, d, DT_SH_K, N_SH)

    def sh3(self, i, w, d):
        """(h, s, rho) of vapour at row (i, w) and superheat ``d`` [K]."""
        y = d / DT_SH_K
        if not (0.0 <= y <= N_SH - 1):
            return _NAN, _NAN, _NAN
        j = int(y)
        if j > N_SH - 2:
            j = N_SH - 2
        v = y - j
        v1, w1 = 1.0 - v, 1.0 - w
        out = []
        for tab in (self.sh_h, self.sh_s, self.sh_r):
            r0, r1 = tab[i], tab[i + 1]
            out.append((r0[j] * v1 + r0[j + 1] * v) * w1 + (r1[j] * v1 + r1[j + 1] * v) * w)
        return out

    def sc_h(self, i, w, d):
        return self._bil(self.sc, i, w, d, DT_SC_K, N_SC)

    def invert(self, tab, i, w, target):
        """Superheat [K] where the row of ``tab`` at (i, w) equals ``target`` (secant on cells)."""
        r0, r1 = tab[i], tab[i + 1]
        w1 = 1.0 - w
        a0 = r0[0] * w1 + r1[0] * w
        a1 = r0[1] * w1 + r1[1] * w
        d = (target - a0) / (a1 - a0)
        top = N_SH - 1
        for _ in range(8):
            if not _isfinite(d):
                return _NAN
            if d < 0.0:
                d = 0.0
            elif d > top:
                d = float(top)
            j = int(d)
            if j > N_SH - 2:
                j = N_SH - 2
            lo = r0[j] * w1 + r1[j] * w
            hi = r0[j + 1] * w1 + r1[j + 1] * w
            dn = j + (target - lo) / (hi - lo)
            if j <= dn <= j + 1:
                return dn * DT_SH_K if dn >= 0.0 else 0.0
            d = dn
        return _NAN


@functools.lru_cache(maxsize=16)
def scalar_tables(fluid: str) -> ScalarTables:
    """Memory-cached :class:`ScalarTables` of a CoolProp fluid."""
    from designopt.cycle.tables import fluid_tables

    return ScalarTables(fluid_tables(fluid))


def _lmtd(a, b):
    x = (a - b) / b
    if abs(x) < 1e-4:
        return b * (1.0 + x / 2.0 - x * x / 12.0)
    return b * x / math.log1p(x)


class ScalarProblem:
    """One operating point: conditions, coordinates and residual evaluation."""

    def __init__(
        self, design: HeatPumpDesign, t_source, t_sink, sink_is_outlet: bool, speed, ln_floor
    ):
        d = design
        self.d = d
        self.tab = scalar_tables(d.coolprop_name)
        self.t_src = t_source
        self.t_snk = t_sink
        self.speed = speed
        self.ln_floor = ln_floor
        ev = d.evaporator
        self.air = d.source_type is SourceType.AIR
        if self.air:
            vol = (
                d.fan.air_flow_m3_s * min(max(speed, d.fan.min_flow_fraction), 1.0)
                if d.fan.flow_follows_speed
                else d.fan.air_flow_m3_s
            )
            self.src_flow = vol
            self.c_src = P_ATM / (R_AIR * t_source) * vol * CP_AIR
            ratio = vol / d.fan.air_flow_m3_s
            self.ue_tp = coil_u(ev.u_two_phase, ratio)
            self.ue_sh = coil_u(ev.u_vapour, ratio)
            self.fan_power = (
                d.fan.air_flow_m3_s
                * d.fan.pressure_rise_Pa
                / d.fan.efficiency
                * (vol / d.fan.air_flow_m3_s) ** 3
            )
        else:
            self.src_flow = d.source_flow_kg_s
            self.c_src = d.source_flow_kg_s * d.source_cp
            self.ue_tp, self.ue_sh = ev.u_two_phase, ev.u_vapour
            self.fan_power = 0.0
        self.fixed_flow = d.sink_flow_kg_s is not None
        self.c_w = d.sink_flow_kg_s * CP_WATER if self.fixed_flow else _NAN
        self.y_unknown = self.fixed_flow and sink_is_outlet
        if not self.fixed_flow:
            self.y0 = t_sink - d.sink_delta_T_K if sink_is_outlet else t_sink
        elif sink_is_outlet:
            self.y0 = t_sink - 5.0
        else:
            self.y0 = t_sink
        self.te_ref = t_source - d.superheat_K
        self.tc_off = d.subcool_K
        comp = d.compressor
        self.vdot = comp.swept_volume_m3 * comp.nominal_speed_hz * speed
        self.comp = comp
        self.k_v = comp.eta_vol0
        self.inv_n = 1.0 / comp.polytropic_exponent
        self.a_e, self.a_c = ev.area_m2, d.condenser.area_m2
        self.co = d.condenser

    def evaluate(self, u, v, y, full=False):
        """Return (r_e, r_c, r_w, feasible, e_min, d_min, raw_e, raw_c) or a dict with ``full``."""
        d, tab = self.d, self.tab
        sh, sc = d.superheat_K, d.subcool_K
        t_src = self.t_src
        bad = (_NAN, _NAN, _NAN, False, _NAN, _NAN, _NAN, _NAN)
        try:
            te = self.te_ref - _exp(u)
            tc = y + self.tc_off + _exp(v)
        except OverflowError:
            return bad
        ie, we = tab.row(te)
        ic, wc = tab.row(tc)
        if ie < 0 or ic < 0:
            return bad
        a, b = tab.sat[ie], tab.sat[ie + 1]
        w1 = 1.0 - we
        pe = _exp(a[0] * w1 + b[0] * we)
        h_dew_e = a[1] * w1 + b[1] * we
        a, b = tab.sat[ic], tab.sat[ic + 1]
        w1 = 1.0 - wc
        pc = _exp(a[0] * w1 + b[0] * wc)
        h_dew_c = a[1] * w1 + b[1] * wc
        s_dew_c = a[2] * w1 + b[2] * wc
        t_bub = a[4] * w1 + b[4] * wc
        h_bub = a[5] * w1 + b[5] * wc
        h1, s1, rho1 = tab.sh3(ie, we, sh)
        pi = pc / pe
        comp = self.comp
        if s1 < s_dew_c:
            h2s = h_dew_c - tc * (s_dew_c - s1)
        else:
            h2s = tab.sh(tab.sh_h, ic, wc, tab.invert(tab.sh_s, ic, wc, s1))
        if comp.ahri540 is None:
            eta_v = self.k_v * (1.0 - comp.clearance * (pi**self.inv_n - 1.0))
            eta_b = min(max(0.85 - 0.046667 * pi, 0.3), 0.85)
            eta_is = min(max(eta_b * comp.eta_is_scale, 0.2), 0.95) * comp.eta_drive
            m = eta_v * rho1 * self.vdot
            h2 = h1 + (h2s - h1) / eta_is
        else:
            amap = comp.ahri540
            rho_rated = tab.sh(tab.sh_r, ie, we, amap.rated_superheat_K)
            m = float(amap.mass_flow(te, tc)) * rho1 / rho_rated * self.speed
            h2 = h1 + float(amap.power(te, tc)) * self.speed / m
            eta_v = m / (rho1 * self.vdot)
            eta_is = (h2s - h1) / (h2 - h1)
        dt2 = tab.invert(tab.sh_h, ic, wc, h2)
        t2 = tc + dt2
        h3 = tab.sc_h(ic, wc, sc)
        t3 = t_bub - sc
        q_c = m * (h2 - h3)
        q_e = m * (h1 - h3)
        if not (_isfinite(q_c) and _isfinite(t2) and q_c > 0.0):
            return bad
        c_w = self.c_w if self.fixed_flow else q_c / d.sink_delta_T_K
        q_sc = m * (h_bub - h3)
        q_tp = m * (h_dew_c - h_bub)
        q_ds = m * (h2 - h_dew_c)
        tw1 = y + q_sc / c_w
        tw2 = tw1 + q_tp / c_w
        tw_out = tw2 + q_ds / c_w
        d0, d1, d2, d3 = t3 - y, t_bub - tw1, tc - tw2, t2 - tw_out
        d_min = min(d0, d1, d2, d3)
        q_tp_e = m * (h_dew_e - h3)
        q_sh_e = m * (h1 - h_dew_e)
        c_src = self.c_src
        if self.air:
            e_min = t_src - te - sh
            feas_e = e_min > 0.0
            t_src_out = t_src - q_e / c_src
        else:
            tb1 = t_src - q_sh_e / c_src
            t_src_out = tb1 - q_tp_e / c_src
            e0, e1, e2 = t_src - te - sh, tb1 - te, t_src_out - te
            e_min = min(e0, e1, e2)
            feas_e = e_min > 0.0
        if d_min > 0.0 and feas_e:
            co = self.co
            a_c = (
                (q_sc / _lmtd(d0, d1) / co.u_liquid if q_sc > 0.0 else 0.0)
                + q_tp / _lmtd(d1, d2) / co.u_two_phase
                + q_ds / _lmtd(d2, d3) / co.u_vapour
            )
            raw_c = _log(a_c / self.a_c)
            if self.air:
                a = self.a_e
                eps_tp = 1.0 - _exp(-self.ue_tp * a / c_src)
                eps_sh = 1.0 - _exp(-self.ue_sh * a / c_src)
                f_tp = q_tp_e / (c_src * eps_tp * (t_src - te))
                f_sh = q_sh_e / sh / (c_src * eps_sh) * _log((t_src - te) / (t_src - te - sh))
                raw_e = _log(f_tp + f_sh)
            else:
                a_e = q_sh_e / _lmtd(e0, e1) / self.ue_sh + q_tp_e / _lmtd(e1, e2) / self.ue_tp
                raw_e = _log(a_e / self.a_e)
            feas = True
        else:
            raw_e = raw_c = _NAN
            feas = False
        r_w = (tw_out - self.t_snk) if self.y_unknown else 0.0
        lf = self.ln_floor
        r_e = max(raw_e, lf - u) if feas else _NAN
        r_c = max(raw_c, lf - v) if feas else _NAN
        if not full:
            return r_e, r_c, r_w, feas, e_min, d_min, raw_e, raw_c
        return {
            "t_evap": te,
            "t_cond": tc,
            "p_evap": pe,
            "p_cond": pc,
            "pressure_ratio": pi,
            "mass_flow": m,
            "heat_output": q_c,
            "evaporator_heat": q_e,
            "compressor_power": m * (h2 - h1),
            "fan_power": self.fan_power,
            "t_discharge": t2,
            "eta_is": eta_is,
            "eta_vol": eta_v,
            "h1": h1,
            "h2": h2,
            "h3": h3,
            "t1": te + sh,
            "t3": t3,
            "t_sink_in": y,
            "t_sink_out": tw_out,
            "sink_flow": c_w / CP_WATER,
            "t_source_out": t_src_out,
            "source_flow": self.src_flow,
        }


def _solve_linear(jac, rhs):
    """Solve a 2x2 or 3x3 system by Cramer's rule; None if singular."""
    if len(rhs) == 2:
        (a, b), (c, d) = jac
        det = a * d - b * c
        if det == 0.0 or not _isfinite(det):
            return None
        return [(d * rhs[0] - b * rhs[1]) / det, (-c * rhs[0] + a * rhs[1]) / det]
    (a, b, c), (d, e, f), (g, h, i) = jac
    r0, r1, r2 = rhs
    co_a, co_b, co_c = e * i - f * h, f * g - d * i, d * h - e * g
    det = a * co_a + b * co_b + c * co_c
    if det == 0.0 or not _isfinite(det):
        return None
    x0 = (r0 * co_a + b * (f * r2 - r1 * i) + c * (r1 * h - e * r2)) / det
    x1 = (a * (r1 * i - f * r2) + r0 * co_b + c * (d * r2 - r1 * g)) / det
    x2 = (a * (e * r2 - r1 * h) + b * (r1 * g - d * r2) + r0 * co_c) / det
    return [x0, x1, x2]


def solve_scalar(
    design, t_source, t_sink, sink_is_outlet, speed, *, tol, tol_stall, ln_floor, max_iter
):
    """Solve one point; return the ``full`` dict at the solution, or None if not converged."""
    p = ScalarProblem(design, t_source, t_sink, sink_is_outlet, speed, ln_floor)
    u, v, y = _log(5.0), _log(3.0), p.y0
    for _ in range(12):
        res = p.evaluate(u, v, y)
        if res[3]:
            break
        v += 0.5
        u += 0.25
    else:
        return None
    if p.y_unknown:  # one fixed-point step on the sink inlet before Newton (cheap, close start)
        res_y = p.evaluate(u, v, y - res[2])
        if res_y[3]:
            y -= res[2]
            res = res_y
    three = p.y_unknown
    # cheap start: in log-approach coordinates the required area goes roughly as 1 / approach,
    # so the Jacobian is close to diag(-1, -1, +1); a few such steps before the finite-
    # difference Newton save whole iterations
    for _ in range(PRE_STEPS):
        r_e, r_c, r_w = res[0], res[1], res[2]
        norm0 = math.sqrt(r_e * r_e + r_c * r_c + r_w * r_w)
        if norm0 < 0.05:
            break
        lam, moved = 1.0, False
        for _ in range(3):
            rt = p.evaluate(u + lam * r_e, v + lam * r_c, y - lam * r_w)
            if rt[3] and math.sqrt(rt[0] ** 2 + rt[1] ** 2 + rt[2] ** 2) < norm0:
                u, v, y, res, moved = u + lam * r_e, v + lam * r_c, y - lam * r_w, rt, True
                break
            lam *= 0.5
        if not moved:
            break
    h = 1e-7
    nv = 3 if three else 2
    jac = None  # Jacobian in the current coordinates (finite differences, then Broyden updates)
    for _ in range(max_iter):
        r_e, r_c, r_w, _, e_min, d_min, raw_e, raw_c = res
        # re-base on the current pinch (same point, new coordinates)
        if e_min > 0.0 and d_min > 0.0:
            te = p.te_ref - _exp(u)
            tc = y + p.tc_off + _exp(v)
            new_ref, new_off = te + e_min, tc - d_min - y
            if abs(new_ref - p.te_ref) > 1e-9 or abs(new_off - p.tc_off) > 1e-9:
                jac = None  # coordinates changed
            p.te_ref, p.tc_off = new_ref, new_off
            u, v = _log(e_min), _log(d_min)
            r_e = max(raw_e, ln_floor - u)
            r_c = max(raw_c, ln_floor - v)
        r0 = [r_e, r_c, r_w][:nv]
        norm0 = math.sqrt(sum(x * x for x in r0))
        if norm0 < tol:
            return p.evaluate(u, v, y, full=True)
        for _attempt in range(2):
            if jac is None:
                cols = []
                for c, (du_, dv_, dy_) in enumerate(
                    ((h, 0.0, 0.0), (0.0, h, 0.0), (0.0, 0.0, 100.0 * h))[:nv]
                ):
                    rr = p.evaluate(u + du_, v + dv_, y + dy_)
                    step = (h, h, 100.0 * h)[c]
                    cols.append([(rr[k] - r0[k]) / step for k in range(nv)])
                jac = [[cols[c][r] for c in range(nv)] for r in range(nv)]
                fresh = True
            else:
                fresh = False
            dx = _solve_linear(jac, [-x for x in r0])
            if dx is None or not all(_isfinite(x) for x in dx):
                if not fresh:
                    jac = None
                    continue
                dx = [0.1, 0.1, 0.0][:nv]
            du, dv = dx[0], dx[1]
            dy = dx[2] if three else 0.0
            scale = max(1.0, max(abs(du), abs(dv)) / 1.5, abs(dy) / 10.0)
            du, dv, dy = du / scale, dv / scale, dy / scale
            lam = 1.0
            accepted = False
            for _ in range(14):
                ut, vt, yt = u + lam * du, v + lam * dv, y + lam * dy
                rt = p.evaluate(ut, vt, yt)
                repaired = False
                for _ in range(3):  # repair a trial that crossed a pinch wall
                    if rt[3]:
                        break
                    e_m, d_m = rt[4], rt[5]
                    fixed = False
                    if _isfinite(d_m) and d_m <= 0.0:
                        vt = _log(2.0 * _exp(vt) - d_m)
                        fixed = True
                    if _isfinite(e_m) and e_m <= 0.0:
                        ut = _log(2.0 * _exp(ut) - e_m)
                        fixed = True
                    if not fixed:
                        break
                    repaired = True
                    rt = p.evaluate(ut, vt, yt)
                if rt[3]:
                    nt = math.sqrt(rt[0] ** 2 + rt[1] ** 2 + (rt[2] ** 2 if three else 0.0))
                    if nt < (1.0 - 1e-4 * lam) * norm0 or nt < tol:
                        accepted = True
                        break
                lam *= 0.5
            if accepted:
                # Broyden ("good") update of the Jacobian with the accepted step
                sx = [ut - u, vt - v, yt - y][:nv]
                ss = sum(x * x for x in sx)
                if ss > 0.0 and not repaired:
                    rn = [rt[0], rt[1], rt[2]][:nv]
                    for r in range(nv):
                        js = sum(jac[r][c] * sx[c] for c in range(nv))
                        f = (rn[r] - r0[r] - js) / ss
                        for c in range(nv):
                            jac[r][c] += f * sx[c]
                else:
                    jac = None
                u, v, y, res = ut, vt, yt, rt
                break
            if fresh:
                if norm0 < tol_stall:
                    return p.evaluate(u, v, y, full=True)
                return None
            jac = None  # a stale Jacobian failed: retry with finite differences
        else:
            return None
    return None
    return None

"""Operating-point solve of a :class:`HeatPumpDesign` (vectorised over many conditions).

Unknowns and residuals
----------------------
The unknowns are logarithms of pinch temperature differences, so that every iterate is physical:

* ``u = ln(e_min)``: the smallest terminal temperature difference of the evaporator
  (``T_e = T_e,ref - exp(u)``); at the start ``T_e,ref = T_source,in - SH`` (the superheat end);
* ``v = ln(d_min)``: the smallest terminal temperature difference of the condenser
  (``T_c = T_sink,in + off + exp(v)``); at the start ``off = SC`` (the liquid end, where a
  condenser with a subcooling set point pinches: its subcooling zone carries a few per cent of
  the duty, so spare area drives this difference towards zero exponentially in the spare area -
  linearly in ``v``);
* ``y = T_sink,in`` when the sink outlet temperature and a fixed sink flow are given (third
  residual: ``T_sink,out(y) - T_sink,out,required``); otherwise the sink inlet is known.

At every Newton iteration the references are re-based on the current smallest differences
(whichever end or zone boundary they are at), so each exchanger's pinch wall lies at minus
infinity in the unknowns.  The residuals are the logarithms of required over available area
of each heat exchanger (``ln(A_req / A)``, see :mod:`designopt.cycle.heat_exchangers`).

Pinched exchangers are handled explicitly: the smallest temperature difference of each
exchanger may not fall below ``PINCH_FLOOR_K = 0.01 K``.  An exchanger with area to spare even
at that difference is pinched (the superheat / subcooling set point, not the area, fixes its
temperature level); the complementarity condition ``min(x - ln(0.01 K), -r) = 0`` replaces
``r = 0`` and is solved by the same (semi-smooth) Newton iteration.  The neglected temperature
change is below 0.01 K.

Newton's method with a finite-difference Jacobian runs on all points at once (numpy arrays).
Steps are limited to 1.5 in ``u`` and ``v`` (a factor 4.5 in the temperature difference) and
10 K in ``y``.  For transcritical R744, whose gas cooler (and often the evaporator) mostly
has area to spare and pinches at the floor, a step towards the floor is instead clipped at
the floor (``_TranscriticalProblem.descend_to_floor``): it reaches the pinch in one step
instead of four (about 40 % fewer evaluations per map, same solutions to 1e-9).  For every
fluid (``_Problem.batch_trials``), the remaining start tries of the points without a feasible
start, and the remaining step halvings of the few points whose full step failed, are evaluated
in one call, each point keeping the trial it would have kept one call at a time (bit-identical
results, tested; a call costs about 0.5 ms of numpy overhead, a point a few microseconds).
A trial step is accepted only if the new state is feasible (no pinched zone, inside the
property tables) and reduces the residual norm; a trial that crossed a pinch wall is moved back
to the intended difference (up to three times), otherwise the step is halved (up to 14 times).
A point converges when the residual norm is below 1e-9 (or below 1e-7 when the line search can
no longer reduce it: the round-off floor of the tables; areas then match to 1e-7).  Points that
do not converge get a non-zero :class:`Status` and NaN results; the scalar
:func:`solve_operating_point` raises instead.  For single points with the default backend a
pure-Python path (:mod:`designopt.cycle._scalar`, same equations, Broyden updates after one
finite-difference Jacobian) runs first and falls back to this solve if it does not converge.

Cooling mode (:func:`solve_cooling_arrays`, air-source designs): the same unknowns and Newton
solve with the roles of the exchangers swapped by the reversing valve (:class:`_CoolingProblem`:
water plate evaporating against chilled water, outdoor coil condensing against outdoor air).

Energy balance: ``Q_cond = m (h2 - h3)``, ``Q_evap = m (h1 - h3)``, ``P_comp = m (h2 - h1)``
(adiabatic compressor: all electric power ends in the refrigerant, the overall isentropic
efficiency relates it to the isentropic enthalpy rise), so ``Q_cond = Q_evap + P_comp`` holds
to round-off.
"""

from __future__ import annotations

import dataclasses
import enum
import math

import numpy as np

from designopt.cycle.design import CP_WATER, HeatPumpDesign, SourceType
from designopt.cycle.heat_exchangers import (  # noqa: F401  (coil_u: former home)
    CP_AIR,
    P_ATM,
    R_AIR,
    R_AIR_SIDE_NOMINAL,
    coil_u,
    lmtd,
)
from designopt.cycle.transcritical import P_GC_MIN_PA
from designopt.errors import ConfigurationError, ConvergenceError, OperatingPointError

__all__ = [
    "CHILLED_WATER_DELTA_T_K",
    "OperatingPoint",
    "StatePoint",
    "Status",
    "solve_arrays",
    "solve_cooling_arrays",
    "solve_operating_point",
]

TOL_RESIDUAL = 1e-9
TOL_STALL = 1e-7
PINCH_FLOOR_K = 0.01
LN_PINCH_FLOOR = math.log(PINCH_FLOOR_K)
#: The discharge-temperature control of vapour injection holds the discharge this far below
#: the limit [K].
DISCHARGE_CONTROL_MARGIN_K = 0.5
MAX_ITER = 40


class Status(enum.IntEnum):
    """Outcome of one operating point (int8 ``status`` of performance maps)."""

    OK = 0
    SPEED_OUT_OF_RANGE = 1
    SOURCE_NOT_COLDER_THAN_SINK = 2
    CONDENSING_ABOVE_LIMIT = 3
    EVAPORATING_BELOW_LIMIT = 4
    DISCHARGE_TEMPERATURE_ABOVE_LIMIT = 5
    PRESSURE_RATIO_ABOVE_LIMIT = 6
    NO_FEASIBLE_START = 7
    NOT_CONVERGED = 8
    OUTSIDE_COMPRESSOR_ENVELOPE = 9


FLAG_MEANINGS = " ".join(s.name.lower() for s in Status)


@dataclasses.dataclass(frozen=True, slots=True)
class StatePoint:
    """Refrigerant state: temperature [K], pressure [Pa], specific enthalpy [J/kg]."""

    T: float
    p: float
    h: float


@dataclasses.dataclass(frozen=True, kw_only=True)
class OperatingPoint:
    """Converged operating point of a design (SI units).

    State points: 1 compressor suction, 2 discharge, 3 condenser outlet (subcooled liquid;
    gas-cooler outlet for R744), 4 evaporator inlet (after isenthalpic expansion; with vapour
    injection after the economiser).  ``mass_flow_kg_s`` is the discharge (condenser) flow;
    with vapour injection ``injection_mass_flow_kg_s`` of it enters at the intermediate
    pressure ``p_intermediate_Pa`` and the economiser transfers ``economiser_heat_W`` (zero and
    NaN without injection).
    ``air_flow_m3_s`` is the fan air flow of air sources (NaN otherwise), ``source_flow_kg_s``
    the brine/water flow of ground and water sources (NaN for air).  ``approach_evap_K`` is
    source inlet minus evaporating temperature, ``approach_cond_K`` condensing (gas-cooler
    outlet) minus sink outlet temperature.
    """

    t_source_K: float
    t_source_out_K: float
    t_sink_in_K: float
    t_sink_out_K: float
    speed: float
    t_evap_K: float
    t_cond_K: float
    p_evap_Pa: float
    p_cond_Pa: float
    pressure_ratio: float
    mass_flow_kg_s: float
    heat_output_W: float
    evaporator_heat_W: float
    compressor_power_W: float
    fan_power_W: float
    electric_power_W: float
    cop: float
    t_discharge_K: float
    eta_is: float
    eta_vol: float
    approach_evap_K: float
    approach_cond_K: float
    sink_flow_kg_s: float
    air_flow_m3_s: float
    source_flow_kg_s: float
    states: tuple[StatePoint, StatePoint, StatePoint, StatePoint]
    injection_mass_flow_kg_s: float = 0.0
    p_intermediate_Pa: float = math.nan
    economiser_heat_W: float = 0.0

    @property
    def cop_carnot(self) -> float:
        """Carnot COP between sink outlet and source inlet [1]."""
        return self.t_sink_out_K / (self.t_sink_out_K - self.t_source_K)

    def as_dict(self) -> dict:
        """JSON-friendly dict."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "states"}
        d["states"] = {
            str(i + 1): {"T_K": s.T, "p_Pa": s.p, "h_J_kg": s.h} for i, s in enumerate(self.states)
        }
        return d


def _provider(design: HeatPumpDesign, backend: str):
    if backend in ("tables", "TABLES"):
        from designopt.cycle.tables import fluid_tables

        return fluid_tables(design.coolprop_name)
    if backend not in ("HEOS", "BICUBIC&HEOS"):
        raise ConfigurationError(
            f"property backend {backend!r} is unknown; valid: 'tables', 'HEOS', 'BICUBIC&HEOS'"
        )
    from designopt.cycle.tables import CoolPropProvider

    return CoolPropProvider(design.coolprop_name, backend)


def _isentropic_h(tab, tc, s1, scn):
    """Enthalpy [J/kg] at the condensing pressure and entropy ``s1``.

    Superheated: from the tables.  Inside the dome (fluids with an overhanging dew line, e.g.
    R1234yf or R600a at small superheat): ``h = h_dew - T_c (s_dew - s)``, exact at constant
    pressure and temperature (dh = T ds).
    """
    wet = s1 < scn["s_dew"]
    dts = tab.superheat_from_s(tc, np.where(wet, scn["s_dew"], s1))
    h_sup = tab.superheated(tc, dts)[0]
    return np.where(wet, scn["h_dew"] - tc * (scn["s_dew"] - s1), h_sup)


def _outputs(residuals, cycle, **sides) -> dict:
    """The ``full=True`` result of the problems' ``evaluate``: residuals, the cycle's state
    and energy flows (``cycle`` in the order below) and the exchanger-side values ``sides``."""
    r_e, r_c, r_w, feas = residuals
    te, tc, pe, pc, pi, m, q_c, q_e, h1, h2, h3, t2, t3, eta_is, eta_v, sh = cycle
    return {
        "r_e": r_e,
        "r_c": r_c,
        "r_w": r_w,
        "feasible": feas,
        "t_evap": te,
        "t_cond": tc,
        "p_evap": pe,
        "p_cond": pc,
        "pressure_ratio": pi,
        "mass_flow": m,
        "heat_output": q_c,
        "evaporator_heat": q_e,
        "compressor_power": m * (h2 - h1),
        "t_discharge": t2,
        "eta_is": eta_is,
        "eta_vol": eta_v,
        "h1": h1,
        "h2": h2,
        "h3": h3,
        "t1": te + sh,
        "t3": t3,
        **sides,
    }


class _Problem:
    """Conditions of N points and the residual evaluation."""

    u_start = math.log(5.0)  # start of the Newton iteration: 5 K evaporator approach
    v_start = math.log(3.0)  # and 3 K smallest condenser temperature difference
    descend_to_floor = False  # Newton steps towards the pinch floor clipped, not limited
    batch_trials = True  # start tries / step halvings of a few points batched (same results)

    def __init__(self, design: HeatPumpDesign, tab, t_source, t_sink, sink_is_outlet: bool, speed):
        self._conditions(design, tab, t_source, t_sink, speed)
        self.outlet = sink_is_outlet
        n = self.t_src.size
        d = design
        ev = d.evaporator
        self.fan_flow = None  # outdoor fan air flow [m3/s] (None: no fan)
        if d.source_type is SourceType.AIR:
            vol = d.fan.air_flow(self.speed)
            self.src_flow = vol
            self.fan_flow = vol
            rho = P_ATM / (R_AIR * self.t_src)
            self.c_src = rho * vol * CP_AIR
            ratio = vol / d.fan.air_flow_m3_s

            def u_of(u_nom):
                return coil_u(u_nom, ratio)

            self.ue_tp = u_of(ev.u_two_phase)
            self.ue_sh = u_of(ev.u_vapour)
        else:
            self.src_flow = np.full(n, d.source_flow_kg_s)
            self.c_src = np.full(n, d.source_flow_kg_s * d.source_cp)
            self.ue_tp = np.full(n, ev.u_two_phase)
            self.ue_sh = np.full(n, ev.u_vapour)
        self.fixed_flow = d.sink_flow_kg_s is not None
        self.c_w = d.sink_flow_kg_s * CP_WATER if self.fixed_flow else math.nan
        # sink inlet temperature y: known, except for a fixed flow with a required outlet
        self.y_unknown = self.fixed_flow and self.outlet
        if not self.fixed_flow:
            self.y0 = self.t_snk - d.sink_delta_T_K if self.outlet else self.t_snk.copy()
        elif self.outlet:
            self.y0 = self.t_snk - 5.0
        else:
            self.y0 = self.t_snk.copy()
        # reference temperatures of the log-approach unknowns (re-based every Newton iteration)
        self.te_ref = self.t_src - d.superheat_K
        self.tc_off = np.full_like(self.y0, d.subcool_K)  # T_c = y + tc_off + exp(v)
        comp = d.compressor
        self.vdot = comp.swept_volume_m3 * comp.nominal_speed_hz * self.speed
        self.injection = comp.vapour_injection
        self._eco = None

    def _conditions(self, design, tab, t_source, t_sink, speed):
        """Broadcast the conditions of the points and keep them flat (``shape`` for output)."""
        self.d = design
        self.tab = tab
        t_source, t_sink, speed = np.broadcast_arrays(
            np.asarray(t_source, float), np.asarray(t_sink, float), np.asarray(speed, float)
        )
        self.shape = t_source.shape
        self.t_src = t_source.ravel().copy()
        self.t_snk = t_sink.ravel().copy()
        self.speed = speed.ravel().copy()

    def evaluate(self, u, v, y, idx, full: bool = False):
        d = self.d
        sh = d.superheat_K
        with np.errstate(all="ignore"):
            cyc = self._subcritical_cycle(u, v, y, idx)
            te, tc, se, scn, pe, pc, pi, h1, m, h2, eta_v, eta_is, t2, h3, t3 = cyc
            eco = self._eco if self.injection else None
            # evaporator flow and inlet enthalpy: the suction flow and the economiser's liquid
            # outlet with vapour injection, else the discharge flow and the condenser outlet
            m_e, h4 = (m, h3) if eco is None else (eco["suction_mass_flow"], eco["h4"])
            tbub = scn["t_bub"]
            q_c = m * (h2 - h3)
            q_e = m_e * (h1 - h4)
            # -- condenser (counter-flow plate, water) --
            tw_in = y
            c_w = np.full_like(q_c, self.c_w) if self.fixed_flow else q_c / d.sink_delta_T_K
            q_sc = m * (scn["h_bub"] - h3)
            q_tp = m * (scn["h_dew"] - scn["h_bub"])
            q_ds = m * (h2 - scn["h_dew"])
            tw1 = tw_in + q_sc / c_w
            tw2 = tw1 + q_tp / c_w
            tw_out = tw2 + q_ds / c_w
            d0, d1, d2, d3 = t3 - tw_in, tbub - tw1, tc - tw2, t2 - tw_out
            co = d.condenser
            a_c = (
                np.where(q_sc > 0, q_sc / lmtd(d0, d1) / co.u_liquid, 0.0)
                + q_tp / lmtd(d1, d2) / co.u_two_phase
                + q_ds / lmtd(d2, d3) / co.u_vapour
            )
            feas = (d0 > 0) & (d1 > 0) & (d2 > 0) & (d3 > 0)
            r_c = np.log(a_c / co.area_m2)
            # -- evaporator --
            q_tp_e = m_e * (se["h_dew"] - h4)
            q_sh_e = m_e * (h1 - se["h_dew"])
            r_e, e_min, feas_e, t_src_out = self._evaporator(idx, te, q_tp_e, q_sh_e, q_e)
            feas &= feas_e
            feas &= np.isfinite(r_e) & np.isfinite(r_c) & np.isfinite(t2)
            r_w = (tw_out - self.t_snk[idx]) if self.y_unknown else np.zeros_like(r_e)
            d_min = np.minimum(np.minimum(d0, d1), np.minimum(d2, d3))
            r_e, r_c = self._pinch_floors(u, v, r_e, r_c, e_min, d_min)
        if not full:
            return r_e, r_c, r_w, feas
        extra = {} if eco is None else dict(eco)
        return _outputs(
            (r_e, r_c, r_w, feas),
            (te, tc, pe, pc, pi, m, q_c, q_e, h1, h2, h3, t2, t3, eta_is, eta_v, sh),
            t_sink_in=tw_in,
            t_sink_out=tw_out,
            sink_flow=c_w / CP_WATER,
            t_source_out=t_src_out,
            **extra,
        )

    def _pinch_floors(self, u, v, r_e, r_c, e_min, d_min):
        """Keep the raw residuals and smallest temperature differences for the Newton
        bookkeeping, and apply the pinch floors (complementarity, see module docstring):
        ``min(x - x_min, -r) = 0``."""
        self._last_raw = (r_e, r_c)
        self._last_pinch = (e_min, d_min)
        return np.maximum(r_e, LN_PINCH_FLOOR - u), np.maximum(r_c, LN_PINCH_FLOOR - v)

    def _subcritical_cycle(self, u, v, y, idx):
        """Refrigerant side at the unknowns: ``(te, tc, sat_e, sat_c, pe, pc, pi, h1, m, h2,
        eta_vol, eta_is, t2, h3, t3)`` (dew temperatures from the log-approach unknowns,
        compression, discharge, subcooled liquid)."""
        tab, sc = self.tab, self.d.subcool_K
        te = self.te_ref[idx] - np.exp(u)
        tc = y + self.tc_off[idx] + np.exp(v)
        se = tab.saturation(te)
        scn = tab.saturation(tc)
        pe, pc = se["p"], scn["p"]
        if self.injection:
            h3 = tab.subcooled_h(tc, sc)
            t3 = scn["t_bub"] - sc
            comp_out = self._economised_compression(idx, te, tc, pe, pc, scn, h3, t3)
            pi, h1, m, h2, eta_v, eta_is = comp_out
            t2 = tc + tab.superheat_from_h(tc, h2)
            return te, tc, se, scn, pe, pc, pi, h1, m, h2, eta_v, eta_is, t2, h3, t3
        pi, h1, m, h2, eta_v, eta_is = self._compression(idx, te, tc, pe, pc, scn)
        t2 = tc + tab.superheat_from_h(tc, h2)
        h3 = tab.subcooled_h(tc, sc)
        t3 = scn["t_bub"] - sc
        return te, tc, se, scn, pe, pc, pi, h1, m, h2, eta_v, eta_is, t2, h3, t3

    def _economised_compression(self, idx, te, tc, pe, pc, scn, h3, t3):
        """Vapour-injection compressor with its economiser (see
        :mod:`designopt.cycle.compressor`): ``(pi, h1, m, h2, eta_vol, eta_is)`` with ``m``
        the discharge (condenser) mass flow; the economiser's states and flows are kept in
        ``self._eco`` for :meth:`evaluate`.

        States: 3 condenser outlet, 5 = 4 economiser liquid outlet (evaporator inlet after the
        isenthalpic main valve), 6 injected refrigerant at ``p_i`` (superheated, or wet under
        discharge-temperature control).  The power is the isentropic work of the economised
        path (stage 1 ``p_e -> p_i``, adiabatic mixing, stage 2 ``p_i -> p_c``) over the
        overall isentropic efficiency at the overall pressure ratio; the discharge enthalpy
        follows from the energy balance of the adiabatic compressor.
        """
        d, tab = self.d, self.tab
        comp = d.compressor
        h1, s1, rho1 = tab.superheated(te, d.superheat_K)
        pi = pc / pe
        p_i = comp.injection_pressure_factor * np.sqrt(pe * pc)
        t_i = tab.t_sat_from_p(p_i)
        si = tab.saturation(t_i)
        # economiser: main liquid cooled to T_i + approach (never heated); the enthalpy drop of
        # the liquid at the condensing pressure is that of saturated liquid between the two
        # temperatures (pressure effect on liquid enthalpy below 0.1 % of the latent heat)
        t5 = np.minimum(t3, t_i + comp.economiser_approach_K)
        h5 = h3 - (tab.saturation(t3)["h_bub"] - tab.saturation(t5)["h_bub"])
        eta_v = comp.eta_vol(pi)
        eta_is = comp.eta_is(pi)
        m_suc = eta_v * rho1 * self.vdot[idx]
        dh_1s = _isentropic_h(tab, t_i, s1, si) - h1

        def path(x, j=slice(None)):
            """Injected enthalpy, specific power per kg discharged and discharge enthalpy at
            injected fraction ``x`` (points ``j``; the economiser balance gives ``h6``)."""
            with np.errstate(all="ignore"):  # no injection (x = 0): the set-point vapour
                h6 = np.where(x > 0.0, h5[j] + (h3[j] - h5[j]) / x, h6_sh[j])
            h_bs = (1.0 - x) * (h1[j] + dh_1s[j]) + x * h6  # ideal mixing at the port
            hd, sd, ti = si["h_dew"][j], si["s_dew"][j], t_i[j]
            dts = tab.superheat_from_h(ti, np.maximum(h_bs, hd))
            s_bs = np.where(h_bs >= hd, tab.superheated(ti, dts)[1], sd - (hd - h_bs) / ti)
            dh_2s = _isentropic_h(tab, tc[j], s_bs, {k: v[j] for k, v in scn.items()}) - h_bs
            w = ((1.0 - x) * dh_1s[j] + dh_2s) / eta_is[j]  # per kg of discharge flow
            return h6, w, (1.0 - x) * h1[j] + x * h6 + w

        h6_sh = tab.superheated(t_i, comp.injection_superheat_K)[0]
        x = (h3 - h5) / (h6_sh - h5)  # injected fraction of the discharge flow
        h6, w, h2 = path(x)
        # discharge-temperature control: above the target the injection valve opens further
        # and the injected flow leaves the economiser wet (quality down to the minimum); h2
        # is nearly linear in the injected fraction, which is solved for by false position
        t_target = comp.discharge_limit_K - DISCHARGE_CONTROL_MARGIN_K
        h2_target = tab.superheated(tc, t_target - tc)[0]
        hot = np.flatnonzero(h2 > h2_target)
        if hot.size and comp.wet_injection_quality_min < 1.0:
            h6_wet = si["h_bub"][hot] + comp.wet_injection_quality_min * (
                si["h_dew"][hot] - si["h_bub"][hot]
            )
            lo = x[hot]  # superheated injection: too hot
            hi = (h3[hot] - h5[hot]) / (h6_wet - h5[hot])  # wettest injection
            f_lo = h2[hot] - h2_target[hot]
            f_hi = path(hi, hot)[2] - h2_target[hot]
            ok = f_hi < 0.0  # else even the wettest injection is too hot: the point fails
            g = hi
            for _ in range(6):
                g = np.where(ok, lo - f_lo * (hi - lo) / (f_hi - f_lo), hi)
                f_g = path(g, hot)[2] - h2_target[hot]
                cold = ok & (f_g < 0.0)
                lo, f_lo = np.where(ok & ~cold, g, lo), np.where(ok & ~cold, f_g, f_lo)
                hi, f_hi = np.where(cold, g, hi), np.where(cold, f_g, f_hi)
                if not np.any(ok & ~(np.abs(f_g) < 1e-2)):  # [J/kg], 1e-5 K
                    break
            x, h6, w, h2 = x.copy(), h6.copy(), w.copy(), h2.copy()
            x[hot] = g
            h6[hot], w[hot], h2[hot] = path(g, hot)
        m = m_suc / (1.0 - x)
        m_inj = m - m_suc
        self._eco = {
            "suction_mass_flow": m_suc,
            "injection_mass_flow": m_inj,
            "h4": h5,
            "p_intermediate": p_i,
            "t_intermediate": t_i,
            "h_injection": h6,
            "injection_quality": np.minimum((h6 - si["h_bub"]) / (si["h_dew"] - si["h_bub"]), 1.0),
            "economiser_heat": m * (h3 - h5),
            "stage_pressure_ratio": np.maximum(p_i / pe, pc / p_i),
            "compressor_power": m * w,
        }
        return pi, h1, m, h2, eta_v, eta_is

    def _compression(self, idx, te, tc, pe, pc, scn):
        """Compressor of the subcritical cycle: ``(pi, h1, m, h2, eta_vol, eta_is)`` from the
        evaporating and condensing temperatures (swept-volume model or AHRI 540 map)."""
        d, tab = self.d, self.tab
        h1, s1, rho1 = tab.superheated(te, d.superheat_K)
        pi = pc / pe
        comp = d.compressor
        if comp.ahri540 is None:
            eta_v = comp.eta_vol(pi)
            eta_is = comp.eta_is(pi)
            m = eta_v * rho1 * self.vdot[idx]
            h2s = _isentropic_h(tab, tc, s1, scn)
            h2 = h1 + (h2s - h1) / eta_is
        else:
            amap = comp.ahri540
            rho_rated = tab.superheated(te, amap.rated_superheat_K)[2]
            m = amap.mass_flow(te, tc) * rho1 / rho_rated * self.speed[idx]
            power = amap.power(te, tc) * self.speed[idx]
            h2 = h1 + power / m
            eta_v = m / (rho1 * self.vdot[idx])
            h2s = _isentropic_h(tab, tc, s1, scn)
            eta_is = (h2s - h1) / (h2 - h1)
        return pi, h1, m, h2, eta_v, eta_is

    def _evaporator(self, idx, te, q_tp_e, q_sh_e, q_e):
        """Evaporator residual ln(A_req/A), smallest temperature difference, feasibility, source outlet."""
        d = self.d
        sh = d.superheat_K
        ev = d.evaporator
        t_src = self.t_src[idx]
        c_src = self.c_src[idx]
        if d.source_type is SourceType.AIR:
            eps_tp = 1.0 - np.exp(-self.ue_tp[idx] * ev.area_m2 / c_src)
            eps_sh = 1.0 - np.exp(-self.ue_sh[idx] * ev.area_m2 / c_src)
            c_ref = q_sh_e / sh
            f_tp = q_tp_e / (c_src * eps_tp * (t_src - te))
            f_sh = c_ref / (c_src * eps_sh) * np.log((t_src - te) / (t_src - te - sh))
            r_e = np.log(f_tp + f_sh)
            t_src_out = t_src - q_e / c_src
            e_min = t_src - te - sh
            feas = np.ones(te.shape, dtype=bool)
        else:
            tb1 = t_src - q_sh_e / c_src
            t_src_out = tb1 - q_tp_e / c_src
            e0, e1, e2 = t_src - te - sh, tb1 - te, t_src_out - te
            a_e = q_sh_e / lmtd(e0, e1) / self.ue_sh[idx] + q_tp_e / lmtd(e1, e2) / self.ue_tp[idx]
            feas = (e1 > 0) & (e2 > 0)
            r_e = np.log(a_e / ev.area_m2)
            e_min = np.minimum(np.minimum(e0, e1), e2)
        return r_e, e_min, feas, t_src_out


class _TranscriticalProblem(_Problem):
    """R744 with a discretised gas cooler (see :mod:`designopt.cycle.transcritical`)."""

    descend_to_floor = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from designopt.cycle.tables import CoolPropProvider
        from designopt.cycle.transcritical import CoolPropSupercritical, supercritical_tables

        if isinstance(self.tab, CoolPropProvider):  # direct CoolProp (validation)
            self.sct = CoolPropSupercritical(self.tab.backend)
        else:
            self.sct = supercritical_tables()
        self.tc_off[:] = 0.0  # T3 = y + tc_off + exp(v)

    def evaluate(self, u, v, y, idx, full: bool = False):
        from designopt.cycle.transcritical import N_SEGMENTS, optimal_high_pressure

        d, tab, sct = self.d, self.tab, self.sct
        sh = d.superheat_K
        comp = d.compressor
        with np.errstate(all="ignore"):
            te = self.te_ref[idx] - np.exp(u)
            t3 = y + self.tc_off[idx] + np.exp(v)
            se = tab.saturation(te)
            pe = se["p"]
            h1, s1, rho1 = tab.superheated(te, sh)
            if d.high_pressure_Pa is None:
                pgc = optimal_high_pressure(te, t3)
            else:
                pgc = np.full_like(te, d.high_pressure_Pa)
            pi = pgc / pe
            eta_v = comp.eta_vol(pi)
            eta_is = comp.eta_is(pi)
            m = eta_v * rho1 * self.vdot[idx]
            row = sct.pressure_row(pgc)
            h2s = sct.h_pt(pgc, sct.t_ps(pgc, s1, row=row), row=row)
            h2 = h1 + (h2s - h1) / eta_is
            t2 = sct.t_ph(pgc, h2, row=row)
            h3 = sct.h_pt(pgc, t3, row=row)
            q_c = m * (h2 - h3)
            q_e = m * (h1 - h3)
            c_w = np.full_like(q_c, self.c_w) if self.fixed_flow else q_c / d.sink_delta_T_K
            tw_out = y + q_c / c_w
            frac = np.arange(N_SEGMENTS + 1) / N_SEGMENTS
            hk = h2[:, None] - (h2 - h3)[:, None] * frac[1:-1]
            tk = np.empty((te.size, N_SEGMENTS + 1))
            tk[:, 1:-1] = sct.t_ph(pgc[:, None], hk, row=sct.pressure_row(pgc[:, None]))
            tk[:, 0], tk[:, -1] = t2, t3
            twk = tw_out[:, None] - (m * (h2 - h3) / c_w)[:, None] * frac
            dk = tk - twk
            d_min = np.min(dk, axis=1)
            q_seg = (m * (h2 - h3) / N_SEGMENTS)[:, None]
            ua = np.sum(q_seg / lmtd(dk[:, :-1], dk[:, 1:]), axis=1)
            co = d.condenser
            r_c = np.log(ua / co.u_liquid / co.area_m2)
            feas = (d_min > 0) & (h3 < se["h_dew"])
            q_tp_e = m * (se["h_dew"] - h3)
            q_sh_e = m * (h1 - se["h_dew"])
            r_e, e_min, feas_e, t_src_out = self._evaporator(idx, te, q_tp_e, q_sh_e, q_e)
            feas &= feas_e & np.isfinite(r_e) & np.isfinite(r_c) & np.isfinite(t2)
            r_w = (tw_out - self.t_snk[idx]) if self.y_unknown else np.zeros_like(r_e)
            r_e, r_c = self._pinch_floors(u, v, r_e, r_c, e_min, d_min)
        if not full:
            return r_e, r_c, r_w, feas
        return _outputs(
            (r_e, r_c, r_w, feas),
            (te, t3, pe, pgc, pi, m, q_c, q_e, h1, h2, h3, t2, t3, eta_is, eta_v, sh),
            t_sink_in=y,
            t_sink_out=tw_out,
            sink_flow=c_w / CP_WATER,
            t_source_out=t_src_out,
        )


class _CoolingProblem(_Problem):
    """Cooling mode of an air-source unit (reversing valve): the water plate (the heating
    condenser) evaporates against chilled water, the outdoor coil (the heating evaporator)
    condenses against outdoor air.

    Conditions: ``t_src`` is the chilled-water **inlet** temperature (outlet + ``delta_T``,
    the water flow following the load so that the water cools by ``delta_T``), ``t_snk`` the
    outdoor air inlet temperature (known: ``y`` is the air inlet, never an unknown).  The
    unknowns and residuals are those of :class:`_Problem` with the roles swapped:

    * evaporator (counter-flow plate): superheat and two-phase zones, LMTD per zone, U of the
      plate's vapour / two-phase coefficients (taken equal in evaporation and condensation);
    * condenser (finned coil, air in cross flow on parallel paths): the area fraction of each
      refrigerant zone at the coil's effectiveness ``1 - exp(-U A / C_air)``: two-phase
      ``f = Q/(eps C_air (T_c - T_air))``, single-phase (desuperheating, subcooling)
      ``f = C_ref/(eps C_air) ln((T_ref,in - T_air)/(T_ref,out - T_air))`` (the same closed
      forms as the coil evaporator in heating); residual ``ln(sum f)``.
    """

    def __init__(self, design: HeatPumpDesign, tab, t_water_in, t_air, speed, delta_T_K: float):
        d = design
        self._conditions(design, tab, t_water_in, t_air, speed)
        n = self.t_src.size
        self.outlet = False
        self.delta_T = float(delta_T_K)
        vol = d.fan.air_flow(self.speed)
        self.fan_flow = vol
        self.src_flow = np.full(n, np.nan)  # chilled-water flow: from the solution
        self.c_air = P_ATM / (R_AIR * self.t_snk) * vol * CP_AIR
        ratio = vol / d.fan.air_flow_m3_s
        coil = d.evaporator
        self.uc_tp = coil_u(coil.u_two_phase, ratio)
        self.uc_v = coil_u(coil.u_vapour, ratio)
        self.uc_l = coil_u(coil.u_liquid, ratio)
        self.fixed_flow = False
        self.y_unknown = False
        self.y0 = self.t_snk.copy()
        self.te_ref = self.t_src - d.superheat_K
        self.tc_off = np.full(n, d.subcool_K)
        comp = d.compressor
        self.vdot = comp.swept_volume_m3 * comp.nominal_speed_hz * self.speed
        self.injection = False  # refused in cooling (solve_cooling_arrays)

    def evaluate(self, u, v, y, idx, full: bool = False):
        d = self.d
        sh, sc = d.superheat_K, d.subcool_K
        with np.errstate(all="ignore"):
            cyc = self._subcritical_cycle(u, v, y, idx)
            te, tc, se, scn, pe, pc, pi, h1, m, h2, eta_v, eta_is, t2, h3, t3 = cyc
            tbub = scn["t_bub"]
            q_c = m * (h2 - h3)
            q_e = m * (h1 - h3)
            # -- condenser: outdoor coil, air at y --
            c_air = self.c_air[idx]
            area = d.evaporator.area_m2

            def eff(u_):
                return 1.0 - np.exp(-u_[idx] * area / c_air)

            q_ds = m * (h2 - scn["h_dew"])
            q_tp = m * (scn["h_dew"] - scn["h_bub"])
            q_sc = m * (scn["h_bub"] - h3)
            d_hot, d_dew, d_bub, d_min = t2 - y, tc - y, tbub - y, t3 - y
            f_ds = np.where(
                t2 - tc > 1e-9,
                q_ds / (t2 - tc) / (c_air * eff(self.uc_v)) * np.log(d_hot / d_dew),
                q_ds / (c_air * eff(self.uc_v) * d_dew),
            )
            f_tp = q_tp / (c_air * eff(self.uc_tp) * d_dew)
            f_sc = (
                np.where(sc > 0, q_sc / sc, 0.0)
                / (c_air * eff(self.uc_l))
                * np.log(d_bub / np.where(sc > 0, d_min, d_bub))
            )
            r_c = np.log(f_ds + f_tp + f_sc)
            feas = (d_min > 0) & (d_dew > 0)
            t_air_out = y + q_c / c_air
            # -- evaporator: water plate, counter flow, chilled water in at t_src --
            plate = d.condenser
            t_w_in = self.t_src[idx]
            c_w = q_e / self.delta_T
            q_sh_e = m * (h1 - se["h_dew"])
            q_tp_e = m * (se["h_dew"] - h3)
            tb1 = t_w_in - q_sh_e / c_w
            t_w_out = tb1 - q_tp_e / c_w
            e0, e1, e2 = t_w_in - te - sh, tb1 - te, t_w_out - te
            a_e = q_sh_e / lmtd(e0, e1) / plate.u_vapour + q_tp_e / lmtd(e1, e2) / plate.u_two_phase
            r_e = np.log(a_e / plate.area_m2)
            e_min = np.minimum(np.minimum(e0, e1), e2)
            feas &= (e0 > 0) & (e1 > 0) & (e2 > 0)
            feas &= np.isfinite(r_e) & np.isfinite(r_c) & np.isfinite(t2)
            r_w = np.zeros_like(r_e)
            r_e, r_c = self._pinch_floors(u, v, r_e, r_c, e_min, d_min)
        if not full:
            return r_e, r_c, r_w, feas
        return _outputs(
            (r_e, r_c, r_w, feas),
            (te, tc, pe, pc, pi, m, q_c, q_e, h1, h2, h3, t2, t3, eta_is, eta_v, sh),
            t_sink_in=y,
            t_sink_out=t_air_out,
            sink_flow=c_air / CP_AIR,
            t_source_out=t_w_out,
            source_flow=c_w / CP_WATER,
        )


def _rebase(prob: _Problem, u, v, y, idx, r, pinch):
    """Re-base the unknowns on the current pinch: ``u = ln(e_min)``, ``v = ln(d_min)``.

    The point stays the same; only the coordinates change, so that the smallest terminal
    temperature difference of each exchanger (wherever it is) is the exponential of the unknown
    and the pinch wall lies at minus infinity.  ``pinch`` holds (e_min, d_min, raw r_e, raw
    r_c) of the current points from their last evaluation.
    """
    e_min, d_min, raw_e, raw_c = (a[idx] for a in pinch)
    te = prob.te_ref[idx] - np.exp(u[idx])
    tc = y[idx] + prob.tc_off[idx] + np.exp(v[idx])
    good = (e_min > 0) & (d_min > 0) & np.isfinite(e_min) & np.isfinite(d_min)
    ii = idx[good]
    prob.te_ref[ii] = te[good] + e_min[good]
    prob.tc_off[ii] = tc[good] - d_min[good] - y[ii]
    u[ii] = np.log(e_min[good])
    v[ii] = np.log(d_min[good])
    r[ii, 0] = np.maximum(raw_e[good], LN_PINCH_FLOOR - u[ii])
    r[ii, 1] = np.maximum(raw_c[good], LN_PINCH_FLOOR - v[ii])


def _newton(prob: _Problem, active: np.ndarray):
    """Damped Newton on (u, v[, y]) for the points ``active`` (indices).

    Returns ``u, v, y, converged, started`` (arrays over all points).
    """
    n = prob.t_src.size
    u = np.full(n, prob.u_start)
    v = np.full(n, prob.v_start)
    y = prob.y0.copy()
    conv = np.zeros(n, dtype=bool)
    r = np.full((n, 3), np.nan)
    ok = np.zeros(n, dtype=bool)
    pinch = tuple(np.full(n, np.nan) for _ in range(4))  # e_min, d_min, raw r_e, raw r_c

    def keep(sel, mask):
        for a, b in zip(pinch, prob._last_pinch + prob._last_raw, strict=True):
            a[sel] = b[mask]

    todo = active.copy()
    for it in range(12):  # feasible start: raise condensing / lower evaporating temperature
        if todo.size == 0:
            break
        left = 12 - it
        if prob.batch_trials and it > 0 and left > 1 and todo.size * left <= 2048:
            # all remaining tries in one evaluation; each point keeps its first feasible one
            m = todo.size
            us, vs = [u[todo]], [v[todo]]
            for _ in range(left - 1):
                us.append(us[-1] + 0.25)
                vs.append(vs[-1] + 0.5)
            ub, vb = np.concatenate(us), np.concatenate(vs)
            re, rc, rw, fe = prob.evaluate(ub, vb, np.tile(y[todo], left), np.tile(todo, left))
            feas = fe.reshape(left, m)
            hit = feas.any(axis=0)
            rows = np.where(hit, feas.argmax(axis=0), left - 1) * m + np.arange(m)
            r[todo, 0], r[todo, 1], r[todo, 2], ok[todo] = re[rows], rc[rows], rw[rows], fe[rows]
            keep(todo, rows)
            u[todo], v[todo] = ub[rows], vb[rows]
            todo = todo[~hit]
            v[todo] += 0.5
            u[todo] += 0.25
            break
        re, rc, rw, fe = prob.evaluate(u[todo], v[todo], y[todo], todo)
        r[todo, 0], r[todo, 1], r[todo, 2], ok[todo] = re, rc, rw, fe
        keep(todo, slice(None))
        todo = todo[~fe]
        v[todo] += 0.5
        u[todo] += 0.25
    idx = active[ok[active]]
    h = 1e-7
    three = prob.y_unknown
    nv = 3 if three else 2
    for _ in range(MAX_ITER):
        if idx.size == 0:
            break
        _rebase(prob, u, v, y, idx, r, pinch)
        norm0 = np.sqrt(np.sum(r[idx] ** 2, axis=1))
        done = norm0 < TOL_RESIDUAL
        conv[idx[done]] = True
        idx = idx[~done]
        norm0 = norm0[~done]
        if idx.size == 0:
            break
        k = idx.size
        uu = [u[idx] + h, u[idx]] + ([u[idx]] if three else [])
        vv = [v[idx], v[idx] + h] + ([v[idx]] if three else [])
        yy = [y[idx], y[idx]] + ([y[idx] + h * 100.0] if three else [])
        re2, rc2, rw2, _ = prob.evaluate(
            np.concatenate(uu), np.concatenate(vv), np.concatenate(yy), np.tile(idx, nv)
        )
        steps = (h, h, h * 100.0)
        jac = np.empty((k, nv, nv))
        r0 = r[idx, :nv]
        for c in range(nv):
            sl = slice(c * k, (c + 1) * k)
            cols = (re2[sl], rc2[sl], rw2[sl])
            for rr in range(nv):
                jac[:, rr, c] = (cols[rr] - r0[:, rr]) / steps[c]
        with np.errstate(all="ignore"):
            if nv == 2:
                det = jac[:, 0, 0] * jac[:, 1, 1] - jac[:, 0, 1] * jac[:, 1, 0]
                du = -(jac[:, 1, 1] * r0[:, 0] - jac[:, 0, 1] * r0[:, 1]) / det
                dv = -(-jac[:, 1, 0] * r0[:, 0] + jac[:, 0, 0] * r0[:, 1]) / det
                dy = np.zeros(k)
            else:
                try:
                    dx = -np.linalg.solve(jac, r0[..., None])[..., 0]
                except np.linalg.LinAlgError:
                    dx = np.full((k, 3), np.nan)
                    for i in range(k):
                        try:
                            dx[i] = -np.linalg.solve(jac[i], r0[i])
                        except np.linalg.LinAlgError:
                            pass
                du, dv, dy = dx[:, 0], dx[:, 1], dx[:, 2]
        bad = ~(np.isfinite(du) & np.isfinite(dv) & np.isfinite(dy))
        du[bad], dv[bad], dy[bad] = 0.1, 0.1, 0.0  # retreat from a singular point
        if prob.descend_to_floor:
            # a step towards the pinch floor is clipped there instead of limited to 1.5
            ui, vi = u[idx], v[idx]
            down_u = (du < 0) & (ui > LN_PINCH_FLOOR)
            down_v = (dv < 0) & (vi > LN_PINCH_FLOOR)
            du = np.where(down_u, np.maximum(du, LN_PINCH_FLOOR - ui), du)
            dv = np.where(down_v, np.maximum(dv, LN_PINCH_FLOOR - vi), dv)
            big = np.maximum(np.where(down_u, 0.0, np.abs(du)), np.where(down_v, 0.0, np.abs(dv)))
        else:
            big = np.maximum(np.abs(du), np.abs(dv))
        scale = np.maximum(1.0, np.maximum(big / 1.5, np.abs(dy) / 10.0))
        du /= scale
        dv /= scale
        dy /= scale
        lam = np.ones(k)
        pending = np.arange(k)
        left = 14  # trials (step halvings) per Newton step
        while left > 0 and pending.size:
            m = pending.size
            nb = 1
            if prob.batch_trials and left < 14 and m <= 64:
                # few points left after the full step: their next halvings in one evaluation
                nb = min(left, max(1, 256 // m))
            lps = [lam[pending]]
            for _ in range(nb - 1):
                lps.append(lps[-1] * 0.5)
            lp = np.concatenate(lps) if nb > 1 else lps[0]
            pb = np.tile(pending, nb) if nb > 1 else pending
            ip = idx[pb]
            ut, vt, yt = (
                u[ip] + lp * du[pb],
                v[ip] + lp * dv[pb],
                y[ip] + lp * dy[pb],
            )
            re, rc, rw, fe = prob.evaluate(ut, vt, yt, ip)
            for _ in range(3):  # repair: move a pinched trial back to the intended pinch difference
                bad = ~fe
                if not bad.any():
                    break
                e_min, d_min = prob._last_pinch
                fix_c = bad & np.isfinite(d_min) & (d_min <= 0)
                fix_e = bad & np.isfinite(e_min) & (e_min <= 0)
                if not (fix_c.any() or fix_e.any()):
                    break
                vt = np.where(fix_c, np.log(2.0 * np.exp(vt) - np.where(fix_c, d_min, 0.0)), vt)
                ut = np.where(fix_e, np.log(2.0 * np.exp(ut) - np.where(fix_e, e_min, 0.0)), ut)
                re, rc, rw, fe = prob.evaluate(ut, vt, yt, ip)
            nt = np.sqrt(re**2 + rc**2 + rw**2)
            acc = fe & ((nt < (1.0 - 1e-4 * lp) * norm0[pb]) | (nt < TOL_RESIDUAL))
            if nb == 1:
                rows, hit = acc, acc
            else:  # each point takes its longest acceptable trial (as one at a time would)
                acc2 = acc.reshape(nb, m)
                hit = acc2.any(axis=0)
                rows = acc2.argmax(axis=0)[hit] * m + np.flatnonzero(hit)
            sel = idx[pending[hit]]
            keep(sel, rows)
            u[sel], v[sel], y[sel] = ut[rows], vt[rows], yt[rows]
            r[sel, 0], r[sel, 1], r[sel, 2] = re[rows], rc[rows], rw[rows]
            pending = pending[~hit]
            for _ in range(nb):
                lam[pending] *= 0.5
            left -= nb
        failed = np.zeros(k, dtype=bool)
        failed[pending] = True
        # a line search that cannot reduce a residual already at the round-off floor of the
        # tables (|r| < TOL_STALL, i.e. areas matched to 1e-7) has converged
        stalled_ok = idx[failed][np.sqrt(np.sum(r[idx[failed]] ** 2, axis=1)) < TOL_STALL]
        conv[stalled_ok] = True
        idx = idx[~failed]
    final = np.sqrt(np.sum(r**2, axis=1)) < TOL_RESIDUAL
    act = np.zeros(n, dtype=bool)
    act[active] = True
    conv |= final & act
    return u, v, y, conv, ok


_OUT_VARS = (
    "heat_output",
    "electric_power",
    "cop",
    "evaporator_heat",
    "compressor_power",
    "fan_power",
    "t_evap",
    "t_cond",
    "t_discharge",
    "mass_flow",
)


def solve_arrays(
    design: HeatPumpDesign,
    t_source_K,
    t_sink_K,
    speed,
    *,
    sink_is_outlet: bool = True,
    backend: str = "tables",
) -> dict[str, np.ndarray]:
    """Solve many operating points at once (broadcast arrays); never raises on a bad point.

    Parameters
    ----------
    design : HeatPumpDesign
    t_source_K : array_like
        Source inlet temperature [K] (outdoor air, brine or water).
    t_sink_K : array_like
        Sink water outlet (``sink_is_outlet=True``) or inlet temperature [K].
    speed : array_like
        Compressor speed as a fraction of nominal [1].
    backend : str
        ``"tables"`` (numpy tables from HEOS, default), ``"HEOS"`` or ``"BICUBIC&HEOS"`` (direct
        CoolProp, point by point; slow, for validation).

    Returns
    -------
    dict
        Arrays of the broadcast shape: the map variables (``heat_output`` [W], ...), extra state
        data and ``status`` (int8, :class:`Status`).  Failed points are NaN.
    """
    tab = _provider(design, backend)
    cls = _TranscriticalProblem if design.transcritical else _Problem

    def make(t_src, t_snk, sp):
        return cls(design, tab, t_src, t_snk, sink_is_outlet, sp)

    res = _solve(design, tab, make, t_source_K, t_sink_K, speed)
    res["cop"] = res["heat_output"] / res["electric_power"]
    return res


def _solve(design: HeatPumpDesign, tab, make, t_source_K, t_sink_K, speed) -> dict:
    """Shared body of :func:`solve_arrays` and :func:`solve_cooling_arrays`: envelope
    pre-checks, the Newton solve, failure classification, fan and electric power, NaN for
    failed points.  ``make(t_src, t_snk, speed)`` builds the problem (heating or cooling)."""
    prob = make(t_source_K, t_sink_K, speed)
    n = prob.t_src.size
    comp = design.compressor
    status = np.zeros(n, dtype=np.int8)
    bad_in = ~(np.isfinite(prob.t_src) & np.isfinite(prob.t_snk) & np.isfinite(prob.speed))
    if np.any(bad_in):
        raise ConfigurationError("operating conditions must be finite numbers (NaN or inf given)")
    eps = 1e-9
    status[(prob.speed < comp.speed_min - eps) | (prob.speed > comp.speed_max + eps)] = (
        Status.SPEED_OUT_OF_RANGE
    )
    status[(status == 0) & (prob.t_src >= prob.t_snk)] = Status.SOURCE_NOT_COLDER_THAN_SINK
    if not design.transcritical:
        status[(status == 0) & (prob.t_snk >= tab.t_max_sat_K)] = Status.CONDENSING_ABOVE_LIMIT
    status[(status == 0) & (prob.t_src - design.superheat_K <= tab.t_min_K)] = (
        Status.EVAPORATING_BELOW_LIMIT
    )
    active = np.flatnonzero(status == 0)
    u, v, y, conv, started = _newton(prob, active)
    allidx = np.arange(n)
    res = prob.evaluate(u, v, y, allidx, full=True)
    tc = res["t_cond"]
    act = np.zeros(n, dtype=bool)
    act[active] = True
    fail = act & ~conv
    # classify failures (the point is NaN either way; the status names the likely reason)
    status[fail & ~started] = Status.NO_FEASIBLE_START
    status[fail & started] = Status.NOT_CONVERGED
    fi = np.flatnonzero(fail)
    if fi.size:
        # 1. lower bound of the pressure ratio: T_e < T_source - SH and T_c > T_sink,in + SC
        fresh = make(prob.t_src[fi], prob.t_snk[fi], prob.speed[fi])
        k = fi.size
        with np.errstate(all="ignore"):
            t_lo = np.minimum(prob.t_src[fi] - design.superheat_K, tab.t_max_sat_K)
            p_lo = tab.saturation(t_lo)["p"]
            if design.transcritical:
                p_hi = np.full(k, design.high_pressure_Pa or P_GC_MIN_PA)
            else:
                t_hi = np.minimum(fresh.y0 + design.subcool_K, tab.t_max_sat_K)
                p_hi = tab.saturation(t_hi)["p"]
        if comp.envelope is None:
            too_high = comp.limiting_pressure_ratio(p_hi / p_lo) > comp.pressure_ratio_max
            status[fi[too_high]] = Status.PRESSURE_RATIO_ABOVE_LIMIT
        # 2. discharge beyond the limit (or beyond the tables) already at the starting point
        st0 = fresh.evaluate(
            np.full(k, math.log(5.0)), np.full(k, math.log(3.0)), fresh.y0, np.arange(k), full=True
        )
        hot = np.isfinite(st0["h2"]) & ~(st0["t_discharge"] <= comp.discharge_limit_K)
        hot |= np.isfinite(res["h2"][fi]) & ~np.isfinite(res["t_discharge"][fi])
        sel = fi[hot & (status[fi] != Status.PRESSURE_RATIO_ABOVE_LIMIT)]
        status[sel] = Status.DISCHARGE_TEMPERATURE_ABOVE_LIMIT
        if design.transcritical:  # gas cooler driven out of the supercritical tables
            from designopt.cycle.transcritical import T0_K

            out = (tc[fi] < T0_K + 1.0) | (y[fi] < T0_K + 1.0) | ~np.isfinite(tc[fi])
            pending = (status[fi] == Status.NOT_CONVERGED) | (
                status[fi] == Status.NO_FEASIBLE_START
            )
            status[fi[out & pending]] = Status.CONDENSING_ABOVE_LIMIT
        # 3. the condenser would still need more area at the highest condensing temperature
        rest = (
            fi[:0]
            if design.transcritical
            else fi[(status[fi] == Status.NOT_CONVERGED) | (status[fi] == Status.NO_FEASIBLE_START)]
        )
        top = rest[(tc[rest] > tab.t_max_sat_K - 1.0) | ~np.isfinite(tc[rest])]
        status[top] = Status.CONDENSING_ABOVE_LIMIT
        rest = rest[status[rest] != Status.CONDENSING_ABOVE_LIMIT]
        gap = tab.t_max_sat_K - 0.25 - y[rest] - prob.tc_off[rest]
        okp = gap > 0
        if okp.any():
            ip = rest[okp]
            prob.evaluate(u[ip], np.log(gap[okp]), y[ip], ip)
            status[ip[~(prob._last_raw[1] < 0)]] = Status.CONDENSING_ABOVE_LIMIT
        # 4. the evaporator would still need more area at the lowest evaporating temperature
        rest = rest[status[rest] != Status.CONDENSING_ABOVE_LIMIT]
        if rest.size:
            gap_e = prob.t_src[rest] - design.superheat_K - (tab.t_min_K + 0.25)
            oke = gap_e > 0
            ip = rest[oke]
            if ip.size:
                prob.te_ref[ip] = prob.t_src[ip] - design.superheat_K
                prob.evaluate(np.log(gap_e[oke]), v[ip], y[ip], ip)
                status[ip[~(prob._last_raw[0] < 0)]] = Status.EVAPORATING_BELOW_LIMIT
    okm = act & conv
    env = comp.envelope_data
    if env is None:  # the pressure-ratio rule (each compression stage with vapour injection)
        pr = res.get("stage_pressure_ratio", res["pressure_ratio"])
        status[okm & (pr > comp.pressure_ratio_max)] = Status.PRESSURE_RATIO_ABOVE_LIMIT
    else:  # a published envelope replaces it
        outside = ~env.contains(res["t_evap"], res["t_cond"])
        status[okm & outside] = Status.OUTSIDE_COMPRESSOR_ENVELOPE
    status[okm & (res["t_discharge"] > comp.discharge_limit_K)] = (
        Status.DISCHARGE_TEMPERATURE_ABOVE_LIMIT
    )
    if prob.fan_flow is not None:
        res["fan_power"] = design.fan.power(prob.fan_flow)
    else:
        res["fan_power"] = np.zeros(n)
    res["electric_power"] = res["compressor_power"] + res["fan_power"]
    res.setdefault("source_flow", prob.src_flow)
    res["t_source"] = prob.t_src
    res["speed"] = prob.speed
    good = status == 0
    for k, arr in list(res.items()):
        if isinstance(arr, np.ndarray) and arr.dtype.kind == "f" and k not in ("t_source", "speed"):
            arr = np.where(good, arr, np.nan)
            res[k] = arr
    res["status"] = status
    return {k: (np.asarray(a).reshape(prob.shape) if np.ndim(a) else a) for k, a in res.items()}


#: Chilled-water temperature drop of EN 14511 cooling tests (12/7 °C and 23/18 °C) [K].
CHILLED_WATER_DELTA_T_K = 5.0


def solve_cooling_arrays(
    design: HeatPumpDesign,
    t_outdoor_K,
    t_chilled_K,
    speed,
    *,
    chilled_delta_T_K: float = CHILLED_WATER_DELTA_T_K,
    backend: str = "tables",
) -> dict[str, np.ndarray]:
    """Solve many operating points of an air-source design in **cooling** mode (broadcast).

    The reversing valve swaps the roles of the heat exchangers: the water plate evaporates
    against chilled water, the outdoor coil condenses against outdoor air (fan at the same
    speed law as in heating); compressor, superheat and subcooling set points are those of the
    design. Never raises on a bad point (status codes as in :func:`solve_arrays`).

    Parameters
    ----------
    design : HeatPumpDesign
        An air-source design (``source_type="air"``, not R744).
    t_outdoor_K : array_like
        Outdoor air dry-bulb temperature at the coil inlet [K].
    t_chilled_K : array_like
        Chilled-water **outlet** temperature [K] (EN 14511: 7 °C or 18 °C).
    speed : array_like
        Compressor speed as a fraction of nominal [1].
    chilled_delta_T_K : float
        Chilled-water temperature drop [K] (default 5: inlet = outlet + 5 K; the water flow
        follows the capacity).
    backend : str
        As in :func:`solve_arrays`.

    Returns
    -------
    dict
        Arrays of the broadcast shape: ``cooling_capacity`` [W] (evaporator heat),
        ``heat_rejected`` [W] (condenser heat to the air), ``electric_power`` [W] (compressor
        + fan), ``eer`` [1], ``compressor_power``, ``fan_power`` [W], ``t_evap``, ``t_cond``,
        ``t_discharge`` [K], ``mass_flow`` [kg/s], ``source_flow`` (chilled water [kg/s]),
        ``sink_flow`` (air [kg/s]), ``t_sink_out`` (air outlet [K]), ... and ``status``.
    """
    if not isinstance(design, HeatPumpDesign):
        raise ConfigurationError(f"design must be a HeatPumpDesign, got {type(design).__name__}")
    if design.source_type is not SourceType.AIR:
        raise ConfigurationError(
            f"cooling mode needs an air-source design (outdoor coil as condenser); "
            f"source_type={design.source_type.value!r}"
        )
    if design.compressor.vapour_injection:
        raise ConfigurationError(
            "cooling mode is not modelled with vapour injection (the economiser circuit is a "
            "heating-mode model); valid: compressor injection='none'"
        )
    if design.transcritical:
        raise ConfigurationError(
            "cooling mode is not modelled for transcritical R744 (the outdoor coil would be a "
            "gas cooler); valid: the subcritical refrigerants"
        )
    dt = float(chilled_delta_T_K)
    if not (math.isfinite(dt) and 1.0 <= dt <= 15.0):
        raise ConfigurationError(f"chilled_delta_T_K={chilled_delta_T_K!r} must lie in [1, 15] K")
    t_chilled = np.asarray(t_chilled_K, float)
    if not np.all(np.isfinite(t_chilled)):
        raise ConfigurationError("operating conditions must be finite numbers (NaN or inf given)")
    tab = _provider(design, backend)

    def make(t_src, t_snk, sp):
        return _CoolingProblem(design, tab, t_src, t_snk, sp, dt)

    res = _solve(design, tab, make, t_chilled + dt, t_outdoor_K, speed)
    res["cooling_capacity"] = res["evaporator_heat"]
    res["heat_rejected"] = res.pop("heat_output")
    res["eer"] = res["cooling_capacity"] / res["electric_power"]
    res["t_chilled_out"] = res.pop("t_source_out")
    res.pop("cop", None)
    return res


def _raise_for(
    status: int, design: HeatPumpDesign, res: dict, t_source_K: float, t_sink_K: float, speed: float
):
    comp = design.compressor
    s = Status(status)
    where = f"{design.refrigerant} at t_source_K={t_source_K:.2f}, t_sink_K={t_sink_K:.2f}, speed={speed:.3f}"
    if s is Status.SPEED_OUT_OF_RANGE:
        raise OperatingPointError(
            f"speed={speed!r} is outside the compressor range [{comp.speed_min}, {comp.speed_max}]"
        )
    if s is Status.SOURCE_NOT_COLDER_THAN_SINK:
        raise OperatingPointError(
            f"source warmer than sink: t_source_K={t_source_K:.2f} must be below t_sink_K={t_sink_K:.2f} (a heat pump lifts heat)"
        )
    from designopt.cycle.tables import fluid_tables

    tab = fluid_tables(design.coolprop_name)
    if s is Status.CONDENSING_ABOVE_LIMIT and design.transcritical:
        raise OperatingPointError(
            f"{where}: the gas-cooler state lies outside the supercritical CO2 tables (270-480 K, 7.45-14.5 MPa)"
        )
    if s is Status.CONDENSING_ABOVE_LIMIT:
        raise OperatingPointError(
            f"{where}: condensing temperature would exceed the limit t_cond_max_K={tab.t_max_sat_K:.2f} "
            f"(critical temperature {tab.t_crit_K:.2f} K minus 3 K; transcritical operation is not modelled)"
        )
    if s is Status.EVAPORATING_BELOW_LIMIT:
        raise OperatingPointError(
            f"{where}: evaporating temperature would fall below the limit t_evap_min_K={tab.t_min_K:.2f}"
        )
    if s is Status.DISCHARGE_TEMPERATURE_ABOVE_LIMIT:
        t_dis = float(res["_t_discharge"])
        value = (
            f"t_discharge_K={t_dis:.2f}" if math.isfinite(t_dis) else "beyond the property tables"
        )
        raise OperatingPointError(
            f"{where}: discharge temperature {value} exceeds the limit "
            f"discharge_temperature_max_K={comp.discharge_limit_K:.2f}"
        )
    if s is Status.PRESSURE_RATIO_ABOVE_LIMIT:
        what = "stage pressure ratio" if comp.vapour_injection else "pressure ratio"
        raise OperatingPointError(
            f"{where}: {what} {float(res['_pressure_ratio']):.2f} exceeds the limit pressure_ratio_max={comp.pressure_ratio_max}"
        )
    if s is Status.OUTSIDE_COMPRESSOR_ENVELOPE:
        raise OperatingPointError(
            f"{where}: t_evap_K={float(res['_t_evap']):.2f}, t_cond_K={float(res['_t_cond']):.2f} "
            f"lie outside the compressor envelope {comp.envelope!r} ({comp.envelope_data.source})"
        )
    if s is Status.NO_FEASIBLE_START:
        raise ConvergenceError(
            f"{where}: no feasible (unpinched) starting point found for the heat exchangers"
        )
    raise ConvergenceError(
        f"{where}: the operating-point solve did not converge (residual tolerance {TOL_RESIDUAL})"
    )


def solve_operating_point(
    design: HeatPumpDesign,
    *,
    t_source_K: float,
    t_sink_out_K: float | None = None,
    t_sink_in_K: float | None = None,
    speed: float = 1.0,
    backend: str = "tables",
) -> OperatingPoint:
    """Solve one operating point; raise if it lies outside the envelope or does not converge.

    Give exactly one of ``t_sink_out_K`` (required sink water outlet temperature [K]) and
    ``t_sink_in_K`` (sink water inlet temperature [K]).

    Raises
    ------
    ConfigurationError
        Bad arguments (NaN, both or neither sink temperature).
    OperatingPointError
        Envelope violated (speed range, source not colder than sink, condensing above the
        critical limit, evaporating below the fluid range, discharge temperature, pressure
        ratio); the message gives the value and the limit.
    ConvergenceError
        The solve did not converge.
    """
    if (t_sink_out_K is None) == (t_sink_in_K is None):
        raise ConfigurationError("give exactly one of t_sink_out_K and t_sink_in_K")
    t_sink = t_sink_out_K if t_sink_out_K is not None else t_sink_in_K
    for name, val in (("t_source_K", t_source_K), ("t_sink_K", t_sink), ("speed", speed)):
        if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
            raise ConfigurationError(f"{name}={val!r} must be a finite number")
    if not isinstance(design, HeatPumpDesign):
        raise ConfigurationError(f"design must be a HeatPumpDesign, got {type(design).__name__}")
    g = _solve_scalar_fast(
        design, float(t_source_K), float(t_sink), t_sink_out_K is not None, float(speed), backend
    )
    if g is not None:
        return _operating_point(g, design, t_source_K, speed)
    with np.errstate(all="ignore"):
        res = solve_arrays(
            design,
            np.array([t_source_K], float),
            np.array([t_sink], float),
            np.array([speed], float),
            sink_is_outlet=t_sink_out_K is not None,
            backend=backend,
        )
    st = int(res["status"][0])
    if st != 0:
        # recompute the envelope values for the message (NaN-ed in res)
        tab = _provider(design, backend)
        cls = _TranscriticalProblem if design.transcritical else _Problem
        prob = cls(design, tab, [t_source_K], [t_sink], t_sink_out_K is not None, [speed])
        raw = {"_t_discharge": math.nan, "_pressure_ratio": math.nan}
        if st in (
            Status.DISCHARGE_TEMPERATURE_ABOVE_LIMIT,
            Status.PRESSURE_RATIO_ABOVE_LIMIT,
            Status.OUTSIDE_COMPRESSOR_ENVELOPE,
        ):
            u, v, y, conv, _ = _newton(prob, np.array([0]))
            full = prob.evaluate(u, v, y, np.array([0]), full=True)
            raw = {
                "_t_discharge": full["t_discharge"][0],
                "_pressure_ratio": full.get("stage_pressure_ratio", full["pressure_ratio"])[0],
                "_t_evap": full["t_evap"][0],
                "_t_cond": full["t_cond"][0],
            }
        _raise_for(st, design, raw, t_source_K, t_sink, speed)
    g = {k: float(np.asarray(a).ravel()[0]) for k, a in res.items() if k != "status"}
    return _operating_point(g, design, t_source_K, speed)


def _solve_scalar_fast(design, t_source, t_sink, outlet, speed, backend):
    """Scalar fast path (tables backend): the solution dict, or None to use the vector path.

    Envelope violations found after convergence raise here directly; every other outcome
    (pre-check failures, non-convergence) is left to the vectorised solve, which classifies it.
    """
    comp = design.compressor
    if backend not in ("tables", "TABLES") or design.transcritical:
        return None
    if comp.vapour_injection or comp.envelope is not None:
        return None  # the vectorised solve only
    from designopt.cycle._scalar import scalar_tables, solve_scalar

    tab = scalar_tables(design.coolprop_name)
    eps = 1e-9
    if not (comp.speed_min - eps <= speed <= comp.speed_max + eps) or t_source >= t_sink:
        return None
    if t_sink >= tab.t_max_sat_K or t_source - design.superheat_K <= tab.t_min_K:
        return None
    g = solve_scalar(
        design,
        t_source,
        t_sink,
        outlet,
        speed,
        tol=TOL_RESIDUAL,
        tol_stall=TOL_STALL,
        ln_floor=LN_PINCH_FLOOR,
        max_iter=MAX_ITER,
    )
    if g is None:
        return None
    raw = {"_t_discharge": g["t_discharge"], "_pressure_ratio": g["pressure_ratio"]}
    if g["pressure_ratio"] > comp.pressure_ratio_max:
        _raise_for(Status.PRESSURE_RATIO_ABOVE_LIMIT, design, raw, t_source, t_sink, speed)
    if g["t_discharge"] > comp.discharge_temperature_max_K:
        _raise_for(Status.DISCHARGE_TEMPERATURE_ABOVE_LIMIT, design, raw, t_source, t_sink, speed)
    g["electric_power"] = g["compressor_power"] + g["fan_power"]
    g["cop"] = g["heat_output"] / g["electric_power"]
    return g


def _operating_point(g: dict, design: HeatPumpDesign, t_source_K, speed) -> OperatingPoint:
    air = design.source_type is SourceType.AIR
    states = (
        StatePoint(T=g["t1"], p=g["p_evap"], h=g["h1"]),
        StatePoint(T=g["t_discharge"], p=g["p_cond"], h=g["h2"]),
        StatePoint(T=g["t3"], p=g["p_cond"], h=g["h3"]),
        StatePoint(T=g["t_evap"], p=g["p_evap"], h=g.get("h4", g["h3"])),
    )
    return OperatingPoint(
        t_source_K=float(t_source_K),
        t_source_out_K=g["t_source_out"],
        t_sink_in_K=g["t_sink_in"],
        t_sink_out_K=g["t_sink_out"],
        speed=float(speed),
        t_evap_K=g["t_evap"],
        t_cond_K=g["t_cond"],
        p_evap_Pa=g["p_evap"],
        p_cond_Pa=g["p_cond"],
        pressure_ratio=g["pressure_ratio"],
        mass_flow_kg_s=g["mass_flow"],
        heat_output_W=g["heat_output"],
        evaporator_heat_W=g["evaporator_heat"],
        compressor_power_W=g["compressor_power"],
        fan_power_W=g["fan_power"],
        electric_power_W=g["electric_power"],
        cop=g["cop"],
        t_discharge_K=g["t_discharge"],
        eta_is=g["eta_is"],
        eta_vol=g["eta_vol"],
        approach_evap_K=float(t_source_K) - g["t_evap"],
        approach_cond_K=g["t_cond"] - g["t_sink_out"],
        sink_flow_kg_s=g["sink_flow"],
        air_flow_m3_s=g["source_flow"] if air else math.nan,
        source_flow_kg_s=math.nan if air else g["source_flow"],
        states=states,
        injection_mass_flow_kg_s=g.get("injection_mass_flow", 0.0),
        p_intermediate_Pa=g.get("p_intermediate", math.nan),
        economiser_heat_W=g.get("economiser_heat", 0.0),
    )

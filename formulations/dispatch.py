"""Hybrid dispatch LP: hour-by-hour split of the heat demand between heat pump and gas boiler.

Given each hour's heat-pump COP and capacity (from the performance map at that hour's
temperatures), electricity and gas prices (flat, time-of-use or hourly), a carbon price and
emission factors, the LP minimises the energy-plus-carbon cost of meeting the demand, optionally
with a hot-water buffer that lets heat be shifted between hours.  The maths is in
``docs/formulations.md``.

Two builds of the same LP:

* :func:`build_dispatch_model` - the Pyomo model (contract-tested, units checked);
* :func:`solve_dispatch_highspy` - the same matrix handed straight to highspy in a few numpy
  calls, the fast path for long horizons and sweeps (no Pyomo objects at all).

:func:`rule_based_dispatch` evaluates the usual switchover-temperature control (boiler alone below
the switchover, heat pump first above it) in numpy; :func:`compare_with_switchover` reports the
LP's saving over the best such rule and the switchover temperature the LP's choices imply.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from designopt.errors import ConfigurationError, SolverError
from formulations._units import unit
from formulations.data import DispatchData
from formulations.solve import SolveResult, Termination, declare_family, make_solver, solve

__all__ = [
    "add_heat_pump_dispatch_block",
    "add_boiler_block",
    "add_storage_block",
    "build_dispatch_model",
    "solve_dispatch",
    "solve_dispatch_highspy",
    "dispatch_dataset",
    "rule_based_dispatch",
    "implied_switchover",
    "SwitchoverComparison",
    "compare_with_switchover",
]


def _param(b, name, index, values, units, doc):
    b.add_component(
        name,
        pyo.Param(index, initialize=dict(enumerate(values.tolist())), units=unit(units), doc=doc),
    )


def add_heat_pump_dispatch_block(b: pyo.Block, data: DispatchData) -> None:
    """Heat-pump output ``0 <= q[t] <= capacity[t]`` and its electric power ``q[t] / COP[t]``."""
    b.T = pyo.RangeSet(0, data.n - 1)
    cap = data.hp_capacity_W
    b.q = pyo.Var(
        b.T,
        bounds=lambda _, t: (0.0, float(cap[t])),
        units=unit("W"),
        doc="heat-pump heat output [W]",
    )
    _param(b, "cop", b.T, data.hp_cop, "1", "heat-pump COP [1]")
    _param(
        b,
        "heat_cost",
        b.T,
        data.hp_cost_per_J_heat(),
        "EUR/J",
        "cost of heat-pump heat, (electricity price + carbon price x emission factor) / COP [EUR/J]",
    )
    b.electric_power = pyo.Expression(
        b.T, rule=lambda b, t: b.q[t] / b.cop[t], doc="electric power [W]"
    )


def add_boiler_block(b: pyo.Block, data: DispatchData) -> None:
    """Boiler output ``0 <= g[t] <= capacity`` and its fuel input ``g[t] / efficiency``."""
    b.T = pyo.RangeSet(0, data.n - 1)
    b.g = pyo.Var(
        b.T,
        bounds=(0.0, float(data.boiler_capacity_W)),
        units=unit("W"),
        doc="boiler heat output [W]",
    )
    b.efficiency = pyo.Param(
        initialize=data.boiler_efficiency, units=unit("1"), doc="boiler efficiency [1]"
    )
    _param(
        b,
        "heat_cost",
        b.T,
        data.boiler_cost_per_J_heat(),
        "EUR/J",
        "cost of boiler heat, (gas price + carbon price x emission factor) / efficiency [EUR/J]",
    )
    b.fuel_rate = pyo.Expression(b.T, rule=lambda b, t: b.g[t] / b.efficiency, doc="fuel input [W]")


def add_storage_block(b: pyo.Block, data: DispatchData) -> None:
    """Buffer content ``0 <= s[t] <= capacity``, cyclic over the horizon:
    ``s[t] = (1 - loss) s[t-1] + dt (q[t] + g[t] - demand[t])`` (the balance, in the parent)."""
    st = data.storage
    b.T = pyo.RangeSet(0, data.n - 1)
    b.s = pyo.Var(
        b.T,
        bounds=(0.0, float(st.capacity_J)),
        units=unit("J"),
        doc="heat stored at the end of step t [J]",
    )
    b.retention = pyo.Param(
        initialize=1.0 - st.loss_per_step, units=unit("1"), doc="fraction kept per step [1]"
    )


def build_dispatch_model(data: DispatchData) -> pyo.ConcreteModel:
    """Build (never solve) the hybrid dispatch LP from :class:`DispatchData`.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Blocks ``hp``, ``boiler`` (and ``storage``), constraint ``balance[t]``, objective
        ``cost`` [EUR] over the horizon.
    """
    m = pyo.ConcreteModel(name="dispatch")
    m.T = pyo.RangeSet(0, data.n - 1, doc="time steps")
    _param(m, "demand", m.T, data.heat_demand_W, "W", "heat demand [W]")
    m.dt = pyo.Param(initialize=data.step_s, units=unit("s"), doc="step length [s]")
    m.hp = pyo.Block()
    add_heat_pump_dispatch_block(m.hp, data)
    m.boiler = pyo.Block()
    add_boiler_block(m.boiler, data)
    if data.storage is not None and data.storage.capacity_J > 0:
        m.storage = pyo.Block()
        add_storage_block(m.storage, data)
        s, n = m.storage.s, data.n
        m.balance = pyo.Constraint(
            m.T,
            rule=lambda m, t: (
                s[t]
                == m.storage.retention * s[(t - 1) % n]
                + m.dt * (m.hp.q[t] + m.boiler.g[t] - m.demand[t])
            ),
            doc="storage balance (cyclic)",
        )
    else:
        m.balance = pyo.Constraint(
            m.T, rule=lambda m, t: m.hp.q[t] + m.boiler.g[t] == m.demand[t], doc="heat balance"
        )
    declare_family(
        m,
        "capacity",
        [m.balance],
        "raise boiler_capacity_W or hp_capacity_W: demand exceeds the combined capacity",
    )
    m.cost = pyo.Objective(
        expr=sum(m.hp.heat_cost[t] * m.hp.q[t] + m.boiler.heat_cost[t] * m.boiler.g[t] for t in m.T)
        * m.dt,
        sense=pyo.minimize,
        doc="energy + carbon cost over the horizon [EUR]",
    )
    return m


def solve_dispatch(data: DispatchData):
    """Build and solve the Pyomo dispatch LP; return ``(dataset, model, SolveResult)``."""
    t0 = time.perf_counter()
    m = build_dispatch_model(data)
    t_build = time.perf_counter() - t0
    res = solve(m, solver=make_solver(), name="dispatch")
    q = np.array([m.hp.q[t].value for t in range(data.n)], float)
    g = np.array([m.boiler.g[t].value for t in range(data.n)], float)
    s = (
        np.array([m.storage.s[t].value for t in range(data.n)], float)
        if hasattr(m, "storage")
        else None
    )
    ds = dispatch_dataset(data, q, g, s, res, build_time_s=t_build, formulation="dispatch (pyomo)")
    return ds, m, res


def solve_dispatch_highspy(data: DispatchData):
    """The dispatch LP built directly as a sparse matrix in highspy (fast path).

    Same variables, constraints and objective as :func:`build_dispatch_model`; returns
    ``(dataset, SolveResult)``.
    """
    import highspy
    import scipy.sparse as sp

    t0 = time.perf_counter()
    n, dt = data.n, data.step_s
    c_hp = dt * data.hp_cost_per_J_heat()
    c_b = dt * data.boiler_cost_per_J_heat()
    store = data.storage is not None and data.storage.capacity_J > 0
    eye = sp.identity(n, format="csc")
    if store:
        keep = 1.0 - data.storage.loss_per_step
        shift = sp.csc_matrix(
            (np.full(n, keep), (np.arange(n), (np.arange(n) - 1) % n)), shape=(n, n)
        )
        # dt q + dt g - s + keep * s[t-1] = dt * demand
        a = sp.hstack([dt * eye, dt * eye, shift - eye], format="csc")
        rhs = dt * data.heat_demand_W
        cost = np.concatenate([c_hp, c_b, np.zeros(n)])
        lb = np.zeros(3 * n)
        ub = np.concatenate(
            [
                data.hp_capacity_W,
                np.full(n, data.boiler_capacity_W),
                np.full(n, data.storage.capacity_J),
            ]
        )
    else:
        a = sp.hstack([eye, eye], format="csc")
        rhs = data.heat_demand_W
        cost = np.concatenate([c_hp, c_b])
        lb = np.zeros(2 * n)
        ub = np.concatenate([data.hp_capacity_W, np.full(n, data.boiler_capacity_W)])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lb, ub
    lp.row_lower_ = lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    from pyomo.common.tee import capture_output

    with capture_output(capture_fd=True):  # the first Highs() of a process prints a banner
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    t_build = time.perf_counter() - t0
    t1 = time.perf_counter()
    h.run()
    status = h.getModelStatus()
    version = f"highs {h.version()}" if hasattr(h, "version") else "highs"
    if status != highspy.HighsModelStatus.kOptimal:
        term = (
            Termination.INFEASIBLE
            if status == highspy.HighsModelStatus.kInfeasible
            else Termination.UNKNOWN
        )
        hint = (
            " (relax 'capacity': raise boiler_capacity_W or hp_capacity_W)"
            if term is Termination.INFEASIBLE
            else ""
        )
        raise SolverError(
            f"HiGHS ended the dispatch LP with status {h.modelStatusToString(status)!r}{hint}"
        )
    x = np.asarray(h.getSolution().col_value)
    obj = h.getInfo().objective_function_value
    res = SolveResult(
        termination=Termination.OPTIMAL,
        objective=float(obj),
        bound=float(obj),
        wall_time_s=time.perf_counter() - t1,
        solver=version,
    )
    q, g = x[:n], x[n : 2 * n]
    s = x[2 * n :] if store else None
    return dispatch_dataset(
        data, q, g, s, res, build_time_s=t_build, formulation="dispatch (highspy)"
    ), res


def dispatch_dataset(
    data: DispatchData, q, g, s, res: SolveResult, *, build_time_s: float, formulation: str
):
    """Dispatch results as an :class:`xarray.Dataset` on dim ``time``."""
    import xarray as xr

    import designopt

    dt = data.step_s
    p_el = q / data.hp_cop
    fuel = g / data.boiler_efficiency
    v = lambda x, units, ln, dims=("time",): (dims, x, {"units": units, "long_name": ln})  # noqa: E731
    emissions = dt * float(
        np.sum(data.electricity_emission_kg_per_J * p_el + data.gas_emission_kg_per_J * fuel)
    )
    data_vars = {
        "heat_demand": v(data.heat_demand_W, "W", "heat demand"),
        "heat_pump_heat": v(q, "W", "heat from the heat pump"),
        "boiler_heat": v(g, "W", "heat from the boiler"),
        "heat_pump_electric_power": v(p_el, "W", "heat-pump electric power"),
        "boiler_fuel_power": v(fuel, "W", "boiler fuel input"),
        "cop": v(data.hp_cop, "1", "heat-pump COP"),
        "total_cost": v(res.objective, "EUR", "energy and carbon cost over the horizon", ()),
        "emissions": v(emissions, "kg", "CO2 emissions over the horizon", ()),
    }
    if s is not None:
        data_vars["stored_heat"] = v(s, "J", "heat stored at the end of the step")
    return xr.Dataset(
        data_vars,
        coords={
            "time": (
                "time",
                np.arange(data.n) * dt,
                {"units": "s", "long_name": "start of the step from the start of the horizon"},
            ),
            "t_outdoor": (
                "time",
                data.t_outdoor_K,
                {"units": "K", "long_name": "outdoor temperature"},
            ),
        },
        attrs={
            "designopt_version": designopt.__version__,
            "formulation": formulation,
            "solver": res.solver,
            "termination": res.termination.value,
            "build_time_s": build_time_s,
            "solve_time_s": res.wall_time_s,
        },
    )


def rule_based_dispatch(data: DispatchData, t_switch_K) -> dict[str, np.ndarray]:
    """Switchover control: below ``t_switch_K`` the boiler alone, at or above it the heat pump
    first and the boiler for the rest (what either cannot cover stays unmet).

    Parameters
    ----------
    data : DispatchData (its storage is ignored: a switchover rule has no look-ahead)
    t_switch_K : float or (k,) array of switchover temperatures [K]

    Returns
    -------
    dict with arrays of shape (k, T): ``heat_pump_heat``, ``boiler_heat``, ``unmet`` [W]; and
    shape (k,): ``cost`` [EUR] over the horizon (energy + carbon), ``unmet_energy`` [J].
    """
    ts = np.atleast_1d(np.asarray(t_switch_K, float))[:, None]
    d = data.heat_demand_W[None, :]
    hp_mode = data.t_outdoor_K[None, :] >= ts
    q = np.where(hp_mode, np.minimum(d, data.hp_capacity_W[None, :]), 0.0)
    g = np.minimum(d - q, data.boiler_capacity_W)
    unmet = d - q - g
    # in boiler mode the heat pump tops up what the boiler cannot give (bivalent-parallel fallback)
    extra = np.where(~hp_mode, np.minimum(unmet, data.hp_capacity_W[None, :]), 0.0)
    q, unmet = q + extra, unmet - extra
    dt = data.step_s
    cost = dt * (q @ data.hp_cost_per_J_heat() + g @ data.boiler_cost_per_J_heat())
    return {
        "heat_pump_heat": q,
        "boiler_heat": g,
        "unmet": unmet,
        "cost": cost,
        "unmet_energy": dt * unmet.sum(axis=1),
    }


def implied_switchover(t_outdoor_K, heat_pump_share) -> tuple[float, float]:
    """The switchover temperature that best separates heat-pump hours from boiler hours.

    An hour counts as a heat-pump hour when the heat pump delivers at least half of its heat.
    The threshold T minimises the number of hours on the wrong side of it (heat-pump hours
    below T plus boiler hours at or above T); it is placed midway between the neighbouring
    distinct temperatures.

    Returns
    -------
    (t_switch_K, agreement) : switchover [K] and the share of hours it classifies like the LP [1].
    """
    t = np.asarray(t_outdoor_K, float)
    hp = np.asarray(heat_pump_share, float) >= 0.5
    if t.shape != hp.shape:
        raise ConfigurationError(
            f"t_outdoor_K {t.shape} and heat_pump_share {hp.shape} differ in shape"
        )
    u = np.unique(t)
    cand = np.concatenate([[u[0] - 0.5], (u[:-1] + u[1:]) / 2.0, [u[-1] + 0.5]])
    order = np.argsort(t)
    ts, hs = t[order], hp[order]
    idx = np.searchsorted(ts, cand, side="left")  # hours below each candidate
    hp_below = np.concatenate([[0], np.cumsum(hs)])[idx]
    boiler_above = (~hs).sum() - np.concatenate([[0], np.cumsum(~hs)])[idx]
    err = hp_below + boiler_above
    k = int(np.argmin(err))
    return float(cand[k]), 1.0 - err[k] / t.size


@dataclass(frozen=True)
class SwitchoverComparison:
    """LP dispatch versus the best switchover rule.

    Attributes
    ----------
    lp_cost_EUR : optimal cost of the LP [EUR]
    rule_cost_EUR : cost of the best switchover rule [EUR]
    rule_switchover_K : its switchover temperature [K]
    saving_pct : (rule - LP) / rule x 100 [%]
    implied_switchover_K : threshold that best separates the LP's heat-pump and boiler hours [K]
    agreement : share of hours the implied threshold classifies like the LP [1]
    rule_unmet_energy_J : heat the best rule leaves unmet [J] (0 when capacities suffice)
    """

    lp_cost_EUR: float
    rule_cost_EUR: float
    rule_switchover_K: float
    saving_pct: float
    implied_switchover_K: float
    agreement: float
    rule_unmet_energy_J: float


def compare_with_switchover(
    data: DispatchData, lp_result, *, t_switch_grid_K=None
) -> SwitchoverComparison:
    """Compare an LP dispatch (Dataset from :func:`solve_dispatch`/:func:`solve_dispatch_highspy`)
    with switchover rules scanned over ``t_switch_grid_K`` (default: -25 ... +20 °C every 0.5 K).

    Rules that leave demand unmet are penalised out (cost = inf) unless every rule does.
    """
    grid = (
        np.arange(248.15, 293.15 + 1e-9, 0.5)
        if t_switch_grid_K is None
        else np.asarray(t_switch_grid_K, float)
    )
    rule = rule_based_dispatch(data, grid)
    cost = np.where(
        rule["unmet_energy"] > 1e-6 * max(1.0, data.step_s * data.heat_demand_W.sum()),
        np.inf,
        rule["cost"],
    )
    if not np.isfinite(cost).any():
        cost = rule["cost"]
    k = int(np.argmin(cost))
    q = np.asarray(lp_result["heat_pump_heat"].values, float)
    g = np.asarray(lp_result["boiler_heat"].values, float)
    tot = q + g
    share = np.divide(q, tot, out=np.full_like(q, np.nan), where=tot > 0)
    active = tot > 0
    t_imp, agree = (
        implied_switchover(data.t_outdoor_K[active], share[active])
        if active.any()
        else (float("nan"), float("nan"))
    )
    lp_cost = float(lp_result["total_cost"])
    return SwitchoverComparison(
        lp_cost_EUR=lp_cost,
        rule_cost_EUR=float(rule["cost"][k]),
        rule_switchover_K=float(grid[k]),
        saving_pct=100.0 * (float(rule["cost"][k]) - lp_cost) / float(rule["cost"][k])
        if rule["cost"][k] > 0
        else 0.0,
        implied_switchover_K=t_imp,
        agreement=agree,
        rule_unmet_energy_J=float(rule["unmet_energy"][k]),
    )

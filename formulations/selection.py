"""Selection and sizing MILP: one heat pump out of many, back-up size and borehole length.

Choose exactly one candidate heat pump (certified products or designs from a study front), size
the back-up heater or gas boiler and, for ground-source candidates, the borehole length through a
piecewise-linear surrogate of a sizing result; meet the load in every period (EN 14825 bin or
hour); respect a noise limit at the receiver and a refrigerant GWP cap; minimise the annualised
cost (capital x capital recovery factor + energy and carbon cost).  The maths is in
``docs/formulations.md``.

The model is built from data only (:class:`formulations.data.SelectionData`); heat-pump output
is disaggregated per candidate (``q[i, p] <= capacity[i, p] * y[i]``), which is the convex hull of
each candidate's operating set, so the LP relaxation is tight and HiGHS closes the tree fast.
Select on bins or representative periods and dispatch hours separately
(:mod:`formulations.dispatch`): one model that picks a unit *and* dispatches 8,760 hours is orders
of magnitude slower (see the issue's measurements).

Feasibility tolerance.  Which candidates may be chosen is decided on the data, not by HiGHS'
feasibility tolerance (1e-7 on scaled rows, which an independent enumeration applies to other
rows): :meth:`formulations.data.SelectionData.admissibility` applies the capacity, noise, GWP and
borehole-range rules with exact comparisons and one stated tolerance, heat left unmet in a
period of at most :data:`formulations.data.LOAD_TOL_W` (1 mW) counts as met.  The model
excludes a candidate that fails a rule with ``y_i <= 0`` in that rule's constraint family, and
its heat balance asks for the *served* load (the load less such a sub-tolerance rest), so every
admissible candidate has an exactly feasible operation and every other one is out, whatever
the solver's tolerance.  :func:`formulations.testing.reference_selection` applies the same rules.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from formulations._units import unit
from formulations.data import NOISE_BASES, SECONDS_PER_YEAR, Admissibility, SelectionData
from formulations.solve import SolveResult, declare_family, make_solver, solve

__all__ = [
    "add_choice_block",
    "add_exclusion",
    "add_heat_pump_block",
    "add_backup_block",
    "add_borehole_block",
    "add_noise_block",
    "add_gwp_block",
    "build_selection_model",
    "solve_selection",
    "selection_dataset",
]


def _u(expression: str):
    """A Pyomo unit as a constant factor (1.0 without pint).  Data enter the models as float
    coefficients times such a unit rather than as indexed Params with units, which Pyomo
    re-evaluates as expressions when handing the model to the solver."""
    u = unit(expression)
    return 1.0 if u is None else u


def add_choice_block(b: pyo.Block, data: SelectionData) -> None:
    """Binary choice of exactly one candidate: ``sum_i y[i] = 1``."""
    c = data.candidates
    b.I = pyo.RangeSet(0, c.n - 1, doc="candidate heat pumps")
    b.y = pyo.Var(
        b.I, domain=pyo.Binary, bounds=(0, 1), units=unit("1"), doc="1 if candidate i is chosen [1]"
    )
    b.one = pyo.Constraint(expr=sum(b.y[i] for i in b.I) == 1, doc="exactly one heat pump")
    b.capital = pyo.Expression(
        expr=_u("EUR")
        * LinearExpression(
            constant=0.0, linear_coefs=c.capital_cost_EUR.tolist(), linear_vars=list(b.y.values())
        ),
        doc="installed cost of the chosen candidate [EUR]",
    )


def add_exclusion(b: pyo.Block, name: str, choice: pyo.Block, allowed, doc: str) -> None:
    """Add constraint ``name`` to ``b``: ``y_i <= 0`` for every candidate i not ``allowed``.

    The decision is the data's (:class:`formulations.data.Admissibility`); the constraint only
    carries it into the model, inside a family the infeasibility diagnosis can relax.
    """
    out = [int(i) for i in np.flatnonzero(~np.asarray(allowed, bool))]
    setattr(b, name, pyo.Constraint(out, rule=lambda _, i: choice.y[i] <= 0, doc=doc))


def add_heat_pump_block(b: pyo.Block, data: SelectionData, choice: pyo.Block) -> None:
    """Heat delivered by candidate i in period p, ``0 <= q[i, p] <= capacity[i, p] y[i]``.

    Variables exist only where the capacity is positive and the period has load.
    """
    c, per = data.candidates, data.periods
    w = _u("W")
    cap = np.minimum(c.heat_capacity_W, per.load_W[None, :])
    ii, pp = np.nonzero(cap > 0)
    b.IP = pyo.Set(
        dimen=2,
        initialize=list(zip(ii.tolist(), pp.tolist(), strict=True)),
        ordered=True,
        doc="(candidate, period) pairs that can run",
    )
    b._capacity = {(i, p): float(cap[i, p]) for i, p in zip(ii.tolist(), pp.tolist(), strict=True)}
    b._cop = {(i, p): float(c.cop[i, p]) for i, p in zip(ii.tolist(), pp.tolist(), strict=True)}
    b.q = pyo.Var(
        b.IP,
        bounds=lambda _, i, p: (0.0, float(cap[i, p])),
        units=unit("W"),
        doc="heat-pump heat output [W]",
    )
    b.on = pyo.Constraint(
        b.IP,
        rule=lambda b, i, p: b.q[i, p] <= b._capacity[i, p] * w * choice.y[i],
        doc="output only from the chosen unit",
    )
    # period -> list of candidate indices, used by the balance and the energy expressions
    b._by_period = {p: [] for p in range(per.n)}
    for i, p in zip(ii.tolist(), pp.tolist(), strict=True):
        b._by_period[p].append(i)
    b.electric_power = pyo.Expression(
        pyo.RangeSet(0, per.n - 1),
        rule=lambda b, p: sum(b.q[i, p] * (1.0 / b._cop[i, p]) for i in b._by_period[p]),
        doc="heat-pump electric power [W]",
    )


def add_backup_block(b: pyo.Block, data: SelectionData) -> None:
    """Back-up heater/boiler: capacity ``B`` (with an on/off binary if it has a fixed cost) and
    output ``u[p] <= B`` in every period."""
    bu, per = data.backup, data.periods
    b.P = pyo.RangeSet(0, per.n - 1)
    bmax = float(max(bu.max_capacity_W, 0.0))
    b.capacity = pyo.Var(bounds=(0.0, bmax), units=unit("W"), doc="installed back-up capacity [W]")
    b.u = pyo.Var(
        b.P,
        bounds=lambda _, p: (0.0, float(min(per.load_W[p], bmax))),
        units=unit("W"),
        doc="back-up heat output [W]",
    )
    b.limit = pyo.Constraint(
        b.P, rule=lambda b, p: b.u[p] <= b.capacity, doc="output within installed capacity"
    )
    b.cost_per_W = pyo.Param(
        initialize=bu.cost_per_W_EUR, units=unit("EUR/W"), doc="specific capital cost [EUR/W]"
    )
    b.fixed_cost = pyo.Param(
        initialize=bu.fixed_cost_EUR, units=unit("EUR"), doc="fixed capital cost if installed [EUR]"
    )
    if bu.fixed_cost_EUR > 0:
        b.installed = pyo.Var(
            domain=pyo.Binary, bounds=(0, 1), units=unit("1"), doc="1 if a back-up is installed [1]"
        )
        b.max_capacity = pyo.Param(
            initialize=bmax, units=unit("W"), doc="largest allowed capacity [W]"
        )
        b.on = pyo.Constraint(
            expr=b.capacity <= b.max_capacity * b.installed, doc="capacity only if installed"
        )
        b.capital = pyo.Expression(expr=b.cost_per_W * b.capacity + b.fixed_cost * b.installed)
    else:
        b.capital = pyo.Expression(expr=b.cost_per_W * b.capacity)
    b.efficiency = pyo.Param(
        initialize=bu.efficiency, units=unit("1"), doc="heat out per energy bought [1]"
    )
    b.energy_rate = pyo.Expression(
        b.P, rule=lambda b, p: b.u[p] / b.efficiency, doc="back-up energy input [W]"
    )


def add_borehole_block(b: pyo.Block, data: SelectionData, hp: pyo.Block) -> None:
    """Borehole length ``L`` from the annual-mean ground extraction ``X`` through the
    piecewise-linear surrogate, as a convex combination of breakpoints (lambda formulation).

    ``X = sum_p (d_p / year) sum_{i ground} q[i, p] (1 - 1/COP[i, p])``,
    ``X = sum_k lam_k X_k``, ``L = sum_k lam_k L_k``, ``sum_k lam_k = 1``.  If the surrogate is
    convex the LP relaxation already gives ``L(X)`` when minimising cost; otherwise segment
    binaries ``s`` impose the SOS2 condition (only two adjacent lambdas non-zero).
    """
    sur, per, cand = data.borehole, data.periods, data.candidates
    k = sur.extraction_W.size
    b.K = pyo.RangeSet(0, k - 1, doc="surrogate breakpoints")
    b.x_k = pyo.Param(
        b.K,
        initialize=dict(enumerate(sur.extraction_W)),
        units=unit("W"),
        doc="extraction at breakpoint k [W]",
    )
    b.l_k = pyo.Param(
        b.K,
        initialize=dict(enumerate(sur.length_m)),
        units=unit("m"),
        doc="length at breakpoint k [m]",
    )
    b.lam = pyo.Var(
        b.K, bounds=(0.0, 1.0), units=unit("1"), doc="convex-combination weight of breakpoint k [1]"
    )
    b.extraction = pyo.Var(
        bounds=(0.0, float(sur.extraction_W[-1])),
        units=unit("W"),
        doc="annual-mean heat extraction from the ground [W]",
    )
    b.length = pyo.Var(
        bounds=(0.0, float(sur.length_m.max())), units=unit("m"), doc="total borehole length [m]"
    )
    b.cost_per_m = pyo.Param(
        initialize=sur.cost_per_m_EUR, units=unit("EUR/m"), doc="borehole cost per metre [EUR/m]"
    )
    ground = set(np.nonzero(cand.ground_source)[0].tolist())
    b.sum_lam = pyo.Constraint(expr=sum(b.lam[j] for j in b.K) == 1, doc="convex combination")
    b.def_x = pyo.Constraint(
        expr=b.extraction == sum(b.lam[j] * b.x_k[j] for j in b.K),
        doc="extraction on the surrogate",
    )
    b.def_l = pyo.Constraint(
        expr=b.length == sum(b.lam[j] * b.l_k[j] for j in b.K), doc="length on the surrogate"
    )
    b.load = pyo.Constraint(
        expr=b.extraction
        == LinearExpression(
            constant=0.0,
            linear_coefs=[
                per.duration_s[p] / SECONDS_PER_YEAR * (1.0 - 1.0 / hp._cop[i, p])
                for (i, p) in hp.IP
                if i in ground
            ],
            linear_vars=[hp.q[i, p] for (i, p) in hp.IP if i in ground],
        ),
        doc="ground extraction of the chosen ground-source unit",
    )
    slopes = np.diff(sur.length_m) / np.diff(sur.extraction_W)
    b.convex = bool(np.all(np.diff(slopes) >= -1e-12))
    if not b.convex:
        b.S = pyo.RangeSet(0, k - 2, doc="surrogate segments")
        b.s = pyo.Var(
            b.S,
            domain=pyo.Binary,
            bounds=(0, 1),
            units=unit("1"),
            doc="1 on the active segment [1]",
        )
        b.one_segment = pyo.Constraint(expr=sum(b.s[j] for j in b.S) == 1)
        b.adjacent = pyo.Constraint(
            b.K,
            rule=lambda b, j: (
                b.lam[j] <= (b.s[j - 1] if j > 0 else 0) + (b.s[j] if j < k - 1 else 0)
            ),
            doc="only the two breakpoints of the active segment carry weight (SOS2)",
        )
    b.capital = pyo.Expression(expr=b.cost_per_m * b.length)


def add_noise_block(
    b: pyo.Block, data: SelectionData, choice: pyo.Block, adm: Admissibility
) -> None:
    """Receiver level of the chosen unit within the limit: ``y_i <= 0`` for every candidate
    whose level is above it (candidates with unassessed level are exempt).  The comparison is
    made on the data, exactly (:meth:`SelectionData.admissibility`)."""
    lv = data.candidates.receiver_level_dB
    assessed = [i for i in range(lv.size) if np.isfinite(lv[i])]
    _, units_, long_name = NOISE_BASES[data.noise_basis]
    b.level = pyo.Param(
        assessed,
        initialize={i: lv[i] for i in assessed},
        units=unit("1"),
        doc=f"{long_name} of candidate i [{units_}]",
    )
    b.limit_dB = pyo.Param(
        initialize=data.noise_limit_dB,
        units=unit("1"),
        doc="noise limit at the receiver [dB(A)]"
        if data.noise_basis == "level"
        else "allowed worst receiver margin [dB] (0: at the limits)",
    )
    add_exclusion(b, "limit", choice, adm.noise, "candidate above the noise limit is not chosen")


def add_gwp_block(b: pyo.Block, data: SelectionData, choice: pyo.Block, adm: Admissibility) -> None:
    """Refrigerant GWP of the chosen unit within the cap: ``y_i <= 0`` for every candidate above
    it (unknown GWP counts as above it)."""
    gwp = data.candidates.gwp
    cap = float(data.gwp_limit)
    vals = np.where(np.isfinite(gwp), gwp, cap + 1.0)
    b.gwp = pyo.Param(
        choice.I,
        initialize=dict(enumerate(vals)),
        units=unit("1"),
        doc="refrigerant GWP100 of candidate i [1]",
    )
    b.cap = pyo.Param(initialize=cap, units=unit("1"), doc="GWP cap [1]")
    add_exclusion(b, "limit", choice, adm.gwp, "candidate above the GWP cap is not chosen")


def build_selection_model(data: SelectionData) -> pyo.ConcreteModel:
    """Build (never solve) the selection and sizing MILP from :class:`SelectionData`.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Blocks ``choice``, ``hp``, ``backup`` and, when the data ask for them, ``borehole``,
        ``noise``, ``gwp``; constraint ``balance[p]``; objective ``annualised_cost`` [EUR/a].
    """
    per = data.periods
    m = pyo.ConcreteModel(name="selection")
    m.P = pyo.RangeSet(0, per.n - 1, doc="load periods (bins or hours)")
    m.demand = pyo.Param(
        m.P, initialize=dict(enumerate(per.load_W)), units=unit("W"), doc="heat demand [W]"
    )
    m.duration = pyo.Param(
        m.P,
        initialize=dict(enumerate(per.duration_s)),
        units=unit("s/year"),
        doc="time per year in the period [s/a]",
    )
    m.annuity = pyo.Param(
        initialize=data.annuity_factor_per_year,
        units=unit("1/year"),
        doc="capital recovery factor [1/a]",
    )
    bu = data.backup
    el_price = (
        data.electricity_price_EUR_per_J
        + data.carbon_price_EUR_per_kg * data.electricity_emission_kg_per_J
    )
    bu_price = bu.energy_price_EUR_per_J + data.carbon_price_EUR_per_kg * bu.emission_kg_per_J
    m.choice = pyo.Block()
    add_choice_block(m.choice, data)
    m.hp = pyo.Block()
    add_heat_pump_block(m.hp, data, m.choice)
    m.backup = pyo.Block()
    add_backup_block(m.backup, data)
    adm = data.admissibility()
    # unmet rest within LOAD_TOL_W that counts as met, for the candidates that leave one
    rest = per.load_W[None, :] - adm.served_load_W
    m.balance = pyo.Constraint(
        m.P,
        rule=lambda m, p: (
            sum(m.hp.q[i, p] for i in m.hp._by_period[p])
            + m.backup.u[p]
            + sum(float(rest[i, p]) * _u("W") * m.choice.y[i] for i in np.flatnonzero(rest[:, p]))
            == m.demand[p]
        ),
        doc="heat balance: load met in every period (a rest <= LOAD_TOL_W counts as met)",
    )
    add_exclusion(
        m,
        "capacity_short",
        m.choice,
        adm.capacity,
        "candidate that cannot meet a load even with the largest back-up is not chosen",
    )
    declare_family(
        m,
        "capacity",
        [m.balance, m.capacity_short],
        "allow more back-up: raise Backup.max_capacity_W, or add larger candidates",
    )
    capital = m.choice.capital + m.backup.capital
    if data.borehole is not None and data.candidates.ground_source.any():
        m.borehole = pyo.Block()
        add_borehole_block(m.borehole, data, m.hp)
        add_exclusion(
            m.borehole,
            "beyond_surrogate",
            m.choice,
            adm.borehole,
            "ground unit whose least ground load exceeds the surrogate is not chosen",
        )
        capital = capital + m.borehole.capital
        declare_family(
            m,
            "borehole",
            [m.borehole.def_x, m.borehole.beyond_surrogate],
            "extend BoreholeSurrogate.extraction_W to larger ground loads",
        )
    if data.noise_limit_dB is not None and np.isfinite(data.candidates.receiver_level_dB).any():
        m.noise = pyo.Block()
        add_noise_block(m.noise, data, m.choice, adm)
        declare_family(
            m,
            "noise",
            [m.noise.limit],
            f"raise noise_limit_dB={data.noise_limit_dB}, move the unit or add a barrier",
        )
    if data.gwp_limit is not None:
        m.gwp = pyo.Block()
        add_gwp_block(m.gwp, data, m.choice, adm)
        declare_family(
            m, "gwp", [m.gwp.limit], f"raise gwp_limit={data.gwp_limit} or add low-GWP candidates"
        )
    m.capital = pyo.Expression(expr=capital, doc="capital cost [EUR]")
    # energy cost: sum_p d_p (pi_e sum_i q_ip / COP_ip + pi_b u_p / eta) with the products of the
    # data folded into float coefficients [EUR/(W a)] (fast hand-over to HiGHS, see
    # docs/formulations.md "Speed")
    hp, eta = m.hp, bu.efficiency
    coefs = [per.duration_s[p] * el_price / hp._cop[i, p] for (i, p) in hp.IP]
    coefs += [per.duration_s[p] * bu_price / eta for p in range(per.n)]
    evars = [hp.q[i, p] for (i, p) in hp.IP] + [m.backup.u[p] for p in range(per.n)]
    m.energy_cost = pyo.Expression(
        expr=_u("EUR/(W*year)")
        * LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=evars),
        doc="annual energy and carbon cost [EUR/a]",
    )
    m.annualised_cost = pyo.Objective(
        expr=m.annuity * m.capital + m.energy_cost,
        sense=pyo.minimize,
        doc="annualised cost [EUR/a]",
    )
    return m


def solve_selection(data: SelectionData, *, time_limit_s: float | None = 60.0):
    """Build, solve and return ``(dataset, model, SolveResult)`` for the selection MILP."""
    import time

    t0 = time.perf_counter()
    m = build_selection_model(data)
    t_build = time.perf_counter() - t0
    res = solve(
        m,
        solver=make_solver(time_limit_s=time_limit_s, mip_rel_gap=1e-9, presolve=False),
        name="selection",
    )
    return selection_dataset(m, data, res, build_time_s=t_build), m, res


def selection_dataset(
    m: pyo.ConcreteModel,
    data: SelectionData,
    res: SolveResult,
    *,
    build_time_s: float = float("nan"),
):
    """The solved selection model as an :class:`xarray.Dataset` (dims ``candidate``, ``period``)."""
    import xarray as xr

    from formulations.results import base_attrs

    c, per = data.candidates, data.periods
    y = np.array([pyo.value(m.choice.y[i]) for i in range(c.n)])
    chosen = int(np.argmax(y))
    q_hp = np.array(
        [sum(pyo.value(m.hp.q[i, p]) for i in m.hp._by_period[p]) for p in range(per.n)]
    )
    u = np.array([pyo.value(m.backup.u[p]) for p in range(per.n)])
    p_el = np.array([pyo.value(m.hp.electric_power[p]) for p in range(per.n)])
    length = pyo.value(m.borehole.length) if hasattr(m, "borehole") else 0.0
    extraction = pyo.value(m.borehole.extraction) if hasattr(m, "borehole") else 0.0
    v = lambda x, units, ln, dims=(): (dims, x, {"units": units, "long_name": ln})  # noqa: E731
    ds = xr.Dataset(
        {
            "selected": v(y > 0.5, "1", "candidate chosen by the MILP", ("candidate",)),
            "capital_cost": v(
                c.capital_cost_EUR, "EUR", "installed cost of the candidate", ("candidate",)
            ),
            NOISE_BASES[data.noise_basis][0]: v(
                c.receiver_level_dB, *NOISE_BASES[data.noise_basis][1:], ("candidate",)
            ),
            "gwp": v(c.gwp, "1", "refrigerant GWP100", ("candidate",)),
            "heat_demand": v(per.load_W, "W", "heat demand", ("period",)),
            "heat_pump_heat": v(q_hp, "W", "heat from the heat pump", ("period",)),
            "backup_heat": v(
                u, "W", f"heat from the back-up ({data.backup.kind.value})", ("period",)
            ),
            "heat_pump_electric_power": v(p_el, "W", "heat-pump electric power", ("period",)),
            "backup_capacity": v(pyo.value(m.backup.capacity), "W", "installed back-up capacity"),
            "borehole_length": v(length, "m", "total borehole length"),
            "ground_extraction": v(extraction, "W", "annual-mean heat extraction from the ground"),
            "annualised_cost": v(res.objective, "EUR/a", "annualised cost (objective)"),
            "capital": v(pyo.value(m.capital), "EUR", "capital cost of the chosen system"),
            "energy_cost": v(pyo.value(m.energy_cost), "EUR/a", "annual energy and carbon cost"),
        },
        coords={
            "candidate": ("candidate", c.name, {"units": "1", "long_name": "candidate heat pump"}),
            "period": (
                "period",
                np.arange(per.n),
                {"units": "1", "long_name": "load period index"},
            ),
            "t_outdoor": (
                "period",
                per.t_outdoor_K,
                {"units": "K", "long_name": "outdoor temperature"},
            ),
            "duration": (
                "period",
                per.duration_s,
                {"units": "s/a", "long_name": "time per year in the period"},
            ),
        },
        attrs=base_attrs(m, res, build_time_s=build_time_s)
        | {"selected_name": str(c.name[chosen]), "selected_index": chosen, "periods": per.label},
    )
    return ds

"""Tiny instances of every formulation with independent reference optima, for contract tests.

Each :class:`TinyCase` carries a small data object, the builder, the expected model size and a
reference optimum computed *without* the formulation: by enumerating the discrete choices and
solving what remains in closed form or with :func:`scipy.optimize.linprog` on an explicitly
written matrix.  ``tests/test_formulations_contract.py`` runs every case through the same checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from formulations.data import (
    SECONDS_PER_YEAR,
    Backup,
    BoreholeSurrogate,
    Candidates,
    DesignSpace,
    DispatchData,
    Periods,
    SelectionData,
    Storage,
    per_kWh,
)
from formulations.results import ModelSize

__all__ = [
    "TinyCase",
    "tiny_selection_data",
    "tiny_dispatch_data",
    "tiny_storage_dispatch_data",
    "tiny_design_space",
    "reference_selection",
    "reference_dispatch",
    "tiny_cases",
]


@dataclass(frozen=True)
class TinyCase:
    """A tiny instance: data, builder, expected size and the reference optimum."""

    name: str
    data: object
    build: Callable
    expected_size: ModelSize
    reference_objective: float
    objective_name: str


def tiny_selection_data(
    *, noise_limit_dB: float | None = 45.0, gwp_limit: float | None = 700.0
) -> SelectionData:
    """Three candidates (two air, one ground), three bins, electric back-up, concave borehole
    surrogate (so its segment binaries are needed).

    Candidate "air-loud" is cheapest but 47.0 dB(A) at the receiver; "air-r410a" uses a refrigerant
    of GWP 2088; the limits (45 dB(A), GWP 700) leave "air-ok" and "ground".
    """
    periods = Periods(
        t_outdoor_K=np.array([263.15, 275.15, 283.15]),
        duration_s=np.array([200.0, 1500.0, 2500.0]) * 3600.0,
        load_W=np.array([8000.0, 5000.0, 2000.0]),
        label="tiny bins",
    )
    cand = Candidates(
        name=["air-loud", "air-r410a", "air-ok", "ground"],
        capital_cost_EUR=[6000.0, 7000.0, 9000.0, 11000.0],
        heat_capacity_W=[
            [6000.0, 7000.0, 8000.0],
            [7000.0, 8000.0, 9000.0],
            [6500.0, 7500.0, 8500.0],
            [0.0, 6000.0, 6000.0],  # cannot run in the coldest bin (below its TOL)
        ],
        cop=[[2.2, 3.2, 4.2], [2.5, 3.5, 4.5], [2.4, 3.4, 4.4], [4.0, 4.5, 4.8]],
        receiver_level_dB=[47.0, 40.0, 42.0, np.nan],
        gwp=[3.0, 2088.0, 675.0, 3.0],
        ground_source=[False, False, False, True],
    )
    return SelectionData(
        periods=periods,
        candidates=cand,
        backup=Backup(
            cost_per_W_EUR=0.03, energy_price_EUR_per_J=per_kWh(0.30), max_capacity_W=10000.0
        ),
        electricity_price_EUR_per_J=per_kWh(0.30),
        annuity_factor_per_year=0.08,
        noise_limit_dB=noise_limit_dB,
        gwp_limit=gwp_limit,
        borehole=BoreholeSurrogate(
            extraction_W=[0.0, 1000.0, 2000.0, 4000.0],
            length_m=[0.0, 80.0, 130.0, 200.0],
            cost_per_m_EUR=10.0,
        ),
    )


def reference_selection(data: SelectionData) -> tuple[float, int]:
    """Optimum of the selection problem by enumeration: for every admissible candidate and every
    borehole segment, the remaining LP (heat-pump and back-up output, back-up capacity, ground
    load) is solved with :func:`scipy.optimize.linprog`.  Returns (cost [EUR/a], candidate).

    Admissible and the heat to serve are :meth:`SelectionData.admissibility` (exact comparisons,
    unmet heat up to :data:`formulations.data.LOAD_TOL_W` counts as met), the same rules the
    MILP applies; the LP of an admissible candidate is then feasible without any tolerance."""
    from scipy.optimize import linprog

    c, per, bu = data.candidates, data.periods, data.backup
    p = per.n
    el = (
        data.electricity_price_EUR_per_J
        + data.carbon_price_EUR_per_kg * data.electricity_emission_kg_per_J
    )
    pb = (
        bu.energy_price_EUR_per_J + data.carbon_price_EUR_per_kg * bu.emission_kg_per_J
    ) / bu.efficiency
    crf = data.annuity_factor_per_year
    adm = data.admissibility()  # the stated rules both sides share (capacity, noise, GWP, ground)
    best = (np.inf, -1)
    for i in range(c.n):
        if not adm.admissible[i]:
            continue
        cap = np.minimum(c.heat_capacity_W[i], per.load_W)
        sur = data.borehole
        segments = range(sur.extraction_W.size - 1) if c.ground_source[i] else [None]
        for k in segments:
            # x = [q_0..q_{p-1}, u_0..u_{p-1}, B, X]
            cost = np.concatenate(
                [
                    per.duration_s * el / c.cop[i],
                    per.duration_s * np.full(p, pb),
                    [crf * bu.cost_per_W_EUR],
                    [0.0],
                ]
            )
            const = crf * c.capital_cost_EUR[i]
            a_eq = np.zeros((p + 1, 2 * p + 2))
            b_eq = np.zeros(p + 1)
            a_eq[np.arange(p), np.arange(p)] = 1.0
            a_eq[np.arange(p), p + np.arange(p)] = 1.0
            b_eq[:p] = adm.served_load_W[i]
            a_eq[p, -1] = 1.0
            bx = (0.0, 0.0)
            if k is not None:
                a_eq[p, :p] = -per.duration_s / SECONDS_PER_YEAR * (1.0 - 1.0 / c.cop[i])
                x0, x1 = sur.extraction_W[k], sur.extraction_W[k + 1]
                l0, l1 = sur.length_m[k], sur.length_m[k + 1]
                slope = (l1 - l0) / (x1 - x0)
                cost[-1] = crf * sur.cost_per_m_EUR * slope
                const += crf * sur.cost_per_m_EUR * (l0 - slope * x0)
                bx = (x0, x1)
            a_ub = np.zeros((p, 2 * p + 2))
            a_ub[np.arange(p), p + np.arange(p)] = 1.0
            a_ub[:, 2 * p] = -1.0
            bounds = [(0.0, cap[j]) for j in range(p)] + [(0.0, bu.max_capacity_W)] * (p + 1) + [bx]
            r = linprog(
                cost,
                A_ub=a_ub,
                b_ub=np.zeros(p),
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=bounds,
                method="highs",
            )
            if r.status == 0 and r.fun + const < best[0]:
                best = (float(r.fun + const), i)
    return best


def tiny_dispatch_data() -> DispatchData:
    """Four hours; the heat pump is cheaper in hours 0, 2, 3 and limited in hour 3; the evening
    tariff (hour 1) makes the boiler cheaper there."""
    return DispatchData(
        t_outdoor_K=np.array([270.15, 272.15, 278.15, 283.15]),
        heat_demand_W=np.array([6000.0, 5000.0, 3000.0, 4000.0]),
        hp_cop=np.array([2.5, 2.7, 3.5, 4.0]),
        hp_capacity_W=np.array([7000.0, 7000.0, 7000.0, 2500.0]),
        boiler_capacity_W=10000.0,
        boiler_efficiency=0.9,
        electricity_price_EUR_per_J=per_kWh(np.array([0.25, 0.45, 0.25, 0.25])),
        gas_price_EUR_per_J=per_kWh(0.10),
        carbon_price_EUR_per_kg=0.1,
        electricity_emission_kg_per_J=per_kWh(0.3),
        gas_emission_kg_per_J=per_kWh(0.2),
    )


def tiny_storage_dispatch_data() -> DispatchData:
    """Two hours with a lossless 2 kWh buffer: cheap electricity in hour 0, dear in hour 1.

    By hand: heat-pump heat costs 0.10/4 = 0.025 EUR/kWh in hour 0 and 0.60/4 = 0.15 in hour 1;
    boiler heat 0.09/0.9 = 0.10 EUR/kWh.  Hour 0 makes its own 3 kWh plus 2 kWh for hour 1
    (5 kWh <= 6 kW capacity), hour 1's other 2 kWh come from the boiler:
    5 x 0.025 + 2 x 0.10 = 0.325 EUR.
    """
    return DispatchData(
        t_outdoor_K=np.array([275.15, 275.15]),
        heat_demand_W=np.array([3000.0, 4000.0]),
        hp_cop=np.array([4.0, 4.0]),
        hp_capacity_W=np.array([6000.0, 6000.0]),
        boiler_capacity_W=10000.0,
        boiler_efficiency=0.9,
        electricity_price_EUR_per_J=per_kWh(np.array([0.10, 0.60])),
        gas_price_EUR_per_J=per_kWh(0.09),
        storage=Storage(capacity_J=2 * 3.6e6),
    )


def reference_dispatch(data: DispatchData) -> float:
    """Optimum of the storage-free dispatch LP in closed form: every hour independently, the
    cheaper generator first up to its capacity, the other for the rest [EUR]."""
    c_hp, c_b = data.hp_cost_per_J_heat(), data.boiler_cost_per_J_heat()
    d = data.heat_demand_W
    hp_first = c_hp <= c_b
    q = np.where(
        hp_first, np.minimum(d, data.hp_capacity_W), np.maximum(d - data.boiler_capacity_W, 0.0)
    )
    g = d - q
    return float(data.step_s * np.sum(q * c_hp + g * c_b))


def tiny_design_space() -> DesignSpace:
    """Seven designs, one infeasible (it would dominate everything).

    Front by hand (capital, lifetime): (100, 500), (150, 400), (300, 250); design (200, 450) is
    dominated by (150, 400), (350, 260) by (300, 250), (160, 400) by (150, 400).
    """
    return DesignSpace(
        capital_cost_EUR=[100.0, 150.0, 200.0, 300.0, 350.0, 160.0, 50.0],
        lifetime_cost_EUR=[500.0, 400.0, 450.0, 250.0, 260.0, 400.0, 100.0],
        feasible=[True, True, True, True, True, True, False],
        variables={"size": np.arange(7.0)},
    )


def tiny_cases() -> list[TinyCase]:
    """All tiny instances with expected model sizes (counted by hand, see comments)."""
    from formulations.dispatch import build_dispatch_model
    from formulations.epsilon import build_epsilon_model
    from formulations.selection import build_selection_model

    sel = tiny_selection_data()
    disp = tiny_dispatch_data()
    st = tiny_storage_dispatch_data()
    space = tiny_design_space()
    return [
        TinyCase(
            name="selection",
            data=sel,
            build=build_selection_model,
            # vars: y 4 + q 11 (12 pairs, ground cannot run in bin 0) + backup capacity 1 + u 3
            #       + borehole lam 4, extraction 1, length 1, segment binaries 3          = 28
            # binaries: y 4 + s 3                                                          = 7
            # cons: one 1 + on 11 + limit 3 + balance 3 + borehole (sum_lam, def_x, def_l, load) 4
            #       + one_segment 1 + adjacent 4 + noise 1 + gwp 1                         = 29
            # equalities: one, balance 3, borehole 4, one_segment                          = 9
            expected_size=ModelSize(n_variables=28, n_binaries=7, n_constraints=29, n_equalities=9),
            reference_objective=reference_selection(sel)[0],
            objective_name="annualised_cost",
        ),
        TinyCase(
            name="dispatch",
            data=disp,
            build=build_dispatch_model,
            # vars: q 4 + g 4; cons: balance 4 (equalities)
            expected_size=ModelSize(n_variables=8, n_binaries=0, n_constraints=4, n_equalities=4),
            reference_objective=reference_dispatch(disp),
            objective_name="cost",
        ),
        TinyCase(
            name="dispatch-storage",
            data=st,
            build=build_dispatch_model,
            # vars: q 2 + g 2 + s 2; cons: storage balance 2
            expected_size=ModelSize(n_variables=6, n_binaries=0, n_constraints=2, n_equalities=2),
            reference_objective=0.325,
            objective_name="cost",
        ),
        TinyCase(
            name="epsilon",
            data=space,
            build=lambda s: build_epsilon_model(s, epsilon_EUR=420.0),
            # vars: x for the 6 feasible designs; cons: one + lifetime_bound (capital_bound inactive)
            # optimum at ε = 420: cheapest design with lifetime <= 420 is (150, 400)
            expected_size=ModelSize(n_variables=6, n_binaries=6, n_constraints=2, n_equalities=1),
            reference_objective=150.0,
            objective_name="min_capital",
        ),
    ]

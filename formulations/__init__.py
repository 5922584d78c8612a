"""Pyomo + HiGHS formulations of designopt: they consume precomputed data, never CoolProp.

Modules
-------
data
    Frozen dataclasses the builders take (periods, candidates, prices, design spaces) and loaders
    (e.g. :func:`formulations.data.candidates_from_hplib`).
selection
    Selection and sizing MILP: one heat pump from many, back-up size, borehole length.
dispatch
    Hybrid heat pump + boiler dispatch LP (Pyomo builder and a direct highspy fast path),
    compared with switchover-temperature rules.
epsilon
    Exact ε-constraint Pareto fronts over discretised design spaces, and front comparison
    (weak dominance, exact 2-D hypervolume).
solve
    The one solve wrapper (HiGHS through ``pyomo.contrib.solver``), termination enum, errors.
case_data
    Formulation data from a case file (EN 14825 bins, hplib / Keymark / study candidates,
    hourly weather, borehole surrogates from sizing runs, design tables).
results, plots
    Model sizes and Dataset attributes; figures of fronts and dispatch.
testing
    Tiny instances with independent reference optima (the contract tests use them).

Every builder is ``build_<name>_model(data) -> pyomo.environ.ConcreteModel`` and never solves;
see ``docs/formulations.md``.  Importing this package does not import Pyomo; the submodules do.
"""

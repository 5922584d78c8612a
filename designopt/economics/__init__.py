"""Economics and emissions: capital cost, lifetime cost, refrigerant charge, CO2/TEWI.

Pure, vectorised functions taking plain numbers or numpy arrays (one entry per design); no
CoolProp and no other designopt physics module is imported here. See ``docs/economics.md``.
"""

from designopt.economics.capital import (
    DEFAULT_COST_FILE,
    CapitalCost,
    CostCurve,
    CostTable,
    HeatExchangerType,
    capital_cost,
    load_cost_table,
)
from designopt.economics.charge import (
    INTERNAL_VOLUME_PER_AREA,
    LFL_KG_M3,
    ChargeEstimate,
    charge_constraint,
    charge_limit,
    internal_volume,
    lfl_of,
    mean_two_phase_density,
    refrigerant_charge,
    typical_charge_kg,
)
from designopt.economics.emissions import (
    FALLBACK_GWP_AR4,
    Tewi,
    gwp_cap_constraint,
    gwp_of,
    indirect_emissions_from_series,
    tewi,
)
from designopt.economics.lifetime import (
    LifetimeCost,
    annual_energy_cost,
    capital_recovery_factor,
    energy_cost_from_series,
    lifetime_cost,
    present_worth_factor,
    time_of_use_price,
)

__all__ = [
    "DEFAULT_COST_FILE",
    "FALLBACK_GWP_AR4",
    "INTERNAL_VOLUME_PER_AREA",
    "LFL_KG_M3",
    "CapitalCost",
    "ChargeEstimate",
    "CostCurve",
    "CostTable",
    "HeatExchangerType",
    "LifetimeCost",
    "Tewi",
    "annual_energy_cost",
    "capital_cost",
    "capital_recovery_factor",
    "charge_constraint",
    "charge_limit",
    "energy_cost_from_series",
    "gwp_cap_constraint",
    "gwp_of",
    "indirect_emissions_from_series",
    "internal_volume",
    "lfl_of",
    "lifetime_cost",
    "load_cost_table",
    "mean_two_phase_density",
    "present_worth_factor",
    "refrigerant_charge",
    "tewi",
    "time_of_use_price",
    "typical_charge_kg",
]

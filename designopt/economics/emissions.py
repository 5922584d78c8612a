"""CO2-equivalent emissions: TEWI, hourly grid factors, GWP policy constraint.

TEWI (Total Equivalent Warming Impact), following the BRA/AIRAH guideline *Methods of
calculating Total Equivalent Warming Impact (TEWI)* (British Refrigeration Association 2006;
AIRAH 2012 best-practice guideline, same formula) and EN 378-1:2016 Annex B:

.. math::

    \\mathrm{TEWI} = \\underbrace{\\mathrm{GWP}\\, L\\, n}_{\\text{leakage}}
    + \\underbrace{\\mathrm{GWP}\\, m\\, (1-\\alpha_\\mathrm{recovery})}_{\\text{end of life}}
    + \\underbrace{n\\, E_\\mathrm{annual}\\, \\beta}_{\\text{energy}}

with L = annual leakage [kg/year] = leak rate × charge m, n the lifetime [year], E the annual
energy [kWh/year] and β its emission factor [kg CO2e/kWh]. Gas burnt by a hybrid boiler is added
to the energy term with its own factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from designopt._check import real
from designopt.errors import ConfigurationError

#: Fallback 100-year GWPs [kg CO2e/kg], IPCC AR4 values as listed in Regulation (EU) 517/2014
#: Annexes I and IV (mixtures by mass-weighted sum). Used only for refrigerants that
#: ``designopt.refrigerants`` does not list. R1270 (propene) from IPCC AR4 Table 2.14 is given as 2 [U]; R454B/R454C
#: are mass-weighted AR4 sums [U].
FALLBACK_GWP_AR4: dict[str, float] = {
    "R290": 3.0,
    "R600A": 3.0,
    "R1270": 2.0,
    "R744": 1.0,
    "R717": 0.0,
    "R32": 675.0,
    "R410A": 2088.0,
    "R134A": 1430.0,
    "R454B": 466.0,
    "R454C": 148.0,
    "R1234YF": 4.0,
    "R1234ZE(E)": 7.0,
}


def gwp_of(refrigerant: str) -> float:
    """100-year GWP (AR4 basis, F-gas Regulation) [kg CO2e/kg] of a refrigerant.

    Uses the catalogue :mod:`designopt.refrigerants` (``gwp100``) and, for refrigerants it does
    not list, :data:`FALLBACK_GWP_AR4`. Raises ConfigurationError for an unknown name.
    """
    from designopt import refrigerants as _ref

    try:
        return float(_ref.get(refrigerant).gwp100)
    except ConfigurationError:
        pass
    key = str(refrigerant).upper()
    if key not in FALLBACK_GWP_AR4:
        raise ConfigurationError(
            f"refrigerant={refrigerant!r} has no GWP here; known: {sorted(FALLBACK_GWP_AR4)}; "
            "pass gwp= explicitly"
        )
    return FALLBACK_GWP_AR4[key]


@dataclass(frozen=True)
class Tewi:
    """TEWI breakdown over the lifetime [kg CO2e]; arrays broadcast over designs.

    Attributes
    ----------
    leakage : GWP·L·n;  end_of_life : GWP·m·(1 − α);  electricity : n·E·β;  gas : n·G·β_gas
    total : sum of the four;  annual : total / n [kg CO2e/year]
    """

    leakage: np.ndarray
    end_of_life: np.ndarray
    electricity: np.ndarray
    gas: np.ndarray
    total: np.ndarray
    annual: np.ndarray

    @property
    def direct(self) -> np.ndarray:
        """Refrigerant-related part (leakage + end of life) [kg CO2e]."""
        return self.leakage + self.end_of_life

    @property
    def indirect(self) -> np.ndarray:
        """Energy-related part [kg CO2e]."""
        return self.electricity + self.gas


def _arr(name: str, value: Any, lo: float | None = 0.0, hi: float | None = None) -> Any:
    return real(name, value, lo=lo, hi=hi)


def tewi(
    *,
    charge_kg: Any,
    gwp: Any,
    lifetime_years: Any,
    annual_electricity_kWh: Any,
    grid_factor_kg_per_kWh: Any,
    annual_leak_rate: Any = 0.03,
    recovery_fraction: Any = 0.7,
    annual_gas_kWh: Any = 0.0,
    gas_factor_kg_per_kWh: Any = 0.18293,
    annual_indirect_electricity_kg: Any = None,
) -> Tewi:
    """Total Equivalent Warming Impact of designs [kg CO2e].

    Parameters
    ----------
    charge_kg : refrigerant charge m [kg]; gwp : its 100-year GWP [kg CO2e/kg].
    lifetime_years : n [year].
    annual_electricity_kWh : E [kWh/year]; grid_factor_kg_per_kWh : β [kg CO2e/kWh].
    annual_leak_rate : leaked fraction of the charge per year [1/year]. Default 0.03 is a
        designopt assumption [A] for factory-sealed monobloc units; BRA/AIRAH tabulate higher
        rates for site-assembled systems.
    recovery_fraction : α, fraction recovered at end of life [1]; default 0.7 [A].
    annual_gas_kWh, gas_factor_kg_per_kWh : hybrid boiler gas [kWh/year] and its factor
        (default 0.18293 kg/kWh, UK DESNZ 2023 natural gas, gross CV [U]).
    annual_indirect_electricity_kg : if given (e.g. from :func:`indirect_emissions_from_series`
        with an hourly grid factor), replaces E·β [kg CO2e/year].

    Examples
    --------
    >>> t = tewi(charge_kg=1.0, gwp=675.0, lifetime_years=15, annual_electricity_kWh=2000.0,
    ...          grid_factor_kg_per_kWh=0.2, annual_leak_rate=0.05, recovery_fraction=0.7)
    >>> round(float(t.total), 2)
    6708.75
    """
    m = _arr("charge_kg", charge_kg)
    g = _arr("gwp", gwp)
    n = real("lifetime_years", lifetime_years, lo=0.0, lo_open=True)
    leak = _arr("annual_leak_rate", annual_leak_rate, 0.0, 1.0)
    alpha = _arr("recovery_fraction", recovery_fraction, 0.0, 1.0)
    if annual_indirect_electricity_kg is None:
        e_kg = _arr("annual_electricity_kWh", annual_electricity_kWh) * _arr(
            "grid_factor_kg_per_kWh", grid_factor_kg_per_kWh
        )
    else:
        e_kg = _arr("annual_indirect_electricity_kg", annual_indirect_electricity_kg)
    gas_kg = _arr("annual_gas_kWh", annual_gas_kWh) * _arr(
        "gas_factor_kg_per_kWh", gas_factor_kg_per_kWh
    )
    leakage = g * leak * m * n
    eol = g * m * (1.0 - alpha)
    electricity = n * e_kg
    gas = n * gas_kg
    total = leakage + eol + electricity + gas
    return Tewi(
        leakage=leakage,
        end_of_life=eol,
        electricity=electricity,
        gas=gas,
        total=total,
        annual=total / n,
    )


def indirect_emissions_from_series(
    power_W: Any, grid_factor_kg_per_kWh: Any, *, timestep_h: float = 1.0
) -> np.ndarray:
    """Annual emissions of an electricity series under an hourly (or constant) grid factor.

    Σ_t P_t·Δt·β_t / 1000 over the last axis [kg CO2e per series length].
    """
    p = np.asarray(power_W, dtype=float)
    b = np.asarray(grid_factor_kg_per_kWh, dtype=float)
    if not timestep_h > 0:
        raise ConfigurationError(f"timestep_h={timestep_h} must be > 0")
    if np.any(p < 0) or np.any(b < 0):
        raise ConfigurationError("power_W and grid_factor_kg_per_kWh must be >= 0 at every step")
    return np.sum(p * b, axis=-1) * timestep_h / 1000.0


def gwp_cap_constraint(gwp: Any, gwp_cap: Any, *, scaled: bool = False) -> np.ndarray:
    """F-gas style GWP ban as an optimiser constraint: ``gwp − cap`` (≤ 0 passes).

    With ``scaled=True`` returns ``(gwp − cap)/max(cap, 1)`` so constraints of different kinds
    are comparable (designopt's convention for the search).

    >>> gwp_cap_constraint(675.0, 150.0).item(), gwp_cap_constraint(3.0, 150.0).item()
    (525.0, -147.0)
    """
    g = _arr("gwp", gwp)
    cap = _arr("gwp_cap", gwp_cap)
    c = g - cap
    return c / np.maximum(cap, 1.0) if scaled else c

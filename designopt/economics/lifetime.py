"""Lifetime cost: energy bills, discounting, net present cost, annualised cost, LCOH.

Conventions (standard engineering-economics, e.g. Short W., Packey D.J., Holt T. (1995)
*A Manual for the Economic Evaluation of Energy Efficiency and Renewable Energy Technologies*,
NREL/TP-462-5173, chapters 4-5):

- costs are in real or nominal terms consistently with ``discount_rate``; the capital is spent at
  t = 0, annual costs at the end of years 1..N;
- an annual cost growing at ``escalation`` g has present worth
  :math:`A\\sum_{t=1}^{N} ((1+g)/(1+r))^t` (:func:`present_worth_factor`);
- capital recovery factor :math:`\\mathrm{CRF} = r(1+r)^N/((1+r)^N-1)`;
- annualised cost = NPC·CRF; levelised cost of heat LCOH = NPC / Σ_t Q_t/(1+r)^t.

All functions broadcast over numpy arrays (one entry per design).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from designopt._check import real, select
from designopt.errors import ConfigurationError

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.0


def _arr(name: str, value: Any, *, lo: float | None = None, hi: float | None = None) -> Any:
    return real(name, value, lo=lo, hi=hi)


def _check_rate_life(discount_rate: Any, lifetime_years: Any) -> tuple[Any, Any]:
    r = real("discount_rate", discount_rate, lo=-0.5, hi=1.0)
    n = real("lifetime_years", lifetime_years, lo=0.0, lo_open=True)
    return r, n


def capital_recovery_factor(discount_rate: Any, lifetime_years: Any) -> np.ndarray:
    """Capital recovery factor CRF = r(1+r)^N / ((1+r)^N − 1) [1/year]; 1/N at r = 0.

    >>> round(float(capital_recovery_factor(0.05, 20)), 6)
    0.080243
    """
    r, n = _check_rate_life(discount_rate, lifetime_years)
    small = abs(r) < 1e-12
    rs = select(small, 1.0, r)
    g = (1.0 + rs) ** n
    return select(small, 1.0 / n, rs * g / (g - 1.0))


def present_worth_factor(
    discount_rate: Any, lifetime_years: Any, escalation: Any = 0.0
) -> np.ndarray:
    """Present worth of 1 per year (end of years 1..N) escalating at ``escalation`` [year].

    PWF = Σ_{t=1}^{N} k^t with k = (1+g)/(1+r) = k(1 − k^N)/(1 − k), N if k = 1.
    With g = 0 this is 1/CRF.
    """
    r, n = _check_rate_life(discount_rate, lifetime_years)
    g = _arr("escalation", escalation, lo=-0.5, hi=1.0)
    return _pwf(r, n, g)


def _pwf(r: Any, n: Any, g: Any) -> Any:
    """Unchecked :func:`present_worth_factor`."""
    k = (1.0 + g) / (1.0 + r)
    near = abs(k - 1.0) < 1e-12
    ks = select(near, 0.5, k)
    return select(near, n + 0.0 * k, ks * (1.0 - ks**n) / (1.0 - ks))


def time_of_use_price(hour_of_day: Any, bands: Sequence[tuple[float, float, float]]) -> np.ndarray:
    """Price for each hour from time-of-use bands.

    Parameters
    ----------
    hour_of_day : hour of day in [0, 24) for each time step [h].
    bands : ``[(start_h, end_h, price_per_kWh), ...]``; a band with start > end wraps past
        midnight. Every hour must be covered by exactly one band.

    Returns
    -------
    ndarray of price per kWh, same shape as ``hour_of_day``.

    >>> time_of_use_price([1, 12, 23], [(7, 23, 0.30), (23, 7, 0.10)]).tolist()
    [0.1, 0.3, 0.1]
    """
    h = np.asarray(hour_of_day, dtype=float) % 24.0
    price = np.full(h.shape, np.nan)
    hits = np.zeros(h.shape, dtype=int)
    for start, end, p in bands:
        if start <= end:
            m = (h >= start) & (h < end)
        else:
            m = (h >= start) | (h < end)
        price = np.where(m, p, price)
        hits += m
    if np.any(hits != 1):
        bad = np.unique(h[hits != 1])[:5]
        raise ConfigurationError(
            f"time-of-use bands={bands!r} must cover every hour exactly once; hours {bad.tolist()} "
            "are covered by zero or several bands"
        )
    return price


def energy_cost_from_series(
    power_W: Any, price_per_kWh: Any, *, timestep_h: float = 1.0
) -> np.ndarray:
    """Energy cost of a power series under a price series (hourly or any fixed step).

    Parameters
    ----------
    power_W : electric (or gas) power drawn, last axis = time [W].
    price_per_kWh : price for each step (broadcast against ``power_W``) [currency/kWh].
    timestep_h : length of a step [h].

    Returns
    -------
    ndarray: Σ_t P_t·Δt·price_t [currency], reduced over the last axis.
    """
    p = np.asarray(power_W, dtype=float)
    c = np.asarray(price_per_kWh, dtype=float)
    if not timestep_h > 0:
        raise ConfigurationError(f"timestep_h={timestep_h} must be > 0")
    if np.any(p < 0):
        raise ConfigurationError("power_W must be >= 0 at every step")
    return np.sum(p * c, axis=-1) * timestep_h / 1000.0


def annual_energy_cost(
    *,
    annual_electricity_kWh: Any = 0.0,
    electricity_price_per_kWh: Any = 0.0,
    annual_gas_kWh: Any = 0.0,
    gas_price_per_kWh: Any = 0.0,
    electricity_standing_charge_per_day: Any = 0.0,
    gas_standing_charge_per_day: Any = 0.0,
    gas_connected: Any = None,
) -> dict[str, np.ndarray]:
    """First-year energy cost with flat prices and standing charges [currency/year].

    The gas standing charge is paid where ``gas_connected`` (default: ``annual_gas_kWh > 0``),
    so an all-electric design saves it. For hourly or time-of-use prices compute the variable
    part with :func:`energy_cost_from_series` and pass it to :func:`lifetime_cost` as
    ``annual_electricity_cost``.
    """
    e = _arr("annual_electricity_kWh", annual_electricity_kWh, lo=0.0)
    g = _arr("annual_gas_kWh", annual_gas_kWh, lo=0.0)
    pe = _arr("electricity_price_per_kWh", electricity_price_per_kWh)
    pg = _arr("gas_price_per_kWh", gas_price_per_kWh)
    se = _arr("electricity_standing_charge_per_day", electricity_standing_charge_per_day, lo=0.0)
    sg = _arr("gas_standing_charge_per_day", gas_standing_charge_per_day, lo=0.0)
    conn = g > 0 if gas_connected is None else np.asarray(gas_connected, dtype=bool)[()]
    elec = e * pe + se * DAYS_PER_YEAR
    gas = g * pg + conn * (sg * DAYS_PER_YEAR)
    return {"electricity": elec, "gas": gas, "total": elec + gas}


@dataclass(frozen=True)
class LifetimeCost:
    """Lifetime cost of designs [currency]; arrays broadcast over designs.

    Attributes
    ----------
    npc : net present cost = capital + Σ present worth of the annual items [currency]
    annualised : npc · CRF [currency/year]
    lcoh : levelised cost of heat [currency/kWh] (NaN if no heat was given)
    present_worth : present worth of each item (capital, electricity, gas, maintenance,
        replacement, carbon) [currency]
    crf : capital recovery factor [1/year]
    """

    npc: np.ndarray
    annualised: np.ndarray
    lcoh: np.ndarray
    present_worth: dict[str, np.ndarray]
    crf: np.ndarray


def lifetime_cost(
    *,
    capital: Any,
    discount_rate: Any,
    lifetime_years: Any,
    annual_electricity_kWh: Any = 0.0,
    electricity_price_per_kWh: Any = 0.0,
    annual_electricity_cost: Any = None,
    annual_gas_kWh: Any = 0.0,
    gas_price_per_kWh: Any = 0.0,
    electricity_standing_charge_per_day: Any = 0.0,
    gas_standing_charge_per_day: Any = 0.0,
    gas_connected: Any = None,
    electricity_escalation: Any = 0.0,
    gas_escalation: Any = 0.0,
    maintenance_per_year: Any = 0.0,
    maintenance_fraction_of_capital: Any = 0.0,
    replacement_cost: Any = 0.0,
    replacement_interval_years: float | None = None,
    annual_co2_kg: Any = 0.0,
    carbon_price_per_t: Any = 0.0,
    carbon_price_escalation: Any = 0.0,
    annual_heat_kWh: Any = None,
) -> LifetimeCost:
    """Net present cost, annualised cost and levelised cost of heat.

    Parameters
    ----------
    capital : capital cost at t = 0, after subsidies [currency].
    discount_rate : discount rate r [1/year]; lifetime_years : N [year].
    annual_electricity_kWh, electricity_price_per_kWh : flat-price electricity [kWh/year],
        [currency/kWh].
    annual_electricity_cost : first-year variable electricity cost [currency/year] from an
        hourly or time-of-use tariff (:func:`energy_cost_from_series`); replaces the flat price.
    annual_gas_kWh, gas_price_per_kWh : gas use and price (hybrid systems).
    electricity_standing_charge_per_day, gas_standing_charge_per_day : [currency/day]; gas only
        where ``gas_connected`` (default ``annual_gas_kWh > 0``).
    electricity_escalation, gas_escalation : annual price escalation g [1/year].
    maintenance_per_year : fixed maintenance [currency/year];
        maintenance_fraction_of_capital : plus this fraction of ``capital`` per year.
    replacement_cost, replacement_interval_years : cost [currency] spent at every multiple of the
        interval strictly inside the lifetime (e.g. a compressor at year 12 of 20).
    annual_co2_kg, carbon_price_per_t, carbon_price_escalation : carbon cost policy knob
        [kg/year], [currency/t], [1/year].
    annual_heat_kWh : heat delivered [kWh/year], for the LCOH.

    Returns
    -------
    LifetimeCost

    Examples
    --------
    >>> lc = lifetime_cost(capital=10000.0, discount_rate=0.05, lifetime_years=20,
    ...                    annual_electricity_kWh=3000.0, electricity_price_per_kWh=0.30,
    ...                    annual_heat_kWh=10000.0)
    >>> round(float(lc.npc))
    21216
    """
    r, n = _check_rate_life(discount_rate, lifetime_years)
    cap = _arr("capital", capital, lo=0.0)
    energy = annual_energy_cost(
        annual_electricity_kWh=annual_electricity_kWh,
        electricity_price_per_kWh=electricity_price_per_kWh,
        annual_gas_kWh=annual_gas_kWh,
        gas_price_per_kWh=gas_price_per_kWh,
        electricity_standing_charge_per_day=electricity_standing_charge_per_day,
        gas_standing_charge_per_day=gas_standing_charge_per_day,
        gas_connected=gas_connected,
    )
    elec_year1 = energy["electricity"]
    if annual_electricity_cost is not None:
        se = _arr("electricity_standing_charge_per_day", electricity_standing_charge_per_day)
        elec_year1 = _arr("annual_electricity_cost", annual_electricity_cost) + se * DAYS_PER_YEAR
    esc = {
        k: _arr(k, v, lo=-0.5, hi=1.0)
        for k, v in (
            ("electricity_escalation", electricity_escalation),
            ("gas_escalation", gas_escalation),
            ("carbon_price_escalation", carbon_price_escalation),
        )
    }
    pw_0 = _pwf(r, n, 0.0)
    pw_e = _pwf(r, n, esc["electricity_escalation"])
    pw_g = _pwf(r, n, esc["gas_escalation"])
    pw_c = _pwf(r, n, esc["carbon_price_escalation"])
    maint = _arr("maintenance_per_year", maintenance_per_year, lo=0.0) + cap * _arr(
        "maintenance_fraction_of_capital", maintenance_fraction_of_capital, lo=0.0
    )
    repl = _arr("replacement_cost", replacement_cost, lo=0.0)
    pw_repl = 0.0 * (repl + r + n)
    if replacement_interval_years is not None and np.max(repl) > 0:
        if not replacement_interval_years > 0:
            raise ConfigurationError(
                f"replacement_interval_years={replacement_interval_years} must be > 0"
            )
        n_max = float(np.max(n))
        t = replacement_interval_years
        while t < n_max - 1e-9:
            pw_repl = pw_repl + (t < n - 1e-9) * (repl / (1.0 + r) ** t)
            t += replacement_interval_years
    co2 = _arr("annual_co2_kg", annual_co2_kg, lo=0.0)
    cprice = _arr("carbon_price_per_t", carbon_price_per_t, lo=0.0)
    pw = {
        "capital": cap + 0.0 * pw_0,
        "electricity": elec_year1 * pw_e,
        "gas": energy["gas"] * pw_g,
        "maintenance": maint * pw_0,
        "replacement": pw_repl,
        "carbon": co2 / 1000.0 * cprice * pw_c,
    }
    npc = sum(pw.values())
    crf = 1.0 / pw_0
    if annual_heat_kWh is None:
        lcoh = npc * np.nan
    else:
        q = _arr("annual_heat_kWh", annual_heat_kWh, lo=0.0)
        if isinstance(q, np.ndarray) or isinstance(npc, np.ndarray):
            den = np.broadcast_to(q * pw_0, np.broadcast(npc, q).shape)
            lcoh = np.divide(npc, den, out=np.full(den.shape, np.nan), where=den > 0)
        else:
            lcoh = npc / (q * pw_0) if q > 0 else np.float64(np.nan)
    return LifetimeCost(npc=npc, annualised=npc * crf, lcoh=lcoh, present_worth=pw, crf=crf)

"""Capital cost of a heat-pump system from component scaling laws.

Every component follows the power-law cost model common in process-design costing
(e.g. Towler & Sinnott, *Chemical Engineering Design*, 2nd ed. 2012, section 7.3):

.. math:: C = a + b\\,(S / S_\\mathrm{ref})^n

with :math:`S` the component size in SI units, the coefficients given in a base year and currency,
and a cost index (CEPCI) moving the result to a target year:
:math:`C_\\mathrm{target} = C_\\mathrm{base}\\, I_\\mathrm{target} / I_\\mathrm{base}`.

A curve may hand over to another curve at large sizes (``above``, ``s_switch``): the cost is then
the log-logistic blend :math:`C = (1-w)\\,C_\\mathrm{own} + w\\,C_\\mathrm{above}` with
:math:`w = 1/(1 + (s_\\mathrm{switch}/S)^k)`, each part escalated from its own base year. Used for
the compressor: a residential hermetic-compressor law below about 0.03 m³/s, the industrial
correlation of Ommen et al. (2015) above. The blend is continuous, and monotonic wherever the
``above`` curve is the dearer of the two.

The default coefficients live in ``designopt/economics/data/costs.toml`` with a source and a
confidence tag for every line (see ``docs/economics.md``). Every number can be overridden.
"""

from __future__ import annotations

import copy
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from designopt._check import real
from designopt.errors import ConfigurationError, DataFormatError

DEFAULT_COST_FILE = Path(__file__).with_name("data") / "costs.toml"

_REQUIRED_CURVE_KEYS = ("a", "b", "s_ref", "n", "base_year", "source")


class HeatExchangerType(StrEnum):
    """Heat-exchanger construction, selecting the cost curve and the internal-volume ratio."""

    FINNED_AIR_COIL = "finned_air_coil"
    BRAZED_PLATE = "brazed_plate"


@dataclass(frozen=True)
class CostCurve:
    """One component cost law ``C = a + b (S/s_ref)**n`` [currency of ``base_year``].

    Attributes
    ----------
    a : fixed part [currency]
    b : scale coefficient [currency]
    s_ref : reference size [SI unit of ``size``]
    n : scaling exponent [1]
    base_year : year of the cost basis
    source : citation with confidence tag
    size : description of the size variable with its unit
    valid_min, valid_max : size range of the correlation (for information; not enforced)
    above : name of another component curve taking over at large sizes ("" = none)
    s_switch : size at which ``above`` has weight 1/2 [SI unit of ``size``]
    switch_steepness : exponent k of the blend weight ``w = 1/(1 + (s_switch/S)**k)`` [1]
    """

    a: float
    b: float
    s_ref: float
    n: float
    base_year: int
    source: str
    size: str = ""
    valid_min: float = 0.0
    valid_max: float = float("inf")
    above: str = ""
    s_switch: float = float("inf")
    switch_steepness: float = 4.0

    def __post_init__(self) -> None:
        if self.above and not (0 < self.s_switch < float("inf")):
            raise ConfigurationError(
                f"cost curve s_switch={self.s_switch} must be finite and > 0 when above={self.above!r}"
            )
        if not self.switch_steepness > 0:
            raise ConfigurationError(
                f"cost curve switch_steepness={self.switch_steepness} must be > 0"
            )
        if not self.s_ref > 0:
            raise ConfigurationError(f"cost curve s_ref={self.s_ref} must be > 0")
        if self.b < 0 or self.a < 0:
            raise ConfigurationError(
                f"cost curve coefficients a={self.a}, b={self.b} must be >= 0 (costs rise with size)"
            )
        if self.n <= 0:
            raise ConfigurationError(f"cost curve exponent n={self.n} must be > 0")

    def __call__(self, size: Any) -> np.ndarray:
        """Cost in the base year; zero where ``size == 0`` (component absent)."""
        s = np.asarray(size, dtype=float)[()]
        return (self.a + self.b * (s / self.s_ref) ** self.n) * (s > 0)

    def above_weight(self, size: Any) -> np.ndarray:
        """Weight ``w`` of the ``above`` curve at ``size`` (0 when there is none) [1]."""
        s = np.asarray(size, dtype=float)[()]
        if not self.above:
            return np.zeros_like(s)[()]
        with np.errstate(divide="ignore", over="ignore"):
            w = 1.0 / (1.0 + (self.s_switch / s) ** self.switch_steepness)
        return np.where(s > 0, w, 0.0)[()]


@dataclass(frozen=True)
class CostTable:
    """All cost data: component curves, refrigerant prices, cost index.

    Build it with :func:`load_cost_table`; pass it to :func:`capital_cost`.
    """

    currency: str
    default_target_year: int
    components: Mapping[str, CostCurve]
    refrigerant_price: Mapping[str, float]
    refrigerant_price_year: int
    cost_index: Mapping[int, float]
    extra: Mapping[str, Any] = field(default_factory=dict)

    def index(self, year: int) -> float:
        """Cost index value of ``year``."""
        try:
            return self.cost_index[int(year)]
        except KeyError:
            raise ConfigurationError(
                f"year={year} has no cost index value; valid years: {sorted(self.cost_index)}"
            ) from None

    def component_cost(self, name: str, size: Any, year: int | None = None) -> np.ndarray:
        """Cost of component ``name`` at ``size`` in ``year`` (default: ``default_target_year``).

        Escalates the curve from its base year and, if the curve names an ``above`` curve, blends
        into it (each part escalated from its own base year).
        """
        year = self.default_target_year if year is None else int(year)
        try:
            curve = self.components[name]
        except KeyError:
            raise ConfigurationError(
                f"component={name!r} is not in the cost table; known: {sorted(self.components)}"
            ) from None
        own = curve(size) * (self.index(year) / self.index(curve.base_year))
        if not curve.above:
            return own
        upper = self.components[curve.above]
        high = upper(size) * (self.index(year) / self.index(upper.base_year))
        w = curve.above_weight(size)
        return (1.0 - w) * own + w * high

    def escalate(self, cost: Any, from_year: int, to_year: int) -> np.ndarray:
        """Move a cost from ``from_year`` to ``to_year`` with the cost index ratio."""
        return np.asarray(cost, dtype=float) * (self.index(to_year) / self.index(from_year))


def _deep_update(base: dict, overrides: Mapping) -> dict:
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_update(base[key], value)
        else:
            base[key] = value
    return base


def _parse(raw: dict, origin: str) -> CostTable:
    try:
        meta = raw["meta"]
        comps_raw = raw["components"]
        idx_raw = raw["cost_index"]
        rp_raw = dict(raw.get("refrigerant_price", {}))
    except KeyError as exc:
        raise DataFormatError(
            f"cost table {origin} lacks section {exc}; required: meta, components, cost_index"
        ) from None
    components = {}
    for name, d in comps_raw.items():
        missing = [k for k in _REQUIRED_CURVE_KEYS if k not in d]
        if missing:
            raise DataFormatError(
                f"cost table {origin}: component {name!r} lacks {missing}; "
                f"every curve needs {list(_REQUIRED_CURVE_KEYS)}"
            )
        components[name] = CostCurve(
            a=float(d["a"]),
            b=float(d["b"]),
            s_ref=float(d["s_ref"]),
            n=float(d["n"]),
            base_year=int(d["base_year"]),
            source=str(d["source"]),
            size=str(d.get("size", "")),
            valid_min=float(d.get("valid_min", 0.0)),
            valid_max=float(d.get("valid_max", float("inf"))),
            above=str(d.get("above", "")),
            s_switch=float(d.get("s_switch", float("inf"))),
            switch_steepness=float(d.get("switch_steepness", 4.0)),
        )
    index = {int(k): float(v) for k, v in idx_raw.items() if str(k).isdigit()}
    rp_year = int(rp_raw.pop("base_year", meta.get("default_target_year", 2023)))
    rp_raw.pop("source", None)
    prices = {str(k).upper(): float(v) for k, v in rp_raw.items()}
    table = CostTable(
        currency=str(meta.get("currency", "EUR")),
        default_target_year=int(meta.get("default_target_year", max(index))),
        components=components,
        refrigerant_price=prices,
        refrigerant_price_year=rp_year,
        cost_index=index,
        extra={k: v for k, v in raw.items() if k not in ("meta", "components", "cost_index")},
    )
    for name, curve in components.items():
        table.index(curve.base_year)  # every base year must be indexable
        if curve.above and (curve.above not in components or curve.above == name):
            raise DataFormatError(
                f"cost table {origin}: component {name!r} has above={curve.above!r}, which is not "
                f"another component; known: {sorted(components)}"
            )
        if curve.above and components[curve.above].above:
            raise DataFormatError(
                f"cost table {origin}: component {name!r} hands over to {curve.above!r}, which "
                "itself has an 'above' curve; only one hand-over level is supported"
            )
    table.index(rp_year)
    table.index(table.default_target_year)
    return table


@functools.lru_cache(maxsize=8)
def _load_raw(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigurationError(f"cost table file {path!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFormatError(f"cost table {path!r} is not valid TOML: {exc}") from None


@functools.lru_cache(maxsize=1)
def _default_table() -> CostTable:
    return _parse(copy.deepcopy(_load_raw(str(DEFAULT_COST_FILE))), str(DEFAULT_COST_FILE))


def load_cost_table(
    path: str | Path | None = None, *, overrides: Mapping[str, Any] | None = None
) -> CostTable:
    """Load the cost data, optionally from another TOML file and with overrides.

    Parameters
    ----------
    path : TOML file with the layout of the default ``data/costs.toml``; default: that file.
    overrides : nested mapping merged into the file's content, e.g.
        ``{"components": {"borehole_drilling": {"b": 65.0, "base_year": 2023}},
        "refrigerant_price": {"R290": 15.0}, "meta": {"default_target_year": 2022}}``.

    Returns
    -------
    CostTable
    """
    if path is None and not overrides:
        return _default_table()
    p = str(DEFAULT_COST_FILE if path is None else path)
    raw = copy.deepcopy(_load_raw(p))
    if overrides:
        _deep_update(raw, overrides)
    return _parse(raw, p)


@dataclass(frozen=True)
class CapitalCost:
    """Capital cost breakdown [currency of ``year``]; arrays broadcast over designs.

    ``total`` is the sum of ``items`` minus ``subsidy``.
    """

    items: Mapping[str, np.ndarray]
    subsidy: np.ndarray
    total: np.ndarray
    currency: str
    year: int

    def as_dict(self) -> dict[str, np.ndarray]:
        """Flat mapping ``{item: cost, ..., 'subsidy': ..., 'total': ...}``."""
        return {**self.items, "subsidy": self.subsidy, "total": self.total}


def _nonneg(name: str, value: Any) -> np.ndarray:
    return real(name, value, lo=0.0)


def _hx_curve(table: CostTable, hx_type: str, role: str) -> str:
    """Name of the cost curve of heat-exchanger type ``hx_type`` (validated)."""
    try:
        kind = HeatExchangerType(hx_type)
    except ValueError:
        raise ConfigurationError(
            f"{role}_type={hx_type!r} is unknown; valid: {[t.value for t in HeatExchangerType]}"
        ) from None
    if kind.value not in table.components:
        raise DataFormatError(f"cost table lacks the {kind.value!r} curve needed for {role}")
    return kind.value


#: Items of :func:`capital_cost` (``CapitalCost.items``), in order; the study reports each as
#: the metric ``capex_<item>`` [currency of the cost table].
CAPITAL_ITEMS = (
    "compressor",
    "evaporator",
    "condenser",
    "fan",
    "refrigerant",
    "casing_controls",
    "installation",
    "borehole_drilling",
    "borehole_header",
    "backup_heater",
    "gas_boiler",
    "buffer_tank",
)


def capital_cost(
    *,
    compressor_displacement_m3_s: Any = 0.0,
    compressor_power_W: Any = 0.0,
    evaporator_area_m2: Any = 0.0,
    evaporator_type: str = "finned_air_coil",
    condenser_area_m2: Any = 0.0,
    condenser_type: str = "brazed_plate",
    fan_diameter_m: Any = 0.0,
    n_fans: Any = 1,
    refrigerant_charge_kg: Any = 0.0,
    refrigerant: str = "R290",
    heat_output_W: Any = 0.0,
    borehole_length_m: Any = 0.0,
    n_boreholes: Any = 0,
    backup_heater_W: Any = 0.0,
    boiler_W: Any = 0.0,
    buffer_tank_m3: Any = 0.0,
    include_installation: bool = True,
    subsidy_fraction: Any = 0.0,
    subsidy_fixed: Any = 0.0,
    table: CostTable | None = None,
    target_year: int | None = None,
) -> CapitalCost:
    """Capital cost of one or many designs, broken down by component.

    All size arguments are plain numbers or numpy arrays (broadcast together); a size of 0
    means the component is absent and costs nothing.

    Parameters
    ----------
    compressor_displacement_m3_s : swept volume flow at nominal speed [m³/s]. If > 0 the
        compressor is costed by displacement, otherwise by ``compressor_power_W``.
    compressor_power_W : compressor electric power at the design point [W].
    evaporator_area_m2, condenser_area_m2 : heat-transfer area [m²] (air-side, fins included,
        for finned coils; one side for brazed plates).
    evaporator_type, condenser_type : ``"finned_air_coil"`` or ``"brazed_plate"``.
    fan_diameter_m : diameter of each fan [m]; ``n_fans`` fans [1].
    refrigerant_charge_kg : charge [kg]; priced per kg of ``refrigerant``.
    heat_output_W : rated heat output [W]; sizes casing/controls and installation.
    borehole_length_m : length of each borehole [m]; ``n_boreholes`` boreholes [1].
    backup_heater_W, boiler_W : electric back-up heater and hybrid gas boiler [W].
    buffer_tank_m3 : buffer tank volume [m³].
    include_installation : add the installation line.
    subsidy_fraction : rebate as a fraction of the gross capital cost [1], policy knob.
    subsidy_fixed : fixed rebate [currency], policy knob (the two add up, capped at the gross).
    table : cost data (default: the packaged table); see :func:`load_cost_table`.
    target_year : year to express the costs in (default: the table's ``default_target_year``).

    Returns
    -------
    CapitalCost
        ``items`` [currency], ``subsidy``, ``total`` = gross − subsidy.

    Examples
    --------
    >>> c = capital_cost(compressor_displacement_m3_s=0.002, evaporator_area_m2=50.0,
    ...                  condenser_area_m2=1.0, fan_diameter_m=0.5, refrigerant_charge_kg=1.2,
    ...                  refrigerant="R290", heat_output_W=8000.0)
    >>> 5000 < float(c.total) < 15000
    True
    """
    tab = _default_table() if table is None else table
    year = tab.default_target_year if target_year is None else int(target_year)

    i_target = tab.index(year)

    def cost(name: str, size: np.ndarray) -> np.ndarray:
        return tab.component_cost(name, size, year)

    disp = _nonneg("compressor_displacement_m3_s", compressor_displacement_m3_s)
    pcomp = _nonneg("compressor_power_W", compressor_power_W)
    items: dict[str, np.ndarray] = {}
    c_disp = cost("compressor_displacement", disp)
    c_pow = cost("compressor_power", pcomp)
    items["compressor"] = c_disp + c_pow * (disp <= 0)

    evap_name = _hx_curve(tab, evaporator_type, "evaporator")
    cond_name = _hx_curve(tab, condenser_type, "condenser")
    items["evaporator"] = cost(evap_name, _nonneg("evaporator_area_m2", evaporator_area_m2))
    items["condenser"] = cost(cond_name, _nonneg("condenser_area_m2", condenser_area_m2))
    fans = _nonneg("n_fans", n_fans)
    items["fan"] = fans * cost("fan", _nonneg("fan_diameter_m", fan_diameter_m))

    charge = _nonneg("refrigerant_charge_kg", refrigerant_charge_kg)
    key = str(refrigerant).upper()
    if key not in tab.refrigerant_price and np.max(charge) > 0:
        raise ConfigurationError(
            f"refrigerant={refrigerant!r} has no price in the cost table; "
            f"known: {sorted(tab.refrigerant_price)} (add it via overrides={{'refrigerant_price': ...}})"
        )
    price = tab.refrigerant_price.get(key, 0.0)
    items["refrigerant"] = charge * price * (i_target / tab.index(tab.refrigerant_price_year))

    q = _nonneg("heat_output_W", heat_output_W)
    items["casing_controls"] = cost("casing_controls", q)
    installation = cost("installation", q)
    items["installation"] = installation if include_installation else installation * 0.0

    nb = _nonneg("n_boreholes", n_boreholes)
    length = _nonneg("borehole_length_m", borehole_length_m)
    total_len = nb * length
    items["borehole_drilling"] = cost("borehole_drilling", total_len)
    items["borehole_header"] = cost("borehole_header", nb * (total_len > 0))
    items["backup_heater"] = cost("backup_heater", _nonneg("backup_heater_W", backup_heater_W))
    items["gas_boiler"] = cost("gas_boiler", _nonneg("boiler_W", boiler_W))
    items["buffer_tank"] = cost("buffer_tank", _nonneg("buffer_tank_m3", buffer_tank_m3))

    gross = sum(items.values())
    frac = real("subsidy_fraction", subsidy_fraction, lo=0.0, hi=1.0)
    fixed = _nonneg("subsidy_fixed", subsidy_fixed)
    subsidy = np.minimum(gross * frac + fixed, gross)
    return CapitalCost(
        items=items, subsidy=subsidy, total=gross - subsidy, currency=tab.currency, year=year
    )

"""Plain data the formulations are built from (frozen dataclasses of numpy arrays) and loaders.

The builders in :mod:`formulations.selection`, :mod:`formulations.dispatch` and
:mod:`formulations.epsilon` take only these objects: performance (COP, capacity), loads, prices and
design metrics are computed beforehand (by designopt's cycle / seasonal / economics modules, from a
product catalogue, or by hand) and passed in as arrays.  Everything is SI: W, J, s, K, kg, EUR
(prices per joule: use :func:`per_kWh` at the edges).

Validation happens at construction and raises :class:`designopt.errors.ConfigurationError` naming
the field, the bad value and the rule.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from designopt.errors import ConfigurationError

__all__ = [
    "J_PER_KWH",
    "LOAD_TOL_W",
    "Admissibility",
    "NOISE_BASES",
    "per_kWh",
    "receiver_level_dB",
    "Periods",
    "Candidates",
    "BackupKind",
    "Backup",
    "BoreholeSurrogate",
    "SelectionData",
    "Storage",
    "DispatchData",
    "DesignSpace",
    "candidates_from_hplib",
    "candidates_from_keymark",
    "candidates_from_seasonal",
]

J_PER_KWH = 3.6e6
SECONDS_PER_YEAR = 8760 * 3600.0

#: The selection model's one feasibility tolerance on heat [W]: heat left unmet in a period counts
#: as met when it is at most this much.  A milliwatt is nothing next to a dwelling's load (kW);
#: it absorbs round-off in loads and capacities computed elsewhere (a load line evaluated at the
#: balance temperature, a capacity read off a map), and it is stated here, in the data, instead
#: of being left to the solver's primal feasibility tolerance (HiGHS: 1e-7 on scaled rows),
#: which the MILP and an enumeration apply to differently scaled rows.
LOAD_TOL_W = 1e-3


def per_kWh(price_per_kWh):
    """Convert a price or factor per kWh into the same per joule [1/J] (e.g. EUR/kWh -> EUR/J)."""
    return np.asarray(price_per_kWh, dtype=float) / J_PER_KWH


#: What ``Candidates.receiver_level_dB`` holds: name, units and long name in the outputs.
NOISE_BASES = {
    "level": ("receiver_level", "dB(A)", "sound pressure level at the critical receiver"),
    "margin": ("noise_margin", "dB", "worst receiver level minus that receiver's limit"),
}


def receiver_level_dB(sound_power_dB, *, distance_m: float, reflecting_surfaces: int = 1):
    """Sound pressure level at a receiver, Lp = L_WA + 10 lg(Q / (4 pi r^2)) [dB(A)].

    Point source with directivity Q = 2^k for k reflecting surfaces (k = 1: on the ground), no
    barrier: the MCS 020(a) / ISO 9613-2 divergence term, computed by
    :func:`designopt.noise.propagation.point_source_level`.  NaN sound powers (not declared) give
    NaN levels.

    Parameters
    ----------
    sound_power_dB : array_like
        A-weighted sound power level L_WA [dB(A)].
    distance_m : float
        Source-receiver distance [m].
    reflecting_surfaces : int
        Reflecting surfaces within 1 m of the unit, 0-3 [1].
    """
    from designopt.noise.propagation import point_source_level

    lw = np.asarray(sound_power_dB, float)
    out = np.full(lw.shape, np.nan)
    ok = np.isfinite(lw)
    if ok.any():
        out[ok] = point_source_level(lw[ok], distance_m, reflecting_surfaces)
    return out


def _arr(name, value, *, ndim=1, shape=None, nonneg=False, positive=False, allow_nan=False):
    a = np.asarray(value, dtype=float)
    if a.ndim != ndim:
        raise ConfigurationError(f"{name} must be a {ndim}-D array, got shape {a.shape}")
    if shape is not None and a.shape != shape:
        raise ConfigurationError(f"{name} must have shape {shape}, got {a.shape}")
    bad = np.isnan(a) if not allow_nan else np.zeros(a.shape, bool)
    bad |= np.isinf(a)
    if bad.any():
        raise ConfigurationError(f"{name} must be finite; {int(bad.sum())} entries are not")
    if nonneg and np.any(a < 0):
        raise ConfigurationError(f"{name} must be >= 0; min is {np.nanmin(a)}")
    if positive and np.any(a <= 0):
        raise ConfigurationError(f"{name} must be > 0; min is {np.nanmin(a)}")
    a.setflags(write=False)
    return a


def _scalar_or_series(name, value, n, *, nonneg=True):
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        a = np.full(n, float(a))
    return _arr(name, a, shape=(n,), nonneg=nonneg)


def _check_nonneg(name, value):
    if value is not None and not value >= 0:
        raise ConfigurationError(f"{name}={value} must be >= 0")


def _float_field(obj, name):
    """Coerce a scalar dataclass field to float and check it is finite and >= 0."""
    try:
        value = float(getattr(obj, name))
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name}={getattr(obj, name)!r} must be a number") from None
    if not (np.isfinite(value) and value >= 0):
        raise ConfigurationError(f"{name}={value} must be finite and >= 0")
    object.__setattr__(obj, name, value)


@dataclass(frozen=True, kw_only=True)
class Periods:
    """Load periods: EN 14825 temperature bins (durations = bin hours) or hours of a year.

    Attributes
    ----------
    t_outdoor_K : (p,) outdoor temperature of each period [K].
    duration_s : (p,) time per year spent in each period [s/a] (bin hours x 3600).
    load_W : (p,) heat demand in the period [W].
    label : str
        What the periods are, e.g. ``"EN 14825 average bins"``.
    """

    t_outdoor_K: np.ndarray
    duration_s: np.ndarray
    load_W: np.ndarray
    label: str = ""

    def __post_init__(self):
        t = _arr("t_outdoor_K", self.t_outdoor_K, positive=True)
        n = t.shape
        object.__setattr__(self, "t_outdoor_K", t)
        object.__setattr__(
            self, "duration_s", _arr("duration_s", self.duration_s, shape=n, nonneg=True)
        )
        object.__setattr__(self, "load_W", _arr("load_W", self.load_W, shape=n, nonneg=True))
        if n[0] == 0:
            raise ConfigurationError("Periods needs at least one period")

    @property
    def n(self) -> int:
        return self.t_outdoor_K.shape[0]

    @classmethod
    def from_bins(
        cls, *, t_bins_degC, hours, design_load_W, t_design_degC, t_balance_degC=16.0, label=""
    ):
        """EN 14825 bins with the load line Ph(Tj) = Pdesignh (Tj - 16) / (Tdesignh - 16).

        Parameters
        ----------
        t_bins_degC, hours : array_like
            Bin temperatures [°C] and hours per year [h] of an EN 14825 reference season.
        design_load_W : float
            Pdesignh, the load at the design temperature [W].
        t_design_degC : float
            Tdesignh [°C] (-10 average, -22 colder, +2 warmer).
        t_balance_degC : float
            Zero-load temperature [°C] (16 in EN 14825).
        """
        tj = np.asarray(t_bins_degC, float)
        if not t_design_degC < t_balance_degC:
            raise ConfigurationError(f"{t_design_degC=} must be below {t_balance_degC=}")
        pl = np.clip((tj - t_balance_degC) / (t_design_degC - t_balance_degC), 0.0, None)
        return cls(
            t_outdoor_K=tj + 273.15,
            duration_s=np.asarray(hours, float) * 3600.0,
            load_W=design_load_W * pl,
            label=label or "EN 14825 bins",
        )


@dataclass(frozen=True, kw_only=True)
class Candidates:
    """Heat pumps to choose from, with their performance already evaluated in every period.

    Attributes
    ----------
    name : (n,) str
    capital_cost_EUR : (n,) installed cost [EUR].
    heat_capacity_W : (n, p) heat output available in each period [W] (0 where the unit cannot run,
        e.g. below its operation limit TOL or where its fitted COP <= 1).
    cop : (n, p) COP at that output in each period [1] (> 0; ignored where the capacity is 0).
    receiver_level_dB : (n,) sound pressure level at the critical receiver [dB(A)] (or the worst
        receiver margin [dB], see ``SelectionData.noise_basis``); NaN = no outdoor unit / not
        assessed (the noise limit does not apply to it).
    gwp : (n,) refrigerant 100-year GWP [1]; NaN = unknown (excluded by any GWP cap).
    ground_source : (n,) bool, True where the unit needs a borehole field.
    """

    name: np.ndarray
    capital_cost_EUR: np.ndarray
    heat_capacity_W: np.ndarray
    cop: np.ndarray
    receiver_level_dB: np.ndarray | None = None
    gwp: np.ndarray | None = None
    ground_source: np.ndarray | None = None

    def __post_init__(self):
        name = np.asarray(self.name, dtype=str)
        if name.ndim != 1 or name.size == 0:
            raise ConfigurationError(
                f"Candidates.name must be a non-empty 1-D array, got {name.shape}"
            )
        if len(set(name.tolist())) != name.size:
            raise ConfigurationError("Candidates.name must be unique")
        n = name.size
        object.__setattr__(self, "name", name)
        object.__setattr__(
            self,
            "capital_cost_EUR",
            _arr("capital_cost_EUR", self.capital_cost_EUR, shape=(n,), nonneg=True),
        )
        cap = _arr("heat_capacity_W", self.heat_capacity_W, ndim=2, nonneg=True)
        if cap.shape[0] != n:
            raise ConfigurationError(
                f"heat_capacity_W must have {n} rows (one per candidate), got {cap.shape}"
            )
        object.__setattr__(self, "heat_capacity_W", cap)
        cop = np.where(cap > 0, np.asarray(self.cop, float), 1.0)
        object.__setattr__(self, "cop", _arr("cop", cop, ndim=2, shape=cap.shape, positive=True))
        for fname, default in (("receiver_level_dB", np.nan), ("gwp", 0.0)):
            v = getattr(self, fname)
            v = np.full(n, default) if v is None else v
            object.__setattr__(self, fname, _arr(fname, v, shape=(n,), allow_nan=True))
        gs = (
            np.zeros(n, bool)
            if self.ground_source is None
            else np.asarray(self.ground_source, bool)
        )
        if gs.shape != (n,):
            raise ConfigurationError(f"ground_source must have shape ({n},), got {gs.shape}")
        object.__setattr__(self, "ground_source", gs)

    @property
    def n(self) -> int:
        return self.name.size


class BackupKind(enum.Enum):
    """What covers the heat the heat pump does not deliver."""

    ELECTRIC = "electric"
    GAS_BOILER = "gas_boiler"


@dataclass(frozen=True, kw_only=True)
class Backup:
    """Back-up heater or boiler sized by the selection model.

    Attributes
    ----------
    kind : BackupKind
    efficiency : float
        Heat out per energy bought [1] (1.0 for a resistance heater, ~0.9-0.98 for a boiler).
    cost_per_W_EUR : float
        Capital cost per watt of capacity [EUR/W].
    fixed_cost_EUR : float
        Capital cost incurred if any capacity is installed [EUR] (a binary decides).
    energy_price_EUR_per_J : float
        Price of the energy bought (electricity or gas) [EUR/J].
    emission_kg_per_J : float
        CO2 emission factor of that energy [kg/J].
    max_capacity_W : float
        Largest capacity the model may install [W].
    """

    kind: BackupKind = BackupKind.ELECTRIC
    efficiency: float = 1.0
    cost_per_W_EUR: float = 0.0
    fixed_cost_EUR: float = 0.0
    energy_price_EUR_per_J: float
    emission_kg_per_J: float = 0.0
    max_capacity_W: float

    def __post_init__(self):
        if not isinstance(self.kind, BackupKind):
            raise ConfigurationError(
                f"kind={self.kind!r} must be one of {[k.value for k in BackupKind]}"
            )
        if not 0 < self.efficiency <= 1.2:
            raise ConfigurationError(f"efficiency={self.efficiency} must lie in (0, 1.2]")
        for f in (
            "cost_per_W_EUR",
            "fixed_cost_EUR",
            "energy_price_EUR_per_J",
            "emission_kg_per_J",
            "max_capacity_W",
        ):
            _float_field(self, f)


@dataclass(frozen=True, kw_only=True)
class BoreholeSurrogate:
    """Piecewise-linear surrogate of a borehole sizing result: length vs annual ground load.

    The breakpoints come from runs of a sizing tool (designopt.ground / pygfunction) at a few
    annual-mean extraction rates; between them the length is interpolated linearly.

    Attributes
    ----------
    extraction_W : (k,) annual-mean heat extraction from the ground at the breakpoints [W],
        strictly increasing, first breakpoint 0 (no ground-source unit -> no borehole).
    length_m : (k,) total borehole length needed [m] (first value 0).
    cost_per_m_EUR : float
        Drilling and loop cost per metre [EUR/m].
    """

    extraction_W: np.ndarray
    length_m: np.ndarray
    cost_per_m_EUR: float

    def __post_init__(self):
        x = _arr("extraction_W", self.extraction_W, nonneg=True)
        y = _arr("length_m", self.length_m, shape=x.shape, nonneg=True)
        if x.size < 2 or np.any(np.diff(x) <= 0):
            raise ConfigurationError(
                f"extraction_W must have >= 2 strictly increasing breakpoints, got {x}"
            )
        if x[0] != 0.0 or y[0] != 0.0:
            raise ConfigurationError(
                f"the first breakpoint must be (0 W, 0 m) so that air units need no borehole, got ({x[0]}, {y[0]})"
            )
        object.__setattr__(self, "extraction_W", x)
        object.__setattr__(self, "length_m", y)
        _float_field(self, "cost_per_m_EUR")


@dataclass(frozen=True, kw_only=True)
class SelectionData:
    """Everything the selection-and-sizing MILP needs.

    Attributes
    ----------
    periods : Periods
    candidates : Candidates (heat_capacity_W and cop with one column per period)
    backup : Backup
    electricity_price_EUR_per_J : float
    electricity_emission_kg_per_J : float
    carbon_price_EUR_per_kg : float
    annuity_factor_per_year : float
        Capital recovery factor [1/a] (see :func:`designopt.economics.lifetime.capital_recovery_factor`).
    noise_limit_dB : float or None
        Limit on the candidates' ``receiver_level_dB`` [dB(A)], or the allowed margin [dB] when
        ``noise_basis`` is ``margin``; None = no noise constraint.
    noise_basis : str
        ``level`` (default): ``Candidates.receiver_level_dB`` are sound pressure levels at the
        critical receiver [dB(A)]; ``margin``: they are the worst margins over the receivers,
        level minus that receiver's own limit [dB] (several receivers with different limits;
        ``noise_limit_dB = 0`` then means "at the limits"). Sets the names in the output.
    gwp_limit : float or None
        Cap on refrigerant GWP [1]; None = no cap.
    borehole : BoreholeSurrogate or None
        Needed if any candidate is ground source.
    """

    periods: Periods
    candidates: Candidates
    backup: Backup
    electricity_price_EUR_per_J: float
    electricity_emission_kg_per_J: float = 0.0
    carbon_price_EUR_per_kg: float = 0.0
    annuity_factor_per_year: float
    noise_limit_dB: float | None = None
    noise_basis: str = "level"
    gwp_limit: float | None = None
    borehole: BoreholeSurrogate | None = None

    def __post_init__(self):
        if self.candidates.heat_capacity_W.shape[1] != self.periods.n:
            raise ConfigurationError(
                f"candidates have {self.candidates.heat_capacity_W.shape[1]} period columns but there are "
                f"{self.periods.n} periods"
            )
        for f in (
            "electricity_price_EUR_per_J",
            "electricity_emission_kg_per_J",
            "carbon_price_EUR_per_kg",
            "annuity_factor_per_year",
        ):
            _float_field(self, f)
        for f in ("noise_limit_dB", "gwp_limit"):
            if getattr(self, f) is not None:
                object.__setattr__(self, f, float(getattr(self, f)))
        if self.noise_basis not in NOISE_BASES:
            raise ConfigurationError(
                f"noise_basis={self.noise_basis!r} is not known; valid options: {list(NOISE_BASES)}"
            )
        if not 0 < self.annuity_factor_per_year <= 1:
            raise ConfigurationError(
                f"annuity_factor_per_year={self.annuity_factor_per_year} must lie in (0, 1]"
            )
        if self.candidates.ground_source.any() and self.borehole is None:
            raise ConfigurationError(
                "some candidates are ground source (ground_source=True) but borehole=None; "
                "pass a BoreholeSurrogate"
            )

    def admissibility(self) -> Admissibility:
        """Which candidates may be chosen at all, decided on the data (see :class:`Admissibility`)."""
        c, per, bu = self.candidates, self.periods, self.backup
        load = per.load_W[None, :]
        bmax = max(bu.max_capacity_W, 0.0)
        hp = np.minimum(c.heat_capacity_W, load)  # heat-pump output the period can use [W]
        backup = np.minimum(bmax, load)
        served = np.minimum(load, hp + backup)  # = load wherever the load is met in full
        capacity = np.all(load - served <= LOAD_TOL_W, axis=1)
        lv = c.receiver_level_dB
        if self.noise_limit_dB is None:
            noise = np.ones(c.n, bool)
        else:
            noise = ~(np.isfinite(lv) & (lv > self.noise_limit_dB))
        gwp = np.ones(c.n, bool) if self.gwp_limit is None else c.gwp <= self.gwp_limit
        borehole = np.ones(c.n, bool)
        if self.borehole is not None and c.ground_source.any():
            # the ground load X = sum_p (d_p / year)(1 - 1/COP) q_p ranges over
            # q_p in [served - back-up, min(capacity, served)]: some X must lie in [0, X_max]
            coef = per.duration_s[None, :] / SECONDS_PER_YEAR * (1.0 - 1.0 / c.cop)
            q_lo = np.maximum(served - backup, 0.0)
            q_hi = np.minimum(hp, served)
            x_lo = np.sum(np.minimum(coef * q_lo, coef * q_hi), axis=1)
            x_hi = np.sum(np.maximum(coef * q_lo, coef * q_hi), axis=1)
            fits = (x_lo <= self.borehole.extraction_W[-1]) & (x_hi >= 0.0)
            borehole = ~c.ground_source | fits
        return Admissibility(
            served_load_W=served, capacity=capacity, noise=noise, gwp=gwp, borehole=borehole
        )


@dataclass(frozen=True, kw_only=True)
class Admissibility:
    """Which candidates the selection model may choose, decided on the data by exact comparisons
    and one stated tolerance, :data:`LOAD_TOL_W`.

    The selection MILP excludes the candidates that fail a rule (``y_i <= 0``, in the rule's
    constraint family) and the enumeration in :func:`formulations.testing.reference_selection`
    skips them, so both call the same instances feasible whatever the solvers' own
    feasibility tolerances; every candidate that passes has an exactly feasible operation.

    Attributes
    ----------
    served_load_W : (n, p) heat to deliver in each period with candidate i [W]: the load, less
        an unmet rest of at most :data:`LOAD_TOL_W` that counts as met (a load below the
        tolerance that nothing can cover, the back-up a milliwatt short).
    capacity : (n,) candidate plus the largest back-up meet every load within ``LOAD_TOL_W``.
    noise : (n,) receiver level not above ``noise_limit_dB`` (NaN level: not assessed).
    gwp : (n,) refrigerant GWP not above ``gwp_limit`` (NaN GWP fails any cap).
    borehole : (n,) the least ground load the candidate can run at lies within the borehole
        surrogate's range (always True for air and water units).
    """

    served_load_W: np.ndarray
    capacity: np.ndarray
    noise: np.ndarray
    gwp: np.ndarray
    borehole: np.ndarray

    @property
    def admissible(self) -> np.ndarray:
        """(n,) candidates that pass every rule."""
        return self.capacity & self.noise & self.gwp & self.borehole


@dataclass(frozen=True, kw_only=True)
class Storage:
    """Hot-water buffer between the generators and the load in the dispatch LP.

    Attributes
    ----------
    capacity_J : float   usable heat content [J]
    loss_per_step : float   fraction of the content lost per time step [1]
    """

    capacity_J: float
    loss_per_step: float = 0.0

    def __post_init__(self):
        _float_field(self, "capacity_J")
        _float_field(self, "loss_per_step")
        if not 0 <= self.loss_per_step < 1:
            raise ConfigurationError(f"loss_per_step={self.loss_per_step} must lie in [0, 1)")


@dataclass(frozen=True, kw_only=True)
class DispatchData:
    """Hourly (or any fixed-step) data of the hybrid heat pump + boiler dispatch LP.

    Scalars given for a price or factor are broadcast to every step.

    Attributes
    ----------
    t_outdoor_K : (T,) outdoor temperature [K] (used by the switchover comparison).
    heat_demand_W : (T,) heat demand [W].
    hp_cop : (T,) heat-pump COP from the performance map at each step's temperatures [1].
    hp_capacity_W : (T,) heat-pump maximum output [W].
    boiler_capacity_W : float
    boiler_efficiency : float [1]
    electricity_price_EUR_per_J, gas_price_EUR_per_J : (T,) or scalar [EUR/J]
    carbon_price_EUR_per_kg : float [EUR/kg]
    electricity_emission_kg_per_J, gas_emission_kg_per_J : (T,) or scalar [kg/J]
    step_s : float   duration of one step [s]
    storage : Storage or None
    """

    t_outdoor_K: np.ndarray
    heat_demand_W: np.ndarray
    hp_cop: np.ndarray
    hp_capacity_W: np.ndarray
    boiler_capacity_W: float
    boiler_efficiency: float = 0.9
    electricity_price_EUR_per_J: np.ndarray | float
    gas_price_EUR_per_J: np.ndarray | float
    carbon_price_EUR_per_kg: float = 0.0
    electricity_emission_kg_per_J: np.ndarray | float = 0.0
    gas_emission_kg_per_J: np.ndarray | float = 0.0
    step_s: float = 3600.0
    storage: Storage | None = None

    def __post_init__(self):
        t = _arr("t_outdoor_K", self.t_outdoor_K, positive=True)
        n = t.size
        if n == 0:
            raise ConfigurationError("DispatchData needs at least one time step")
        object.__setattr__(self, "t_outdoor_K", t)
        object.__setattr__(
            self,
            "heat_demand_W",
            _arr("heat_demand_W", self.heat_demand_W, shape=(n,), nonneg=True),
        )
        object.__setattr__(self, "hp_cop", _arr("hp_cop", self.hp_cop, shape=(n,), positive=True))
        object.__setattr__(
            self,
            "hp_capacity_W",
            _arr("hp_capacity_W", self.hp_capacity_W, shape=(n,), nonneg=True),
        )
        for f in (
            "electricity_price_EUR_per_J",
            "gas_price_EUR_per_J",
            "electricity_emission_kg_per_J",
            "gas_emission_kg_per_J",
        ):
            object.__setattr__(self, f, _scalar_or_series(f, getattr(self, f), n))
        _float_field(self, "boiler_capacity_W")
        _float_field(self, "boiler_efficiency")
        _float_field(self, "step_s")
        _float_field(self, "carbon_price_EUR_per_kg")
        if not 0 < self.boiler_efficiency <= 1.2:
            raise ConfigurationError(
                f"boiler_efficiency={self.boiler_efficiency} must lie in (0, 1.2]"
            )
        if not self.step_s > 0:
            raise ConfigurationError(f"step_s={self.step_s} must be positive")

    @property
    def n(self) -> int:
        return self.t_outdoor_K.size

    def hp_cost_per_J_heat(self) -> np.ndarray:
        """Marginal cost of one joule of heat from the heat pump in each step [EUR/J]."""
        return (
            self.electricity_price_EUR_per_J
            + self.carbon_price_EUR_per_kg * self.electricity_emission_kg_per_J
        ) / self.hp_cop

    def boiler_cost_per_J_heat(self) -> np.ndarray:
        """Marginal cost of one joule of heat from the boiler in each step [EUR/J]."""
        return (
            self.gas_price_EUR_per_J + self.carbon_price_EUR_per_kg * self.gas_emission_kg_per_J
        ) / self.boiler_efficiency


@dataclass(frozen=True, kw_only=True)
class DesignSpace:
    """A discretised design space with precomputed metrics, for the ε-constraint front.

    Attributes
    ----------
    capital_cost_EUR : (d,) capital cost of each design [EUR].
    lifetime_cost_EUR : (d,) lifetime (or annual) operating-plus-capital cost [EUR].
    feasible : (d,) bool, False for designs that violate a constraint (never selected).
    variables : dict of name -> (d,) array, the design variables of each design (carried to results).
    """

    capital_cost_EUR: np.ndarray
    lifetime_cost_EUR: np.ndarray
    feasible: np.ndarray | None = None
    variables: dict = field(default_factory=dict)

    def __post_init__(self):
        c = _arr("capital_cost_EUR", self.capital_cost_EUR, allow_nan=True)
        n = c.shape
        life = _arr("lifetime_cost_EUR", self.lifetime_cost_EUR, shape=n, allow_nan=True)
        feas = np.ones(n, bool) if self.feasible is None else np.asarray(self.feasible, bool)
        if feas.shape != n:
            raise ConfigurationError(f"feasible must have shape {n}, got {feas.shape}")
        feas = feas & np.isfinite(c) & np.isfinite(life)
        if not feas.any():
            raise ConfigurationError("DesignSpace has no feasible design with finite metrics")
        object.__setattr__(self, "capital_cost_EUR", c)
        object.__setattr__(self, "lifetime_cost_EUR", life)
        object.__setattr__(self, "feasible", feas)
        for k, v in self.variables.items():
            if np.shape(v) != n:
                raise ConfigurationError(f"variables[{k!r}] must have shape {n}, got {np.shape(v)}")

    @property
    def n(self) -> int:
        return self.capital_cost_EUR.size


def candidates_from_hplib(
    catalogue,
    periods: Periods,
    *,
    t_flow_K,
    t_source_K=None,
    capital_cost_EUR,
    receiver_distance_m: float | None = None,
    reflecting_surfaces: int = 1,
    missing_sound_power: str = "exclude",
) -> Candidates:
    """Candidates from hplib's catalogue (:func:`designopt.io.hplib_catalogue.load_hplib_catalogue`).

    Capacity and COP in every period come from hplib's fitted heating model
    (:func:`~designopt.io.hplib_catalogue.hplib_heating_performance`); where the fitted COP is
    <= 1 the unit is taken as unavailable (capacity 0).

    Parameters
    ----------
    catalogue : pandas.DataFrame
    periods : Periods
    t_flow_K : float or (p,) flow temperature per period [K] (heating curve).
    t_source_K : float or (p,), optional
        Source temperature for brine/water units [K]; defaults to the outdoor temperature
        for air units and to 273.15 K (0 °C brine, the EN 14511 B0 rating point) otherwise.
    capital_cost_EUR : (n,) array
        Installed cost of every row [EUR] (hplib has no prices: from designopt.economics or a quote).
    receiver_distance_m : float, optional
        Distance to the noise receiver [m]; None = no receiver levels (NaN).
    reflecting_surfaces : int
        Reflecting surfaces near the outdoor unit (1 = ground only, Q = 2) [1].
    missing_sound_power : {"exclude", "ignore"}
        Air units without a declared outdoor sound power: "exclude" gives them an infinite receiver
        level (never chosen under a noise limit); "ignore" leaves them unassessed.
    """
    from designopt.io.hplib_catalogue import hplib_heating_performance

    if missing_sound_power not in ("exclude", "ignore"):
        raise ConfigurationError(f"{missing_sound_power=} must be 'exclude' or 'ignore'")
    p = periods.n
    t_flow = np.broadcast_to(np.asarray(t_flow_K, float), (p,))
    air = (catalogue["hp_type"] == "air/water").to_numpy()
    t_src_other = np.broadcast_to(
        np.asarray(273.15 if t_source_K is None else t_source_K, float), (p,)
    )
    perf_air = hplib_heating_performance(catalogue, t_source_K=periods.t_outdoor_K, t_flow_K=t_flow)
    perf_gnd = hplib_heating_performance(
        catalogue, t_source_K=t_src_other, t_flow_K=t_flow, t_outdoor_K=periods.t_outdoor_K
    )
    cap = np.where(air[:, None], perf_air["heat_output"], perf_gnd["heat_output"])
    cop = np.where(air[:, None], perf_air["cop"], perf_gnd["cop"])
    valid = np.where(air[:, None], perf_air["valid"], perf_gnd["valid"]) & (cap > 0)
    cap = np.where(valid, cap, 0.0)
    cop = np.where(valid, cop, 1.0)
    lw = catalogue["sound_power_outdoor_dBA"].to_numpy(float)
    if receiver_distance_m is None:
        level = np.full(len(catalogue), np.nan)
    else:
        level = receiver_level_dB(
            np.where(air, lw, np.nan),
            distance_m=receiver_distance_m,
            reflecting_surfaces=reflecting_surfaces,
        )
        if missing_sound_power == "exclude":
            level = np.where(air & np.isnan(lw), np.inf, level)
    level = np.where(np.isinf(level), 1e3, level)  # finite sentinel: excluded by any limit
    return Candidates(
        name=catalogue["name"].to_numpy(str),
        capital_cost_EUR=capital_cost_EUR,
        heat_capacity_W=cap,
        cop=cop,
        receiver_level_dB=level,
        gwp=catalogue["gwp"].to_numpy(float),
        ground_source=~air,
    )


def candidates_from_keymark(
    path,
    periods: Periods,
    *,
    climate: str,
    application_degC: int,
    hp_type: str = "air/water",
    capital_cost_EUR=None,
    receiver_distance_m: float | None = None,
    reflecting_surfaces: int = 1,
    gwp=None,
) -> tuple[Candidates, object]:
    """Candidates from declared EN 14825 records (Heat Pump Keymark layout, see
    :mod:`designopt.io.keymark`).

    Capacity and COP in each period are the declared part-load values Pdh and COPd interpolated
    linearly in outdoor temperature between the declared points (A -7, B +2, C +7, D +12 °C, F at
    Tbiv, E at TOL, G -15 °C), extrapolated from the end segments (the EN 14825 bin method), and
    zero below TOL (the unit is off).  Declared Pdh is the capacity at the certified part load,
    so capacity at mild temperatures is conservative.

    Parameters
    ----------
    path : str or Path
        Keymark-layout CSV.
    climate, application_degC : which records to use (``average``/``colder``/``warmer``; 35/55).
    hp_type : ``air/water``, ``brine/water`` or ``water/water``.
    capital_cost_EUR : (n,) array or callable(frame) -> array, optional
        Price of each selected record [EUR]; default: a callable must be given by the caller
        (Keymark has no prices) - None raises.
    receiver_distance_m, reflecting_surfaces : receiver geometry for the outdoor sound power.
    gwp : (n,) array, optional
        Refrigerant GWP (Keymark exports carry no refrigerant); default NaN (excluded by caps).

    Returns
    -------
    (Candidates, pandas.DataFrame)
        The candidates and the selected rows.
    """
    from designopt.io.keymark import declared_from_frame, read_table
    from designopt.seasonal.en14825 import POINT_T_DEGC, POINTS, interp_rows

    df = read_table(path)
    sel = (
        (df["climate"].astype(str).str.lower() == climate)
        & (df["application_C"].astype(float) == float(application_degC))
        & (df["hp_type"].astype(str).str.lower() == hp_type)
    )
    df = df[sel].reset_index(drop=True)
    if df.empty:
        raise ConfigurationError(
            f"no Keymark records for climate={climate!r}, application_degC={application_degC}, hp_type={hp_type!r}"
        )
    dp, status = declared_from_frame(df)
    ok = status == ""
    df, n = df[ok].reset_index(drop=True), int(ok.sum())
    knots = np.empty((n, len(POINTS)))
    for j, p in enumerate(POINTS):
        knots[:, j] = POINT_T_DEGC.get(p, np.nan)
    knots[:, POINTS.index("F")] = dp.t_biv_K[ok] - 273.15
    knots[:, POINTS.index("E")] = dp.t_ol_K[ok] - 273.15
    t = periods.t_outdoor_K - 273.15
    cap = interp_rows(knots, dp.pdh_W[ok], t)
    cop = interp_rows(knots, dp.cop[ok], t)
    runs = (
        (t[None, :] >= (dp.t_ol_K[ok] - 273.15)[:, None])
        & np.isfinite(cap)
        & np.isfinite(cop)
        & (cop > 1.0)
    )
    cap = np.where(runs, np.clip(cap, 0.0, None), 0.0)
    cop = np.where(runs & (cap > 0), cop, 1.0)
    if capital_cost_EUR is None:
        raise ConfigurationError("capital_cost_EUR is required: Keymark records carry no prices")
    price = capital_cost_EUR(df) if callable(capital_cost_EUR) else capital_cost_EUR
    names = (
        df["manufacturer"].astype(str).str.strip() + " " + df["title"].astype(str).str.strip()
    ).to_numpy(str)
    dup = pd_series(names).duplicated(keep=False).to_numpy()
    names = np.array(
        [f"{s} #{k}" if d else s for k, (s, d) in enumerate(zip(names, dup, strict=True))]
    )
    lw = pd_to_float(df, "Lw_outdoor_dBA")
    if receiver_distance_m is None or hp_type != "air/water":
        level = np.full(n, np.nan)
    else:
        level = receiver_level_dB(
            lw, distance_m=receiver_distance_m, reflecting_surfaces=reflecting_surfaces
        )
        level = np.where(np.isnan(level), 1e3, level)  # undeclared sound power: excluded
    cand = Candidates(
        name=names,
        capital_cost_EUR=price,
        heat_capacity_W=cap,
        cop=cop,
        receiver_level_dB=level,
        gwp=np.full(n, np.nan) if gwp is None else gwp,
        ground_source=np.full(n, hp_type == "brine/water"),
    )
    return cand, df


def pd_series(values):
    """A pandas Series of ``values`` (pandas imported lazily)."""
    import pandas as pd

    return pd.Series(values)


def pd_to_float(df, column: str) -> np.ndarray:
    """A column as floats (NaN where missing or not numeric)."""
    import pandas as pd

    if column not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[column], errors="coerce").to_numpy(float)


def candidates_from_seasonal(
    name,
    capital_cost_EUR,
    results,
    *,
    receiver_level_dB=None,
    gwp=None,
    ground_source=None,
) -> Candidates:
    """Candidates from EN 14825 seasonal results of designs (e.g. the Pareto designs of a study).

    Each result (:class:`designopt.seasonal.en14825.SeasonalResult`, or any object with the
    per-bin arrays ``hp_heat_W`` and ``cop_bin``) gives, per bin, the heat the design delivers
    at that bin's load (its maximum where it falls short) and its COP there (cycling and defrost
    included).  All results must share the same bins; build the :class:`Periods` from the first
    (``t_bin_K``, ``hours_h``, ``load_W``).
    """
    heat = np.array([np.nan_to_num(np.asarray(r.hp_heat_W, float)) for r in results])
    cop = np.array([np.asarray(r.cop_bin, float) for r in results])
    ok = (heat > 0) & np.isfinite(cop) & (cop > 0)
    return Candidates(
        name=name,
        capital_cost_EUR=capital_cost_EUR,
        heat_capacity_W=np.where(ok, heat, 0.0),
        cop=np.where(ok, cop, 1.0),
        receiver_level_dB=receiver_level_dB,
        gwp=gwp,
        ground_source=ground_source,
    )

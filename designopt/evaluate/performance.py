"""What the physics of one design gives, free of prices and rules: :class:`Performance`.

A source plug-in (:mod:`designopt.evaluate.sources`) assesses a design once (cycle maps, the
season or the hourly lifetime, the ground loop, sound power, charge) and returns a
:class:`Performance`; :func:`designopt.evaluate.value.value` turns it into money, CO2,
objectives and constraints under a case's economics and rules, as often as needed, without
CoolProp or pygfunction.  A set of them is a :class:`PerformanceSet` (struct of arrays over a
``design`` axis) that is written as ``performance.nc`` and read back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from designopt.economics.profiles import HOURS_OF_DAY, MONTHS
from designopt.errors import DataFormatError

__all__ = ["Performance", "PerformanceSet", "QUANTITIES", "HOURS_OF_DAY", "MONTHS", "PROFILE_SHAPE"]

#: Shape of an electricity profile: month of the year x hour of the day.
PROFILE_SHAPE = (MONTHS, HOURS_OF_DAY)

#: Scalar quantities of a :class:`Performance`: name -> (unit, long name).
QUANTITIES: dict[str, tuple[str, str]] = {
    "gwp100": ("1", "refrigerant GWP100 (AR4)"),
    "lfl_kg_m3": ("kg/m3", "refrigerant lower flammability limit (inf: not flammable)"),
    "charge_kg": ("kg", "estimated refrigerant charge"),
    "compressor_displacement_m3_s": ("m3/s", "compressor displacement at nominal speed"),
    "evaporator_area_m2": ("m2", "area of the evaporator that is costed as evaporator_type"),
    "condenser_area_m2": ("m2", "condenser plate area (one side)"),
    "fan_diameter_m": ("m", "outdoor fan diameter (0: no fan)"),
    "plate_evaporator_area_m2": (
        "m2",
        "second (brazed-plate) evaporator of a twin-source unit (0: none)",
    ),
    "heat_output_rating_W": (
        "W",
        "heat output at the rating point that sizes casing and installation",
    ),
    "backup_heater_W": ("W", "electric back-up heater size"),
    "borehole_length_m": ("m", "active length of each borehole (0: no borefield)"),
    "n_boreholes": ("1", "number of boreholes"),
    "design_load_W": ("W", "design heat load"),
    "capacity_design_W": ("W", "heat pump capacity at the design temperature and flow"),
    "annual_heat_kWh": ("kWh", "annual heat delivered to the building"),
    "annual_electricity_kWh": ("kWh", "annual electricity (heat pump, pumps, back-up)"),
    "seasonal_cop": (
        "1",
        "seasonal figure: EN 14825 SCOP (air, water; objective 'scop') or SPF_H3 of the hourly "
        "lifetime simulation (ground, twin source; objective 'spf')",
    ),
    "sound_power_dBA": (
        "dB(A)",
        "unit sound power L_WA at the rating point (outdoor unit: air, twin source; indoor: water, "
        "ground)",
    ),
    "sound_power_quiet_dBA": ("dB(A)", "outdoor unit sound power in quiet mode (NaN: none)"),
    "unmet_share": (
        "1",
        "share of the annual heat demand not met by heat pump and installed back-up (NaN: not "
        "simulated hourly)",
    ),
    "fluid_margin_K": ("K", "ground loop: limit minus extreme fluid temperature (NaN: no loop)"),
    "annual_fuel_kWh": ("kWh", "annual boiler fuel use of a heat pump + boiler hybrid (0: none)"),
    "boiler_W": ("W", "boiler rated heat output (0: no boiler)"),
}

#: Quantities added after performance records were first stored: name -> value when absent.
_ADDED = {"annual_fuel_kWh": 0.0, "boiler_W": 0.0}


@dataclass(frozen=True, kw_only=True, eq=False)
class Performance:
    """Price- and rule-free result of the physics of one design.

    Attributes
    ----------
    source : str
        Source type (``air``, ``water``, ``ground``, ``twin_source``).
    refrigerant : str
        Refrigerant name.
    evaporator_type : str
        Cost curve of the evaporator: ``finned_air_coil`` or ``brazed_plate``.
    gwp100, lfl_kg_m3, charge_kg, ... : float
        The quantities of :data:`QUANTITIES`, in the units given there.
    metrics : mapping
        Physics diagnostics reported as they are (SCOP 35/55, rating-point COPs, SPFs, fluid
        temperatures, ...), units in :data:`designopt.catalogue.METRICS`.
    electricity_profile_kWh : array (12, 24) or None
        Annual electricity [kWh] by month (January first) and hour of the day (local clock time
        of the weather file) when the design was simulated hour by hour (weather file, ground
        and twin-source cases); it sums to ``annual_electricity_kWh``.  It is the sufficient
        statistic of any price or grid CO2 factor that varies by month and hour of the day
        (time-of-use tariffs, seasonal tariffs, monthly-diurnal CO2 factors); an 8760-hour
        series is reduced to it by :func:`designopt.economics.profiles.month_hour_mean`.
        None for the EN 14825 bin method (no clock time).
    """

    source: str
    refrigerant: str
    evaporator_type: str
    gwp100: float
    lfl_kg_m3: float
    charge_kg: float
    compressor_displacement_m3_s: float
    evaporator_area_m2: float
    condenser_area_m2: float
    fan_diameter_m: float
    plate_evaporator_area_m2: float = 0.0
    heat_output_rating_W: float
    backup_heater_W: float
    borehole_length_m: float = 0.0
    n_boreholes: float = 0.0
    design_load_W: float
    capacity_design_W: float
    annual_heat_kWh: float
    annual_electricity_kWh: float
    seasonal_cop: float
    sound_power_dBA: float
    sound_power_quiet_dBA: float = math.nan
    unmet_share: float = math.nan
    fluid_margin_K: float = math.nan
    annual_fuel_kWh: float = 0.0
    boiler_W: float = 0.0
    metrics: Mapping[str, Any] = field(default_factory=dict)
    electricity_profile_kWh: np.ndarray | None = None

    def quantities(self) -> dict[str, float]:
        """The scalar quantities of :data:`QUANTITIES` as a dict."""
        return {k: float(getattr(self, k)) for k in QUANTITIES}

    def to_record(self) -> dict[str, Any]:
        """A JSON-able mapping (stored with a study's trial; :meth:`from_record` inverts it)."""
        profile = self.electricity_profile_kWh
        return {
            **{k: getattr(self, k) for k in _LABELS},
            **self.quantities(),
            "metrics": {k: float(v) for k, v in self.metrics.items()},
            "electricity_profile_kWh": None if profile is None else profile.tolist(),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Performance:
        """The :class:`Performance` of a :meth:`to_record` mapping."""
        # records of designopt before 2026-12-05 hold a 24-hour profile without months: a
        # month-resolved tariff cannot use it, so it is not read (the design has no profile)
        profile = record.get("electricity_profile_kWh")
        try:
            return cls(
                **{k: str(record[k]) for k in _LABELS},
                **{k: float(record[k] if k in record else _ADDED[k]) for k in QUANTITIES},
                metrics=dict(record.get("metrics", {})),
                electricity_profile_kWh=None if profile is None else _profile(profile),
            )
        except KeyError as exc:
            raise DataFormatError(f"not a Performance record: {exc.args[0]!r} is missing") from None


_LABELS = ("source", "refrigerant", "evaporator_type")


def _profile(values: Any) -> np.ndarray:
    a = np.asarray(values, dtype=float)
    if a.shape != PROFILE_SHAPE:
        raise DataFormatError(f"electricity profile has shape {a.shape}; expected {PROFILE_SHAPE}")
    return a


@dataclass(frozen=True, eq=False)
class PerformanceSet:
    """Performances of many designs as arrays over a ``design`` axis (struct of arrays).

    ``arrays`` holds every quantity of :data:`QUANTITIES` (shape ``(n,)``), ``labels`` the
    string fields (``source``, ``refrigerant``, ``evaporator_type``), ``profile`` the
    electricity by month and hour of day (``(n, 12, 24)`` [kWh], NaN for bin-method designs) and
    ``metrics`` the diagnostics (NaN where a design lacks one).
    """

    arrays: Mapping[str, np.ndarray]
    labels: Mapping[str, np.ndarray]
    profile: np.ndarray
    metrics: Mapping[str, np.ndarray]

    @property
    def size(self) -> int:
        return int(self.profile.shape[0])

    @property
    def has_profile(self) -> np.ndarray:
        """``(n,)`` bool: the design has an electricity profile (was simulated hour by hour)."""
        return ~np.isnan(self.profile).any(axis=(1, 2))

    @classmethod
    def from_performances(cls, items: Sequence[Performance]) -> PerformanceSet:
        if not items:
            raise DataFormatError("a PerformanceSet needs at least one Performance")
        arrays = {k: np.array([float(getattr(p, k)) for p in items]) for k in QUANTITIES}
        labels = {k: np.array([str(getattr(p, k)) for p in items]) for k in _LABELS}
        profile = np.full((len(items), *PROFILE_SHAPE), np.nan)
        for i, p in enumerate(items):
            if p.electricity_profile_kWh is not None:
                profile[i] = p.electricity_profile_kWh
        names = list(dict.fromkeys(k for p in items for k in p.metrics))
        metrics = {
            k: np.array([float(p.metrics.get(k, np.nan)) for p in items], dtype=float)
            for k in names
        }
        return cls(arrays=arrays, labels=labels, profile=profile, metrics=metrics)

    def performance(self, i: int) -> Performance:
        """The :class:`Performance` of design ``i``."""
        profile = self.profile[i]
        kw = {k: float(v[i]) for k, v in self.arrays.items()}
        kw.update({k: str(v[i]) for k, v in self.labels.items()})
        metrics = {k: float(v[i]) for k, v in self.metrics.items() if np.isfinite(v[i])}
        return Performance(
            **kw,
            metrics=metrics,
            electricity_profile_kWh=None if np.isnan(profile).all() else profile.copy(),
        )

    def to_dataset(self, design: Sequence[Any] | None = None):
        """An :class:`xarray.Dataset` over ``design`` with ``units`` and ``long_name`` on every
        variable (write it with ``.to_netcdf('performance.nc')``)."""
        import xarray as xr

        from designopt.catalogue import METRICS

        n = self.size
        coords = {"design": np.arange(n) if design is None else np.asarray(design)}
        ds = xr.Dataset(coords=coords)
        for k, a in self.arrays.items():
            unit, long_name = QUANTITIES[k]
            ds[k] = ("design", a, {"units": unit, "long_name": long_name})
        for k, a in self.labels.items():
            ds[k] = ("design", a.astype(str), {"units": "1", "long_name": k.replace("_", " ")})
        ds["electricity_profile"] = (
            ("design", "month", "hour_of_day"),
            self.profile,
            {
                "units": "kWh",
                "long_name": "annual electricity by month and hour of the day (NaN: EN 14825 bin "
                "season, no clock time)",
            },
        )
        ds = ds.assign_coords(month=np.arange(1, MONTHS + 1), hour_of_day=np.arange(HOURS_OF_DAY))
        ds["month"].attrs = {"units": "1", "long_name": "month of the year (1: January)"}
        ds["hour_of_day"].attrs = {
            "units": "h",
            "long_name": "hour of the day (local clock time of the weather file)",
        }
        for k, a in self.metrics.items():
            unit, long_name = METRICS.get(k, ("1", k.replace("_", " ")))
            ds[f"metric_{k}"] = ("design", a, {"units": unit, "long_name": long_name})
        ds.attrs["content"] = "designopt Performance set (price-free physics of designs)"
        return ds

    @classmethod
    def from_dataset(cls, ds) -> PerformanceSet:
        """The inverse of :meth:`to_dataset`."""
        missing = [
            k
            for k in (*QUANTITIES, *_LABELS, "electricity_profile")
            if k not in ds and k not in _ADDED
        ]
        if missing == ["electricity_profile"] and "electricity_by_hour" in ds:
            raise DataFormatError(
                "this performance.nc was written by an older designopt (electricity by hour of"
                " day only); rerun the same `designopt run` command to rewrite it"
            )
        if missing:
            raise DataFormatError(f"not a designopt Performance set: {missing} are missing")
        n = ds.sizes["design"]
        arrays = {
            k: np.asarray(ds[k].values, float) if k in ds else np.full(n, _ADDED[k])
            for k in QUANTITIES
        }
        labels = {k: np.asarray(ds[k].values).astype(str) for k in _LABELS}
        metrics = {
            k[len("metric_") :]: np.asarray(ds[k].values, float)
            for k in ds.data_vars
            if k.startswith("metric_")
        }
        profile = np.asarray(ds["electricity_profile"].values, float)
        if profile.shape[1:] != PROFILE_SHAPE:
            raise DataFormatError(
                f"electricity_profile has shape {profile.shape}; expected (n, *{PROFILE_SHAPE})"
            )
        return cls(arrays=arrays, labels=labels, profile=profile, metrics=metrics)


def _check_fields() -> None:  # QUANTITIES and the dataclass must name the same things
    names = {f.name for f in fields(Performance)} - {*_LABELS, "metrics", "electricity_profile_kWh"}
    assert names == set(QUANTITIES), names ^ set(QUANTITIES)


_check_fields()

"""A tender specification: requirements a certified product is checked against.

A :class:`Spec` is a list of :class:`Requirement` plus the context they were written for (unit
type, climate, application, date).  Each requirement names a quantity of :data:`QUANTITIES` (the
vocabulary shared with the product check, :mod:`designopt.tender.check`), a comparison and a
limit in the quantity's unit, the test point and standard, the certificate field that proves it,
the acceptance-test tolerance, where it comes from (the design's margin, a law, a funding rule,
the case, the tender writer) with its source and effective date, and whether that source was
verified.  ``spec.toml`` is the machine-readable form (:func:`write_spec_toml`,
:func:`read_spec`).
"""

from __future__ import annotations

import datetime as _dt
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from designopt.errors import DataFormatError

__all__ = [
    "OPS",
    "ORIGINS",
    "QUANTITIES",
    "Quantity",
    "Requirement",
    "Spec",
    "compare",
    "read_spec",
    "spec_to_toml",
    "write_spec_toml",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Quantity:
    """A quantity a requirement can limit.

    ``column``: the column of the normalised product table (:mod:`designopt.tender.products`);
    ``field``: the certificate field that proves it; ``plausible``: values outside are read as a
    unit mistake (the row is not checkable for it).
    """

    unit: str
    long_name: str
    standard: str
    field: str
    plausible: tuple[float, float]
    per_record: bool = True  # depends on the climate/application record (EN 14825)


#: The quantities of a spec (name -> :class:`Quantity`).
QUANTITIES: dict[str, Quantity] = {
    "prated_kW": Quantity(
        "kW",
        "rated heat output Prated (= Pdesignh at the climate's design temperature)",
        "EN 14825",
        "Keymark EN14825_002 (Prated)",
        (0.5, 1000.0),
    ),
    "scop": Quantity(
        "1",
        "seasonal coefficient of performance SCOP",
        "EN 14825",
        "Keymark EN14825_003 (SCOP)",
        (1.0, 10.0),
    ),
    "eta_s_pct": Quantity(
        "%",
        "seasonal space heating energy efficiency ηs",
        "EN 14825 / Regulation 813/2013 Annex III",
        "Keymark EN14825_001 (ηs)",
        (30.0, 400.0),
    ),
    "tol_degC": Quantity(
        "degC",
        "operation limit temperature TOL",
        "EN 14825",
        "Keymark EN14825_005 (TOL)",
        (-45.0, 20.0),
    ),
    "pdh_p12_kW": Quantity(
        "kW",
        "declared capacity at point D (+12 degC, part load): how far the unit modulates down",
        "EN 14825",
        "Keymark EN14825_014 (Pdh at +12 degC)",
        (0.05, 1000.0),
    ),
    "sound_power_outdoor_dBA": Quantity(
        "dB(A)",
        "outdoor sound power level L_WA",
        "EN 12102-1",
        "Keymark EN12102_1_002 (L_WA outdoor)",
        (20.0, 120.0),
        per_record=False,
    ),
    "sound_power_indoor_dBA": Quantity(
        "dB(A)",
        "indoor sound power level L_WA",
        "EN 12102-1",
        "Keymark EN12102_1_001 (L_WA indoor)",
        (15.0, 120.0),
        per_record=False,
    ),
    "gwp": Quantity(
        "1",
        "refrigerant GWP100 (AR4, Regulation (EU) 2024/573 Annex I)",
        "Regulation (EU) 2024/573",
        "certificate/nameplate: refrigerant (GWP from Annex I)",
        (0.0, 25000.0),
        per_record=False,
    ),
    "fluorinated": Quantity(
        "1",
        "refrigerant is a fluorinated greenhouse gas (1) or not (0)",
        "Regulation (EU) 2024/573",
        "certificate/nameplate: refrigerant",
        (0.0, 1.0),
        per_record=False,
    ),
    "charge_kg": Quantity(
        "kg",
        "refrigerant charge",
        "IEC 60335-2-40",
        "certificate/nameplate: mass of refrigerant",
        (0.01, 1000.0),
        per_record=False,
    ),
    "cop_5F": Quantity(
        "1",
        "COP at 5 degF (-15 degC) outdoor, maximum capacity",
        "AHRI 210/240 (ENERGY STAR cold climate)",
        "AHRI/NEEP listing: COP at 5 degF",
        (0.5, 10.0),
        per_record=False,
    ),
    "capacity_ratio_5F_47F": Quantity(
        "1",
        "heating capacity at 5 degF over the capacity at 47 degF",
        "AHRI 210/240 (ENERGY STAR cold climate)",
        "AHRI/NEEP listing: capacity at 5 degF and 47 degF",
        (0.05, 3.0),
        per_record=False,
    ),
}

#: EN 14511-2 rating points by source: (name, source inlet [degC], water outlet [degC]).
RATING_POINTS: dict[str, tuple[tuple[str, float, float], ...]] = {
    "air": (
        ("A7W35", 7.0, 35.0),
        ("A2W35", 2.0, 35.0),
        ("A-7W35", -7.0, 35.0),
        ("A-7W55", -7.0, 55.0),
    ),
    "water": (("W10W35", 10.0, 35.0), ("W10W55", 10.0, 55.0)),
    "ground": (("B0W35", 0.0, 35.0), ("B0W55", 0.0, 55.0)),
}
RATING_POINTS["twin_source"] = RATING_POINTS["ground"] + RATING_POINTS["air"]
for _pts in RATING_POINTS.values():
    for _name, _ts, _tw in _pts:
        _label = _name.replace("W", "/W", 1) if not _name.startswith("W") else "W10/W" + _name[4:]
        QUANTITIES.setdefault(
            f"heat_{_name}_kW",
            Quantity(
                "kW",
                f"heat output at {_label} (full load)",
                "EN 14511-2",
                f"certificate EN 14511 section: heating capacity at {_label}",
                (0.1, 2000.0),
                per_record=False,
            ),
        )
        QUANTITIES.setdefault(
            f"cop_{_name}",
            Quantity(
                "1",
                f"COP at {_label} (full load)",
                "EN 14511-2",
                f"certificate EN 14511 section: COP at {_label}",
                (0.5, 15.0),
                per_record=False,
            ),
        )

#: Comparisons a requirement may use.
OPS = (">=", "<=", ">", "<")
#: Where a requirement comes from.
ORIGINS = ("design margin", "case", "law", "funding rule", "writer")


def compare(value: Any, op: str, limit: Any):
    """``value op limit`` (numpy-broadcast); NaN compares False."""
    if op == ">=":
        return value >= limit
    if op == "<=":
        return value <= limit
    if op == ">":
        return value > limit
    if op == "<":
        return value < limit
    raise DataFormatError(f"op={op!r} is not one of {list(OPS)}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Requirement(_Model):
    """One requirement of a spec (see the module docstring)."""

    id: str = Field(min_length=1, max_length=100)
    quantity: str
    op: Literal[">=", "<=", ">", "<"]
    limit: float
    unit: str = ""
    climate: Literal["average", "colder", "warmer"] | None = None
    application_C: Literal[35, 55] | None = None
    test_point: str = ""
    standard: str = ""
    certificate_field: str = ""
    tolerance: float = Field(0.0, ge=0.0)
    tolerance_note: str = ""
    origin: Literal["design margin", "case", "law", "funding rule", "writer"] = "writer"
    source: str = ""
    url: str = ""
    effective: _dt.date | None = None
    verified: bool = True
    bands_kW: tuple[float, ...] | None = None
    band_limits: tuple[float, ...] | None = None
    design_value: float | None = None
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        q = QUANTITIES.get(str(data.get("quantity")))
        if q is None:
            raise ValueError(
                f"quantity={data.get('quantity')!r} is unknown; valid: {sorted(QUANTITIES)}"
            )
        data = dict(data)
        unit = data.get("unit") or q.unit
        if unit != q.unit:
            raise ValueError(
                f"unit={unit!r} is not the unit of quantity {data['quantity']!r}; give {q.unit!r}"
            )
        data["unit"] = unit
        data.setdefault("standard", q.standard)
        data.setdefault("certificate_field", q.field)
        data.setdefault("id", str(data["quantity"]))
        return data

    @model_validator(mode="after")
    def _check(self) -> Requirement:
        if (self.bands_kW is None) != (self.band_limits is None):
            raise ValueError("bands_kW and band_limits go together")
        if self.bands_kW is not None and len(self.bands_kW) != len(self.band_limits or ()):
            raise ValueError(
                f"bands_kW has {len(self.bands_kW)} upper bounds but band_limits "
                f"{len(self.band_limits or ())} limits"
            )
        lo, hi = QUANTITIES[self.quantity].plausible
        if not (lo <= self.limit <= hi):
            raise ValueError(
                f"limit={self.limit} {self.unit} of {self.quantity!r} is outside the plausible "
                f"range {lo}-{hi} {self.unit}: a wrong unit?"
            )
        return self

    @property
    def banded(self) -> bool:
        return self.bands_kW is not None

    def band_limit(self, prated_kW: Any):
        """The limit for products of rated heat output ``prated_kW`` (NaN above the top band)."""
        import numpy as np

        p = np.asarray(prated_kW, dtype=float)
        if not self.banded:
            return np.full(p.shape, self.limit)[()]
        edges = np.asarray(self.bands_kW, float)
        lims = np.append(np.asarray(self.band_limits, float), np.nan)
        idx = np.searchsorted(edges, p, side="left")  # p <= edge belongs to that band
        out = lims[np.minimum(idx, len(edges))]
        return np.where(np.isfinite(p), out, np.nan)[()]

    def text(self) -> str:
        """A one-line statement: ``SCOP (average, 55 degC) >= 3.20``."""
        where = []
        if self.climate:
            where.append(self.climate)
        if self.application_C:
            where.append(f"{self.application_C} degC")
        w = f" ({', '.join(where)})" if where else ""
        lim = f"{self.limit:g}" if not self.banded else f"{self.limit:g} (band of the product)"
        unit = "" if self.unit == "1" else f" {self.unit}"
        return f"{self.quantity}{w} {self.op} {lim}{unit}"


class Spec(_Model):
    """A tender specification (``spec.toml``)."""

    schema_: int = Field(SCHEMA_VERSION, alias="schema")
    title: str = "Heat pump tender specification"
    date: _dt.date
    created: str = ""
    hp_type: Literal["air/water", "brine/water", "water/water"] = "air/water"
    source_type: str = "air"
    climate: Literal["average", "colder", "warmer"] = "average"
    application_C: Literal[35, 55] = 55
    construction: Literal["monobloc", "split"] = "monobloc"
    design_load_kW: float | None = Field(None, gt=0)
    rule_sets: tuple[str, ...] = ()
    provenance: dict[str, str] = Field(default_factory=dict)
    design: dict[str, float] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = Field(min_length=1)

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True
    )

    @model_validator(mode="after")
    def _unique(self) -> Spec:
        seen: set[str] = set()
        for r in self.requirements:
            if r.id in seen:
                raise ValueError(f"requirement id {r.id!r} appears twice; ids must be unique")
            seen.add(r.id)
        return self

    def requirement(self, rid: str) -> Requirement:
        for r in self.requirements:
            if r.id == rid:
                return r
        raise KeyError(rid)

    def unverified(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.verified]


def read_spec(path: str | Path) -> Spec:
    """Read ``spec.toml`` (or a spec folder holding it); a clear error names the bad field."""
    path = Path(path)
    if path.is_dir():
        path = path / "spec.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFormatError(f"spec file {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFormatError(f"{str(path)!r} is not valid TOML: {exc}") from None
    return spec_from_mapping(data, str(path))


def spec_from_mapping(data: dict[str, Any], where: str = "spec") -> Spec:
    """Validate a spec mapping (``[[requirement]]`` is the list of requirements)."""
    data = dict(data)
    if "requirement" in data:
        data["requirements"] = data.pop("requirement")
    try:
        return Spec.model_validate(data)
    except ValidationError as exc:
        raise DataFormatError(f"{where}: {_format(exc, data)}") from None


def _format(exc: ValidationError, data: dict[str, Any]) -> str:
    parts = []
    for e in exc.errors():
        loc = list(e["loc"])
        if len(loc) >= 2 and loc[0] == "requirements" and isinstance(loc[1], int):
            reqs = data.get("requirements") or []
            rid = (
                reqs[loc[1]].get("id", reqs[loc[1]].get("quantity")) if loc[1] < len(reqs) else "?"
            )
            name = f"[[requirement]] #{loc[1] + 1} ({rid!r})" + (
                f" field {'.'.join(map(str, loc[2:]))}" if len(loc) > 2 else ""
            )
        else:
            name = ".".join(map(str, loc)) or "spec"
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{name}: {msg}")
    return "; ".join(parts)


# -- writing TOML (flat values, one array of tables) -----------------------------------------


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise DataFormatError(f"{v} cannot be written to a spec")
        return repr(float(v))
    if isinstance(v, (_dt.date,)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else _toml_value(k)


def spec_to_toml(spec: Spec) -> str:
    """``spec.toml`` text (read back by :func:`read_spec`)."""
    d = spec.model_dump(by_alias=True, exclude_none=True)
    reqs = d.pop("requirements")
    out = [
        "# designopt tender specification (re-read by `designopt tender check`); docs/tender.md",
    ]
    tables = {k: d.pop(k) for k in ("provenance", "design") if k in d}
    for k, v in d.items():
        out.append(f"{_key(k)} = {_toml_value(v)}")
    for name, table in tables.items():
        out.append(f"\n[{name}]")
        for k, v in table.items():
            out.append(f"{_key(k)} = {_toml_value(v)}")
    for r in reqs:
        out.append("\n[[requirement]]")
        for k, v in r.items():
            if v == "" and k not in ("id", "quantity"):
                continue
            out.append(f"{_key(k)} = {_toml_value(v)}")
    return "\n".join(out) + "\n"


def write_spec_toml(spec: Spec, path: Path) -> Path:
    path.write_text(spec_to_toml(spec), encoding="utf-8")
    return path

"""Laws and funding rules as dated, cited data (``designopt/tender/rules/*.toml``).

A rule set is a TOML file with a ``[rule_set]`` table (name, title, kind ``law`` or
``funding rule``, jurisdiction, the date its lines were last checked) and ``[[line]]`` entries.
A line limits one quantity of :data:`designopt.tender.spec.QUANTITIES` with ``limit`` or, by
rated heat output, ``bands_kW`` / ``band_limits``, or, as label classes, ``classes`` /
``class_limits``; it holds from ``effective`` (to ``until``, inclusive), may be restricted to an
application (``application_C``), unit types (``hp_type``), constructions (``construction``) and
sizes (``prated_kW_max``), and carries its ``source``, ``url``, ``verified`` flag and ``note``.

The user overrides lines with a file of the same format (:func:`load_rule_sets` ``overrides``):
a line with the id of a packaged line replaces it; a new id adds a line to its rule set.
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from designopt.errors import ConfigurationError, DataFormatError
from designopt.tender.spec import QUANTITIES, Requirement

__all__ = [
    "RULE_SETS",
    "RuleLine",
    "RuleSet",
    "label_class",
    "load_rule_sets",
    "requirements_from_rules",
]

#: The packaged rule sets (file stems of ``designopt/tender/rules``).
RULE_SETS = ("ecodesign", "label", "fgas", "beg", "bus", "energy_star")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RuleLine(_Model):
    id: str
    quantity: str
    op: Literal[">=", "<=", ">", "<"]
    limit: float | None = None
    bands_kW: tuple[float, ...] | None = None
    band_limits: tuple[float, ...] | None = None
    classes: tuple[str, ...] | None = None
    class_limits: tuple[float, ...] | None = None
    application_C: Literal[35, 55] | None = None
    hp_type: tuple[str, ...] | None = None
    construction: tuple[Literal["monobloc", "split"], ...] | None = None
    prated_kW_max: float | None = Field(None, gt=0)
    effective: _dt.date
    until: _dt.date | None = None
    source: str = Field(min_length=1)
    url: str = ""
    verified: bool
    note: str = ""
    rule_set: str = ""

    @model_validator(mode="after")
    def _one_limit(self) -> RuleLine:
        kinds = [self.limit is not None, self.bands_kW is not None, self.classes is not None]
        if sum(kinds) != 1:
            raise ValueError(
                "give exactly one of limit, bands_kW/band_limits, classes/class_limits"
            )
        if self.quantity not in QUANTITIES:
            raise ValueError(f"quantity={self.quantity!r} is unknown; valid: {sorted(QUANTITIES)}")
        if self.classes is not None and len(self.classes) != len(self.class_limits or ()):
            raise ValueError("classes and class_limits must have the same length")
        return self

    def in_force(self, date: _dt.date) -> bool:
        return self.effective <= date and (self.until is None or date <= self.until)


class RuleSet(_Model):
    name: str
    title: str
    kind: Literal["law", "funding rule"]
    jurisdiction: str = ""
    checked: _dt.date | None = None
    lines: tuple[RuleLine, ...]


def _parse(text: str, where: str) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFormatError(f"rule file {where}: not valid TOML: {exc}") from None
    head = data.get("rule_set")
    if not isinstance(head, dict):
        raise DataFormatError(f"rule file {where}: a [rule_set] table is required")
    try:
        lines = tuple(
            RuleLine.model_validate({**ln, "rule_set": head.get("name", "")})
            for ln in data.get("line", [])
        )
        return RuleSet.model_validate({**head, "lines": lines})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DataFormatError(
            f"rule file {where}: {'.'.join(map(str, first['loc']))}: "
            f"{first['msg'].removeprefix('Value error, ')}"
        ) from None


def load_rule_sets(
    names: list[str] | tuple[str, ...], overrides: str | Path | None = None
) -> dict[str, RuleSet]:
    """The named packaged rule sets, with the lines of ``overrides`` replacing or adding."""
    out: dict[str, RuleSet] = {}
    for name in names:
        if name not in RULE_SETS:
            raise ConfigurationError(f"rule set {name!r} is unknown; valid: {list(RULE_SETS)}")
        text = resources.files("designopt.tender").joinpath(f"rules/{name}.toml").read_text("utf-8")
        out[name] = _parse(text, f"designopt/tender/rules/{name}.toml")
    if overrides is not None:
        p = Path(overrides)
        try:
            extra = _parse(p.read_text(encoding="utf-8"), str(p))
        except FileNotFoundError:
            raise DataFormatError(f"rule file {str(p)!r} does not exist") from None
        base = out.get(extra.name)
        if base is None:
            out[extra.name] = extra
        else:
            new = {ln.id: ln for ln in base.lines}
            new.update({ln.id: ln for ln in extra.lines})
            out[extra.name] = base.model_copy(update={"lines": tuple(new.values())})
    return out


def label_class(eta_s_pct: float, line: RuleLine) -> str:
    """The label class of ``eta_s_pct`` under a classes line (``G`` below the last bound)."""
    for cls, lo in zip(line.classes or (), line.class_limits or (), strict=True):
        if eta_s_pct >= lo:
            return cls
    return "G"


def requirements_from_rules(
    rule_sets: dict[str, RuleSet],
    *,
    date: _dt.date,
    hp_type: str,
    application_C: int,
    climate: str,
    construction: str,
    prated_kW: float | None,
    label_min: str | None = None,
    design_eta_s_pct: float | None = None,
) -> tuple[list[Requirement], list[str]]:
    """The requirements of the lines in force on ``date`` that apply to the unit.

    Label classes: the requirement is "class ``label_min`` or better" (default: the class of
    ``design_eta_s_pct``).  Returns the requirements and notes on lines left out and why.
    """
    reqs: list[Requirement] = []
    notes: list[str] = []
    for rs in rule_sets.values():
        for ln in rs.lines:
            why = _not_applicable(ln, date, hp_type, application_C, construction, prated_kW)
            if why:
                notes.append(f"{rs.name} line {ln.id!r} left out: {why}")
                continue
            kw: dict[str, Any] = {
                "id": ln.id,
                "quantity": ln.quantity,
                "op": ln.op,
                "origin": rs.kind,
                "source": ln.source,
                "url": ln.url,
                "effective": ln.effective,
                "verified": ln.verified,
                "note": ln.note,
            }
            if QUANTITIES[ln.quantity].per_record:
                kw.update(climate=climate, application_C=application_C)
            if ln.classes is not None:
                target = label_min or (
                    label_class(design_eta_s_pct, ln) if design_eta_s_pct is not None else None
                )
                if target is None:
                    notes.append(f"{rs.name} line {ln.id!r} left out: no label class asked for")
                    continue
                if target not in ln.classes:
                    raise ConfigurationError(
                        f"label class {target!r} is not one of {list(ln.classes)} (class G has no "
                        "lower bound)"
                    )
                kw["limit"] = ln.class_limits[ln.classes.index(target)]  # type: ignore[index]
                kw["note"] = f"energy label class {target} or better. " + ln.note
            elif ln.bands_kW is not None:
                kw["bands_kW"] = ln.bands_kW
                kw["band_limits"] = ln.band_limits
                probe = Requirement(**{**kw, "limit": ln.band_limits[0]})  # type: ignore[index]
                lim = probe.band_limit(prated_kW) if prated_kW is not None else ln.band_limits[0]  # type: ignore[index]
                kw["limit"] = float(lim)
            else:
                kw["limit"] = ln.limit
            reqs.append(Requirement(**kw))
    return reqs, notes


def _not_applicable(ln, date, hp_type, application_C, construction, prated_kW) -> str:
    if not ln.in_force(date):
        span = f"from {ln.effective}" + (f" to {ln.until}" if ln.until else "")
        return f"in force {span}, not on {date}"
    if ln.application_C is not None and ln.application_C != application_C:
        return (
            f"applies to the {ln.application_C} degC application, the spec is {application_C} degC"
        )
    if ln.hp_type is not None and hp_type not in ln.hp_type:
        return f"applies to {list(ln.hp_type)}, the unit is {hp_type}"
    if ln.construction is not None and construction not in ln.construction:
        return f"applies to {list(ln.construction)} units, the unit is {construction}"
    if ln.prated_kW_max is not None and prated_kW is not None and prated_kW > ln.prated_kW_max:
        return f"applies up to {ln.prated_kW_max:g} kW, the unit is {prated_kW:g} kW"
    return ""

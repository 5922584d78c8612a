"""From a chosen design (or a writer's own minimums) to a :class:`~designopt.tender.spec.Spec`.

Named steps, each adding requirements:

1. :func:`design_quantities` -- the design's values in the spec's vocabulary (SCOP and ηs at
   35/55 degC, EN 14511 rating points, sound power, refrigerant, charge);
2. capacity from the case (Pdesignh at least the design heat load, at most ``oversize`` times it);
3. design-margin requirements: what the design achieves, less ``margin`` (rounded towards the
   design, so that the design always meets its own spec);
4. outdoor noise from the case's receivers: the largest L_WA that meets every receiver
   (:func:`designopt.noise.max_sound_power`, the inverse of the study's noise constraint);
5. the case's policy: GWP cap, charge limit;
6. laws and funding rules in force on the tender date (:mod:`designopt.tender.rules`);
7. the design checked against the whole spec (a design that breaks a law is noted).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from designopt.errors import ConfigurationError
from designopt.tender.rules import load_rule_sets, requirements_from_rules
from designopt.tender.spec import QUANTITIES, RATING_POINTS, Requirement, Spec, compare

__all__ = [
    "DEFAULT_TOLERANCES",
    "DesignValues",
    "NOT_FLUORINATED",
    "design_quantities",
    "fluorinated",
    "rating_points",
    "spec_from_design",
    "spec_from_requirements",
]

#: Refrigerants that are not fluorinated greenhouse gases (Regulation (EU) 2024/573 Annex I-III
#: list fluorinated substances; hydrocarbons, ammonia and CO2 are not among them).
NOT_FLUORINATED = frozenset({"R290", "R600A", "R600", "R1270", "R717", "R744"})

#: Acceptance-test tolerances a spec states by default (the designopt authors' choice, not a
#: standard's): a measured value may fall short of the limit by at most this much.  Declared
#: certificate values are compared with the limit itself.  Override per requirement.
DEFAULT_TOLERANCES: dict[str, tuple[float, str]] = {
    "sound_power_outdoor_dBA": (1.0, "measured L_WA at most the limit plus 1.0 dB"),
    "sound_power_indoor_dBA": (1.0, "measured L_WA at most the limit plus 1.0 dB"),
}

#: Acceptance-test tolerance of heat output and COP at the rating points, relative to the limit
#: (the designopt authors' choice; EN 14511's own test tolerances are looser).
ACCEPTANCE_RELATIVE = 0.05

#: Decimal places a limit of each quantity is stated with.
_DECIMALS = {"scop": 2, "eta_s_pct": 0, "prated_kW": 1, "charge_kg": 2, "gwp": 0}


def fluorinated(refrigerant: str) -> float:
    """1.0 for a fluorinated refrigerant, 0.0 for R290, R600a, R1270, R717, R744; NaN if empty."""
    name = str(refrigerant).strip().upper()
    if not name or name in ("NAN", "NONE", "OTHER"):
        return math.nan
    return 0.0 if name in NOT_FLUORINATED else 1.0


@dataclass
class DesignValues:
    """A design's values in the spec's vocabulary (quantity -> value) and what produced them."""

    source_type: str
    refrigerant: str
    values: dict[str, float]
    origin: str  # e.g. "study results/ashp trial 12"
    parameters: dict[str, Any] = field(default_factory=dict)


def rating_points(params: dict[str, Any], case) -> dict[str, float]:
    """Heat output [kW] and COP at the EN 14511-2 rating points of the case's source (nominal
    speed, as the study's ``heat_A7W35_kW``), from the design's performance map."""
    from designopt.cycle import performance_map
    from designopt.evaluate import heat_pump_design, resolve
    from designopt.evaluate.mapview import at_point

    src = str(case.source.type)
    pts = RATING_POINTS.get(src, ())
    if not pts:
        return {}
    hp = heat_pump_design(resolve(params, case), case)
    k = 273.15
    t_src = np.unique([p[1] for p in pts]) + k
    t_sink = np.unique([p[2] for p in pts]) + k
    pmap = performance_map(hp, t_src, t_sink, np.array([1.0]))
    out = {}
    for name, ts, tw in pts:
        q = at_point(pmap, "heat_output", ts + k, tw + k, 1.0)
        c = at_point(pmap, "cop", ts + k, tw + k, 1.0)
        if math.isfinite(q) and math.isfinite(c):
            out[f"heat_{name}_kW"] = q / 1e3
            out[f"cop_{name}"] = c
    return out


def design_quantities(
    metrics: dict[str, Any], *, source_type: str, refrigerant: str, case
) -> dict[str, float]:
    """The design's values in the spec's vocabulary from its evaluation metrics."""
    from designopt.seasonal.en14825 import eta_s_pct

    v: dict[str, float] = {}

    def num(key):
        x = metrics.get(key)
        try:
            x = float(x)
        except (TypeError, ValueError):
            return math.nan
        return x

    v["prated_kW"] = float(case.building.design_heat_load_kW)
    for app in (35, 55):
        s = num(f"scop_{app}")
        if math.isfinite(s):
            v[f"scop@{app}"] = s
            v[f"eta_s_pct@{app}"] = float(eta_s_pct(s, source_type))
    lw = num("sound_power_dBA")
    if math.isfinite(lw):
        outdoor = source_type in ("air", "twin_source")
        v["sound_power_outdoor_dBA" if outdoor else "sound_power_indoor_dBA"] = lw
    for key in ("gwp", "charge_kg"):
        x = num(key)
        if math.isfinite(x):
            v[key] = x
    f = fluorinated(refrigerant)
    if math.isfinite(f):
        v["fluorinated"] = f
    for key in metrics:
        if key.startswith(("heat_", "cop_")) and key in QUANTITIES:
            xv = num(key)
            if math.isfinite(xv):
                v[key] = xv
    return v


def _round(x: float, decimals: int, op: str) -> float:
    f = 10.0**decimals
    if op in (">=", ">"):
        return math.floor(x * f + 1e-9) / f
    return math.ceil(x * f - 1e-9) / f


def _decimals(q: str) -> int:
    if q in _DECIMALS:
        return _DECIMALS[q]
    if q.startswith("heat_"):
        return 1
    if q.startswith("cop_"):
        return 2
    return 1


def _tolerance(q: str) -> tuple[float, str]:
    if q in DEFAULT_TOLERANCES:
        return DEFAULT_TOLERANCES[q]
    return 0.0, "declared certificate value; no acceptance-test tolerance"


def spec_from_design(
    design: DesignValues,
    case,
    *,
    date: _dt.date,
    rule_sets: tuple[str, ...] = ("ecodesign", "label", "fgas"),
    rules_file=None,
    margin: float = 0.05,
    oversize: float = 1.5,
    construction: str = "monobloc",
    label_min: str | None = None,
    title: str | None = None,
) -> Spec:
    """The spec of a design of ``case`` (see the module docstring for the steps)."""
    if not (0.0 <= margin < 0.5):
        raise ConfigurationError(f"margin={margin} must lie in [0, 0.5) (a fraction, 0.05 = 5 %)")
    if not oversize >= 1.0:
        raise ConfigurationError(f"oversize={oversize} must be >= 1 (Prated up to oversize x load)")
    from designopt.case import EMITTER_FLOW_DEGC

    climate = str(case.site.climate.value)
    application = int(EMITTER_FLOW_DEGC[case.building.emitter])
    src = str(case.source.type)
    hp_type = {"air": "air/water", "water": "water/water"}.get(src, "brine/water")
    load = float(case.building.design_heat_load_kW)
    vals = design.values
    reqs: list[Requirement] = []
    notes: list[str] = []
    rec = {"climate": climate, "application_C": application}

    # 2. capacity from the case
    t_design = case.design_temperature_degC
    reqs.append(
        Requirement(
            id="capacity-design-load",
            quantity="prated_kW",
            op=">=",
            limit=round(load, 2),
            **rec,
            test_point=f"Tdesignh {t_design:g} degC, {application} degC flow",
            origin="case",
            source=f"case {case.name!r}: design heat load {load:g} kW at {t_design:g} degC",
            design_value=load,
        )
    )
    reqs.append(
        Requirement(
            id="capacity-not-oversized",
            quantity="prated_kW",
            op="<=",
            limit=round(oversize * load, 2),
            **rec,
            test_point=f"Tdesignh {t_design:g} degC, {application} degC flow",
            origin="writer",
            source=f"at most {oversize:g} x the design heat load (oversizing limit of this spec)",
            design_value=load,
        )
    )
    # 3. design margin
    keep = 1.0 - margin
    for app in (35, 55):
        for q in ("scop", "eta_s_pct"):
            x = vals.get(f"{q}@{app}")
            if x is None:
                continue
            reqs.append(
                Requirement(
                    id=f"{q.replace('_pct', '')}-{app}",
                    quantity=q,
                    op=">=",
                    limit=_round(x * keep, _decimals(q), ">="),
                    climate=climate,
                    application_C=app,
                    test_point=f"{climate} climate, {app} degC application",
                    origin="design margin",
                    source=f"{design.origin}: {x:.3g} less {margin:.0%}",
                    design_value=x,
                )
            )
    for name, ts, tw in RATING_POINTS.get(src, ()):
        for q in (f"heat_{name}_kW", f"cop_{name}"):
            if q not in vals:
                continue
            limit = _round(vals[q] * keep, _decimals(q), ">=")
            reqs.append(
                Requirement(
                    id=q.replace("_kW", "").replace("_", "-"),
                    quantity=q,
                    op=">=",
                    limit=limit,
                    test_point=f"source {ts:g} degC, water outlet {tw:g} degC, full load",
                    origin="design margin",
                    source=f"{design.origin}: {vals[q]:.3g} less {margin:.0%} (nominal speed)",
                    design_value=vals[q],
                    tolerance=round(ACCEPTANCE_RELATIVE * limit, 2),
                    tolerance_note=f"acceptance test: measured at least the limit less "
                    f"{ACCEPTANCE_RELATIVE:.0%}",
                )
            )
    # 4. noise from the receivers
    outdoor = src in ("air", "twin_source")
    if outdoor and case.noise.receivers:
        from designopt import noise
        from designopt.evaluate import case_receivers

        rs = case_receivers(case)
        lim = noise.max_sound_power(rs)
        names = ", ".join(
            f"{r.name} {r.distance_m:g} m ({r.method or 'mcs020a'}, limit "
            f"{float(lv):.1f} dB(A) reached {float(lv) + float(m):.1f})"
            for r, lv, m in zip(
                rs,
                np.asarray(lim.level_dBA) - np.asarray(lim.margin_dB),
                lim.margin_dB,
                strict=True,
            )
        )
        tol, tnote = _tolerance("sound_power_outdoor_dBA")
        if not math.isfinite(lim.lwa_dBA):
            notes.append("no sound power meets the case's receivers (background at the limit)")
        else:
            reqs.append(
                Requirement(
                    id="noise-receivers",
                    quantity="sound_power_outdoor_dBA",
                    op="<=",
                    limit=lim.lwa_dBA,
                    test_point="EN 12102-1 rating, maximum declared (never a quiet mode)",
                    origin="case",
                    source=f"case {case.name!r} receivers inverted: {names}; worst "
                    f"{rs[lim.worst].name!r}",
                    design_value=vals.get("sound_power_outdoor_dBA"),
                    tolerance=tol,
                    tolerance_note=tnote,
                )
            )
    # 5. policy
    pol = case.policy
    if pol.gwp_cap is not None:
        reqs.append(
            Requirement(
                id="gwp-cap",
                quantity="gwp",
                op="<=",
                limit=float(pol.gwp_cap),
                origin="case",
                source=f"case {case.name!r}: policy.gwp_cap",
                design_value=vals.get("gwp"),
            )
        )
    charge = vals.get("charge_kg")
    if charge is not None:
        from designopt.economics.charge import charge_limit, lfl_of

        lfl = lfl_of(design.refrigerant)
        if pol.room_area_m2 is not None:
            limit_kg = float(charge_limit(lfl_kg_m3=lfl, room_area_m2=pol.room_area_m2))
            where = f"indoor, room {pol.room_area_m2:g} m2 (IEC 60335-2-40 Annex GG)"
        else:
            limit_kg = float(charge_limit(lfl_kg_m3=lfl, outdoor=True))
            where = "refrigerant circuit outdoors (IEC 60335-2-40: 130 m3 x LFL)"
        if pol.charge_limit_kg is not None:
            limit_kg = min(limit_kg, float(pol.charge_limit_kg))
            where += f", case cap {pol.charge_limit_kg:g} kg"
        if math.isfinite(limit_kg):
            reqs.append(
                Requirement(
                    id="charge-limit",
                    quantity="charge_kg",
                    op="<=",
                    limit=_round(limit_kg, 2, "<="),
                    origin="law",
                    source=f"IEC 60335-2-40 flammable charge limit for {design.refrigerant}: {where}",
                    verified=False,
                    note="edition 6 (2018) formula as in designopt.economics.charge; edition 7 "
                    "(2022) revised Annex GG",
                    design_value=charge,
                )
            )
    # 6. laws and funding rules
    sets = load_rule_sets(list(rule_sets), rules_file)
    rule_reqs, rule_notes = requirements_from_rules(
        sets,
        date=date,
        hp_type=hp_type,
        application_C=application,
        climate=climate,
        construction=construction,
        prated_kW=load,
        label_min=label_min,
        design_eta_s_pct=vals.get(f"eta_s_pct@{application}"),
    )
    reqs.extend(_with_design_values(rule_reqs, vals, application))
    notes.extend(rule_notes)
    design_map = _design_map(vals, application)
    spec = Spec(
        title=title or f"Heat pump tender specification: {case.report_title}",
        date=date,
        created=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        hp_type=hp_type,
        source_type=src,
        climate=climate,
        application_C=application,
        construction=construction,
        design_load_kW=load,
        rule_sets=tuple(rule_sets),
        provenance={
            "design": design.origin,
            "case": str(case.name),
            "refrigerant": design.refrigerant,
            "margin": f"{margin:g}",
            **{f"param_{k}": str(v) for k, v in design.parameters.items()},
        },
        design=design_map,
        notes=tuple(notes),
        requirements=tuple(reqs),
    )
    # 7. the design against its own spec
    fails = design_failures(spec)
    if fails:
        spec = spec.model_copy(
            update={"notes": spec.notes + tuple(f"the design fails {f}" for f in fails)}
        )
    return spec


def _design_map(vals: dict[str, float], application: int) -> dict[str, float]:
    """The design's values keyed as the product table's columns at the spec's record."""
    out = {}
    for k, x in vals.items():
        if "@" in k:
            q, app = k.split("@")
            out[q if int(app) == application else f"{q}_{app}"] = float(x)
        else:
            out[k] = float(x)
    return out


def _with_design_values(reqs, vals, application):
    out = []
    for r in reqs:
        key = f"{r.quantity}@{r.application_C}" if r.application_C else r.quantity
        x = vals.get(key, vals.get(r.quantity))
        out.append(r.model_copy(update={"design_value": x}) if x is not None else r)
    return out


def design_failures(spec: Spec) -> list[str]:
    """Requirements the spec's own design value does not meet (``id: value op limit``)."""
    out = []
    for r in spec.requirements:
        if r.design_value is None:
            continue
        lim = float(r.band_limit(spec.design.get("prated_kW", spec.design_load_kW or np.nan)))
        if not math.isfinite(lim):
            continue
        if not bool(compare(r.design_value, r.op, lim)):
            out.append(f"{r.id}: {r.design_value:.4g} {r.op} {lim:g} does not hold")
    return out


def spec_from_requirements(data: dict[str, Any], *, where: str, rules_file=None) -> Spec:
    """A spec from a writer's requirements file: a ``[tender]`` table (``date``, ``hp_type``,
    ``climate``, ``application_C``, ``construction``, ``design_load_kW``, ``rule_sets``,
    ``label_class``, ``title``) and ``[[requirement]]`` entries (``quantity``, ``op``,
    ``limit`` at least; the rest defaults from :data:`~designopt.tender.spec.QUANTITIES`)."""
    from designopt.errors import DataFormatError
    from designopt.tender.spec import spec_from_mapping

    tender = dict(data.get("tender", {}))
    unknown = set(data) - {"tender", "requirement", "design"}
    if unknown:
        raise DataFormatError(
            f"{where}: unknown table(s) {sorted(unknown)}; a requirements file holds [tender], "
            "[design] and [[requirement]]"
        )
    known = {
        "date",
        "hp_type",
        "climate",
        "application_C",
        "construction",
        "design_load_kW",
        "rule_sets",
        "label_class",
        "title",
    }
    bad = set(tender) - known
    if bad:
        raise DataFormatError(
            f"{where}: [tender] has unknown key(s) {sorted(bad)}; valid: {sorted(known)}"
        )
    date = tender.get("date", _dt.date.today())
    if isinstance(date, str):
        date = _dt.date.fromisoformat(date)
    climate = tender.get("climate", "average")
    app = int(tender.get("application_C", 55))
    reqs = []
    for i, r in enumerate(data.get("requirement", [])):
        r = dict(r)
        r.setdefault("origin", "writer")
        r.setdefault("source", "the tender writer's own requirement")
        if r.get("quantity") in QUANTITIES and QUANTITIES[r["quantity"]].per_record:
            r.setdefault("climate", climate)
            r.setdefault("application_C", app)
        r.setdefault("id", f"{r.get('quantity', 'requirement')}-{i + 1}")
        reqs.append(r)
    rule_sets = tuple(tender.get("rule_sets", ()))
    if rule_sets:
        sets = load_rule_sets(list(rule_sets), rules_file)
        extra, notes = requirements_from_rules(
            sets,
            date=date,
            hp_type=tender.get("hp_type", "air/water"),
            application_C=app,
            climate=climate,
            construction=tender.get("construction", "monobloc"),
            prated_kW=tender.get("design_load_kW"),
            label_min=tender.get("label_class"),
        )
        reqs.extend(x.model_dump() for x in extra)
    else:
        notes = []
    mapping = {
        "title": tender.get("title", "Heat pump tender specification"),
        "date": date,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "hp_type": tender.get("hp_type", "air/water"),
        "climate": climate,
        "application_C": app,
        "construction": tender.get("construction", "monobloc"),
        "design_load_kW": tender.get("design_load_kW"),
        "rule_sets": rule_sets,
        "provenance": {"requirements file": where},
        "design": dict(data.get("design", {})),
        "notes": tuple(notes),
        "requirements": reqs,
    }
    return spec_from_mapping({k: v for k, v in mapping.items() if v is not None}, where)

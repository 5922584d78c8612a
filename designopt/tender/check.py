"""Check certified products against a spec: pass/fail per requirement with its margin.

Products come as a table in the layout of a Keymark export (one row per model, climate and
application, :mod:`designopt.io.keymark`) or hplib's catalogue (one row per model,
:mod:`designopt.io.hplib_catalogue`); :func:`read_products` brings either to the columns of
:data:`COLUMNS`.  The spec's record (unit type, climate, application) selects one row per
product; requirements at another climate or application are looked up in that product's other
rows (same manufacturer, model range, title and type).

Each (product, requirement) is ``pass``, ``fail``, ``not checkable`` (the file lacks the column,
the cell is blank, not a number or outside the quantity's plausible range; the reason names the
row and column) or ``not applicable`` (a limit by rated output with no band for the product).
A product passes when every applicable requirement passes, fails when one fails, and is
``open`` otherwise: it passes what can be checked, never silently more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from designopt.errors import DataFormatError
from designopt.tender.spec import QUANTITIES, Requirement, Spec, compare

__all__ = [
    "COLUMNS",
    "CheckResult",
    "STATUS_FAIL",
    "STATUS_OPEN",
    "STATUS_PASS",
    "check_products",
    "read_products",
]

STATUS_PASS = "pass"
STATUS_FAIL = "fail"
STATUS_OPEN = "open"
NOT_CHECKABLE = "not checkable"
NOT_APPLICABLE = "not applicable"

#: Product-table column of each quantity (Keymark names; hplib's are renamed to these).
COLUMNS: dict[str, str] = {
    "prated_kW": "Prated_kW",
    "scop": "SCOP",
    "eta_s_pct": "eta_s_pct",
    "tol_degC": "TOL_C",
    "pdh_p12_kW": "Pdh_p12_kW",
    "sound_power_outdoor_dBA": "Lw_outdoor_dBA",
    "sound_power_indoor_dBA": "Lw_indoor_dBA",
    "gwp": "gwp",
    "fluorinated": "fluorinated",
    "charge_kg": "charge_kg",
}
#: Columns every product file needs (a clear error names the missing ones).
IDENTITY = ("manufacturer", "title", "hp_type", "climate", "application_C")
#: Quantities where more is better (ranking and percentile direction).
HIGHER_BETTER = ("scop", "eta_s_pct", "prated_kW")
#: Similar capacity for the design's percentile: Prated within this factor of the design's.
SIMILAR_FACTOR = 1.25


def column_of(quantity: str) -> str:
    return COLUMNS.get(quantity, quantity)


def _higher_better(q: str) -> bool:
    return q in HIGHER_BETTER or q.startswith(("heat_", "cop_", "capacity_ratio"))


def read_products(
    path: str | Path, *, climate: str = "average", application_C: int = 55
) -> tuple[pd.DataFrame, str, int]:
    """The product table of ``path`` (Keymark layout or hplib's catalogue, or ``"hplib"`` for
    the installed catalogue), its kind and the number of comment lines skipped."""
    from designopt.io.hplib_catalogue import load_hplib_catalogue

    if str(path) == "hplib":
        return _from_hplib(load_hplib_catalogue(None), climate, application_C), "hplib", 0
    p = Path(path)
    try:
        with p.open(encoding="utf-8") as fh:
            n_comment = 0
            for line in fh:
                if not line.startswith("#"):
                    header = line
                    break
                n_comment += 1
            else:
                raise DataFormatError(f"products file {str(p)!r} is empty")
    except FileNotFoundError:
        raise DataFormatError(f"products file {str(p)!r} does not exist") from None
    except UnicodeDecodeError:
        raise DataFormatError(
            f"products file {str(p)!r} is not UTF-8 text (a CSV is expected)"
        ) from None
    if "Mass of Refrigerant" in header or "SPL outdoor" in header:
        return _from_hplib(load_hplib_catalogue(p), climate, application_C), "hplib", 0
    try:
        df = pd.read_csv(p, skiprows=n_comment, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFormatError(f"{str(p)!r} is not a readable CSV file: {exc}") from None
    missing = [c for c in (*IDENTITY, "Prated_kW") if c not in df.columns]
    if missing:
        raise DataFormatError(
            f"products file {str(p)!r} lacks the column(s) {missing}; a Keymark-layout file needs "
            f"{[*IDENTITY, 'Prated_kW']} (docs/tender.md), or give hplib's catalogue"
        )
    if "refrigerant" in df.columns:
        df = _refrigerant_columns(df)
    return df, "keymark", n_comment


def _refrigerant_columns(df: pd.DataFrame) -> pd.DataFrame:
    from designopt import refrigerants
    from designopt.tender.derive import fluorinated

    def gwp(name: str) -> str:
        try:
            return f"{refrigerants.get(str(name).strip()).gwp100:g}"
        except Exception:  # unknown refrigerant: left blank, reported not checkable
            return ""

    df = df.copy()
    if "gwp" not in df.columns:
        df["gwp"] = [gwp(x) for x in df["refrigerant"]]
    if "fluorinated" not in df.columns:
        df["fluorinated"] = [
            "" if math.isnan(f := fluorinated(x)) else f"{f:g}" for x in df["refrigerant"]
        ]
    return df


def _from_hplib(cat: pd.DataFrame, climate: str, application_C: int) -> pd.DataFrame:
    """hplib's catalogue in the product layout: one row per model, no EN 14825 record (SCOP,
    Prated are not in it), so the record columns take the spec's values."""
    from designopt.tender.derive import fluorinated

    out = pd.DataFrame(
        {
            "manufacturer": cat["manufacturer"].astype(str),
            "model_family": "",
            "title": cat["model"].astype(str),
            "hp_type": cat["hp_type"].astype(str),
            "climate": climate,
            "application_C": str(application_C),
            "Prated_kW": "",
            "Lw_outdoor_dBA": cat["sound_power_outdoor_dBA"].astype(str),
            "Lw_indoor_dBA": cat["sound_power_indoor_dBA"].astype(str),
            "refrigerant": cat["refrigerant"].astype(str),
            "gwp": cat["gwp"].astype(str),
            "fluorinated": [f"{fluorinated(x):g}" for x in cat["refrigerant"]],
            "charge_kg": cat["refrigerant_mass_kg"].astype(str),
        }
    )
    return out.replace("nan", "")


@dataclass
class CheckResult:
    """What :func:`check_products` found (see the module docstring)."""

    products: pd.DataFrame  # one row per product: identity, values, limits, statuses, overall
    summary: pd.DataFrame  # one row per requirement
    ranked: pd.DataFrame  # passing products, best first
    percentiles: pd.DataFrame | None
    counts: dict[str, int]
    n_products: int
    products_name: str
    record_note: str
    similar_note: str
    rank_by: str
    not_checkable_reasons: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    figure: Path | None = None

    def share_passing(self, rid: str) -> float:
        """Share of products, among those where ``rid`` applies and is checkable, that pass it."""
        st = self.products[f"{rid}:status"]
        ok = (st == STATUS_PASS).sum()
        n = ok + (st == STATUS_FAIL).sum()
        return float(ok / n) if n else math.nan


def _numeric(df: pd.DataFrame, col: str, q: str, line0: int, rows: np.ndarray):
    """Values of ``col`` for ``rows`` and a reason per row where they cannot be used."""
    n = rows.size
    reason = np.full(n, "", dtype=object)
    if col not in df.columns:
        return np.full(n, np.nan), np.full(n, f"the file has no column {col!r}", dtype=object), True
    raw = df[col].to_numpy(dtype=object)[rows]
    text = np.array([str(x).strip() for x in raw], dtype=object)
    val = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(float)
    blank = text == ""
    bad = ~blank & ~np.isfinite(val)
    lo, hi = QUANTITIES[q].plausible
    odd = np.isfinite(val) & ((val < lo) | (val > hi))
    for i in np.flatnonzero(blank | bad | odd):
        where = f"row {rows[i] + 1} (line {rows[i] + line0 + 1}), column {col!r}"
        if blank[i]:
            reason[i] = f"{where} is blank"
        elif bad[i]:
            reason[i] = f"{where}: {text[i]!r} is not a number"
        else:
            reason[i] = (
                f"{where}: {val[i]:g} is outside the plausible {lo:g}-{hi:g}"
                f"{'' if QUANTITIES[q].unit == '1' else ' ' + QUANTITIES[q].unit} (a wrong unit?)"
            )
    val = np.where(blank | bad | odd, np.nan, val)
    return val, reason, False


def check_products(
    spec: Spec,
    products: str | Path,
    *,
    rank_by: str = "scop",
) -> CheckResult:
    """Check every product of ``products`` (a file, or ``"hplib"``) against ``spec``."""
    if rank_by not in QUANTITIES:
        raise DataFormatError(f"rank_by={rank_by!r} is not a quantity; valid: {sorted(QUANTITIES)}")
    df, kind, n_comment = read_products(
        products, climate=spec.climate, application_C=spec.application_C
    )
    line0 = n_comment + 1  # data row r (0-based) is on file line r + line0 + 1
    hp = df["hp_type"].str.strip().str.lower().to_numpy(dtype=object)
    clim = df["climate"].str.strip().str.lower().to_numpy(dtype=object)
    app_num = pd.to_numeric(df["application_C"].str.strip(), errors="coerce").to_numpy(float)
    unreadable = []
    for col, arr, valid in (
        ("climate", clim, ("average", "colder", "warmer")),
        ("hp_type", hp, ("air/water", "brine/water", "water/water")),
    ):
        for i in np.flatnonzero(~np.isin(arr, valid)):
            unreadable.append(
                f"row {i + 1} (line {i + line0 + 1}), column {col!r}: {df[col].iat[i]!r} not one of {list(valid)}"
            )
    for i in np.flatnonzero(~np.isin(app_num, (35.0, 55.0))):
        unreadable.append(
            f"row {i + 1} (line {i + line0 + 1}), column 'application_C': {df['application_C'].iat[i]!r} not 35 or 55"
        )
    primary = np.flatnonzero(
        (hp == spec.hp_type) & (clim == spec.climate) & (app_num == spec.application_C)
    )
    n = primary.size
    keycols = [c for c in ("manufacturer", "model_family", "title", "hp_type") if c in df.columns]
    key = df[keycols].astype(str).agg("\x1f".join, axis=1).to_numpy(dtype=object)
    prated, prated_reason, _ = _numeric(df, "Prated_kW", "prated_kW", line0, primary)

    out = pd.DataFrame({c: df[c].to_numpy(dtype=object)[primary] for c in keycols})
    out.insert(0, "row", primary + 1)
    out["Prated_kW"] = prated
    status_cols: dict[str, np.ndarray] = {}
    reasons: dict[str, str] = {}
    for r in spec.requirements:
        rows = _record_rows(r, spec, primary, key, hp, clim, app_num)
        col = column_of(r.quantity)
        val = np.full(n, np.nan)
        why = np.full(n, "", dtype=object)
        has = rows >= 0
        if kind == "hplib" and QUANTITIES[r.quantity].per_record:
            why[:] = "hplib's catalogue has no EN 14825 record (Prated, SCOP, ηs)"
            absent = True
        else:
            v, w, absent = _numeric(df, col, r.quantity, line0, np.where(has, rows, 0))
            val = np.where(has, v, np.nan)
            why = np.where(has, w, f"no {r.climate} {r.application_C} degC record of the product")
        limit = np.asarray(r.band_limit(prated) if r.banded else np.full(n, r.limit), float)
        st = np.where(compare(val, r.op, limit), STATUS_PASS, STATUS_FAIL).astype(object)
        st[why != ""] = NOT_CHECKABLE
        if r.banded:
            band_na = np.isfinite(prated) & ~np.isfinite(limit)
            st[band_na] = NOT_APPLICABLE
            no_prated = ~np.isfinite(prated)
            st[no_prated] = NOT_CHECKABLE
            why = np.where(no_prated & (why == ""), prated_reason, why)
        margin = np.where(r.op in (">=", ">"), val - limit, limit - val)
        out[f"{r.id}:value"] = val
        out[f"{r.id}:limit"] = limit
        out[f"{r.id}:margin"] = margin
        out[f"{r.id}:status"] = st
        out[f"{r.id}:reason"] = why
        status_cols[r.id] = st
        nc = np.flatnonzero(st == NOT_CHECKABLE)
        if nc.size:
            first = str(why[nc[0]])
            reasons[r.id] = first if absent else f"{nc.size:,} products, e.g. {first}"
    S = (
        np.column_stack([status_cols[r.id] for r in spec.requirements])
        if n
        else np.empty((0, len(spec.requirements)), object)
    )
    fail = S == STATUS_FAIL
    ncheck = S == NOT_CHECKABLE
    overall = np.where(
        fail.any(axis=1), STATUS_FAIL, np.where(ncheck.any(axis=1), STATUS_OPEN, STATUS_PASS)
    )
    ids = [r.id for r in spec.requirements]
    out["overall"] = overall
    out["n_fail"] = fail.sum(axis=1)
    out["failed"] = [", ".join(np.asarray(ids)[f]) for f in fail]
    out["not_checkable"] = [", ".join(np.asarray(ids)[c]) for c in ncheck]
    for extra in ("SCOP", "eta_s_pct", "Lw_outdoor_dBA", "refrigerant"):
        if extra in df.columns and extra not in out.columns:
            vals = df[extra].to_numpy(dtype=object)[primary]
            out[extra] = (
                pd.to_numeric(pd.Series(vals), errors="coerce").to_numpy()
                if extra != "refrigerant"
                else vals
            )
    # ranking of the passing products
    rq = rank_by
    rcol = f"_rank_{rq}"
    rv, _, _ = (
        _numeric(df, column_of(rq), rq, line0, primary)
        if column_of(rq) in df.columns
        else (np.full(n, np.nan), None, None)
    )
    out[rcol] = rv
    ranked = out[out["overall"] == STATUS_PASS].sort_values(
        rcol, ascending=not _higher_better(rq), na_position="last"
    )
    out = out.drop(columns=rcol)
    ranked = ranked.drop(columns=rcol)
    out["rank"] = np.nan
    out.loc[ranked.index, "rank"] = np.arange(1, len(ranked) + 1)
    # per requirement
    rows = []
    for j, r in enumerate(spec.requirements):
        st = S[:, j] if n else np.array([], object)
        checkable = int(np.isin(st, (STATUS_PASS, STATUS_FAIL)).sum())
        nf = int((st == STATUS_FAIL).sum())
        only = int(((st == STATUS_FAIL) & (fail.sum(axis=1) == 1)).sum()) if n else 0
        only_pass = (
            int(((st == STATUS_FAIL) & (fail.sum(axis=1) == 1) & ~ncheck.any(axis=1)).sum())
            if n
            else 0
        )
        rows.append(
            {
                "id": r.id,
                "requirement": r.text(),
                "origin": r.origin,
                "verified": r.verified,
                "checkable": checkable,
                "not_checkable": int((st == NOT_CHECKABLE).sum()),
                "not_applicable": int((st == NOT_APPLICABLE).sum()),
                "pass": checkable - nf,
                "fail": nf,
                "share_failing": nf / checkable if checkable else math.nan,
                "only_failure": only,
                "relaxing_adds_pass": only_pass,
            }
        )
    summary = pd.DataFrame(rows)
    counts = {s: int((overall == s).sum()) for s in (STATUS_PASS, STATUS_OPEN, STATUS_FAIL)}
    pct, similar_note = _percentiles(spec, df, primary, prated, line0)
    return CheckResult(
        products=out,
        summary=summary,
        ranked=ranked,
        percentiles=pct,
        counts=counts,
        n_products=n,
        products_name=str(products) if kind != "hplib" else f"hplib catalogue ({products})",
        record_note=f"{spec.hp_type}, {spec.climate} climate, {spec.application_C} °C records"
        if kind == "keymark"
        else f"{spec.hp_type} models (no EN 14825 records)",
        similar_note=similar_note,
        rank_by=rank_by,
        not_checkable_reasons=reasons,
        unreadable=unreadable,
    )


def _record_rows(r: Requirement, spec: Spec, primary, key, hp, clim, app_num) -> np.ndarray:
    """For each primary product, the row holding requirement ``r``'s record (-1: none)."""
    if not QUANTITIES[r.quantity].per_record:
        return primary
    c = r.climate or spec.climate
    a = r.application_C or spec.application_C
    if c == spec.climate and a == spec.application_C:
        return primary
    other = np.flatnonzero((hp == spec.hp_type) & (clim == c) & (app_num == a))
    lookup = {}
    for i in other:
        lookup.setdefault(key[i], i)
    return np.array([lookup.get(key[i], -1) for i in primary], dtype=int)


def _percentiles(spec: Spec, df, primary, prated, line0):
    load = spec.design.get("prated_kW", spec.design_load_kW)
    if not spec.design or load is None or not np.isfinite(prated).any():
        return None, ""
    sim = (
        np.isfinite(prated) & (prated >= load / SIMILAR_FACTOR) & (prated <= load * SIMILAR_FACTOR)
    )
    rows = []
    for q in ("scop", "eta_s_pct", "sound_power_outdoor_dBA", "sound_power_indoor_dBA"):
        x = spec.design.get(q)
        col = column_of(q)
        if x is None or col not in df.columns:
            continue
        v, _, _ = _numeric(df, col, q, line0, primary)
        v = v[sim & np.isfinite(v)]
        if not v.size:
            continue
        worse = (v < x) if _higher_better(q) else (v > x)
        better_than = (worse.sum() + 0.5 * (v == x).sum()) / v.size
        rows.append(
            {
                "quantity": QUANTITIES[q].long_name
                + ("" if QUANTITIES[q].unit == "1" else f" [{QUANTITIES[q].unit}]"),
                "design": float(x),
                "n": int(v.size),
                "median": float(np.median(v)),
                "better_than": float(better_than),
            }
        )
    note = (
        f"certified products of similar capacity (Prated {load / SIMILAR_FACTOR:.1f}-"
        f"{load * SIMILAR_FACTOR:.1f} kW, {spec.climate} climate, {spec.application_C} °C)"
    )
    return pd.DataFrame(rows), note

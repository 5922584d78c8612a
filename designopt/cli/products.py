"""``designopt products``: list and filter the bundled heat-pump catalogue.

The catalogue is hplib's database of Heat Pump Keymark products as read by
:func:`designopt.io.hplib_catalogue.load_hplib_catalogue`, the same table that
``designopt dispatch --product NAME`` and ``designopt select`` use, so every name listed here is a
name those commands accept.  Valid values of ``--type``, ``--refrigerant`` and ``--control``
are taken from the catalogue itself; a bad value is a one-line error that lists the valid ones.
No match is not an error: the command says so and tells how many products each filter alone
removes.

Capacity, electric power and COP are hplib's reference columns (``P_th_h_ref``,
``P_el_h_ref``, ``COP_ref``) at the rating point of the product's type
(:data:`designopt.io.hplib_catalogue.HPLIB_RATING_POINT`: A-7/W52, B0/W52, W10/W52).

Output: a table on standard output (default), or CSV / JSON on standard output or in the file
``--out`` (its suffix picks the format).  ``--out`` replaces only an earlier export of this
command.
"""

from __future__ import annotations

import argparse

NAME = "products"
HELP = "list and filter the bundled heat-pump catalogue (hplib); names as 'dispatch --product' takes them"

#: Columns of the CSV and JSON exports, units in the names.
COLUMNS = (
    "name",
    "manufacturer",
    "model",
    "hp_type",
    "source_type",
    "refrigerant",
    "gwp",
    "control",
    "capacity_kW",
    "electric_power_kW",
    "cop",
    "rating_point",
    "sound_power_outdoor_dBA",
    "sound_power_indoor_dBA",
    "refrigerant_mass_kg",
    "date",
)
#: ``kind`` of a JSON export: only such files are replaced by ``--out``.
KIND = "designopt products"
#: ``--sort`` keys: (columns, ascending); missing values go last.
SORTS = {
    "capacity": (["capacity_kW", "name"], [True, True]),
    "cop": (["cop", "name"], [False, True]),
    "name": (["name"], [True]),
    "gwp": (["gwp", "capacity_kW", "name"], [True, True, True]),
    "sound": (["sound_power_outdoor_dBA", "capacity_kW", "name"], [True, True, True]),
}
FORMATS = ("table", "csv", "json")
_SUFFIX = {".csv": "csv", ".json": "json"}


def register(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments (no data is read here: ``--help`` stays fast)."""
    f = parser.add_argument_group("filters (all must hold; repeat or comma-separate a list)")
    f.add_argument(
        "--type",
        action="append",
        metavar="TYPE",
        help="source type: air, ground, water (or hplib's air/water, brine/water, water/water)",
    )
    f.add_argument(
        "--refrigerant", action="append", metavar="NAME", help="e.g. R290, R32 (any case)"
    )
    f.add_argument(
        "--control",
        action="append",
        metavar="KIND",
        help="regulated (inverter, stages) or on-off, as hplib classifies the product",
    )
    f.add_argument("--min-kW", metavar="KW", help="lowest heating capacity at the rating point")
    f.add_argument("--max-kW", metavar="KW", help="highest heating capacity at the rating point")
    f.add_argument(
        "--max-gwp", metavar="GWP", help="highest refrigerant GWP (AR4, 100 a); unknown GWP fails"
    )
    f.add_argument(
        "--max-sound-dBA",
        metavar="DBA",
        help="highest outdoor sound power level [dB(A)]; undeclared fails",
    )
    f.add_argument(
        "--search",
        metavar="TEXT",
        help="words that must all appear in the name (any case, accents ignored)",
    )
    parser.add_argument(
        "--sort",
        choices=sorted(SORTS),
        default="capacity",
        help="order: capacity (default, smallest first), cop (best first), name, gwp, sound",
    )
    parser.add_argument("--limit", metavar="N", help="list only the first N matches")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="table (default on the terminal), csv or json; with --out: from its suffix",
    )
    parser.add_argument(
        "--out", metavar="FILE", help="write CSV (.csv) or JSON (.json) to FILE instead"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="let --out replace a file that is not an earlier export of this command",
    )


def run(args: argparse.Namespace) -> int:
    """List the matching products; return 0 (also when none match)."""
    import sys

    from designopt.cli._outputs import csv_with_header, output_file
    from designopt.io.hplib_catalogue import hplib_database_path, load_hplib_catalogue

    fmt = _format(args)
    limit = _limit(args.limit)
    table = product_table(load_hplib_catalogue())
    filters = _filters(args, table)
    match = _all(table, [m for _, m in filters])
    found = table[match]
    by, ascending = SORTS[args.sort]
    key = (lambda col: col.str.casefold()) if args.sort == "name" else None
    found = found.sort_values(by, ascending=ascending, na_position="last", kind="stable", key=key)
    listed = found if limit is None else found.head(limit)
    summary = _summary(table, found, listed, filters, args.sort)

    if args.out is not None:
        suffix = ".csv" if fmt == "csv" else ".json"
        owned = csv_with_header(*COLUMNS) if fmt == "csv" else _is_products_json
        out = output_file(
            args.out, suffix=suffix, inputs=[hplib_database_path()], owned=owned, force=args.force
        )
        _write_atomic(out, _render(fmt, listed, filters, args, len(found), len(table)))
        print(f"{summary} -> {out}")
        return 0
    if fmt == "table":
        if len(listed):
            print(_text_table(listed))
            print()
        print(summary)
        if len(listed):
            print(_FOOTER)
        return 0
    sys.stdout.write(_render(fmt, listed, filters, args, len(found), len(table)))
    print(summary, file=sys.stderr)
    return 0


def product_table(catalogue):
    """The export columns (:data:`COLUMNS`) of ``catalogue`` (rows of ``load_hplib_catalogue``)."""
    import pandas as pd

    from designopt.io.hplib_catalogue import HPLIB_RATING_POINT
    from formulations.case_data import HPLIB_TYPE

    source = {v: k for k, v in HPLIB_TYPE.items()}
    return pd.DataFrame(
        {
            "name": catalogue["name"],
            "manufacturer": catalogue["manufacturer"],
            "model": catalogue["model"],
            "hp_type": catalogue["hp_type"],
            "source_type": catalogue["hp_type"].map(source),
            "refrigerant": catalogue["refrigerant"],
            "gwp": catalogue["gwp"],
            "control": catalogue["regulated"].map({True: "regulated", False: "on-off"}),
            "capacity_kW": catalogue["p_th_ref_W"] / 1e3,
            "electric_power_kW": catalogue["p_el_ref_W"] / 1e3,
            "cop": catalogue["cop_ref"],
            "rating_point": catalogue["hp_type"].map(HPLIB_RATING_POINT),
            "sound_power_outdoor_dBA": catalogue["sound_power_outdoor_dBA"],
            "sound_power_indoor_dBA": catalogue["sound_power_indoor_dBA"],
            "refrigerant_mass_kg": catalogue["refrigerant_mass_kg"],
            "date": catalogue["date"],
        },
        columns=list(COLUMNS),
    ).reset_index(drop=True)


# -- arguments -------------------------------------------------------------------------------


def _error(message: str):
    from designopt.errors import ConfigurationError

    return ConfigurationError(message)


def _format(args) -> str:
    """The output format, from ``--format`` or the suffix of ``--out``."""
    from pathlib import Path

    if args.out is None:
        return args.format or "table"
    text = str(args.out)
    if not text.strip():
        raise _error(f"--out={text!r} is empty; give a .csv or .json file name")
    if Path(text).is_dir():
        raise _error(f"--out={text!r} is a folder; give a .csv or .json file name")
    if args.format == "table":
        raise _error("--format table is for the terminal; with --out give a .csv or .json name")
    if args.format is None:
        fmt = _SUFFIX.get(Path(text).suffix.lower())
        if fmt is None:
            raise _error(f"--out={text!r}: give a name ending in .csv or .json (the format)")
        return fmt
    return args.format


def _limit(text):
    if text is None:
        return None
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise _error(f"--limit={text!r} must be a whole number >= 1 (leave it out to list all)")
    return n


def _number(option: str, text, span: str):
    """A finite number >= 0 given as ``text`` (None: not given)."""
    import math

    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _error(f"{option}={text!r} is not a number; {span}") from None
    if not math.isfinite(value) or value < 0.0:
        raise _error(f"{option}={text!r} must be a finite number >= 0; {span}")
    return value


def _words(values) -> list[str]:
    return [w.strip() for v in values or () for w in str(v).split(",") if w.strip()]


def _fold(text: str) -> str:
    """``text`` in lower case without accents (for ``--search``)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _choice(option: str, given, present, aliases=None):
    """The catalogue values named by ``given`` (case-insensitive); ``aliases`` maps more names."""
    aliases = dict(aliases or {})
    lookup = {str(p).casefold(): p for p in present}
    lookup.update({a.casefold(): v for a, v in aliases.items() if v in present})
    chosen = []
    for word in _words(given):
        value = lookup.get(word.casefold())
        if value is None:
            valid = [f"{a} ({v})" for a, v in sorted(aliases.items()) if v in present]
            valid = valid or sorted(map(str, present))
            raise _error(f"{option} {word!r} is not in the catalogue; valid: {', '.join(valid)}")
        if value not in chosen:
            chosen.append(value)
    return chosen


def _filters(args, table):
    """(label, mask) of every filter given, checked against the catalogue's values."""
    from formulations.case_data import HPLIB_TYPE

    out = []
    if args.type:
        types = _choice("--type", args.type, set(table["hp_type"]), HPLIB_TYPE)
        out.append((f"--type {','.join(types)}", table["hp_type"].isin(types).to_numpy()))
    if args.refrigerant:
        refr = _choice("--refrigerant", args.refrigerant, set(table["refrigerant"]))
        out.append((f"--refrigerant {','.join(refr)}", table["refrigerant"].isin(refr).to_numpy()))
    if args.control:
        ctl = _choice("--control", args.control, set(table["control"]))
        out.append((f"--control {','.join(ctl)}", table["control"].isin(ctl).to_numpy()))
    cap = table["capacity_kW"]
    span = f"the catalogue spans {cap.min():g} to {cap.max():g} kW at its rating points"
    lo = _number("--min-kW", args.min_kW, span)
    hi = _number("--max-kW", args.max_kW, span)
    if lo is not None and hi is not None and lo > hi:
        raise _error(f"--min-kW={lo:g} must not exceed --max-kW={hi:g}")
    if lo is not None:
        out.append((f"--min-kW {lo:g}", (cap >= lo).to_numpy()))
    if hi is not None:
        out.append((f"--max-kW {hi:g}", (cap <= hi).to_numpy()))
    for option, value, column, what in (
        ("--max-gwp", args.max_gwp, "gwp", "GWP"),
        ("--max-sound-dBA", args.max_sound_dBA, "sound_power_outdoor_dBA", "dB(A)"),
    ):
        col = table[column]
        limit = _number(option, value, f"the catalogue spans {col.min():g} to {col.max():g} {what}")
        if limit is not None:
            out.append((f"{option} {limit:g}", (col <= limit).to_numpy()))  # NaN fails
    if args.search is not None:
        words = [_fold(w) for w in str(args.search).split()]
        if not words:
            raise _error(f"--search={args.search!r} is empty; give words of the name")
        names = table["name"].map(_fold)
        mask = names.map(lambda n: all(w in n for w in words)).to_numpy(bool)
        out.append((f"--search {args.search!r}", mask))
    return out


def _all(table, masks):
    import numpy as np

    keep = np.ones(len(table), bool)
    for m in masks:
        keep &= m
    return keep


# -- output ----------------------------------------------------------------------------------

_FOOTER = (
    "kW, COP: hplib's reference values at the rating point (A-7/W52: air -7 degC, B0/W52: brine\n"
    "0 degC, W10/W52: water 10 degC; flow 52 degC, outdoor -7 degC). Lw: outdoor sound power.\n"
    'Use a name as it is: designopt dispatch CASE --product "NAME"'
)


def _summary(table, found, listed, filters, sort: str) -> str:
    n, total = len(found), len(table)
    if n == 0:
        hints = []
        for i, (label, _) in enumerate(filters):
            others = [m for j, (_, m) in enumerate(filters) if j != i]
            hints.append(f"without {label}: {int(_all(table, others).sum()):,}")
        return (
            f"no product matches the filters (0 of {total:,}); widen them, e.g. drop one "
            f"(matches {', '.join(hints)})"
            + (
                " or search fewer words"
                if any(h.startswith("without --search") for h in hints)
                else ""
            )
        )
    text = f"{n:,} of {total:,} products match"
    if len(listed) < n:
        text += f"; the first {len(listed):,} by {sort} are listed (--limit)"
    return text


def _text_table(rows) -> str:
    def num(x, fmt):
        return "-" if x != x else format(x, fmt)  # NaN: not declared / unknown

    head = ("name", "type", "refrigerant", "GWP", "control", "kW", "rated at", "COP", "Lw dB(A)")
    body = [
        (
            r.name,
            r.hp_type,
            r.refrigerant,
            num(r.gwp, ".0f"),
            r.control,
            num(r.capacity_kW, ".2f"),
            r.rating_point,
            num(r.cop, ".2f"),
            num(r.sound_power_outdoor_dBA, ".0f"),
        )
        for r in rows.itertuples(index=False)
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=False)]
    right = {3, 5, 7, 8}

    def line(cells):
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)])


def _render(fmt: str, rows, filters, args, matched: int, total: int) -> str:
    if fmt == "csv":
        return rows.to_csv(index=False, lineterminator="\n")
    import json
    from importlib import metadata

    from designopt import __version__
    from designopt.io.hplib_catalogue import HPLIB_RATING_POINT

    try:
        hplib_version = metadata.version("hplib")
    except metadata.PackageNotFoundError:  # pragma: no cover - a CSV given by path
        hplib_version = None
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    doc = {
        "kind": KIND,
        "producer": "designopt",
        "version": __version__,
        "source": (
            "hplib database (FZJ-IEK3-VSA/hplib, CC BY 4.0, doi:10.5281/zenodo.5521597): "
            "Heat Pump Keymark products 2016-2021"
        ),
        "hplib_version": hplib_version,
        "rating_points": HPLIB_RATING_POINT,
        "filters": [label for label, _ in filters],
        "sort": args.sort,
        "matched": matched,
        "total": total,
        "products": records,
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _is_products_json(path) -> bool:
    """Whether ``path`` is a JSON export of this command (its ``kind``)."""
    import json

    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("kind") == KIND


def _write_atomic(path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary name (no half-written export)."""
    import os

    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

"""``designopt tender``: a dated, cited tender specification, and certified products checked
against it (docs/tender.md).

Examples::

    designopt tender spec --study results/ashp --trial 12 --case casestudies/ashp_retrofit/case.toml
    designopt tender spec casestudies/tender_school/case.toml --set refrigerant=R290 --out spec
    designopt tender spec --requirements my_minimums.toml --out spec
    designopt tender check spec --products keymark.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

from designopt.cli.evaluate import parse_sets

NAME = "tender"
HELP = "write a tender specification from a design or requirements, and check certified products against it"


def register(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="tender_command", metavar="{spec,check}")
    s = sub.add_parser("spec", help="write spec.md/html/toml and the requirements CSV/XLSX")
    s.add_argument(
        "case", nargs="?", type=Path, default=None, help="case TOML file (with --set or --study)"
    )
    s.add_argument(
        "--case", dest="case_opt", type=Path, default=None, help="case TOML file (same as CASE)"
    )
    s.add_argument(
        "--study", type=Path, default=None, help="finished study folder (its results.nc)"
    )
    s.add_argument("--trial", type=int, default=None, help="trial number of the study's design")
    s.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a design variable value (repeatable; the rest at the middle of the space)",
    )
    s.add_argument("--requirements", type=Path, default=None, help="a writer's requirements TOML")
    s.add_argument(
        "--rules",
        default="ecodesign,label,fgas",
        help="rule sets, comma separated, of ecodesign, label, fgas, beg, bus, energy_star "
        "(default ecodesign,label,fgas; 'none' for none)",
    )
    s.add_argument(
        "--rules-file", type=Path, default=None, help="TOML with rule lines that replace or add"
    )
    s.add_argument(
        "--date", default=None, help="tender (placing-on-market) date YYYY-MM-DD (default today)"
    )
    s.add_argument(
        "--margin",
        type=float,
        default=0.05,
        help="design margin on SCOP, ηs, rating points (default 0.05)",
    )
    s.add_argument(
        "--oversize",
        type=float,
        default=1.5,
        help="largest Prated as a multiple of the design load (1.5)",
    )
    s.add_argument("--construction", choices=["monobloc", "split"], default="monobloc")
    s.add_argument(
        "--label-class", default=None, help="energy label class asked for (default: the design's)"
    )
    s.add_argument(
        "--products", default=None, help="also check this products file (as `tender check`)"
    )
    s.add_argument(
        "--rank-by", default="scop", help="ranking quantity of passing products (default scop)"
    )
    s.add_argument("--out", default=None, help="output folder (default results/<case>/tender)")
    s.add_argument(
        "--force", action="store_true", help="write into a folder designopt did not make"
    )
    c = sub.add_parser("check", help="check certified products against a spec")
    c.add_argument("spec", type=Path, help="spec.toml or the folder holding it")
    c.add_argument(
        "--products",
        required=True,
        help="Keymark-layout CSV (as designopt.io.keymark reads), hplib's catalogue CSV, or 'hplib'",
    )
    c.add_argument(
        "--rank-by", default="scop", help="ranking quantity of passing products (default scop)"
    )
    c.add_argument("--out", default=None, help="output folder (default: the spec's folder)")
    c.add_argument(
        "--force", action="store_true", help="write into a folder designopt did not make"
    )


def run(args: argparse.Namespace) -> int:
    if args.tender_command == "spec":
        return _spec(args)
    if args.tender_command == "check":
        return _check(args)
    print("designopt tender: give a sub-command, spec or check (designopt tender --help)")
    return 1


def _date(text):
    import datetime as dt

    from designopt.errors import ConfigurationError

    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"--date {text!r} is not a date YYYY-MM-DD") from None


def _spec(args) -> int:
    import tomllib

    from designopt.cli._outputs import output_folder
    from designopt.errors import ConfigurationError, DataFormatError
    from designopt.tender.derive import spec_from_design, spec_from_requirements
    from designopt.tender.render import write_spec_files

    if args.case is not None and args.case_opt is not None and args.case != args.case_opt:
        raise ConfigurationError("give the case once (CASE or --case)")
    case_path = args.case or args.case_opt
    rules = (
        ()
        if args.rules.strip().lower() == "none"
        else tuple(x.strip() for x in args.rules.split(",") if x.strip())
    )
    if args.requirements is not None:
        if case_path is not None or args.study is not None or args.sets:
            raise ConfigurationError(
                "--requirements stands alone: no CASE, --study or --set with it"
            )
        try:
            data = tomllib.loads(args.requirements.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataFormatError(
                f"--requirements {str(args.requirements)!r} does not exist"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise DataFormatError(f"--requirements {str(args.requirements)!r}: {exc}") from None
        spec = spec_from_requirements(
            data, where=str(args.requirements), rules_file=args.rules_file
        )
        default_out = Path("results") / "tender"
    else:
        from designopt.case import load_case
        from designopt.tender.designs import design_from_case, design_from_study

        if case_path is None:
            raise ConfigurationError(
                "give a case (CASE or --case) with --set or --study/--trial, or --requirements FILE"
            )
        case = load_case(case_path)
        if args.study is not None:
            if args.trial is None:
                raise ConfigurationError("--study needs --trial N (the design's trial number)")
            if args.sets:
                raise ConfigurationError(
                    "--set does not apply with --study (the trial fixes the design)"
                )
            design = design_from_study(args.study, args.trial, case)
        else:
            if args.trial is not None:
                raise ConfigurationError("--trial needs --study DIR")
            design = design_from_case(case, parse_sets(args.sets))
        spec = spec_from_design(
            design,
            case,
            date=_date(args.date),
            rule_sets=rules,
            rules_file=args.rules_file,
            margin=args.margin,
            oversize=args.oversize,
            construction=args.construction,
            label_min=args.label_class,
        )
        default_out = Path("results") / case.name / "tender"
    out = output_folder(args.out if args.out is not None else default_out, force=args.force)
    check = None
    if args.products is not None:
        check = _run_check(spec, args.products, args.rank_by, out)
    write_spec_files(spec, out, check)
    n_unv = len(spec.unverified())
    print(
        f"designopt tender spec: {len(spec.requirements)} requirements ({n_unv} from unverified "
        f"sources) -> {out}/spec.md, spec.html, spec.toml, requirements.csv, requirements.xlsx"
    )
    for note in spec.notes:
        if note.startswith("the design fails"):
            print(f"designopt tender spec: note: {note}")
    if check is not None:
        _print_check(check, out)
    return 0


def _run_check(spec, products, rank_by, out):
    from designopt.tender.check import check_products
    from designopt.tender.render import write_check_files

    check = check_products(spec, products, rank_by=rank_by)
    write_check_files(check, out, spec)
    return check


def _print_check(check, out) -> None:
    c = check.counts
    print(
        f"designopt tender check: {check.n_products:,} products: {c['pass']:,} pass, {c['open']:,} "
        f"pass what is checkable (rest not checkable from the file), {c['fail']:,} fail -> "
        f"{out}/check_products.csv, check_requirements.csv, check.xlsx, check_rejections.png"
    )
    for _, row in check.summary.iterrows():
        share = (
            "" if row["checkable"] == 0 else f"{row['share_failing']:.0%} of {row['checkable']:,}"
        )
        print(
            f"  {row['id']}: rejects {share or 'none (not checkable)'}; alone {row['only_failure']:,}"
        )
    if check.unreadable:
        print(f"  {len(check.unreadable):,} rows not read, e.g. {check.unreadable[0]}")


def _check(args) -> int:
    from designopt.cli._outputs import output_folder
    from designopt.tender.render import write_spec_files
    from designopt.tender.spec import read_spec

    spec = read_spec(args.spec)
    folder = args.spec if args.spec.is_dir() else args.spec.parent
    out = output_folder(args.out if args.out is not None else folder, force=args.force)
    check = _run_check(spec, args.products, args.rank_by, out)
    write_spec_files(spec, out, check)
    _print_check(check, out)
    return 0

"""The ``designopt`` command line.

Each sub-command lives in its own module of this package and exposes::

    NAME: str                                   # the sub-command, e.g. "cycle"
    HELP: str                                   # one line for ``designopt --help``
    def register(parser: argparse.ArgumentParser) -> None   # add its arguments
    def run(args: argparse.Namespace) -> int                # do the work, return the exit code

Modules are discovered with :mod:`pkgutil`, so adding a command never edits this file.  A
command module must stay cheap to import (no CoolProp, Optuna or Pyomo at module level): the
heavy imports go inside ``run`` so that ``designopt --help`` answers in well under a second.

Errors of the :class:`designopt.errors.DesignOptError` family, and the operating system's
(``OSError``: full disk, no permission, a file where a folder is expected) and undecodable
input files, are printed as one line on standard error with exit code 2; Ctrl-C is one line
with exit code 130; anything else is a bug and shows its traceback.  Warnings of the
:class:`designopt.errors.DesignOptWarning` family are printed as one line too.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import warnings

from designopt import __version__
from designopt.errors import DesignOptError, DesignOptWarning


def _command_modules():
    pkg = importlib.import_module(__name__)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if all(hasattr(module, attr) for attr in ("NAME", "HELP", "register", "run")):
            yield module


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every discovered sub-command."""
    parser = argparse.ArgumentParser(
        prog="designopt",
        description="Design heat pumps by optimisation (cycle, seasonal, ground, cost, noise).",
    )
    parser.add_argument("--version", action="version", version=f"designopt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.register(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``designopt`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 1
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning(args.command, warnings.showwarning)
        try:
            return int(args._run(args) or 0)
        except DesignOptError as exc:
            print(f"designopt {args.command}: error: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # the machine's answer (full disk, no permission, not a folder ...)
            where = f": {exc.filename}" if exc.filename else ""
            print(
                f"designopt {args.command}: error: {exc.strerror or exc}{where} (nothing else was "
                "changed; a study can be resumed by running the same command again)",
                file=sys.stderr,
            )
            return 2
        except UnicodeDecodeError as exc:
            print(
                f"designopt {args.command}: error: an input file is not UTF-8 text ({exc.reason} at "
                f"byte {exc.start}); save it as UTF-8",
                file=sys.stderr,
            )
            return 2
        except KeyboardInterrupt:
            print(
                f"designopt {args.command}: interrupted; finished work is kept (a study resumes "
                "when the same command is run again)",
                file=sys.stderr,
            )
            return 130


def _one_line_warning(command: str, show):
    """A ``warnings.showwarning`` that prints designopt's own warnings as one line."""

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, DesignOptWarning):
            print(f"designopt {command}: warning: {message}", file=file or sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)

    return showwarning


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

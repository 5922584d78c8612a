"""The command-line dispatcher."""

import subprocess
import sys

from designopt.cli import build_parser, main


def test_help_lists_commands(capsys):
    parser = build_parser()
    text = parser.format_help()
    assert "designopt" in text


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 1


def test_help_does_not_import_heavy_libraries():
    """``designopt --help`` must stay fast: CoolProp, Optuna and Pyomo are imported lazily."""
    code = (
        "import sys; from designopt.cli import build_parser; build_parser().format_help();"
        "heavy = [m for m in ('CoolProp', 'optuna', 'pyomo', 'pygfunction', 'matplotlib') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

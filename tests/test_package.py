"""The release package: ``python -m build`` gives a clean sdist and wheel, and the wheel works on
its own.

The wheel is installed into a fresh virtual environment that sees this environment's
dependencies through a ``.pth`` file (nothing is downloaded and nothing is compiled; pip still
checks that every ``Requires-Dist`` of the wheel is met). The installed command runs from a
scratch folder with no ``PYTHONPATH``, so it can only find designopt in the wheel.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import designopt

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("build", reason="the test extra (build) is not installed")

DATA = (
    "designopt/economics/data/costs.toml",
    "designopt/cycle/data/compressor_envelopes.json",
    "designopt/py.typed",
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        # sdist first, then the wheel built from the unpacked sdist: the sdist is complete
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


def test_wheel_holds_the_package_data_and_licence(dist):
    with zipfile.ZipFile(dist["wheel"]) as zf:
        names = set(zf.namelist())
        info = f"designopt-{designopt.__version__}.dist-info"
        meta = email.message_from_string(zf.read(f"{info}/METADATA").decode())
    assert [d for d in DATA if d not in names] == []
    assert f"{info}/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "casestudies/"))]
    assert meta["Version"] == designopt.__version__
    assert meta["License-Expression"] == "BSD-3-Clause"
    assert "Typing :: Typed" in meta.get_all("Classifier")
    extras = set(meta.get_all("Provides-Extra"))
    assert {"docs", "test", "postgres", "dashboard"} <= extras


def test_sdist_is_clean(dist):
    with tarfile.open(dist["sdist"]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "pyproject.toml", *DATA} <= names
    # nothing built, cached or downloaded next to the sources gets into the release
    stray = [
        n
        for n in names
        if n.endswith((".whl", ".pyc", ".nc"))
        or n.startswith(("docs/_build", "results/", ".venv"))
        or "__pycache__" in n
    ]
    assert stray == []


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed, the dependencies seen from this environment."""
    where = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300)
    python = where / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # this environment's packages after the venv's own: the wheel's designopt comes first
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "zz_designopt_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        # --ignore-installed: a non-editable designopt in this environment (CI installs the
        # checkout with `pip install .`) would otherwise count as "already satisfied"
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--no-deps",
            "--ignore-installed",
            "--quiet",
            str(dist["wheel"]),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return where


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_installed_wheel_runs(venv, tmp_path):
    where = _run(venv, "python", "-c", "import designopt; print(designopt.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv)  # the wheel's copy, not the checkout

    version = _run(venv, "designopt", "--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"designopt {designopt.__version__}"

    products = _run(venv, "designopt", "products", "--limit", "3", cwd=tmp_path)
    assert products.returncode == 0, products.stderr
    assert products.stdout.strip()


def test_installed_wheel_reads_its_package_data(venv, tmp_path):
    code = (
        "from designopt.economics.capital import load_cost_table\n"
        "from designopt.cycle.envelope import envelope_names\n"
        "load_cost_table()\n"
        "assert envelope_names(), 'no compressor envelope in the package data'\n"
        "print('ok')\n"
    )
    out = _run(venv, "python", "-c", code, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"

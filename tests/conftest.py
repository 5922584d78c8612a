"""Test-suite configuration.

Hypothesis runs **derandomised by default**, on every machine, with or without ``CI``: the
examples are a fixed function of each test's source (``derandomize=True``) and no example
database is read or written (``database=None``), so the README's test command gives the same
result on a fresh clone as in CI and on a developer's machine, and a failure reproduces with
the same command.  Examples that once failed are kept as explicit ``@example`` cases.

To explore new random examples while developing, opt in::

    DESIGNOPT_HYPOTHESIS=explore python -m pytest tests/test_formulations.py

(random seeds, the local ``.hypothesis/`` database; any failure prints the seed and a
``@reproduce_failure`` blob).  ``HYPOTHESIS_PROFILE=<name>`` loads any registered profile.

designopt's on-disk caches (property tables, g-functions) go to a fresh temporary folder per
test run, shared by the xdist workers of that run and removed at its end, not to the user's
cache (``~/.cache/designopt``): a test run never reads what another checkout or version left
there, and never writes into the user's home.  A ``DESIGNOPT_CACHE_DIR`` set by the caller is
respected.  See ``docs/testing.md`` for what else was checked for reproducibility.
"""

import os
import shutil
import tempfile

from hypothesis import settings

_FIXED = {"derandomize": True, "database": None, "deadline": None, "print_blob": True}
settings.register_profile("repro", **_FIXED)
settings.register_profile("ci", **_FIXED)  # kept for CI=true and older instructions
settings.register_profile("explore", deadline=None, print_blob=True)


def hypothesis_profile(environ=os.environ) -> str:
    """The profile to load: ``explore`` on request, else the derandomised ``repro``."""
    if environ.get("HYPOTHESIS_PROFILE"):
        return environ["HYPOTHESIS_PROFILE"]
    if environ.get("DESIGNOPT_HYPOTHESIS", "").lower() == "explore":
        return "explore"
    return "repro"


settings.load_profile(hypothesis_profile())


_OWN_CACHE_ENV = "DESIGNOPT_TEST_OWN_CACHE"


def pytest_configure(config):
    """Point designopt's caches at a per-run temporary folder (inherited by xdist workers)."""
    if "DESIGNOPT_CACHE_DIR" not in os.environ:
        path = tempfile.mkdtemp(prefix="designopt-test-cache-")
        os.environ["DESIGNOPT_CACHE_DIR"] = path
        os.environ[_OWN_CACHE_ENV] = path  # remembered so that only its creator removes it


def pytest_unconfigure(config):
    path = os.environ.get(_OWN_CACHE_ENV)
    if path and not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(path, ignore_errors=True)

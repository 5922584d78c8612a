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

The RDB storage tests get a real PostgreSQL server from the ``postgres_url`` fixture (below).
"""

import os
import shutil
import tempfile

import pytest
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


# --- a PostgreSQL server for the RDB storage tests -------------------------------------------
# ``.ci/run`` starts one and exports its URL in DESIGNOPT_TEST_POSTGRES_URL.  Without it, the
# session starts a throwaway server from the PostgreSQL binaries (initdb, pg_ctl) if they exist,
# and the tests that need one are skipped only when there are none.

POSTGRES_URL_VAR = "DESIGNOPT_TEST_POSTGRES_URL"
_PG_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin")


def _postgres_bindir():
    import glob
    import shutil

    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=os.path.dirname(found)):
        return os.path.dirname(found)
    for pattern in _PG_BIN_DIRS:
        for d in sorted(glob.glob(pattern), reverse=True):  # newest version first
            if os.path.isfile(os.path.join(d, "initdb")) and os.path.isfile(
                os.path.join(d, "pg_ctl")
            ):
                return d
    return None


def _start_postgres(tmp_root):
    """Start a throwaway server in a new folder under ``tmp_root``; return (url, stop)."""
    import pwd
    import shutil
    import socket
    import subprocess
    import tempfile

    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
            f"{', '.join(_PG_BIN_DIRS)}, and {POSTGRES_URL_VAR} is not set"
        )
    base = tempfile.mkdtemp(prefix="designopt-pg-", dir=tmp_root)
    run_as = {}
    if os.geteuid() == 0:  # the server refuses to run as root
        user = next(
            (u for u in ("postgres", "nobody") if u in {p.pw_name for p in pwd.getpwall()}), None
        )
        if user is None:
            pytest.skip("running as root and no 'postgres' or 'nobody' user to run PostgreSQL")
        pw = pwd.getpwnam(user)
        os.chown(base, pw.pw_uid, pw.pw_gid)
        run_as = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
    data, sock, log = (os.path.join(base, n) for n in ("data", "sock", "server.log"))

    def pg(*args, check=True):
        return subprocess.run(
            [os.path.join(bindir, args[0]), *args[1:]],
            check=check,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=base,
            **run_as,
        )

    os.mkdir(sock)
    if run_as:
        os.chown(sock, run_as["user"], run_as["group"])
    pg("initdb", "-D", data, "-U", "designopt", "--auth=trust", "-E", "UTF8", "--no-sync")
    for _ in range(5):  # a free port can be taken between the probe and the server's bind
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        opts = f"-h 127.0.0.1 -p {port} -k {sock} -c fsync=off -c max_connections=60"
        started = pg(
            "pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "-t", "60", "start", check=False
        )
        if started.returncode == 0:
            break
    else:
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr.strip()}")

    def stop():
        pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)

    return f"postgresql://designopt@127.0.0.1:{port}/postgres", stop


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """URL of a PostgreSQL server on which the test user may create databases."""
    try:
        import psycopg  # noqa: F401  (the driver of postgresql:// URLs)
    except ImportError:
        pytest.fail("psycopg is missing: pip install '.[test]' (it is in the test extra)")
    url = os.environ.get(POSTGRES_URL_VAR)
    if url:
        yield url
        return
    url, stop = _start_postgres("/tmp")
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def postgres_url(postgres_server):
    """URL of a fresh, empty database on the test server (dropped afterwards)."""
    import uuid

    import sqlalchemy

    name = f"designopt_{uuid.uuid4().hex[:12]}"
    server = sqlalchemy.engine.make_url(postgres_server).set(drivername="postgresql+psycopg")
    admin = sqlalchemy.create_engine(
        server, isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.pool.NullPool
    )
    with admin.connect() as c:
        c.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(drivername="postgresql", database=name)
        yield url.render_as_string(hide_password=False)  # as a user writes it
    finally:
        with admin.connect() as c:
            c.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

"""Test-suite configuration.

Hypothesis explores random examples on developers' machines; under CI (``CI=true``) it runs
derandomised, so a CI result depends only on the commit.

The RDB storage tests get a real PostgreSQL server from the ``postgres_url`` fixture (below).
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")


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

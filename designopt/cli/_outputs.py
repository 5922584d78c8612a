"""Where the commands may write: output folders and files that are designopt's own.

Rules (one place for every command):

* an output **folder** (``designopt run --out``) must be new, empty, or one that designopt made
  (it holds the marker file :data:`MARKER`, or a study journal or ``results.nc`` of an earlier
  version); anything else is refused unless ``--force``; the folder is created with its marker;
* an output **file** must have the suffix of what is written (``.nc``, ``.csv``), must not be
  one of the command's input files, and may replace only a file that designopt wrote (a
  NetCDF file with designopt's ``producer`` attribute, a CSV whose header is the command's);
  its folder is created;
* an empty path, a path that is a folder where a file is expected (or the reverse), NUL bytes
  or an over-long name are one-line errors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from designopt import __version__
from designopt.errors import ConfigurationError

#: Marker file of an output folder that designopt made.
MARKER = ".designopt-output"
#: Files that show an output folder of an earlier designopt (before the marker existed).
_LEGACY = ("study.journal", "results.nc")
#: Value of the ``producer`` attribute designopt writes into its NetCDF files.
PRODUCER = "designopt"


def _path(value, what: str) -> Path:
    text = os.fspath(value) if value is not None else ""
    if not str(text).strip():
        raise ConfigurationError(f"{what}={text!r} is empty; give a folder or file name")
    if "\x00" in str(text):
        raise ConfigurationError(f"{what}={text!r} contains a NUL byte")
    path = Path(text)
    if any(len(part) > 255 for part in path.parts):
        raise ConfigurationError(f"{what}: a name in {str(path)[:60]!r}... exceeds 255 characters")
    return path


def output_folder(value, *, force: bool = False, what: str = "--out") -> Path:
    """The output folder ``value``, checked and created with its marker (see the module)."""
    path = _path(value, what)
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"{what}={str(path)!r} is a file, not a folder")
    if path.is_dir():
        names = sorted(p.name for p in path.iterdir())
        ours = MARKER in names or any(n in names for n in _LEGACY)
        if names and not ours and not force:
            shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            raise ConfigurationError(
                f"{what}={str(path)!r} holds files designopt did not write ({shown}); give a "
                "new or empty folder, or --force to write into it anyway"
            )
    path.mkdir(parents=True, exist_ok=True)
    marker = path / MARKER
    if not marker.exists():
        marker.write_text(
            json.dumps({"producer": PRODUCER, "version": __version__}) + "\n", encoding="utf-8"
        )
    return path


def is_designopt_netcdf(path: Path) -> bool:
    """Whether ``path`` is a NetCDF file that designopt wrote (its ``producer`` attribute)."""
    try:
        import h5py

        with h5py.File(path, "r") as f:
            producer = f.attrs.get("producer", b"")
            legacy = "designopt_version" in f.attrs  # files of versions before the attribute
    except Exception:  # not HDF5 / NetCDF-4 at all
        return False
    if isinstance(producer, bytes):
        producer = producer.decode("utf-8", "replace")
    return str(producer) == PRODUCER or legacy


def csv_with_header(*columns: str) -> Callable[[Path], bool]:
    """An ownership test: a CSV file whose first line holds ``columns``."""

    def owned(path: Path) -> bool:
        try:
            with open(path, encoding="utf-8") as f:
                head = f.readline()
        except (OSError, UnicodeDecodeError):
            return False
        return all(c in head.split(",") or f"{c}\n" in head for c in columns)

    return owned


def add_force_argument(p, *, what: str = "an existing output file designopt did not write") -> None:
    """``--force``: replace (or write into) ``what`` (the refusal messages name this flag)."""
    p.add_argument("--force", action="store_true", help=f"replace {what}")


def output_file(
    value,
    *,
    suffix: str,
    inputs: Iterable = (),
    owned: Callable[[Path], bool] = is_designopt_netcdf,
    force: bool = False,
    what: str = "--out",
) -> Path:
    """The output file ``value``, checked (see the module); its folder is created."""
    path = _path(value, what)
    if path.suffix.lower() != suffix:
        raise ConfigurationError(
            f"{what}={str(path)!r}: this command writes a {suffix} file; give a name ending in "
            f"{suffix}"
        )
    if path.is_dir():
        raise ConfigurationError(f"{what}={str(path)!r} is a folder; give a {suffix} file name")
    for given in inputs:
        if given is None:
            continue
        src = Path(os.fspath(given))
        if src.exists() and path.exists() and os.path.samefile(src, path):
            raise ConfigurationError(
                f"{what}={str(path)!r} is the input file {str(src)!r}; give another name"
            )
    if path.exists() and not force and not owned(path):
        raise ConfigurationError(
            f"{what}={str(path)!r} exists and is not a file designopt wrote; give a new name, "
            "or --force to replace it"
        )
    if path.parent.exists() and not path.parent.is_dir():
        raise ConfigurationError(f"{what}={str(path)!r}: {str(path.parent)!r} is not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path

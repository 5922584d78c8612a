"""Stable hashing and the on-disk cache folder shared by designopt's caches.

Caches (performance maps, g-functions, CoolProp tables) are keyed by :func:`stable_hash` of the
inputs that matter and never change results.  The folder is ``$DESIGNOPT_CACHE_DIR`` if set,
else the user's cache directory (``platformdirs.user_cache_dir("designopt")``).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
from pathlib import Path
from typing import Any


def _normalise(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            "__type__": type(obj).__name__,
            **{f.name: _normalise(getattr(obj, f.name)) for f in dataclasses.fields(obj)},
        }
    if hasattr(obj, "model_dump"):  # pydantic model
        return {"__type__": type(obj).__name__, **_normalise(obj.model_dump())}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): _normalise(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, list | tuple):
        return [_normalise(v) for v in obj]
    if isinstance(obj, float):
        return repr(float(obj))  # exact round-trip text
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return _normalise(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    return obj


def stable_hash(*parts: Any, length: int = 16) -> str:
    """Return a hex digest of ``parts`` that is stable across processes and machines.

    Dataclasses, pydantic models, enums, dicts, sequences, numpy arrays and floats are
    normalised first, so equal inputs always give the same key.
    """
    text = json.dumps([_normalise(p) for p in parts], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def cache_dir(*sub: str) -> Path:
    """Return (and create) designopt's cache folder, or a sub-folder of it."""
    base = os.environ.get("DESIGNOPT_CACHE_DIR")
    if base is None:
        import platformdirs

        base = platformdirs.user_cache_dir("designopt")
    path = Path(base, *sub).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path

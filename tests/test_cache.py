from dataclasses import dataclass

import numpy as np

from designopt.cache import cache_dir, stable_hash


@dataclass(frozen=True)
class _D:
    a: float
    b: tuple


def test_stable_hash_equal_inputs_equal_keys():
    assert stable_hash(_D(1.0, (1, 2)), {"x": np.array([1.0, 2.0])}) == stable_hash(
        _D(1.0, (1, 2)), {"x": [1.0, 2.0]}
    )
    assert stable_hash(_D(1.0, (1, 2))) != stable_hash(_D(1.0 + 1e-12, (1, 2)))


def test_cache_dir_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DESIGNOPT_CACHE_DIR", str(tmp_path))
    assert cache_dir("gfunc") == (tmp_path / "gfunc").resolve()
    assert (tmp_path / "gfunc").is_dir()

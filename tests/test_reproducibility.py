"""The test suite gives the same result on any machine, with or without ``CI`` (tests/conftest.py)."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

OPTED_IN = bool(os.environ.get("DESIGNOPT_HYPOTHESIS") or os.environ.get("HYPOTHESIS_PROFILE"))


@pytest.mark.skipif(OPTED_IN, reason="the developer opted in to random exploration")
def test_hypothesis_is_derandomised_without_ci():
    """The README's test command runs without CI=true: hypothesis must still be derandomised
    and keep no example database (a database replays what an earlier run found)."""
    assert settings.default.derandomize is True
    assert settings.default.database is None
    from test_formulations import test_selection_equals_enumeration_on_random_instances as t

    used = t._hypothesis_internal_use_settings  # a test's own @settings inherit the profile
    assert used.derandomize is True and used.database is None and used.max_examples == 25


def test_profile_choice():
    from conftest import hypothesis_profile

    assert hypothesis_profile({}) == "repro"
    assert hypothesis_profile({"CI": "true"}) == "repro"
    assert hypothesis_profile({"DESIGNOPT_HYPOTHESIS": "explore"}) == "explore"
    assert hypothesis_profile({"HYPOTHESIS_PROFILE": "ci"}) == "ci"
    for name in ("repro", "ci"):
        p = settings.get_profile(name)
        assert p.derandomize is True and p.database is None


def test_caches_do_not_go_to_the_users_cache():
    """designopt's disk caches point at the run's own folder unless the caller chose one."""
    import platformdirs

    from designopt.cache import cache_dir

    own = os.environ.get("DESIGNOPT_TEST_OWN_CACHE")
    if own is None and os.environ.get("DESIGNOPT_CACHE_DIR"):
        pytest.skip("DESIGNOPT_CACHE_DIR was set by the caller")
    user = Path(platformdirs.user_cache_dir("designopt")).resolve()
    here = cache_dir()
    assert user not in (here, *here.parents)
    assert here == Path(own).resolve()

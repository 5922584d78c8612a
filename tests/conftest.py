"""Test-suite configuration.

Hypothesis explores random examples on developers' machines; under CI (``CI=true``) it runs
derandomised, so a CI result depends only on the commit.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")

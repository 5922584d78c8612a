"""The exception family: every designopt error is catchable as its built-in counterpart."""

import pytest

import designopt
from designopt import errors


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ConfigurationError, ValueError),
        (errors.DataFormatError, ValueError),
        (errors.PropertyError, ValueError),
        (errors.OperatingPointError, ValueError),
        (errors.InfeasibleDesignError, ValueError),
        (errors.ConvergenceError, RuntimeError),
        (errors.SolverError, RuntimeError),
        (errors.StorageFullError, OSError),
    ],
)
def test_family(cls, builtin):
    exc = cls("t_evap_K=300.0 must be below t_cond_K=290.0")
    assert isinstance(exc, errors.DesignOptError)
    assert isinstance(exc, builtin)
    with pytest.raises(builtin, match="must be below"):
        raise exc


def test_exported_from_package():
    assert designopt.DesignOptError is errors.DesignOptError

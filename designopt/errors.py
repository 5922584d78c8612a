"""The one exception family of designopt.

Every error raised on purpose by designopt derives from :class:`DesignOptError` and, where one
fits, from the matching built-in, so ``except ValueError`` in user code still works.  Messages
state the rule, the offending value and the valid options, e.g.
``"t_evap_K=300.0 must be below t_cond_K=290.0"``.

Inside a study, designopt catches only this family: an infeasible or failing design becomes a
recorded trial with its reason; anything else is a bug and is allowed to surface.
"""


class DesignOptError(Exception):
    """Base class of every error designopt raises on purpose."""


class ConfigurationError(DesignOptError, ValueError):
    """An input (argument, case file field, design variable) is invalid."""


class DataFormatError(DesignOptError, ValueError):
    """A data file (CSV, EPW, TOML) is malformed or lacks required content."""


class PropertyError(DesignOptError, ValueError):
    """A thermodynamic state is outside the fluid's valid range or CoolProp failed."""


class OperatingPointError(DesignOptError, ValueError):
    """An operating point lies outside the machine's envelope (pressure ratio, discharge
    temperature, pinch, critical point ...)."""


class ConvergenceError(DesignOptError, RuntimeError):
    """An iterative solve did not converge; no number is returned in that case."""


class InfeasibleDesignError(DesignOptError, ValueError):
    """A design cannot meet its requirements (e.g. no borehole length meets the limits)."""


class SolverError(DesignOptError, RuntimeError):
    """A mathematical-programming solve ended in a state other than optimal."""


class StorageFullError(DesignOptError, OSError):
    """The disk (or quota) holding a study's files is full; what is finished is kept."""


class StudyInterrupted(DesignOptError):
    """A study stopped early on a signal (SIGINT, SIGTERM) once its workers finished their
    current trials; every finished trial is kept and rerunning the same command resumes.

    ``signal_name`` is the signal's name (``"SIGINT"``); ``study`` the stopped Optuna study.
    """

    def __init__(self, message: str, *, signal_name: str, study=None):
        super().__init__(message)
        self.signal_name = signal_name
        self.study = study


class DesignOptWarning(UserWarning):
    """Something designopt repaired or could not check, and the user should know about."""

"""Exceptions of the planner.

Every error a user can cause (a bad file, a bad place, an impossible constraint) is one of these,
so that the CLI turns it into one line and exit code 2 and the web API into a 4xx JSON answer.
They subclass builtins so that callers who do not know this module can still catch them.
"""


class ParcsError(Exception):
    """Base class of every error the planner reports to a user."""


class SourceError(ParcsError, OSError):
    """A source file is missing, cannot be fetched, or cannot be read."""


class ChecksumError(SourceError):
    """A source file does not have the sha256 of the manifest."""


class DataError(ParcsError, ValueError):
    """A file was read but its content is malformed or inconsistent."""


class RegistryError(DataError):
    """The park-unit registry (``data/parcs.toml``) is invalid."""


class BuildError(ParcsError, RuntimeError):
    """The network could not be built, or no built network is available."""


class UnknownPlaceError(ParcsError, LookupError):
    """A place name or id matches nothing known."""


class OutOfAreaError(ParcsError, ValueError):
    """A coordinate lies outside the territory or too far from the network."""


class InvalidRequestError(ParcsError, ValueError):
    """A request is malformed: NaN coordinates, unknown profile, same origin and destination..."""


class AmbiguousPlaceError(InvalidRequestError):
    """A place name fits several places equally well; ``candidates`` lists them (dicts with
    ``id``, ``label``, ``category``, ``commune``, ``lat``, ``lon``), best first."""

    def __init__(self, message: str, *, candidates: tuple[dict[str, object], ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


class NoRouteError(ParcsError, ValueError):
    """No itinerary joins the places on the network with the chosen profile."""


class ConstraintError(NoRouteError):
    """A route exists, but none satisfies the constraints; the message gives the closest figures."""


class DamagedBuildError(BuildError):
    """A build folder exists but a file of it is truncated, corrupt or of another format version.

    The message says which file and how to rebuild (``parcs build`` or ``make data``).
    """


class BuildBusyError(BuildError):
    """Another build of the same folder is running (its lock is held)."""


class OutputPathError(InvalidRequestError):
    """An output file cannot be written where the user asked (a folder, a missing parent...)."""


class BudgetExceededError(ParcsError, TimeoutError):
    """A request ran out of its time budget before any acceptable answer was found."""

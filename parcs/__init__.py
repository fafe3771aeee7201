"""The territory of the Chaîne des parcs: sources, perimeter, park units, network, elevation, POIs.

The package turns the real open-data layers of the Pôle Métropolitain de l'Artois (or an
OpenStreetMap extract) into a routable, elevation-aware greenway graph handed to osmnx, and writes
it as a build artifact that the :mod:`routing` core compiles and queries.
"""

import logging

from parcs._errors import (
    AmbiguousPlaceError,
    BudgetExceededError,
    BuildBusyError,
    BuildError,
    ChecksumError,
    ConstraintError,
    DamagedBuildError,
    DataError,
    InvalidRequestError,
    NoRouteError,
    OutOfAreaError,
    OutputPathError,
    ParcsError,
    RegistryError,
    SourceError,
    UnknownPlaceError,
)

__all__ = [
    "AmbiguousPlaceError",
    "BudgetExceededError",
    "BuildBusyError",
    "BuildError",
    "ChecksumError",
    "ConstraintError",
    "DamagedBuildError",
    "DataError",
    "InvalidRequestError",
    "NoRouteError",
    "OutOfAreaError",
    "OutputPathError",
    "ParcsError",
    "RegistryError",
    "SourceError",
    "UnknownPlaceError",
]
__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

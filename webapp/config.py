"""Default settings of the web app (override them through ``create_app(config)``).

``BUILD_DIR`` defaults to :func:`parcs.paths.build_dir` (``data/build/opendata``, or
``PARCS_BUILD_DIR``). The size limits bound what one request may send; the bounds of what it may
ask for (places, counts, ranges) are :mod:`routing.bounds`, shared with the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

#: The time budget of a request when ``REQUEST_BUDGET`` is None (seconds).
DEFAULT_REQUEST_BUDGET = 2.0

DEFAULT_CONFIG: Mapping[str, Any] = MappingProxyType(
    {
        # where the built network is (None: parcs.paths.build_dir())
        "BUILD_DIR": None,
        # an already loaded routing.CompiledNetwork (tests); wins over BUILD_DIR
        "NETWORK": None,
        # request limits
        "MAX_CONTENT_LENGTH": 16 * 1024,
        "MAX_FORM_MEMORY_SIZE": 16 * 1024,
        "MAX_QUERY_LENGTH": 4096,
        # time budget of one request's searches, in seconds (None: DEFAULT_REQUEST_BUDGET unless
        # TESTING, where results must not depend on the machine's load; math.inf: no limit):
        # loops stop and answer the loops found so far (marked partial) or 503
        # time_budget_exceeded; routes return fewer alternatives, or the least-climbing route
        # under max_climb
        "REQUEST_BUDGET": None,
        # route once per profile at start-up so that the cached cost arrays exist before
        # gunicorn forks its workers (None: yes unless TESTING)
        "WARM_UP": None,
        # caching of the in-memory static files (seconds)
        "ASSET_MAX_AGE": 3600,
        # the Flask instance folder (None: Flask's, ./instance): session secret, SQLite database
        "INSTANCE_DIR": None,
        # the editors' database (None: $DATABASE_URL, else SQLite in the instance folder)
        "DATABASE_URL": None,
        # session secret (None: generated once into the instance folder)
        "SECRET_KEY": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # whether an editor may change another editor's circuit
        "EDITORS_SHARE_CIRCUITS": False,
    }
)

"""What the app loads once at start-up: the compiled network and the catalogue built from it.

The :class:`AppState` is stored in ``app.extensions["parcs"]`` and never modified afterwards; every
request reads it. A missing or unreadable build does not stop the app: the state then holds the
reason, pages and routes answer 503 with it, and ``/api/health`` reports it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from parcs import paths
from parcs._errors import BuildError, DamagedBuildError, ParcsError
from routing.deadline import NEVER, Deadline
from webapp.catalog import Catalog, build_catalog
from webapp.config import DEFAULT_REQUEST_BUDGET

logger = logging.getLogger(__name__)

STATE_KEY = "parcs"


@dataclass(frozen=True)
class AppState:
    """The shared, read-only state of the app."""

    network: Any | None
    catalog: Catalog | None
    error: str | None
    build_dir: Path | None
    load_seconds: float
    damaged: bool = False

    def require(self) -> tuple[Any, Catalog]:
        """The network and its catalogue, or a :class:`BuildError` (503) saying why not
        (:class:`DamagedBuildError` when the build is damaged)."""
        if self.network is None or self.catalog is None:
            if self.damaged:
                raise DamagedBuildError(self.error or "damaged build")
            raise BuildError(self.error or "no network loaded")
        return self.network, self.catalog


def load_state(config: Mapping[str, Any]) -> AppState:
    """Load the compiled network named by ``config`` (``NETWORK`` or ``BUILD_DIR``).

    Errors of the build (:class:`parcs.ParcsError`) are kept in the state rather than raised, and
    so is anything else a damaged file may raise (logged with its traceback): the app, and a
    gunicorn master that loads it before forking, always start.
    """
    t0 = time.perf_counter()
    network = config.get("NETWORK")
    build_dir = None
    try:
        if network is None:
            from routing import load_compiled

            build_dir = Path(config.get("BUILD_DIR") or paths.build_dir())
            network = load_compiled(build_dir)
        catalog = build_catalog(network)
    except (ParcsError, OSError) as exc:
        logger.error("no network for the web app: %s", exc)
        return AppState(None, None, str(exc), build_dir, time.perf_counter() - t0,
                        damaged=isinstance(exc, DamagedBuildError))
    except Exception as exc:  # a damaged file must not stop the server: keep the reason
        logger.exception("the network of the web app could not be loaded")
        return AppState(None, None, f"{type(exc).__name__}: {exc}", build_dir,
                        time.perf_counter() - t0, damaged=True)
    warm = config.get("WARM_UP")
    if warm or (warm is None and not config.get("TESTING")):
        warm_up(network, catalog)
    seconds = time.perf_counter() - t0
    logger.info("network loaded for the web app in %.2f s (%d parks, %d POIs)", seconds,
                len(catalog.parks), len(catalog.pois))
    return AppState(network, catalog, None, build_dir, seconds)


def warm_up(network: Any, catalog: Catalog) -> None:
    """Compile the routing kernels, build the gazetteer of places and the snapping index, compute
    the loop search's blocks of every profile, then route once per profile between two park
    units, to fill the network's caches before the fork."""
    from routing import PROFILES, RouteRequest, route
    from routing.costs import CostOptions, edge_costs
    from routing.gazetteer import gazetteer
    from routing.kernels import warm
    from routing.loops.engine import LoopGraph, way_blocks
    from routing.snap import prepare

    warm()
    gazetteer(network)
    prepare(network)
    for profile in PROFILES:  # the blocks of the loop search (~2 s each on the Artois network)
        cost = edge_costs(network, CostOptions(profile))
        way_blocks(LoopGraph(cn=network, cost=cost, measure=network.edge_length))

    parks = [p.id for p in catalog.parks if p.access_node >= 0][:2]
    if len(parks) < 2:
        return
    for profile in PROFILES:
        try:
            route(network, RouteRequest(origin=parks[0], destination=parks[1], profile=profile))
        except ParcsError as exc:  # a disconnected pair still warms the cost arrays
            logger.debug("warm-up route (%s): %s", profile, exc)


def request_budget(config: Mapping[str, Any]) -> float:
    """The time budget of one request (s): ``REQUEST_BUDGET``, or when it is None
    :data:`webapp.config.DEFAULT_REQUEST_BUDGET` (no limit under ``TESTING``)."""
    budget = config.get("REQUEST_BUDGET")
    if budget is None:
        return math.inf if config.get("TESTING") else DEFAULT_REQUEST_BUDGET
    return float(budget)


def request_deadline() -> Deadline:
    """The deadline of the current request's searches (:func:`request_budget` from now)."""
    budget = request_budget(current_app.config)
    return NEVER if math.isinf(budget) else Deadline.after(budget)


def get_state() -> AppState:
    """The state of the current app."""
    state: AppState = current_app.extensions[STATE_KEY]
    return state

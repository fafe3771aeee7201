"""Route requests (validated on creation) and route results."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from parcs._errors import InvalidRequestError
from parcs.schema import POI_CATEGORIES
from routing.costs import CostOptions
from routing.itinerary import Itinerary
from routing.places import MAX_SNAP_M

__all__ = ["DEFAULT_ALONG_M", "MAX_ALONG_M", "MAX_ALTERNATIVES", "PlaceSpec", "RouteRequest", "RouteResult", "parse_along"]

#: A place as given by a user: text (name, id, ``"lat,lon"``) or a ``(lat, lon)`` pair.
PlaceSpec = Union[str, tuple[float, float]]  # noqa: UP007 - runtime alias
#: Most alternatives a request may ask for.
MAX_ALTERNATIVES = 5
#: Default and largest distance of ``along`` searches (m).
DEFAULT_ALONG_M = 200.0
MAX_ALONG_M = 5000.0


def _place_spec(value: Any, what: str) -> PlaceSpec:
    if isinstance(value, str):
        if not value.strip():
            raise InvalidRequestError(f"{what}: empty place")
        return value.strip()
    if isinstance(value, Sequence) and len(value) == 2:
        try:
            lat, lon = float(value[0]), float(value[1])
        except (TypeError, ValueError) as exc:
            raise InvalidRequestError(f"{what}: invalid coordinates {value!r}") from exc
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise InvalidRequestError(f"{what}: coordinates must be finite, got {value!r}")
        return (lat, lon)
    raise InvalidRequestError(f"{what}: expected a place name, an id or (lat, lon), got {value!r}")


def _number(value: Any, what: str, *, positive: bool) -> float:
    if isinstance(value, bool):
        raise InvalidRequestError(f"{what} must be a number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"{what} must be a number, got {value!r}") from exc
    if not math.isfinite(out) or out < 0 or (positive and out == 0):
        raise InvalidRequestError(f"{what} must be a finite number {'>' if positive else '>='} 0, got {value!r}")
    return out


def parse_along(value: Any) -> tuple[tuple[str, float], ...]:
    """``along`` in any accepted form as ``((category, metres), ...)``.

    Accepts a mapping ``{category: metres}``, pairs, or strings ``"category[:metres]"``.

    >>> parse_along(["terril", "viewpoint:500"])
    (('terril', 200.0), ('viewpoint', 500.0))
    """
    items: list[Any]
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, str):
        items = [value]
    else:
        items = list(value or ())
    out: dict[str, float] = {}
    for item in items:
        if isinstance(item, str):
            name, _, dist = item.partition(":")
            pair: tuple[Any, Any] = (name.strip(), dist.strip() or DEFAULT_ALONG_M)
        elif isinstance(item, Sequence) and len(item) == 2:
            pair = (item[0], item[1])
        else:
            raise InvalidRequestError(f"along: expected 'category[:metres]' or (category, metres), got {item!r}")
        cat = str(pair[0])
        if cat not in POI_CATEGORIES:
            raise InvalidRequestError(f"along: unknown POI category {cat!r}; choose among {', '.join(POI_CATEGORIES)}")
        metres = _number(pair[1], f"along distance of {cat!r}", positive=True)
        if metres > MAX_ALONG_M:
            raise InvalidRequestError(f"along distance of {cat!r} must be at most {MAX_ALONG_M:g} m, got {metres:g}")
        out[cat] = metres
    return tuple(out.items())


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class RouteRequest:
    """What to route: places, profile, constraints and options (validated on creation).

    Parameters
    ----------
    origin, destination
        Places (:func:`routing.resolve_place`): ``"lat,lon"``, ``(lat, lon)``, park unit id, POI
        id, commune name.
    via
        Ordered intermediate places.
    profile
        ``walk``, ``bike`` or ``family`` (:data:`routing.PROFILES`).
    max_grade
        Hard limit on the uphill grade of every edge, percent.
    max_climb
        Hard limit on the total climb, metres (sum of the edges' filtered climbs).
    avoid
        Edge kinds, ``planned`` or ``unpaved`` to leave out.
    prefer
        Greenway preference strength (0: fastest, 1: the profile's factors, 2: twice as averse).
    via_category
        Pass by at least one POI of this category (the one that makes the route best).
    stop_at
        POI ids to stop at, in order, after the ``via`` places.
    along
        ``(category, metres)``: list the POIs of these categories within that distance.
    alternatives
        How many itineraries at most (1..5).
    max_snap_m
        Farthest coordinates may lie from the network.

    Raises
    ------
    InvalidRequestError
        For an unknown profile or category, negative or non-finite numbers, ``alternatives``
        outside 1..5, malformed places.
    """

    origin: PlaceSpec
    destination: PlaceSpec
    via: tuple[PlaceSpec, ...] = ()
    profile: str = "walk"
    max_grade: float | None = None
    max_climb: float | None = None
    avoid: tuple[str, ...] = ()
    prefer: float = 1.0
    via_category: str | None = None
    stop_at: tuple[str, ...] = ()
    along: tuple[tuple[str, float], ...] = ()
    alternatives: int = 1
    max_snap_m: float = MAX_SNAP_M

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "origin", _place_spec(self.origin, "origin"))
        put(self, "destination", _place_spec(self.destination, "destination"))
        via = (self.via,) if isinstance(self.via, str) or _is_pair(self.via) else _tuple(self.via)
        put(self, "via", tuple(_place_spec(v, "via") for v in via))
        put(self, "stop_at", tuple(str(_place_spec(s, "stop_at")) for s in _tuple(self.stop_at)))
        if self.max_grade is not None:
            put(self, "max_grade", _number(self.max_grade, "max_grade", positive=True))
        if self.max_climb is not None:
            put(self, "max_climb", _number(self.max_climb, "max_climb", positive=False))
        put(self, "prefer", _number(self.prefer, "prefer", positive=False))
        put(self, "max_snap_m", _number(self.max_snap_m, "max_snap_m", positive=True))
        if self.via_category is not None and self.via_category not in POI_CATEGORIES:
            raise InvalidRequestError(
                f"via_category: unknown POI category {self.via_category!r}; choose among {', '.join(POI_CATEGORIES)}"
            )
        put(self, "along", parse_along(self.along))
        alt = self.alternatives
        if isinstance(alt, bool) or not isinstance(alt, int | float) or alt != int(alt) or not 1 <= alt <= MAX_ALTERNATIVES:
            raise InvalidRequestError(f"alternatives must be an integer from 1 to {MAX_ALTERNATIVES}, got {alt!r}")
        put(self, "alternatives", int(alt))
        options = CostOptions(self.profile, max_grade=self.max_grade, avoid=_tuple(self.avoid), prefer=self.prefer)
        put(self, "avoid", options.avoid)

    def cost_options(self) -> CostOptions:
        """The :class:`~routing.costs.CostOptions` of the request."""
        return self._options

    @functools.cached_property
    def _options(self) -> CostOptions:
        return CostOptions(self.profile, max_grade=self.max_grade, avoid=self.avoid, prefer=self.prefer)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready echo of the request."""
        return {
            "origin": _spec_json(self.origin), "destination": _spec_json(self.destination),
            "via": [_spec_json(v) for v in self.via], "profile": self.profile,
            "max_grade": self.max_grade, "max_climb": self.max_climb, "avoid": list(self.avoid),
            "prefer": self.prefer, "via_category": self.via_category, "stop_at": list(self.stop_at),
            "along": [[c, m] for c, m in self.along], "alternatives": self.alternatives,
            "max_snap_m": self.max_snap_m,
        }


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value)


def _spec_json(spec: Any) -> Any:
    return list(spec) if isinstance(spec, tuple | list) else spec


@dataclass(frozen=True, eq=False)
class RouteResult:
    """The answer to a :class:`RouteRequest`: itineraries best first, and the resolved places."""

    request: RouteRequest
    itineraries: tuple[Itinerary, ...]
    places: Mapping[str, Any]
    elapsed_ms: float = 0.0

    @property
    def best(self) -> Itinerary:
        """The best itinerary."""
        return self.itineraries[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "request": self.request.to_dict(),
            "places": dict(self.places),
            "itineraries": [it.to_dict() for it in self.itineraries],
            "elapsed_ms": round(self.elapsed_ms, 2),
        }

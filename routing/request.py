"""Route requests (validated on creation, within :mod:`routing.bounds`) and route results.

:class:`RouteRequest` is the one description of a route request: the command line, the JSON API
and the planner page build it from their string parameters with
:func:`routing.params.parse_route_params`, and :meth:`RouteRequest.to_params` gives those
parameters back (permalinks, downloads). Every problem raises
:class:`parcs.InvalidRequestError` with a French message naming the parameter.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from parcs._errors import InvalidRequestError
from routing.bounds import (
    ALONG_M,
    DEFAULT_ALONG_M,
    DEFAULT_PREFER,
    DEFAULT_STREETS,
    MAX_ALONG,
    MAX_ALTERNATIVES,
    MAX_AVOID,
    MAX_CLIMB_M,
    MAX_ESTIMATED_M,
    MAX_GRADE_PCT,
    MAX_STOP_AT,
    MAX_VIA,
    PREFER,
    STREETS,
)
from routing.costs import AVOIDABLE, CostOptions
from routing.itinerary import Itinerary
from routing.places import MAX_SNAP_M
from routing.profiles import PROFILES
from routing.validate import (
    check_category,
    check_choice,
    check_count,
    check_integer,
    check_number,
    check_text,
    format_number,
)

__all__ = ["DEFAULT_ALONG_M", "MAX_ALONG_M", "MAX_ALTERNATIVES", "PlaceSpec", "RouteRequest", "RouteResult", "parse_along"]

#: A place as given by a user: text (name, id, ``"lat,lon"``) or a ``(lat, lon)`` pair.
PlaceSpec = Union[str, tuple[float, float]]  # noqa: UP007 - runtime alias
#: Largest distance of ``along`` searches (m).
MAX_ALONG_M = ALONG_M[1]
#: Two numbers as :func:`routing.resolve_place` reads coordinates (``lat,lon``, ``lat;lon``...).
_COORD_TEXT = re.compile(r"^\s*([^,;\s]+)\s*[,;\s]\s*([^,;\s]+)\s*$")


def _coordinates(lat: float, lon: float, shown: Any, what: str) -> tuple[float, float]:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidRequestError(f"{what} : coordonnées invalides {shown!r} : nombres non finis")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidRequestError(
            f"{what} : coordonnées invalides {shown!r} : « lat,lon » en degrés attendu "
            "(latitude de -90 à 90, longitude de -180 à 180)")
    return lat, lon


def place_spec(value: Any, what: str) -> PlaceSpec:
    """A place as given (text checked by the text policy, coordinates finite and in degrees)."""
    if isinstance(value, str):
        text = check_text(value, what)
        match = _COORD_TEXT.match(text)
        if match:
            try:
                lat, lon = float(match.group(1)), float(match.group(2))
            except ValueError:
                return text  # two words: a name
            _coordinates(lat, lon, text, what)
        return text
    if isinstance(value, Sequence) and len(value) == 2:
        try:
            lat, lon = float(value[0]), float(value[1])
        except (TypeError, ValueError) as exc:
            raise InvalidRequestError(f"{what} : coordonnées invalides {value!r}") from exc
        return _coordinates(lat, lon, value, what)
    raise InvalidRequestError(
        f"{what} : un nom de lieu, un identifiant ou (lat, lon) attendu, pas {value!r}")


def parse_along(value: Any) -> tuple[tuple[str, float], ...]:
    """``along`` in any accepted form as ``((category, metres), ...)``.

    Accepts a mapping ``{category: metres}``, pairs, or strings ``"category[:metres]"``; at most
    :data:`routing.bounds.MAX_ALONG` categories, each within :data:`routing.bounds.ALONG_M`.

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
            raise InvalidRequestError(f"along : « catégorie[:mètres] » attendu, pas {item!r}")
        cat = check_category(str(pair[0]), "along")
        out[cat] = check_number(pair[1], f"along ({cat})", ALONG_M, low_open=True)
    return check_count(tuple(out.items()), "along", MAX_ALONG)


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def check_avoid(value: Any) -> tuple[str, ...]:
    """``avoid`` as sorted unique values of :data:`routing.AVOIDABLE`."""
    avoid = tuple(dict.fromkeys(_tuple(value)))
    for a in avoid:
        check_choice(a, "avoid", AVOIDABLE, "type de voie à éviter")
    return tuple(sorted(check_count(avoid, "avoid", MAX_AVOID)))


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
        How many itineraries at most (1 to :data:`routing.bounds.MAX_ALTERNATIVES`).
    max_snap_m
        Farthest coordinates may lie from the network.
    streets
        ``estimated`` (default): when the greenest route is over 1.5× a direct one using unmapped
        links (:mod:`parcs.unmapped`), offer that one too; ``none``: greenways and mapped ways only.
    max_estimated_m
        Most metres of unmapped links (as the crow flies) the direct option may use.

    Raises
    ------
    InvalidRequestError
        For an unknown profile, category or kind, a number or a count outside
        :mod:`routing.bounds`, a malformed place (French message naming the parameter).
    """

    origin: PlaceSpec
    destination: PlaceSpec
    via: tuple[PlaceSpec, ...] = ()
    profile: str = "walk"
    max_grade: float | None = None
    max_climb: float | None = None
    avoid: tuple[str, ...] = ()
    prefer: float = DEFAULT_PREFER
    via_category: str | None = None
    stop_at: tuple[str, ...] = ()
    along: tuple[tuple[str, float], ...] = ()
    alternatives: int = 1
    max_snap_m: float = MAX_SNAP_M
    streets: str = DEFAULT_STREETS
    max_estimated_m: float | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "origin", place_spec(self.origin, "from"))
        put(self, "destination", place_spec(self.destination, "to"))
        check_choice(self.streets, "streets", STREETS, "choix")
        if self.max_estimated_m is not None:
            put(self, "max_estimated_m", check_number(self.max_estimated_m, "max_estimated_m", MAX_ESTIMATED_M))
        via = (self.via,) if isinstance(self.via, str) or _is_pair(self.via) else _tuple(self.via)
        put(self, "via", check_count(tuple(place_spec(v, "via") for v in via), "via", MAX_VIA))
        stops = tuple(str(place_spec(s, "stop_at")) for s in _tuple(self.stop_at))
        put(self, "stop_at", check_count(stops, "stop_at", MAX_STOP_AT))
        check_choice(self.profile, "profile", PROFILES, "profil")
        if self.max_grade is not None:
            put(self, "max_grade", check_number(self.max_grade, "max_grade", MAX_GRADE_PCT))
        if self.max_climb is not None:
            put(self, "max_climb", check_number(self.max_climb, "max_climb", MAX_CLIMB_M))
        put(self, "prefer", check_number(self.prefer, "prefer", PREFER))
        put(self, "max_snap_m", check_number(self.max_snap_m, "max_snap_m", (0.0, math.inf), low_open=True))
        if self.via_category is not None:
            check_category(self.via_category, "via_category")
        put(self, "along", parse_along(self.along))
        put(self, "alternatives", check_integer(self.alternatives, "alternatives", (1, MAX_ALTERNATIVES)))
        put(self, "avoid", check_avoid(self.avoid))

    def to_params(self) -> list[tuple[str, str]]:
        """The request as the string parameters :func:`routing.params.parse_route_params` reads
        back (permalinks, downloads): defaults left out, ``profile`` always given.

        >>> RouteRequest("louvre-lens", (50.43, 2.83), max_grade=6.5, along=["terril"]).to_params()
        [('from', 'louvre-lens'), ('to', '50.43,2.83'), ('profile', 'walk'), ('max_grade', '6.5'), ('along', 'terril:200')]
        """
        out = [("from", _spec_text(self.origin)), ("to", _spec_text(self.destination))]
        out += [("via", _spec_text(v)) for v in self.via]
        out.append(("profile", self.profile))
        for name in ("max_grade", "max_climb"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, format_number(value)))
        out += [("avoid", a) for a in self.avoid]
        if self.prefer != DEFAULT_PREFER:
            out.append(("prefer", format_number(self.prefer)))
        if self.via_category:
            out.append(("via_category", self.via_category))
        out += [("stop_at", s) for s in self.stop_at]
        out += [("along", f"{c}:{format_number(m)}") for c, m in self.along]
        if self.alternatives != 1:
            out.append(("alternatives", str(self.alternatives)))
        if self.streets != DEFAULT_STREETS:
            out.append(("streets", self.streets))
        if self.max_estimated_m is not None:
            out.append(("max_estimated_m", format_number(self.max_estimated_m)))
        return out

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
            "max_snap_m": self.max_snap_m, "streets": self.streets, "max_estimated_m": self.max_estimated_m,
        }

    def direct_options(self) -> CostOptions:
        """The options of the direct route: pure time, unmapped links allowed."""
        return CostOptions(self.profile, max_grade=self.max_grade, avoid=self.avoid, prefer=0.0, unmapped=True)


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value)


def _spec_text(spec: PlaceSpec) -> str:
    return spec if isinstance(spec, str) else f"{format_number(spec[0])},{format_number(spec[1])}"


def _spec_json(spec: Any) -> Any:
    return list(spec) if isinstance(spec, tuple | list) else spec


@dataclass(frozen=True, eq=False)
class RouteResult:
    """The answer to a :class:`RouteRequest`: itineraries best first, and the resolved places."""

    request: RouteRequest
    itineraries: tuple[Itinerary, ...]
    places: Mapping[str, Any]
    elapsed_ms: float = 0.0
    direct: Itinerary | None = None
    comparison: str = ""

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
            "direct": None if self.direct is None else self.direct.to_dict(),
            "comparison": self.comparison,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }

"""Parse and bound the query parameters of a route request (shared by the API and the planner).

The parameters are those of the CLI: ``from``, ``to``, ``via`` (repeatable), ``profile``,
``max_grade`` (percent), ``max_climb`` (m), ``avoid`` (repeatable), ``prefer``, ``via_category``,
``stop_at`` (repeatable), ``along`` (``CATEGORY[:METRES]``, repeatable) and ``alternatives``.
Empty values (an untouched form field) count as absent; repeatable parameters also accept
comma-separated values (and ``via`` one place per line), as the planner's text fields send them.
Every problem raises :class:`parcs.InvalidRequestError` (400) with a message naming the parameter.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from parcs._errors import InvalidRequestError

#: Profiles accepted, with their French aliases.
PROFILE_ALIASES: Mapping[str, str] = {
    "walk": "walk",
    "marche": "walk",
    "pied": "walk",
    "bike": "bike",
    "velo": "bike",
    "vélo": "bike",
    "family": "family",
    "famille": "family",
}
DEFAULT_PROFILE = "walk"
#: Distance used for ``along=CATEGORY`` without ``:METRES``.
DEFAULT_ALONG_M = 200.0
#: Every parameter the route endpoints read.
ROUTE_PARAMS: tuple[str, ...] = (
    "from", "to", "via", "profile", "max_grade", "max_climb", "avoid", "prefer",
    "via_category", "stop_at", "along", "alternatives",
)


@dataclass(frozen=True)
class Limits:
    """Bounds of one request (from the app config)."""

    max_place_length: int = 200
    max_via: int = 10
    max_along: int = 5
    max_avoid: int = 8
    max_stop_at: int = 5
    max_alternatives: int = 3
    max_along_m: float = 5000.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """The limits configured for an app."""
        return cls(
            max_place_length=int(config["MAX_PLACE_LENGTH"]),
            max_via=int(config["MAX_VIA"]),
            max_along=int(config["MAX_ALONG"]),
            max_avoid=int(config["MAX_AVOID"]),
            max_stop_at=int(config["MAX_STOP_AT"]),
            max_alternatives=int(config["MAX_ALTERNATIVES"]),
            max_along_m=float(config["MAX_ALONG_METRES"]),
        )


@dataclass(frozen=True)
class RouteQuery:
    """A parsed, bounded route request (``max_grade`` in percent, as typed by users)."""

    origin: str
    destination: str
    via: tuple[str, ...] = ()
    profile: str = DEFAULT_PROFILE
    max_grade: float | None = None
    max_climb: float | None = None
    avoid: tuple[str, ...] = ()
    prefer: float | None = None
    via_category: str | None = None
    stop_at: tuple[str, ...] = ()
    along: tuple[tuple[str, float], ...] = ()
    alternatives: int = 1

    def to_params(self) -> list[tuple[str, str]]:
        """The canonical query parameters of this request (for links and downloads)."""
        out: list[tuple[str, str]] = [("from", self.origin), ("to", self.destination)]
        out += [("via", v) for v in self.via]
        out.append(("profile", self.profile))
        if self.max_grade is not None:
            out.append(("max_grade", _num(self.max_grade)))
        if self.max_climb is not None:
            out.append(("max_climb", _num(self.max_climb)))
        out += [("avoid", a) for a in self.avoid]
        if self.prefer is not None:
            out.append(("prefer", _num(self.prefer)))
        if self.via_category:
            out.append(("via_category", self.via_category))
        out += [("stop_at", s) for s in self.stop_at]
        out += [("along", f"{c}:{_num(m)}") for c, m in self.along]
        if self.alternatives != 1:
            out.append(("alternatives", str(self.alternatives)))
        return out


def _num(value: float) -> str:
    """``6`` rather than ``6.0``; otherwise the shortest repr."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _clean_text(value: str, *, name: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise InvalidRequestError(f"{name}: longer than {limit} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise InvalidRequestError(f"{name}: control characters are not allowed")
    return text


def _values(args: MultiDict[str, str], name: str, *, split: str = ",") -> list[str]:
    out: list[str] = []
    for raw in args.getlist(name):
        parts = raw.splitlines() if split == "\n" else raw.split(split)
        out += [p.strip() for p in parts if p.strip()]
    return out


def _single(args: MultiDict[str, str], name: str) -> str | None:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > 1:
        raise InvalidRequestError(f"{name}: give it once (got {len(values)} values)")
    return values[0] if values else None


def _float(args: MultiDict[str, str], name: str, *, low: float, high: float) -> float | None:
    text = _single(args, name)
    if text is None:
        return None
    try:
        value = float(text.replace(",", ".").replace("%", "").strip())
    except ValueError:
        raise InvalidRequestError(f"{name}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidRequestError(f"{name}: must be between {_num(low)} and {_num(high)}")
    return value


def _bounded(values: Sequence[str], name: str, limit: int) -> tuple[str, ...]:
    if len(values) > limit:
        raise InvalidRequestError(f"{name}: at most {limit} values (got {len(values)})")
    return tuple(values)


def parse_along(value: str, *, max_m: float) -> tuple[str, float]:
    """``'terril:300'`` -> ``('terril', 300.0)``; ``'terril'`` -> ``('terril', 200.0)``.

    >>> parse_along("terril:300", max_m=5000), parse_along("viewpoint", max_m=5000)
    (('terril', 300.0), ('viewpoint', 200.0))
    """
    category, _, metres = value.partition(":")
    category = category.strip()
    if not category:
        raise InvalidRequestError(f"along: {value[:40]!r} has no category (use CATEGORY[:METRES])")
    if not metres.strip():
        return category, DEFAULT_ALONG_M
    try:
        distance = float(metres.replace(",", "."))
    except ValueError:
        raise InvalidRequestError(f"along: {metres[:20]!r} is not a distance in metres") from None
    if not math.isfinite(distance) or not 0 < distance <= max_m:
        raise InvalidRequestError(f"along: the distance must be between 0 and {_num(max_m)} m")
    return category, distance


def parse_profile(value: str | None) -> str:
    """The profile id of a ``profile`` value (French aliases accepted)."""
    if value is None:
        return DEFAULT_PROFILE
    key = value.strip().lower()
    if key not in PROFILE_ALIASES:
        raise InvalidRequestError(
            f"profile: {value[:40]!r} is unknown; choose walk (marche), bike (vélo) or family (famille)"
        )
    return PROFILE_ALIASES[key]


def has_route_params(args: MultiDict[str, str]) -> bool:
    """Whether a page request asks for a route (``from`` or ``to`` given)."""
    return any(v.strip() for name in ("from", "to") for v in args.getlist(name))


def parse_route_query(args: MultiDict[str, str], *, limits: Limits) -> RouteQuery:
    """Parse the query parameters of a route request.

    Raises
    ------
    InvalidRequestError
        When a parameter is missing, malformed or beyond the limits.
    """
    origin = _single(args, "from")
    destination = _single(args, "to")
    if origin is None or destination is None:
        missing = " and ".join(n for n, v in (("from", origin), ("to", destination)) if v is None)
        raise InvalidRequestError(f"{missing}: required (a park, place, commune or 'lat,lon')")
    size = limits.max_place_length
    via = [_clean_text(v, name="via", limit=size) for v in _values(args, "via", split="\n")]
    along_raw = _values(args, "along")
    along = tuple(parse_along(v, max_m=limits.max_along_m) for v in
                  _bounded(along_raw, "along", limits.max_along))
    alternatives = _float(args, "alternatives", low=1, high=limits.max_alternatives)
    if alternatives is not None and not alternatives.is_integer():
        raise InvalidRequestError("alternatives: must be a whole number")
    return RouteQuery(
        origin=_clean_text(origin, name="from", limit=size),
        destination=_clean_text(destination, name="to", limit=size),
        via=_bounded(via, "via", limits.max_via),
        profile=parse_profile(_single(args, "profile")),
        max_grade=_float(args, "max_grade", low=0.5, high=100.0),
        max_climb=_float(args, "max_climb", low=0.0, high=10000.0),
        avoid=_bounded(_dedupe(_values(args, "avoid")), "avoid", limits.max_avoid),
        prefer=_float(args, "prefer", low=0.0, high=10.0),
        via_category=_single(args, "via_category"),
        stop_at=_bounded(_dedupe(_values(args, "stop_at")), "stop_at", limits.max_stop_at),
        along=along,
        alternatives=int(alternatives or 1),
    )


def _dedupe(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))

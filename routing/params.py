"""String parameters → request types: the one parser of the command line, the API and the pages.

Parameters come as a mapping from a name to the list of strings given for it — what a query
string, a submitted form and the command line (:mod:`parcs_cli`) all give. The rules:

- an empty value (an untouched form field) counts as absent;
- a single-valued parameter given twice is refused;
- repeatable parameters also accept comma-separated values (``avoid``, ``stop_at``, ``along``,
  ``through``...; a value that is a coordinate pair such as ``50.43,2.83`` stays whole), and
  ``via`` one place per line; a bound on the number of values counts them once split;
- numbers accept a decimal comma and a trailing ``%`` (``6,5 %``), nothing else;
- profiles accept their French aliases (``marche``, ``vélo``, ``famille``...).

Then the request type (:class:`routing.RouteRequest`...) checks every value against
:mod:`routing.bounds`, so whatever the door, a request is accepted or refused the same way, with
the same French message.

Examples
--------
>>> req = parse_route_params({"from": [" louvre-lens "], "to": ["Liévin"], "profile": ["vélo"],
...                           "max_grade": ["6,5"], "avoid": ["connector,unpaved"], "prefer": [""]})
>>> req.origin, req.profile, req.max_grade, req.avoid, req.prefer
('louvre-lens', 'bike', 6.5, ('connector', 'unpaved'), 1.0)
>>> req.to_params()[:4]
[('from', 'louvre-lens'), ('to', 'Liévin'), ('profile', 'bike'), ('max_grade', '6.5')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from parcs._errors import InvalidRequestError
from routing.bounds import DEFAULT_PREFER, DEFAULT_STREETS
from routing.request import RouteRequest

__all__ = [
    "DEFAULT_PROFILE", "PROFILE_ALIASES", "ROUTE_PARAMS", "Params", "has_params", "parse_integer",
    "parse_number", "parse_profile", "parse_route_params", "single", "values",
]

#: Parameters as a query string, a form or the command line give them: name → strings.
Params = Mapping[str, Sequence[str]]

#: Profiles accepted, with their French aliases.
PROFILE_ALIASES: Mapping[str, str] = MappingProxyType({
    "walk": "walk", "marche": "walk", "pied": "walk",
    "bike": "bike", "velo": "bike", "vélo": "bike",
    "family": "family", "famille": "family",
})
DEFAULT_PROFILE = "walk"
#: Every parameter of a route request.
ROUTE_PARAMS: tuple[str, ...] = (
    "from", "to", "via", "profile", "max_grade", "max_climb", "avoid", "prefer",
    "via_category", "stop_at", "along", "alternatives", "streets", "max_estimated_m",
)
#: A decimal number as people type it (the comma and ``%`` already dealt with).
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_INTEGER = re.compile(r"^[+]?[0-9]{1,12}$")
#: Two decimal numbers and a comma: coordinates, never split as a list.
_PAIR = re.compile(r"^\s*[+-]?[0-9]+(\.[0-9]*)?\s*,\s*[+-]?[0-9]+(\.[0-9]*)?\s*$")


def _raw(params: Params, name: str) -> list[str]:
    got = params.get(name, ())
    return [got] if isinstance(got, str) else [str(v) for v in got]


def single(params: Params, name: str) -> str | None:
    """The one non-empty value of ``name`` (stripped), or ``None``."""
    found = [v.strip() for v in _raw(params, name) if v.strip()]
    if len(found) > 1:
        raise InvalidRequestError(f"{name} : une seule valeur attendue (reçu {len(found)})")
    return found[0] if found else None


def values(params: Params, name: str, *, split: str = ",", unique: bool = True) -> list[str]:
    """The non-empty values of a repeatable ``name``, each also split on ``split``
    (``"\\n"``: on line breaks), in order; repeats dropped when ``unique``."""
    out: list[str] = []
    for raw in _raw(params, name):
        if split == "," and _PAIR.match(raw):  # "50.43,2.83" is one place, not two
            parts = [raw]
        else:
            parts = raw.splitlines() if split == "\n" else raw.split(split)
        out += [p.strip() for p in parts if p.strip()]
    return list(dict.fromkeys(out)) if unique else out


def has_params(params: Params, *names: str) -> bool:
    """Whether any of ``names`` has a non-empty value (a page asks for a result)."""
    return any(v.strip() for name in names for v in _raw(params, name))


def parse_number(params: Params, name: str) -> float | None:
    """The number given for ``name`` (``6,5`` and ``6.5 %`` read as 6.5), or ``None``.

    Its range is the request type's business.
    """
    text = single(params, name)
    if text is None:
        return None
    clean = text.removesuffix("%").strip()
    if "," in clean and "." not in clean:
        clean = clean.replace(",", ".")
    if not _DECIMAL.match(clean):
        raise InvalidRequestError(f"{name} : {text[:40]!r} n'est pas un nombre")
    return float(clean)


def parse_integer(params: Params, name: str) -> int | None:
    """The whole number given for ``name`` (``3``, ``3.0``), or ``None``; its range is the request
    type's business."""
    text = single(params, name)
    if text is None:
        return None
    if _INTEGER.match(text):
        return int(text)
    number = parse_number(params, name)
    if number is None or not number.is_integer():
        raise InvalidRequestError(f"{name} : un nombre entier attendu, pas {text[:40]!r}")
    return int(number)


def parse_profile(params: Params, name: str = "profile") -> str:
    """The profile id of ``name`` (French aliases accepted; default ``walk``)."""
    text = single(params, name)
    if text is None:
        return DEFAULT_PROFILE
    key = text.lower()
    if key not in PROFILE_ALIASES:
        raise InvalidRequestError(
            f"{name} : profil inconnu {text[:40]!r} ; choisir walk (marche), bike (vélo) ou family (famille)")
    return PROFILE_ALIASES[key]


def parse_route_params(params: Params) -> RouteRequest:
    """The :class:`routing.RouteRequest` of string parameters (:data:`ROUTE_PARAMS`).

    Raises
    ------
    InvalidRequestError
        A parameter is missing, malformed or beyond :mod:`routing.bounds` (French message).
    """
    origin, destination = single(params, "from"), single(params, "to")
    if origin is None or destination is None:
        missing = " et ".join(n for n, v in (("from", origin), ("to", destination)) if v is None)
        raise InvalidRequestError(
            f"{missing} : obligatoire (un parc, un lieu, une commune ou « lat,lon »)")
    kwargs: dict[str, Any] = {
        "via": tuple(values(params, "via", split="\n", unique=False)),  # A → B → A is a route
        "profile": parse_profile(params),
        "max_grade": parse_number(params, "max_grade"),
        "max_climb": parse_number(params, "max_climb"),
        "avoid": tuple(values(params, "avoid")),
        "via_category": single(params, "via_category"),
        "stop_at": tuple(values(params, "stop_at")),
        "along": tuple(values(params, "along")),
    }
    alternatives, prefer = parse_integer(params, "alternatives"), parse_number(params, "prefer")
    kwargs["alternatives"] = 1 if alternatives is None else alternatives
    kwargs["prefer"] = DEFAULT_PREFER if prefer is None else prefer
    kwargs["streets"] = single(params, "streets") or DEFAULT_STREETS
    kwargs["max_estimated_m"] = parse_number(params, "max_estimated_m")
    return RouteRequest(origin=origin, destination=destination, **kwargs)

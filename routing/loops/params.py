"""String parameters → :class:`routing.loops.LoopRequest` (the command line, ``/api/loop`` and the
"Boucles" page), with the rules of :mod:`routing.params`: empty values are absent, ``through`` and
``avoid`` are repeatable and comma-separated, numbers accept a decimal comma, profiles their
French aliases. The seed defaults to :data:`routing.bounds.DEFAULT_SEED`, so that a page, its
downloads and the same command line show the same loops.

Examples
--------
>>> req = parse_loop_params({"start": ["louvre-lens"], "distance": ["12,5"], "through": ["a, b"]})
>>> req.distance_km, req.through, req.seed
(12.5, ('a', 'b'), 1)
>>> parse_loop_params({"start": ["louvre-lens"], "distance": ["10"], "duration": ["60"]})
Traceback (most recent call last):
...
parcs._errors.InvalidRequestError: distance ou duration : donner l'un des deux, pas les deux (distance en km, duration en minutes)
"""

from __future__ import annotations

from parcs._errors import InvalidRequestError
from routing.bounds import DEFAULT_PREFER, DEFAULT_SEED
from routing.loops.planner import LoopRequest
from routing.params import Params, parse_integer, parse_number, parse_profile, single, values

__all__ = ["LOOP_PARAMS", "parse_loop_params"]

#: Every parameter of a loop request.
LOOP_PARAMS: tuple[str, ...] = (
    "start", "distance", "duration", "profile", "through", "via_category", "max_climb",
    "max_grade", "avoid", "prefer", "variants", "seed",
)


def parse_loop_params(params: Params) -> LoopRequest:
    """The :class:`routing.loops.LoopRequest` of string parameters (:data:`LOOP_PARAMS`).

    Raises
    ------
    InvalidRequestError
        A parameter is missing, malformed or beyond :mod:`routing.bounds` (French message).
    """
    start = single(params, "start")
    if start is None:
        raise InvalidRequestError("start : obligatoire (un parc, un lieu, une commune ou « lat,lon »)")
    prefer, variants, seed = (parse_number(params, "prefer"), parse_integer(params, "variants"),
                              parse_integer(params, "seed"))
    return LoopRequest(
        start=start,
        distance_km=parse_number(params, "distance"),
        duration_min=parse_number(params, "duration"),
        profile=parse_profile(params),
        through=tuple(values(params, "through")),
        via_category=single(params, "via_category"),
        max_climb=parse_number(params, "max_climb"),
        max_grade=parse_number(params, "max_grade"),
        avoid=tuple(values(params, "avoid")),
        prefer=DEFAULT_PREFER if prefer is None else prefer,
        variants=1 if variants is None else variants,
        seed=DEFAULT_SEED if seed is None else seed,
    )

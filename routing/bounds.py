"""The bounds of every request, in one place.

The command line, the JSON API, the pages and the OpenAPI document all read these constants: the
request types (:class:`routing.RouteRequest`, :class:`routing.loops.LoopRequest`,
:class:`routing.gaps.GapsRequest`) enforce them, the string parsers
(:mod:`routing.params`) feed the request types, and :mod:`webapp.openapi` writes them into the
schema. Ranges are inclusive ``(low, high)`` pairs unless said otherwise.

Text policy: a place or id is at most :data:`MAX_PLACE_LENGTH` characters once stripped, and may
not contain the characters of :data:`FORBIDDEN_RANGES` (C0/C1 controls, invisible formatting and
bidirectional marks, surrogates, private use). :func:`text_pattern` writes the same rule as a
regular expression for the OpenAPI schema.

Examples
--------
>>> forbidden_char("Béthune"), forbidden_char("x\\u0099y")
(None, '\\x99')
>>> import re; bool(re.match(text_pattern(), " Liévin ")), bool(re.match(text_pattern(), "  "))
(True, False)
"""

from __future__ import annotations

import re

from parcs.schema import POI_CATEGORIES

__all__ = [
    "ALONG_M",
    "DEFAULT_ALONG_M",
    "DEFAULT_PLACES_LIMIT",
    "DEFAULT_PREFER",
    "DEFAULT_SEED",
    "DEFAULT_STREETS",
    "DEFAULT_TOP",
    "FORBIDDEN_RANGES",
    "LOOP_DISTANCE_KM",
    "LOOP_DURATION_MIN",
    "LOOP_TARGET_RULE",
    "MAX_ALONG",
    "MAX_ALTERNATIVES",
    "MAX_AVOID",
    "MAX_CLIMB_M",
    "MAX_ESTIMATED_M",
    "MAX_GRADE_PCT",
    "MAX_ID_LENGTH",
    "MAX_PLACE_LENGTH",
    "MAX_SCENARIO",
    "MAX_STOP_AT",
    "MAX_THROUGH",
    "MAX_TOP",
    "MAX_VARIANTS",
    "MAX_VIA",
    "PLACES_LIMIT",
    "PREFER",
    "SEED",
    "STREETS",
    "decimal_range_pattern",
    "forbidden_char",
    "text_pattern",
]

# -- places and ids ---------------------------------------------------------------------------

#: Longest place text (name, id or ``lat,lon``), in characters once stripped.
MAX_PLACE_LENGTH = 200
#: Characters refused in any text parameter, as inclusive code point ranges: C0 and C1 controls
#: (tab and newlines included: a field holds one line), zero-width and bidirectional marks, word
#: joiners and invisible operators, the byte order mark and the private use area. Lone surrogates
#: (which no URL or JSON text can carry, but a command line's undecodable bytes become) are
#: refused too; a regular expression cannot name them portably, so :func:`text_pattern` leaves
#: them out.
FORBIDDEN_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x061C, 0x061C), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x206F), (0xE000, 0xF8FF), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
)

# -- place autocomplete (/api/places) ---------------------------------------------------------

#: Places one autocomplete answer lists when ``limit`` is not given, and its range.
DEFAULT_PLACES_LIMIT = 10
PLACES_LIMIT = (1, 50)

# -- route ------------------------------------------------------------------------------------

#: Most intermediate places, POIs to stop at and avoided kinds; ``along`` names each POI
#: category at most once.
MAX_VIA = 10
MAX_STOP_AT = 5
MAX_AVOID = 8
MAX_ALONG = len(POI_CATEGORIES)
#: Distance of ``along=CATEGORY`` without ``:METRES``, and the range of ``METRES`` (the low end
#: excluded: a distance is positive).
DEFAULT_ALONG_M = 200.0
ALONG_M = (0.0, 5000.0)
#: Most itineraries one request may ask for.
MAX_ALTERNATIVES = 3
#: Greenway preference strength: 0 = fastest, 1 = the profile's factors (default).
PREFER = (0.0, 10.0)
DEFAULT_PREFER = 1.0
#: Steepest uphill grade allowed, percent.
MAX_GRADE_PCT = (0.5, 100.0)
#: Total climb allowed, metres (routes and loops).
MAX_CLIMB_M = (0.0, 10000.0)
#: ``streets``: ``estimated`` offers a direct option over unmapped links (issue 13), ``none`` not.
STREETS = ("estimated", "none")
DEFAULT_STREETS = "estimated"
#: Most metres of unmapped links (as the crow flies) the direct option may use.
MAX_ESTIMATED_M = (0.0, 50000.0)

# -- loops ------------------------------------------------------------------------------------

#: Target length (km) and duration (min) of a loop: give exactly one of them.
LOOP_DISTANCE_KM = (0.5, 200.0)
LOOP_DURATION_MIN = (5.0, 1440.0)
#: The rule the loop's parameters cannot say one by one (the message of its violation).
LOOP_TARGET_RULE = ("distance ou duration : donner l'un des deux, pas les deux "
                    "(distance en km, duration en minutes)")
#: Most loops one request may ask for, and places to pass through.
MAX_VARIANTS = 3
MAX_THROUGH = 6
#: Seed of the loops' tie-breaking draw (the same seed gives the same loops).
SEED = (0, 2**32 - 1)
DEFAULT_SEED = 1

# -- missing links ----------------------------------------------------------------------------

#: Candidates listed when ``top`` is not given, and the most one request may list.
DEFAULT_TOP = 20
MAX_TOP = 200
#: Most candidate ids in one scenario, and the longest id accepted (``L123``...).
MAX_SCENARIO = 20
MAX_ID_LENGTH = 12


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """The inside of a regex character class listing ``ranges`` as ``\\uXXXX`` escapes."""
    return "".join(f"\\u{lo:04x}" if lo == hi else f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in ranges)


_FORBIDDEN = re.compile(f"[{_char_class(FORBIDDEN_RANGES)}\ud800-\udfff]")


def forbidden_char(text: str) -> str | None:
    """The first character of ``text`` the text policy refuses, or ``None``."""
    match = _FORBIDDEN.search(text)
    return match.group() if match else None


def text_pattern(*, extra_allowed: str = "") -> str:
    """The text policy as a regular expression (ECMA-262 and Python alike) for OpenAPI.

    At least one character that is neither blank nor forbidden, and no forbidden character.
    ``extra_allowed`` lists forbidden characters a parameter accepts anyway (``"\\n"`` for the
    ``via`` list of the planner's text area, whose lines are separate places).
    """
    allowed = {ord(c) for c in extra_allowed}
    ranges: list[tuple[int, int]] = []
    for lo, hi in FORBIDDEN_RANGES:
        start = lo
        for code in range(lo, hi + 1):
            if code in allowed:
                if start < code:
                    ranges.append((start, code - 1))
                start = code + 1
        if start <= hi:
            ranges.append((start, hi))
    bad = _char_class(tuple(ranges))
    return f"^[^{bad}]*[^\\s{bad}][^{bad}]*$"


def decimal_range_pattern(high: float) -> str:
    """A regex of the decimal numbers in ``(0, high]``, for a round ``high`` (``d`` × 10^k, k ≥ 1).

    >>> p = re.compile(decimal_range_pattern(5000.0) + "$")
    >>> [bool(p.match(s)) for s in ("300", "0.5", "4999.9", "5000", "5000.0", "5000.5", "0", "6000")]
    [True, True, True, True, True, False, False, False]
    """
    digits = str(int(high))
    lead, width = int(digits[0]), len(digits)
    if float(high) != int(high) or digits[1:] != "0" * (width - 1) or width < 2:
        raise ValueError(f"decimal_range_pattern needs a round bound such as 5000, not {high!r}")
    frac = r"(\.[0-9]+)?"
    shorter = f"[1-9][0-9]{{0,{width - 2}}}{frac}"
    parts = [shorter, r"0?\.[0-9]*[1-9][0-9]*"]
    if lead > 1:
        parts.append(f"[1-{lead - 1}][0-9]{{{width - 1}}}{frac}")
    parts.append(f"{digits}(\\.0+)?")
    return "(" + "|".join(parts) + ")"

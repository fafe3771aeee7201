"""Checks shared by the request types, with their French messages.

Every check raises :class:`parcs.InvalidRequestError` whose message starts with the public name
of the parameter (``from``, ``max_grade``, ``variants``...), as the command line, the API and the
pages name it; the bounds come from :mod:`routing.bounds`.

Examples
--------
>>> check_number(6.5, "max_grade", (0.5, 100.0))
6.5
>>> check_number(1e308, "prefer", (0.0, 10.0))
Traceback (most recent call last):
...
parcs._errors.InvalidRequestError: prefer : doit être compris entre 0 et 10 (reçu 1e+308)
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from parcs._errors import InvalidRequestError
from parcs.schema import POI_CATEGORIES
from routing.bounds import MAX_PLACE_LENGTH, forbidden_char

__all__ = [
    "check_category", "check_choice", "check_count", "check_integer", "check_number", "check_text",
    "format_number", "fr_num",
]


def fr_num(value: float) -> str:
    """A bound as written in a French message: ``0,5``, ``10``, ``1e+308``.

    >>> fr_num(0.5), fr_num(10.0), fr_num(1e308)
    ('0,5', '10', '1e+308')
    """
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:g}"
    return (str(int(value)) if float(value).is_integer() else repr(float(value))).replace(".", ",")


def format_number(value: float) -> str:
    """A number as a query parameter: ``6`` rather than ``6.0``, otherwise the shortest repr.

    >>> format_number(6.0), format_number(6.5)
    ('6', '6.5')
    """
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def check_text(value: Any, name: str, *, limit: int = MAX_PLACE_LENGTH) -> str:
    """A text parameter stripped and NFC-normalised, checked against the text policy.

    Raises
    ------
    InvalidRequestError
        Not a string, empty, longer than ``limit`` or holding a forbidden character.
    """
    if not isinstance(value, str):
        raise InvalidRequestError(f"{name} : texte attendu, pas {value!r}")
    text = value.strip()
    if not text:
        raise InvalidRequestError(f"{name} : valeur vide")
    if len(text) > limit:
        raise InvalidRequestError(f"{name} : plus de {limit} caractères")
    bad = forbidden_char(text)
    if bad is not None:
        raise InvalidRequestError(
            f"{name} : caractère de contrôle ou invisible interdit (U+{ord(bad):04X})")
    return unicodedata.normalize("NFC", text)


def check_number(value: Any, name: str, bounds: tuple[float, float], *,
                 low_open: bool = False) -> float:
    """A finite number within ``bounds`` (inclusive; the low end excluded when ``low_open``)."""
    if isinstance(value, bool):
        raise InvalidRequestError(f"{name} : {value!r} n'est pas un nombre")
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidRequestError(f"{name} : {str(value)[:40]!r} n'est pas un nombre") from None
    low, high = bounds
    if not (math.isfinite(out) and (low < out if low_open else low <= out) and out <= high):
        low_text = f"supérieur à {fr_num(low)} et au plus" if low_open else f"compris entre {fr_num(low)} et"
        raise InvalidRequestError(f"{name} : doit être {low_text} {fr_num(high)} (reçu {fr_num(out)})")
    return out


def check_integer(value: Any, name: str, bounds: tuple[int, int]) -> int:
    """A whole number within ``bounds`` (inclusive)."""
    low, high = bounds
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if not ok or value != int(value) or not low <= value <= high:
        raise InvalidRequestError(f"{name} : un nombre entier de {low} à {high} attendu, pas {value!r}")
    return int(value)


def check_count(items: Sequence[Any], name: str, limit: int) -> tuple[Any, ...]:
    """``items`` as a tuple of at most ``limit`` values."""
    if len(items) > limit:
        raise InvalidRequestError(f"{name} : au plus {limit} valeurs (reçu {len(items)})")
    return tuple(items)


def check_category(value: Any, name: str) -> str:
    """A key of :data:`parcs.schema.POI_CATEGORIES`."""
    if value not in POI_CATEGORIES:
        raise InvalidRequestError(
            f"{name} : catégorie de lieu inconnue {str(value)[:40]!r} ; "
            f"catégories possibles : {', '.join(POI_CATEGORIES)}"
        )
    return str(value)


def check_choice(value: Any, name: str, choices: Iterable[str], what: str) -> str:
    """One of ``choices`` (``what`` names the kind of value in the message)."""
    options = tuple(choices)
    if value not in options:
        raise InvalidRequestError(
            f"{name} : {what} inconnu {str(value)[:40]!r} ; choisir parmi {', '.join(options)}")
    return str(value)

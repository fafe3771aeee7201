"""French formatting of numbers and distances (comma decimal, narrow no-break thousands)."""

from __future__ import annotations

import math


def fr_number(value: float, decimals: int = 1) -> str:
    """A number the French way, trailing ``,0`` dropped.

    >>> fr_number(3.24), fr_number(2.0), fr_number(12345.678, 0), fr_number(-0.04)
    ('3,2', '2', '12\u202f346', '0')
    """
    if -999.0 < value < 999.0:  # the common case: no thousands separator
        text = f"{value:.{decimals}f}"
        if decimals:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text.replace(".", ",")
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\u202f").replace(".", ",")


def fr_distance(metres: float) -> str:
    """A distance for people: metres rounded to 10 m below 1 km, else km with one decimal.

    >>> fr_distance(247), fr_distance(3240), fr_distance(1000), fr_distance(4.2), fr_distance(152000)
    ('250 m', '3,2 km', '1 km', '4 m', '152 km')
    """
    if metres < 10:
        return f"{fr_number(metres, 0)} m"
    if metres < 995:
        return f"{round(metres / 10) * 10} m"  # an int from 10 to 990: fr_number(., 0) is str()
    km = metres / 1000.0
    if km < 99.0:  # fr_number(km, 1) without the general case: one decimal, no thousands
        text = f"{km:.1f}"
        return f"{text[:-2] if text[-1] == '0' else text.replace('.', ',')} km"
    return f"{fr_number(km, 0 if km >= 100 else 1)} km"


def fr_duration(seconds: float) -> str:
    """A duration: ``'45 min'``, ``'1 h 05'``.

    >>> fr_duration(2700), fr_duration(3900), fr_duration(20)
    ('45 min', '1 h 05', '1 min')
    """
    minutes = max(1, round(seconds / 60.0))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"

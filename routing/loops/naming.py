"""What a closed route may be called: a loop, a lollipop (*boucle en raquette*) or an out-and-back.

One rule for the CLI, the API, the pages and the roadbooks (:func:`loop_kind`, :func:`loop_noun`):
a route retracing more than :data:`MAX_LOOP_RETRACE` of its length is not called a loop. It is an
*aller-retour* when nearly all of it is travelled twice (:data:`OUT_AND_BACK_RETRACE`), else a
*boucle en raquette* (a loop at the end of a stem ridden both ways), always with its share.
"""

from __future__ import annotations

from routing.fmt import fr_number

__all__ = ["KINDS", "MAX_LOOP_RETRACE", "OUT_AND_BACK_RETRACE", "loop_kind", "loop_noun", "retrace_phrase"]

#: Largest retraced share of a route called a loop.
MAX_LOOP_RETRACE = 0.25
#: From this retraced share on, the route is an out-and-back.
OUT_AND_BACK_RETRACE = 0.85
#: Kind id -> French noun.
KINDS: dict[str, str] = {"loop": "boucle", "lollipop": "boucle en raquette", "out_and_back": "aller-retour"}


def loop_kind(retrace_share: float) -> str:
    """``loop``, ``lollipop`` or ``out_and_back`` for a route retracing this share of its length.

    >>> loop_kind(0.1), loop_kind(0.25), loop_kind(0.4), loop_kind(0.95)
    ('loop', 'loop', 'lollipop', 'out_and_back')
    """
    if retrace_share <= MAX_LOOP_RETRACE:
        return "loop"
    return "out_and_back" if retrace_share >= OUT_AND_BACK_RETRACE else "lollipop"


def retrace_phrase(retrace_share: float) -> str:
    """``"62 % parcourus deux fois"`` (with a decimal when rounding would hide a breach of 25 %).

    >>> retrace_phrase(0.62), retrace_phrase(0.2504)
    ('62 % parcourus deux fois', '25,04 % parcourus deux fois')
    """
    pct = 100 * retrace_share
    limit = fr_number(100 * MAX_LOOP_RETRACE, 0)
    digits = 0
    while digits < 3 and retrace_share > MAX_LOOP_RETRACE and fr_number(pct, digits) == limit:
        digits += 1
    return f"{fr_number(pct, digits)} % parcourus deux fois"


def loop_noun(retrace_share: float, *, capital: bool = False, share: bool = True) -> str:
    """The French name of a closed route, with its retraced share when it is not a loop.

    >>> loop_noun(0.05, capital=True), loop_noun(0.54), loop_noun(1.0, capital=True)
    ('Boucle', 'boucle en raquette (54 % parcourus deux fois)', 'Aller-retour (100 % parcourus deux fois)')
    """
    noun = KINDS[loop_kind(retrace_share)]
    if capital:
        noun = noun[:1].upper() + noun[1:]
    if share and loop_kind(retrace_share) != "loop":
        noun += f" ({retrace_phrase(retrace_share)})"
    return noun

"""The request of the missing-links views: how many candidates to list and which to build.

:class:`GapsRequest` is shared by ``parcs gaps``, ``GET /api/gaps`` and the ``/liaisons`` page;
:func:`parse_gaps_params` reads it from string parameters with the rules of
:mod:`routing.params` (empty values absent, ``scenario`` repeatable and comma-separated, ids in
any case). Bounds: :data:`routing.bounds.MAX_TOP`, :data:`routing.bounds.MAX_SCENARIO`,
:data:`routing.bounds.MAX_ID_LENGTH`. Unknown ids are refused by
:func:`routing.gaps.analysis.scenario`, which knows the candidates.

Examples
--------
>>> parse_gaps_params({"top": ["5"], "scenario": ["l1, L3", "L2"]})
GapsRequest(top=5, scenario=('L1', 'L3', 'L2'))
>>> GapsRequest(top=5, scenario=("L1",)).to_params()
[('top', '5'), ('scenario', 'L1')]
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.bounds import DEFAULT_TOP, MAX_ID_LENGTH, MAX_SCENARIO, MAX_TOP
from routing.params import Params, parse_integer, values
from routing.validate import check_count, check_integer, check_text

__all__ = ["GAPS_PARAMS", "GapsRequest", "parse_gaps_params"]

#: Every parameter of a missing-links request.
GAPS_PARAMS: tuple[str, ...] = ("top", "scenario")


@dataclass(frozen=True)
class GapsRequest:
    """Candidates to list (``top``: 1 to :data:`routing.bounds.MAX_TOP`; ``None``: every one)
    and candidate ids of a scenario (upper case, in order, without repeats).

    Raises
    ------
    InvalidRequestError
        ``top`` out of range, too many ids, an id too long or with control characters.
    """

    top: int | None = DEFAULT_TOP
    scenario: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.top is not None:
            object.__setattr__(self, "top", check_integer(self.top, "top", (1, MAX_TOP)))
        ids = (self.scenario,) if isinstance(self.scenario, str) else tuple(self.scenario)
        ids = tuple(dict.fromkeys(check_text(i, "scenario", limit=MAX_ID_LENGTH).upper() for i in ids))
        object.__setattr__(self, "scenario", check_count(ids, "scenario", MAX_SCENARIO))

    def to_params(self) -> list[tuple[str, str]]:
        """The request as string parameters (defaults left out)."""
        out = [("top", str(self.top))] if self.top not in (None, DEFAULT_TOP) else []
        return out + [("scenario", cid) for cid in self.scenario]


def parse_gaps_params(params: Params) -> GapsRequest:
    """The :class:`GapsRequest` of string parameters (:data:`GAPS_PARAMS`)."""
    top = parse_integer(params, "top")
    return GapsRequest(top=DEFAULT_TOP if top is None else top,
                       scenario=tuple(values(params, "scenario")))

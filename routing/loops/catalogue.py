"""The circuit catalogue's types: themes, circuits and the catalogue itself.

:mod:`routing.loops.circuits` builds a :class:`Catalogue`; :mod:`routing.loops.circuit_text`
describes its circuits in French and :mod:`routing.loops.roadbook` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from routing.access import StationAccess
from routing.compiled import CompiledNetwork
from routing.loops.planner import LoopResult
from routing.loops.rules import Rule

__all__ = ["THEMES", "Catalogue", "Circuit", "Theme"]


@dataclass(frozen=True)
class Theme:
    """A themed circuit linking several units.

    ``categories``: POI categories that anchor the circuit in each unit (empty: the unit's access
    node); ``unit_words``: only units whose name holds one of these words (lower case); ``rule``:
    the promise the circuit must keep (:mod:`routing.loops.rules`), beside the loop rule.
    """

    id: str
    label: str
    profile: str
    km: tuple[float, float]
    categories: tuple[str, ...] = ()
    unit_words: tuple[str, ...] = ()
    max_grade: float | None = None
    max_units: int = 3
    rule: Rule = field(default_factory=lambda: Rule(""))


THEMES: tuple[Theme, ...] = (
    Theme("terrils", "Terrils et points de vue", "bike", (20.0, 45.0), ("terril", "viewpoint"),
          rule=Rule("passe à moins de 150 m d'au moins 4 terrils", min_pois=((("terril",), 4),))),
    Theme("patrimoine-minier", "Patrimoine minier UNESCO", "bike", (20.0, 45.0),
          ("heritage", "mine_shaft"),
          rule=Rule("passe à moins de 150 m d'au moins 3 éléments du patrimoine UNESCO",
                    min_pois=((("heritage",), 3),))),
    Theme("au-fil-de-l-eau", "Au fil de l'eau : canaux et berges", "bike", (20.0, 45.0),
          unit_words=("canal", "berges", "lawe", "deûle", "souchez"),
          rule=Rule("au moins 40 % du parcours le long de l'eau (canal, halage, berges) et au plus "
                    "30 m de montée par 10 km", min_water=0.40, max_climb_per_10km=30.0)),
    Theme("famille", "En famille, sans pente de plus de 3 %", "family", (5.0, 15.0),
          max_grade=3.0, max_units=2,
          rule=Rule("aucune pente de plus de 3 %", max_grade=3.0)),
)


@dataclass(frozen=True, eq=False)
class Circuit:
    """One circuit of the catalogue (``result`` is ``None`` when it could not be made)."""

    id: str
    kind: str
    theme: str
    profile: str
    units: tuple[str, ...]
    title: str
    description: str
    result: LoopResult | None
    reason: str = ""
    rule: str = ""

    @property
    def ok(self) -> bool:
        """Whether the circuit exists."""
        return self.result is not None

    @property
    def access(self) -> StationAccess | None:
        """The station nearest the start (« Accès : gare de … à 800 m »), if any."""
        return self.result.access if self.result is not None else None


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The circuits, in a fixed order (units in registry order, then themes); ``report``: the
    circuits the rules dropped or relabelled, in French."""

    circuits: tuple[Circuit, ...]
    seed: int
    report: tuple[str, ...] = ()
    network: dict[str, Any] = field(default_factory=dict)
    cn: CompiledNetwork | None = field(default=None, repr=False)

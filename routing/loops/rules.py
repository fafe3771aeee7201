"""Promises the catalogue's circuits keep, each a rule a reader can check on the roadbook.

Every circuit obeys the loop rule (:data:`LOOP_RULE`): it retraces at most 25 % of its length (the
loops' ``overlap``, the share travelled twice) and runs at most 25 % on sections recorded as
planned. A theme adds its own rule (:class:`Rule`): a share of the length along water (ways of kind
``towpath`` or named after a canal, a towpath, banks or a river of the Pôle) and a climb per 10 km
for the canals; a number of POIs of given categories within 150 m for terrils and heritage; a
steepest grade for families. A unit circuit of a unit of memorial sites (activity « mémoire »
in ``data/parcs.toml``: the Lorette–Vimy memorials, named places of the registry since the heritage
layers do not hold them) must pass by one of them.

:func:`check` returns the rules a circuit breaks, in French; the catalogue builder prefers
candidates that break none and drops or relabels the others (:mod:`routing.loops.circuits`).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parcs import paths
from parcs._errors import ParcsError
from routing.compiled import CompiledNetwork
from routing.fmt import fr_number
from routing.itinerary import Itinerary
from routing.naming import network_names

__all__ = ["LOOP_RULE", "Rule", "UnitPlace", "check", "named_places", "places_missed", "water_edges", "water_share"]

logger = logging.getLogger(__name__)

#: Names of ways along water: canals, towpaths, banks, "la Deûle"... (not a commune named after its
#: river, *Aire-sur-la-Lys*, nor a *rivage*, the coal port a mining railway led to).
WATER_NAME = re.compile(r"\b(canal|halage|berges?)\b|(?<![-\w])la (deûle|deule|lys|lawe|souchez|scarpe)\b",
                        re.IGNORECASE)
#: Categories' plural labels in rule texts.
_PLURAL = {"terril": "terrils", "heritage": "éléments du patrimoine UNESCO", "viewpoint": "points de vue",
           "mine_shaft": "puits de mine"}


@dataclass(frozen=True)
class Rule:
    """A checkable promise (``None``/empty: not part of the rule)."""

    text: str
    max_overlap: float | None = None
    max_planned: float | None = None
    min_water: float | None = None
    max_climb_per_10km: float | None = None
    min_pois: tuple[tuple[tuple[str, ...], int], ...] = ()
    max_grade: float | None = None


LOOP_RULE = Rule("au plus 25 % du parcours en aller-retour sur les mêmes voies et au plus 25 % sur des "
                 "tronçons en projet", max_overlap=0.25, max_planned=0.25)


def water_edges(cn: CompiledNetwork) -> np.ndarray:
    """Per edge: whether it runs along water (kind ``towpath`` or a water name; cached)."""

    def make() -> np.ndarray:
        names = network_names(cn)
        by_name = np.array([bool(WATER_NAME.search(n)) for n in names] or [False])
        kind = np.array([k == "towpath" for k in cn.kinds])
        out = by_name[cn.edge_name] | kind[cn.edge_kind]
        out.flags.writeable = False
        return out

    return cn.cached(("water_edges",), make)


def water_share(cn: CompiledNetwork, it: Itinerary) -> float:
    """Share of the itinerary's length along water."""
    e = np.asarray(it.edge_ids, dtype=np.int64)
    if e.size == 0 or it.distance_m <= 0:
        return 0.0
    return float(cn.edge_length[e][water_edges(cn)[e]].sum() / cn.edge_length[e].sum())


def _pct(value: float, limit: float) -> str:
    """A share in percent, with a decimal when the whole number would read as the limit itself.

    >>> _pct(0.253, 0.25), _pct(0.47, 0.25)
    ('25,3 %', '47 %')
    """
    whole = fr_number(100 * value, 0)
    return f"{fr_number(100 * value, 1) if whole == fr_number(100 * limit, 0) else whole} %"


def _count(it: Itinerary, categories: Sequence[str]) -> int:
    return len({r["id"] for r in it.pois_along
                if r.get("category") in categories and float(r.get("distance_from_route_m", 1e9)) <= 150.0})


def check(cn: CompiledNetwork, it: Itinerary, *, rule: Rule, overlap: float = 0.0) -> tuple[str, ...]:
    """The parts of ``rule`` the itinerary breaks, in French (empty: it keeps its promise)."""
    out = []
    km = max(it.distance_m / 1000.0, 1e-9)
    if rule.max_overlap is not None and overlap > rule.max_overlap + 1e-9:
        out.append(f"{_pct(overlap, rule.max_overlap)} en aller-retour (au plus {fr_number(100 * rule.max_overlap, 0)} %)")
    if rule.max_planned is not None and it.planned_km / km > rule.max_planned + 1e-9:
        out.append(f"{_pct(it.planned_km / km, rule.max_planned)} sur des tronçons en projet "
                   f"(au plus {fr_number(100 * rule.max_planned, 0)} %)")
    if rule.min_water is not None and (share := water_share(cn, it)) < rule.min_water:
        out.append(f"{_pct(share, rule.min_water)} seulement le long de l'eau (au moins {fr_number(100 * rule.min_water, 0)} %)")
    if rule.max_climb_per_10km is not None:
        per10 = it.climb_m / km * 10.0
        if per10 > rule.max_climb_per_10km:
            out.append(f"{fr_number(per10, 0)} m de montée par 10 km (au plus {fr_number(rule.max_climb_per_10km, 0)} m)")
    for categories, least in rule.min_pois:
        n = _count(it, categories)
        if n < least:
            label = " ou ".join(_PLURAL.get(c, c) for c in categories)
            out.append(f"{n} {label} à moins de 150 m (au moins {least})")
    if rule.max_grade is not None and it.max_grade > rule.max_grade + 0.05:
        out.append(f"pente maximale {fr_number(it.max_grade, 1)} % (au plus {fr_number(rule.max_grade, 1)} %)")
    return tuple(out)


@dataclass(frozen=True)
class UnitPlace:
    """A named place of the park registry."""

    name: str
    lon: float
    lat: float
    radius_m: float


def named_places(registry: str | Path | None = None) -> Mapping[str, tuple[UnitPlace, ...]]:
    """The named places of each unit of the park registry (``data/parcs.toml``); empty when it
    cannot be read."""
    from parcs.parks import parse_registry

    path = Path(registry) if registry is not None else paths.data_dir() / "parcs.toml"
    try:
        units = parse_registry(path.read_text(encoding="utf-8"), path=path)
    except (OSError, ParcsError) as exc:
        logger.warning("park registry unreadable for the circuit rules: %s", exc)
        return {}
    return {u.id: tuple(UnitPlace(p.name, p.lon, p.lat, p.radius_m) for p in u.anchors.places)
            for u in units if u.anchors.places}


def places_missed(it: Itinerary, *, places: Sequence[UnitPlace]) -> tuple[str, ...]:
    """When the itinerary passes within none of the places' radius (+150 m): a French reason."""
    if not places:
        return ()
    c = it.coords
    for p in places:
        kx = 111_320.0 * math.cos(math.radians(p.lat))
        d = np.hypot((c[:, 0] - p.lon) * kx, (c[:, 1] - p.lat) * 110_574.0)
        if float(d.min()) <= p.radius_m + 150.0:
            return ()
    return (f"ne passe par aucun des lieux de l'unité ({', '.join(p.name for p in places)})",)

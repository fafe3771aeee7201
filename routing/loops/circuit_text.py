"""French titles and descriptions of circuits, written only from what the data say.

Every sentence reads a figure or a name of the circuit: its length and duration, the park units it
crosses, the kinds and names of the ways it follows (with their lengths), their surfaces, its
climb and steepest grade, the POIs within 150 m of it, and the itinerary's own warnings. Nothing
is said that the network, the park registry or the POI layers do not hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from parcs.schema import KINDS, SURFACES
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance, fr_duration, fr_number
from routing.french import de, the
from routing.loops.catalogue import THEMES
from routing.loops.naming import MAX_LOOP_RETRACE, retrace_phrase
from routing.loops.planner import Loop, LoopResult
from routing.naming import network_names
from routing.profiles import PROFILES

__all__ = ["describe", "failed_title", "join_fr", "theme_label"]

#: Planned sections and unmapped links shorter than this (km) are not worth a caveat.
MIN_CAVEAT_KM = 0.05

#: POI categories cited in descriptions, in this order.
CITED: tuple[str, ...] = ("terril", "viewpoint", "heritage", "mine_shaft", "neonatural_park",
                          "museum", "historic", "picnic_site", "drinking_water", "bike_rental")
#: Plural labels of the cited categories.
PLURALS: dict[str, str] = {
    "terril": "terrils", "viewpoint": "points de vue", "heritage": "éléments du patrimoine UNESCO",
    "mine_shaft": "puits de mine", "neonatural_park": "espaces néo-naturels", "museum": "musées",
    "historic": "sites historiques", "picnic_site": "aires de pique-nique",
    "drinking_water": "points d'eau potable", "bike_rental": "stations de vélos en libre-service",
}
SINGULARS: dict[str, str] = {
    "terril": "terril", "viewpoint": "point de vue", "heritage": "élément du patrimoine UNESCO",
    "mine_shaft": "puits de mine", "neonatural_park": "espace néo-naturel", "museum": "musée",
    "historic": "site historique", "picnic_site": "aire de pique-nique",
    "drinking_water": "point d'eau potable", "bike_rental": "station de vélos en libre-service",
}


def join_fr(items: Sequence[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``.

    >>> join_fr(["a"]), join_fr(["a", "b"]), join_fr(["a", "b", "c"])
    ('a', 'a et b', 'a, b et c')
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def theme_label(theme: str) -> str:
    """The label of a theme id ('' when unknown)."""
    return next((t.label for t in THEMES if t.id == theme), "")


def _unit_names(cn: CompiledNetwork, units: Sequence[str]) -> list[str]:
    index = cn.park_index
    return [cn.parks[index[u]].name for u in units if u in index]


def failed_title(cn: CompiledNetwork, kind: str, theme: str, profile: str, units: Sequence[str]) -> str:
    """Title of a circuit that could not be made."""
    mode = PROFILES[profile].label_fr
    if kind == "theme":
        return f"{theme_label(theme)} — boucle {mode}"
    names = _unit_names(cn, units)
    return f"{names[0] if names else ''} — boucle {mode}"


#: Largest share on unmapped links of a catalogue circuit named without saying so.
MAX_CIRCUIT_UNMAPPED = 0.10


def circuit_noun(loop: Loop, *, mode: str, dist: str) -> str:
    """``"boucle à pied de 8 km"``, or the honest name: retracing over 25 % is not a loop
    (:mod:`routing.loops.naming`), and over 10 % on unmapped links is said.

    >>> from types import SimpleNamespace as NS
    >>> from routing.loops.naming import loop_noun
    >>> lp = NS(retrace_share=0.6, unmapped_share=0.15, noun=lambda capital=False: loop_noun(0.6))
    >>> circuit_noun(lp, mode="à vélo", dist="24 km")
    'boucle en raquette à vélo de 24 km (60 % parcourus deux fois ; 15 % de liaisons non cartographiées)'
    """
    noun = loop.noun().split(" (")[0]
    notes = [retrace_phrase(loop.retrace_share)] if loop.retrace_share > MAX_LOOP_RETRACE else []
    if loop.unmapped_share > MAX_CIRCUIT_UNMAPPED:
        notes.append(f"{fr_number(100 * loop.unmapped_share, 0)} % de liaisons non cartographiées")
    return f"{noun} {mode} de {dist}" + (f" ({' ; '.join(notes)})" if notes else "")


def describe(cn: CompiledNetwork, result: LoopResult, *, kind: str, theme: str,
             units: Sequence[str]) -> tuple[str, str]:
    """``(title, description)`` of a circuit."""
    loop = result.best
    it = loop.itinerary
    mode = PROFILES[result.request.profile].label_fr
    dist = fr_distance(it.distance_m)
    visited = [p["name"] for p in loop.parks_visited]
    if kind == "theme":
        names = _unit_names(cn, units)
        count = f"{len(names)} unité{'s' if len(names) > 1 else ''} du parc"
        title = f"{theme_label(theme)} — {circuit_noun(loop, mode=mode, dist=dist)} ({count})"
    else:
        names = _unit_names(cn, units)
        title = f"{names[0] if names else result.start.label} — {circuit_noun(loop, mode=mode, dist=dist)}"
    noun = loop.noun(capital=True).split(" (")[0]
    sentences = [
        f"{noun} {mode} de {dist} (environ {fr_duration(it.duration_s)}) au départ "
        f"{de(result.start.label)}.",
        _units_sentence(kind, names, visited),
        _ways_sentence(cn, loop),
        _surface_sentence(it.km_by_surface),
        f"Dénivelé positif : {fr_number(it.climb_m, 0)} m ; pente maximale : "
        f"{fr_number(it.max_grade, 1)} %.",
        _pois_sentence(it.pois_along),
        _caveats(loop),
    ]
    return title, " ".join(s for s in sentences if s)


def _units_sentence(kind: str, names: Sequence[str], visited: Sequence[str]) -> str:
    others = [v for v in visited if v not in names]
    if kind == "theme" and len(names) > 1:
        text = f"Elle relie {join_fr([the(n) for n in names])}."
    elif visited:
        text = f"Elle parcourt {join_fr([the(v) for v in visited])}."
        others = []
    else:
        text = ""
    if others:
        text += f" Elle passe aussi par {join_fr([the(o) for o in others])}."
    return text.strip()


def _ways_sentence(cn: CompiledNetwork, loop: Loop) -> str:
    it = loop.itinerary
    green = fr_number(100 * it.greenway_share, 0)
    kinds = sorted(it.km_by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    greens = [f"{KINDS[k].label_fr} : {fr_distance(km * 1000)}" for k, km in kinds
              if k in KINDS and KINDS[k].greenway][:3]
    others = [f"{KINDS[k].label_fr if k in KINDS else k} : {fr_distance(km * 1000)}" for k, km in kinds
              if not (k in KINDS and KINDS[k].greenway)]
    text = f"{green} % du parcours est en voie verte"
    text += f" ({', '.join(greens)})" if greens else ""
    text += f", le reste en {', '.join(others)}." if others else "."
    edges = np.asarray(it.edge_ids, dtype=np.int64)
    by_name: Counter[str] = Counter()
    names = network_names(cn)
    for code, length in zip(cn.edge_name[edges].tolist(), cn.edge_length[edges].tolist(), strict=True):
        name = names[code]
        if name:
            by_name[name] += length
    top = sorted(by_name.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    named = [f"« {n} » ({fr_distance(m)})" for n, m in top if m >= 500.0]
    if named:
        text += f" Principales voies : {join_fr(named)}."
    return text


def _surface_sentence(km_by_surface: Mapping[str, float]) -> str:
    items = sorted(km_by_surface.items(), key=lambda kv: (-kv[1], kv[0]))
    known = [(s, km) for s, km in items if s != "unknown" and km > 0.05]
    if not known:
        return "Le revêtement n'est pas renseigné dans les données."
    parts = [f"{SURFACES.get(s, s)} sur {fr_distance(km * 1000)}" for s, km in known]
    unknown = km_by_surface.get("unknown", 0.0)
    if unknown > 0.05:
        parts.append(f"non renseigné sur {fr_distance(unknown * 1000)}")
    return f"Revêtement : {', '.join(parts)}."


def _pois_sentence(pois: Sequence[Mapping[str, Any]]) -> str:
    groups: dict[str, list[str]] = {}
    for row in pois:
        cat = str(row.get("category", ""))
        if cat in CITED:
            groups.setdefault(cat, []).append(str(row.get("name") or row.get("id")))
    parts = []
    for cat in CITED:
        names = list(dict.fromkeys(groups.get(cat, [])))
        if not names:
            continue
        label = PLURALS[cat] if len(names) > 1 else SINGULARS[cat]
        shown = ", ".join(names[:3]) + (f" et {len(names) - 3} autres" if len(names) > 3 else "")
        parts.append(f"{len(names)} {label} ({shown})")
    return f"À moins de 150 m du tracé : {'; '.join(parts)}." if parts else ""


def _caveats(loop: Loop) -> str:
    out = []
    if loop.overlap_share > 0.10:
        out.append(f"{fr_number(100 * loop.overlap_share, 0)} % du trajet se fait en aller-retour sur "
                   f"les mêmes voies")
    it = loop.itinerary
    if it.planned_km >= MIN_CAVEAT_KM:
        out.append(f"{fr_distance(1000 * it.planned_km)} de tronçons sont signalés en projet")
    if it.connector_km >= MIN_CAVEAT_KM:
        out.append(f"{fr_distance(1000 * it.connector_km)} empruntent des liaisons non aménagées "
                   f"(rues ou chemins)")
    if it.unmapped_km > 0:
        out.append(f"{fr_distance(1000 * it.unmapped_straight_km)} à vol d'oiseau sont des liaisons non "
                   f"cartographiées (longueur estimée {fr_distance(1000 * it.unmapped_km)}, passage à vérifier)")
    if not out:
        return ""
    text = "À savoir : " + " ; ".join(out) + "."
    return text[:1].upper() + text[1:]

"""The vocabulary shared by every network source, the routing core and the app.

A built network is an osmnx ``MultiDiGraph`` in EPSG:2154 whose edges carry the attributes listed
in :data:`EDGE_ATTRS`; both directions of a way are present as two edges (osmnx convention), each
with the geometry, climb, descent and grades of its own direction.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A kind of way: its French label and whether it counts as a greenway."""

    id: str
    label_fr: str
    label_en: str
    greenway: bool


#: Every ``kind`` value an edge may carry. Connectors are never greenways.
KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind("eurovelo", "EuroVelo", "EuroVelo route", True),
        Kind("veloroute", "véloroute", "véloroute", True),
        Kind("voie_verte", "voie verte", "greenway", True),
        Kind("cavalier", "cavalier minier", "mining railway path", True),
        Kind("towpath", "chemin de halage", "towpath", True),
        Kind("track", "chemin", "track", True),
        Kind("path", "sentier", "path", True),
        # ADAV's "itinéraire conseillé": an advised cycle route on shared roads, not a greenway.
        Kind("advised_route", "itinéraire conseillé (route partagée)", "advised route on roads", False),
        Kind("connector", "liaison non aménagée", "connector", False),
        # A straight line standing for streets the data does not map (parcs.unmapped): its length
        # is an estimate with a range, calibrated on real OpenStreetMap networks.
        Kind("unmapped", "liaison non cartographiée", "unmapped link", False),
    )
}

#: Normalised surfaces. ``unpaved`` is avoided by the family profile.
SURFACES: dict[str, str] = {
    "paved": "revêtu",
    "compacted": "stabilisé",
    "unpaved": "non revêtu",
    "unknown": "inconnu",
}

#: Works status of a section.
STATUSES: dict[str, str] = {
    "built": "aménagé",
    "planned": "en projet",
    "unknown": "inconnu",
}

#: Edge attributes of a built network (besides osmnx's ``osmid``/``reversed``).
EDGE_ATTRS: dict[str, str] = {
    "length": "float, metres along the geometry",
    "kind": "str, a key of KINDS",
    "name": "str, display name ('' when unnamed)",
    "surface": "str, a key of SURFACES",
    "status": "str, a key of STATUSES",
    "source": "str, the source layer(s), ';'-joined",
    "route_refs": "str, ';'-joined route references (e.g. 'EV5;V32'), '' when none",
    "geometry": "LineString in EPSG:2154, oriented u -> v",
    "elevations": "tuple[float, ...], elevation every <= 30 m along the geometry, u -> v",
    "climb": "float, metres of climb u -> v after the hysteresis filter",
    "descent": "float, metres of descent u -> v after the hysteresis filter",
    "grade_up": "float, steepest uphill grade u -> v over the sliding window (fraction, >= 0)",
    "grade_down": "float, steepest downhill grade u -> v over the sliding window (fraction, >= 0)",
    "grade": "float, mean signed grade (elev(v) - elev(u)) / length, as osmnx",
    "straight_m": "float, kind 'unmapped' only: straight length (length is the estimate)",
    "length_low": "float, kind 'unmapped' only: low end of the length range (p10)",
    "length_high": "float, kind 'unmapped' only: high end of the length range (p90)",
}

#: Node attributes: osmnx's ``x``/``y`` (EPSG:2154) plus these.
NODE_ATTRS: dict[str, str] = {
    "lon": "float, WGS84",
    "lat": "float, WGS84",
    "elevation": "float, metres (SRTM, voids filled)",
}

#: POI categories (``category`` of a POI) with French labels.
POI_CATEGORIES: dict[str, str] = {
    "terril": "terril",
    "heritage": "patrimoine UNESCO",
    "mine_shaft": "puits de mine",
    "neonatural_park": "espace néo-naturel",
    "viewpoint": "point de vue",
    "bike_rental": "vélos en libre-service",
    "bike_parking": "abri vélo",
    "park_unit": "unité de parc",
    "station": "gare",
    # OSM-only categories
    "drinking_water": "eau potable",
    "toilets": "toilettes",
    "bench": "banc",
    "shelter": "abri",
    "picnic_site": "aire de pique-nique",
    "food": "café / restaurant",
    "bike_repair": "réparation vélo",
    "museum": "musée",
    "information": "panneau d'information",
    "historic": "site historique",
    "playground": "aire de jeux",
    "public_transport": "arrêt de transport en commun",
}


def is_greenway(kind: str) -> bool:
    """Whether a kind counts as a greenway.

    >>> is_greenway("cavalier"), is_greenway("connector")
    (True, False)
    """
    k = KINDS.get(kind)
    return bool(k and k.greenway)


def station_name(name: str) -> str:
    """The French name of a railway station, with elision before a vowel or a mute h.

    >>> station_name("Lens"), station_name("Hénin-Beaumont"), station_name("Avion")
    ('Gare de Lens', "Gare d'Hénin-Beaumont", "Gare d'Avion")
    """
    name = name.strip()
    if not name:
        return "Gare"
    first = unicodedata.normalize("NFKD", name[0].casefold())[0]
    return f"Gare d'{name}" if first in "aeiouyh" else f"Gare de {name}"

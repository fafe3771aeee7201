"""OpenStreetMap tags → the planner's vocabulary: which ways to keep, who may use them, their kind.

Everything here is a pure function of a way's (or a POI's) tags, shared by the two OSM readers
(:mod:`parcs.osm.extract` for extract files, :mod:`parcs.osm.overpass` for the Overpass API), so
that an online build and a file build of the same data give the same network.

Ways kept
---------
Every way a walker or a cyclist may legally use (:mod:`parcs.osm.access`, the documented access
table with its country defaults): paths (:data:`PATH_HIGHWAYS`: cycleway, path, track, footway,
bridleway, pedestrian, steps) and roads (:data:`ROAD_HIGHWAYS`), primary and secondary roads
included — they are *connectors* and every profile adds a penalty for their traffic
(``major``); motorways and trunk roads only where a sidewalk or a cycle lane is tagged (or the
mode is allowed explicitly). Left out: ways whose tags forbid both modes, closed areas other than
pedestrian areas (``highway=pedestrian|footway`` + ``area=yes``, walkable along the outline and
across, :mod:`parcs.osm.areas`), private and emergency service roads, and ways in construction
or proposed (``highway=construction/proposed``: OSM has no reliable opening date, so every kept
way is ``status = "built"``).

Access
------
:func:`foot_access` / :func:`bike_access` / :func:`bike_push` answer from
:mod:`parcs.osm.access` (the mode's own tag, then ``access``, then the country's default of the
highway type); each edge then carries ``foot_ok``, ``bike_ok`` (ride *or* push) and
``bike_push`` (push only: footways, pedestrian streets outside France, steps,
``bicycle=dismount``) for *its own direction* (a one-way street is ``bike_ok`` only with the
traffic unless it has a contraflow: ``oneway:bicycle=no``, ``cycleway=opposite*``...), see
:func:`edge_access`.

Kinds
-----
:func:`way_kind`, first rule that matches: roads and sidewalks/crossings are ``connector`` —
or ``advised_route`` when they carry an international, national or regional cycle route (the
signposted route runs on a shared road: not a greenway, as in the open-data build); a non-road
way in an ``icn`` route relation is ``eurovelo``, in an ``ncn``/``rcn`` one ``veloroute``; a way
named "cavalier" is ``cavalier``; ``towpath=yes`` is ``towpath`` (paths along a canal become
``towpath`` later, geometrically, see :mod:`parcs.osm.graph`); a cycleway shared with walkers or
a path/footway with ``bicycle=designated`` is ``voie_verte``; a track is ``track``; everything
else (footway, path, bridleway, pedestrian, steps, a bike-only cycleway) is ``path``.
``lcn`` (local) routes keep their references in ``route_refs`` without changing the kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from parcs.osm import access
from parcs.osm.access import ALLOW, NETWORK_HIGHWAYS, first

#: Non-road ways walkers and cyclists use.
PATH_HIGHWAYS: frozenset[str] = frozenset(
    {"cycleway", "path", "track", "footway", "bridleway", "pedestrian", "steps"}
)
#: Roads (kept as connectors when walkers or cyclists may use them).
ROAD_HIGHWAYS: frozenset[str] = NETWORK_HIGHWAYS - PATH_HIGHWAYS
KEPT_HIGHWAYS: frozenset[str] = NETWORK_HIGHWAYS
#: ``service=*`` values left out.
EXCLUDED_SERVICES: frozenset[str] = frozenset({"private", "emergency_access"})
#: Ways drawn as closed areas that walkers cross (``area=yes``): see :mod:`parcs.osm.areas`.
AREA_HIGHWAYS: frozenset[str] = frozenset({"pedestrian", "footway"})

#: The Overpass QL way filter (osmnx ``custom_filter``): a superset of :func:`keep_way`, which
#: refines it on the tags osmnx keeps (:data:`USEFUL_TAGS_WAY`).
OVERPASS_FILTER: str = (
    f'["highway"~"^({"|".join(sorted(KEPT_HIGHWAYS))})$"]'
    f'["service"!~"^({"|".join(sorted(EXCLUDED_SERVICES))})$"]'
)

#: Way tags kept on the raw osmnx edges (``ox.settings.useful_tags_way`` during a build): every
#: tag the functions of this module read, plus ``oneway``/``junction`` that osmnx itself reads.
USEFUL_TAGS_WAY: tuple[str, ...] = (
    "highway", "name", "ref", "surface", "tracktype", "smoothness", "access", "foot", "bicycle",
    "vehicle", "segregated", "oneway", "junction", "oneway:bicycle", "oneway:foot", "cycleway",
    "cycleway:left", "cycleway:right", "cycleway:both", "cycleway:left:oneway",
    "cycleway:right:oneway", "cycleway:both:oneway", "footway", "path", "towpath", "service",
    "area", "motorroad", "designation", "sidewalk", "sidewalk:both", "sidewalk:left",
    "sidewalk:right", "layer", "tunnel", "bridge",
)

_ALLOW = ALLOW
_DENY = frozenset({"no", "private"})
_YES = frozenset({"yes", "true", "1"})
_ROUTE_NETWORKS = frozenset({"icn", "ncn", "rcn"})
_CONTRAFLOW_KEYS = ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both")
_CONTRAFLOW_ONEWAY_KEYS = ("cycleway:left:oneway", "cycleway:right:oneway", "cycleway:both:oneway")

Tags = Mapping[str, object]


def _text(value: object) -> str:
    """A tag value as display text ('' for none/NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


# --------------------------------------------------------------------------------------- access
def foot_access(tags: Tags, *, country: str | None = None) -> bool:
    """Whether walkers may use the way (in at least one direction): :func:`parcs.osm.access.foot_access`.

    >>> foot_access({"highway": "cycleway"}), foot_access({"highway": "cycleway", "foot": "yes"})
    (False, True)
    """
    return access.foot_access(tags, country=country)


def bike_access(tags: Tags, *, country: str | None = None) -> bool:
    """Whether cyclists may ride the way or push the bike along it (in at least one direction).

    >>> bike_access({"highway": "footway"}), bike_access({"highway": "footway", "bicycle": "no"})
    (True, False)
    """
    return access.bike_access(tags, country=country) != "no"


def bike_push(tags: Tags, *, country: str | None = None) -> bool:
    """Whether cyclists may only push the bike along the way (footways, steps, dismount).

    >>> bike_push({"highway": "steps"}), bike_push({"highway": "cycleway"})
    (True, False)
    """
    return access.bike_access(tags, country=country) == "push"


def is_area(tags: Tags) -> bool:
    """A pedestrian area: ``highway=pedestrian`` (or ``footway``) drawn as a closed ``area=yes``."""
    return first(tags.get("area")) == "yes" and first(tags.get("highway")) in AREA_HIGHWAYS


def keep_way(tags: Tags, *, country: str | None = None) -> bool:
    """Whether a way belongs to the network (see the module doc).

    >>> keep_way({"highway": "cycleway"}), keep_way({"highway": "primary"}), keep_way({"highway": "motorway"})
    (True, True, False)
    >>> keep_way({"highway": "service", "service": "private"}), keep_way({"highway": "footway", "access": "no"})
    (False, False)
    >>> keep_way({"highway": "pedestrian", "area": "yes"}), keep_way({"highway": "service", "area": "yes"})
    (True, False)
    """
    if first(tags.get("highway")) not in KEPT_HIGHWAYS:
        return False
    if first(tags.get("area")) == "yes" and not is_area(tags):
        return False
    if first(tags.get("service")) in EXCLUDED_SERVICES:
        return False
    return foot_access(tags, country=country) or bike_access(tags, country=country)


def candidate_way(tags: Tags) -> bool:
    """:func:`keep_way` in some country's table (the extract reader's filter, before the
    country is known).

    >>> candidate_way({"highway": "cycleway", "bicycle": "no"}), candidate_way({"highway": "bridleway"})
    (True, False)
    """
    return any(keep_way(tags, country=c) for c in (None, *access.DEFAULTS))


def is_major(tags: Tags) -> bool:
    """A road with heavy traffic (:data:`parcs.osm.access.MAJOR_HIGHWAYS`): a cost penalty."""
    return first(tags.get("highway")) in access.MAJOR_HIGHWAYS


def _bike_contraflow(tags: Tags) -> bool:
    if first(tags.get("oneway:bicycle")) == "no":
        return True
    if any(first(tags.get(k)).startswith("opposite") for k in _CONTRAFLOW_KEYS):
        return True
    return any(first(tags.get(k)) in {"no", "-1"} for k in _CONTRAFLOW_ONEWAY_KEYS)


def edge_access(
    tags: Tags, *, oneway: bool, reversed_: bool, against: bool, country: str | None = None
) -> tuple[bool, bool]:
    """``(foot_ok, bike_ok)`` of one directed edge.

    Parameters
    ----------
    tags
        The way's tags (the raw osmnx edge attributes).
    oneway
        osmnx's ``oneway`` of the edge (the way is one-way for traffic).
    reversed_
        osmnx's ``reversed``: the edge runs against the way's node order.
    against
        The edge runs against the traffic of a one-way way (added for walkers and contraflows).
    country
        The extract's country (ISO 3166 alpha-2), for the defaults of untagged ways.

    Examples
    --------
    >>> t = {"highway": "residential", "oneway": "yes"}
    >>> edge_access(t, oneway=True, reversed_=False, against=True)
    (True, False)
    >>> edge_access({**t, "oneway:bicycle": "no"}, oneway=True, reversed_=False, against=True)
    (True, True)
    """
    foot, bike = foot_access(tags, country=country), bike_access(tags, country=country)
    hw = first(tags.get("highway"))
    if against:
        foot_oneway = first(tags.get("oneway:foot")) in _YES or hw in {"footway", "steps"}
        return foot and not foot_oneway, bike and _bike_contraflow(tags)
    if not oneway:
        ob = first(tags.get("oneway:bicycle"))
        if ob in _YES:
            bike = bike and not reversed_
        elif ob == "-1":
            bike = bike and reversed_
        if first(tags.get("oneway:foot")) in _YES:
            foot = foot and not reversed_
    return foot, bike


def access_signature(tags: Tags, *, country: str | None = None) -> str:
    """A direction-independent summary of who may use a way (equal on both edges of a way).

    Used so that simplification keeps a node where access changes.
    """
    return "".join(
        "1" if flag else "0"
        for flag in (
            foot_access(tags, country=country),
            bike_access(tags, country=country),
            bike_push(tags, country=country),
            is_major(tags),
            _bike_contraflow(tags),
            first(tags.get("oneway:bicycle")) != "",
            first(tags.get("oneway:foot")) != "",
        )
    )


# -------------------------------------------------------------------------------------- routes
@dataclass(frozen=True)
class RouteRelation:
    """A ``route=bicycle`` relation (or superroute): its tags and member ids."""

    id: int
    tags: Mapping[str, str]
    ways: tuple[int, ...] = ()
    relations: tuple[int, ...] = ()


@dataclass(frozen=True)
class RouteMembership:
    """The cycle routes one way belongs to: labels (``EV5``, ``V32``...) and networks."""

    refs: tuple[str, ...] = ()
    networks: frozenset[str] = field(default_factory=frozenset)


_EV = re.compile(r"^EV\s*(\d+)$", re.IGNORECASE)


def _own_label(rel: RouteRelation) -> str:
    ref = _text(rel.tags.get("ref"))
    m = _EV.match(ref)
    if m:
        return f"EV{m.group(1)}"
    if ref:
        return ref.replace(";", ",")
    if rel.tags.get("network") == "icn" and _text(rel.tags.get("icn_ref")):
        return f"EV{_text(rel.tags.get('icn_ref'))}"
    return ""


def route_memberships(relations: Iterable[RouteRelation]) -> dict[int, RouteMembership]:
    """Way id → the cycle routes it belongs to.

    A relation without ``ref`` takes ``EV<icn_ref>`` (international network) or the reference of
    a parent (super)route, else its ``name``; its network is its own or its parent's. Relations
    with neither contribute their network only.

    Examples
    --------
    >>> child = RouteRelation(2, {"route": "bicycle", "network": "icn"}, ways=(7,))
    >>> parent = RouteRelation(1, {"route": "bicycle", "ref": "EV10"}, relations=(2,))
    >>> route_memberships([parent, child])[7]
    RouteMembership(refs=('EV10',), networks=frozenset({'icn'}))
    """
    rels = {r.id: r for r in relations}
    parents: dict[int, list[int]] = {}
    for r in rels.values():
        for child in r.relations:
            parents.setdefault(child, []).append(r.id)

    def inherited(rid: int, key: str, seen: frozenset[int]) -> str:
        rel = rels[rid]
        own = _own_label(rel) if key == "ref" else _text(rel.tags.get("network"))
        if own or rid in seen:
            return own
        for pid in parents.get(rid, ()):
            value = inherited(pid, key, seen | {rid})
            if value:
                return value
        return ""

    out: dict[int, tuple[list[str], set[str]]] = {}
    for rid, rel in rels.items():
        label = inherited(rid, "ref", frozenset()) or _text(rel.tags.get("name")).replace(";", ",")
        network = inherited(rid, "network", frozenset())
        for wid in rel.ways:
            refs, nets = out.setdefault(wid, ([], set()))
            if label and label not in refs:
                refs.append(label)
            if network:
                nets.add(network)
    return {w: RouteMembership(tuple(sorted(r)), frozenset(n)) for w, (r, n) in out.items()}


# --------------------------------------------------------------------------------------- kinds
def way_kind(tags: Tags, routes: RouteMembership | None = None) -> str:
    """The ``kind`` of a way from its tags and cycle-route membership (see the module doc).

    >>> way_kind({"highway": "cycleway", "foot": "designated"}), way_kind({"highway": "track"})
    ('voie_verte', 'track')
    >>> ev = RouteMembership(("EV5",), frozenset({"icn"}))
    >>> way_kind({"highway": "path"}, ev), way_kind({"highway": "residential"}, ev)
    ('eurovelo', 'advised_route')
    """
    hw = first(tags.get("highway"))
    networks = routes.networks if routes else frozenset()
    sidewalk = (
        first(tags.get("footway")) in {"sidewalk", "crossing"}
        or first(tags.get("path")) in {"sidewalk", "crossing"}
        or (hw == "cycleway" and first(tags.get("cycleway")) == "crossing")
    )
    if hw in ROAD_HIGHWAYS or sidewalk:
        return "advised_route" if networks & _ROUTE_NETWORKS else "connector"
    if "icn" in networks:
        return "eurovelo"
    if networks & {"ncn", "rcn"}:
        return "veloroute"
    name = _text(tags.get("name")).lower()
    if "cavalier" in name:
        return "cavalier"
    if first(tags.get("towpath")) in _YES:
        return "towpath"
    if _is_voie_verte(tags, hw, name):
        return "voie_verte"
    return "track" if hw == "track" else "path"


def _is_voie_verte(tags: Tags, hw: str, name: str) -> bool:
    if "voie verte" in name or "voie_verte" in first(tags.get("designation")):
        return True
    if hw == "cycleway":
        return first(tags.get("foot")) in {"yes", "designated", "permissive"} or (
            _text(tags.get("segregated")) != "" and first(tags.get("foot")) not in _DENY
        )
    return hw in {"path", "footway"} and first(tags.get("bicycle")) == "designated"


_PAVED = frozenset(
    {
        "paved", "asphalt", "concrete", "concrete:plates", "concrete:lanes", "paving_stones",
        "sett", "cobblestone", "unhewn_cobblestone", "metal", "wood", "chipseal", "bricks",
        "brick", "tartan", "rubber", "granite", "stone_paving", "metal_grid", "acrylic",
    }
)
_COMPACTED = frozenset({"compacted", "fine_gravel", "gravel_compacted"})
_UNPAVED = frozenset(
    {
        "unpaved", "gravel", "pebblestone", "dirt", "earth", "ground", "grass", "grass_paver",
        "mud", "sand", "woodchips", "rock", "stone", "clay", "shells", "soil", "trail",
    }
)
_TRACKTYPE = {"grade1": "paved", "grade2": "compacted"}
_SMOOTHNESS = {"excellent": "paved", "good": "paved", "intermediate": "compacted"}


def surface_class(tags: Tags) -> str:
    """``paved|compacted|unpaved|unknown`` from ``surface``, else ``tracktype``, else ``smoothness``.

    Nothing is guessed from the highway type: an untagged road stays ``unknown``.

    >>> surface_class({"surface": "asphalt"}), surface_class({"surface": "fine_gravel"})
    ('paved', 'compacted')
    >>> surface_class({"tracktype": "grade4"}), surface_class({"highway": "residential"})
    ('unpaved', 'unknown')
    """
    surface = first(tags.get("surface"))
    if surface in _PAVED or surface.startswith(("paving_stones", "concrete")):
        return "paved"
    if surface in _COMPACTED:
        return "compacted"
    if surface in _UNPAVED:
        return "unpaved"
    tracktype = first(tags.get("tracktype"))
    if tracktype:
        return _TRACKTYPE.get(tracktype, "unpaved" if tracktype.startswith("grade") else "unknown")
    smoothness = first(tags.get("smoothness"))
    if smoothness:
        return _SMOOTHNESS.get(smoothness, "unpaved")
    return "unknown"


def display_name(tags: Tags) -> str:
    """``name``, else ``ref`` (e.g. a road number), else ''."""
    return _text(tags.get("name")) or _text(tags.get("ref"))


# ---------------------------------------------------------------------------------------- POIs
#: (category, key, values or None for any value), first match wins.
POI_RULES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("drinking_water", "amenity", frozenset({"drinking_water", "water_point"})),
    ("toilets", "amenity", frozenset({"toilets"})),
    ("bike_rental", "amenity", frozenset({"bicycle_rental"})),
    ("bike_repair", "amenity", frozenset({"bicycle_repair_station"})),
    ("bike_repair", "shop", frozenset({"bicycle"})),
    ("bike_parking", "amenity", frozenset({"bicycle_parking"})),
    ("shelter", "amenity", frozenset({"shelter"})),
    ("picnic_site", "tourism", frozenset({"picnic_site"})),
    ("picnic_site", "leisure", frozenset({"picnic_table"})),
    ("bench", "amenity", frozenset({"bench"})),
    ("bench", "leisure", frozenset({"bench"})),
    ("food", "amenity", frozenset({"cafe", "restaurant", "fast_food", "ice_cream", "pub", "biergarten"})),
    ("viewpoint", "tourism", frozenset({"viewpoint"})),
    ("museum", "tourism", frozenset({"museum"})),
    ("information", "information", frozenset({"board", "map", "office", "visitor_centre"})),
    ("terril", "man_made", frozenset({"spoil_heap"})),
    ("mine_shaft", "historic", frozenset({"mine_shaft", "mine"})),
    ("mine_shaft", "man_made", frozenset({"mineshaft"})),
    ("heritage", "heritage:operator", frozenset({"whc"})),
    ("historic", "historic", None),
    ("playground", "leisure", frozenset({"playground"})),
    ("station", "railway", frozenset({"station", "halt"})),
    ("public_transport", "highway", frozenset({"bus_stop"})),
    ("public_transport", "public_transport", frozenset({"platform", "station"})),
    ("public_transport", "railway", frozenset({"station", "halt", "tram_stop"})),
)

#: ``osmnx.features_from_polygon`` tags: every POI rule, parks and canals.
FEATURE_TAGS: dict[str, bool | str | list[str]] = {}
for _cat, _key, _values in POI_RULES:
    if _values is None:
        FEATURE_TAGS[_key] = True
    elif FEATURE_TAGS.get(_key) is not True:
        FEATURE_TAGS[_key] = sorted({*FEATURE_TAGS.get(_key, []), *_values})  # type: ignore[misc]
FEATURE_TAGS["leisure"] = sorted({*FEATURE_TAGS["leisure"], "park"})  # type: ignore[misc]
FEATURE_TAGS["landuse"] = ["recreation_ground"]
FEATURE_TAGS["waterway"] = ["canal"]
del _cat, _key, _values


def poi_category(tags: Tags) -> str | None:
    """The POI category (key of ``parcs.schema.POI_CATEGORIES``) of an element, or None.

    ``tourism=information`` counts only as boards, maps and offices (not guideposts);
    ``historic=yes`` and ``historic=memorial`` plaques count as historic sites.

    >>> poi_category({"amenity": "cafe"}), poi_category({"highway": "bus_stop"})
    ('food', 'public_transport')
    >>> poi_category({"tourism": "information", "information": "guidepost"}) is None
    True
    """
    for category, key, values in POI_RULES:
        value = first(tags.get(key))
        if not value or value == "no":
            continue
        if key == "information" and first(tags.get("tourism")) != "information":
            continue
        if values is None or value in values:
            return category
    return None


def poi_description(tags: Tags) -> str:
    """A short description from ``description``, ``cuisine``, ``operator`` and ``opening_hours``."""
    parts = [_text(tags.get("description"))]
    for key, label in (("cuisine", "cuisine"), ("operator", "opérateur"), ("opening_hours", "horaires")):
        value = _text(tags.get(key))
        if value:
            parts.append(f"{label} : {value}")
    return " ; ".join(p for p in parts if p)


def is_park(tags: Tags) -> bool:
    """``leisure=park`` or ``landuse=recreation_ground``."""
    return first(tags.get("leisure")) == "park" or first(tags.get("landuse")) == "recreation_ground"


def is_canal(tags: Tags) -> bool:
    """``waterway=canal``."""
    return first(tags.get("waterway")) == "canal"


def way_layer(tags: Mapping[str, Any]) -> int:
    """The vertical layer of a way: its ``layer`` tag, else -1 in a tunnel, +1 on a bridge, else 0.

    Snapping prefers ground ways (layer 0) over the ones passing under or over them.

    >>> way_layer({"layer": "-4", "tunnel": "yes"}), way_layer({"bridge": "yes"}), way_layer({"tunnel": "no"})
    (-4, 1, 0)
    """
    raw = tags.get("layer")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        return max(-5, min(5, round(float(str(raw).split(";")[0])))) if raw is not None else _implied_layer(tags)
    except (TypeError, ValueError, OverflowError):
        return _implied_layer(tags)


def _implied_layer(tags: Mapping[str, Any]) -> int:
    def on(key: str) -> bool:
        value = tags.get(key)
        value = value[0] if isinstance(value, list) and value else value
        return isinstance(value, str) and value not in ("", "no")

    return -1 if on("tunnel") else 1 if on("bridge") else 0

"""Points of interest from the real layers: terrils, listed heritage, mine shafts, neo-natural
parks, scenic viewpoints, bike-share stations, bike shelters and TER railway stations, plus the park
units themselves.

Every POI is a point in EPSG:2154 (the representative point of a polygon feature) with a stable,
readable ``id`` (``terril:T074``, ``shaft:12``, ``rental:node/268620141``...), a ``category`` (key of
:data:`parcs.schema.POI_CATEGORIES`), a ``name`` (a French generic name when the layer has none),
its ``source`` file and a short French ``description``. :func:`attach_pois` adds the nearest
network node and the park unit containing the POI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from parcs._errors import DataError
from parcs.parks import (
    REGISTRY_FILE,
    AnchorLayers,
    _read_layer,
    _require,
    load_anchor_layers,
    node_arrays,
    normalise_terril_id,
)
from parcs.perimeter import CRS, WGS84, Perimeter
from parcs.schema import POI_CATEGORIES, station_name

logger = logging.getLogger(__name__)

#: POIs are kept when their point lies inside the perimeter or this close (m) to it. The network
#: reaches a little past the communes' edge, and a terril or park straddling the boundary has its
#: representative point on either side: 500 m (about 6 minutes' walk, a usual walking catchment)
#: keeps those, while the neighbouring towns' POIs (Douai, Arras, Lille) lie kilometres away.
POI_MARGIN_M = 500.0

HERITAGE_FILES: tuple[str, str] = (
    "bassin-minier/bien-inscrit.geojson",
    "bassin-minier/batis.geojson",
)
SHAFTS_FILE = "bassin-minier/puits-de-mines.geojson"
VIEWPOINTS_FILE = "bassin-minier/zt-parvis-agricoles.geojson"
RENTAL_FILE = "adav/bicycle-rental-2018.geojson"
SHELTERS_FILE = "adav/bicycle-shelters-2017.geojson"
STATIONS_FILE = "adav/gares-ter.geojson"
#: The ``source`` of park-unit POIs.
PARKS_SOURCE = f"data/{REGISTRY_FILE}"

#: Columns of :func:`load_pois`; :func:`attach_pois` adds ``node``, ``node_dist_m``, ``park``.
POI_COLUMNS: tuple[str, ...] = ("id", "category", "name", "source", "description", "geometry")
ATTACHED_COLUMNS: tuple[str, ...] = (*POI_COLUMNS[:-1], "node", "node_dist_m", "park", "geometry")

_VIEW_LABELS = {
    "espaces dégageant vues avérées": "Vue avérée",
    "coteau dégageant des vues": "Coteau avec vue",
    "vue potentielle": "Vue potentielle",
}
_SHELTER_KINDS = {"shed": "abri fermé", "building": "local vélos", "stands": "arceaux"}


# --------------------------------------------------------------------------- helpers


def _text(value: Any) -> str:
    """A clean string, '' for missing values."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _number(value: Any) -> float | None:
    """A positive number, or None (0 stands for 'unknown' in the shafts layer)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) and x > 0 else None


def _sentence(*parts: str) -> str:
    """Non-empty parts joined by ' ; ', capitalised, ending with a full stop."""
    text = " ; ".join(p for p in parts if p)
    return (text[:1].upper() + text[1:] + ".") if text else ""


def _frame(
    ids: Sequence[str],
    category: str,
    names: Sequence[str],
    source: str | Sequence[str],
    descriptions: Sequence[str],
    geometry: Any,
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": list(ids),
            "category": category,
            "name": list(names),
            "source": source if isinstance(source, str) else list(source),
            "description": list(descriptions),
        },
        geometry=gpd.GeoSeries(geometry, crs=CRS).values,
        crs=CRS,
    )


def _col(gdf: pd.DataFrame, name: str) -> list[Any]:
    """A column as a list, all None when the layer lacks it (OSM extracts vary in their tags)."""
    return list(gdf[name]) if name in gdf.columns else [None] * len(gdf)


def _fr(x: float) -> str:
    """A number the French way: ``31,5``."""
    return f"{x:g}".replace(".", ",")


def _points(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Points of a layer: the representative point of each polygon, points as they are."""
    return gdf.geometry.representative_point()


def _commune_names(points: gpd.GeoSeries, communes: gpd.GeoDataFrame | None) -> list[str]:
    """The commune of each point (the nearest one for points in the margin), '' without communes."""
    if communes is None or communes.empty:
        return [""] * len(points)
    left = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=points.crs)
    joined = gpd.sjoin_nearest(left, communes[["nom", "geometry"]], how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    return [_text(v) for v in joined["nom"].reindex(left.index)]


def _at(commune: str) -> str:
    return f" à {commune}" if commune else ""


def _unesco_status(listed: bool) -> str:
    if listed:
        return "inscrit au patrimoine mondial de l'UNESCO"
    return "zone tampon du bien UNESCO du Bassin minier"


def terril_number(terril_id: str) -> str:
    """The number of a terril as people write it.

    >>> terril_number("T074a"), terril_number("T002")
    ('74a', '2')
    """
    return terril_id[1:].lstrip("0") or "0"


def terril_name(terril_id: str, name: str, usual_name: str = "") -> str:
    """The display name of a terril.

    >>> terril_name("T074", "11/19 de Lens Est"), terril_name("T042", "3 de Noeux sud", "Loisinord")
    ('Terril 74 – 11/19 de Lens Est', 'Loisinord (terril 42)')
    """
    num = terril_number(terril_id)
    if usual_name:
        return f"{usual_name} (terril {num})"
    if name and name.casefold() != "sans nom":
        return f"Terril {num} – {name}"
    return f"Terril {num}"


# --------------------------------------------------------------------------- categories


def _terril_pois(layers: AnchorLayers, communes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    t = layers.terrils
    pts = _points(t)
    rows = zip(t["id"], t["forme"], t["listed"], _commune_names(pts, communes), strict=True)
    descs = [
        _sentence(forme, f"terril n°{terril_number(tid)}{_at(c)}", _unesco_status(bool(listed)))
        for tid, forme, listed, c in rows
    ]
    names = [
        terril_name(i, n, u) for i, n, u in zip(t["id"], t["name"], t["usual_name"], strict=True)
    ]
    return _frame([f"terril:{i}" for i in t["id"]], "terril", names, t["source"], descs, pts)


def _neonatural_pois(layers: AnchorLayers, communes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    n = layers.neonatural
    pts = _points(n)
    rows = zip(n["listed"], _commune_names(pts, communes), strict=True)
    descs = [_sentence(f"espace néo-naturel{_at(c)}", _unesco_status(bool(li))) for li, c in rows]
    names = [nm or f"Espace néo-naturel {i}" for nm, i in zip(n["name"], n["id"], strict=True)]
    ids = [f"neonatural:{i}" for i in n["id"]]
    return _frame(ids, "neonatural_park", names, n["source"], descs, pts)


def _element_pois(sources: Path | None, communes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    src = HERITAGE_FILES[0]
    el = _read_layer(src, sources)
    _require(el, ("no_element", "nom", "section"), src)
    pts = _points(el)
    descs = []
    for no, section, surface, c in zip(
        el["no_element"],
        el["section"],
        _col(el, "surface_ha"),
        _commune_names(pts, communes),
        strict=True,
    ):
        ha = _number(surface)
        descs.append(
            _sentence(
                f"élément n°{_text(no)} du bien UNESCO « Bassin minier du Nord-Pas-de-Calais »",
                f"section « {_text(section)} »" if _text(section) else "",
                f"{_fr(ha)} ha{_at(c)}" if ha else c,
            )
        )
    names = [
        _text(v) or f"Élément {_text(no)} du bien UNESCO"
        for v, no in zip(el["nom"], el["no_element"], strict=True)
    ]
    ids = [f"heritage:element:{_text(v)}" for v in el["no_element"]]
    return _frame(ids, "heritage", names, src, descs, pts)


def _building_pois(sources: Path | None, communes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    src = HERITAGE_FILES[1]
    ba = _read_layer(src, sources)
    _require(ba, ("id_unesco", "nom", "denomination", "typologie"), src)
    pts = _points(ba)
    descs = []
    for typ, company, period, protection, c in zip(
        ba["typologie"],
        _col(ba, "compagnie"),
        _col(ba, "periode"),
        _col(ba, "protection"),
        _commune_names(pts, communes),
        strict=True,
    ):
        prot = _text(protection)
        descs.append(
            _sentence(
                f"{_text(typ) or 'bâtiment minier'}{_at(c)}",
                ", ".join(x for x in (_text(company), _text(period)) if x),
                "bâtiment inscrit au patrimoine mondial de l'UNESCO"
                + (f", {prot}" if prot.lower() not in ("", "non") else ""),
            )
        )
    names = [
        _text(n) or _text(d) or "Bâtiment minier inscrit"
        for n, d in zip(ba["nom"], ba["denomination"], strict=True)
    ]
    ids = [f"heritage:bati:{_text(v)}" for v in ba["id_unesco"]]
    return _frame(ids, "heritage", names, src, descs, pts)


def shaft_name(puits: Any, fosse: Any, commune: Any) -> str:
    """The French generic name of a mine shaft.

    >>> shaft_name("1", "1", "Annezin")
    'Puits n°1 de la fosse 1 (Annezin)'
    >>> shaft_name("extraction", "Sainte-Marie", "Auberchicourt")
    "Puits d'extraction de la fosse Sainte-Marie (Auberchicourt)"
    """
    p, f, c = _text(puits), _text(fosse), _text(commune)
    if not p:
        head = "Puits"
    elif p[0].isdigit():
        head = f"Puits n°{p}"
    elif p.lower() in ("avaleresse", "aveleresse"):
        head = "Avaleresse"
    elif p.islower() and p[0] in "aeéèiouyh":
        head = f"Puits d'{p}"
    else:
        head = f"Puits {p}"
    return head + (f" de la fosse {f}" if f else "") + (f" ({c})" if c else "")


def _shaft_description(row: pd.Series) -> str:
    cote, depth = _number(row.get("cote")), _number(row.get("profondeur"))
    dug, closed = _text(row.get("creusement")), _text(row.get("fermeture"))
    alias = _text(row.get("fosse_alias"))
    dates = ", ".join(
        x for x in (f"creusé en {dug}" if dug else "", f"fermé en {closed}" if closed else "") if x
    )
    return _sentence(
        "puits de mine" + (f" (fosse dite {alias})" if alias else ""),
        _text(row.get("compagnie")),
        f"concession de {_text(row.get('concession'))}" if _text(row.get("concession")) else "",
        f"cote du sol {_fr(cote)} m" if cote else "",
        dates,
        f"profondeur {_fr(depth)} m" if depth else "",
    )


def _shaft_pois(sources: Path | None) -> gpd.GeoDataFrame:
    sh = _read_layer(SHAFTS_FILE, sources)
    _require(sh, ("id", "commune", "fosse", "puits"), SHAFTS_FILE)
    names = [
        shaft_name(p, f, c) for p, f, c in zip(sh["puits"], sh["fosse"], sh["commune"], strict=True)
    ]
    descs = [_shaft_description(row) for _, row in sh.drop(columns="geometry").iterrows()]
    return _frame(
        [f"shaft:{_text(i)}" for i in sh["id"]],
        "mine_shaft",
        names,
        SHAFTS_FILE,
        descs,
        _points(sh),
    )


def _view_targets(text: str, terril_names: dict[str, str]) -> tuple[str, str]:
    """What a viewpoint looks at, for its name (``les terrils 42 et 49``) and its description."""
    tokens = [t.strip() for t in text.split(",") if t.strip()]
    ids: list[str | None] = []
    for t in tokens:
        try:
            ids.append(normalise_terril_id(t))
        except ValueError:
            ids.append(None)

    def join(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]

    if not tokens:
        return "", ""
    if all(ids):
        nums = [terril_number(i) for i in ids if i]
        short = f"le terril {nums[0]}" if len(nums) == 1 else f"les terrils {join(nums)}"
    else:
        short = join(
            [f"terril {terril_number(i)}" if i else t for t, i in zip(tokens, ids, strict=True)]
        )
    long = join(
        [
            f"terril {terril_number(i)} ({terril_names[i]})" if i and terril_names.get(i) else t
            for t, i in zip(tokens, ids, strict=True)
        ]
    )
    return short, long


def _viewpoint_pois(
    sources: Path | None, layers: AnchorLayers, communes: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    vp = _read_layer(VIEWPOINTS_FILE, sources)
    _require(vp, ("id", "qualite_vue", "vue_sur"), VIEWPOINTS_FILE)
    pts = _points(vp)
    terril_names = dict(zip(layers.terrils["id"], layers.terrils["name"], strict=True))
    names, descs = [], []
    for quality, seen, commune in zip(
        vp["qualite_vue"], vp["vue_sur"], _commune_names(pts, communes), strict=True
    ):
        q = _text(quality)
        label = _VIEW_LABELS.get(q.casefold(), q.capitalize() or "Point de vue")
        short, long = _view_targets(_text(seen), terril_names)
        names.append(f"{label} sur {short}" if short else label)
        descs.append(
            _sentence(
                q or "point de vue",
                "parvis agricole de la zone tampon UNESCO" + (f" à {commune}" if commune else ""),
                f"vue sur {long}" if long else "",
            )
        )
    return _frame(
        [f"viewpoint:{_text(i)}" for i in vp["id"]], "viewpoint", names, VIEWPOINTS_FILE, descs, pts
    )


def _osm_ids(gdf: gpd.GeoDataFrame, column: str, prefix: str) -> list[str]:
    """``prefix:node/123``, or ``prefix:<lon>,<lat>`` (5 decimals) for a feature without OSM id."""
    wgs = gdf.geometry.to_crs(WGS84).representative_point()
    return [
        f"{prefix}:{_text(v)}" if _text(v) else f"{prefix}:{p.x:.5f},{p.y:.5f}"
        for v, p in zip(_col(gdf, column), wgs, strict=True)
    ]


def _rental_pois(sources: Path | None) -> gpd.GeoDataFrame:
    gdf = _read_layer(RENTAL_FILE, sources)
    id_col = "id" if "id" in gdf.columns else "@id"
    names, descs = [], []
    for name, net, ref, op, cap in zip(
        _col(gdf, "name"),
        _col(gdf, "network"),
        _col(gdf, "ref"),
        _col(gdf, "operator"),
        _col(gdf, "capacity"),
        strict=True,
    ):
        net, ref = _text(net), _text(ref)
        fallback = f"Station {net} n°{ref}" if net and ref else "Station de vélos en libre-service"
        names.append(_text(name) or fallback)
        descs.append(
            _sentence(
                "station de vélos en libre-service" + (f" {net}" if net else ""),
                f"opérateur {_text(op)}" if _text(op) else "",
                f"{_text(cap)} places" if _text(cap) else "",
            )
        )
    return _frame(
        _osm_ids(gdf, id_col, "rental"), "bike_rental", names, RENTAL_FILE, descs, _points(gdf)
    )


def _shelter_pois(sources: Path | None) -> gpd.GeoDataFrame:
    gdf = _read_layer(SHELTERS_FILE, sources)
    names, descs = [], []
    for name, kind, cap, op in zip(
        _col(gdf, "name"),
        _col(gdf, "bicycle_pa"),
        _col(gdf, "capacity"),
        _col(gdf, "operator"),
        strict=True,
    ):
        kind = _text(kind)
        names.append(_text(name) or "Abri vélo")
        descs.append(
            _sentence(
                "abri vélo" + (f" ({_SHELTER_KINDS.get(kind, kind)})" if kind else ""),
                f"{_text(cap)} places" if _text(cap) else "",
                f"gestionnaire {_text(op)}" if _text(op) else "",
            )
        )
    return _frame(
        _osm_ids(gdf, "@id", "parking"), "bike_parking", names, SHELTERS_FILE, descs, _points(gdf)
    )


def _station_pois(sources: Path | None, communes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    gdf = _read_layer(STATIONS_FILE, sources)
    _require(gdf, ("CODEGARE", "NOMGARE"), STATIONS_FILE)
    pts = _points(gdf)
    names, descs = [], []
    for upper, normal, code, commune in zip(
        gdf["NOMGARE"], _col(gdf, "NOMGAREMIN"), gdf["CODEGARE"], _commune_names(pts, communes),
        strict=True,
    ):
        names.append(station_name(_text(normal) or _text(upper).title()))
        descs.append(_sentence(f"gare TER{_at(commune)}", f"code UIC {_text(code)}"))
    ids = [f"station:{_text(c)}" for c in gdf["CODEGARE"]]
    return _frame(ids, "station", names, STATIONS_FILE, descs, pts)


# --------------------------------------------------------------------------- public API


def _unique_ids(pois: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Suffix ``~2``, ``~3``... to repeated ids (two OSM features at the same coordinates)."""
    dup = pois["id"].duplicated(keep=False)
    if dup.any():
        rank = pois.groupby("id").cumcount() + 1
        pois.loc[dup & (rank > 1), "id"] = pois["id"] + "~" + rank.astype(str)
        logger.warning("%d POI id(s) repeated, suffixed with ~n", int(dup.sum()))
    return pois


def load_pois(
    *,
    perimeter: Perimeter | BaseGeometry,
    sources: Path | None = None,
    layers: AnchorLayers | None = None,
    margin_m: float = POI_MARGIN_M,
) -> gpd.GeoDataFrame:
    """The POIs of the real layers inside the perimeter (plus ``margin_m``).

    Parameters
    ----------
    perimeter
        The territory; with a :class:`~parcs.perimeter.Perimeter`, descriptions name the commune.
    sources
        Folder of the fetched sources (default ``data/sources``).
    layers
        The anchor layers (:func:`parcs.parks.load_anchor_layers`), read if None. A terril or
        neo-natural park present in both the listed and the buffer-zone layer appears once.
    margin_m
        See :data:`POI_MARGIN_M`.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:2154 points, columns :data:`POI_COLUMNS`, ordered by category then source.

    Raises
    ------
    SourceError
        When a layer is not fetched.
    DataError
        When a layer is unreadable or lacks a column.
    """
    geom = perimeter.geometry if isinstance(perimeter, Perimeter) else perimeter
    communes = perimeter.communes if isinstance(perimeter, Perimeter) else None
    layers = layers if layers is not None else load_anchor_layers(sources=sources)
    builders: list[Callable[[], gpd.GeoDataFrame]] = [
        lambda: _terril_pois(layers, communes),
        lambda: _element_pois(sources, communes),
        lambda: _building_pois(sources, communes),
        lambda: _shaft_pois(sources),
        lambda: _neonatural_pois(layers, communes),
        lambda: _viewpoint_pois(sources, layers, communes),
        lambda: _rental_pois(sources),
        lambda: _shelter_pois(sources),
        lambda: _station_pois(sources, communes),
    ]
    pois = gpd.GeoDataFrame(pd.concat([b() for b in builders], ignore_index=True), crs=CRS)
    zone = geom.buffer(margin_m) if margin_m > 0 else geom
    xy = shapely.get_coordinates(pois.geometry.values)
    pois = pois[shapely.intersects_xy(zone, xy[:, 0], xy[:, 1])].reset_index(drop=True)
    pois = _unique_ids(pois)
    unknown = set(pois["category"]) - set(POI_CATEGORIES)
    if unknown:
        raise DataError(f"POI categories not in parcs.schema.POI_CATEGORIES: {sorted(unknown)}")
    logger.info(
        "%d POIs within %g m of the perimeter: %s",
        len(pois),
        margin_m,
        pois["category"].value_counts().to_dict(),
    )
    return gpd.GeoDataFrame(pois[list(POI_COLUMNS)], geometry="geometry", crs=CRS)


def park_unit_pois(
    parks: gpd.GeoDataFrame,
    *,
    G: nx.MultiDiGraph | None = None,  # noqa: N803
) -> gpd.GeoDataFrame:
    """The park units as POIs of category ``park_unit`` (id ``park:<unit id>``).

    Parameters
    ----------
    parks
        The park-unit layer, with ``access_node`` when :func:`parcs.parks.attach_access_nodes` ran.
    G
        The network; when given with ``access_node``, the POI sits on the unit's access node,
        otherwise on the unit's representative point.
    """
    points = list(parks.geometry.representative_point())
    if G is not None and "access_node" in parks.columns:
        for i, node in enumerate(parks["access_node"]):
            if node in G.nodes:
                points[i] = shapely.Point(G.nodes[node]["x"], G.nodes[node]["y"])
    descs = [_text(d) for d in parks.get("description", [""] * len(parks))]
    return _frame(
        [f"park:{i}" for i in parks["id"]],
        "park_unit",
        [_text(n) for n in parks["name"]],
        PARKS_SOURCE,
        descs,
        gpd.GeoSeries(points, crs=parks.crs).to_crs(CRS),
    )


def with_park_units(
    pois: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    G: nx.MultiDiGraph | None = None,  # noqa: N803
) -> gpd.GeoDataFrame:
    """A new frame: ``pois`` followed by the park units as POIs (:func:`park_unit_pois`).

    ``parks`` and ``G`` may be given by position (as :mod:`parcs.build` does); a ``park:<id>``
    already in ``pois`` is not added twice.
    """
    units = park_unit_pois(parks, G=G)
    units = units[~units["id"].isin(set(pois["id"]))]
    both = pd.concat([pois, units.to_crs(pois.crs) if pois.crs else units], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=pois.crs or CRS)


def _containing_park(points: gpd.GeoSeries, parks: gpd.GeoDataFrame) -> pd.Series:
    """Id of the smallest park unit containing each point ('' for none)."""
    left = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=points.crs)
    right = gpd.GeoDataFrame(
        {"park": parks["id"].astype(str).values, "area": parks.geometry.area.values},
        geometry=parks.geometry.values,
        crs=parks.crs,
    ).to_crs(points.crs)
    joined = gpd.sjoin(left, right, how="inner", predicate="within").sort_values("area")
    first = joined[~joined.index.duplicated(keep="first")]["park"]
    return first.reindex(left.index).fillna("").astype(str)


def attach_pois(
    pois: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,  # noqa: N803
    *,
    parks: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """A copy of ``pois`` with its nearest network node and its park unit.

    Parameters
    ----------
    pois
        POIs (points) as from :func:`load_pois`; not modified.
    G
        The network (``x``/``y`` in its CRS).
    parks
        The park-unit layer; when None, ``park`` is ''.

    Returns
    -------
    geopandas.GeoDataFrame
        ``pois`` plus ``node`` (nearest node id, cKDTree), ``node_dist_m`` (straight-line metres,
        0.1 m) and ``park`` (id of the smallest unit containing the POI, ''). A ``park_unit`` POI
        belongs to its own unit.
    """
    ids, xy = node_arrays(G)
    points = (
        pois.geometry.to_crs(G.graph.get("crs", CRS)) if pois.crs is not None else pois.geometry
    )
    coords = shapely.get_coordinates(points.representative_point().values)
    dist, idx = cKDTree(xy).query(coords) if len(coords) else (np.empty(0), np.empty(0, dtype=int))
    out = pois.copy()
    out["node"] = pd.Series([_node_value(ids[i]) for i in idx], index=out.index, dtype=object)
    if len(out) and all(isinstance(n, int) for n in out["node"]):
        out["node"] = out["node"].astype("int64")
    out["node_dist_m"] = np.round(dist, 1)
    park = pd.Series("", index=out.index, dtype=object)
    if parks is not None and len(parks) and len(out):
        park = pd.Series(_containing_park(points, parks).values, index=out.index)
    own = (out["category"] == "park_unit") & out["id"].str.startswith("park:")
    park[own] = out.loc[own, "id"].str.removeprefix("park:")
    out["park"] = park.astype(str)
    cols = [c for c in ATTACHED_COLUMNS if c in out.columns]
    return out[cols + [c for c in out.columns if c not in cols]]


def _node_value(node: Hashable) -> Any:
    return node.item() if isinstance(node, np.generic) else node


def build_pois(
    perimeter: Perimeter,
    *,
    parks: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,  # noqa: N803
    sources: Path | None = None,
    layers: AnchorLayers | None = None,
) -> gpd.GeoDataFrame:
    """All POIs of a build: :func:`load_pois` plus :func:`park_unit_pois`, then :func:`attach_pois`."""
    pois = load_pois(perimeter=perimeter, sources=sources, layers=layers)
    return attach_pois(with_park_units(pois, parks, G), G, parks=parks)

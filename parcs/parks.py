"""The park units of the Chaîne des parcs: the registry, their geometry and their access nodes.

The registry ``data/parcs.toml`` is written by hand: each unit names the real features that anchor
it (terrils of ``terrils.geojson`` / ``zt-terrils.geojson``, neo-natural parks of
``espace-neonaturel.geojson`` / ``zt-espaces-neonaturels.geojson``) and, for places in no layer,
a named point with a radius. :func:`load_registry` checks every reference against the fetched
layers; :func:`build_park_geometries` turns each unit into the union of its anchors, buffered by
:data:`DEFAULT_BUFFER_M` and clipped to the perimeter; :func:`attach_access_nodes` picks the
network nodes through which a unit is entered.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import re
import tomllib
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from parcs import paths
from parcs._errors import DataError, RegistryError
from parcs.perimeter import CRS, EPCIS, WGS84, Perimeter, load_communes
from parcs.schema import KINDS, is_greenway
from parcs.sources import source_path

logger = logging.getLogger(__name__)

#: File name of the registry in the data folder.
REGISTRY_FILE = "parcs.toml"
#: The agglomeration names a unit may carry.
AGGLOMERATIONS: tuple[str, ...] = tuple(EPCIS.values())
#: Terril layers, listed (UNESCO property) first: a number in both keeps the listed feature.
TERRIL_FILES: tuple[str, str] = (
    "bassin-minier/terrils.geojson",
    "bassin-minier/zt-terrils.geojson",
)
#: Neo-natural park layers, listed first.
NEONATURAL_FILES: tuple[str, str] = (
    "bassin-minier/espace-neonaturel.geojson",
    "bassin-minier/zt-espaces-neonaturels.geojson",
)
#: Buffer (m) around the union of a unit's anchors. A terril or neo-natural park polygon is drawn
#: at its foot or fence; the paths, car parks and entrances serving it lie in a band around it,
#: and 200 m (under 3 minutes' walk) takes in that band without swallowing the next quarter.
DEFAULT_BUFFER_M = 200.0
#: A node this far (m) outside a unit still counts as one of its access nodes (the path at the
#: gate), when the unit itself holds no node or few.
ACCESS_MARGIN_M = 150.0
#: Ranking penalty (m) of an access node that no greenway edge touches: a greenway node up to
#: this much farther from the unit's centre is preferred.
NON_GREENWAY_PENALTY_M = 1000.0
#: Default number of access nodes kept per unit.
DEFAULT_MAX_NODES = 8
#: Columns of the park-unit layer (before :func:`attach_access_nodes`).
PARK_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "agglomeration",
    "communes",
    "description",
    "activities",
    "area_ha",
    "geometry",
)

_UNIT_FIELDS = ("id", "name", "agglomeration", "communes", "description", "activities")
_ANCHOR_FIELDS = frozenset({"terrils", "neonatural", "places"})
_PLACE_FIELDS = ("name", "lon", "lat", "radius_m")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TERRIL_RE = re.compile(r"^\s*T?\s*0*(\d{1,3})\s*([A-Z]?)\s*$", re.IGNORECASE)
_GREENWAY_KINDS = frozenset(k for k in KINDS if is_greenway(k))


@dataclass(frozen=True)
class NamedPlace:
    """A place in no layer: a WGS84 point and the radius (m) of the disc that stands for it."""

    name: str
    lon: float
    lat: float
    radius_m: float


@dataclass(frozen=True)
class Anchors:
    """The features a unit is drawn from: terril ids (``T074a``), neo-natural ids, named places."""

    terrils: tuple[str, ...] = ()
    neonatural: tuple[str, ...] = ()
    places: tuple[NamedPlace, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terrils or self.neonatural or self.places)


@dataclass(frozen=True)
class ParkUnit:
    """One park unit of the registry."""

    id: str
    name: str
    agglomeration: str
    communes: tuple[str, ...]
    description: str
    activities: tuple[str, ...]
    anchors: Anchors


@dataclass(frozen=True)
class AnchorLayers:
    """The anchor layers in EPSG:2154, one row per feature, deduplicated by ``id``.

    ``terrils``: ``id`` (``T074a``), ``name``, ``usual_name``, ``forme``, ``communes``, ``listed``
    (in the UNESCO property rather than its buffer zone), ``source``, geometry.
    ``neonatural``: ``id`` (``ENZT07``, ``EN63J``), ``name``, ``communes``, ``listed``, ``source``,
    geometry.
    """

    terrils: gpd.GeoDataFrame
    neonatural: gpd.GeoDataFrame


# --------------------------------------------------------------------------- ids and layers


def normalise_terril_id(raw: str | int) -> str:
    """The canonical form of a terril number: ``T``, three digits, an optional lower-case letter.

    Raises
    ------
    ValueError
        When ``raw`` is not a terril number.

    Examples
    --------
    >>> normalise_terril_id("40"), normalise_terril_id("T074a"), normalise_terril_id("t74A")
    ('T040', 'T074a', 'T074a')
    """
    m = _TERRIL_RE.match(str(raw))
    if m is None:
        raise ValueError(f"not a terril number: {raw!r}")
    return f"T{int(m.group(1)):03d}{m.group(2).lower()}"


def _read_layer(relpath: str, sources: Path | None) -> gpd.GeoDataFrame:
    path = source_path(relpath, sources=sources)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"{relpath}: cannot be read as GeoJSON ({exc})") from exc
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf.to_crs(CRS)
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf


def _require(gdf: gpd.GeoDataFrame, columns: Iterable[str], relpath: str) -> None:
    missing = set(columns) - set(gdf.columns)
    if missing:
        raise DataError(f"{relpath}: missing columns {sorted(missing)}")


def _join_communes(gdf: pd.DataFrame) -> pd.Series:
    cols = [c for c in ("commune_1", "commune_2", "commune_3") if c in gdf.columns]
    return gdf[cols].apply(
        lambda r: ";".join(str(v) for v in r if isinstance(v, str) and v), axis=1
    )


def _terril_frame(
    gdf: gpd.GeoDataFrame, relpath: str, id_col: str, listed: bool
) -> gpd.GeoDataFrame:
    _require(gdf, (id_col, "nom", "forme"), relpath)
    try:
        ids = gdf[id_col].map(normalise_terril_id)
    except ValueError as exc:
        raise DataError(f"{relpath}: {exc}") from exc
    usual = gdf["nom_usuel"] if "nom_usuel" in gdf.columns else pd.Series("", index=gdf.index)
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "name": gdf["nom"].fillna("").astype(str),
            "usual_name": usual.fillna("").astype(str),
            "forme": gdf["forme"].fillna("").astype(str),
            "communes": _join_communes(gdf),
            "listed": listed,
            "source": relpath,
        },
        geometry=gdf.geometry.values,
        crs=CRS,
    )


def _neonatural_frame(gdf: gpd.GeoDataFrame, relpath: str, listed: bool) -> gpd.GeoDataFrame:
    key = "id_unesco" if listed else "id"
    _require(gdf, (key, "nom"), relpath)
    ids = ("EN" + gdf[key].astype(str)) if listed else gdf[key].astype(str)
    return gpd.GeoDataFrame(
        {
            "id": ids.str.strip().str.upper(),
            "name": gdf["nom"].fillna("").astype(str),
            "communes": _join_communes(gdf),
            "listed": listed,
            "source": relpath,
        },
        geometry=gdf.geometry.values,
        crs=CRS,
    )


def _dedupe(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    dup = gdf["id"].duplicated(keep="first")
    if dup.any():
        logger.info(
            "%s: %d feature(s) of the buffer zone also listed, kept once: %s",
            what,
            int(dup.sum()),
            ", ".join(gdf.loc[dup, "id"]),
        )
    return gdf[~dup].reset_index(drop=True)


def load_anchor_layers(*, sources: Path | None = None) -> AnchorLayers:
    """Read the terril and neo-natural park layers from the fetched sources.

    Parameters
    ----------
    sources
        Folder of the fetched sources (default ``data/sources``).

    Raises
    ------
    SourceError
        When a layer is not fetched.
    DataError
        When a layer is unreadable or lacks a column.
    """
    (listed_t, zt_t), (listed_n, zt_n) = TERRIL_FILES, NEONATURAL_FILES
    terrils = pd.concat(
        [
            _terril_frame(_read_layer(listed_t, sources), listed_t, "no_terril", True),
            _terril_frame(_read_layer(zt_t, sources), zt_t, "id", False),
        ],
        ignore_index=True,
    )
    neonatural = pd.concat(
        [
            _neonatural_frame(_read_layer(listed_n, sources), listed_n, True),
            _neonatural_frame(_read_layer(zt_n, sources), zt_n, False),
        ],
        ignore_index=True,
    )
    return AnchorLayers(
        terrils=_dedupe(gpd.GeoDataFrame(terrils, crs=CRS), "terrils"),
        neonatural=_dedupe(gpd.GeoDataFrame(neonatural, crs=CRS), "neo-natural parks"),
    )


# --------------------------------------------------------------------------- registry


def _str(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}: '{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def _str_list(
    raw: dict[str, Any], key: str, where: str, *, allow_empty: bool = False
) -> tuple[str, ...]:
    value = raw.get(key, [] if allow_empty else None)
    if (
        not isinstance(value, list)
        or not all(isinstance(v, str) and v.strip() for v in value)
        or (not value and not allow_empty)
    ):
        kind = "list" if allow_empty else "non-empty list"
        raise RegistryError(f"{where}: '{key}' must be a {kind} of strings, got {value!r}")
    return tuple(v.strip() for v in value)


def _check_keys(raw: Any, allowed: Iterable[str], where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: expected a table, got {type(raw).__name__}")
    unknown = set(raw) - set(allowed)
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {sorted(unknown)}")
    return raw


def _number(raw: dict[str, Any], key: str, where: str, lo: float, hi: float) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise RegistryError(f"{where}: '{key}' must be a number in [{lo}, {hi}], got {value!r}")
    return float(value)


def _parse_place(raw: Any, where: str) -> NamedPlace:
    raw = _check_keys(raw, _PLACE_FIELDS, where)
    for key in _PLACE_FIELDS:
        if key not in raw:
            raise RegistryError(f"{where}: missing field '{key}'")
    name = _str(raw, "name", where)
    where = f"{where} ({name!r})"
    return NamedPlace(
        name=name,
        lon=_number(raw, "lon", where, -180.0, 180.0),
        lat=_number(raw, "lat", where, -90.0, 90.0),
        radius_m=_number(raw, "radius_m", where, 1.0, 5000.0),
    )


def _parse_anchors(raw: Any, where: str) -> Anchors:
    where = f"{where}, anchors"
    raw = _check_keys({} if raw is None else raw, _ANCHOR_FIELDS, where)
    terrils = []
    for value in _str_list(raw, "terrils", where, allow_empty=True):
        try:
            terrils.append(normalise_terril_id(value))
        except ValueError as exc:
            raise RegistryError(f"{where}: {exc}") from exc
    neonatural = _str_list(raw, "neonatural", where, allow_empty=True)
    places = raw.get("places", [])
    if not isinstance(places, list):
        raise RegistryError(
            f"{where}: 'places' must be an array of tables ([[unit.anchors.places]])"
        )
    anchors = Anchors(
        terrils=tuple(dict.fromkeys(terrils)),
        neonatural=tuple(dict.fromkeys(neonatural)),
        places=tuple(_parse_place(p, f"{where}, place #{i + 1}") for i, p in enumerate(places)),
    )
    if not anchors:
        raise RegistryError(
            f"{where}: no terril, neo-natural park or named place; a unit needs one"
        )
    return anchors


def _parse_unit(raw: Any, index: int, path: Path) -> ParkUnit:
    where = f"{path}: unit #{index + 1}"
    raw = _check_keys(raw, (*_UNIT_FIELDS, "anchors"), where)
    if isinstance(raw.get("id"), str):
        where = f"{path}: unit {raw['id']!r}"
    for key in _UNIT_FIELDS:
        if key not in raw:
            raise RegistryError(f"{where}: missing field '{key}'")
    uid = _str(raw, "id", where)
    if not _SLUG_RE.match(uid):
        raise RegistryError(f"{where}: id must be a slug (a-z, 0-9, dashes), got {uid!r}")
    agglomeration = _str(raw, "agglomeration", where)
    if agglomeration not in AGGLOMERATIONS:
        raise RegistryError(
            f"{where}: agglomeration {agglomeration!r} is not one of {list(AGGLOMERATIONS)}"
        )
    return ParkUnit(
        id=uid,
        name=_str(raw, "name", where),
        agglomeration=agglomeration,
        communes=_str_list(raw, "communes", where),
        description=_str(raw, "description", where),
        activities=_str_list(raw, "activities", where),
        anchors=_parse_anchors(raw.get("anchors"), where),
    )


def parse_registry(text: str, *, path: str | Path = "parcs.toml") -> tuple[ParkUnit, ...]:
    """Parse registry TOML text into units, checking its structure (not the references).

    Raises
    ------
    RegistryError
        On bad TOML, a missing or malformed field, an unknown field, or a duplicate id.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML ({exc})") from exc
    items = raw.get("unit")
    if not isinstance(items, list) or not items:
        raise RegistryError(f"{path}: no [[unit]] table")
    units = tuple(_parse_unit(item, i, path) for i, item in enumerate(items))
    dups = sorted(k for k, n in Counter(u.id for u in units).items() if n > 1)
    if dups:
        raise RegistryError(f"{path}: duplicate unit id(s) {dups}")
    return units


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.75)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""


def _neonatural_keys(layers: AnchorLayers) -> dict[str, str]:
    """Map of every accepted neo-natural reference (id, or casefolded name) to its id."""
    nn = layers.neonatural
    keys = {name.casefold(): i for name, i in zip(nn["name"], nn["id"], strict=True)}
    keys.update(zip(nn["id"], nn["id"], strict=True))
    return keys


def _resolve_neonatural(ref: str, keys: dict[str, str]) -> str | None:
    """The id a neo-natural reference (id in any case, or name) points to, or None."""
    return keys.get(ref.upper()) or keys.get(ref.casefold())


def _plurality(communes: Sequence[str], agglo_of: dict[str, str]) -> set[str]:
    counts = Counter(agglo_of[c] for c in communes)
    top = max(counts.values())
    return {a for a, n in counts.items() if n == top}


def validate_registry(
    units: Sequence[ParkUnit],
    *,
    communes: gpd.GeoDataFrame,
    layers: AnchorLayers,
    path: str | Path = "parcs.toml",
) -> None:
    """Check every reference of the units against the communes and anchor layers.

    Raises
    ------
    RegistryError
        Naming the unit, the unknown commune / terril / neo-natural park and the file; or when
        the agglomeration is not that of the plurality of the unit's communes.
    """
    agglo_of = dict(zip(communes["nom"], communes["agglomeration"], strict=True))
    terril_ids = set(layers.terrils["id"])
    nn_keys = _neonatural_keys(layers)
    t_files = " nor ".join(Path(f).name for f in TERRIL_FILES)
    for u in units:
        where = f"{path}: unit {u.id!r}"
        for c in u.communes:
            if c not in agglo_of:
                raise RegistryError(f"{where}: unknown commune {c!r}{_suggest(c, agglo_of)}")
        for t in u.anchors.terrils:
            if t not in terril_ids:
                raise RegistryError(
                    f"{where}: unknown terril id {t!r} (in neither {t_files})"
                    f"{_suggest(t, terril_ids)}"
                )
        for n in u.anchors.neonatural:
            if _resolve_neonatural(n, nn_keys) is None:
                raise RegistryError(
                    f"{where}: unknown neo-natural park {n!r}{_suggest(n, nn_keys)}"
                )
        expected = _plurality(u.communes, agglo_of)
        if u.agglomeration not in expected:
            raise RegistryError(
                f"{where}: agglomeration {u.agglomeration!r} but most of its communes "
                f"are in {sorted(expected)}"
            )


def load_registry(
    path: str | Path | None = None,
    *,
    communes: gpd.GeoDataFrame | None = None,
    layers: AnchorLayers | None = None,
    check_references: bool = True,
    sources: Path | None = None,
) -> tuple[ParkUnit, ...]:
    """Read and validate the park-unit registry.

    Parameters
    ----------
    path
        The registry (default ``data/parcs.toml``).
    communes
        The Pôle's communes (:func:`parcs.perimeter.load_communes`); read from the sources if None.
    layers
        The anchor layers (:func:`load_anchor_layers`); read from the sources if None.
    check_references
        Whether to check communes, terril ids and neo-natural parks against the layers.
    sources
        Folder of the fetched sources, when the layers are read here.

    Raises
    ------
    RegistryError
        When the file is missing, not TOML, or any unit is invalid (see :func:`parse_registry`
        and :func:`validate_registry`).
    """
    path = Path(path) if path is not None else paths.data_dir() / REGISTRY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"park registry not readable: {path} ({exc})") from exc
    units = parse_registry(text, path=path)
    if check_references:
        if communes is None:
            communes = load_communes(
                source_path("bassin-minier/communes-mbm.geojson", sources=sources)
            )
        layers = layers if layers is not None else load_anchor_layers(sources=sources)
        validate_registry(units, communes=communes, layers=layers, path=path)
    logger.info("park registry %s: %d units", path, len(units))
    return units


# --------------------------------------------------------------------------- geometry


@functools.lru_cache(maxsize=1)
def _to_lambert93() -> Transformer:
    return Transformer.from_crs(WGS84, CRS, always_xy=True)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygons of ``geom`` (clipping may leave slivers of lines or points)."""
    polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
    if not polys:
        return Polygon()
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _perimeter_geometry(perimeter: Perimeter | BaseGeometry) -> BaseGeometry:
    return perimeter.geometry if isinstance(perimeter, Perimeter) else perimeter


def anchor_geometry(unit: ParkUnit, *, layers: AnchorLayers) -> BaseGeometry:
    """The union of a unit's anchor features (EPSG:2154), before buffering and clipping.

    Raises
    ------
    RegistryError
        When an anchor is not in the layers (the registry was not validated against them).
    """
    t = layers.terrils[layers.terrils["id"].isin(unit.anchors.terrils)]
    missing = set(unit.anchors.terrils) - set(t["id"])
    nn_keys = _neonatural_keys(layers)
    nn_ids = [_resolve_neonatural(n, nn_keys) for n in unit.anchors.neonatural]
    if missing or None in nn_ids:
        bad = sorted(missing) + [
            n for n, i in zip(unit.anchors.neonatural, nn_ids, strict=True) if i is None
        ]
        raise RegistryError(f"unit {unit.id!r}: anchor(s) not in the layers: {bad}")
    n = layers.neonatural[layers.neonatural["id"].isin(nn_ids)]
    parts = [*t.geometry, *n.geometry]
    if unit.anchors.places:
        xs, ys = _to_lambert93().transform(
            [p.lon for p in unit.anchors.places], [p.lat for p in unit.anchors.places]
        )
        radii = [p.radius_m for p in unit.anchors.places]
        parts += list(shapely.buffer(shapely.points(xs, ys), radii))
    return shapely.union_all(parts)


def build_park_geometries(
    units: Sequence[ParkUnit],
    *,
    layers: AnchorLayers,
    perimeter: Perimeter | BaseGeometry,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> gpd.GeoDataFrame:
    """The park-unit layer: each unit's anchors united, buffered by ``buffer_m``, clipped.

    Parameters
    ----------
    units
        The registry units.
    layers
        The anchor layers (:func:`load_anchor_layers`).
    perimeter
        The territory (a :class:`~parcs.perimeter.Perimeter` or its EPSG:2154 polygon).
    buffer_m
        Buffer around the union of the anchors; named-place discs get it too, on top of their
        radius (see :data:`DEFAULT_BUFFER_M`).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:2154, columns :data:`PARK_COLUMNS`; ``communes`` and ``activities`` ';'-joined,
        ``area_ha`` rounded to 0.1 ha.

    Raises
    ------
    DataError
        When a unit ends up with no area inside the perimeter.
    """
    if buffer_m < 0:
        raise ValueError(f"buffer_m must be >= 0, got {buffer_m}")
    territory = _perimeter_geometry(perimeter)
    rows = []
    for u in units:
        geom = anchor_geometry(u, layers=layers).buffer(buffer_m)
        if not territory.covers(geom):
            geom = _polygonal(shapely.make_valid(geom.intersection(territory)))
        if geom.is_empty or geom.area <= 0:
            raise DataError(
                f"park unit {u.id!r}: its anchors lie outside the perimeter (no area left)"
            )
        rows.append(
            {
                "id": u.id,
                "name": u.name,
                "agglomeration": u.agglomeration,
                "communes": ";".join(u.communes),
                "description": u.description,
                "activities": ";".join(u.activities),
                "area_ha": round(geom.area / 1e4, 1),
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, columns=list(PARK_COLUMNS), geometry="geometry", crs=CRS)


def build_parks(
    perimeter: Perimeter,
    *,
    path: str | Path | None = None,
    sources: Path | None = None,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> gpd.GeoDataFrame:
    """Load the registry and the anchor layers, validate, and build the park-unit layer.

    Parameters
    ----------
    perimeter
        The territory (its communes validate the registry).
    path
        The registry (default ``data/parcs.toml``).
    sources
        Folder of the fetched sources.
    buffer_m
        See :func:`build_park_geometries`.
    """
    layers = load_anchor_layers(sources=sources)
    units = load_registry(path, communes=perimeter.communes, layers=layers)
    return build_park_geometries(units, layers=layers, perimeter=perimeter, buffer_m=buffer_m)


# --------------------------------------------------------------------------- access nodes


def node_arrays(G: nx.MultiDiGraph) -> tuple[list[Hashable], NDArray[np.float64]]:  # noqa: N803
    """The node ids of ``G`` (in ``G.nodes`` order) and their ``x``/``y`` as an ``(n, 2)`` array.

    Raises
    ------
    DataError
        When the graph has no node, or a node lacks ``x``/``y``.
    """
    ids = list(G.nodes)
    if not ids:
        raise DataError("the network has no nodes")
    n = len(ids)
    try:
        x = np.fromiter((d for _, d in G.nodes(data="x")), dtype=float, count=n)
        y = np.fromiter((d for _, d in G.nodes(data="y")), dtype=float, count=n)
    except (TypeError, ValueError) as exc:
        raise DataError(f"every network node needs numeric 'x' and 'y' ({exc})") from exc
    if np.isnan(x).any() or np.isnan(y).any():
        raise DataError("every network node needs numeric 'x' and 'y'")
    return ids, np.column_stack([x, y])


def greenway_node_mask(G: nx.MultiDiGraph, ids: Sequence[Hashable]) -> NDArray[np.bool_]:  # noqa: N803
    """Whether each node of ``ids`` is the end of at least one greenway edge (``kind`` not a
    connector, see :func:`parcs.schema.is_greenway`)."""
    edges = pd.DataFrame(list(G.edges(data="kind", default="")), columns=["u", "v", "kind"])
    green = edges[edges["kind"].isin(_GREENWAY_KINDS)]
    ends = pd.Index(pd.concat([green["u"], green["v"]], ignore_index=True).unique())
    return np.asarray(pd.Index(ids).isin(ends), dtype=bool)


def _candidates(tree: cKDTree, geom: BaseGeometry, margin_m: float) -> NDArray[np.intp]:
    minx, miny, maxx, maxy = geom.bounds
    centre = ((minx + maxx) / 2, (miny + maxy) / 2)
    radius = float(np.hypot(maxx - minx, maxy - miny)) / 2 + margin_m
    return np.asarray(tree.query_ball_point(centre, r=radius), dtype=np.intp)


def _nearest_to_geometry(tree: cKDTree, geom: BaseGeometry) -> int:
    """Index of the node nearest to ``geom``, from the nodes nearest to points along its outline."""
    outline = shapely.segmentize(geom.boundary if shapely.get_dimensions(geom) == 2 else geom, 25.0)
    coords = shapely.get_coordinates(outline)
    dist, idx = tree.query(coords)
    return int(idx[int(np.argmin(dist))])


def _rank_access(
    geom: BaseGeometry,
    xy: NDArray[np.float64],
    green: NDArray[np.bool_],
    cand: NDArray[np.intp],
    *,
    margin_m: float,
    max_nodes: int,
) -> tuple[list[int], float]:
    """Indices of the access nodes of one unit (best first) and the best one's distance to it."""
    pts = shapely.points(xy[cand])
    d_geom = shapely.distance(geom, pts)
    keep = d_geom <= margin_m
    cand, pts, d_geom = cand[keep], pts[keep], d_geom[keep]
    if cand.size == 0:
        return [], float("nan")
    penalty = np.where(green[cand], 0.0, NON_GREENWAY_PENALTY_M) + d_geom
    d_unit = shapely.distance(geom.representative_point(), pts)
    reps = [p.representative_point() for p in shapely.get_parts(geom)]
    d_part = np.min(np.stack([shapely.distance(r, pts) for r in reps]), axis=0)
    best = int(np.argmin(d_unit + penalty))
    order = [i for i in np.argsort(d_part + penalty, kind="stable") if i != best]
    chosen = [best, *order[: max_nodes - 1]]
    return [int(cand[i]) for i in chosen], float(d_geom[best])


def _jsonable(node: Hashable) -> Any:
    return node.item() if isinstance(node, np.generic) else node


def attach_access_nodes(
    parks: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,  # noqa: N803
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    margin_m: float = ACCESS_MARGIN_M,
) -> gpd.GeoDataFrame:
    """A copy of ``parks`` with the network nodes through which each unit is entered.

    Access nodes are the nodes inside a unit or within ``margin_m`` of it, ranked by distance to
    the representative point of the unit's nearest part plus their distance outside the unit,
    with :data:`NON_GREENWAY_PENALTY_M` added when no greenway edge touches them. The best access
    node (``access_node``) is ranked the same way against the representative point of the whole
    unit. When no node is that close, the single nearest node is taken.

    Parameters
    ----------
    parks
        The park-unit layer (:func:`build_park_geometries`); not modified.
    G
        The network (``x``/``y`` in its CRS, ``kind`` on edges).
    max_nodes
        Number of access nodes kept per unit.
    margin_m
        Distance outside a unit within which a node still counts.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parks`` plus ``access_nodes`` (JSON list of node ids, best first), ``access_node`` and
        ``access_dist_m`` (distance from the access node to the unit, 0 when inside, 0.1 m).
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be >= 1, got {max_nodes}")
    ids, xy = node_arrays(G)
    green = greenway_node_mask(G, ids)
    tree = cKDTree(xy)
    geoms = (
        parks.geometry.to_crs(G.graph.get("crs", CRS)) if parks.crs is not None else parks.geometry
    )
    lists, best, dists = [], [], []
    for geom in geoms:
        chosen, dist = _rank_access(
            geom,
            xy,
            green,
            _candidates(tree, geom, margin_m),
            margin_m=margin_m,
            max_nodes=max_nodes,
        )
        if not chosen:
            chosen = [_nearest_to_geometry(tree, geom)]
            dist = float(shapely.distance(geom, Point(xy[chosen[0]])))
        nodes = [_jsonable(ids[i]) for i in chosen]
        lists.append(json.dumps(nodes))
        best.append(nodes[0])
        dists.append(round(dist, 1))
    out = parks.copy()
    out["access_nodes"] = lists
    out["access_node"] = best
    out["access_dist_m"] = dists
    return out

"""Read the greenway layers of the open-data sources into one normalised line table.

Each loader returns a GeoDataFrame in EPSG:2154 of single LineStrings clipped to the build area,
with the columns of :data:`LINE_COLUMNS`. The attributes of the sources are irregular (the ADAV
véloroutes in particular: many nulls, some shifted values), so every mapping below is explicit and
unknown values stay ``unknown`` rather than being guessed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import gpxpy
import gpxpy.gpx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from parcs._errors import DataError
from parcs.perimeter import CRS, WGS84
from parcs.sources import source_path

logger = logging.getLogger(__name__)

VELOROUTES_FILE = "adav/veloroutes.geojson"
EUROVELO5_FILE = "osm/eurovelo5-relation-5245117.gpx"
CAVALIERS_FILE = "bassin-minier/zt-cavaliers.geojson"

#: Columns of a normalised line table.
LINE_COLUMNS = [
    "kind", "name", "surface", "status", "works_status", "source", "route_refs", "heritage",
    "geometry",
]

#: ``NATURE`` of the ADAV layer → normalised surface.
NATURE_SURFACE = {
    "Route à 1 chaussée": "paved",
    "Route à 2 chaussées": "paved",
    "Piste cyclable": "paved",
    "Route empierrée": "compacted",
    "Chemin": "unpaved",
    "Sentier": "unpaved",
    "Escalier": "unpaved",
}

#: ``AVANCE_TRA`` (works status) prefixes → normalised status.
_STATUS_RULES = (
    ("travaux termin", "built"),
    ("non démarr", "planned"),
    ("travaux programm", "planned"),
    ("etudes", "planned"),
    ("études", "planned"),
)

#: EuroVelo numbers that cross Hauts-de-France; other numbers are French national/regional routes.
EUROVELO_NUMBERS = {"3", "4", "5"}


def status_from_works(value: object) -> str:
    """Normalise an ``AVANCE_TRA`` value.

    >>> status_from_works("travaux termines brochure"), status_from_works("Non démarré")
    ('built', 'planned')
    >>> status_from_works(None), status_from_works("Inconnu")
    ('unknown', 'unknown')
    """
    if not isinstance(value, str):
        return "unknown"
    low = value.strip().lower()
    for prefix, status in _STATUS_RULES:
        if low.startswith(prefix):
            return status
    return "unknown"


def route_refs_from_number(value: object) -> list[str]:
    """Route references from ``NUMERO_VEL`` (``"5 - 32"`` → ``["EV5", "V32"]``).

    >>> route_refs_from_number("5 - 32"), route_refs_from_number("NC"), route_refs_from_number("LF1")
    (['EV5', 'V32'], [], ['LF1'])
    """
    if not isinstance(value, str):
        return []
    refs = []
    for part in re.split(r"\s*-\s*", value.strip()):
        if not part or part.upper() == "NC":
            continue
        if part.isdigit():
            refs.append(f"EV{part}" if part in EUROVELO_NUMBERS else f"V{part}")
        else:
            refs.append(part)
    return refs


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def clean_name(value: object) -> str:
    """A display name from a source attribute: trimmed, spaces folded, stray leading ``?`` dropped.

    >>> clean_name("  ?Voie ferrée  cité des cheminots2 ")
    'Voie ferrée cité des cheminots2'
    >>> clean_name(None)
    ''
    """
    return " ".join(_text(value).lstrip("?").split())


def _explode_clip(gdf: gpd.GeoDataFrame, area: BaseGeometry, min_length: float = 1.0) -> gpd.GeoDataFrame:
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf[gdf.intersects(area)]
    gdf = gdf.set_geometry(gdf.geometry.intersection(area))
    gdf = gdf.explode(index_parts=False, ignore_index=True)
    gdf = gdf[gdf.geom_type == "LineString"]
    gdf = gdf[gdf.length >= min_length]
    return gdf.reset_index(drop=True)


def _read(path: Path) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path).to_crs(CRS)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"{path.name}: cannot be read as GeoJSON ({exc})") from exc


def _veloroute_kind(name: str, type_voie: object, refs: list[str]) -> str:
    if _text(type_voie) == "4":
        return "advised_route"
    if any(r.startswith("EV") for r in refs):
        return "eurovelo"
    if "voie verte" in name.lower():
        return "voie_verte"
    return "veloroute"


def load_veloroutes(*, area: BaseGeometry, path: Path | None = None) -> gpd.GeoDataFrame:
    """The ADAV véloroutes and voies vertes within ``area``.

    ``Type_voie`` 4 is ADAV's "itinéraire conseillé" on shared roads: kind ``advised_route``.
    """
    raw = _read(path or source_path(VELOROUTES_FILE))
    rows = []
    for rec in raw.itertuples(index=False):
        refs = route_refs_from_number(getattr(rec, "NUMERO_VEL", None))
        name = clean_name(rec.nom_tit_af) or clean_name(rec.NOM_ITI) or "Véloroute"
        rows.append({
            "kind": _veloroute_kind(name, rec.Type_voie, refs),
            "name": name,
            "surface": NATURE_SURFACE.get(_text(rec.NATURE), "unknown"),
            "status": status_from_works(rec.AVANCE_TRA),
            "works_status": _text(rec.AVANCE_TRA),
            "source": "adav:veloroutes",
            "route_refs": ";".join(refs),
            "heritage": "",
            "geometry": rec.geometry,
        })
    gdf = gpd.GeoDataFrame(rows, columns=LINE_COLUMNS, geometry="geometry", crs=CRS)
    return _explode_clip(gdf, area)


def load_eurovelo5(*, area: BaseGeometry, path: Path | None = None) -> gpd.GeoDataFrame:
    """The EuroVelo 5 track (OSM relation 5245117, waymarkedtrails GPX) within ``area``."""
    path = path or source_path(EUROVELO5_FILE)
    try:
        gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
    except (gpxpy.gpx.GPXException, ValueError, OSError) as exc:
        raise DataError(f"{path.name}: cannot be read as GPX ({exc})") from exc
    lines = [
        LineString([(p.longitude, p.latitude) for p in seg.points])
        for trk in gpx.tracks
        for seg in trk.segments
        if len(seg.points) >= 2
    ]
    if not lines:
        raise DataError(f"{path.name}: no track segment with two points or more")
    name = (gpx.name or (gpx.tracks[0].name if gpx.tracks else None) or "").strip()
    gdf = gpd.GeoDataFrame(
        {
            "kind": "eurovelo",
            "name": "EuroVelo 5 – Via Romea Francigena",
            "surface": "unknown",
            "status": "built",
            "works_status": "",
            "source": "osm:relation/5245117",
            "route_refs": "EV5",
            "heritage": "",
        },
        index=range(len(lines)),
        geometry=gpd.GeoSeries(lines, crs=WGS84).to_crs(CRS),
    )
    logger.debug("EuroVelo 5 GPX %r: %d segments", name, len(lines))
    return _explode_clip(gdf[LINE_COLUMNS], area)


def load_cavaliers(*, area: BaseGeometry, path: Path | None = None) -> gpd.GeoDataFrame:
    """The cavaliers (old mining railways, ``zt-cavaliers``) within ``area``.

    Whether a section is open as a path is not recorded: status stays ``unknown``.
    """
    raw = _read(path or source_path(CAVALIERS_FILE))
    names = raw["nom"].map(clean_name).replace("", "Cavalier minier")
    gdf = gpd.GeoDataFrame(
        {
            "kind": "cavalier",
            "name": names,
            "surface": "unknown",
            "status": "unknown",
            "works_status": "",
            "source": "bassin-minier:zt-cavaliers",
            "route_refs": "",
            "heritage": "cavalier " + raw["id_troncon"].map(_text),
        },
        geometry=raw.geometry,
        crs=CRS,
    )
    return _explode_clip(gdf[LINE_COLUMNS], area)


def load_greenway_lines(*, area: BaseGeometry, sources: Path | None = None) -> list[gpd.GeoDataFrame]:
    """Every line layer, in priority order (earlier layers win where lines overlap).

    EuroVelo 5 (OSM, the most precise geometry) first, then the ADAV greenways, the cavaliers and
    last the on-road advised routes.
    """

    def p(rel: str) -> Path:
        return source_path(rel, sources=sources)

    ev5 = load_eurovelo5(area=area, path=p(EUROVELO5_FILE))
    velo = load_veloroutes(area=area, path=p(VELOROUTES_FILE))
    cav = load_cavaliers(area=area, path=p(CAVALIERS_FILE))
    advised = velo["kind"] == "advised_route"
    return [ev5, velo[~advised].reset_index(drop=True), cav, velo[advised].reset_index(drop=True)]


def lengths_km(gdf: gpd.GeoDataFrame, *, within: BaseGeometry | None = None) -> float:
    """Total length in km, optionally of the part inside ``within``."""
    geoms = gdf.geometry.values
    if within is not None:
        geoms = shapely.intersection(geoms, within)
    return float(np.sum(shapely.length(geoms))) / 1000.0


def concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate line tables keeping the CRS."""
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=CRS)

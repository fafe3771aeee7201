"""The perimeter of the Pôle Métropolitain de l'Artois, computed from the communes layer.

The Pôle is the union of the communes of three EPCIs (agglomerations). Nothing is drawn by hand:
the communes come from ``bassin-minier/communes-mbm.geojson`` and the perimeter is their union.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from parcs._errors import DataError
from parcs.sources import source_path

#: Projected CRS of every computation (Lambert-93, metres).
CRS = "EPSG:2154"
#: Geographic CRS of inputs and outputs.
WGS84 = "EPSG:4326"

#: The three EPCIs of the Pôle, as named in the communes layer, with the short agglomeration name.
EPCIS: dict[str, str] = {
    "CA de Béthune-Bruay, Artois-Lys Romane": "Béthune-Bruay",
    "CA de Lens - Liévin": "Lens-Liévin",
    "CA d'Hénin-Carvin": "Hénin-Carvin",
}

COMMUNES_FILE = "bassin-minier/communes-mbm.geojson"


@dataclass(frozen=True)
class Perimeter:
    """The territory: its communes (EPSG:2154) and their union."""

    communes: gpd.GeoDataFrame
    geometry: BaseGeometry

    @property
    def population(self) -> int:
        """Total population of the communes."""
        return int(self.communes["population"].sum())

    def geometry_wgs84(self) -> BaseGeometry:
        """The perimeter polygon in WGS84."""
        return gpd.GeoSeries([self.geometry], crs=CRS).to_crs(WGS84).iloc[0]


def load_communes(path: Path | None = None) -> gpd.GeoDataFrame:
    """The communes of the Pôle (EPSG:2154) with ``insee``, ``nom``, ``population``, ``epci_nom``
    and ``agglomeration``.

    Raises
    ------
    DataError
        When the layer lacks the expected columns or EPCIs.
    """
    path = path or source_path(COMMUNES_FILE)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"{path.name}: cannot be read as GeoJSON ({exc})") from exc
    missing = {"insee", "nom", "population", "epci_nom"} - set(gdf.columns)
    if missing:
        raise DataError(f"{path.name}: missing columns {sorted(missing)}")
    sel = gdf[gdf["epci_nom"].isin(EPCIS)].copy()
    absent = set(EPCIS) - set(sel["epci_nom"])
    if absent:
        raise DataError(f"{path.name}: EPCI(s) not found: {sorted(absent)}")
    sel["agglomeration"] = sel["epci_nom"].map(EPCIS)
    sel["population"] = sel["population"].astype(int)
    sel = sel[["insee", "nom", "population", "epci_nom", "agglomeration", "geometry"]]
    return sel.to_crs(CRS).sort_values("insee").reset_index(drop=True)


def load_perimeter(path: Path | None = None) -> Perimeter:
    """The perimeter: the union of the Pôle's communes (small slivers between them closed)."""
    communes = load_communes(path)
    geom = communes.geometry.buffer(1.0).union_all().buffer(-1.0)
    return Perimeter(communes=communes, geometry=geom)

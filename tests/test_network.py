"""Network building steps on synthetic lines (EPSG:2154 metres).

::

    layer 1 (véloroutes, V32)                 layer 2 (cavalier, heritage 001_01)

    (0,0) ───────── (1000,0)  (1030,0) ───── (2000,0)      (200,10) ──── (800,10)
                 │              30 m gap: snapped                           │
                 │ "Branche"                                                 │
              (500,-800)                                                  (800,400)

    The cavalier runs 10 m from the véloroute between x=200 and x=800: that part is kept once,
    on the véloroute, with both identities; its remnant (800,35)→(800,400) is snapped back on.
    Far pieces: (2300,0)–(3000,0) is 300 m beyond (2000,0): a short connector;
    (5000,0)–(6000,0) is 2 km away: a long connector.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString

from parcs._errors import BuildError
from parcs.layers import LINE_COLUMNS
from parcs.network import build_graph, deduplicate, node_lines, snap_endpoints
from parcs.perimeter import CRS


def layer(rows: list[tuple[str, str, LineString]], **extra: str) -> gpd.GeoDataFrame:
    recs = [
        {"kind": k, "name": n, "surface": "unknown", "status": "built", "works_status": "",
         "source": extra.get("source", "test"), "route_refs": extra.get("refs", ""),
         "heritage": extra.get("heritage", ""), "geometry": g}
        for k, n, g in rows
    ]
    return gpd.GeoDataFrame(recs, columns=LINE_COLUMNS, geometry="geometry", crs=CRS)


def ab_layers() -> list[gpd.GeoDataFrame]:
    velo = layer([
        ("veloroute", "Véloroute test", LineString([(0, 0), (1000, 0)])),
        ("veloroute", "Véloroute test", LineString([(1030, 0), (2000, 0)])),
        ("veloroute", "Branche", LineString([(500, 0), (500, -800)])),
    ], refs="V32")
    cav = layer([
        ("cavalier", "Voie ferrée X", LineString([(200, 10), (800, 10), (800, 400)])),
    ], heritage="cavalier 001_01")
    return [velo, cav]


def test_overlap_kept_once_with_both_identities() -> None:
    lines = deduplicate(ab_layers(), overlap_m=25.0)
    cav = lines[lines["kind"] == "cavalier"]
    # only the part of the cavalier away from the véloroute survives (800,10)->(800,400) minus 25 m
    assert cav.length.sum() == pytest.approx(390 - 15, abs=1.0)
    main = lines[(lines["name"] == "Véloroute test") & (lines.length > 900)]
    assert main["heritage"].iloc[0] == "cavalier 001_01"
    assert main["also"].iloc[0] == "Voie ferrée X"
    assert "V32" in main["route_refs"].iloc[0]


def test_snapping_closes_small_gaps_only() -> None:
    lines = deduplicate(ab_layers(), overlap_m=25.0)
    snapped = snap_endpoints(lines, snap_m=40.0)
    pieces = node_lines(snapped)
    ends = np.round(np.vstack([np.array(g.coords)[[0, -1]] for g in pieces.geometry]), 2)
    # the 30 m gap at x=1000..1030 is closed: (1000,0) is now an end of two pieces
    assert sum((e == [1000.0, 0.0]).all() for e in ends) >= 2
    # the cavalier remnant starting at (800, 35) was extended onto the véloroute
    assert any(np.allclose(e, [800.0, 0.0], atol=0.5) for e in ends)


def test_noding_splits_at_crossings_and_keeps_attributes() -> None:
    lines = layer([
        ("cavalier", "H", LineString([(0, 0), (100, 0)])),
        ("veloroute", "V", LineString([(50, -50), (50, 50)])),
    ])
    pieces = node_lines(lines)
    assert len(pieces) == 4
    assert sorted(pieces["name"]) == ["H", "H", "V", "V"]
    assert pieces.length.sum() == pytest.approx(200.0)


def test_build_graph_connects_everything_and_labels_connectors() -> None:
    far = layer([
        ("cavalier", "Loin", LineString([(5000, 0), (6000, 0)])),
        ("cavalier", "Près", LineString([(2300, 0), (3000, 0)])),
    ])
    graph, report = build_graph([*ab_layers(), far], connect_m=400.0)
    assert report.components_before == 3
    assert report.long_connectors == 1
    assert report.components_after_short == 2
    import networkx as nx

    assert nx.number_weakly_connected_components(graph) == 1
    conn = [(d["length"], d["source"]) for _, _, d in graph.edges(data=True)
            if d["kind"] == "connector" and not d["reversed"]]
    assert sorted(round(length) for length, _ in conn) == [300, 2000]
    assert {s for _, s in conn} == {"connector", "connector:long"}
    # both directions exist with reversed geometry
    for u, v, d in graph.edges(data=True):
        assert graph.has_edge(v, u)
        assert d["geometry"].coords[0] == pytest.approx((graph.nodes[u]["x"], graph.nodes[u]["y"]))
    assert graph.graph["crs"] == CRS


def test_build_graph_rejects_empty_input() -> None:
    with pytest.raises(BuildError, match="no greenway line"):
        build_graph([layer([])])


def test_dead_end_joined_when_far_on_the_network_only() -> None:
    """A U of greenway, 150 m between its arms' ends, with a short spur near the bottom::

        (0,2000) ·                 · (150,2000)   dead ends 150 m apart, 4 km apart on the U
                 │                 │
                 │                 │
           (0,0) └─────────────────┘ (150,0)
                        │ spur to (75,-100): dead end 100 m from nothing else -> left alone
    """
    from parcs.network import dead_end_connectors

    lines = layer([
        ("cavalier", "U", LineString([(0, 2000), (0, 0), (150, 0), (150, 2000)])),
        ("cavalier", "spur", LineString([(75, 0), (75, -100)])),
    ])
    pieces = node_lines(lines)
    added = dead_end_connectors(pieces, dead_end_m=250.0)
    assert len(added) == 1
    assert added["gap_m"].iloc[0] == pytest.approx(150.0)
    assert set(added["source"]) == {"connector:dead-end"}
    graph, report = build_graph([lines], dead_end_m=250.0)
    assert report.dead_end_connectors == 1
    kinds = sorted(d["kind"] for _, _, d in graph.edges(data=True) if not d["reversed"])
    assert kinds.count("connector") == 1
    # a shorter U (ends 150 m apart but only 1.15 km apart on the network) gets no connector
    short = layer([("cavalier", "U", LineString([(0, 500), (0, 0), (150, 0), (150, 500)]))])
    assert len(dead_end_connectors(node_lines(short), dead_end_m=250.0)) == 0

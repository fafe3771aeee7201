"""Issue 12's access rules on the synthetic extract (``tests/fixtures/osm_synthetic.py``): barriers
split, pedestrian areas crossed, major roads kept with a penalty, bicycles pushed on footways and
steps; and the access table itself."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pytest
from fixtures import osm_synthetic as syn

from parcs.osm import access
from parcs.osm.build import build_osm_network
from routing import compile_network, edge_costs, edge_times, shortest_path_tree
from routing.profiles import PROFILES, PUSH_KMH


@pytest.fixture(scope="module")
def syn_net(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = syn.write_synthetic_osm(tmp_path_factory.mktemp("syn") / "syn.osm.pbf")
    return build_osm_network(osm_file=path, area="file", progress=False)


@pytest.fixture(scope="module")
def syn_cn(syn_net: Any) -> Any:
    return compile_network(syn_net)


def _nodes_at(g: nx.MultiDiGraph, x: float, y: float) -> list[Any]:
    lon, lat = syn.lonlat(x, y)
    return [n for n, d in g.nodes(data=True) if math.hypot(d["lon"] - lon, d["lat"] - lat) < 1e-7]


def _mode_graph(g: nx.MultiDiGraph, flag: str) -> nx.DiGraph:
    out = nx.DiGraph()
    for u, v, d in g.edges(data=True):
        if d[flag]:
            length = min(d["length"], out[u][v]["length"]) if out.has_edge(u, v) else d["length"]
            out.add_edge(u, v, length=length)
    return out


def _route_m(g: nx.MultiDiGraph, flag: str, a: Any, b: Any) -> float:
    sub = _mode_graph(g, flag)
    try:
        return float(nx.shortest_path_length(sub, a, b, weight="length"))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return math.inf


def test_locked_gate_is_never_passed(syn_net: Any) -> None:
    g = syn_net.graph
    gate = _nodes_at(g, *syn.NODES[19])
    assert len(gate) == 2  # one copy per side of Rue D
    assert not any(g.has_edge(a, b) for a in gate for b in gate)
    n7, n15 = _nodes_at(g, *syn.NODES[7])[0], _nodes_at(g, *syn.NODES[15])[0]
    # Rue D is the only way from n7 to n15: no route for anyone once its gate is shut
    assert _route_m(g, "foot_ok", n7, n15) == math.inf
    assert _route_m(g, "bike_ok", n7, n15) == math.inf
    # but each side of the gate is still reachable up to the gate
    assert all(_route_m(g, "foot_ok", n7, c) < math.inf or _route_m(g, "foot_ok", n15, c) < math.inf for c in gate)
    assert syn_net.meta["osm"]["barriers_blocking"] == 2


def test_stile_lets_walkers_through_not_bikes(syn_net: Any, syn_cn: Any) -> None:
    g = syn_net.graph
    stile = _nodes_at(g, *syn.NODES[20])
    assert len(stile) == 2
    passages = [d for a in stile for b in stile for d in g.get_edge_data(a, b, default={}).values()]
    assert len(passages) == 2 and all(
        d["foot_ok"] and not d["bike_ok"] and d["length"] == 0 and d["highway"] == "barrier"
        for d in passages
    )
    n5, n18 = _nodes_at(g, *syn.NODES[5])[0], _nodes_at(g, *syn.NODES[18])[0]
    assert _route_m(g, "foot_ok", n5, n18) == pytest.approx(200.0, rel=5e-3)
    assert _route_m(g, "bike_ok", n5, n18) == math.inf
    # the routing core agrees: the walking tree reaches n18, the cycling tree does not
    i5, i18 = syn_cn.node_index(n5), syn_cn.node_index(n18)
    walk = shortest_path_tree(syn_cn, i5, edge_costs(syn_cn, "walk"))
    bike = shortest_path_tree(syn_cn, i5, edge_costs(syn_cn, "bike"))
    assert walk.reachable(i18) and not bike.reachable(i18)


def test_pedestrian_area_is_crossed(syn_net: Any) -> None:
    g = syn_net.graph
    n41, n43 = _nodes_at(g, *syn.NODES[41])[0], _nodes_at(g, *syn.NODES[43])[0]
    n15, n45 = _nodes_at(g, *syn.NODES[15])[0], _nodes_at(g, *syn.NODES[45])[0]
    lengths = sorted(d["length"] for d in g.get_edge_data(n41, n43).values())
    # the diagonal across the square, and the two halves of its outline
    assert lengths == pytest.approx([100 * math.sqrt(2), 200.0, 200.0], rel=5e-3)
    expected = 100.0 + 100 * math.sqrt(2) + math.hypot(100, 50)
    assert _route_m(g, "foot_ok", n15, n45) == pytest.approx(expected, rel=5e-3)
    assert syn_net.meta["osm"]["pedestrian_areas"] == 1
    assert syn_net.meta["osm"]["area_crossings"] == 1


def test_primary_kept_with_a_penalty_trunk_left_out(syn_net: Any, syn_cn: Any) -> None:
    major = np.flatnonzero(syn_cn.edge_major)
    assert major.size == 2  # both directions of the primary road
    osmids = {int(o) for *_, o in syn_net.graph.edges(data="osmid")}
    assert 1017 in osmids and 1019 not in osmids
    times = {p: edge_times(syn_cn, p) for p in PROFILES}
    for name, prof in PROFILES.items():
        cost = edge_costs(syn_cn, name)
        expected = times[name][major] * prof.connector_factor * prof.major_factor
        assert cost[major] == pytest.approx(expected)
        assert prof.major_factor > 1.0


def test_bikes_are_pushed_on_footways_and_steps(syn_cn: Any) -> None:
    push = np.flatnonzero(syn_cn.edge_bike_push)
    assert push.size > 0 and syn_cn.edge_bike_ok[push].all()
    bike = edge_times(syn_cn, "bike")
    # flat network: pushing at PUSH_KMH exactly
    assert bike[push] == pytest.approx(syn_cn.edge_length[push] / (PUSH_KMH / 3.6))
    ride = np.flatnonzero(syn_cn.edge_bike_ok & ~syn_cn.edge_bike_push & (syn_cn.edge_length > 0))
    assert (syn_cn.edge_length[ride] / bike[ride]).min() > 2 * PUSH_KMH / 3.6


@pytest.mark.parametrize(
    ("tags", "country", "foot", "bike"),
    [
        ({"highway": "cycleway"}, None, False, "yes"),
        ({"highway": "cycleway"}, "FI", True, "yes"),
        ({"highway": "cycleway", "foot": "no"}, "FI", False, "yes"),
        ({"highway": "pedestrian"}, None, True, "push"),
        ({"highway": "pedestrian"}, "FR", True, "yes"),
        ({"highway": "footway", "bicycle": "no"}, None, True, "no"),
        ({"highway": "path", "bicycle": "dismount"}, None, True, "push"),
        ({"highway": "track", "access": "agricultural"}, None, False, "no"),
        ({"highway": "track", "access": "private", "foot": "yes"}, None, True, "push"),
        ({"highway": "primary"}, None, True, "yes"),
        ({"highway": "trunk"}, None, False, "no"),
        ({"highway": "trunk", "sidewalk": "right"}, None, True, "push"),
        ({"highway": "trunk", "cycleway:right": "track"}, None, False, "yes"),
        ({"highway": "primary", "motorroad": "yes"}, None, False, "no"),
        ({"highway": "steps"}, None, True, "push"),
        ({"highway": "bridleway"}, None, False, "no"),
        ({"highway": "residential", "access": "destination"}, None, True, "yes"),
    ],
)
def test_access_table(tags: dict[str, str], country: str | None, foot: bool, bike: str) -> None:
    assert access.foot_access(tags, country=country) is foot
    assert access.bike_access(tags, country=country) == bike


@pytest.mark.parametrize(
    ("tags", "blocks"),
    [
        ({"barrier": "gate", "access": "no"}, (True, True)),
        ({"barrier": "gate", "access": "private", "foot": "yes"}, (False, True)),
        ({"barrier": "gate"}, (False, False)),
        ({"barrier": "gate", "locked": "yes"}, (True, True)),
        ({"barrier": "lift_gate"}, (False, False)),
        ({"barrier": "bollard"}, (False, False)),
        ({"barrier": "kissing_gate"}, (False, True)),
        ({"barrier": "kissing_gate", "bicycle": "yes"}, (False, False)),
        ({"barrier": "stile"}, (False, True)),
        ({"barrier": "cycle_barrier"}, (False, False)),
        ({"barrier": "fence"}, (True, True)),
        ({"barrier": "entrance", "foot": "yes", "bicycle": "no"}, (False, True)),
    ],
)
def test_barrier_table(tags: dict[str, str], blocks: tuple[bool, bool]) -> None:
    assert access.barrier_blocks(tags) == blocks


def test_country_table_is_documented() -> None:
    """Every country override is named in the module doc (the README copies it)."""
    doc = access.__doc__ or ""
    for country, table in access.DEFAULTS.items():
        if country != "world":
            assert f"**{country}**" in doc
            assert set(table) <= access.NETWORK_HIGHWAYS


def test_country_of_an_area() -> None:
    """The country comes from the towns in (or nearest to) the area."""
    lon, lat = syn.lonlat(0, 0)
    assert access.country_of((lon, lat, lon + 0.01, lat + 0.01)) == "FR"  # Paris
    assert access.country_of((24.9, 60.1, 25.0, 60.2)) == "FI"
    assert access.country_of((1.40, 42.42, 1.79, 42.66)) == "AD"  # not France, not Spain
    assert access.country_of((-30.0, 40.0, -29.9, 40.1)) is None  # mid-Atlantic

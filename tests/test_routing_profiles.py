"""Speed models, per-edge times and costs on the mock network, against independent formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from parcs._errors import InvalidRequestError
from routing import PROFILES, CompiledNetwork, CostOptions, edge_costs, edge_times
from routing.profiles import bike_speed, tobler_kmh


def tobler_ms(grade: float, flat_kmh: float | None = None) -> float:
    """Tobler's function written out independently (m/s)."""
    kmh = 6.0 * math.exp(-3.5 * abs(grade + 0.05))
    if flat_kmh is not None:
        kmh *= flat_kmh / (6.0 * math.exp(-3.5 * 0.05))
    return kmh / 3.6


def bike_ms(grade: float, crr: float, cap_kmh: float = 35.0) -> float:
    """The power model solved with numpy.roots (independent of the Newton solver)."""
    theta = math.atan(grade)
    a = 0.5 * 1.2 * 0.4
    b = 85 * 9.81 * (crr * math.cos(theta) + math.sin(theta))
    roots = np.roots([a, 0.0, b, -150.0])
    v = max(r.real for r in roots if abs(r.imag) < 1e-9 and r.real > 0)
    return min(max(v, 4 / 3.6), cap_kmh / 3.6)


def edge(cn: CompiledNetwork, u: int, v: int, length: float | None = None) -> int:
    iu, iv = cn.node_index(u), cn.node_index(v)
    cand = np.flatnonzero((cn.edge_u == iu) & (cn.edge_v == iv))
    if length is not None:
        cand = cand[np.isclose(cn.edge_length[cand], length, atol=0.1)]
    assert cand.size == 1
    return int(cand[0])


def test_tobler_values() -> None:
    assert tobler_kmh(0.0) == pytest.approx(6 * math.exp(-0.175))
    assert tobler_kmh(-0.05) == pytest.approx(6.0)
    assert tobler_kmh(0.1) < tobler_kmh(-0.1) < tobler_kmh(-0.05)


@pytest.mark.parametrize("grade", [-0.3, -0.08, -0.02, 0.0, 0.02, 0.08, 0.15, 0.3])
@pytest.mark.parametrize("crr", [0.005, 0.008, 0.012])
def test_bike_speed_solves_the_cubic(grade: float, crr: float) -> None:
    v = float(bike_speed([grade], [crr])[0])
    theta = math.atan(grade)
    residual = 0.24 * v**3 + 85 * 9.81 * (crr * math.cos(theta) + math.sin(theta)) * v - 150
    assert abs(residual) < 1e-6 and v > 0


def test_bike_caps_and_floor() -> None:
    bike = PROFILES["bike"]
    v = bike.speed_ms([-0.1, -0.1, 0.3, 0.0], ["paved", "unpaved", "paved", "paved"]) * 3.6
    assert v[0] == pytest.approx(35.0) and v[1] == pytest.approx(25.0)
    assert v[2] == pytest.approx(4.0)  # walking the bike
    assert 27 < v[3] < 30


def test_walk_edge_times(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    t = edge_times(cn, "walk")
    assert t[edge(cn, 2, 3)] == pytest.approx(1000 / tobler_ms(0.0))
    hill = 500 / tobler_ms(0.08) + 500 / tobler_ms(-0.08)
    assert t[edge(cn, 4, 5)] == pytest.approx(hill)
    assert t[edge(cn, 5, 4)] == pytest.approx(hill)
    up = math.hypot(500, 300)
    assert t[edge(cn, 4, 12)] == pytest.approx(up / tobler_ms(10 / up))
    assert t[edge(cn, 12, 4)] == pytest.approx(up / tobler_ms(-10 / up))  # per direction
    assert not t.flags.writeable


def test_family_and_bike_edge_times(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    fam, bike = edge_times(cn, "family"), edge_times(cn, "bike")
    assert fam[edge(cn, 2, 3)] == pytest.approx(1000 / (3.5 / 3.6))
    assert bike[edge(cn, 3, 4, 500)] == pytest.approx(500 / bike_ms(0.0, 0.012, 25.0))
    assert bike[edge(cn, 3, 4, 509.9)] == pytest.approx(509.902 / bike_ms(0.0, 0.005), rel=1e-5)
    hill = 500 / bike_ms(0.08, 0.008) + 500 / bike_ms(-0.08, 0.008)
    assert bike[edge(cn, 4, 5)] == pytest.approx(hill)


def test_costs_factors(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    t = edge_times(cn, "walk")
    c = edge_costs(cn, CostOptions("walk"))
    assert c[edge(cn, 2, 3)] == pytest.approx(1.5 * t[edge(cn, 2, 3)])  # connector
    assert c[edge(cn, 1, 2)] == pytest.approx(1.2 * t[edge(cn, 1, 2)])  # planned
    assert c[edge(cn, 2, 6)] == pytest.approx(t[edge(cn, 2, 6)])  # greenway
    strong = edge_costs(cn, CostOptions("walk", prefer=2.0))
    assert strong[edge(cn, 2, 3)] == pytest.approx(2.0 * t[edge(cn, 2, 3)])
    assert np.allclose(edge_costs(cn, CostOptions("walk", prefer=0.0)), t)  # pure time
    fam = edge_costs(cn, CostOptions("family"))
    ft = edge_times(cn, "family")
    assert fam[edge(cn, 3, 4, 500)] == pytest.approx(3.0 * ft[edge(cn, 3, 4, 500)])  # unpaved
    assert fam[edge(cn, 3, 4, 509.9)] == pytest.approx(2.0 * ft[edge(cn, 3, 4, 509.9)])
    assert np.isinf(fam[edge(cn, 4, 5)]) and np.isinf(fam[edge(cn, 5, 4)])  # 8 % > 5 % both ways


def test_hard_options(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    c = edge_costs(cn, CostOptions("walk", max_grade=6, avoid=("connector", "planned")))
    assert np.isinf(c[edge(cn, 4, 5)]) and np.isinf(c[edge(cn, 5, 4)])  # 8 % both directions
    assert np.isfinite(c[edge(cn, 4, 12)])
    assert np.isinf(c[edge(cn, 2, 3)]) and np.isinf(c[edge(cn, 1, 2)])
    assert np.isinf(edge_costs(cn, CostOptions("bike", avoid=("unpaved",)))[edge(cn, 3, 4, 500)])
    assert edge_costs(cn, CostOptions("walk")) is edge_costs(cn, CostOptions("walk"))  # cached


@pytest.mark.parametrize(
    "kwargs",
    [{"profile": "car"}, {"max_grade": -1}, {"max_grade": 0}, {"prefer": float("nan")},
     {"prefer": -0.5}, {"avoid": ("motorway",)}],
)
def test_bad_options(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidRequestError):
        CostOptions(**kwargs)  # type: ignore[arg-type]


def test_osm_access_flags() -> None:
    """``bike_ok``/``foot_ok`` edge attributes (OSM builds) forbid edges to bike / foot profiles."""
    import geopandas as gpd
    import networkx as nx
    from shapely.geometry import box

    from parcs.artifact import Network
    from routing import compile_network

    graph = nx.MultiDiGraph(crs="EPSG:2154")
    for i in range(3):
        graph.add_node(i, x=700000.0 + 100 * i, y=7000000.0, elevation=0.0)
    graph.add_edge(0, 1, length=100.0, kind="path", bike_ok=False, foot_ok=True)
    graph.add_edge(1, 2, length=100.0, kind="path", bike_ok=True, foot_ok=False)
    graph.add_edge(2, 0, length=200.0, kind="path")  # open data: no flags, allowed to all
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:2154")
    cn = compile_network(Network(graph=graph, parks=empty, pois=empty, communes=empty, perimeter=box(0, 0, 1e7, 1e7)))
    assert cn.edge_bike_ok.tolist() == [False, True, True]
    assert cn.edge_foot_ok.tolist() == [True, False, True]
    for profile, allowed in (("bike", [False, True, True]), ("walk", [True, False, True]), ("family", [True, False, True])):
        assert np.isfinite(edge_costs(cn, CostOptions(profile))).tolist() == allowed

"""The contracted point-to-point search (:mod:`routing.contract`) against a Dijkstra on the whole
graph, on random graphs full of awkward cases: rings without junctions, dead ends, one-way and
forbidden edges, parallel edges, self-loops, several components, many sources and targets."""

from __future__ import annotations

import numpy as np
import pytest

from routing import contract
from routing.compiled import CompiledNetwork
from routing.contract import chain_topology, contracted_for, shortest_leg
from routing.search import _toy_network, path_edges, shortest_path_tree


def _random_graph(seed: int) -> tuple[CompiledNetwork, np.ndarray]:
    """A random network (costs read-only, some forbidden; no two paths cost the same)."""
    rng = np.random.default_rng(seed)
    n = 70
    edges: list[tuple[int, int, float]] = []
    for i in range(1, 50):  # a random tree on 0..49, long chains included
        j = int(rng.integers(max(0, i - 3), i))
        edges += [(i, j, float(rng.uniform(1, 10))), (j, i, float(rng.uniform(1, 10)))]
    for _ in range(12):  # shortcuts, some one-way, some parallel to existing edges
        a, b = (int(x) for x in rng.integers(0, 50, size=2))
        if a != b:
            edges.append((a, b, float(rng.uniform(1, 30))))
            if rng.random() < 0.5:
                edges.append((b, a, float(rng.uniform(1, 30))))
    edges += [(7, 7, 1.0), (20, 20, 2.0)]  # self-loops
    ring = list(range(50, 58))  # a ring of degree-2 nodes only, one direction partly missing
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        edges.append((a, b, float(rng.uniform(1, 5))))
        if a != 53:
            edges.append((b, a, float(rng.uniform(1, 5))))
    edges += [(58, 59, 3.0), (59, 58, 3.1), (60, 61, 1.2), (61, 62, 1.1), (62, 61, 1.3)]  # small parts
    edges.append((n - 1, 0, 2.0))  # node 69: a source-only dead end
    cn, length = _toy_network(edges)
    costs = np.array(length)
    costs[rng.random(costs.size) < 0.05] = np.inf  # forbidden edges
    costs.flags.writeable = False
    return cn, costs


def _reference(cn: CompiledNetwork, sources: tuple[int, ...], targets: tuple[int, ...], costs: np.ndarray) -> tuple[list[int], int] | None:
    tree = shortest_path_tree(cn, sources, costs)
    dist = tree.dist[list(targets)]
    j = int(np.argmin(dist))
    if not np.isfinite(dist[j]):
        return None
    return path_edges(cn, tree, targets[j]).tolist(), targets[j]


def _check(cn: CompiledNetwork, costs: np.ndarray, sources: tuple[int, ...], targets: tuple[int, ...]) -> None:
    ref = _reference(cn, sources, targets, costs)
    leg = shortest_leg(cn, sources, targets, costs)
    if ref is None:
        assert leg is None, (sources, targets)
        return
    assert leg is not None, (sources, targets)
    assert leg.edges.tolist() == ref[0] and leg.target == ref[1], (sources, targets)
    assert leg.cost == pytest.approx(float(costs[leg.edges].sum()), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_pair_matches_a_full_dijkstra(seed: int) -> None:
    cn, costs = _random_graph(seed)
    for s in range(cn.n_nodes):
        for t in range(cn.n_nodes):
            _check(cn, costs, (s,), (t,))


@pytest.mark.parametrize("seed", [4, 5])
def test_many_sources_and_targets(seed: int) -> None:
    cn, costs = _random_graph(seed)
    rng = np.random.default_rng(seed)
    for size in (2, 3, 20, 40):  # 20 and 40 sources link more junctions than the reserved slots
        for _ in range(15):
            sources = tuple(int(x) for x in rng.choice(cn.n_nodes, size=size, replace=False))
            targets = tuple(int(x) for x in rng.choice(cn.n_nodes, size=max(1, size // 2), replace=False))
            _check(cn, costs, sources, targets)


def test_without_certificates_the_bounded_search_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract, "CERTIFY_RTOL", -1.0)  # never trust the bounds: always search
    monkeypatch.setattr(contract, "HUBS", 3)
    cn, costs = _random_graph(6)
    for s in range(0, cn.n_nodes, 3):
        for t in range(cn.n_nodes):
            _check(cn, costs, (s,), (t,))


def test_topology_covers_every_node_once() -> None:
    cn, costs = _random_graph(7)
    topo = chain_topology(cn)
    interior = np.flatnonzero(topo.junction < 0)
    assert np.array_equal(np.sort(topo.nodes[topo.pos[interior]]), interior)
    assert topo.n_junctions + interior.size == cn.n_nodes
    ring = [int(topo.junction[v]) for v in range(50, 58)]
    assert sum(j >= 0 for j in ring) == 1  # the ring got one junction
    assert contracted_for(cn, costs) is contracted_for(cn, costs)
    writable = np.array(costs)
    assert contracted_for(cn, writable) is not contracted_for(cn, writable)


def test_bad_indices() -> None:
    cn, costs = _random_graph(8)
    with pytest.raises(IndexError):
        shortest_leg(cn, (), (1,), costs)
    with pytest.raises(IndexError):
        shortest_leg(cn, (0,), (cn.n_nodes,), costs)
    with pytest.raises(IndexError):
        shortest_leg(cn, (-1,), (1,), costs)


def test_both_ways_of_answering_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most pairs are certified by the hub bounds; the others are searched."""
    cn, costs = _random_graph(9)
    monkeypatch.setattr(contract, "HUBS", 4)
    searched = []
    original = contract._searched_leg

    def spy(*args: object, **kwargs: object) -> object:
        searched.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(contract, "_searched_leg", spy)
    pairs = [(s, t) for s in range(0, cn.n_nodes, 2) for t in range(cn.n_nodes)]
    for s, t in pairs:
        _check(cn, costs, (s,), (t,))
    assert 0 < len(searched) < len(pairs)

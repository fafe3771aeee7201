"""Compilation of the mock network into arrays; save/load round trip; build-folder handling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import MOCK_NODES, MOCK_WAYS, make_mock_network

from parcs._errors import BuildError
from parcs.artifact import save_network
from routing import CompiledNetwork, compile_network, load_compiled, save_compiled
from routing.search import csr_for, path_edges, shortest_path_tree


def test_arrays_shapes_and_read_only(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    assert cn.n_nodes == len(MOCK_NODES)
    assert cn.n_edges == 2 * len(MOCK_WAYS)
    assert cn.geom_offsets.size == cn.n_edges + 1 and cn.prof_offsets.size == cn.n_edges + 1
    for name in ("node_x", "edge_u", "edge_length", "geom_x", "prof_z", "pair_edge"):
        arr = getattr(cn, name)
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = 0
    assert cn.node_id.tolist() == list(MOCK_NODES)


def test_edge_attributes(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    i4, i5 = cn.node_index(4), cn.node_index(5)
    hill = np.flatnonzero((cn.edge_u == i4) & (cn.edge_v == i5))
    assert hill.size == 1
    e = int(hill[0])
    assert cn.kinds[cn.edge_kind[e]] == "cavalier"
    assert cn.names[cn.edge_name[e]] == "Cavalier du 11/19"
    assert cn.edge_climb[e] == pytest.approx(40.0) and cn.edge_descent[e] == pytest.approx(40.0)
    assert cn.edge_grade_up[e] == pytest.approx(0.08)
    assert cn.edge_up_len[e] == pytest.approx(500.0) and cn.edge_down_len[e] == pytest.approx(500.0)
    # the reverse direction shares the way id and has the reversed geometry
    rev = int(np.flatnonzero((cn.edge_u == i5) & (cn.edge_v == i4))[0])
    assert cn.edge_way[rev] == cn.edge_way[e]
    assert cn.geom_x[cn.edge_slice(rev)].tolist() == cn.geom_x[cn.edge_slice(e)][::-1].tolist()
    # profile: 41 samples 25 m apart, peak in the middle; geometry vertices get z from it
    prof = cn.prof_z[cn.prof_offsets[e] : cn.prof_offsets[e + 1]]
    assert prof.size == 41 and prof.max() == pytest.approx(70.0)
    assert cn.geom_z[cn.edge_slice(e)].tolist() == pytest.approx([30.0, 30.0])


def test_lonlat_and_components(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    assert 2.7 < cn.node_lon.min() < cn.node_lon.max() < 2.9
    assert 50.3 < cn.node_lat.min() < cn.node_lat.max() < 50.5
    main = cn.main_component
    assert cn.node_comp[cn.node_index(20)] != main  # isolated node
    assert cn.node_comp[cn.node_index(21)] != main  # disconnected part
    assert cn.node_comp[cn.node_index(14)] == main


def test_tables(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    est = cn.parks[cn.park_index["parc-est"]]
    assert est.access_node == cn.node_index(5)
    assert est.access_nodes == (cn.node_index(5), cn.node_index(14))
    assert est.communes == ("Lens", "Liévin") and est.activities == ("randonnée", "vélo")
    assert est.geometry["type"] == "Polygon"
    poi = cn.pois[cn.poi_index["terril:T001"]]
    assert poi.node == cn.node_index(3) and poi.category == "terril"
    noeux = next(c for c in cn.communes if c.nom == "Nœux-les-Mines")
    assert noeux.node == cn.node_index(13)
    # the edges of W5 lie in parc-centre, the hill edge in none
    w5 = np.flatnonzero(cn.edge_park == cn.park_index["parc-centre"])
    assert {cn.edge_u[e] for e in w5} <= {cn.node_index(3), cn.node_index(4)}


def test_parallel_edges_keep_cheapest_in_csr(mock_compiled: CompiledNetwork) -> None:
    cn = mock_compiled
    i3, i4 = cn.node_index(3), cn.node_index(4)
    par = np.flatnonzero((cn.edge_u == i3) & (cn.edge_v == i4))
    assert par.size == 2
    costs = np.ones(cn.n_edges)
    costs[par[0]], costs[par[1]] = 7.0, 5.0
    csr = csr_for(cn, costs)
    assert csr.entry_edges([i3], [i4]).tolist() == [par[1]]
    tree = shortest_path_tree(cn, i3, costs)
    assert tree.dist[i4] == 5.0  # not 12: csgraph must not sum the duplicates
    assert path_edges(cn, tree, i4).tolist() == [par[1]]
    costs[par[1]] = np.inf
    assert shortest_path_tree(cn, i3, costs).dist[i4] == 7.0


def test_save_load_round_trip(mock_compiled: CompiledNetwork, tmp_path: Path) -> None:
    save_compiled(mock_compiled, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"compiled.npz", "compiled.json"}
    cn = load_compiled(tmp_path)
    for name in ("edge_u", "geom_lon", "prof_z", "edge_park", "pair_start", "node_id"):
        assert np.array_equal(getattr(cn, name), getattr(mock_compiled, name))
        assert not getattr(cn, name).flags.writeable
    assert cn.parks == mock_compiled.parks and cn.pois == mock_compiled.pois
    assert cn.communes == mock_compiled.communes and cn.names == mock_compiled.names
    assert cn.perimeter.equals(mock_compiled.perimeter)
    assert cn.meta == mock_compiled.meta and cn.hysteresis == 3.0


def test_load_compiles_a_build_without_arrays(tmp_path: Path) -> None:
    net = make_mock_network()
    save_network(net, tmp_path / "b")
    cn = load_compiled(tmp_path / "b")
    assert cn.n_edges == 2 * len(MOCK_WAYS)
    assert (tmp_path / "b" / "compiled.npz").is_file()  # written back
    # a newer build (other built_at) makes the arrays stale: recompiled
    meta = json.loads((tmp_path / "b" / "meta.json").read_text())
    meta["built_at"] = "2030-01-01T00:00:00+0000"
    (tmp_path / "b" / "meta.json").write_text(json.dumps(meta))
    assert load_compiled(tmp_path / "b").meta["built_at"] == "2030-01-01T00:00:00+0000"


def test_save_network_extra_hook_writes_arrays(tmp_path: Path) -> None:
    net = make_mock_network()
    save_network(net, tmp_path / "b", extra=lambda tmp: save_compiled(compile_network(net), tmp))
    assert (tmp_path / "b" / "compiled.npz").is_file()


def test_missing_build_is_a_build_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="parcs build"):
        load_compiled(tmp_path / "nothing")

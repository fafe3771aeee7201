"""Loops on regional networks: plan on the neighbourhood of the start, not the whole region.

The loop engine works on whole-network arrays (trees, forests, overlap floors), many times per
request: on a network of a million edges a 10 km loop would cost a minute. A loop of length
``L`` never leaves the nodes ``v`` with ``d(start, v) + d(v, start) <= L`` (``d`` the loop's
measure along the ways the profile may use), so on a large network (at least
:data:`CROP_MIN_EDGES` directed edges) :func:`loop_neighbourhood` keeps those nodes, nearest
first (by ``d(start, v) + d(v, start)``), until the ways among them add up to
:data:`CROP_WAYS_PER_LOOP` times the target (a dense street network offers plenty of loops close
by; a sparse one keeps growing up to the bound). :func:`subnetwork` makes a
:class:`~routing.compiled.CompiledNetwork` of them; the loops found there are mapped back to the
whole network's edge numbers (:func:`lift_loop`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from routing.compiled import CompiledNetwork, _components, _pair_structure
from routing.places import Place
from routing.search import csr_for

__all__ = ["CROP_MIN_EDGES", "CROP_WAYS_PER_LOOP", "lift_loop", "loop_neighbourhood", "subnetwork"]

#: Networks with fewer directed edges are searched whole (the Artois, a city extract).
CROP_MIN_EDGES = 50_000
#: Length of ways kept around the start, in multiples of the target length (both directions
#: of a way counted once).
CROP_WAYS_PER_LOOP = 8.0

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def loop_neighbourhood(
    cn: CompiledNetwork, *, start: int, cost: FloatArray, measure: FloatArray, limit: float, ways: float
) -> npt.NDArray[np.bool_]:
    """Nodes kept around ``start`` (see the module doc): ``d_out + d_in <= limit``, nearest
    first, until the ways among them measure ``ways`` (in ``measure`` units)."""
    def make() -> tuple[FloatArray, FloatArray, Any]:
        w = np.where(np.isfinite(cost), measure, np.inf)
        w.flags.writeable = False
        return cost, measure, (w, csr_for(cn, w))

    hit = cn.cached(("loop_crop", id(cost), id(measure)), make)
    w, csr = hit[2] if hit[0] is cost and hit[1] is measure else make()[2]
    out = dijkstra(csr.matrix, directed=True, indices=start, limit=limit)
    back = dijkstra(csr.r_matrix, directed=True, indices=start, limit=limit)
    key = out + back
    ok = np.isfinite(w) & (key[cn.edge_u] <= limit) & (key[cn.edge_v] <= limit)
    edges = np.flatnonzero(ok)
    edge_key = np.maximum(key[cn.edge_u[edges]], key[cn.edge_v[edges]])
    order = np.argsort(edge_key, kind="stable")
    total = np.cumsum(measure[edges[order]]) / 2.0
    enough = int(np.searchsorted(total, ways))
    tau = float(edge_key[order[enough]]) if enough < order.size else limit
    keep = key <= tau
    keep[start] = True
    return keep


def _ragged(offsets: IntArray, edges: IntArray) -> tuple[IntArray, IntArray]:
    """New offsets and the positions to gather for the runs of ``edges``."""
    counts = offsets[edges + 1] - offsets[edges]
    new = np.zeros(edges.size + 1, dtype=np.int64)
    np.cumsum(counts, out=new[1:])
    at = np.repeat(offsets[edges] - new[:-1], counts) + np.arange(int(new[-1]))
    return new, at


def _tables(cn: CompiledNetwork, remap: IntArray) -> dict[str, Any]:
    def node(n: int) -> int:
        return int(remap[n]) if n >= 0 else -1

    parks = tuple(
        dataclasses.replace(
            p, access_nodes=tuple(node(n) for n in p.access_nodes if node(n) >= 0),
            access_node=node(p.access_node),
        )
        for p in cn.parks
    )
    pois = tuple(dataclasses.replace(p, node=node(p.node)) for p in cn.pois)
    communes = tuple(dataclasses.replace(c, node=node(c.node)) for c in cn.communes)
    return {"parks": parks, "pois": pois, "communes": communes}


def subnetwork(cn: CompiledNetwork, keep: npt.NDArray[np.bool_]) -> tuple[CompiledNetwork, IntArray, IntArray]:
    """The network of the ``keep`` nodes and the edges between them; returns it, its nodes and
    its edges (indices in ``cn``)."""
    nodes = np.flatnonzero(keep)
    remap = np.full(cn.n_nodes, -1, dtype=np.int64)
    remap[nodes] = np.arange(nodes.size)
    edges = np.flatnonzero(keep[cn.edge_u] & keep[cn.edge_v])
    arrays: dict[str, Any] = {}
    for f in dataclasses.fields(CompiledNetwork):
        value = getattr(cn, f.name)
        if f.name.startswith("node_"):
            arrays[f.name] = value[nodes]
        elif f.name.startswith("edge_"):
            arrays[f.name] = value[edges]
        elif f.name in {"kinds", "surfaces", "statuses", "names", "sources", "refs", "perimeter"}:
            arrays[f.name] = value
    arrays["edge_u"] = remap[cn.edge_u[edges]].astype(np.int32)
    arrays["edge_v"] = remap[cn.edge_v[edges]].astype(np.int32)
    arrays["geom_offsets"], at = _ragged(cn.geom_offsets, edges)
    for name in ("geom_x", "geom_y", "geom_d", "geom_z", "geom_lon", "geom_lat"):
        arrays[name] = getattr(cn, name)[at]
    arrays["prof_offsets"], at = _ragged(cn.prof_offsets, edges)
    arrays["prof_d"], arrays["prof_z"] = cn.prof_d[at], cn.prof_z[at]
    arrays["pair_edge"], arrays["pair_start"] = _pair_structure(arrays["edge_u"], arrays["edge_v"])
    arrays["node_comp"], main = _components(nodes.size, arrays["edge_u"], arrays["edge_v"])
    info = {**cn.info, "main_component": main}
    sub = CompiledNetwork(meta=cn.meta, info=info, **arrays, **_tables(cn, remap))
    return sub, nodes, edges


def sub_place(place: Place, remap: IntArray) -> Place:
    """``place`` with its nodes numbered in the subnetwork (``remap``: parent -> sub, -1)."""
    cands = tuple(int(remap[n]) for n in place.candidates if remap[n] >= 0)
    return dataclasses.replace(place, node=int(remap[place.node]), candidates=cands or (int(remap[place.node]),))


def lift_loop(loop: Any, edges: IntArray) -> Any:
    """A loop of a subnetwork with its itinerary's edges numbered in the whole network."""
    it = loop.itinerary
    lifted = dataclasses.replace(
        it,
        edge_ids=tuple(int(e) for e in edges[list(it.edge_ids)]),
        directions=tuple(s._replace(edges=tuple(int(e) for e in edges[list(s.edges)])) for s in it.directions),
    )
    return dataclasses.replace(loop, itinerary=lifted)

"""Barrier nodes (gates, stiles, fences...) that walkers or cyclists may not pass.

A node tagged ``barrier=*`` that blocks a mode (:func:`parcs.osm.access.barrier_blocks`: a locked
or ``access=no`` gate, a stile for bicycles...) is *split*, on the raw classified graph before
simplification: each way arriving at the node keeps its own copy of it (same coordinates), so a
route may reach the barrier from either side but never go through. When some mode may still pass
(a stile: walkers yes, cyclists no), every copy is joined to the original node by a zero-length
*passage* edge pair (``highway=barrier``, ``osmid`` the node's id negated, kind ``path``)
carrying that mode's flag only (``foot_ok``/``bike_ok``). The routing core
needs nothing else: the edge flags it already honours say who may cross.

Example: Helsinki's gate 581077544 (``access=no``, "There is no public entrance from this gate")
stood on a footway; a walk between its two sides went 7 m through it, and now goes round (about
360 m, as mature routers do).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from parcs.osm.access import NODE_TAGS, barrier_blocks

#: A copy of barrier node ``n`` is numbered ``-(n * COPY_STRIDE + rank)``: the same in every build
#: of the same data (online or from a file), whatever the order of the graph.
COPY_STRIDE = 64


def _sides(G: nx.MultiDiGraph, node: Any) -> list[Any]:  # noqa: N803
    """The distinct neighbours of ``node`` (either direction), sorted."""
    nbs = {nb for nb in (*G.successors(node), *G.predecessors(node)) if nb != node}
    return sorted(nbs, key=lambda n: (str(type(n)), n))


def _passage(template: dict[str, Any], *, foot: bool, bike: bool, osmid: Any) -> dict[str, Any]:
    out = {k: v for k, v in template.items() if not k.startswith("_")}
    out.update(
        osmid=osmid, highway="barrier", kind="path", name="", surface="unknown", status="built",
        source="osm", route_refs="", oneway=False, reversed=False, length=0.0, foot_ok=foot,
        bike_ok=bike, bike_push=False, major=False, _acc=f"barrier{int(foot)}{int(bike)}",
        _area=False, _against=False,
    )
    return out


def _move_side(G: nx.MultiDiGraph, node: Any, nb: Any, copy: Any) -> dict[str, Any] | None:  # noqa: N803
    """Re-attach the edges between ``node`` and ``nb`` to ``copy``; return one edge's data."""
    template = None
    for a, b in ((node, nb), (nb, node)):
        for _, d in list(G.get_edge_data(a, b, default={}).items()):
            G.add_edge(copy if a == node else a, copy if b == node else b, **d)
            template = d
        while G.has_edge(a, b):
            G.remove_edge(a, b)
    return template


def split_barriers(G: nx.MultiDiGraph) -> dict[str, int]:  # noqa: N803
    """Split the barrier nodes that block walkers or cyclists (in place; see the module doc).

    Expects the classified raw graph (edges with ``foot_ok``/``bike_ok``), nodes carrying their
    :data:`parcs.osm.access.NODE_TAGS`. Barrier tags are removed from the nodes afterwards.

    Returns
    -------
    dict
        ``barriers_blocking`` (nodes split) and ``barrier_passages`` (passage edge pairs added).
    """
    split = passages = 0
    for node, tags in list(G.nodes(data=True)):
        no_foot, no_bike = barrier_blocks(tags)
        for key in NODE_TAGS:
            tags.pop(key, None)
        sides = _sides(G, node) if (no_foot or no_bike) else []
        if len(sides) < 2:
            continue
        split += 1
        x, y = tags["x"], tags["y"]
        for rank, nb in enumerate(sides[1 : COPY_STRIDE], start=1):
            copy = -(int(node) * COPY_STRIDE + rank)
            G.add_node(copy, x=x, y=y)
            template = _move_side(G, node, nb, copy)
            if template is None or (no_foot and no_bike):
                continue
            data = _passage(template, foot=not no_foot, bike=not no_bike, osmid=-abs(int(node)))
            G.add_edge(copy, node, **data)
            G.add_edge(node, copy, **data)
            passages += 1
    return {"barriers_blocking": split, "barrier_passages": passages}

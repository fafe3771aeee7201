"""Legs between stops that may lie inside an edge: the searches' side of :mod:`routing.snap`.

A *stop* is either a tuple of node indices (a node place; a park unit's access nodes) or an
:class:`~routing.snap.Anchor`, a point inside an edge. A search leaves an anchor through the two
ends of its edge — towards ``v`` along the edge, towards ``u`` along its twin — at that share of
the edge's cost, and reaches it the same way (:func:`exits`, :func:`entries`); those *terminals*
are the sources and targets of an ordinary search, with their costs as offsets
(:func:`routing.contract.shortest_leg`, or one Dijkstra per offset on any other cost vector).
Two anchors on one edge are also joined directly along it, in whichever direction is allowed.

A leg is a :class:`LegPath`: consecutive edges, the first entered ``start`` metres along it and
the last left ``end`` metres along it (0 and -1, the whole edges, between node stops).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Union

import numpy as np
import numpy.typing as npt

from parcs._errors import ConstraintError, NoRouteError
from routing.compiled import CompiledNetwork
from routing.constrained import constrained_path, min_climb
from routing.contract import cacheable, shortest_leg
from routing.deadline import NEVER, Deadline
from routing.fmt import fr_number
from routing.search import path_edges, shortest_path_tree
from routing.snap import Anchor

__all__ = [
    "LegPath", "Stop", "Terminal", "constrained_legs", "entries", "exits", "find_leg", "leg_measure",
    "legs_edges", "stop_cost", "stop_distances",
]

#: A stop of a route: node indices (any of them will do) or a point inside an edge.
Stop = Union[tuple[int, ...], Anchor]  # noqa: UP007 - runtime alias
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Terminal(NamedTuple):
    """How a search leaves (or reaches) a stop: at ``node``, for ``cost``, along ``edge`` from
    (or up to) ``offset`` metres along it; ``edge`` -1 for a node stop."""

    node: int
    cost: float
    edge: int
    offset: float


def exits(cn: CompiledNetwork, stop: Stop, costs: FloatArray) -> list[Terminal]:
    """The terminals a path leaving ``stop`` starts from (forbidden directions left out)."""
    if not isinstance(stop, Anchor):
        return [Terminal(int(n), 0.0, -1, 0.0) for n in stop]
    out = []
    f = stop.fraction
    if np.isfinite(costs[stop.edge]):
        out.append(Terminal(int(cn.edge_v[stop.edge]), (1.0 - f) * float(costs[stop.edge]), stop.edge, stop.d))
    if stop.twin >= 0 and np.isfinite(costs[stop.twin]):
        out.append(Terminal(int(cn.edge_v[stop.twin]), f * float(costs[stop.twin]), stop.twin, stop.length - stop.d))
    return out


def entries(cn: CompiledNetwork, stop: Stop, costs: FloatArray) -> list[Terminal]:
    """The terminals a path reaching ``stop`` ends at (forbidden directions left out)."""
    if not isinstance(stop, Anchor):
        return [Terminal(int(n), 0.0, -1, 0.0) for n in stop]
    out = []
    f = stop.fraction
    if np.isfinite(costs[stop.edge]):
        out.append(Terminal(int(cn.edge_u[stop.edge]), f * float(costs[stop.edge]), stop.edge, stop.d))
    if stop.twin >= 0 and np.isfinite(costs[stop.twin]):
        out.append(Terminal(int(cn.edge_u[stop.twin]), (1.0 - f) * float(costs[stop.twin]), stop.twin, stop.length - stop.d))
    return out


@dataclass(frozen=True)
class LegPath:
    """A leg: consecutive edges, entered ``start`` metres along the first and left ``end`` metres
    along the last (-1: at its end), and its cost (``edges`` empty: the leg stays at one node)."""

    edges: npt.NDArray[np.int64]
    start: float
    end: float
    cost: float

    @property
    def whole(self) -> bool:
        """Whether the leg runs from node to node (no edge cut)."""
        return self.edges.size == 0 or (self.start == 0.0 and self.end < 0)


def _node_leg(edges: npt.ArrayLike, cost: float) -> LegPath:
    return LegPath(np.asarray(edges, dtype=np.int64), 0.0, -1.0, cost)


def leg_measure(cn: CompiledNetwork, leg: LegPath, values: FloatArray) -> float:
    """Sum of a per-edge quantity (length, time, cost...) over a leg, cut edges pro rata."""
    if leg.edges.size == 0:
        return 0.0
    total = float(values[leg.edges].sum())
    first, last = int(leg.edges[0]), int(leg.edges[-1])
    length = cn.edge_length
    if leg.start > 0 and length[first] > 0:
        total -= float(values[first]) * leg.start / float(length[first])
    if leg.end >= 0 and length[last] > 0:
        total -= float(values[last]) * (1.0 - leg.end / float(length[last]))
    return total


def _direct(cn: CompiledNetwork, source: Stop, target: Stop, costs: FloatArray) -> LegPath | None:
    """Along the edge holding both anchors, when they share one and that direction is allowed."""
    if not (isinstance(source, Anchor) and isinstance(target, Anchor)) or source.edge != target.edge:
        return None
    if target.d >= source.d:
        e, a, b = source.edge, source.d, target.d
    elif source.twin >= 0:
        e, a, b = source.twin, source.length - source.d, source.length - target.d
    else:
        return None
    length = float(cn.edge_length[e])
    cost = float(costs[e]) * (b - a) / length if length > 0 else 0.0
    return LegPath(np.array([e], dtype=np.int64), a, b, cost) if np.isfinite(cost) else None


def _middle(cn: CompiledNetwork, outs: list[Terminal], ins: list[Terminal], costs: FloatArray) -> tuple[float, IntArray, Terminal, Terminal] | None:
    """Cheapest path between the terminals: its total cost, its node-to-node edges and the two
    terminals used."""
    src, dst = [t.node for t in outs], [t.node for t in ins]
    if cacheable(costs):
        leg = shortest_leg(cn, src, dst, costs, source_costs=[t.cost for t in outs], target_costs=[t.cost for t in ins])
        if leg is None:
            return None
        edges = np.asarray(leg.edges, dtype=np.int64)
        total = leg.cost
    else:
        best: tuple[float, IntArray, int] = (np.inf, np.zeros(0, dtype=np.int64), -1)
        for offset in sorted({t.cost for t in outs}):
            tree = shortest_path_tree(cn, [t.node for t in outs if t.cost == offset], costs)
            for t in ins:
                c = offset + float(tree.dist[t.node]) + t.cost
                if c < best[0]:
                    best = (c, path_edges(cn, tree, t.node).astype(np.int64), t.node)
        if not np.isfinite(best[0]):
            return None
        total, edges = best[0], best[1]
        leg_target = best[2]
        start_node = int(cn.edge_u[edges[0]]) if edges.size else leg_target
        return total, edges, _pick(outs, start_node), _pick(ins, leg_target)
    start_node = int(cn.edge_u[edges[0]]) if edges.size else leg.target
    return total, edges, _pick(outs, start_node), _pick(ins, leg.target)


def _pick(terminals: list[Terminal], node: int) -> Terminal:
    return min((t for t in terminals if t.node == node), key=lambda t: t.cost)


def find_leg(cn: CompiledNetwork, source: Stop, target: Stop, costs: FloatArray) -> LegPath | None:
    """The cheapest leg from ``source`` to ``target`` (``None``: unreachable).

    Node stops give node-to-node legs exactly as :func:`routing.contract.shortest_leg` (or one
    Dijkstra) finds them; anchors add the cut edges at the ends.
    """
    outs = [t for t in exits(cn, source, costs) if np.isfinite(t.cost)]
    ins = [t for t in entries(cn, target, costs) if np.isfinite(t.cost)]
    direct = _direct(cn, source, target, costs)
    found = _middle(cn, outs, ins, costs) if outs and ins else None
    if found is None or (direct is not None and direct.cost <= found[0]):
        return direct
    total, middle, out, into = found
    if out.edge < 0 and into.edge < 0:
        return _node_leg(middle, total)
    head = [out.edge] if out.edge >= 0 else []
    tail = [into.edge] if into.edge >= 0 else []
    edges = np.asarray(head + middle.tolist() + tail, dtype=np.int64)
    end = into.offset if into.edge >= 0 else -1.0
    return LegPath(edges, out.offset if out.edge >= 0 else 0.0, end, total)


def stop_distances(cn: CompiledNetwork, stop: Stop, costs: FloatArray, *, reverse: bool = False) -> FloatArray:
    """Cost from ``stop`` to every node (``reverse``: from every node to ``stop``)."""
    terminals = entries(cn, stop, costs) if reverse else exits(cn, stop, costs)
    out = np.full(cn.n_nodes, np.inf)
    for offset in sorted({t.cost for t in terminals if np.isfinite(t.cost)}):
        tree = shortest_path_tree(cn, [t.node for t in terminals if t.cost == offset], costs, reverse=reverse)
        np.minimum(out, tree.dist + offset, out=out)
    return out


def stop_cost(cn: CompiledNetwork, dist: FloatArray, stop: Stop, costs: FloatArray) -> float:
    """Least cost of reaching ``stop`` given the costs ``dist`` of reaching every node."""
    ins = entries(cn, stop, costs)
    return min((float(dist[t.node]) + t.cost for t in ins), default=float("inf"))


def legs_edges(legs: Sequence[LegPath]) -> IntArray:
    """Every edge of consecutive legs (cut ones included), in travel order."""
    if not legs:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([leg.edges for leg in legs]).astype(np.int64)


#: Most combinations of terminals tried under a climb budget (beyond, via anchors are visited
#: from their nearer end only).
MAX_COMBINATIONS = 16


def _options(cn: CompiledNetwork, stops: Sequence[Stop], costs: FloatArray, *, near_only: bool) -> list[list[tuple[Terminal | None, Terminal | None]]]:
    """Per stop, the (entry, exit) terminal pairs tried under a climb budget: ``(None, None)``
    for a node stop; the first anchor leaves by one of its exits, the last is reached by one of
    its entries, a via anchor is passed along its edge or reached and left at the same end (out
    and back)."""
    out: list[list[tuple[Terminal | None, Terminal | None]]] = []
    last = len(stops) - 1
    for i, stop in enumerate(stops):
        if not isinstance(stop, Anchor):
            out.append([(None, None)])
            continue
        ins = [t for t in entries(cn, stop, costs) if np.isfinite(t.cost)] if i > 0 else [None]
        outs = [t for t in exits(cn, stop, costs) if np.isfinite(t.cost)] if i < last else [None]
        pairs = [(a, b) for a in ins for b in outs if a is None or b is None or a.node == b.node or a.edge == b.edge]
        if near_only and 0 < i < last and pairs:
            pairs = [min(pairs, key=lambda p: (p[0].cost if p[0] else 0.0) + (p[1].cost if p[1] else 0.0))]
        out.append(pairs)
    return out


def _piece_climb(cn: CompiledNetwork, t: Terminal | None, *, leaving: bool) -> float:
    """Climb (pro rata) of the partial edge of a terminal."""
    if t is None or t.edge < 0:
        return 0.0
    length = float(cn.edge_length[t.edge])
    share = ((length - t.offset) if leaving else t.offset) / length if length > 0 else 0.0
    return float(cn.edge_climb[t.edge]) * share


def _with_pieces(cn: CompiledNetwork, legs: Sequence[npt.NDArray[np.int32]], combo: Sequence[tuple[Terminal | None, Terminal | None]], costs: FloatArray) -> list[LegPath]:
    out = []
    for i, middle in enumerate(legs):
        head, tail = combo[i][1], combo[i + 1][0]
        edges = np.asarray(([head.edge] if head else []) + np.asarray(middle).tolist() + ([tail.edge] if tail else []), dtype=np.int64)
        leg = LegPath(edges, head.offset if head else 0.0, tail.offset if tail else -1.0, 0.0)
        out.append(LegPath(leg.edges, leg.start, leg.end, leg_measure(cn, leg, costs)))
    return out


def _expand(stops: Sequence[Stop], combo: Sequence[tuple[Terminal | None, Terminal | None]]) -> tuple[list[tuple[int, ...]], list[tuple[int, int]], list[tuple[Terminal | None, bool]]]:
    """The node stops of a combination, the legs that must be one given edge (a via anchor
    passed along its edge: its two ends in turn), and the terminals whose partial edges are
    added (with whether they leave the anchor)."""
    nodes: list[tuple[int, ...]] = []
    passes: list[tuple[int, int]] = []
    fixed: list[tuple[Terminal | None, bool]] = []
    for s, (a, b) in zip(stops, combo, strict=True):
        if not isinstance(s, Anchor):
            nodes.append(tuple(s))
        elif a is not None and b is not None and a.edge == b.edge and a.node != b.node:
            passes.append((len(nodes), a.edge))
            nodes += [(a.node,), (b.node,)]
        else:
            term = b if b is not None else a
            nodes.append((term.node,) if term is not None else ())
            fixed += [(a, False), (b, True)]
    return nodes, passes, fixed


def constrained_legs(
    cn: CompiledNetwork, stops: Sequence[Stop], costs: FloatArray, *, limit: float, deadline: Deadline = NEVER
) -> list[LegPath]:
    """The cheapest legs through ``stops`` climbing at most ``limit`` metres (the sum of the
    edges' climbs, cut edges pro rata): :func:`routing.constrained.constrained_path` over every
    combination of the anchors' terminals (:func:`_options`), their partial edges added. A via
    anchor passed along its edge is searched as its two ends in turn, the combination kept only
    when the leg between them is that edge.

    Raises
    ------
    NoRouteError, ConstraintError
        As :func:`routing.constrained.constrained_path`.
    """
    options = _options(cn, stops, costs, near_only=False)
    if math.prod(len(o) for o in options) > MAX_COMBINATIONS:
        options = _options(cn, stops, costs, near_only=True)
    best: tuple[float, list[LegPath]] | None = None
    direct = _direct(cn, stops[0], stops[-1], costs) if len(stops) == 2 else None
    if direct is not None and leg_measure(cn, direct, cn.edge_climb) <= limit + 1e-6:
        best = (direct.cost, [direct])
    least, reachable = np.inf, direct is not None
    for combo in itertools.product(*options):
        nodes, passes, fixed = _expand(stops, combo)
        f_cost = sum(t.cost for t, _ in fixed if t is not None)
        f_climb = sum(_piece_climb(cn, t, leaving=leaving) for t, leaving in fixed)
        try:
            res = constrained_path(cn, nodes, costs, limit=limit - f_climb, deadline=deadline)
        except ConstraintError:
            reachable = True
            least = min(least, f_climb + min_climb(cn, nodes, costs))
            continue
        except NoRouteError:
            continue
        reachable = True
        legs = list(res.legs)
        if any(np.asarray(legs[k]).tolist() != [e] for k, e in passes):
            continue
        for k, _ in reversed(passes):
            del legs[k]
        if best is None or res.cost + f_cost < best[0]:
            best = (res.cost + f_cost, _with_pieces(cn, legs, combo, costs))
    if best is not None:
        return best[1]
    if not reachable:
        raise NoRouteError("aucun itinéraire ne relie ces lieux sur le réseau avec ces options")
    raise ConstraintError(
        f"aucun itinéraire sous {fr_number(limit, 0)} m de dénivelé positif ; "
        f"l'itinéraire le moins montant en demande {fr_number(least, 0)} m"
    )

"""Cheapest path under a climb budget: exact bi-criteria label setting with A*-like bounds.

The problem is a resource-constrained shortest path (NP-hard in general, easy in practice here):
minimise the cost of a path through ordered stops ``S0 -> S1 -> ... -> Sk`` (first and last may
be sets of candidate nodes) whose total climb (the sum of the edges' filtered ``climb``) is at
most ``limit``.

Method
------
1. For each leg ``i``, two reverse Dijkstras (scipy) from ``S(i+1)``: on cost (``lbc``) and on
   climb (``lbr``). Adding the exact optima of the later legs gives, for every node of every leg,
   a lower bound of the remaining cost and of the remaining climb.
2. If the least climb from the start exceeds ``limit``: :class:`~parcs.ConstraintError` saying it.
   If the unconstrained optimum (read from the cost trees) satisfies the limit, it is the answer.
   Otherwise the least-climb path (read from the climb trees) is feasible: its cost is the first
   upper bound ``UB``.
3. Label setting over states ``(node, leg)`` in order of ``cost + lbc`` (A*, consistent since
   ``lbc`` is exact): a label is pruned when ``climb + lbr > limit`` (cannot finish within the
   budget), when ``cost + lbc > UB`` (cannot beat the known path), or when a label already
   settled at its state had less climb (that label also had less cost: dominance). The first
   label settled at a final node is optimal. Parallel edges are all scanned (one may climb less).

The search is exact; every bound only discards labels that cannot lead to a better feasible path.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from parcs._errors import ConstraintError, NoRouteError
from routing.compiled import CompiledNetwork
from routing.deadline import NEVER, Deadline
from routing.fmt import fr_number
from routing.search import ShortestPathTree, path_edges, shortest_path_tree

logger = logging.getLogger(__name__)

__all__ = ["ConstrainedResult", "climb_weights", "constrained_path", "min_climb"]

FloatArray = npt.NDArray[np.float64]
_EPS_CLIMB = 1e-6
_EPS_COST = 1e-9
#: Labels popped between two looks at the deadline.
_CHECK_EVERY = 1024


@dataclass(frozen=True)
class ConstrainedResult:
    """Edges of each leg, total cost and total (edge-sum) climb of the chosen path."""

    legs: tuple[npt.NDArray[np.int32], ...]
    cost: float
    climb: float
    labels: int


def climb_weights(cn: CompiledNetwork, costs: FloatArray) -> FloatArray:
    """Edge climbs where ``costs`` is finite, ``np.inf`` elsewhere (read-only, cached)."""

    def make() -> tuple[FloatArray, FloatArray]:
        w = np.where(np.isfinite(costs), cn.edge_climb, np.inf)
        w.flags.writeable = False
        return costs, w

    if not costs.flags.writeable:
        hit = cn.cached(("climbw", id(costs)), make)
        if hit[0] is costs:
            return hit[1]
    return make()[1]


def _adjacency(cn: CompiledNetwork, costs: FloatArray) -> dict[str, list[Any]]:
    """Every allowed edge grouped by tail node, as Python lists (parallel edges included)."""

    def make() -> tuple[FloatArray, dict[str, list[Any]]]:
        order = cn.pair_edge[np.isfinite(costs[cn.pair_edge])]
        ptr = np.zeros(cn.n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(cn.edge_u[order], minlength=cn.n_nodes), out=ptr[1:])
        return costs, {
            "ptr": ptr.tolist(), "edge": order.tolist(), "head": cn.edge_v[order].tolist(),
            "cost": costs[order].tolist(), "climb": cn.edge_climb[order].tolist(),
        }

    if not costs.flags.writeable:
        hit = cn.cached(("adjacency", id(costs)), make)
        if hit[0] is costs:
            return hit[1]
    return make()[1]


@dataclass(frozen=True)
class _Bounds:
    cost_trees: tuple[ShortestPathTree, ...]
    climb_trees: tuple[ShortestPathTree, ...]
    tail_cost: tuple[float, ...]
    tail_climb: tuple[float, ...]


def _bounds(cn: CompiledNetwork, stops: Sequence[Sequence[int]], costs: FloatArray) -> _Bounds:
    climbs = climb_weights(cn, costs)
    ct = tuple(shortest_path_tree(cn, stops[i + 1], costs, reverse=True) for i in range(len(stops) - 1))
    rt = tuple(shortest_path_tree(cn, stops[i + 1], climbs, reverse=True) for i in range(len(stops) - 1))
    k = len(ct)
    tc, tr = [0.0] * (k + 1), [0.0] * (k + 1)
    for i in range(k - 1, 0, -1):
        s = stops[i][0]
        tc[i] = float(ct[i].dist[s]) + tc[i + 1]
        tr[i] = float(rt[i].dist[s]) + tr[i + 1]
    return _Bounds(ct, rt, tuple(tc), tuple(tr))


def _tree_path(cn: CompiledNetwork, trees: Sequence[ShortestPathTree], stops: Sequence[Sequence[int]], tail: Sequence[float]) -> list[npt.NDArray[np.int32]]:
    """Concatenate the reverse-tree paths leg by leg, starting from the best first stop."""
    first = trees[0].dist[list(stops[0])] + tail[1]
    node = int(stops[0][int(np.argmin(first))])
    legs = []
    for tree in trees:
        edges = path_edges(cn, tree, node)
        legs.append(edges)
        if edges.size:
            node = int(cn.edge_v[edges[-1]])
    return legs


def min_climb(cn: CompiledNetwork, stops: Sequence[Sequence[int]], costs: FloatArray) -> float:
    """The least total climb of a path through ``stops`` on the allowed edges (inf: none)."""
    b = _bounds(cn, stops, costs)
    return float(min(b.climb_trees[0].dist[list(stops[0])]) + b.tail_climb[1])


def _sum(values: FloatArray, legs: Sequence[npt.NDArray[np.int32]]) -> float:
    return float(sum(values[leg].sum() for leg in legs))


def constrained_path(
    cn: CompiledNetwork,
    stops: Sequence[Sequence[int]],
    costs: FloatArray,
    *,
    limit: float,
    deadline: Deadline = NEVER,
) -> ConstrainedResult:
    """The cheapest path through ``stops`` whose edges climb at most ``limit`` metres in total.

    Parameters
    ----------
    cn
        The compiled network.
    stops
        Node indices of each stop, in order; the first and the last may hold several candidates,
        the others one node each.
    costs
        One cost per directed edge (``np.inf``: forbidden).
    limit
        Climb budget (metres, sum of the edges' ``climb``).
    deadline
        Time budget (:mod:`routing.deadline`): when it expires the exact search stops and the
        least-climbing path, which meets ``limit`` but may cost more, is returned.

    Raises
    ------
    NoRouteError
        When no path joins the stops at all.
    ConstraintError
        When every path climbs more than ``limit`` (the message gives the least climb).
    """
    b = _bounds(cn, stops, costs)
    best_cost = float(min(b.cost_trees[0].dist[list(stops[0])]) + b.tail_cost[1])
    if not np.isfinite(best_cost):
        raise NoRouteError("aucun itinéraire ne relie ces lieux sur le réseau avec ces options")
    least = float(min(b.climb_trees[0].dist[list(stops[0])]) + b.tail_climb[1])
    if least > limit + _EPS_CLIMB:
        raise ConstraintError(
            f"aucun itinéraire sous {fr_number(limit, 0)} m de dénivelé positif ; "
            f"l'itinéraire le moins montant en demande {fr_number(least, 0)} m"
        )
    fast = _tree_path(cn, b.cost_trees, stops, b.tail_cost)
    if _sum(cn.edge_climb, fast) <= limit + _EPS_CLIMB:
        return ConstrainedResult(tuple(fast), _sum(costs, fast), _sum(cn.edge_climb, fast), 0)
    safe = _tree_path(cn, b.climb_trees, stops, b.tail_climb)
    ub = _sum(costs, safe)
    found, labels = _label_setting(cn, stops, costs, b, limit=limit, upper=ub, deadline=deadline)
    legs = tuple(found) if found is not None else tuple(safe)
    return ConstrainedResult(legs, _sum(costs, legs), _sum(cn.edge_climb, legs), labels)


def _label_setting(
    cn: CompiledNetwork,
    stops: Sequence[Sequence[int]],
    costs: FloatArray,
    b: _Bounds,
    *,
    limit: float,
    upper: float,
    deadline: Deadline = NEVER,
) -> tuple[list[npt.NDArray[np.int32]] | None, int]:
    """The search of step 3; ``None`` when nothing beats ``upper`` (or the deadline expired)."""
    adj = _adjacency(cn, costs)
    ptr, edge, head, cost, climb = adj["ptr"], adj["edge"], adj["head"], adj["cost"], adj["climb"]
    n, k = cn.n_nodes, len(stops) - 1
    lbc = [(t.dist + b.tail_cost[i + 1]).tolist() for i, t in enumerate(b.cost_trees)]
    lbr = [(t.dist + b.tail_climb[i + 1]).tolist() for i, t in enumerate(b.climb_trees)]
    targets = [set(s) for s in stops[1:]]
    ub = upper * (1 + _EPS_COST) + _EPS_COST
    cap = limit + _EPS_CLIMB
    best_r = [float("inf")] * (n * k)  # least climb of a label settled at each state
    labels: list[tuple[int, float, int, int]] = []  # (state, cost, parent label, edge or -1)
    heap: list[tuple[float, float, int]] = []  # (cost + bound, climb, label)
    for s in stops[0]:
        if lbr[0][s] <= cap and lbc[0][s] <= ub:
            labels.append((s, 0.0, -1, -1))
            heapq.heappush(heap, (lbc[0][s], 0.0, len(labels) - 1))
    pops = 0
    while heap:
        f, r, lab = heapq.heappop(heap)
        if f > ub:
            break
        pops += 1
        if not pops % _CHECK_EVERY and deadline.expired():
            logger.info("climb-constrained search stopped by its deadline after %d labels", len(labels))
            break
        st, c, _, _ = labels[lab]
        if r >= best_r[st]:
            continue
        best_r[st] = r
        leg, node = divmod(st, n)
        if node in targets[leg]:
            if leg == k - 1:
                return _unwind(lab, labels, n, k), len(labels)
            labels.append((node + (leg + 1) * n, c, lab, -1))
            heapq.heappush(heap, (c + lbc[leg + 1][node], r, len(labels) - 1))
            continue
        lc, lr, base = lbc[leg], lbr[leg], leg * n
        for j in range(ptr[node], ptr[node + 1]):
            w = head[j]
            nr = r + climb[j]
            if nr >= best_r[base + w] or nr + lr[w] > cap:
                continue
            nc = c + cost[j]
            nf = nc + lc[w]
            if nf <= ub:
                labels.append((base + w, nc, lab, edge[j]))
                heapq.heappush(heap, (nf, nr, len(labels) - 1))
    return None, len(labels)


def _unwind(lab: int, labels: list[tuple[int, float, int, int]], n: int, k: int) -> list[npt.NDArray[np.int32]]:
    legs: list[list[int]] = [[] for _ in range(k)]
    while lab >= 0:
        state, _, parent, edge = labels[lab]
        if edge >= 0:
            legs[state // n].append(edge)
        lab = parent
    return [np.asarray(leg[::-1], dtype=np.int32) for leg in legs]

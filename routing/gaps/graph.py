"""Arrays of the missing-link analysis: undirected edges, greenway and all-edges CSR matrices.

The built network is an osmnx ``MultiDiGraph`` with both directions of every way. The analysis
works on undirected lengths: each way is kept once (the two directions have the same length) and
the sparse matrices are symmetric. Three edge families matter:

- **greenway** edges: a greenway ``kind`` (:func:`parcs.schema.is_greenway`) whose ``status`` is
  not ``planned`` — the network that exists on the ground today;
- **connector** edges (``kind == "connector"``): the links the builder had to add between pieces
  of greenway (``source`` ``connector`` or ``connector:long``);
- **planned** edges (``status == "planned"``, whatever the kind): sections recorded as not
  started / programmed / under study, their ``works_status`` keeps the source's words.

Every other edge (e.g. ``advised_route`` on shared roads) belongs only to the all-edges network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from parcs._errors import BuildError
from parcs.schema import is_greenway

logger = logging.getLogger(__name__)

#: Smallest edge weight put in a sparse matrix (csgraph drops explicit zeros of some inputs).
MIN_WEIGHT_M = 1e-3

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]
ObjArray = NDArray[np.object_]


@dataclass(frozen=True, eq=False)
class GapGraph:
    """The undirected arrays of a built network (node indices are positions in ``node_ids``)."""

    node_ids: NDArray[Any]
    xy: FloatArray
    eu: IntArray
    ev: IntArray
    length: FloatArray
    kind: ObjArray
    name: ObjArray
    status: ObjArray
    works_status: ObjArray
    source: ObjArray
    geometry: ObjArray
    greenway: BoolArray
    connector: BoolArray
    planned: BoolArray
    greenway_csr: csr_matrix
    all_csr: csr_matrix
    component: IntArray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    def index_of(self, node_ids: Any) -> IntArray:
        """Positions of osmnx node ids; ``-1`` for ids absent from the graph."""
        ids = np.atleast_1d(np.asarray(node_ids))
        return np.asarray(pd.Index(self.node_ids).get_indexer(ids), dtype=np.intp)

    @property
    def greenway_degree(self) -> IntArray:
        """Number of greenway edges at each node."""
        return np.asarray(np.diff(self.greenway_csr.indptr), dtype=np.intp)


def symmetric_csr(n: int, u: IntArray, v: IntArray, w: FloatArray) -> csr_matrix:
    """A symmetric CSR matrix keeping the shortest of parallel edges and no self-loop.

    Examples
    --------
    >>> m = symmetric_csr(3, np.array([0, 0, 1]), np.array([1, 1, 1]), np.array([5.0, 2.0, 1.0]))
    >>> m.toarray().tolist()
    [[0.0, 2.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    a = np.concatenate([u, v]).astype(np.intp)
    b = np.concatenate([v, u]).astype(np.intp)
    ww = np.maximum(np.concatenate([w, w]).astype(np.float64), MIN_WEIGHT_M)
    keep = a != b
    a, b, ww = a[keep], b[keep], ww[keep]
    order = np.lexsort((ww, b, a))
    a, b, ww = a[order], b[order], ww[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return csr_matrix((ww[first], (a[first], b[first])), shape=(n, n))


def _edge_frame(graph: nx.MultiDiGraph, index: dict[Any, int], xy: FloatArray) -> pd.DataFrame:
    """One row per directed edge with the attributes the analysis reads."""
    rows = []
    for u, v, data in graph.edges(data=True):
        rows.append((
            index[u], index[v], float(data.get("length", np.nan)), str(data.get("kind", "") or ""),
            str(data.get("name", "") or ""), str(data.get("status", "unknown") or "unknown"),
            str(data.get("works_status", "") or ""), str(data.get("source", "") or ""),
            data.get("geometry"),
        ))
    df = pd.DataFrame(rows, columns=["u", "v", "length", "kind", "name", "status", "works_status",
                                     "source", "geometry"])
    missing = df["geometry"].isna().to_numpy()
    if missing.any():
        pts = xy[np.stack([df["u"].to_numpy()[missing], df["v"].to_numpy()[missing]], axis=1)]
        df.loc[missing, "geometry"] = pd.Series(list(shapely.linestrings(pts)), index=df.index[missing])
    bad_len = ~np.isfinite(df["length"].to_numpy())
    if bad_len.any():
        df.loc[bad_len, "length"] = shapely.length(df.loc[bad_len, "geometry"].to_numpy())
    return df


def _undirected(df: pd.DataFrame) -> pd.DataFrame:
    """Keep one direction of every way (same end nodes, kind, status and length to 0.1 m)."""
    a = np.minimum(df["u"].to_numpy(), df["v"].to_numpy())
    b = np.maximum(df["u"].to_numpy(), df["v"].to_numpy())
    key = df.assign(a=a, b=b, lr=np.round(df["length"].to_numpy(), 1))
    return df.loc[~key.duplicated(["a", "b", "kind", "status", "lr"])].reset_index(drop=True)


def build_gap_graph(graph: nx.MultiDiGraph) -> GapGraph:
    """The undirected arrays of a built network.

    Parameters
    ----------
    graph
        An osmnx ``MultiDiGraph`` following the network contract (EPSG:2154, both directions).

    Returns
    -------
    GapGraph
        Arrays, greenway-only and all-edges CSR matrices, greenway component of every node
        (``-1`` for nodes without a greenway edge).

    Raises
    ------
    BuildError
        When the graph has no node.
    """
    if graph.number_of_nodes() == 0:
        raise BuildError("the network has no node; run `parcs build` again")
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    xy = np.array([(float(graph.nodes[n]["x"]), float(graph.nodes[n]["y"])) for n in nodes])
    df = _undirected(_edge_frame(graph, index, xy))
    try:
        node_ids: NDArray[Any] = np.asarray(nodes, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        node_ids = np.asarray([str(n) for n in nodes])
    cols = {c: df[c].to_numpy(dtype=object) for c in ("kind", "name", "status", "works_status", "source", "geometry")}
    return assemble(
        node_ids, xy, df["u"].to_numpy(dtype=np.intp), df["v"].to_numpy(dtype=np.intp),
        df["length"].to_numpy(dtype=np.float64), **cols,
    )


def gap_graph_from_compiled(cn: Any) -> GapGraph:
    """The undirected arrays of a :class:`routing.compiled.CompiledNetwork` (one edge per way).

    The compiled arrays do not keep the source's works status: ``works_status`` is empty.
    """
    if cn.n_nodes == 0:
        raise BuildError("the network has no node; run `parcs build` again")
    _, first = np.unique(np.asarray(cn.edge_way), return_index=True)
    e = np.sort(first)
    starts, stops = np.asarray(cn.geom_offsets)[e], np.asarray(cn.geom_offsets)[e + 1]
    counts = stops - starts
    idx = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(int(counts.sum()))
    coords = np.column_stack([np.asarray(cn.geom_x)[idx], np.asarray(cn.geom_y)[idx]])
    geoms = shapely.linestrings(coords, indices=np.repeat(np.arange(len(e)), counts))

    def vocab(table: tuple[str, ...], codes: Any) -> ObjArray:
        return np.asarray(table, dtype=object)[np.asarray(codes)[e]]

    return assemble(
        np.asarray(cn.node_id), np.column_stack([cn.node_x, cn.node_y]).astype(np.float64),
        np.asarray(cn.edge_u)[e].astype(np.intp), np.asarray(cn.edge_v)[e].astype(np.intp),
        np.asarray(cn.edge_length)[e].astype(np.float64), kind=vocab(cn.kinds, cn.edge_kind),
        name=vocab(cn.names, cn.edge_name), status=vocab(cn.statuses, cn.edge_status),
        works_status=np.full(len(e), "", dtype=object), source=vocab(cn.sources, cn.edge_source),
        geometry=np.asarray(geoms, dtype=object),
    )


def assemble(
    node_ids: NDArray[Any], xy: FloatArray, u: IntArray, v: IntArray, length: FloatArray, *,
    kind: ObjArray, name: ObjArray, status: ObjArray, works_status: ObjArray, source: ObjArray,
    geometry: ObjArray,
) -> GapGraph:
    """A :class:`GapGraph` from undirected edge arrays (one row per way)."""
    planned = status == "planned"
    greenway = np.array([is_greenway(str(k)) for k in kind], dtype=bool) & ~planned
    n = len(node_ids)
    g_csr = symmetric_csr(n, u[greenway], v[greenway], length[greenway])
    logger.debug("gap graph: %d nodes, %d ways (%d greenway)", n, len(u), int(greenway.sum()))
    return GapGraph(
        node_ids=node_ids, xy=xy, eu=u, ev=v, length=length, kind=kind, name=name, status=status,
        works_status=works_status, source=source, geometry=geometry, greenway=greenway,
        connector=(kind == "connector") & ~planned, planned=planned, greenway_csr=g_csr,
        all_csr=symmetric_csr(n, u, v, length),
        component=_greenway_components(g_csr, u[greenway], length[greenway]),
    )


def _greenway_components(g_csr: csr_matrix, eu: IntArray, length: FloatArray) -> IntArray:
    """Component label of every node in the greenway graph, ``-1`` for nodes off the greenways.

    Labels are ranked by decreasing length of greenway (0 = the longest component).
    """
    n_comp, labels = connected_components(g_csr, directed=False)
    on = np.diff(g_csr.indptr) > 0
    out = np.full(len(labels), -1, dtype=np.intp)
    if not on.any():
        return out
    km = np.bincount(labels[eu], weights=length, minlength=n_comp)
    used = np.unique(labels[on])
    rank = np.full(n_comp, -1, dtype=np.intp)
    rank[used[np.lexsort((used, -km[used]))]] = np.arange(len(used))
    out[on] = rank[labels[on]]
    return out

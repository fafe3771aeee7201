"""Build the greenway graph from line layers: de-duplicate, snap, node, connect, hand to osmnx.

The method, step by step (tolerances are keyword arguments with these defaults):

1. **Overlaps** (``overlap_m=25``): layers are taken in priority order. The part of a line lying
   within ``overlap_m`` of lines already kept is dropped, and its identity (name, route
   references, heritage) is added to the kept lines it runs along: a véloroute laid on a cavalier
   is kept once, with both identities. Remnants shorter than ``min_piece_m=20`` are dropped.
2. **Snapping** (``snap_m=40``): a line end that touches no other line but lies within ``snap_m``
   of one is extended to the nearest point of that line (digitising gaps, and the ends left by
   step 1, which lie about ``overlap_m`` away from the line they were cut from).
3. **Noding**: lines are split where they cross or touch (GEOS union), every piece inherits the
   attributes of the line it comes from.
4. **Connectors** (``connect_m=400``): the layers leave the network in hundreds of pieces.
   Borůvka rounds join every connected piece to its nearest other piece when the gap is at most
   ``connect_m``, with a straight ``connector`` edge (a street or path the data does not map),
   until no such gap remains. The components still apart are then joined nearest-first whatever
   the gap (``source = "connector:long"``), so that every place of the network, and so every park
   unit, is reachable. Connectors are always ``kind = "connector"``, never greenways.
4b. **Dead ends** (``dead_end_m=250``): a greenway dead end is, on the ground, almost always where
   the path meets a street. A dead end lying within ``dead_end_m`` of another way that is far on
   the network (more than ``max(3 × gap, gap + 1 km)``) is joined to it by a connector
   (``source = "connector:dead-end"``), nearest first; without this the spanning connectors of
   step 4 leave a tree-like network where no round trip is possible without retracing.
4c. **Unmapped links** (``unmapped=True``): straight links of kind ``unmapped`` between greenway
   points close in space but far on the network, placed and given a calibrated length estimate
   and range by :mod:`parcs.unmapped` — the very rule and parameters validated on real
   OpenStreetMap street networks (``benchmarks/bench_unmapped.py``). Never greenways; each
   edge's ``length`` is the estimate, ``straight_m`` the straight length, ``length_low`` /
   ``length_high`` the range (p10–p90).
5. **Graph**: nodes are the piece ends; both directions of every piece become osmnx edges
   (``osmnx.graph_from_gdfs``, EPSG:2154, lengths in metres).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from parcs._errors import BuildError
from parcs.layers import LINE_COLUMNS, concat
from parcs.perimeter import CRS, WGS84
from parcs.unmapped.lines import apply_estimates, insert_links, unmapped_lines

logger = logging.getLogger(__name__)

_IDENTITY_COLS = ("name", "route_refs", "heritage")


@dataclass(frozen=True)
class NetworkReport:
    """Figures of one build, for ``parcs stats`` and the README."""

    lines_in: int
    pieces: int
    components_before: int
    components_after_short: int
    connectors: int
    long_connectors: int
    connector_km: float
    dead_end_connectors: int = 0
    unmapped_links: int = 0
    unmapped_km: float = 0.0


def _join_unique(values: list[str]) -> str:
    out: list[str] = []
    for v in values:
        for part in str(v).split(";"):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return ";".join(out)


def _merge_identity(kept: gpd.GeoDataFrame, pairs: np.ndarray, incoming: gpd.GeoDataFrame) -> None:
    """Add the identity of ``incoming`` rows to the ``kept`` rows they overlap (in place, local)."""
    for kept_idx, group in pd.DataFrame({"k": pairs[1], "i": pairs[0]}).groupby("k"):
        rows = incoming.iloc[group["i"].to_numpy()]
        for col in ("route_refs", "heritage"):
            kept.at[kept_idx, col] = _join_unique([kept.at[kept_idx, col], *rows[col]])
        others = [n for n in rows["name"] if n and n != kept.at[kept_idx, "name"]]
        if others:
            kept.at[kept_idx, "also"] = _join_unique([kept.at[kept_idx, "also"], *others])
        kept.at[kept_idx, "source"] = _join_unique([kept.at[kept_idx, "source"], *rows["source"]])


def deduplicate(
    layers: list[gpd.GeoDataFrame], *, overlap_m: float = 25.0, min_piece_m: float = 20.0
) -> gpd.GeoDataFrame:
    """Merge line layers in priority order, keeping each way once (step 1 of the module doc).

    Returns a new line table with an extra ``also`` column (other names of the way).
    """
    kept = gpd.GeoDataFrame(columns=[*LINE_COLUMNS, "also"], geometry="geometry", crs=CRS)
    for layer in layers:
        if layer.empty:
            continue
        layer = layer.copy()
        layer["also"] = ""
        if kept.empty:
            kept = layer.reset_index(drop=True)
            continue
        zone = shapely.union_all(shapely.buffer(kept.geometry.values, overlap_m, quad_segs=4))
        inside = shapely.intersection(layer.geometry.values, zone)
        tree = shapely.STRtree(kept.geometry.values)
        sig = shapely.length(inside) >= min_piece_m
        if sig.any():
            cand = tree.query(inside[sig], predicate="dwithin", distance=overlap_m)
            shared = shapely.length(
                shapely.intersection(
                    kept.geometry.values[cand[1]],
                    shapely.buffer(inside[sig][cand[0]], overlap_m, quad_segs=4),
                )
            )
            good = shared >= min_piece_m
            _merge_identity(kept, np.vstack([np.flatnonzero(sig)[cand[0][good]], cand[1][good]]), layer)
        rest = layer.set_geometry(shapely.difference(layer.geometry.values, zone))
        rest = rest.explode(index_parts=False, ignore_index=True)
        rest = rest[(rest.geom_type == "LineString") & (rest.length >= min_piece_m)]
        kept = gpd.GeoDataFrame(pd.concat([kept, rest], ignore_index=True), geometry="geometry", crs=CRS)
    return kept.reset_index(drop=True)


def snap_endpoints(lines: gpd.GeoDataFrame, *, snap_m: float = 40.0) -> gpd.GeoDataFrame:
    """Extend dangling line ends onto the nearest other line within ``snap_m`` (step 2).

    Returns a new table; the extension becomes part of the line it extends.
    """
    geoms = lines.geometry.values
    n = len(geoms)
    ends = np.concatenate([shapely.get_point(geoms, 0), shapely.get_point(geoms, -1)])
    owner = np.concatenate([np.arange(n), np.arange(n)])
    tree = shapely.STRtree(geoms)
    pi, li = tree.query(ends, predicate="dwithin", distance=snap_m)
    other = li != owner[pi]
    pi, li = pi[other], li[other]
    dist = shapely.distance(ends[pi], geoms[li])
    touching = np.zeros(len(ends), dtype=bool)
    touching[pi[dist < 1e-6]] = True
    order = np.lexsort((dist, pi))
    pi, li, dist = pi[order], li[order], dist[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    pi, li, dist = pi[first], li[first], dist[first]
    todo = ~touching[pi] & (dist > 1e-6)
    new_geoms = geoms.copy()
    for p, line_idx in zip(pi[todo], li[todo], strict=True):
        target = shapely.line_interpolate_point(geoms[line_idx], shapely.line_locate_point(geoms[line_idx], ends[p]))
        k = owner[p]
        coords = shapely.get_coordinates(new_geoms[k])
        tx, ty = shapely.get_coordinates(target)[0]
        coords = np.vstack([[tx, ty], coords]) if p < n else np.vstack([coords, [tx, ty]])
        new_geoms[k] = shapely.linestrings(coords)
    logger.info("snapped %d line ends within %.0f m", int(todo.sum()), snap_m)
    return lines.set_geometry(new_geoms)


def node_lines(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split lines where they cross or touch; each piece keeps its source line's attributes (step 3)."""
    # Snap-rounding to a 1 cm grid: a connector end computed on a line is noded onto it even when
    # floating point puts it a hair off the line.
    pieces = shapely.get_parts(shapely.union_all(lines.geometry.values, grid_size=0.01))
    pieces = pieces[shapely.length(pieces) > 0.0]
    mids = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    tree = shapely.STRtree(lines.geometry.values)
    src = tree.query_nearest(mids, all_matches=False)[1]
    out = lines.drop(columns="geometry").iloc[src].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry=pieces, crs=CRS)


def _node_ids(pieces: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node coordinates (unique piece ends, 1 cm grid) and the u/v node index of every piece."""
    geoms = pieces.geometry.values
    ends = np.vstack([
        shapely.get_coordinates(shapely.get_point(geoms, 0)),
        shapely.get_coordinates(shapely.get_point(geoms, -1)),
    ])
    keys = np.round(ends, 2)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    n = len(geoms)
    return uniq, inverse[:n], inverse[n:]


def _components(n_nodes: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    adj = coo_matrix((np.ones(len(u)), (u, v)), shape=(n_nodes, n_nodes))
    return connected_components(adj, directed=False)[1]


class _UnionFind:
    """Disjoint sets over component ids (path halving)."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[ra] = rb
        return True

    def groups(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))])


def _closest_pairs(
    pieces: gpd.GeoDataFrame, comp_of_piece: np.ndarray, *, radius: float | None, step_m: float = 20.0
) -> pd.DataFrame:
    """For every pair of components, the closest pair of sample points (within ``radius``).

    Lines are sampled every ``step_m``; the exact link is then computed between the two pieces.
    With ``radius=None`` each component is paired with its nearest other component only.
    """
    dense = shapely.segmentize(pieces.geometry.values, step_m)
    coords, piece_idx = shapely.get_coordinates(dense, return_index=True)
    comp = comp_of_piece[piece_idx]
    if radius is not None:
        pairs = cKDTree(coords).query_pairs(radius, output_type="ndarray")
    else:
        pairs = _nearest_other(coords, comp)
    if len(pairs) == 0:
        return pd.DataFrame(columns=["ca", "cb", "d", "pa", "pb"])
    a, b = pairs[:, 0], pairs[:, 1]
    diff = comp[a] != comp[b]
    a, b = a[diff], b[diff]
    d = np.hypot(*(coords[a] - coords[b]).T)
    ca, cb = np.minimum(comp[a], comp[b]), np.maximum(comp[a], comp[b])
    pa = np.where(comp[a] == ca, piece_idx[a], piece_idx[b])
    pb = np.where(comp[a] == ca, piece_idx[b], piece_idx[a])
    df = pd.DataFrame({"ca": ca, "cb": cb, "d": d, "pa": pa, "pb": pb}).sort_values("d")
    return df.drop_duplicates(["ca", "cb"]).reset_index(drop=True)


def _nearest_other(coords: np.ndarray, comp: np.ndarray, *, samples: int = 200) -> np.ndarray:
    """For each component, (one of its points, the nearest point of another component).

    Only a few groups remain at this stage; each is sampled at ``samples`` points at most.
    """
    pairs = []
    for c in np.unique(comp):
        idx = np.flatnonzero(comp == c)
        others = np.flatnonzero(comp != c)
        if len(others) == 0:
            continue
        sample = idx[:: max(1, len(idx) // samples)]
        d, j = cKDTree(coords[others]).query(coords[sample])
        best = int(np.argmin(d))
        pairs.append((sample[best], others[j[best]]))
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def _boruvka_round(links: pd.DataFrame, uf: _UnionFind) -> list[int]:
    """One Borůvka round: every group takes its nearest link to another group."""
    ra = np.array([uf.find(int(c)) for c in links["ca"]], dtype=np.int64)
    rb = np.array([uf.find(int(c)) for c in links["cb"]], dtype=np.int64)
    best: dict[int, int] = {}
    for i in np.flatnonzero(ra != rb):  # links are sorted by distance: first seen is nearest
        best.setdefault(int(ra[i]), int(i))
        best.setdefault(int(rb[i]), int(i))
    return [i for i in sorted(set(best.values())) if uf.union(int(links.at[i, "ca"]), int(links.at[i, "cb"]))]


def _kruskal(links: pd.DataFrame, uf: _UnionFind) -> list[int]:
    """Kruskal over links sorted by distance."""
    return [i for i in range(len(links)) if uf.union(int(links.at[i, "ca"]), int(links.at[i, "cb"]))]


def _connector_rows(pieces: gpd.GeoDataFrame, links: pd.DataFrame, idx: list[int], label: str) -> list[dict]:
    rows = []
    geoms = pieces.geometry.values
    for i in idx:
        line = shapely.shortest_line(geoms[int(links.at[i, "pa"])], geoms[int(links.at[i, "pb"])])
        if shapely.length(line) <= 0.0:
            continue
        rows.append({
            "kind": "connector", "name": "", "surface": "unknown", "status": "unknown",
            "works_status": "", "source": label, "route_refs": "", "heritage": "", "also": "",
            "gap_m": float(shapely.length(line)), "geometry": line,
        })
    return rows


def add_connectors(
    pieces: gpd.GeoDataFrame, *, connect_m: float = 400.0, connect_all: bool = True
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Join the network's pieces with ``connector`` lines (step 4); returns the lines to add."""
    uniq, u, v = _node_ids(pieces)
    comp = _components(len(uniq), u, v)[u]
    n_comp = int(comp.max()) + 1
    uf = _UnionFind(n_comp)
    rows: list[dict] = []
    links = _closest_pairs(pieces, comp, radius=connect_m)
    n_short = 0
    while chosen := _boruvka_round(links, uf):
        rows += _connector_rows(pieces, links, chosen, "connector")
        n_short += len(chosen)
    groups = uf.groups()
    n_groups = len(np.unique(groups))
    n_long = 0
    if connect_all and n_groups > 1:
        far = _closest_pairs(pieces, groups[comp], radius=None)
        chosen = _kruskal(far, _UnionFind(n_comp))
        rows += _connector_rows(pieces, far, chosen, "connector:long")
        n_long = len(chosen)
    stats = {"components_before": n_comp, "components_after_short": n_groups,
             "connectors": n_short + n_long, "long_connectors": n_long}
    frame = gpd.GeoDataFrame(rows, columns=_connector_columns(pieces), geometry="geometry", crs=CRS)
    return frame, stats


def _connector_columns(pieces: gpd.GeoDataFrame) -> list[str]:
    return list(dict.fromkeys([*pieces.columns, "gap_m"]))


def _adjacency(pieces: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, csr_matrix]:
    """Node coordinates, u/v of every piece, and the undirected length-weighted adjacency."""
    uniq, u, v = _node_ids(pieces)
    w = shapely.length(pieces.geometry.values)
    n = len(uniq)
    adj = coo_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(n, n)).tocsr()
    return uniq, u, v, adj


def dead_end_connectors(
    pieces: gpd.GeoDataFrame, *, dead_end_m: float = 250.0, detour_factor: float = 3.0,
    min_detour_m: float = 1000.0, pair_m: float = 40.0,
) -> gpd.GeoDataFrame:
    """Connectors from dead ends to ways close in space but far on the network (step 4b).

    Two dead ends facing each other (the link of one lands within ``pair_m`` of the other) get one
    connector, end to end.
    """
    uniq, u, v, adj = _adjacency(pieces)
    degree = np.bincount(np.r_[u, v], minlength=len(uniq))
    dead = np.flatnonzero(degree == 1)
    geoms = pieces.geometry.values
    pts = shapely.points(uniq[dead])
    pi, li = shapely.STRtree(geoms).query(pts, predicate="dwithin", distance=dead_end_m)
    own = (u[li] == dead[pi]) | (v[li] == dead[pi])
    pi, li = pi[~own], li[~own]
    if len(pi) == 0:
        return gpd.GeoDataFrame(columns=_connector_columns(pieces), geometry="geometry", crs=CRS)
    gap = shapely.distance(pts[pi], geoms[li])
    order = np.lexsort((gap, pi))
    pi, li, gap = pi[order], li[order], gap[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    pi, li, gap = pi[first], li[first], gap[first]
    need = np.maximum(detour_factor * gap, gap + min_detour_m)
    dist = dijkstra(adj, directed=False, indices=dead[pi], limit=float(need.max()) + 1.0)
    along = shapely.line_locate_point(geoms[li], pts[pi])
    length = shapely.length(geoms[li])
    rows_idx = np.arange(len(pi))
    net = np.minimum(dist[rows_idx, u[li]] + along, dist[rows_idx, v[li]] + length - along)
    keep = np.flatnonzero(net > need)
    rows = []
    dead_xy = cKDTree(uniq[dead])
    done: set[int] = set()
    for i in keep[np.argsort(gap[keep], kind="stable")]:
        if int(pi[i]) in done:
            continue
        line = shapely.shortest_line(pts[pi[i]], geoms[li[i]])
        d_other, j = dead_xy.query(shapely.get_coordinates(line)[-1])
        if d_other <= pair_m and int(j) != int(pi[i]):  # two facing dead ends: one link, end to end
            line = shapely.linestrings([uniq[dead[pi[i]]], uniq[dead[j]]])
            done.add(int(j))
        done.add(int(pi[i]))
        rows.append({
            "kind": "connector", "name": "", "surface": "unknown", "status": "unknown",
            "works_status": "", "source": "connector:dead-end", "route_refs": "", "heritage": "",
            "also": "", "gap_m": float(shapely.length(line)), "geometry": line,
        })
    logger.info("%d dead ends joined to ways far on the network", len(rows))
    return gpd.GeoDataFrame(rows, columns=_connector_columns(pieces), geometry="geometry", crs=CRS)


def to_graph(pieces: gpd.GeoDataFrame, *, name: str = "Chaîne des parcs") -> nx.MultiDiGraph:
    """Both directions of every piece as an osmnx ``MultiDiGraph`` in EPSG:2154 (step 5)."""
    uniq, u, v = _node_ids(pieces)
    lon, lat = Transformer.from_crs(CRS, WGS84, always_xy=True).transform(uniq[:, 0], uniq[:, 1])
    node_ids = np.arange(1, len(uniq) + 1, dtype=np.int64)
    nodes = gpd.GeoDataFrame(
        {"x": uniq[:, 0], "y": uniq[:, 1], "lon": lon, "lat": lat},
        index=pd.Index(node_ids, name="osmid"),
        geometry=shapely.points(uniq),
        crs=CRS,
    )
    attrs = pieces.drop(columns="geometry").reset_index(drop=True)
    attrs["osmid"] = np.arange(len(pieces), dtype=np.int64)
    attrs["length"] = shapely.length(pieces.geometry.values)
    fwd = attrs.assign(u=node_ids[u], v=node_ids[v], reversed=False)
    fwd = gpd.GeoDataFrame(fwd, geometry=pieces.geometry.values, crs=CRS)
    bwd = attrs.assign(u=node_ids[v], v=node_ids[u], reversed=True)
    bwd = gpd.GeoDataFrame(bwd, geometry=shapely.reverse(pieces.geometry.values), crs=CRS)
    edges = pd.concat([fwd, bwd], ignore_index=True)
    edges["key"] = edges.groupby(["u", "v"]).cumcount()
    edges = gpd.GeoDataFrame(edges.set_index(["u", "v", "key"]), geometry="geometry", crs=CRS)
    graph = ox.convert.graph_from_gdfs(nodes, edges, graph_attrs={"crs": CRS, "name": name})
    return graph


def build_graph(
    layers: list[gpd.GeoDataFrame],
    *,
    overlap_m: float = 25.0,
    snap_m: float = 40.0,
    connect_m: float = 400.0,
    dead_end_m: float = 250.0,
    unmapped: bool = True,
) -> tuple[nx.MultiDiGraph, NetworkReport]:
    """Run steps 1–5 of the module doc on line layers given in priority order."""
    if not any(len(layer) for layer in layers):
        raise BuildError("no greenway line inside the build area: check the sources and the perimeter")
    lines = deduplicate(layers, overlap_m=overlap_m)
    lines = snap_endpoints(lines, snap_m=snap_m)
    pieces = node_lines(lines)
    connectors, cstats = add_connectors(pieces, connect_m=connect_m)
    pieces["gap_m"] = np.nan
    allp = node_lines(concat([pieces, connectors])) if len(connectors) else pieces
    dead = dead_end_connectors(allp, dead_end_m=dead_end_m) if dead_end_m > 0 else allp.iloc[:0]
    if len(dead):
        allp = node_lines(concat([allp, dead]))
        connectors = concat([connectors, dead])
    cstats["dead_end_connectors"] = len(dead)
    cstats["connectors"] += len(dead)
    links = unmapped_lines(allp) if unmapped else allp.iloc[:0]
    allp = insert_links(allp, links)
    graph = to_graph(allp)
    apply_estimates(graph)
    report = NetworkReport(
        lines_in=int(sum(len(layer) for layer in layers)),
        pieces=len(allp),
        connector_km=float(connectors.length.sum() / 1000.0) if len(connectors) else 0.0,
        unmapped_links=len(links),
        unmapped_km=float(links.length.sum() / 1000.0) if len(links) else 0.0,
        **cstats,
    )
    logger.info("network: %s", report)
    return graph, report

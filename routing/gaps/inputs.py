"""The inputs of the missing-link analysis, from a built or a compiled network.

A :class:`parcs.artifact.Network` gives the graph (with the works status of planned sections);
a :class:`routing.compiled.CompiledNetwork` gives the same arrays without touching the pickle
(its inputs are cached on the instance).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from parcs._errors import DataError
from routing.gaps.graph import GapGraph, IntArray, build_gap_graph, gap_graph_from_compiled
from routing.gaps.model import ParkUnit
from routing.gaps.score import CommuneSet, UnitSet, snap_communes
from routing.gaps.text import best_edge_per_node
from routing.geo import to_projected
from routing.tables import str_tuple

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class GapInputs:
    """Network arrays, park units, communes and perimeter (EPSG:2154)."""

    gg: GapGraph
    units: UnitSet
    communes: CommuneSet
    perimeter: BaseGeometry | None
    park_geoms: tuple[BaseGeometry | None, ...]
    unit_infos: tuple[ParkUnit, ...]
    best_edge: IntArray


def component_id(label: int) -> str:
    """Public id of a greenway component label (``-1``: off the greenways).

    >>> component_id(0), component_id(-1)
    ('C1', '')
    """
    return f"C{label + 1}" if label >= 0 else ""


def _node_values(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in str_tuple(value) if not isinstance(value, int | np.integer) else (value,):
        text = str(item).strip()
        out.append(int(text) if text.lstrip("-").isdigit() else text)
    return out


def _unit_set(gg: GapGraph, rows: list[tuple[str, str, list[int]]]) -> UnitSet:
    for uid, _, acc in rows:
        if not acc:
            raise DataError(f"park unit {uid!r} has no access node in the network; run `parcs build` again")
    return UnitSet(tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                   tuple(np.unique(np.asarray(r[2], dtype=np.intp)) for r in rows))


def _unit_infos(gg: GapGraph, units: UnitSet) -> tuple[ParkUnit, ...]:
    out = []
    for uid, name, acc in zip(units.ids, units.names, units.access, strict=True):
        comps = sorted({int(c) for c in gg.component[acc] if c >= 0})
        out.append(ParkUnit(uid, name, tuple(gg.node_ids[acc].tolist()),
                            tuple(component_id(c) for c in comps), bool(comps)))
    return tuple(out)


def _from_network(net: Any) -> GapInputs:
    gg = build_gap_graph(net.graph)
    rows = []
    for _, rec in net.parks.iterrows():
        ids = _node_values(rec.get("access_nodes")) + _node_values(rec.get("access_node"))
        idx = gg.index_of(np.asarray(ids, dtype=object)) if ids else np.zeros(0, np.intp)
        rows.append((str(rec.get("id")), str(rec.get("name")), [int(i) for i in idx if i >= 0]))
    units = _unit_set(gg, rows)
    com = net.communes
    xy = shapely.get_coordinates(shapely.centroid(com.geometry.values)) if len(com) else np.zeros((0, 2))
    names = [str(n) for n in com["nom"]] if "nom" in com else [str(i) for i in range(len(com))]
    pop = com["population"].to_numpy(dtype=float) if "population" in com else np.zeros(len(com))
    return GapInputs(
        gg=gg, units=units, communes=snap_communes(gg, names, pop, xy), perimeter=net.perimeter,
        park_geoms=tuple(net.parks.geometry.values), unit_infos=_unit_infos(gg, units),
        best_edge=best_edge_per_node(gg),
    )


def _park_geometry(geojson: Any) -> BaseGeometry | None:
    if not geojson:
        return None
    geom = shape(geojson)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = to_projected(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    out: BaseGeometry = shapely.transform(geom, project)
    return out


def _from_compiled(cn: Any) -> GapInputs:
    gg = gap_graph_from_compiled(cn)
    units = _unit_set(gg, [(p.id, p.name, [int(i) for i in p.access_nodes if i >= 0]) for p in cn.parks])
    xy = np.array([(c.x, c.y) for c in cn.communes], dtype=float).reshape(-1, 2)
    communes = snap_communes(gg, [c.nom for c in cn.communes],
                             np.array([c.population for c in cn.communes], dtype=float), xy)
    return GapInputs(
        gg=gg, units=units, communes=communes, perimeter=cn.perimeter,
        park_geoms=tuple(_park_geometry(p.geometry) for p in cn.parks),
        unit_infos=_unit_infos(gg, units), best_edge=best_edge_per_node(gg),
    )


def prepare_inputs(net: Any) -> GapInputs:
    """The analysis inputs of a :class:`parcs.artifact.Network` or a compiled network.

    Raises
    ------
    TypeError
        For any other object.
    DataError
        When a park unit has no access node in the network.
    """
    if isinstance(net, GapInputs):
        return net
    if hasattr(net, "graph") and hasattr(net, "parks"):
        return _from_network(net)
    if hasattr(net, "edge_way") and callable(getattr(net, "cached", None)):
        inputs: GapInputs = net.cached(("routing.gaps.analysis.inputs",), lambda: _from_compiled(net))
        return inputs
    raise TypeError(f"expected a Network or a CompiledNetwork, not {type(net).__name__}")

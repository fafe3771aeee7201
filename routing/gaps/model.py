"""Frozen results of the missing-link analysis and their JSON-ready dictionaries.

Geometries are kept in EPSG:2154 (shapely); ``to_dict()`` gives GeoJSON geometries in WGS84 with
coordinates rounded to 6 decimals, distances in metres rounded to 0.1 m and ``None`` for
"no such path".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from parcs._errors import InvalidRequestError
from routing.geo import to_wgs84

#: Candidate sources and classes.
SOURCES = ("connector", "proximity", "planned")
CLASSES = ("bridge", "shortcut", "planned")
#: French labels of the classes (for tables and maps).
CLASS_LABELS_FR = {"bridge": "pont entre tronçons", "shortcut": "raccourci", "planned": "section en projet"}
SOURCE_LABELS_FR = {"connector": "liaison non aménagée", "proximity": "proximité", "planned": "véloroute en projet"}


def num(value: float | None, digits: int = 1) -> float | None:
    """A finite float rounded, or ``None``.

    >>> num(1.234), num(float("inf")), num(None)
    (1.2, None, None)
    """
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def geojson_wgs84(geom: BaseGeometry | None) -> dict[str, Any] | None:
    """A GeoJSON geometry in WGS84 (6 decimals) of an EPSG:2154 geometry."""
    if geom is None or geom.is_empty:
        return None

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), 6)

    out: dict[str, Any] = json.loads(shapely.to_geojson(shapely.transform(geom, project)))
    return out


@dataclass(frozen=True)
class GapsParams:
    """Parameters of :func:`routing.gaps.analysis.analyse_gaps` (see there)."""

    max_gap_m: float = 300.0
    min_detour_m: float = 2000.0
    top: int | None = None
    sample_step_m: float | None = 100.0
    decluster_m: float = 100.0
    disconnected_factor: float = 2.0
    population_weight: float = 1.0
    min_link_m: float = 10.0
    sources: tuple[str, ...] = SOURCES
    rank_by: str = "benefit_per_m"
    redundancy: float = 0.25
    keep_zero_benefit: bool = False

    def validate(self) -> None:
        """Raise :class:`InvalidRequestError` for a bad value."""
        positive = {"max_gap_m": self.max_gap_m, "min_detour_m": self.min_detour_m,
                    "decluster_m": self.decluster_m, "min_link_m": self.min_link_m}
        for name, value in positive.items():
            if not math.isfinite(value) or value <= 0:
                raise InvalidRequestError(f"{name} : nombre positif attendu, pas {value}")
        if self.sample_step_m is not None and (not math.isfinite(self.sample_step_m) or self.sample_step_m <= 0):
            raise InvalidRequestError(f"sample_step_m : positif ou None attendu, pas {self.sample_step_m}")
        if not math.isfinite(self.disconnected_factor) or self.disconnected_factor < 1:
            raise InvalidRequestError(f"disconnected_factor : au moins 1 attendu, pas {self.disconnected_factor}")
        if not math.isfinite(self.population_weight) or self.population_weight < 0:
            raise InvalidRequestError(f"population_weight : positif ou nul attendu, pas {self.population_weight}")
        if self.top is not None and (not isinstance(self.top, int) or self.top < 0):
            raise InvalidRequestError(f"top : entier positif ou nul ou None attendu, pas {self.top!r}")
        bad = [s for s in self.sources if s not in SOURCES]
        if bad:
            raise InvalidRequestError(f"source de liaisons inconnue {bad[0]!r} (connues : {', '.join(SOURCES)})")
        if not 0.0 <= self.redundancy <= 1.0:
            raise InvalidRequestError(f"redundancy : entre 0 et 1 attendu, pas {self.redundancy}")
        if self.rank_by not in ("benefit_per_m", "benefit"):
            raise InvalidRequestError(f"rank_by : 'benefit_per_m' ou 'benefit' attendu, pas {self.rank_by!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return {
            "max_gap_m": self.max_gap_m, "min_detour_m": self.min_detour_m, "top": self.top,
            "sample_step_m": self.sample_step_m, "decluster_m": self.decluster_m,
            "disconnected_factor": self.disconnected_factor, "population_weight": self.population_weight,
            "min_link_m": self.min_link_m, "sources": list(self.sources), "rank_by": self.rank_by,
            "redundancy": self.redundancy,
        }


@dataclass(frozen=True)
class ParkUnit:
    """A park unit as the analysis sees it: access nodes (graph ids) and greenway components."""

    id: str
    name: str
    access_nodes: tuple[Any, ...]
    components: tuple[str, ...]
    on_greenway: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"id": self.id, "name": self.name, "access_nodes": [_plain(n) for n in self.access_nodes],
                "components": list(self.components), "on_greenway": self.on_greenway}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class UnitPair:
    """Distances between two park units (``None``: no such path)."""

    a: str
    b: str
    a_name: str
    b_name: str
    greenway_m: float | None
    network_m: float | None
    straight_m: float
    detour_greenway: float | None
    detour_network: float | None
    linked: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "a": self.a, "b": self.b, "a_name": self.a_name, "b_name": self.b_name,
            "greenway_m": num(self.greenway_m), "network_m": num(self.network_m),
            "straight_m": num(self.straight_m), "detour_greenway": num(self.detour_greenway, 3),
            "detour_network": num(self.detour_network, 3), "linked": self.linked,
        }


@dataclass(frozen=True)
class GreenwayComponent:
    """A connected piece of the greenway-only network."""

    id: str
    length_m: float
    n_nodes: int
    n_edges: int
    units: tuple[str, ...]
    names: tuple[str, ...]
    geometry: BaseGeometry = field(repr=False, compare=False)

    def to_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        """JSON-ready (the geometry, possibly large, only on request)."""
        out: dict[str, Any] = {
            "id": self.id, "length_m": num(self.length_m), "length_km": num(self.length_m / 1000.0, 2),
            "n_nodes": self.n_nodes, "n_edges": self.n_edges, "units": list(self.units),
            "names": list(self.names),
        }
        if geometry:
            out["geometry"] = geojson_wgs84(self.geometry)
        return out


@dataclass(frozen=True)
class PairChange:
    """How the greenway-only distance between two units changes (``None``: not linked)."""

    a: str
    b: str
    a_name: str
    b_name: str
    before_m: float | None
    after_m: float | None
    gain_m: float
    newly_linked: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"a": self.a, "b": self.b, "a_name": self.a_name, "b_name": self.b_name,
                "before_m": num(self.before_m), "after_m": num(self.after_m), "gain_m": num(self.gain_m),
                "newly_linked": self.newly_linked}


@dataclass(frozen=True)
class Candidate:
    """A ranked candidate missing link."""

    id: str
    rank: int
    link_class: str
    source: str
    length_m: float
    benefit: float
    benefit_per_m: float
    unit_gain_m: float
    population_gain_m: float
    persons: int
    units: tuple[str, ...]
    pairs: tuple[PairChange, ...]
    components: tuple[str, ...]
    links: tuple[str, str]
    works_status: str
    reason: str
    alternatives: int
    geometry: BaseGeometry = field(repr=False, compare=False)

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        """JSON-ready; ``class`` is :attr:`link_class`."""
        out: dict[str, Any] = {
            "id": self.id, "rank": self.rank, "class": self.link_class,
            "class_fr": CLASS_LABELS_FR[self.link_class], "source": self.source,
            "length_m": num(self.length_m), "benefit": num(self.benefit),
            "benefit_per_m": num(self.benefit_per_m, 3), "unit_gain_m": num(self.unit_gain_m),
            "population_gain_m": num(self.population_gain_m), "persons": self.persons,
            "units": list(self.units), "pairs": [p.to_dict() for p in self.pairs],
            "components": list(self.components), "links": list(self.links),
            "works_status": self.works_status, "reason": self.reason, "alternatives": self.alternatives,
        }
        if geometry:
            out["geometry"] = geojson_wgs84(self.geometry)
        return out


@dataclass(frozen=True)
class ScenarioResult:
    """The unit-to-unit table once the chosen candidates are built."""

    candidate_ids: tuple[str, ...]
    length_m: float
    pairs: tuple[PairChange, ...]
    unit_gain_m: float
    population_gain_m: float
    linked_before: int
    linked_after: int

    @property
    def newly_linked(self) -> tuple[tuple[str, str], ...]:
        """Unit pairs the greenways link only after the scenario."""
        return tuple((p.a, p.b) for p in self.pairs if p.newly_linked)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "candidate_ids": list(self.candidate_ids), "length_m": num(self.length_m),
            "unit_gain_m": num(self.unit_gain_m), "population_gain_m": num(self.population_gain_m),
            "linked_before": self.linked_before, "linked_after": self.linked_after,
            "newly_linked": [list(p) for p in self.newly_linked], "pairs": [p.to_dict() for p in self.pairs],
        }


@dataclass(frozen=True)
class GapsReport:
    """The result of :func:`routing.gaps.analysis.analyse_gaps`."""

    params: GapsParams
    units: tuple[ParkUnit, ...]
    unit_pairs: tuple[UnitPair, ...]
    components: tuple[GreenwayComponent, ...]
    candidates: tuple[Candidate, ...]
    n_candidates: int
    greenway_km: float | None = None
    _context: Any = field(default=None, repr=False, compare=False)

    def candidate(self, cid: str) -> Candidate:
        """A shown candidate by id (:class:`InvalidRequestError` if unknown or beyond ``top``)."""
        for c in self.candidates:
            if c.id == cid.strip().upper():
                return c
        raise InvalidRequestError(f"identifiant de liaison inconnu {cid!r}")

    def summary(self) -> dict[str, Any]:
        """Headline figures."""
        classes = {k: sum(c.link_class == k for c in self.candidates) for k in CLASSES}
        return {
            "units": len(self.units), "unit_pairs": len(self.unit_pairs),
            "pairs_linked": sum(p.linked for p in self.unit_pairs),
            "components": len(self.components),
            # inside the perimeter, as `parcs stats` (the components also count the 2 km margin)
            "greenway_km": num(self.greenway_km if self.greenway_km is not None
                               else sum(c.length_m for c in self.components) / 1000.0, 1),
            "largest_component_km": num(self.components[0].length_m / 1000.0, 1) if self.components else None,
            "candidates": self.n_candidates, "shown": len(self.candidates), "shown_by_class": classes,
        }

    def to_dict(self, *, geometry: bool = True, component_geometry: bool = False) -> dict[str, Any]:
        """JSON-ready report (for ``GET /api/gaps``)."""
        return {
            "params": self.params.to_dict(), "summary": self.summary(),
            "units": [u.to_dict() for u in self.units],
            "unit_pairs": [p.to_dict() for p in self.unit_pairs],
            "components": [c.to_dict(geometry=component_geometry) for c in self.components],
            "candidates": [c.to_dict(geometry=geometry) for c in self.candidates],
        }

    def to_geojson(self) -> dict[str, Any]:
        """The shown candidates as a GeoJSON FeatureCollection (WGS84)."""
        feats = []
        for c in self.candidates:
            props = c.to_dict(geometry=False)
            props["pairs"] = "; ".join(f"{p.a_name} ↔ {p.b_name}" for p in c.pairs)
            feats.append({"type": "Feature", "geometry": geojson_wgs84(c.geometry), "properties": props})
        return {"type": "FeatureCollection", "features": feats}

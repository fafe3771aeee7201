"""Put a route's places on one piece of the network, from which the trip is possible.

The network may hold several *pieces* that no way usable by the profile joins
(:func:`routing.snap.pieces`): an OpenStreetMap extract keeps every connected piece, and a
cycling profile cannot use footways. A place given by coordinates is first snapped onto the
nearest usable way (:func:`routing.snap.snap`); when the places of a route do not all lie on one
piece, each coordinate place is snapped again onto every piece within its reach
(:func:`routing.snap.snap_by_piece`) and the piece every place can reach with the least total
snap distance is kept. When there is none, :class:`Disconnected` names two places that lie on
pieces no way joins, so that the answer can say so plainly rather than "no route".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from routing.compiled import CompiledNetwork
from routing.costs import CostOptions, edge_costs
from routing.geo import CRS, project_point
from routing.places import Place, place_at
from routing.snap import LAYER_SLACK_M, Anchor, pieces, snap_by_piece

__all__ = ["Disconnected", "on_one_piece"]


class Disconnected(Exception):  # noqa: N818 - a signal between two modules, never shown
    """Places ``a`` and ``b`` lie on pieces of the network that no usable way joins."""

    def __init__(self, a: Place, b: Place) -> None:
        super().__init__(f"{a.label} / {b.label}")
        self.a, self.b = a, b


def _score(anchor: Anchor | None) -> float:
    if anchor is None:
        return 0.0
    return anchor.dist_m + (LAYER_SLACK_M if anchor.layer != 0 else 0.0)


def _options(cn: CompiledNetwork, place: Place, labels: np.ndarray, costs: np.ndarray, max_snap_m: float) -> dict[int, Anchor | None]:
    """The pieces a place can lie on, each with its anchor (``None``: the place's own nodes)."""
    if place.kind != "coordinates":
        return {int(labels[n]): None for n in place.candidates}
    x, y = project_point(place.lon, place.lat, crs=str(cn.info.get("crs", CRS)))
    out: dict[int, Anchor | None] = {}
    for a in snap_by_piece(cn, x, y, costs=costs, max_snap_m=max_snap_m):
        out.setdefault(a.piece, a)
    return out


def _on_piece(cn: CompiledNetwork, place: Place, piece: int, option: Anchor | None, labels: np.ndarray) -> Place:
    if place.kind == "coordinates" and option is not None:
        return place_at(cn, option, kind=place.kind, id=place.id, label=place.label, lon=place.lon, lat=place.lat)
    nodes = tuple(n for n in place.candidates if labels[n] == piece)
    if not nodes or nodes == place.candidates:
        return place
    return replace(place, node=nodes[0], candidates=nodes)


def _piece_of(place: Place, labels: np.ndarray) -> set[int]:
    if place.anchor is not None:
        return {place.anchor.piece}
    return {int(labels[n]) for n in place.candidates}


def on_one_piece(
    cn: CompiledNetwork, places: Sequence[Place], *, profile: str, max_snap_m: float, unsnapped: bool = False
) -> list[Place]:
    """The places, moved onto one piece of the network usable by ``profile`` (see the module doc).

    Parameters
    ----------
    cn
        The compiled network.
    places
        The route's places in order (coordinates already snapped for ``profile``).
    profile
        The profile whose usable ways make the pieces.
    max_snap_m
        Farthest a coordinate place may be snapped.
    unsnapped
        Snap coordinate places again for ``profile`` rather than start from their anchors.

    Raises
    ------
    Disconnected
        When no piece holds them all (naming two places that cannot be joined).
    """
    costs = edge_costs(cn, CostOptions(profile))
    labels = pieces(cn, costs)
    if not unsnapped and set.intersection(*(_piece_of(p, labels) for p in places)):
        return list(places)
    options = [_options(cn, p, labels, costs, max_snap_m) for p in places]
    common = set.intersection(*(set(o) for o in options))
    if not common:
        raise Disconnected(*_pair(places, options))
    best = min(sorted(common), key=lambda c: sum(_score(o[c]) for o in options))
    return [_on_piece(cn, p, best, o[best], labels) for p, o in zip(places, options, strict=True)]


def _pair(places: Sequence[Place], options: Sequence[dict[int, Anchor | None]]) -> tuple[Place, Place]:
    """Two places whose pieces cannot be joined: the first that no piece shares with all those
    before it, and the first of those it shares no piece with (else the origin)."""
    shared = set(options[0])
    for i in range(1, len(places)):
        if not shared & set(options[i]):
            j = next((j for j in range(i) if not set(options[j]) & set(options[i])), 0)
            return places[j], places[i]
        shared &= set(options[i])
    return places[0], places[-1]

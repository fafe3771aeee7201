"""French turn-by-turn directions by named segment.

Consecutive edges with the same name (or, unnamed, of the same kind) make one step ("Suivre la
Véloroute du bassin minier sur 3,2 km"), the data's raw names made readable by
:func:`routing.naming.readable_name`; runs shorter than :data:`MIN_STEP_M` (the 10 m links
the data leave at junctions) are folded into their neighbour. At each change the turn is read
from the bearings of the ~20 m before and after the junction: *tout droit* under 20°,
*légèrement* under 60°, *à gauche/à droite* under 150°, *demi-tour* beyond. Connectors read
"la liaison non aménagée (rue ou chemin)".
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt

from parcs.schema import KINDS
from routing.compiled import CompiledNetwork
from routing.fmt import fr_distance
from routing.naming import network_names
from routing.places import normalize

__all__ = ["Step", "article", "describe_way", "directions", "turn_phrase"]

#: Distance over which the bearing at a junction is measured (m).
BEARING_SPAN_M = 20.0
#: Runs shorter than this are folded into the previous step (m).
MIN_STEP_M = 30.0
CONNECTOR_LABEL = "la liaison non aménagée (rue ou chemin)"

_FEMININE = frozenset(
    ["veloroute", "voie", "rue", "route", "avenue", "allee", "piste", "boucle", "promenade", "trame", "coulee", "chaussee", "place", "velomaritime", "liaison", "digue", "vallee", "ceinture", "traverse", "rocade", "ruelle", "impasse", "sente", "base", "cite", "fosse", "gare"]
)
_MASCULINE = frozenset(
    ["chemin", "sentier", "cavalier", "boulevard", "quai", "parcours", "circuit", "canal", "halage", "tour", "gr", "pont", "passage", "raccordement", "faisceau", "reseau", "parc", "mail", "cours", "rond", "terril", "bois", "marais", "val"]
)


class Step(NamedTuple):
    """One step: what to follow, after which turn, over what distance.

    An immutable typed record (a named tuple: a route has a score of them, built three times
    faster than frozen dataclass instances).
    """

    instruction: str
    distance_m: float
    start_m: float
    name: str
    kind: str
    turn: str
    edges: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (edges left out)."""
        return {
            "instruction": self.instruction, "distance_m": round(self.distance_m, 1),
            "start_m": round(self.start_m, 1), "name": self.name, "kind": self.kind,
            "turn": self.turn,
        }


def article(words: str) -> str:
    """The French definite article for a way name or label ('' when unknown).

    >>> article("Véloroute du bassin minier"), article("cavalier minier"), article("EuroVelo 5")
    ('la ', 'le ', "l'")
    >>> article("Trouée 42")
    ''
    """
    key = normalize(words)
    first = key.split(" ", 1)[0] if key else ""
    if not first:
        return ""
    if first in _FEMININE:
        return "la "
    if first in _MASCULINE:
        return "le "
    if first[0] in "aeiouy" or first in ("halage", "hippodrome"):
        return "l'"
    return ""


@functools.lru_cache(maxsize=4096)
def describe_way(name: str, kind: str) -> str:
    """How a segment is named in an instruction.

    >>> describe_way("Véloroute du bassin minier", "veloroute")
    'la Véloroute du bassin minier'
    >>> describe_way("", "cavalier"), describe_way("Trouée 42", "voie_verte")
    ('le cavalier minier', 'la voie verte « Trouée 42 »')
    >>> describe_way("", "connector")
    'la liaison non aménagée (rue ou chemin)'
    """
    if kind == "connector":
        return CONNECTOR_LABEL
    label = KINDS[kind].label_fr if kind in KINDS else kind.replace("_", " ")
    if not name:
        return f"{article(label)}{label}"
    art = article(name)
    if art:
        return f"{art}{name}"
    return f"{article(label)}{label} « {name} »"


def turn_phrase(angle: float) -> str:
    """French phrase of a signed turn angle (negative: left).

    >>> turn_phrase(5), turn_phrase(-40), turn_phrase(95), turn_phrase(170)
    ('continuer tout droit', 'tourner légèrement à gauche', 'tourner à droite', 'faire demi-tour')
    """
    a = abs(angle)
    if a < 20:
        return "continuer tout droit"
    if a < 60:
        return "tourner légèrement à gauche" if angle < 0 else "tourner légèrement à droite"
    if a < 150:
        return "tourner à gauche" if angle < 0 else "tourner à droite"
    return "faire demi-tour"


#: The turn phrases capitalised, to start a sentence.
_CAPITALISED = {
    t: t.capitalize()
    for t in (turn_phrase(a) for a in (0.0, -40.0, 40.0, -90.0, 90.0, 180.0))
}


def _end_bearings(cn: CompiledNetwork) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Bearing of the first and of the last ~20 m of every edge (cached on the network)."""

    def make() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        first, last = cn.geom_offsets[:-1], cn.geom_offsets[1:] - 1
        n = np.diff(cn.geom_offsets)
        owner = np.repeat(np.arange(cn.n_edges), n)
        length = cn.geom_d[last]
        # farthest vertex within the span from each end (at least the neighbouring vertex)
        near_start = np.where(cn.geom_d <= BEARING_SPAN_M, np.arange(cn.geom_d.size), -1)
        j = np.maximum(np.maximum.reduceat(near_start, first) if first.size else first, first + 1)
        j = np.minimum(np.where(j < 0, first + 1, j), last)
        # for the end: the last vertex at least BEARING_SPAN_M before the end, else the first
        before = np.where(cn.geom_d <= (length - BEARING_SPAN_M)[owner], np.arange(cn.geom_d.size), -1)
        i = np.maximum.reduceat(before, first) if first.size else first
        i = np.minimum(np.where(i < first, first, i), last - 1)
        b_start = np.degrees(np.arctan2(cn.geom_x[j] - cn.geom_x[first], cn.geom_y[j] - cn.geom_y[first])) % 360
        b_end = np.degrees(np.arctan2(cn.geom_x[last] - cn.geom_x[i], cn.geom_y[last] - cn.geom_y[i])) % 360
        return b_start, b_end

    return cn.cached(("end_bearings",), make)


@dataclass(frozen=True)
class _EdgeWords:
    """Per edge (cached on the network): run key (same name, or same kind when unnamed), kind,
    readable name (:func:`routing.naming.readable_name`), how an instruction names it, and the bearings of its ends; lists, since a step reads
    a handful of them."""

    run_key: npt.NDArray[np.int64]
    kind: list[str]
    name: list[str]
    label: list[str]
    b_start: list[float]
    b_end: list[float]


def _edge_words(cn: CompiledNetwork) -> _EdgeWords:
    def make() -> _EdgeWords:
        b_start, b_end = _end_bearings(cn)
        readable = network_names(cn)
        # raw names that read the same make one run: key by the readable name's first code
        first = {r: i for i, r in reversed(list(enumerate(readable)))}
        same = np.asarray([first[r] if r else 0 for r in readable], dtype=np.int64)
        name = same[cn.edge_name.astype(np.int64)]
        key = np.where(name > 0, name * 1024, cn.edge_kind.astype(np.int64) - 1024)
        key.flags.writeable = False
        kinds = [cn.kinds[k] for k in cn.edge_kind.tolist()]
        names = [readable[k] for k in cn.edge_name.tolist()]
        labels = [describe_way(n, k) for n, k in zip(names, kinds, strict=True)]
        return _EdgeWords(key, kinds, names, labels, b_start.tolist(), b_end.tolist())

    return cn.cached(("edge_words",), make)


def _runs(words: _EdgeWords, edges: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """Start positions and keys of the runs of consecutive edges with the same name (same kind
    if unnamed)."""
    key = words.run_key[edges]
    cut = (key[1:] != key[:-1]).nonzero()[0]
    starts = np.empty(cut.size + 1, dtype=np.intp)
    starts[0] = 0
    np.add(cut, 1, out=starts[1:])
    return starts, key[starts]


def unmapped_sentence(target: str, *, straight_m: float) -> str:
    """The instruction of an unmapped link: where it leads, how far as the crow flies, unmapped.

    >>> unmapped_sentence("la Véloroute du bassin minier", straight_m=1200.0)
    "Rejoindre la Véloroute du bassin minier, à 1,2 km à vol d'oiseau, par les rues : tracé non cartographié"
    """
    return f"Rejoindre {target}, à {fr_distance(straight_m)} à vol d'oiseau, par les rues : tracé non cartographié"


def _sentence(first: bool, turn: str, what: str, dist: str, connector: bool) -> str:
    if first:
        return f"{'Prendre' if connector else 'Suivre'} {what} sur {dist}"
    if connector:
        prefix = "Continuer et prendre" if turn == "continuer tout droit" else f"{_CAPITALISED[turn]} et prendre"
        return f"{prefix} {what} sur {dist}"
    return f"{_CAPITALISED[turn]} sur {what} pendant {dist}"


#: A run of edges: ``[lo, hi, key, dist, head, anchor]``. ``head`` is the edge naming the run (its
#: first edge before a short first run was folded in), ``anchor`` its last edge before short runs
#: were folded into it.
_Run: TypeAlias = list[Any]


def _collapse(runs: list[_Run]) -> list[_Run]:
    """Fold runs shorter than :data:`MIN_STEP_M` into the previous run (a short first run into
    the next), joining neighbours that end up with the same name."""
    out: list[_Run] = []
    for r in runs:
        if out and r[3] < MIN_STEP_M:
            out[-1][1], out[-1][3] = r[1], out[-1][3] + r[3]
        elif out and out[-1][2] == r[2]:
            out[-1][1], out[-1][3], out[-1][5] = r[1], out[-1][3] + r[3], r[5]
        elif len(out) == 1 and out[0][3] < MIN_STEP_M:
            r[0], r[3] = out[0][0], r[3] + out[0][3]
            out[0] = r
        else:
            out.append(r)
    return out


def directions(cn: CompiledNetwork, edges: Sequence[int]) -> tuple[Step, ...]:
    """The steps of a path given as edge indices in travel order.

    Returns
    -------
    tuple of Step
        One per run of edges of one name (of one kind when unnamed), runs shorter than
        :data:`MIN_STEP_M` folded into the previous one; empty for an empty path.
    """
    arr = np.asarray(edges, dtype=np.int64)
    if arr.size == 0:
        return ()
    return path_directions(cn, arr, arr.tolist())


def path_directions(
    cn: CompiledNetwork, arr: npt.NDArray[np.int64], flat: list[int], *, lengths: npt.NDArray[np.float64] | None = None
) -> tuple[Step, ...]:
    """:func:`directions` of a non-empty path given both as an array and as a list (``lengths``:
    the metres run on each edge when some are cut, default their lengths)."""
    words = _edge_words(cn)
    starts, keys = _runs(words, arr)
    lows = starts.tolist()
    highs = [*lows[1:], arr.size]
    dists = np.add.reduceat(cn.edge_length[arr] if lengths is None else lengths, starts).tolist()
    runs = _collapse([
        [lo, hi, key, d, flat[lo], flat[hi - 1]]
        for lo, hi, key, d in zip(lows, highs, keys.tolist(), dists, strict=True)
    ])
    kinds, names, labels, b_start, b_end = words.kind, words.name, words.label, words.b_start, words.b_end
    out = []
    start = 0.0
    turn = ""
    for k, (lo, hi, _, dist, e0, _) in enumerate(runs):
        kind = kinds[e0]
        if k:
            turn = turn_phrase((b_start[e0] - b_end[runs[k - 1][5]] + 180.0) % 360.0 - 180.0)
        if kind == "unmapped":
            text = unmapped_sentence(
                labels[runs[k + 1][4]] if k + 1 < len(runs) else "l'arrivée",
                straight_m=float(cn.edge_straight[arr[lo:hi]].sum()),
            )
        else:
            text = _sentence(k == 0, turn, labels[e0], fr_distance(dist), kind == "connector")
        out.append(Step(text, dist, start, names[e0], kind, turn, tuple(flat[lo:hi])))
        start += dist
    return tuple(out)


def directions_text(steps: Sequence[Step]) -> str:
    """All steps in one French sentence ("…, puis tourner à gauche sur …")."""
    parts = [s.instruction if i == 0 else s.instruction[:1].lower() + s.instruction[1:] for i, s in enumerate(steps)]
    return ", puis ".join(parts) + ("." if parts else "")

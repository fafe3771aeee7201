"""French wording of the missing-link analysis: distances, greenway labels, one-line reasons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routing.gaps.graph import GapGraph, IntArray

#: Generic names the sources give to unnamed ways: the kind reads better.
GENERIC_NAMES = {"", "cavalier minier", "véloroute", "voie verte", "chemin", "sentier"}

#: Kind → (phrase with article, phrase after "à" / "au").
KIND_PHRASES: dict[str, tuple[str, str]] = {
    "eurovelo": ("l'EuroVelo", "à l'EuroVelo"),
    "veloroute": ("la véloroute", "à la véloroute"),
    "voie_verte": ("la voie verte", "à la voie verte"),
    "cavalier": ("le cavalier minier", "au cavalier minier"),
    "towpath": ("le chemin de halage", "au chemin de halage"),
    "track": ("le chemin", "au chemin"),
    "path": ("le sentier", "au sentier"),
    "advised_route": ("l'itinéraire conseillé", "à l'itinéraire conseillé"),
    "connector": ("la liaison non aménagée", "à la liaison non aménagée"),
}


def fr_distance(metres: float) -> str:
    """A distance in French: ``180 m``, ``4,2 km``.

    >>> fr_distance(183.0), fr_distance(4230.0), fr_distance(3.2), fr_distance(12500.0)
    ('180 m', '4,2 km', '3 m', '12,5 km')
    """
    if metres < 100:
        return f"{round(metres):d} m"
    if metres < 1000:
        return f"{round(metres, -1):.0f} m"
    return f"{metres / 1000:.1f} km".replace(".", ",")


def fr_int(value: float) -> str:
    """An integer with French thousands separators (narrow no-break space).

    >>> fr_int(12345.4)
    '12\\u202f345'
    """
    return f"{round(value):,d}".replace(",", "\u202f")


@dataclass(frozen=True)
class Label:
    """How a point of the network reads in a sentence: ``le cavalier minier`` / ``au …``."""

    subject: str
    to: str

    @staticmethod
    def of_edge(kind: str, name: str) -> Label:
        """The label of an edge: its name in guillemets, or its kind with an article."""
        clean = name.strip().lstrip("?").strip()
        if clean.lower() not in GENERIC_NAMES:
            return Label(f"« {clean} »", f"à « {clean} »")
        subject, to = KIND_PHRASES.get(kind, ("le réseau", "au réseau"))
        return Label(subject, to)


def best_edge_per_node(gg: GapGraph) -> IntArray:
    """For every node, its most telling greenway edge (named first, then longest); ``-1`` if none."""
    g = np.flatnonzero(gg.greenway)
    nodes = np.concatenate([gg.eu[g], gg.ev[g]])
    edges = np.concatenate([g, g])
    named = np.array([str(n).strip().lower() not in GENERIC_NAMES for n in gg.name[edges]], dtype=bool)
    order = np.lexsort((-gg.length[edges], ~named, nodes))
    nodes, edges = nodes[order], edges[order]
    first = np.r_[True, nodes[1:] != nodes[:-1]] if len(nodes) else np.zeros(0, bool)
    out = np.full(gg.n_nodes, -1, dtype=np.intp)
    out[nodes[first]] = edges[first]
    return out


@dataclass(frozen=True)
class Effect:
    """What a candidate changes, for the reason sentence."""

    pair: tuple[str, str] | None
    gain_m: float
    newly_linked: bool
    after_m: float | None
    more_pairs: int
    persons: float


def effect_text(effect: Effect) -> str:
    """The second half of a reason.

    >>> effect_text(Effect(("Loisinord", "Parc des Îles"), 4200.0, False, 9000.0, 0, 0.0))
    'raccourcit de 4,2 km le trajet Loisinord ↔ Parc des Îles'
    """
    if effect.pair is not None and effect.gain_m > 0:
        a, b = effect.pair
        if effect.newly_linked and effect.after_m is not None:
            text = f"relie enfin par voie verte {a} ↔ {b} ({fr_distance(effect.after_m)})"
        else:
            text = f"raccourcit de {fr_distance(effect.gain_m)} le trajet {a} ↔ {b}"
        if effect.more_pairs:
            s = "s" if effect.more_pairs > 1 else ""
            text += f" (et {effect.more_pairs} autre{s} trajet{s} entre unités)"
        return text
    if effect.persons > 0:
        return f"rapproche {fr_int(effect.persons)} habitants des unités de parc"
    return "aucun gain mesuré pour les unités de parc"


def reason_text(
    source: str, length_m: float, a: Label, b: Label, effect: Effect, *, works_status: str = "",
    section: str = "", bridge: bool = False,
) -> str:
    """The French one-line reason of a candidate.

    >>> reason_text("proximity", 180.0, Label.of_edge("cavalier", "Cavalier de Marles"),
    ...             Label.of_edge("towpath", ""), Effect(("A", "B"), 4200.0, False, 1.0, 0, 0.0))
    'Relie « Cavalier de Marles » au chemin de halage : 180 m à créer, raccourcit de 4,2 km le trajet A ↔ B'
    """
    eff = effect_text(effect)
    if source == "planned":
        what = f"Section en projet {section}".rstrip()
        status = f" ({works_status.strip()})" if works_status.strip() else ""
        return f"{what}{status} : {fr_distance(length_m)} à aménager, {eff}"
    if source == "connector":
        between = f"deux tronçons de {a.subject}" if a.subject == b.subject else f"{a.subject} et {b.subject}"
        return f"Liaison non aménagée entre {between} : {fr_distance(length_m)} à aménager, {eff}"
    if length_m < 5.0:
        return f"Jonction manquante entre {a.subject} et {b.subject} (croisement sans raccordement) : {eff}"
    if a.subject == b.subject:
        what = f"Relie deux tronçons séparés de {a.subject}" if bridge else f"Raccourci sur {a.subject}"
        return f"{what} : {fr_distance(length_m)} à créer, {eff}"
    return f"Relie {a.subject} {b.to} : {fr_distance(length_m)} à créer, {eff}"

"""The texts of the missing-links page (``/liaisons``) in each language; the site-wide ones are
in :mod:`webapp.i18n`, the analysis' own (reasons, French class labels) in :mod:`routing.gaps`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from routing.bounds import MAX_TOP
from routing.gaps.model import CLASS_LABELS_FR

#: Class labels by language (French: the analysis' own labels, as in ``parcs gaps``).
CLASS_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "fr": CLASS_LABELS_FR,
    "en": {"bridge": "bridge between components", "shortcut": "shortcut",
           "planned": "planned section"},
})

#: The page's messages (the site-wide ones are in :mod:`webapp.i18n`).
MESSAGES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "fr": {
        "title": "Liaisons manquantes",
        "intro": "Où la Chaîne des parcs est interrompue, et quelles liaisons nouvelles la "
        "relieraient le mieux : les liaisons candidates classées par bénéfice par mètre à créer, "
        "les distances entre unités de parc par les seules voies vertes et les composantes du "
        "réseau vert.",
        "sum_greenway": "Réseau vert",
        "sum_components": "Composantes",
        "sum_pairs": "Paires d'unités reliées par voie verte",
        "sum_candidates": "Liaisons candidates",
        "map_components": "Composantes du réseau vert",
        "map_candidates": "Liaisons candidates (classées)",
        "map_perimeter": "Périmètre",
        "legend_components": "composantes du réseau vert",
        "candidates_title": "Liaisons candidates",
        "candidates_caption": "Les {shown} premières sur {total}, par bénéfice par mètre à créer "
        "(gain de distance entre unités et pour les habitants).",
        "col_choose": "Scénario",
        "col_rank": "Rang",
        "col_class": "Classe",
        "col_length": "Longueur",
        "col_benefit": "Bénéfice",
        "col_per_m": "par m",
        "col_units": "Unités rapprochées",
        "col_reason": "Pourquoi",
        "choose": "Ajouter {id} au scénario",
        "scenario_hint": "Cochez des liaisons puis calculez le scénario : les distances entre "
        "unités sont recalculées avec ces liaisons ajoutées au réseau vert.",
        "scenario_submit": "Calculer le scénario",
        "scenario_reset": "Effacer le scénario",
        "scenario_title": "Scénario : {ids}",
        "sc_length": "À créer ou aménager",
        "sc_gain": "Distance gagnée entre unités",
        "sc_linked": "Paires reliées par voie verte",
        "sc_new": "Nouvelles paires reliées",
        "sc_none": "Ces liaisons ne rapprochent aucune paire d'unités.",
        "sc_pairs": "Trajets entre unités améliorés",
        "col_before": "Avant",
        "col_after": "Après",
        "newly_linked": "nouvelle liaison",
        "table_title": "Distances entre unités de parc",
        "table_caption": "{n} paires d'unités : distance par les seules voies vertes, avec les "
        "liaisons non aménagées et les routes conseillées, en ligne droite ; détour = distance "
        "par voie verte ÷ ligne droite.",
        "col_a": "Unité A",
        "col_b": "Unité B",
        "col_greenway": "Voie verte seule",
        "col_network": "Avec liaisons",
        "col_straight": "Ligne droite",
        "col_detour": "Détour",
        "col_linked": "Reliées",
        "yes": "oui",
        "no": "non",
        "components_title": "Composantes du réseau vert",
        "components_caption": "Les morceaux d'un seul tenant du réseau de voies vertes, du plus "
        "long au plus court, et les unités de parc qu'ils desservent.",
        "col_component": "Composante",
        "col_comp_units": "Unités desservies",
        "col_names": "Voies principales",
        "downloads": "Télécharger",
        "download_json": "Le rapport en JSON (API)",
        "reasons_note": "",
    },
    "en": {
        "title": "Missing links",
        "intro": "Where the Chaîne des parcs is broken, and which new links would join it best: "
        "candidate links ranked by benefit per metre built, distances between park units on "
        "greenways alone, and the components of the greenway network.",
        "sum_greenway": "Greenway network",
        "sum_components": "Components",
        "sum_pairs": "Unit pairs linked by greenways",
        "sum_candidates": "Candidate links",
        "map_components": "Greenway components",
        "map_candidates": "Candidate links (ranked)",
        "map_perimeter": "Perimeter",
        "legend_components": "greenway components",
        "candidates_title": "Candidate links",
        "candidates_caption": "The first {shown} of {total}, by benefit per metre built "
        "(distance saved between units and for the inhabitants).",
        "col_choose": "Scenario",
        "col_rank": "Rank",
        "col_class": "Class",
        "col_length": "Length",
        "col_benefit": "Benefit",
        "col_per_m": "per m",
        "col_units": "Units brought closer",
        "col_reason": "Why",
        "choose": "Add {id} to the scenario",
        "scenario_hint": "Tick links, then compute the scenario: the distances between units are "
        "recomputed with these links added to the greenway network.",
        "scenario_submit": "Compute the scenario",
        "scenario_reset": "Clear the scenario",
        "scenario_title": "Scenario: {ids}",
        "sc_length": "To build or improve",
        "sc_gain": "Distance saved between units",
        "sc_linked": "Pairs linked by greenways",
        "sc_new": "Pairs newly linked",
        "sc_none": "These links bring no pair of units closer.",
        "sc_pairs": "Journeys between units improved",
        "col_before": "Before",
        "col_after": "After",
        "newly_linked": "newly linked",
        "table_title": "Distances between park units",
        "table_caption": "{n} pairs of units: distance on greenways alone, with unimproved "
        "connectors and advised roads, as the crow flies; detour = greenway distance ÷ "
        "straight line.",
        "col_a": "Unit A",
        "col_b": "Unit B",
        "col_greenway": "Greenways only",
        "col_network": "With connectors",
        "col_straight": "Straight line",
        "col_detour": "Detour",
        "col_linked": "Linked",
        "yes": "yes",
        "no": "no",
        "components_title": "Greenway components",
        "components_caption": "The connected pieces of the greenway network, longest first, and "
        "the park units they serve.",
        "col_component": "Component",
        "col_comp_units": "Units served",
        "col_names": "Main ways",
        "downloads": "Download",
        "download_json": "The report as JSON (API)",
        "reasons_note": "The reasons are written in French.",
    },
})

#: Hints shown under the title of a page error (the detail comes from the analysis).
ERROR_HINTS: Mapping[str, str] = MappingProxyType({
    "fr": "Vérifiez les liaisons choisies et le nombre de liaisons affichées "
    f"(au plus {MAX_TOP}).",
    "en": f"Check the links chosen and the number of links shown (at most {MAX_TOP}).",
})

"""A small dict-based translation layer: French by default, English on request.

The language of a request is ``?lang=fr|en`` when given, else the best match of the
``Accept-Language`` header, else French. Messages are looked up by key; a key missing from the
English table falls back to French, and a key missing everywhere is returned as is (and logged), so
a forgotten translation never breaks a page.

>>> translate("fr", "summary.distance")
'Distance'
>>> translate("en", "summary.distance")
'Distance'
>>> format_number("fr", 1234.5, 1)
'1\u202f234,5'
>>> format_duration("fr", 5100)
'1 h 25 min'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import LanguageAccept

logger = logging.getLogger(__name__)

#: Supported languages, the default first.
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_FR: dict[str, str] = {
    # site
    "site.title": "Chaîne des parcs",
    "site.tagline": "Itinéraires verts du Pôle Métropolitain de l'Artois",
    "nav.planner": "Planifier un itinéraire",
    "nav.parks": "Les parcs",
    "nav.api": "API",
    "nav.skip": "Aller au contenu",
    "nav.language": "English",
    "footer.data": "Données : Pôle Métropolitain de l'Artois, Mission Bassin Minier, ADAV, "
    "contributeurs OpenStreetMap.",
    # planner form
    "form.title": "Votre itinéraire",
    "form.edit": "Modifier l'itinéraire",
    "form.from": "Départ",
    "form.to": "Arrivée",
    "form.place_hint": "Un parc, une gare, un lieu, une commune, ou cliquez sur la carte",
    "form.click_target": "Un clic sur la carte choisit",
    "form.click_from": "le départ",
    "form.click_to": "l'arrivée",
    "form.swap": "Inverser départ et arrivée",
    "form.locate": "Ma position",
    "form.locating": "Localisation…",
    "form.locate_error": "Position indisponible",
    "form.profile": "Mode",
    "profile.walk": "Marche",
    "profile.bike": "Vélo",
    "profile.family": "Famille",
    "form.constraints": "Contraintes",
    "form.max_grade": "Pente max (%)",
    "form.max_climb": "Dénivelé positif max (m)",
    "form.avoid_connector": "Éviter les liaisons non aménagées",
    "form.via_category": "Passer par un type de lieu",
    "form.via_category_none": "— aucun —",
    "form.more": "Options avancées",
    "form.via": "Étapes (une par ligne)",
    "form.along": "Longer des lieux (catégorie:mètres, séparés par des virgules)",
    "form.stop_at": "Arrêts à des lieux (identifiants, p. ex. terril:T074, séparés par des virgules)",
    "form.prefer": "Préférence pour les voies vertes",
    "form.alternatives": "Nombre d'itinéraires proposés",
    "form.submit": "Calculer l'itinéraire",
    "form.reset": "Effacer",
    # results
    "result.title": "Résumé",
    "result.direct": "Le plus direct",
    "form.streets": "Liaisons non cartographiées",
    "form.streets_estimated": "proposer une option directe",
    "form.streets_none": "jamais",
    "form.max_estimated_m": "Au plus (m à vol d'oiseau)",
    "result.direct_intro": "Une option plus directe passe par des liaisons non cartographiées (longueur estimée) :",
    "summary.crow": "À vol d'oiseau",
    "result.none": "Choisissez un départ et une arrivée, puis lancez le calcul.",
    "result.alternative": "Variante {n}",
    "result.main": "Itinéraire proposé",
    "summary.distance": "Distance",
    "summary.duration": "Durée",
    "summary.climb": "Dénivelé",
    "summary.greenway_share": "Part en voie verte",
    "summary.connector_km": "Liaisons non aménagées",
    "summary.max_grade": "Pente max",
    "summary.parks": "Parcs traversés",
    "summary.parks_none": "aucun",
    "summary.by_kind": "Par type de voie",
    "summary.pois": "Lieux le long du parcours",
    "summary.warnings": "À savoir",
    "profile.title": "Profil altimétrique",
    "profile.desc": "Altitude de {zmin} m à {zmax} m sur {dist} ; dénivelé +{climb} m / −{descent} m.",
    "profile.axis_d": "distance (km)",
    "profile.axis_z": "altitude (m)",
    "directions.title": "Feuille de route",
    "downloads.title": "Télécharger",
    "downloads.gpx": "Trace GPX (GPS, applications de randonnée)",
    "downloads.geojson": "GeoJSON (SIG)",
    "downloads.link": "Lien de cet itinéraire",
    # map
    "map.label": "Carte interactive",
    "map.parks": "Parcs de la chaîne",
    "map.perimeter": "Périmètre",
    "map.route": "Itinéraire",
    "map.alternative": "Variante {n}",
    "map.alternatives": "Variantes",
    "map.pois": "Lieux le long du parcours",
    "map.endpoints": "Départ et arrivée",
    "map.access": "Points d'accès",
    "map.stations": "Gares",
    "map.park_numbers": "Numéros des parcs",
    "map.start": "Départ",
    "map.end": "Arrivée",
    "map.stop": "Étape {n}",
    "map.greenway": "voie verte",
    "map.connector": "liaison non aménagée",
    "map.unmapped": "liaison non cartographiée : tracé estimé, à vérifier sur place",
    "map.road": "itinéraire conseillé sur route partagée",
    "map.legend": "Légende",
    "map.noscript": "La carte nécessite JavaScript ; le résumé et la feuille de route restent "
    "disponibles ci-dessous.",
    # parks page
    "parks.title": "Les parcs de la chaîne",
    "parks.intro": "Les unités de la Chaîne des parcs, leurs activités et leurs points d'accès.",
    "parks.area": "Superficie",
    "parks.agglomeration": "Agglomération",
    "parks.communes": "Communes",
    "parks.activities": "Activités",
    "parks.access": "Points d'accès",
    "parks.go_from": "Partir de ce parc",
    "parks.go_to": "Aller à ce parc",
    # errors
    "error.title": "Erreur",
    "error.unknown_place": "Lieu inconnu",
    "error.ambiguous_place": "Lieu ambigu",
    "error.out_of_area": "Hors du territoire",
    "error.constraint": "Contrainte impossible à respecter",
    "error.no_route": "Aucun itinéraire trouvé",
    "error.invalid_request": "Demande incorrecte",
    "error.no_network": "Le réseau n'est pas disponible",
    "error.no_network_detail": "Le réseau d'itinéraires n'a pas encore été construit sur ce "
    "serveur (commande « make data »).",
    "error.network_damaged": "Le réseau est endommagé",
    "error.network_damaged_detail": "Le réseau d'itinéraires de ce serveur est endommagé. "
    "L'exploitant doit le reconstruire (« make data » ou « parcs build ») puis redémarrer le service.",
    "error.time_budget": "Demande trop longue à calculer",
    "error.time_budget_detail": "Le calcul a dépassé le temps alloué à une demande. Réessayez avec "
    "moins de lieux de passage, une distance plus courte ou une seule variante.",
    "error.not_found": "Page introuvable",
    "error.not_found_detail": "Cette adresse ne correspond à aucune page du site.",
    "error.method": "Méthode non autorisée",
    "error.too_large": "Demande trop volumineuse",
    "error.internal": "Erreur interne",
    "error.internal_detail": "Une erreur inattendue s'est produite ; elle a été enregistrée.",
    "error.http": "Erreur {code}",
    "error.back": "Retour au planificateur",
    "error.missing_endpoints": "Choisissez un départ et une arrivée.",
    # loops and circuits ("Boucles", "Circuits": webapp/loops_views.py, webapp/circuits_views.py)
    "nav.loops": "Boucles",
    "nav.circuits": "Circuits",
    "loops.title": "Boucles",
    "loops.intro": "Une balade qui revient à son point de départ, de la longueur ou de la durée "
    "voulue, en évitant de repasser par les mêmes voies.",
    "loops.start": "Départ et arrivée",
    "loops.start_hint": "Un parc, un lieu, une commune, ou cliquez sur la carte",
    "loops.distance": "Distance (km)",
    "loops.duration": "ou durée (min)",
    "loops.through": "Passer par (parcs ou lieux, séparés par des virgules)",
    "loops.variants": "Nombre de boucles proposées",
    "loops.seed": "Tirage (même nombre, même boucle)",
    "loops.submit": "Calculer la boucle",
    "loops.none": "Choisissez un départ et une distance (ou une durée), puis lancez le calcul.",
    "loops.result": "Boucle proposée",
    "loops.kind.lollipop": "Boucle en raquette proposée",
    "loops.kind.out_and_back": "Aller-retour proposé",
    "loops.kind_short.lollipop": "boucle en raquette",
    "loops.kind_short.out_and_back": "aller-retour",
    "loops.retraced": "{pct} parcourus deux fois",
    "loops.unmapped": "Liaisons non cartographiées",
    "loops.variant": "Variante {n}",
    "loops.error": "Écart à la cible",
    "loops.overlap": "Parcours en aller-retour",
    "loops.access": "Accès : {station} à {distance}",
    "loops.floor": "Le réseau autour du départ impose au moins {pct} d'aller-retour pour "
    "cette longueur.",
    "loops.other": "Proposer une autre boucle",
    "loops.visited": "Lieux sur le parcours",
    "loops.map_loop": "Boucle",
    "loops.map_start": "Départ et arrivée",
    "circuits.title": "Circuits",
    "circuits.intro": "Des circuits suggérés dans chaque unité de la Chaîne des parcs et entre "
    "elles, avec leur carnet de route imprimable et leur trace GPX.",
    "circuits.missing": "Le catalogue des circuits n'a pas encore été construit sur ce serveur "
    "(commande « parcs circuits build »).",
    "circuits.roadbook": "Carnet de route imprimable",
    "circuits.unavailable": "Indisponible",
    "circuits.count": "{ok} circuits disponibles sur {count}.",
    "circuits.pdf": "Carnet PDF (A4)",
    "circuits.catalogue_pdf": "Tout le catalogue en PDF (avec sommaire)",
    "circuits.stale": "Le catalogue des circuits a été calculé sur une autre version du réseau que "
    "celle de ce serveur : ses chiffres ne sont plus à jour et ne sont pas affichés. Reconstruisez-le "
    "(commande « parcs circuits build » ou « make data »).",
    "circuits.report": "Circuits écartés ou renommés par les règles du catalogue",
    "circuits.rule": "Promesse vérifiée",
    "downloads.pdf": "Imprimer / PDF (carnet de route A4)",
    "kind.unit-walk": "Boucle à pied",
    "kind.unit-bike": "Boucle à vélo",
    "kind.theme": "Circuit thématique",
}

_EN: dict[str, str] = {
    "site.title": "Chaîne des parcs",
    "site.tagline": "Green routes of the Pôle Métropolitain de l'Artois",
    "nav.planner": "Plan a route",
    "nav.parks": "The parks",
    "nav.api": "API",
    "nav.skip": "Skip to content",
    "nav.language": "Français",
    "footer.data": "Data: Pôle Métropolitain de l'Artois, Mission Bassin Minier, ADAV, "
    "OpenStreetMap contributors.",
    "form.title": "Your route",
    "form.edit": "Change the route",
    "form.from": "Start",
    "form.to": "Destination",
    "form.place_hint": "A park, a station, a place, a commune, or click on the map",
    "form.click_target": "A click on the map sets",
    "form.click_from": "the start",
    "form.click_to": "the destination",
    "form.swap": "Swap start and destination",
    "form.locate": "My location",
    "form.locating": "Locating…",
    "form.locate_error": "Location unavailable",
    "form.profile": "Mode",
    "profile.walk": "Walking",
    "profile.bike": "Cycling",
    "profile.family": "Family",
    "form.constraints": "Constraints",
    "form.max_grade": "Max grade (%)",
    "form.max_climb": "Max total climb (m)",
    "form.avoid_connector": "Avoid unimproved connectors",
    "form.via_category": "Go past a kind of place",
    "form.via_category_none": "— none —",
    "form.more": "Advanced options",
    "form.via": "Waypoints (one per line)",
    "form.along": "Stay near places (category:metres, comma-separated)",
    "form.stop_at": "Stop at places (ids such as terril:T074, comma-separated)",
    "form.prefer": "Preference for greenways",
    "form.alternatives": "Number of routes offered",
    "form.submit": "Plan the route",
    "form.reset": "Clear",
    "result.title": "Summary",
    "result.direct": "Most direct",
    "form.streets": "Unmapped links",
    "form.streets_estimated": "offer a direct option",
    "form.streets_none": "never",
    "form.max_estimated_m": "At most (m as the crow flies)",
    "result.direct_intro": "A more direct option uses unmapped links (estimated length):",
    "summary.crow": "As the crow flies",
    "result.none": "Choose a start and a destination, then plan the route.",
    "result.alternative": "Alternative {n}",
    "result.main": "Suggested route",
    "summary.distance": "Distance",
    "summary.duration": "Duration",
    "summary.climb": "Climb / descent",
    "summary.greenway_share": "On greenways",
    "summary.connector_km": "Unimproved connectors",
    "summary.max_grade": "Max grade",
    "summary.parks": "Parks crossed",
    "summary.parks_none": "none",
    "summary.by_kind": "By kind of way",
    "summary.pois": "Places along the route",
    "summary.warnings": "Good to know",
    "profile.title": "Elevation profile",
    "profile.desc": "Elevation from {zmin} m to {zmax} m over {dist}; climb +{climb} m / −{descent} m.",
    "profile.axis_d": "distance (km)",
    "profile.axis_z": "elevation (m)",
    "directions.title": "Directions",
    "downloads.title": "Download",
    "downloads.gpx": "GPX track (GPS, hiking apps)",
    "downloads.geojson": "GeoJSON (GIS)",
    "downloads.link": "Link to this route",
    "map.label": "Interactive map",
    "map.parks": "Parks of the chain",
    "map.perimeter": "Perimeter",
    "map.route": "Route",
    "map.alternative": "Alternative {n}",
    "map.alternatives": "Alternatives",
    "map.pois": "Places along the route",
    "map.endpoints": "Start and destination",
    "map.access": "Access points",
    "map.stations": "Railway stations",
    "map.park_numbers": "Park numbers",
    "map.start": "Start",
    "map.end": "Destination",
    "map.stop": "Stop {n}",
    "map.greenway": "greenway",
    "map.connector": "unimproved connector",
    "map.unmapped": "unmapped link: estimated way, check on the ground",
    "map.road": "advised route on shared roads",
    "map.legend": "Legend",
    "map.noscript": "The map needs JavaScript; the summary and directions are below.",
    "parks.title": "The parks of the chain",
    "parks.intro": "The units of the Chaîne des parcs, their activities and access points.",
    "parks.area": "Area",
    "parks.agglomeration": "Conurbation",
    "parks.communes": "Communes",
    "parks.activities": "Activities",
    "parks.access": "Access points",
    "parks.go_from": "Start from this park",
    "parks.go_to": "Go to this park",
    "error.title": "Error",
    "error.unknown_place": "Unknown place",
    "error.ambiguous_place": "Ambiguous place",
    "error.out_of_area": "Outside the territory",
    "error.constraint": "Constraint cannot be met",
    "error.no_route": "No route found",
    "error.invalid_request": "Invalid request",
    "error.no_network": "The network is not available",
    "error.no_network_detail": "The route network has not been built on this server yet "
    "(`make data`).",
    "error.network_damaged": "The network is damaged",
    "error.network_damaged_detail": "The route network of this server is damaged. The operator "
    "must rebuild it (“make data” or “parcs build”) and restart the service.",
    "error.time_budget": "Request too long to compute",
    "error.time_budget_detail": "The computation ran over the time allowed per request. Try again "
    "with fewer places to pass through, a shorter distance or a single variant.",
    "error.not_found": "Page not found",
    "error.not_found_detail": "This address matches no page of the site.",
    "error.method": "Method not allowed",
    "error.too_large": "Request too large",
    "error.internal": "Internal error",
    "error.internal_detail": "An unexpected error occurred; it has been logged.",
    "error.http": "Error {code}",
    "error.back": "Back to the planner",
    "error.missing_endpoints": "Choose a start and a destination.",
    "nav.loops": "Loops",
    "nav.circuits": "Circuits",
    "loops.title": "Loops",
    "loops.intro": "A round trip back to its start, of the length or duration you want, "
    "avoiding the ways already travelled.",
    "loops.start": "Start and finish",
    "loops.start_hint": "A park, a place, a commune, or click on the map",
    "loops.distance": "Distance (km)",
    "loops.duration": "or duration (min)",
    "loops.through": "Go through (parks or places, comma-separated)",
    "loops.variants": "Number of loops offered",
    "loops.seed": "Draw (same number, same loop)",
    "loops.submit": "Plan the loop",
    "loops.none": "Choose a start and a distance (or a duration), then plan the loop.",
    "loops.result": "Suggested loop",
    "loops.kind.lollipop": "Suggested lollipop loop",
    "loops.kind.out_and_back": "Suggested out-and-back",
    "loops.kind_short.lollipop": "lollipop loop",
    "loops.kind_short.out_and_back": "out-and-back",
    "loops.retraced": "{pct} travelled twice",
    "loops.unmapped": "Unmapped links",
    "loops.variant": "Variant {n}",
    "loops.error": "Off target by",
    "loops.overlap": "Out-and-back share",
    "loops.access": "Access: {station}, {distance} on foot",
    "loops.floor": "Around this start the network forces at least {pct} of out-and-back "
    "for this length.",
    "loops.other": "Suggest another loop",
    "loops.visited": "Places on the way",
    "loops.map_loop": "Loop",
    "loops.map_start": "Start and finish",
    "circuits.title": "Circuits",
    "circuits.intro": "Suggested circuits in and between the units of the Chaîne des parcs, "
    "with a printable roadbook and a GPX track (texts in French).",
    "circuits.missing": "The circuit catalogue has not been built on this server yet "
    "(`parcs circuits build`).",
    "circuits.roadbook": "Printable roadbook",
    "circuits.unavailable": "Unavailable",
    "circuits.count": "{ok} circuits available out of {count}.",
    "circuits.pdf": "PDF roadbook (A4)",
    "circuits.catalogue_pdf": "The whole catalogue as a PDF (with contents)",
    "circuits.stale": "The circuit catalogue was computed on another version of the network than "
    "this server's: its figures are out of date and are not shown. Rebuild it "
    "(`parcs circuits build` or `make data`).",
    "circuits.report": "Circuits dropped or renamed by the catalogue's rules",
    "circuits.rule": "Checked promise",
    "downloads.pdf": "Print / PDF (A4 roadbook)",
    "kind.unit-walk": "Walking loop",
    "kind.unit-bike": "Cycling loop",
    "kind.theme": "Themed circuit",
}

#: Every message table, by language.
MESSAGES: Mapping[str, Mapping[str, str]] = {"fr": _FR, "en": _EN}


def negotiate_language(requested: str | None, accept: LanguageAccept | None = None) -> str:
    """The language of a request.

    Parameters
    ----------
    requested
        The ``lang`` query parameter, if any (an unsupported value is ignored).
    accept
        The parsed ``Accept-Language`` header.

    Returns
    -------
    str
        One of :data:`LANGUAGES`.

    >>> negotiate_language("en"), negotiate_language("xx"), negotiate_language(None)
    ('en', 'fr', 'fr')
    >>> negotiate_language(None, LanguageAccept([("en-GB", 1), ("fr", 0.5)]))
    'en'
    """
    if requested:
        lang = requested.strip().lower()[:2]
        if lang in LANGUAGES:
            return lang
    if accept is not None:
        # by decreasing quality; "en-GB" counts as "en"
        for value, quality in accept:
            primary = value.split("-", 1)[0].lower()
            if quality > 0 and primary in LANGUAGES:
                return primary
    return DEFAULT_LANGUAGE


def translate(lang: str, key: str, **values: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``values``.

    Falls back to French, then to the key itself (logged once per call).
    """
    table = MESSAGES.get(lang, _FR)
    text = table.get(key) or _FR.get(key)
    if text is None:
        logger.warning("missing translation for %r", key)
        return key
    return text.format(**values) if values else text


def format_number(lang: str, value: float, digits: int = 0) -> str:
    """A number with the language's separators (French: narrow no-break space and comma)."""
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def format_distance(lang: str, metres: float) -> str:
    """``'12,3 km'`` (or metres under one kilometre)."""
    if metres < 1000:
        return f"{format_number(lang, metres)}\u00a0m"
    return f"{format_number(lang, metres / 1000, 1)}\u00a0km"


def format_duration(lang: str, seconds: float) -> str:
    """``'1 h 25 min'`` (minutes rounded; at least one minute)."""
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_percent(lang: str, fraction: float, digits: int = 0) -> str:
    """``'78 %'`` in French, ``'78%'`` in English."""
    number = format_number(lang, 100 * fraction, digits)
    return f"{number}\u202f%" if lang == "fr" else f"{number}%"


@dataclass(frozen=True)
class Translator:
    """The translation helpers bound to one language, as handed to templates."""

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` in this language."""
        return translate(self.lang, key, **values)

    def number(self, value: float, digits: int = 0) -> str:
        """See :func:`format_number`."""
        return format_number(self.lang, value, digits)

    def distance(self, metres: float) -> str:
        """See :func:`format_distance`."""
        return format_distance(self.lang, metres)

    def duration(self, seconds: float) -> str:
        """See :func:`format_duration`."""
        return format_duration(self.lang, seconds)

    def percent(self, fraction: float, digits: int = 0) -> str:
        """See :func:`format_percent`."""
        return format_percent(self.lang, fraction, digits)

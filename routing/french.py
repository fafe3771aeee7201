"""French articles and contractions for names in generated sentences.

A name's article is read from its first word: a common noun the lists below know (*Parc* → *le*,
*Véloroute* → *la*, *Sites* → *les*, *Embranchement* → *l'*), an article it already starts with
(*La Bassée*), or none for a proper noun (*Loisinord*, *Béthune*). :func:`de` and :func:`a` then
contract it: *au départ du Parc des Îles*, *de la Véloroute de la Mémoire*, *des Sites de mémoire*,
*d'Oignies*, *à Loisinord*.
"""

from __future__ import annotations

from routing.places import normalize

__all__ = ["FEMININE", "MASCULINE", "a", "article", "de", "the"]

FEMININE = frozenset([
    "veloroute", "voie", "rue", "route", "avenue", "allee", "piste", "boucle", "promenade", "trame",
    "coulee", "chaussee", "place", "velomaritime", "liaison", "digue", "vallee", "ceinture",
    "traverse", "rocade", "ruelle", "impasse", "sente", "base", "cite", "fosse", "gare",
    "centralite", "necropole", "foret", "station", "maison", "chapelle", "eglise", "mairie",
    "colline", "butte", "zone", "centrale", "cokerie", "ferme",
])
MASCULINE = frozenset([
    "chemin", "sentier", "cavalier", "boulevard", "quai", "parcours", "circuit", "canal", "halage",
    "tour", "gr", "pont", "passage", "raccordement", "faisceau", "reseau", "parc", "mail", "cours",
    "rond", "terril", "bois", "marais", "val", "site", "memorial", "musee", "chateau", "lac",
    "port", "mont", "jardin", "puits", "lavoir", "parking", "coteau", "monument", "stade",
    "carreau", "plateau", "village", "centre", "belvedere", "chevalement",
])
PLURAL = frozenset([
    "sites", "terrils", "contreforts", "berges", "cites", "jardins", "etangs", "monts", "puits",
    "chemins", "collines", "coteaux", "marais", "monuments", "faisceaux", "ateliers",
])
_VOWELS = "aeiouyh"
#: Words that are the start of a proper noun even when they look like a common noun.
_SINGULAR_FIRST = frozenset(["puits", "marais"])  # read as singular unless more words say plural


def article(name: str) -> str:
    """The definite article a name takes mid-sentence: ``'le '``, ``'la '``, ``'les '``,
    ``"l'"`` or ``''`` (a proper noun, or a name that already starts with its article).

    >>> article("Parc des Îles"), article("Véloroute de la Mémoire"), article("Sites de mémoire")
    ('le ', 'la ', 'les ')
    >>> article("Embranchement terril 45"), article("Loisinord"), article("La Bassée")
    ("l'", '', '')
    """
    words = normalize(name).split(" ")
    first = words[0] if words and words[0] else ""
    if not first or first in ("le", "la", "les", "l"):
        return ""
    if first in PLURAL and first not in _SINGULAR_FIRST:
        return "les "
    if first in MASCULINE or first in FEMININE or first in _SINGULAR_FIRST:
        if first[0] in _VOWELS and first not in ("halage",):
            return "l'"
        return "la " if first in FEMININE else "le "
    if first[0] in _VOWELS and first in ("embranchement", "itineraire", "espace", "etang", "ancien",
                                          "ancienne", "anneau", "abri", "aire", "ecluse", "ile"):
        return "l'"
    return ""


def _split_article(name: str) -> tuple[str, str]:
    """``(article, rest)`` of a name starting with *Le/La/Les/L'* (else ``('', name)``)."""
    for art in ("Le ", "La ", "Les ", "L'", "L’"):
        if name.startswith(art):
            return art.strip().lower().replace("’", "'"), name[len(art):]
    return "", name


def the(name: str) -> str:
    """The name with its article, mid-sentence: *le Parc des Îles*, *Loisinord*."""
    return f"{article(name)}{name}"


def de(name: str, *, proper: bool = False) -> str:
    """*de* contracted with the name's article (``proper``: a place name, whose first word is
    never read as a common noun: *de Village*, *d'Hénin-Beaumont*, *du Touquet*).

    >>> de("Parc des Îles"), de("Sites de mémoire Lorette–Vimy"), de("Oignies"), de("Lens")
    ('du Parc des Îles', 'des Sites de mémoire Lorette–Vimy', "d'Oignies", 'de Lens')
    >>> de("Le Touquet"), de("La Bassée"), de("Véloroute de la Mémoire")
    ('du Touquet', 'de La Bassée', 'de la Véloroute de la Mémoire')
    >>> de("Bois-Bernard", proper=True), de("Avion", proper=True)
    ('de Bois-Bernard', "d'Avion")
    """
    own, rest = _split_article(name)
    if own == "le":
        return f"du {rest}"
    if own == "les":
        return f"des {rest}"
    if own:
        return f"de {name}"
    art = "" if proper else article(name)
    if art == "le ":
        return f"du {name}"
    if art == "les ":
        return f"des {name}"
    if art:
        return f"de {art}{name}"
    return f"d'{name}" if normalize(name)[:1] in _VOWELS[:-1] else f"de {name}"


def a(name: str, *, proper: bool = False) -> str:
    """*à* contracted with the name's article (``proper``: see :func:`de`).

    >>> a("Parc des Îles"), a("Sites de mémoire"), a("Loisinord"), a("Le Touquet")
    ('au Parc des Îles', 'aux Sites de mémoire', 'à Loisinord', 'au Touquet')
    """
    own, rest = _split_article(name)
    if own == "le":
        return f"au {rest}"
    if own == "les":
        return f"aux {rest}"
    if own:
        return f"à {name}"
    art = "" if proper else article(name)
    if art == "le ":
        return f"au {name}"
    if art == "les ":
        return f"aux {name}"
    return f"à {art}{name}"

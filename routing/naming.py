"""Readable way names: :func:`readable_name` turns the data's raw names into names for people.

The cavaliers layer names its ways after the mining sites they served, with the layer's own
conventions: references to the ways a link joins in square brackets (``Voie ferrée[Voie ferrée
Fosse3 de Liévin-Fosse6 de Liévin]-[Embranchement Fosse7 de Liévin]``), numbers glued to words
(``Fosse2de Noeux``, ``Puits6bis``), terril ids (``Embranchement T45``), copy numbers
(``Voie ferrée cité des cheminots3``), lower-case communes (``fosse4 de noeux``) and commune names
without their hyphens (``Auchy au Bois``). The rules below remove the references and ids, space
the numbers, write the common nouns in lower case inside a name and the communes as the registry
spells them, and separate the two ends of a way by an en dash. A name that is only a reference
(``Voie ferrée [A]-[B]``) becomes ``Voie ferrée de raccordement``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from routing.compiled import CompiledNetwork
from routing.places import normalize

__all__ = ["network_names", "readable_name"]

#: Common nouns written in lower case inside a name (key: accent-free lower case).
_COMMON = {
    "fosse": "fosse", "fosses": "fosses", "gare": "gare", "puits": "puits", "cite": "cité",
    "terril": "terril", "terrils": "terrils", "lavoir": "lavoir", "usine": "usine",
    "rivage": "rivage", "embranchement": "embranchement", "raccordement": "raccordement",
    "faisceau": "faisceau", "faisceaux": "faisceaux", "site": "site", "centrale": "centrale",
    "voie": "voie", "zone": "zone", "depot": "dépôt", "triangle": "triangle", "cokerie": "cokerie",
    "ateliers": "ateliers", "concession": "concession", "ferree": "ferrée", "ferre": "ferrée",
    "concedee": "concédée", "secondaire": "secondaire", "contournement": "contournement",
}
#: What a name reduced to these words (its references removed) says.
_GENERIC = frozenset({"voie ferree", "voie ferree de raccordement", "raccordement", "embranchement",
                      "voie ferree raccordement", "voie ferre raccordement", "voie ferre", ""})
_REFERENCE = re.compile(r"\s*-?\s*(?:\[[^\]]*\]|\bVF\s*\([^)]*\))\s*-?\s*")
_TERRIL = re.compile(r"\b[Tt](\d{1,3}[a-z]?)\b")
_GLUED_AFTER = re.compile(r"(?<=[^\W\d_])(?=\d)")  # "Fosse3" -> "Fosse 3"
_GLUED_BEFORE = re.compile(r"(?<=\d)(?=(?:de|et|d')\b)|(?<=\d)(?=[A-Z])")  # "2de" -> "2 de"
_BIS = re.compile(r"(?<=\d)(bis|ter)\b", re.IGNORECASE)
_COPY = re.compile(r"\b([^\W\d_]{4,})(\d)\b(?!\s*(?:bis|ter|/|\d|de\b|d'|et\b|-))")  # "cheminots3"
#: Nouns that take a number ("Fosse4" is the fosse 4, not the fourth copy of a name).
_NUMBERED = frozenset({"fosse", "fosses", "puits", "terril", "triangle"})
_DASH_NOUN = re.compile(r"(?<=\w)-(?=(?:" + "|".join(sorted(_COMMON, key=len, reverse=True)) + r")\b)",
                        re.IGNORECASE)
_DASH_DIGIT = re.compile(r"(?<=\d|\))\s*-\s*(?=\S)|\s+-\s*|\s*-\s+")
_SPACES = re.compile(r"\s+")
_CAMEL = re.compile(r"(?<=[a-zé]{5})(?=[A-Z][a-z])")
_ELISION = re.compile(r"\b(?:de|d) (?=[AEIOUYÉÈ][a-zé])")
_REPEATED = re.compile(r"\b(\w+) \1\b")
#: Spelling slips of the source layers.
_TYPOS = {"éléctrique": "électrique", "Choques": "Chocques", "Noyelle Godault": "Noyelles-Godault"}


def _spaced(text: str) -> str:
    """Space the numbers glued to words and drop copy numbers."""
    text = _TERRIL.sub(lambda m: f"terril {m.group(1)}", text)
    text = _COPY.sub(lambda m: m.group(1) if normalize(m.group(1)) not in _NUMBERED else m.group(0), text)
    text = _GLUED_AFTER.sub(" ", text)
    text = _BIS.sub(lambda m: f" {m.group(1).lower()}", text)
    text = _GLUED_BEFORE.sub(" ", text)
    return text.replace("3et4", "3 et 4")


def _commune_patterns(communes: Iterable[str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for name in sorted(set(communes), key=lambda n: (-len(n), n)):
        words = [w for w in re.split(r"[\s\-']+", name) if w]
        if not words:
            continue
        flexible = r"[\s\-']+".join(re.escape(w) for w in words)
        out.append((re.compile(rf"(?<![\w-]){flexible}(?![\w-])", re.IGNORECASE), name))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _patterns(communes: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return _commune_patterns(communes)


def _words(text: str) -> str:
    """Common nouns in lower case after the first word; the first letter in upper case."""
    words = text.split(" ")
    for i, word in enumerate(words):
        key = normalize(word)
        if (i and key in _COMMON and word[:1].isupper()) or (i and key in ("ferre", "depot", "concedee")):
            words[i] = _COMMON[key]
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def _communes(text: str, communes: tuple[str, ...]) -> str:
    for pattern, name in _patterns(communes):
        text = pattern.sub(name, text)
    return text


def readable_name(raw: str, *, communes: Iterable[str] = ()) -> str:
    """A way's raw data name written for people ('' stays '').

    Parameters
    ----------
    raw
        The name as the network holds it.
    communes
        Commune names as they should be spelled (matched ignoring case, spaces and hyphens).

    Returns
    -------
    str
        The name without bracketed references nor internal ids, numbers spaced, common nouns in
        lower case inside the name, communes spelled as given, the ends of a way separated by
        an en dash.

    >>> readable_name("Voie ferrée[Voie ferrée Fosse3 de Liévin-Fosse6 de Liévin]-[Embranchement Fosse7 de Liévin]")
    'Voie ferrée de raccordement'
    >>> readable_name("Voie ferrée Fosse2de Noeux-Fosse4 de Noeux")
    'Voie ferrée fosse 2 de Noeux – fosse 4 de Noeux'
    >>> readable_name("Embranchement T45"), readable_name("Voie ferrée cité des cheminots3")
    ('Embranchement terril 45', 'Voie ferrée cité des cheminots')
    >>> readable_name("Voie ferrée fosse 1 - fosse 3 d'Auchy au Bois", communes=["Auchy-au-Bois"])
    "Voie ferrée fosse 1 – fosse 3 d'Auchy-au-Bois"
    """
    text = _SPACES.sub(" ", raw).strip()
    if not text:
        return ""
    had_reference = bool(_REFERENCE.search(text))
    text = _REFERENCE.sub(" ", text)
    text = _spaced(text)
    text = _DASH_DIGIT.sub(" – ", text)
    text = _DASH_NOUN.sub(" – ", text)
    text = _SPACES.sub(" ", text).strip(" -–:,")
    if (had_reference and normalize(text) in _GENERIC) or not text:
        return "Voie ferrée de raccordement"
    text = re.sub(r"\bVoie ferré\b", "Voie ferrée", text)
    for typo, right in _TYPOS.items():
        text = re.sub(rf"\b{typo}\b", right, text)
    text = _CAMEL.sub(" ", text)
    text = _REPEATED.sub(r"\1", text)
    communes = tuple(communes)
    text = _communes(text, communes)
    text = _ELISION.sub("d'", text)
    return _capital_places(_words(text), communes)


def _capital_places(text: str, communes: tuple[str, ...]) -> str:
    """A lower-case word after *de* that is the first word of a commune, capitalised."""
    if not communes:
        return text
    firsts = {normalize(w): w for w in (re.split(r"[\s\-']+", c)[0] for c in communes)
              if len(w) > 3}

    def fix(m: re.Match[str]) -> str:
        word = m.group(2)
        return m.group(1) + firsts.get(normalize(word), word)

    return re.sub(r"(\bde |\bd')([a-zéèœ]\w*)", fix, text)


def network_names(cn: CompiledNetwork) -> tuple[str, ...]:
    """The readable name of every name code of the network (cached on it), communes spelled as
    the network's commune table does."""

    def make() -> tuple[str, ...]:
        communes = [c.nom for c in cn.communes]
        return tuple(readable_name(n, communes=communes) for n in cn.names)

    return cn.cached(("readable_names",), make)

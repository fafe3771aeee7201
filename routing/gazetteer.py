"""Places people name: one forgiving resolver for the CLI, the API and the pages.

Every park unit, commune and POI (railway stations included) is an :class:`Entry` of the
network's gazetteer (built once per network and cached). A name is matched token by token,
insensitive to case, accents, punctuation, hyphens and spacing:

- small words (``de``, ``la``, ``n°``...) are ignored, ``st`` reads ``saint``, a number glued to a
  letter is split (``T75`` → ``t 75``), leading zeros are dropped and ``t`` reads ``terril``, so
  that ``"Terril 75"``, ``"T75"``, ``"terril n°75"`` and the id ``terril:T075`` are the same tokens;
- an entry is known by its name and by its id (``louvre-lens`` → ``louvre lens``), and, as
  secondary words, by its commune and the words of its category (``gare`` for a station): so
  ``"gare lens"`` and ``"Lens gare"`` name the station of Lens, ``"Hôtel de ville Liévin"`` the
  town hall of Liévin;
- an entry scores by the share of the query matched in its name or id, the share of the name
  covered, and a bonus when the query names its category (:func:`score`); ``"Loos"`` names the
  commune Loos-en-Gohelle, whose name it covers best.

:func:`lookup` resolves a text to one entry or raises :class:`~parcs.AmbiguousPlaceError` with
the candidates (homonyms are told apart by commune and category, never picked silently) or
:class:`~parcs.UnknownPlaceError` with suggestions ranked by similarity. :func:`search` is the
ranked autocomplete of ``/api/places``. Two POIs of one name and category within
:data:`TWIN_M` are one place (the UNESCO layers list some buildings twice): the first stands
for both, the other's id still resolves.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from parcs._errors import AmbiguousPlaceError, InvalidRequestError, UnknownPlaceError
from parcs.schema import POI_CATEGORIES
from routing.bounds import MAX_PLACE_LENGTH
from routing.compiled import CompiledNetwork

__all__ = [
    "MAX_QUERY_CHARS", "TWIN_M", "Entry", "Gazetteer", "Match", "gazetteer", "lookup", "normalize",
    "search", "tokens",
]

#: Longest text a place may be (characters): longer is refused before any search.
MAX_QUERY_CHARS = MAX_PLACE_LENGTH
#: Two POIs of one normalised name and category closer than this (m) are one place (the two
#: UNESCO layers place one building up to 63 m apart).
TWIN_M = 80.0
#: The best match wins outright only this far (score) ahead of the next one.
MARGIN = 0.1
#: Most candidates an ambiguous name is answered with.
MAX_CANDIDATES = 8
#: Most words whose fuzzy weights are kept (:func:`_word_weights`).
MAX_CACHED_WORDS = 4096
#: One- and two-letter answers are kept for limits up to this.
MAX_LIMIT_CACHED = 50

_ABBREV = {"st": "saint", "ste": "sainte", "t": "terril", "no": "n"}
_SMALL = frozenset(["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "n", "sur", "sous", "lez"])
#: Words that name a category (normalised), beside the category's own label.
_CATEGORY_WORDS: dict[str, frozenset[str]] = {
    "station": frozenset({"gare", "gares", "station", "sncf", "ter", "train"}),
    "terril": frozenset({"terril", "terrils"}),
    "mine_shaft": frozenset({"puits", "fosse"}),
    "heritage": frozenset({"patrimoine", "unesco"}),
    "viewpoint": frozenset({"vue", "belvedere", "panorama"}),
    "park": frozenset({"parc", "parcs"}),
    "park_unit": frozenset({"parc", "parcs"}),
    "bike_rental": frozenset({"velo", "velos", "vls"}),
    "bike_parking": frozenset({"velo", "velos", "abri"}),
    "commune": frozenset({"commune", "ville"}),
}
_KIND_RANK = {"commune": 0.03, "park": 0.02}
_SPLIT = re.compile(r"(?<=[a-z])(?=[0-9])")


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a name.

    >>> normalize("Nœux-les-Mines"), normalize("  LIÉVIN "), normalize("St-Venant")
    ('noeux les mines', 'lievin', 'saint venant')
    """
    s = text.casefold().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    words = re.sub(r"[^0-9a-z]+", " ", s).split()
    abbrev = {"st": "saint", "ste": "sainte"}
    return " ".join(abbrev.get(w, w) for w in words)


def tokens(text: str, *, keep_last: bool = False) -> list[str]:
    """The match tokens of a text: normalised words without the small ones (nor a word twice in
    a row), numbers apart.

    ``keep_last`` keeps a small last word (a prefix being typed).

    >>> tokens("Terril n°075"), tokens("T75"), tokens("Gare de Lens"), tokens("gare de", keep_last=True)
    (['terril', '75'], ['terril', '75'], ['gare', 'lens'], ['gare', 'de'])
    """
    out: list[str] = []
    words = " ".join(_SPLIT.sub(" ", w) for w in normalize(text).split()).split()
    for i, w in enumerate(words):
        w = _ABBREV.get(w, w)
        if w[:1].isdigit():
            w = w.lstrip("0") or "0"
        if (w not in _SMALL or (keep_last and i == len(words) - 1)) and (not out or out[-1] != w):
            out.append(w)
    return out


@dataclass(frozen=True)
class Entry:
    """A place of the gazetteer.

    ``kind`` is ``park``, ``commune`` or ``poi`` and ``index`` the position in that table of the
    network; ``category`` is the POI category (``park``/``commune`` otherwise); ``forms`` the
    token sets of the name and the id, ``extra`` the secondary words (commune, category).
    """

    kind: str
    index: int
    id: str
    name: str
    category: str
    commune: str
    lon: float
    lat: float
    key: str
    forms: tuple[frozenset[str], ...] = field(repr=False)
    extra: frozenset[str] = field(repr=False)
    texts: tuple[str, ...] = field(repr=False, default=())
    extra_text: str = field(repr=False, default="")

    @property
    def category_label(self) -> str:
        """The French label of the category."""
        if self.kind != "poi":
            return "parc" if self.kind == "park" else "commune"
        return POI_CATEGORIES.get(self.category, self.category.replace("_", " "))

    @property
    def label(self) -> str:
        """The name, with the commune for a POI (« Gare de Lens (Lens) »)."""
        if self.kind != "poi" or not self.commune or self.name.endswith(")"):
            return self.name
        return f"{self.name} ({self.commune})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (``/api/places``, ambiguity answers)."""
        return {
            "id": self.id, "label": self.label, "name": self.name, "kind": self.kind,
            "category": self.category, "category_label": self.category_label,
            "commune": self.commune or None, "lat": round(self.lat, 6), "lon": round(self.lon, 6),
        }

    def choice(self) -> str:
        """One choice as a user may type it back: « Gare de Lens (Lens, gare) [station:87345025] »."""
        where = ", ".join(x for x in (self.commune if self.kind == "poi" else "", self.category_label) if x)
        return f"{self.name} ({where}) [{self.id}]"


@dataclass(frozen=True)
class Match:
    """An entry and its score for a query (higher is better)."""

    entry: Entry
    score: float


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """The entries of a network with their indexes (see :func:`gazetteer`)."""

    entries: tuple[Entry, ...]
    by_id: dict[str, Entry]
    by_key: dict[str, tuple[Entry, ...]]
    postings: dict[str, frozenset[int]]
    vocab: tuple[str, ...]
    grams: dict[str, frozenset[str]]
    #: Answers to one- and two-letter queries, by (letters, limit), filled on first use.
    initials: dict[tuple[str, int], tuple[Match, ...]] = field(default_factory=dict)
    #: :func:`_word_weights` by word (at most :data:`MAX_CACHED_WORDS`).
    weights: dict[str, dict[int, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def _entry(kind: str, index: int, id_: str, name: str, category: str, commune: str,
           lon: float, lat: float) -> Entry:
    id_form = frozenset(tokens(id_)) if kind != "commune" else frozenset({id_})
    forms = tuple(f for f in (frozenset(tokens(name)), id_form) if f)
    extra = frozenset(tokens(commune)) | _CATEGORY_WORDS.get(category, frozenset())
    extra |= frozenset(tokens(POI_CATEGORIES.get(category, "")))
    texts = tuple(" " + " ".join(sorted(f)) for f in forms)
    return Entry(kind, index, id_, name, category, commune, lon, lat, normalize(name), forms, extra,
                 texts, " " + " ".join(sorted(extra)))


def _poi_entries(cn: CompiledNetwork) -> Iterable[Entry]:
    """POI entries, twins (same key and category within :data:`TWIN_M`) after the first dropped;
    park-unit POIs are their park's alias and not listed."""
    kept: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for i, p in enumerate(cn.pois):
        if p.category == "park_unit" or not p.name:
            continue
        key = (normalize(p.name), p.category)
        near = kept.setdefault(key, [])
        if any(math.hypot(p.x - x, p.y - y) <= TWIN_M for x, y in near):
            continue
        near.append((p.x, p.y))
        yield _entry("poi", i, p.id, p.name, p.category, p.commune, p.lon, p.lat)


def _build(cn: CompiledNetwork) -> Gazetteer:
    entries: list[Entry] = [
        _entry("commune", i, c.insee, c.nom, "commune", c.nom, c.lon, c.lat)
        for i, c in enumerate(cn.communes) if c.nom
    ]
    entries += [_entry("park", i, p.id, p.name or p.id, "park", "", p.lon, p.lat) for i, p in enumerate(cn.parks)]
    entries += list(_poi_entries(cn))
    by_key: dict[str, list[Entry]] = {}
    postings: dict[str, set[int]] = {}
    for n, e in enumerate(entries):
        by_key.setdefault(e.key, []).append(e)
        for tok in set().union(*e.forms, e.extra):
            postings.setdefault(tok, set()).add(n)
    by_id = {e.id.casefold(): e for e in entries}
    for i, p in enumerate(cn.pois):  # twins and park-unit POIs: known by id only
        by_id.setdefault(p.id.casefold(), _entry("poi", i, p.id, p.name or p.id, p.category, p.commune, p.lon, p.lat))
    grams: dict[str, set[str]] = {}
    for word in postings:
        for gram in _grams(word):
            grams.setdefault(gram, set()).add(word)
    return Gazetteer(
        entries=tuple(entries), by_id=by_id, by_key={k: tuple(v) for k, v in by_key.items()},
        postings={k: frozenset(v) for k, v in postings.items()}, vocab=tuple(sorted(postings)),
        grams={k: frozenset(v) for k, v in grams.items()},
    )


def _grams(word: str) -> set[str]:
    """The letter pairs of a word, with its ends (`` l``, ``li``... ``n ``)."""
    padded = f" {word} "
    return {padded[i:i + 2] for i in range(len(padded) - 1)}


def _close_words(g: Gazetteer, word: str, *, n: int = 6, cutoff: float = 0.7) -> dict[str, float]:
    """Words of the vocabulary spelt like ``word`` (ratio >= ``cutoff``), best ``n``: those sharing
    at least a third of its letter pairs are compared with :class:`difflib.SequenceMatcher`."""
    counts: dict[str, int] = {}
    pairs = _grams(word)
    for gram in pairs:
        for w in g.grams.get(gram, ()):
            counts[w] = counts.get(w, 0) + 1
    need = max(1, len(pairs) // 3)
    matcher = difflib.SequenceMatcher(b=word)
    ratios: dict[str, float] = {}
    for w, c in counts.items():
        if c >= need:
            matcher.set_seq1(w)
            if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
                r = matcher.ratio()
                if r >= cutoff:
                    ratios[w] = r
    return dict(sorted(ratios.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def gazetteer(cn: CompiledNetwork) -> Gazetteer:
    """The gazetteer of a network (built once, cached on the network)."""
    return cn.cached(("gazetteer",), lambda: _build(cn))


def _matching(g: Gazetteer, tok: str, prefix: bool) -> set[int]:
    """Entries with a token equal to ``tok`` (or starting with it when ``prefix``)."""
    found = set(g.postings.get(tok, ()))
    if prefix:
        lo = bisect.bisect_left(g.vocab, tok)
        for word in g.vocab[lo:]:
            if not word.startswith(tok):
                break
            found.update(g.postings[word])
    return found


def score(entry: Entry, query: Sequence[str], *, prefix: bool = False, optional_last: bool = False) -> float:
    """How well ``query`` (from :func:`tokens`) names ``entry``; ``-1`` when a word matches nothing.

    The best form (name or id) counts: the mean weight of the query's words (1 a word of the
    form; when ``prefix``, 0.7 to 0.9 the start of one, more as it covers more of it; 0.5 a
    secondary word) plus the share of the form's
    words matched, plus 0.3 when a word names the entry's category and a little by kind
    (commune, then park) to order exact ties.
    """
    best = -1.0
    last = len(query) - 1
    for form, text in zip(entry.forms, entry.texts, strict=True):
        total, covered, ok = 0.0, set(), True
        for pos, q in enumerate(query):
            if q in form:
                total += 1.0
                covered.add(q)
            elif prefix and (at := text.find(f" {q}")) >= 0:
                end = text.find(" ", at + 1)
                total += 0.7 + 0.2 * len(q) / ((end if end > 0 else len(text)) - at - 1)
                covered.add(q)
            elif q in entry.extra or (prefix and f" {q}" in entry.extra_text):
                total += 0.5
            elif not (optional_last and pos == last):
                ok = False
                break
        if ok and total:
            best = max(best, total / len(query) + min(len(covered), len(form)) / len(form))
    if best < 0:
        return best
    words = _CATEGORY_WORDS.get(entry.category, frozenset())
    return best + (0.3 if any(q in words for q in query) else 0.0) + _KIND_RANK.get(entry.kind, 0.0)


def _ranked(g: Gazetteer, query: Sequence[str], pool: Iterable[int], *, prefix: bool,
            optional_last: bool) -> list[Match]:
    out = []
    for n in pool:
        e = g.entries[n]
        s = score(e, query, prefix=prefix, optional_last=optional_last)
        if s > 0:
            out.append(Match(e, s))
    out.sort(key=lambda m: (-m.score, m.entry.name, m.entry.id))
    return out


def _pool(g: Gazetteer, query: Sequence[str], *, prefix: bool, optional_last: bool) -> set[int]:
    """Entries that every (non-optional) query word can match."""
    pool: set[int] | None = None
    for pos, q in enumerate(query):
        if optional_last and pos == len(query) - 1 and pool is not None:
            break
        hits = _matching(g, q, prefix)
        pool = hits if pool is None else pool & hits
        if not pool:
            return set()
    return pool or set()


def check_query(text: Any, *, what: str = "lieu") -> str:
    """``text`` stripped, or :class:`~parcs.InvalidRequestError` when empty or too long."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequestError(f"{what} vide : donnez un nom, un identifiant ou « lat,lon »")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidRequestError(f"{what} trop long : {len(text)} caractères (au plus {MAX_QUERY_CHARS})")
    return text.strip()


def search(cn: CompiledNetwork, text: str, *, limit: int = 10) -> list[Match]:
    """Ranked autocomplete: the entries a text being typed may name, best first.

    Every word may be the start of a word of the entry (the last one may also be a small word
    still being typed); when nothing matches so, the closest spellings (:func:`suggest`) answer.

    Raises
    ------
    InvalidRequestError
        Empty text or longer than :data:`MAX_QUERY_CHARS`.
    """
    text = check_query(text)
    g = gazetteer(cn)
    query = tokens(text, keep_last=not text[-1].isspace())
    optional = bool(query) and query[-1] in _SMALL
    if not query:
        return []
    if len(query) == 1 and len(query[0]) <= 2 and limit <= MAX_LIMIT_CACHED:  # most entries fit: once
        hit = g.initials.get((query[0], limit))
        if hit is None:
            hit = tuple(_complete(cn, query, limit, False))
            with g.lock:
                g.initials[(query[0], limit)] = hit
        return list(hit) or suggest(cn, text, limit=limit)
    return _complete(cn, query, limit, optional) or suggest(cn, text, limit=limit)


def _complete(cn: CompiledNetwork, query: Sequence[str], limit: int, optional: bool) -> list[Match]:
    g = gazetteer(cn)
    pool = _pool(g, query, prefix=True, optional_last=optional)
    return _ranked(g, query, pool, prefix=True, optional_last=optional)[:limit]


def _word_weights(g: Gazetteer, word: str) -> dict[int, float]:
    """How well each entry matches one query word: 1 a word of it, 0.8 a word it starts, else
    0.95 times the best :class:`difflib.SequenceMatcher` ratio of a close word
    (:func:`_close_words`); half as much for a secondary word (commune, category). Cached per
    word on the gazetteer (a bounded dict)."""
    hit = g.weights.get(word)
    if hit is not None:
        return hit
    out: dict[int, float] = {}

    def put(n: int, w: str, weight: float) -> None:
        if not any(w in form for form in g.entries[n].forms):
            weight *= 0.5  # a secondary word (commune, category)
        out[n] = max(out.get(n, 0.0), weight)

    for w, r in _close_words(g, word).items() if len(word) > 2 else ():
        for n in g.postings[w]:
            put(n, w, 0.95 * r)
    lo = bisect.bisect_left(g.vocab, word)
    for w in g.vocab[lo:]:
        if not w.startswith(word):
            break
        for n in g.postings[w]:
            put(n, w, 1.0 if w == word else 0.8)
    with g.lock:
        if len(g.weights) >= MAX_CACHED_WORDS:
            g.weights.pop(next(iter(g.weights)))
        g.weights[word] = out
    return out


def suggest(cn: CompiledNetwork, text: str, *, limit: int = 5) -> list[Match]:
    """Entries whose words are spelt like the text's, by similarity (0-1, at least 0.5).

    Each query word weighs, for an entry, 1 when it is a word of the entry, 0.8 when it starts
    one, else 0.95 times the ratio of the entry's closest word, half as much for its commune or
    category words (:func:`_word_weights`); the similarity is the mean weight over the query's
    words.
    """
    g = gazetteer(cn)
    query = tokens(text)
    if not query:
        return []
    weights = [_word_weights(g, q) for q in query]
    totals: dict[int, float] = {}
    for ws in weights:
        for n, w in ws.items():
            totals[n] = totals.get(n, 0.0) + w
    out = []
    for n, total in totals.items():
        sim = total / len(query)
        if sim >= 0.5:
            e = g.entries[n]
            out.append(Match(e, round(sim, 4) + _KIND_RANK.get(e.kind, 0.0)))
    out.sort(key=lambda m: (-m.score, len(m.entry.name), m.entry.name, m.entry.id))
    return out[:limit]


def _ambiguous(text: str, matches: Sequence[Match]) -> AmbiguousPlaceError:
    shown = matches[:MAX_CANDIDATES]
    more = f" (et {len(matches) - len(shown)} autres)" if len(matches) > len(shown) else ""
    choices = " ; ".join(m.entry.choice() for m in shown)
    return AmbiguousPlaceError(
        f"lieu ambigu : {text!r} désigne plusieurs lieux ; précisez : {choices}{more}",
        candidates=tuple(m.entry.to_dict() for m in shown),
    )


def _unknown(cn: CompiledNetwork, text: str) -> UnknownPlaceError:
    close = suggest(cn, text, limit=4)
    labels = [f"{m.entry.label} [{m.entry.id}]" if m.entry.kind != "commune" else m.entry.name for m in close]
    hint = f" ; vouliez-vous dire : {', '.join(labels)} ?" if labels else (
        " ; donnez « lat,lon », un identifiant de parc ou de point d'intérêt, ou une commune"
    )
    return UnknownPlaceError(f"lieu inconnu : {text!r}{hint}")


def _decide(text: str, matches: Sequence[Match]) -> Entry | None:
    """The clear winner of ranked matches, :class:`AmbiguousPlaceError` on a tie, None if none."""
    if not matches:
        return None
    top = matches[0].score
    tied = [m for m in matches if m.score > top - MARGIN]
    if len(tied) == 1:
        return tied[0].entry
    raise _ambiguous(text, tied)


def lookup(cn: CompiledNetwork, text: str) -> Entry:
    """The one entry a name or id designates.

    In order: an id (case-insensitive: park, POI, commune INSEE code); a name whose normalised
    key is that of a commune, of a park, or of one POI (several POIs: the best scored, if clear);
    else the best token match (:func:`score`), if clearly ahead.

    Raises
    ------
    InvalidRequestError
        Empty text or longer than :data:`MAX_QUERY_CHARS`.
    AmbiguousPlaceError
        Several places fit equally well (the message and ``candidates`` list them).
    UnknownPlaceError
        Nothing fits (the message suggests close spellings).
    """
    text = check_query(text)
    g = gazetteer(cn)
    hit = g.by_id.get(text.casefold())
    if hit is not None:
        return hit
    same = g.by_key.get(normalize(text), ())
    for kind in ("commune", "park"):
        first = next((e for e in same if e.kind == kind), None)
        if first is not None:
            return first
    query = tokens(text)
    if len(same) == 1:
        return same[0]
    if same:
        ranked = sorted((Match(e, score(e, query)) for e in same), key=lambda m: (-m.score, m.entry.id))
        return _decide(text, ranked) or same[0]
    found = _decide(text, _ranked(g, query, _pool(g, query, prefix=False, optional_last=False),
                                  prefix=False, optional_last=False)) if query else None
    if found is None:
        raise _unknown(cn, text)
    return found

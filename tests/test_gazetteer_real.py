"""The forgiving resolver on the real build: the issue's examples, stations, homonyms, and every
id and unambiguous name resolving to itself."""

from __future__ import annotations

import collections
import unicodedata
from pathlib import Path

import pytest

from parcs._errors import AmbiguousPlaceError, UnknownPlaceError
from routing import CompiledNetwork, load_compiled, resolve_place
from routing.access import nearest_station
from routing.gazetteer import gazetteer, normalize, search, suggest, tokens

pytestmark = pytest.mark.realdata

#: Stations the sources' README names in the Pôle (UIC codes of the TER layer).
STATIONS = {"Béthune": "87342006", "Lens": "87345025", "Hénin-Beaumont": "87345157",
            "Libercourt": "87345256", "Loos-en-Gohelle": "87345033", "Bully-Grenay": "87342105",
            "Noeux-les-Mines": "87342139"}


@pytest.fixture(scope="module")
def cn(real_build_dir: Path) -> CompiledNetwork:
    return load_compiled(real_build_dir)


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def test_stations_are_pois_on_the_network(cn: CompiledNetwork) -> None:
    stations = {p.id: p for p in cn.pois if p.category == "station"}
    assert 25 <= len(stations) <= 40
    for town, uic in STATIONS.items():
        p = stations[f"station:{uic}"]
        assert town in p.name and p.node >= 0 and p.node_dist_m < 1000, p


@pytest.mark.parametrize(("text", "expected"), [
    ("louvre lens", "louvre-lens"), ("Louvre Lens", "louvre-lens"), ("LOUVRE-LENS", "louvre-lens"),
    ("Terril 75", "terril:T075"), ("T75", "terril:T075"), ("terril n°75", "terril:T075"),
    ("gare lens", "station:87345025"), ("Lens gare", "station:87345025"),
    ("Gare de Lens", "station:87345025"), ("gare de loos en gohelle", "station:87345033"),
    ("gare d'henin", "station:87345157"), ("Loos", "62528"), ("loos", "62528"),
])
def test_issue_examples(cn: CompiledNetwork, text: str, expected: str) -> None:
    assert resolve_place(cn, text).id == expected


def test_loos_is_the_commune(cn: CompiledNetwork) -> None:
    place = resolve_place(cn, "Loos")
    assert place.kind == "commune" and place.label == "Loos-en-Gohelle"


def test_terril_75_no_longer_suggests_other_terrils(cn: CompiledNetwork) -> None:
    assert [m.entry.id for m in search(cn, "Terril 75")][:1] == ["terril:T075"]


def test_shared_names_are_told_apart_or_are_one_place(cn: CompiledNetwork) -> None:
    """Of the POI names shared by several POIs, each either names one place (twins: one name and
    category within 80 m) or is answered with candidates told apart by commune or id."""
    counts = collections.Counter(normalize(p.name) for p in cn.pois if p.category != "park_unit")
    shared = {p.name for p in cn.pois if counts[normalize(p.name)] > 1}
    assert len(shared) >= 40
    by_id = {p.id: p for p in cn.pois}
    ambiguous = 0
    for name in sorted(shared):
        try:
            hit = resolve_place(cn, name)
        except AmbiguousPlaceError as exc:
            ambiguous += 1
            cands = exc.candidates
            assert len(cands) >= 2 and len({c["id"] for c in cands}) == len(cands)
            assert all(c["id"] in str(exc) for c in cands) and "\n" not in str(exc)
            assert all(c["commune"] and c["category"] for c in cands)
            continue
        assert normalize(by_id[hit.id].name) == normalize(name) or hit.kind != "poi"
    assert ambiguous >= 10
    with pytest.raises(AmbiguousPlaceError) as exc:
        resolve_place(cn, "Hôtel de ville")
    labels = {c["label"] for c in exc.value.candidates}
    assert {"Hôtel de ville (Carvin)", "Hôtel de ville (Bruay-la-Buissière)"} <= labels


def test_every_id_and_unambiguous_name_resolves_to_itself(cn: CompiledNetwork) -> None:
    g = gazetteer(cn)
    for text in [p.id for p in cn.parks] + [p.id for p in cn.pois] + [c.insee for c in cn.communes]:
        for variant in (text, text.upper(), text.lower()):
            assert resolve_place(cn, variant).id == text, variant
    keys = collections.Counter(" ".join(tokens(e.name)) for e in g.entries)
    ids = {e.id.casefold() for e in g.entries}  # "Oignies" is a commune and a park's id: the id wins
    names = [e for e in g.entries if keys[" ".join(tokens(e.name))] == 1
             and (e.name.casefold() not in ids or e.name.casefold() == e.id.casefold())]
    assert len(names) > 500
    assert {e.kind for e in names} == {"park", "commune", "poi"}
    assert any(e.category == "station" for e in names)
    for e in names:
        for variant in (e.name, e.name.upper(), _plain(e.name), _plain(e.name).lower()):
            assert resolve_place(cn, variant).id == e.id, variant


def test_suggestions_rank_the_closest_first(cn: CompiledNetwork) -> None:
    assert suggest(cn, "Lenss")[0].entry.name == "Lens"
    assert suggest(cn, "Liévn")[0].entry.name == "Liévin"
    assert suggest(cn, "Pinchonvale")[0].entry.id == "terril:T075"
    with pytest.raises(UnknownPlaceError, match="Béthune"):
        resolve_place(cn, "Bethnue")


def test_loops_name_the_nearest_station(cn: CompiledNetwork) -> None:
    access = nearest_station(cn, resolve_place(cn, "gare de loos en gohelle").node)
    assert access is not None and access.id == "station:87345033"
    # Olhain lies in the hills: its nearest station is beyond the default 10 km walk since unmapped links
    # carry their estimated street length (issue 13), so ask farther
    far = nearest_station(cn, resolve_place(cn, "olhain").node, max_m=20_000.0)
    assert far is not None and far.distance_m > 1000 and far.text.startswith("Accès : gare d")

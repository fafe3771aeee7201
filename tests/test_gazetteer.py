"""The forgiving resolver and the autocomplete on the mock network, with synthetic homonyms."""

from __future__ import annotations

import unicodedata
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from conftest import MOCK_COMMUNES, MOCK_PARKS, MOCK_POIS, X0, Y0, make_mock_network
from shapely.geometry import Point

from parcs._errors import AmbiguousPlaceError, InvalidRequestError, UnknownPlaceError
from routing import CompiledNetwork, resolve_place
from routing.compiled import compile_network
from routing.gazetteer import MAX_QUERY_CHARS, gazetteer, lookup, search, suggest, tokens

#: Synthetic extra POIs: (id, category, name, dx, dy, node) — two town halls in two communes,
#: a station and a heritage building of one name, twins 30 m apart, a numbered terril.
EXTRA_POIS: list[tuple[str, str, str, float, float, int]] = [
    ("heritage:HV1", "heritage", "Hôtel de ville", -400, 0, 1),
    ("heritage:HV2", "heritage", "Hôtel de ville", 1500, 0, 3),
    ("station:1", "station", "Gare de Lens", -300, 100, 1),
    ("heritage:G1", "heritage", "Gare de Lens", -310, 110, 1),
    ("heritage:T1", "heritage", "Temple protestant", 1300, 50, 3),
    ("heritage:T2", "heritage", "Temple protestant", 1320, 70, 3),
    ("terril:T075", "terril", "Terril 75 – Pinchonvalles", 2100, 100, 12),
    ("viewpoint:V75", "viewpoint", "Vue avérée sur le terril 75", 2000, 200, 12),
]


@pytest.fixture(scope="module")
def cn() -> CompiledNetwork:
    """The mock network with :data:`EXTRA_POIS` added."""
    net = make_mock_network()
    extra = gpd.GeoDataFrame(
        [{"id": pid, "category": cat, "name": name, "source": "test", "description": "", "node": node,
          "node_dist_m": 0.0, "park": "", "geometry": Point(X0 + dx, Y0 + dy)}
         for pid, cat, name, dx, dy, node in EXTRA_POIS],
        geometry="geometry", crs=net.pois.crs,
    )
    pois = gpd.GeoDataFrame(pd.concat([net.pois, extra], ignore_index=True), geometry="geometry", crs=net.pois.crs)
    return compile_network(type(net)(graph=net.graph, parks=net.parks, pois=pois, communes=net.communes,
                                     perimeter=net.perimeter, meta=net.meta))


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def test_tokens_forgive_case_accents_punctuation_and_numbers() -> None:
    for text in ("Terril 75", "T75", "terril n°75", "TERRIL N° 075", "terril:T075", "t-75"):
        assert tokens(text) == ["terril", "75"], text
    assert tokens("Louvre-Lens") == tokens("louvre  lens") == tokens("LOUVRE LENS") == ["louvre", "lens"]
    assert tokens("Nœux-les-Mines") == ["noeux", "mines"]
    assert tokens("St-Venant") == ["saint", "venant"]


def test_pois_carry_their_commune(cn: CompiledNetwork) -> None:
    by_id = {p.id: p for p in cn.pois}
    assert by_id["heritage:HV1"].commune == "Lens" and by_id["heritage:HV2"].commune == "Liévin"
    assert by_id["viewpoint:V1"].commune == "Nœux-les-Mines"


def test_issue_examples_on_synthetic_places(cn: CompiledNetwork) -> None:
    for text in ("Terril 75", "T75", "terril n°75", "T075"):
        assert resolve_place(cn, text).id == "terril:T075", text
    for text in ("gare lens", "Lens gare", "Gare de Lens", "GARE DE LENS"):
        assert resolve_place(cn, text).id == "station:1", text
    assert resolve_place(cn, "gare de lens patrimoine").id == "heritage:G1"
    assert resolve_place(cn, "parc est").id == "parc-est"  # id words in any case and spacing
    assert resolve_place(cn, "Noeux").id == "62617"  # a word of the commune's name


def test_homonyms_are_ambiguous_with_their_communes(cn: CompiledNetwork) -> None:
    with pytest.raises(AmbiguousPlaceError) as exc:
        resolve_place(cn, "hotel de ville")
    ids = [c["id"] for c in exc.value.candidates]
    assert sorted(ids) == ["heritage:HV1", "heritage:HV2"]
    labels = {c["label"] for c in exc.value.candidates}
    assert labels == {"Hôtel de ville (Lens)", "Hôtel de ville (Liévin)"}
    message = str(exc.value)
    assert "\n" not in message and "heritage:HV1" in message and "Liévin" in message
    assert resolve_place(cn, "Hôtel de ville Liévin").id == "heritage:HV2"
    assert resolve_place(cn, "hotel ville lens").id == "heritage:HV1"


def test_twins_are_one_place_and_keep_their_ids(cn: CompiledNetwork) -> None:
    assert resolve_place(cn, "Temple protestant").id == "heritage:T1"
    assert resolve_place(cn, "heritage:T2").id == "heritage:T2"
    names = [m.entry.id for m in search(cn, "temple")]
    assert names == ["heritage:T1"]


def test_every_id_and_unambiguous_name_resolves_to_itself(cn: CompiledNetwork) -> None:
    expected: list[tuple[str, str]] = []
    expected += [(pid, pid) for pid, *_ in MOCK_PARKS]
    expected += [(insee, insee) for insee, *_ in MOCK_COMMUNES]
    expected += [(p.id, p.id) for p in cn.pois]
    names: dict[str, list[str]] = {}
    for e in gazetteer(cn).entries:
        names.setdefault(" ".join(tokens(e.name)), []).append(e.id)
    expected += [(e.name, e.id) for e in gazetteer(cn).entries if len(names[" ".join(tokens(e.name))]) == 1]
    assert len(expected) > 30
    for text, want in expected:
        for variant in (text, text.upper(), text.lower(), _plain(text), _plain(text).upper()):
            assert resolve_place(cn, variant).id == want, variant


def test_unknown_names_get_suggestions_by_similarity(cn: CompiledNetwork) -> None:
    first = suggest(cn, "Lenss")
    assert first and first[0].entry.name == "Lens"
    assert [m.score for m in first] == sorted((m.score for m in first), reverse=True)
    assert suggest(cn, "Pinchonvale")[0].entry.id == "terril:T075"
    with pytest.raises(UnknownPlaceError, match="Liévin"):
        lookup(cn, "Lievn")


def test_search_ranks_prefixes(cn: CompiledNetwork) -> None:
    assert search(cn, "lie")[0].entry.name == "Liévin"
    assert search(cn, "gare l")[0].entry.id == "station:1"
    assert search(cn, "parc de l")[0].entry.kind == "park"
    assert search(cn, "gare de")[0].entry.id == "station:1"  # a small word being typed
    found = search(cn, "t", limit=3)
    assert len(found) == 3 and search(cn, "t", limit=3) == found
    assert len(search(cn, "e", limit=50)) <= 50
    assert search(cn, "Lievn")[0].entry.name == "Liévin"  # no prefix: closest spellings


@pytest.mark.parametrize("text", ["", "   ", "x" * (MAX_QUERY_CHARS + 1), "lens " * 2000])
def test_bad_queries_are_refused(cn: CompiledNetwork, text: str) -> None:
    with pytest.raises(InvalidRequestError):
        search(cn, text)
    with pytest.raises(InvalidRequestError):
        resolve_place(cn, text)


def test_entry_views(cn: CompiledNetwork) -> None:
    entry = lookup(cn, "gare lens")
    view: dict[str, Any] = entry.to_dict()
    assert view["category"] == "station" and view["category_label"] == "gare"
    assert view["commune"] == "Lens" and view["label"] == "Gare de Lens (Lens)"
    assert entry.choice() == "Gare de Lens (Lens, gare) [station:1]"
    assert {p[0] for p in MOCK_POIS} <= set(gazetteer(cn).by_id.keys() | {p[0] for p in MOCK_POIS})


def test_each_place_is_listed_once_along_a_route(cn: CompiledNetwork) -> None:
    from routing import RouteRequest, route

    res = route(cn, RouteRequest(origin="parc-ouest", destination="parc-est",
                                 along=(("heritage", 1000.0), ("station", 1000.0))))
    ids = [p["id"] for p in res.best.pois_along]
    assert "heritage:T1" in ids and "heritage:T2" not in ids  # twins 28 m apart: once
    assert {"heritage:HV1", "heritage:HV2"} <= set(ids)  # one name, 1.9 km apart: both
    assert {"station:1", "heritage:G1"} <= set(ids)  # one name, two categories: both
    assert len(ids) == len(set(ids))
    along = [p["distance_along_m"] for p in res.best.pois_along]
    assert along == sorted(along)

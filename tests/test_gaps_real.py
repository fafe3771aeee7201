"""routing.gaps.analysis on the real build (``data/build/opendata``; skipped when there is none)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely

from parcs import paths
from parcs.artifact import Network, load_network
from routing.compiled import load_compiled
from routing.gaps.analysis import GapsReport, all_candidates, analyse_gaps, scenario

pytestmark = pytest.mark.realdata

#: The network is built 2 km beyond the perimeter (parcs.build): a candidate must touch the
#: perimeter, lie within this margin, and nearly all of them lie wholly inside.
INSIDE_TOLERANCE_M = 2000.0


@pytest.fixture(scope="module")
def real_net() -> Network:
    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        pytest.skip(f"no real build in {build} (make data)")
    return load_network(build)


@pytest.fixture(scope="module")
def report(real_net: Network) -> GapsReport:
    return analyse_gaps(real_net)


def test_unit_table_covers_all_pairs(report: GapsReport) -> None:
    assert len(report.units) == 11
    pairs = {(p.a, p.b) for p in report.unit_pairs}
    assert len(pairs) == 55
    ids = [u.id for u in report.units]
    assert all(a in ids and b in ids and a != b for a, b in pairs)
    for p in report.unit_pairs:
        assert p.straight_m > 0
        if p.greenway_m is not None:
            assert p.detour_greenway is not None and p.detour_greenway >= 1.0 - 1e-9
            assert p.network_m is not None and p.network_m <= p.greenway_m + 1e-6


def test_components(report: GapsReport) -> None:
    comps = report.components
    assert len(comps) >= 1
    lengths = [c.length_m for c in comps]
    assert lengths == sorted(lengths, reverse=True)
    assert all(c.n_edges >= 1 for c in comps)
    linked_units = {u for c in comps for u in c.units}
    assert linked_units == {u.id for u in report.units if u.on_greenway}


def test_candidates_inside_perimeter(report: GapsReport, real_net: Network) -> None:
    assert report.candidates, "no candidate on the real network"
    zone = real_net.perimeter.buffer(INSIDE_TOLERANCE_M)
    shapely.prepare(zone)
    shapely.prepare(real_net.perimeter)
    cands = all_candidates(report)
    assert all(real_net.perimeter.intersects(c.geometry) for c in cands)
    assert all(zone.contains(c.geometry) for c in cands)
    inside = sum(real_net.perimeter.contains(c.geometry) for c in cands)
    assert inside >= 0.9 * len(cands)
    classes = {c.link_class for c in report.candidates}
    assert classes <= {"bridge", "shortcut", "planned"}
    for c in report.candidates:
        assert c.length_m >= 0 and c.benefit >= 0 and c.reason and c.geometry.is_valid


def test_scenario_top5_never_negative(report: GapsReport) -> None:
    top5 = [c.id for c in report.candidates[:5]]
    for cid in top5:
        one = scenario(report, candidate_ids=[cid])
        assert all(p.gain_m >= 0 for p in one.pairs)
        # the vectorised benefit goes through the new link once: a lower bound of the exact gain
        assert one.unit_gain_m >= report.candidate(cid).unit_gain_m - 1e-3
    together = scenario(report, candidate_ids=top5)
    assert all(p.gain_m >= 0 for p in together.pairs)
    assert together.linked_after >= together.linked_before
    assert together.unit_gain_m >= max(report.candidate(c).unit_gain_m for c in top5) - 1e-3


def test_compiled_build_agrees(report: GapsReport) -> None:
    from routing.compiled import load_compiled

    compiled = analyse_gaps(load_compiled(paths.build_dir("opendata")))
    assert len(compiled.unit_pairs) == 55
    assert [p.linked for p in compiled.unit_pairs] == [p.linked for p in report.unit_pairs]
    assert len(compiled.components) == len(report.components)


def test_one_greenway_figure_everywhere(report: GapsReport, real_net: Network) -> None:
    """Issue 13: `parcs stats` and /liaisons give the same greenway km (in the perimeter)."""
    stats = real_net.meta["stats"]["greenway_km"]
    assert report.summary()["greenway_km"] == round(stats, 1)
    compiled = analyse_gaps(load_compiled())
    assert compiled.summary()["greenway_km"] == round(stats, 1)


@pytest.fixture(scope="module")
def exported(report: GapsReport, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    from routing.gaps import export as ex

    out = tmp_path_factory.mktemp("gaps_real")
    files = {"gpkg": ex.write_gpkg(report, out / "gaps.gpkg"), "html": ex.write_html(report, out / "gaps.html"),
             "geojson": ex.write_geojson(report, out / "gaps.geojson")}
    yield files


def test_geopackage_opens(exported: dict[str, Path], report: GapsReport) -> None:
    layers = dict(pyogrio.list_layers(exported["gpkg"]).tolist())
    assert set(layers) == {"candidates", "components", "units", "network"}
    counts: dict[str, Any] = {}
    for name in layers:
        gdf = gpd.read_file(exported["gpkg"], layer=name)
        assert gdf.crs.to_epsg() == 2154
        counts[name] = len(gdf)
    assert counts["units"] == 11 and counts["candidates"] == len(report.candidates)
    assert counts["components"] == len(report.components)
    doc = json.loads(exported["geojson"].read_text())
    assert len(doc["features"]) == len(report.candidates)
    assert exported["html"].stat().st_size > 10_000

"""Unit tests of parcs.elevation on synthetic elevation models and graphs built in code."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from affine import Affine
from pyproj import Transformer
from shapely.geometry import LineString

from parcs._errors import DataError, InvalidRequestError, SourceError
from parcs.elevation import (
    HGT_VOID,
    SRTM_TILES,
    Dem,
    add_elevation,
    dem_paths,
    hysteresis_climb,
    load_dem,
    max_window_grades,
)

# A Lambert-93 origin near Lens; the synthetic metric DEMs start here.
X0, Y0 = 684000.0, 7034000.0
SIDE = 1201


# --------------------------------------------------------------------------- builders


def metric_dem(
    func: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    width: float = 3000.0,
    height: float = 3000.0,
    res: float = 5.0,
) -> Dem:
    """A DEM in EPSG:2154 whose cell centres span [X0, X0 + width] x [Y0, Y0 + height]."""
    xs = X0 + np.arange(round(width / res) + 1) * res
    ys = Y0 + height - np.arange(round(height / res) + 1) * res  # north to south
    gx, gy = np.meshgrid(xs, ys)
    transform = Affine(res, 0.0, X0 - res / 2, 0.0, -res, Y0 + height + res / 2)
    return Dem(func(gx, gy), transform, "EPSG:2154")


def make_graph(
    nodes: dict[int, tuple[float, float]],
    ways: Sequence[tuple[int, int, Sequence[tuple[float, float]] | None]],
) -> nx.MultiDiGraph:
    """Both directions of each way; the geometry (if any) runs through the given inner points."""
    graph = nx.MultiDiGraph(crs="EPSG:2154")
    for n, (x, y) in nodes.items():
        graph.add_node(n, x=x, y=y)
    for u, v, inner in ways:
        if inner is None:
            length = math.dist(nodes[u], nodes[v])
            graph.add_edge(u, v, length=length)
            graph.add_edge(v, u, length=length)
            continue
        geom = LineString([nodes[u], *inner, nodes[v]])
        graph.add_edge(u, v, length=geom.length, geometry=geom)
        graph.add_edge(v, u, length=geom.length, geometry=geom.reverse())
    return graph


def write_hgt(folder: Path, name: str, grid: np.ndarray) -> Path:
    """A raw SRTM tile: big-endian int16, rows from north to south."""
    path = folder / name
    path.write_bytes(np.asarray(grid, dtype=">i2").tobytes())
    return path


def ramp(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """5 % up to the north."""
    return 20.0 + 0.05 * (gy - Y0)


def step_hill(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Flat at 0 m, a 20 % rise of 10 m between Y0 + 1000 and Y0 + 1050, flat at 10 m."""
    return np.clip((gy - Y0 - 1000.0) * 0.2, 0.0, 10.0)


# --------------------------------------------------------------------------- Dem


def test_dem_samples_cell_centres_and_interpolates_bilinearly() -> None:
    dem = Dem(
        np.array([[10.0, 20.0], [30.0, 40.0]]), Affine(2.0, 0.0, 0.0, 0.0, -2.0, 4.0), "EPSG:2154"
    )
    assert dem.bounds == (1.0, 1.0, 3.0, 3.0)
    z = dem.sample(
        np.array([1.0, 3.0, 1.0, 3.0, 2.0, 2.0]), np.array([3.0, 3.0, 1.0, 1.0, 2.0, 3.0])
    )
    assert z.tolist() == [10.0, 20.0, 30.0, 40.0, 25.0, 15.0]


def test_dem_outside_coverage_is_nan() -> None:
    dem = metric_dem(ramp, width=100.0, height=100.0)
    z = dem.sample_xy([X0 - 1.0, X0 + 50.0, X0 + 50.0, np.nan], [Y0, Y0 + 101.0, Y0 + 50.0, Y0])
    assert np.isnan(z[[0, 1, 3]]).all()
    assert z[2] == pytest.approx(22.5)


def test_dem_data_is_read_only() -> None:
    dem = metric_dem(ramp, width=100.0, height=100.0)
    with pytest.raises(ValueError):
        dem.data[0, 0] = 1.0


def test_dem_rejects_a_rotated_transform() -> None:
    with pytest.raises(DataError):
        Dem(np.zeros((3, 3)), Affine(1.0, 0.5, 0.0, 0.0, -1.0, 0.0))


def test_dem_lonlat_and_lambert_sampling_agree() -> None:
    dem = Dem(
        np.add.outer(np.arange(1201.0)[::-1], np.arange(1201.0) * 0.5),
        Affine(1 / 1200, 0.0, 2.0 - 1 / 2400, 0.0, -1 / 1200, 51.0 + 1 / 2400),
    )
    lon, lat = np.array([2.8330, 2.7825]), np.array([50.4320, 50.4458])
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(lon, lat)
    np.testing.assert_allclose(dem.sample_xy(x, y), dem.sample_lonlat(lon, lat), atol=1e-6)
    # A linear surface is reproduced exactly by bilinear interpolation.
    expected = (lat - 50.0) * 1200 + (lon - 2.0) * 1200 * 0.5
    np.testing.assert_allclose(dem.sample_lonlat(lon, lat), expected, atol=1e-6)


# --------------------------------------------------------------------------- .hgt tiles


def test_load_dem_merges_two_tiles_sharing_a_column(tmp_path: Path) -> None:
    rows = np.arange(SIDE)[:, None]  # 0 at the north edge
    west = np.broadcast_to(100 + (SIDE - 1 - rows), (SIDE, SIDE))  # 1 m per 3" up to the north
    east = west + 0
    p2 = write_hgt(tmp_path, "N50E002.hgt", west)
    p3 = write_hgt(tmp_path, "N50E003.hgt", east)
    dem = load_dem([p3, p2])
    assert dem.shape == (SIDE, 2 * SIDE - 1)
    assert dem.crs == "EPSG:4326"
    assert dem.bounds == pytest.approx((2.0, 50.0, 4.0, 51.0))
    z = dem.sample_lonlat([2.5, 3.0, 3.7, 2.0, 4.0], [50.0, 50.5, 51.0, 50.25, 50.75])
    np.testing.assert_allclose(z, [100.0, 700.0, 1300.0, 400.0, 1000.0], atol=1e-6)
    assert np.isnan(dem.sample_lonlat([1.99, 3.0], [50.5, 51.01])).all()


def test_load_dem_fills_voids_from_their_neighbours(tmp_path: Path) -> None:
    grid = np.full((SIDE, SIDE), 30, dtype=np.int16)
    grid[:, 600:] = 40  # a 10 m step between columns 599 and 600
    grid[300:303, 598:602] = HGT_VOID  # a block of voids across the step
    grid[900, 100] = HGT_VOID  # a lone void on flat ground
    grid[0, 0] = HGT_VOID  # a corner void
    dem = load_dem([write_hgt(tmp_path, "N50E002.hgt", grid)])
    assert not np.isnan(dem.data).any()
    assert dem.data[900, 100] == 30.0
    assert dem.data[0, 0] == 30.0
    block = dem.data[300:303, 598:602]
    assert (block >= 30.0).all() and (block <= 40.0).all()
    assert block[:, 0].mean() < block[:, -1].mean()


def test_load_dem_keeps_the_valid_value_of_a_shared_edge(tmp_path: Path) -> None:
    west = np.full((SIDE, SIDE), 50, dtype=np.int16)
    east = west.copy()
    west[600, -1] = HGT_VOID  # the shared column: void in one tile only
    dem = load_dem(
        [write_hgt(tmp_path, "N50E002.hgt", west), write_hgt(tmp_path, "N50E003.hgt", east)]
    )
    assert dem.data[600, SIDE - 1] == 50.0


def test_missing_tiles_of_the_rectangle_are_not_covered(tmp_path: Path) -> None:
    grid = np.full((SIDE, SIDE), 10, dtype=np.int16)
    dem = load_dem(
        [write_hgt(tmp_path, "N50E002.hgt", grid), write_hgt(tmp_path, "N51E003.hgt", grid)]
    )
    assert dem.sample_lonlat([2.5, 3.5], [50.5, 51.5]).tolist() == [10.0, 10.0]
    assert np.isnan(dem.sample_lonlat([3.5, 2.5], [50.5, 51.5])).all()


@pytest.mark.parametrize("size", [1000, 2 * SIDE * SIDE - 2, 2 * SIDE * SIDE + 2, 0])
def test_malformed_hgt_raises_data_error_naming_the_file(tmp_path: Path, size: int) -> None:
    path = tmp_path / "N50E002.hgt"
    path.write_bytes(b"\x00" * size)
    with pytest.raises(DataError, match=r"N50E002\.hgt.*bytes"):
        load_dem([path])


def test_byte_swapped_hgt_raises_data_error(tmp_path: Path) -> None:
    path = tmp_path / "N50E002.hgt"
    grid = np.add.outer(np.arange(SIDE) % 180, np.zeros(SIDE)) + 20  # 20 to 199 m
    path.write_bytes(grid.astype("<i2").tobytes())  # little-endian: 200 m reads -14,336 m
    with pytest.raises(DataError, match=r"N50E002\.hgt.*not plausible"):
        load_dem([path])


def test_all_void_hgt_raises_data_error(tmp_path: Path) -> None:
    path = write_hgt(tmp_path, "N50E002.hgt", np.full((SIDE, SIDE), HGT_VOID))
    with pytest.raises(DataError, match="void"):
        load_dem([path])


def test_missing_hgt_raises_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"N50E002\.hgt"):
        load_dem([tmp_path / "N50E002.hgt"])


def test_hgt_needs_a_tile_name(tmp_path: Path) -> None:
    path = write_hgt(tmp_path, "lens.hgt", np.zeros((SIDE, SIDE)))
    with pytest.raises(DataError, match=r"lens\.hgt"):
        load_dem([path])


def test_load_dem_refuses_mixed_or_repeated_tiles(tmp_path: Path) -> None:
    p = write_hgt(tmp_path, "N50E002.hgt", np.zeros((SIDE, SIDE)))
    with pytest.raises(DataError, match="twice"):
        load_dem([p, p])
    with pytest.raises(DataError):
        load_dem([])


def test_dem_paths_resolves_the_fetched_tiles(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="parcs fetch"):
        dem_paths(tmp_path)
    for rel in SRTM_TILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    assert dem_paths(tmp_path) == [tmp_path / rel for rel in SRTM_TILES]


# --------------------------------------------------------------------------- pure helpers


def test_hysteresis_counts_a_monotone_rise_exactly() -> None:
    z = np.linspace(10.0, 60.0, 41)
    assert hysteresis_climb(z, threshold=3.0) == pytest.approx((50.0, 0.0))
    assert hysteresis_climb(z[::-1], threshold=3.0) == pytest.approx((0.0, 50.0))


def test_hysteresis_ignores_moves_within_the_band() -> None:
    assert hysteresis_climb([0.0, 3.0, 0.0, 3.0], threshold=3.0) == (0.0, 0.0)
    assert hysteresis_climb([0.0, 3.5, 0.0], threshold=3.0) == (3.5, 3.5)
    assert hysteresis_climb([5.0], threshold=3.0) == (0.0, 0.0)
    # A rise that starts with a small dip is counted from the dip (the retained extremum).
    assert hysteresis_climb([10.0, 8.0, 20.0], threshold=3.0) == (12.0, 0.0)


def test_hysteresis_without_threshold_sums_every_change() -> None:
    z = np.array([0.0, 1.0, 0.5, 2.0, 1.0])
    assert hysteresis_climb(z, threshold=0.0) == pytest.approx((2.5, 1.5))


def test_hysteresis_and_window_grades_are_symmetric_under_reversal() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        z = np.cumsum(rng.normal(0.0, 2.0, rng.integers(2, 60)))
        t = float(rng.choice([0.0, 1.0, 3.0, 6.0]))
        up, down = hysteresis_climb(z, threshold=t)
        assert hysteresis_climb(z[::-1], threshold=t) == pytest.approx((down, up))
        spacing = float(rng.uniform(5.0, 30.0))
        g_up, g_down = max_window_grades(z, spacing=spacing, window=100.0)
        assert max_window_grades(z[::-1], spacing=spacing, window=100.0) == pytest.approx(
            (g_down, g_up)
        )


def test_hysteresis_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        hysteresis_climb([1.0, np.nan], threshold=3.0)
    with pytest.raises(ValueError):
        hysteresis_climb([1.0, 2.0], threshold=-1.0)


def test_window_grades_interpolate_between_samples() -> None:
    # 0 m then a 30 % ramp from 40 to 70 m then flat: a 45 m window never sits on a sample pair.
    d = np.arange(0.0, 201.0, 20.0)
    z = np.clip((d - 40.0) * 0.3, 0.0, 9.0)
    up, down = max_window_grades(z, spacing=20.0, window=45.0)
    assert down == 0.0
    assert up == pytest.approx(np.interp(np.arange(0, 156) + 45.0, d, z).max() / 45.0, abs=0.02)
    assert up <= 0.3 + 1e-9


def test_window_grades_guard_short_profiles() -> None:
    assert max_window_grades([0.0, 5.0], spacing=5.0, window=100.0) == (0.05, 0.0)
    assert max_window_grades([7.0], spacing=0.0, window=100.0) == (0.0, 0.0)
    assert max_window_grades([0.0, 10.0], spacing=100.0, window=100.0) == (0.1, 0.0)


# --------------------------------------------------------------------------- add_elevation


def test_ramp_gives_exact_climb_and_the_reverse_descent() -> None:
    dem = metric_dem(ramp)
    nodes = {1: (X0 + 500.0, Y0 + 100.0), 2: (X0 + 800.0, Y0 + 1100.0)}
    graph = make_graph(nodes, [(1, 2, [(X0 + 400.0, Y0 + 500.0), (X0 + 600.0, Y0 + 800.0)])])
    built = add_elevation(graph, dem=dem)
    up, back = built.edges[1, 2, 0], built.edges[2, 1, 0]
    assert built.nodes[1]["elevation"] == pytest.approx(25.0)
    assert built.nodes[2]["elevation"] == pytest.approx(75.0)
    assert up["climb"] == pytest.approx(50.0) and up["descent"] == 0.0
    assert back["climb"] == 0.0 and back["descent"] == pytest.approx(50.0)
    assert up["grade"] == pytest.approx(50.0 / up["length"])
    assert back["grade"] == pytest.approx(-50.0 / up["length"])
    assert back["grade_abs"] == pytest.approx(50.0 / up["length"])
    # The steepest 100 m window: the first leg (400 m run, 20 m rise, 5 % along y) ...
    leg = up["geometry"].coords
    steepest = max(
        0.05 * (y1 - y0) / math.dist((x0, y0), (x1, y1))
        for (x0, y0), (x1, y1) in itertools.pairwise(leg)
    )
    assert up["grade_up"] == pytest.approx(steepest, rel=0.02)
    assert back["grade_down"] == pytest.approx(up["grade_up"])
    assert up["grade_down"] == 0.0 and back["grade_up"] == 0.0
    # Samples evenly spaced, at most 25 m apart, u -> v, the reverse profile reversed.
    n = len(up["elevations"])
    assert n == math.ceil(up["length"] / 25.0) + 1
    assert up["length"] / (n - 1) <= 25.0
    assert isinstance(up["elevations"], tuple) and isinstance(up["elevations"][0], float)
    np.testing.assert_allclose(up["elevations"], back["elevations"][::-1], atol=1e-9)
    expected = [
        ramp(np.array(0.0), np.array(p.y))
        for p in (up["geometry"].interpolate(i * up["length"] / (n - 1)) for i in range(n))
    ]
    np.testing.assert_allclose(up["elevations"], expected, atol=1e-9)


def test_node_elevations_are_the_edge_end_samples_on_a_lonlat_dem() -> None:
    # A geographic DEM like SRTM (3" cells) with a surface that is not linear in metres.
    lat = 51.0 - np.arange(1201) / 1200
    lon = 2.0 + np.arange(1201) / 1200
    glon, glat = np.meshgrid(lon, lat)
    data = 30.0 + 40.0 * np.sin(glat * 300.0) * np.cos(glon * 200.0)
    dem = Dem(data, Affine(1 / 1200, 0.0, 2.0 - 1 / 2400, 0.0, -1 / 1200, 51.0 + 1 / 2400))
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    pts = [to_l93.transform(lo, la) for lo, la in [(2.83, 50.43), (2.84, 50.44), (2.79, 50.45)]]
    nodes = dict(enumerate(pts))
    graph = make_graph(nodes, [(0, 1, [(pts[0][0] + 300, pts[1][1])]), (1, 2, []), (2, 0, None)])
    built = add_elevation(graph, dem=dem, spacing=20.0)
    for u, v, d in built.edges(data=True):
        assert d["elevations"][0] == built.nodes[u]["elevation"]
        assert d["elevations"][-1] == built.nodes[v]["elevation"]
        assert d["length"] / (len(d["elevations"]) - 1) <= 20.0
    for n, (x, y) in nodes.items():
        assert built.nodes[n]["elevation"] == pytest.approx(float(dem.sample_xy([x], [y])[0]))
    # The edge without geometry is the straight segment between its nodes.
    d = built.edges[2, 0, 0]
    xs = np.linspace(pts[2][0], pts[0][0], len(d["elevations"]))
    ys = np.linspace(pts[2][1], pts[0][1], len(d["elevations"]))
    np.testing.assert_allclose(d["elevations"], dem.sample_xy(xs, ys), atol=1e-9)


def test_noisy_flat_surface_gives_no_climb() -> None:
    rng = np.random.default_rng(42)

    def noisy(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
        return 20.0 + rng.uniform(-1.5, 1.5, gx.shape)

    dem = metric_dem(noisy, res=60.0)  # SRTM-like cells, independent ±1.5 m noise
    nodes = {
        1: (X0 + 100.0, Y0 + 100.0),
        2: (X0 + 2900.0, Y0 + 2900.0),
        3: (X0 + 2900.0, Y0 + 150.0),
        4: (X0 + 130.0, Y0 + 2800.0),
    }
    graph = make_graph(
        nodes, [(1, 2, []), (1, 3, [(X0 + 1500.0, Y0 + 130.0)]), (3, 4, []), (4, 1, [])]
    )
    built = add_elevation(graph, dem=dem, hysteresis=3.0)
    assert built.number_of_edges() == 8
    for *_, d in built.edges(data=True):
        assert d["climb"] == 0.0 and d["descent"] == 0.0
        assert d["grade_up"] < 0.03 and d["grade_down"] < 0.03
    # Without the filter the same noise adds up to metres of climb.
    raw = add_elevation(graph, dem=dem, hysteresis=0.0)
    assert raw.edges[1, 2, 0]["climb"] > 10.0


def test_step_hill_grade_up_over_the_window() -> None:
    dem = metric_dem(step_hill)
    nodes = {1: (X0 + 1000.0, Y0), 2: (X0 + 1000.0, Y0 + 2000.0)}
    graph = make_graph(nodes, [(1, 2, [])])
    built = add_elevation(graph, dem=dem, window=100.0)
    up, back = built.edges[1, 2, 0], built.edges[2, 1, 0]
    assert up["climb"] == pytest.approx(10.0) and up["descent"] == 0.0
    assert up["grade_up"] == pytest.approx(0.10)  # the 10 m rise fits in any 100 m window
    assert up["grade_down"] == 0.0
    assert back["grade_down"] == pytest.approx(0.10) and back["grade_up"] == 0.0
    assert up["grade"] == pytest.approx(10.0 / 2000.0)
    assert add_elevation(graph, dem=dem, window=50.0).edges[1, 2, 0]["grade_up"] == pytest.approx(
        0.2
    )


def test_short_edges_are_measured_over_the_window() -> None:
    dem = metric_dem(step_hill)
    nodes = {1: (X0 + 1000.0, Y0 + 1010.0), 2: (X0 + 1000.0, Y0 + 1030.0)}  # 20 m at 20 %
    graph = make_graph(nodes, [(1, 2, [])])
    built = add_elevation(graph, dem=dem, window=100.0)
    up = built.edges[1, 2, 0]
    assert up["grade"] == pytest.approx(0.2)  # osmnx's end-to-end grade
    assert up["grade_up"] == pytest.approx(4.0 / 100.0)  # 4 m over max(20, 100) m
    assert built.edges[2, 1, 0]["grade_down"] == pytest.approx(0.04)
    assert up["climb"] == pytest.approx(4.0)
    # A window shorter than the edge slides along it.
    assert add_elevation(graph, dem=dem, window=10.0).edges[1, 2, 0]["grade_up"] == pytest.approx(
        0.2
    )


def test_zero_length_edge_has_zero_grades() -> None:
    dem = metric_dem(ramp)
    graph = nx.MultiDiGraph(crs="EPSG:2154")
    graph.add_node(1, x=X0 + 10.0, y=Y0 + 10.0)
    graph.add_edge(1, 1, length=0.0)
    d = add_elevation(graph, dem=dem).edges[1, 1, 0]
    assert d["grade"] == d["grade_up"] == d["grade_down"] == d["climb"] == 0.0
    assert len(d["elevations"]) == 2


def test_grade_follows_osmnx() -> None:
    dem = metric_dem(step_hill)
    nodes = {
        1: (X0 + 100.0, Y0 + 900.0),
        2: (X0 + 300.0, Y0 + 1200.0),
        3: (X0 + 900.0, Y0 + 1100.0),
    }
    graph = make_graph(nodes, [(1, 2, [(X0 + 150.0, Y0 + 1000.0)]), (2, 3, []), (3, 1, None)])
    built = add_elevation(graph, dem=dem)
    ref = ox.elevation.add_edge_grades(built.copy(), add_absolute=True)
    for u, v, k, d in built.edges(keys=True, data=True):
        assert d["grade"] == pytest.approx(ref.edges[u, v, k]["grade"])
        assert d["grade_abs"] == pytest.approx(ref.edges[u, v, k]["grade_abs"])


def test_add_elevation_returns_a_new_graph() -> None:
    dem = metric_dem(ramp)
    graph = make_graph({1: (X0 + 10.0, Y0 + 10.0), 2: (X0 + 10.0, Y0 + 500.0)}, [(1, 2, [])])
    before = [dict(d) for *_, d in graph.edges(data=True)] + [
        dict(d) for _, d in graph.nodes(data=True)
    ]
    built = add_elevation(graph, dem=dem, spacing=30.0, hysteresis=2.0, window=80.0)
    assert built is not graph
    after = [dict(d) for *_, d in graph.edges(data=True)] + [
        dict(d) for _, d in graph.nodes(data=True)
    ]
    assert after == before
    assert built.graph["elevation"] == {"spacing": 30.0, "hysteresis": 2.0, "window": 80.0}
    assert built.graph["crs"] == "EPSG:2154"


def test_nodes_outside_the_dem_raise_naming_how_many() -> None:
    dem = metric_dem(ramp, width=1000.0, height=1000.0)
    nodes = {1: (X0 + 10.0, Y0 + 10.0), 2: (X0 + 500.0, Y0 + 500.0), 3: (X0 + 5000.0, Y0)}
    graph = make_graph(nodes, [(1, 2, []), (2, 3, [])])
    with pytest.raises(DataError, match=r"1 of 3 nodes fall outside"):
        add_elevation(graph, dem=dem)


def test_edges_leaving_the_dem_raise() -> None:
    dem = metric_dem(ramp, width=1000.0, height=1000.0)
    nodes = {1: (X0 + 10.0, Y0 + 10.0), 2: (X0 + 500.0, Y0 + 10.0)}
    graph = make_graph(nodes, [(1, 2, [(X0 + 250.0, Y0 - 200.0)])])
    with pytest.raises(DataError, match=r"2 of 2 edges fall outside"):
        add_elevation(graph, dem=dem)


def test_reversed_geometry_raises() -> None:
    dem = metric_dem(ramp)
    graph = nx.MultiDiGraph(crs="EPSG:2154")
    graph.add_node(1, x=X0 + 10.0, y=Y0 + 10.0)
    graph.add_node(2, x=X0 + 10.0, y=Y0 + 500.0)
    graph.add_edge(
        1, 2, length=490.0, geometry=LineString([(X0 + 10.0, Y0 + 500.0), (X0 + 10.0, Y0 + 10.0)])
    )
    with pytest.raises(DataError, match="v -> u"):
        add_elevation(graph, dem=dem)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"spacing": 40.0}, "spacing"),
        ({"spacing": 0.0}, "spacing"),
        ({"hysteresis": -1.0}, "hysteresis"),
        ({"window": 0.0}, "window"),
    ],
)
def test_bad_parameters_raise(kwargs: dict[str, float], match: str) -> None:
    graph = make_graph({1: (X0 + 10.0, Y0 + 10.0), 2: (X0 + 10.0, Y0 + 500.0)}, [(1, 2, [])])
    with pytest.raises(InvalidRequestError, match=match):
        add_elevation(graph, dem=metric_dem(ramp), **kwargs)


def test_graph_without_crs_raises() -> None:
    graph = make_graph({1: (X0 + 10.0, Y0 + 10.0), 2: (X0 + 10.0, Y0 + 500.0)}, [(1, 2, [])])
    del graph.graph["crs"]
    with pytest.raises(DataError, match="CRS"):
        add_elevation(graph, dem=metric_dem(ramp))


def test_hgt_tiles_end_to_end(tmp_path: Path) -> None:
    """load_dem + add_elevation on a Lambert-93 graph: a north-rising SRTM-like tile."""
    rows = np.arange(SIDE)[:, None]
    grid = np.broadcast_to(SIDE - 1 - rows, (SIDE, SIDE))  # 1 m per 3" (92.6 m) to the north
    grid = grid.copy()
    grid[600, 900] = HGT_VOID  # off the edge: a filled void is not exactly on the ramp
    dem = load_dem([write_hgt(tmp_path, "N50E002.hgt", grid)])
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    a, b = to_l93.transform(2.5, 50.45), to_l93.transform(2.5, 50.55)
    built = add_elevation(make_graph({1: a, 2: b}, [(1, 2, [])]), dem=dem)
    rise = 0.1 * 1200  # 0.1 degree north
    assert built.nodes[2]["elevation"] - built.nodes[1]["elevation"] == pytest.approx(
        rise, abs=0.05
    )
    assert built.edges[1, 2, 0]["climb"] == pytest.approx(rise, abs=0.05)
    assert built.edges[2, 1, 0]["descent"] == pytest.approx(rise, abs=0.05)
    assert built.edges[1, 2, 0]["grade_up"] == pytest.approx(1 / 92.6, rel=0.01)

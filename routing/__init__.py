"""The routing core of the Chaîne des parcs planner.

Compile a built network once (:func:`compile_network`, :func:`save_compiled`,
:func:`load_compiled`), then answer requests on numpy/scipy arrays::

    from routing import RouteRequest, load_compiled, route, to_gpx
    cn = load_compiled()
    res = route(cn, RouteRequest(origin="louvre-lens", destination="50.43,2.83", profile="bike"))
    res.itineraries[0].distance_m

A request from string parameters (a query string, a form, the command line), bounded by
:mod:`routing.bounds`: :func:`parse_route_params`.

Building blocks for loops, circuits and gap analysis:

- :func:`edge_costs` / :func:`edge_times`: per directed edge cost (``np.inf`` forbidden) and time;
- :func:`shortest_path_tree`: (multi-source, forward or reverse, bounded) Dijkstra;
- :func:`path_edges`: the edge indices of a tree path;
- :func:`route_legs` / :func:`constrained_path`: cheapest path through stops, under a climb budget;
  :func:`route_paths` the same between stops that may lie inside edges (:class:`Anchor`);
- :func:`snap`: the nearest point of a usable way (an :class:`Anchor`, a virtual node for one query);
- :func:`build_itinerary`: the :class:`Itinerary` of any edge sequence.
"""

from routing.compiled import (
    Commune,
    CompiledNetwork,
    Park,
    Poi,
    compile_network,
    load_compiled,
    save_compiled,
)
from routing.constrained import constrained_path, min_climb
from routing.costs import AVOIDABLE, CostOptions, edge_costs, edge_times
from routing.engine import route, route_legs, route_paths
from routing.export import to_geojson, to_gpx
from routing.itinerary import Itinerary, build_itinerary
from routing.params import parse_route_params
from routing.places import Place, resolve_place
from routing.profiles import PROFILES, Profile
from routing.request import RouteRequest, RouteResult
from routing.search import ShortestPathTree, path_edges, path_nodes, shortest_path_tree
from routing.snap import Anchor, snap

__all__ = [
    "AVOIDABLE",
    "PROFILES",
    "Anchor",
    "Commune",
    "CompiledNetwork",
    "CostOptions",
    "Itinerary",
    "Park",
    "Place",
    "Poi",
    "Profile",
    "RouteRequest",
    "RouteResult",
    "ShortestPathTree",
    "build_itinerary",
    "compile_network",
    "constrained_path",
    "edge_costs",
    "edge_times",
    "load_compiled",
    "min_climb",
    "parse_route_params",
    "path_edges",
    "path_nodes",
    "resolve_place",
    "route",
    "route_legs",
    "route_paths",
    "save_compiled",
    "shortest_path_tree",
    "snap",
    "to_geojson",
    "to_gpx",
]

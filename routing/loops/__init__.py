"""Loops, circuits and roadbooks: round trips planned on the routing core.

- :func:`plan_loop` answers a :class:`LoopRequest` (start, target distance or duration, profile,
  places to pass through, variants, seed; :func:`parse_loop_params` reads one from the string
  parameters of the command line, the API and the pages) with a :class:`LoopResult` of scored, diverse
  :class:`Loop` variants (:mod:`routing.loops.planner`; the search in
  :mod:`routing.loops.search`, explicit cycles in :mod:`routing.loops.cycles`, the loop graph and
  its overlap floor in :mod:`routing.loops.engine`);
- :func:`loop_gpx` / :func:`loop_geojson` / :func:`loop_lines` export a loop
  (:mod:`routing.loops.export`);
- :func:`build_catalogue` / :func:`write_catalogue` make the deterministic circuit catalogue
  (:mod:`routing.loops.circuits`, its types in :mod:`routing.loops.catalogue`, its French texts in
  :mod:`routing.loops.circuit_text`), rendered as printable roadbooks by
  :mod:`routing.loops.roadbook`.
"""

from routing.loops.catalogue import THEMES, Catalogue, Circuit, Theme
from routing.loops.circuits import build_catalogue, write_catalogue
from routing.loops.export import loop_geojson, loop_gpx, loop_lines, loop_title
from routing.loops.params import LOOP_PARAMS, parse_loop_params
from routing.loops.planner import MAX_SHARED, Loop, LoopRequest, LoopResult, plan_loop

__all__ = [
    "LOOP_PARAMS",
    "MAX_SHARED",
    "THEMES",
    "Catalogue",
    "Circuit",
    "Loop",
    "LoopRequest",
    "LoopResult",
    "Theme",
    "build_catalogue",
    "loop_geojson",
    "loop_gpx",
    "loop_lines",
    "loop_title",
    "parse_loop_params",
    "plan_loop",
    "write_catalogue",
]

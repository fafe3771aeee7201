"""Missing links: where the Chaîne des parcs is broken, and which new links would help most.

- :func:`analyse_gaps` ranks candidate links between greenways (:mod:`routing.gaps.analysis`
  runs the method; candidates come from :mod:`routing.gaps.candidates`, their benefit from
  :mod:`routing.gaps.score`, the report's records from :mod:`routing.gaps.views` and
  :mod:`routing.gaps.model`) and returns a :class:`GapsReport`: the unit-to-unit table, the
  greenway components and the ranked candidates;
- :func:`scenario` recomputes the table with chosen candidates built (:class:`ScenarioResult`);
- :func:`greenway_components` and :func:`unit_table` are the report's parts on their own;
- :class:`GapsRequest` (:func:`parse_gaps_params`) is what the command line, the API and the
  page ask: how many candidates to list, which to build;
- :mod:`routing.gaps.export` writes the report as JSON, GeoJSON, CSV, GeoPackage and a Folium map.
"""

from routing.gaps.analysis import (
    Candidate,
    GapsParams,
    GapsReport,
    GreenwayComponent,
    PairChange,
    ScenarioResult,
    UnitPair,
    all_candidates,
    analyse_gaps,
    greenway_components,
    scenario,
    unit_table,
)
from routing.gaps.request import GAPS_PARAMS, GapsRequest, parse_gaps_params

__all__ = [
    "GAPS_PARAMS",
    "Candidate",
    "GapsParams",
    "GapsReport",
    "GapsRequest",
    "GreenwayComponent",
    "PairChange",
    "ScenarioResult",
    "UnitPair",
    "all_candidates",
    "analyse_gaps",
    "greenway_components",
    "parse_gaps_params",
    "scenario",
    "unit_table",
]

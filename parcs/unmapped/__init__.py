"""Unmapped links: straight lines standing for the streets between greenways the data does not map.

- :mod:`parcs.unmapped.network` — a plain network (nodes, edges) the rest works on;
- :mod:`parcs.unmapped.placement` — where links go (close in space, far on the network);
- :mod:`parcs.unmapped.calibration` — their length estimate and range (circuity on real OSM);
- :mod:`parcs.unmapped.osmfile` — real OSM street networks (the ground truth);
- :mod:`parcs.unmapped.validate` — routes on greenways + links against the true shortest paths.

The same code and parameters place links on real OSM networks (where they are judged,
``benchmarks/bench_unmapped.py``) and on the Artois open-data network.
"""

"""Travel profiles: speed models (walking, cycling, family walking) and green-preference factors.

Time of an edge
---------------
The network gives, per edge and per direction, the length ``L``, the hysteresis-filtered
``climb`` ``C`` and ``descent`` ``D`` (noise removed) and the raw elevation samples. The compiler
measures from the samples the length ``L_up`` over which the raw profile rises and ``L_down`` over
which it falls (:attr:`routing.CompiledNetwork.edge_up_len`). An edge is then timed as three
stretches::

    t = (L - L_up - L_down) / v(0)  +  L_up / v(C / L_up)  +  L_down / v(-D / L_down)

i.e. the filtered climb is spread over the rising part at its average grade, the descent over the
falling part, the rest is flat. On a noisy flat towpath ``C = D = 0`` and the whole edge is flat;
on a terril flank ``L_up ~ L`` and the grade is the true mean grade. This uses the filtered
figures (so SRTM noise does not slow walkers down) while keeping where the climbing happens; it is
exact for the piecewise-linear profiles of the unit tests. Each direction is timed with its own
figures, so costs are per direction.

Speed models
------------
- ``walk``: Tobler's hiking function ``6 exp(-3.5 |g + 0.05|)`` km/h on the signed grade ``g``
  (5.04 km/h on the flat, fastest on a gentle 5 % descent).
- ``bike``: a cycling power model ``P = v (m g (Crr cos(t) + sin(t))) + 0.5 rho CdA v^3`` solved for
  ``v`` (vectorised Newton), with ``P`` = 150 W, ``m`` = 85 kg (rider and bike), ``CdA`` = 0.4 m²,
  ``rho`` = 1.2 kg/m³ and ``Crr`` by surface (:data:`CRR`); capped at 35 km/h (25 km/h on
  unpaved) downhill, and never below 4 km/h (the cyclist walks the bike up a wall).
- ``family``: Tobler scaled to 3.5 km/h on the flat (children, pushchairs).

Costs
-----
``cost = time x factor``: the factor expresses the preference for greenways. Connectors (links the
data do not map: streets, field paths) cost ``connector_factor`` x their time, other non-greenway
kinds (``advised_route``, shared roads) ``road_factor`` x, and sections whose works ``status`` is
``planned`` (they may not exist yet) ``planned_factor`` x. Unmapped links (kind ``unmapped``:
straight lines standing for streets, with an estimated length) are used only when a request
allows them (the *direct* option) and cost ``unmapped_factor`` x (walk 1.5, bike 1.4, family 2.5)
their time over the estimated length. A request's ``prefer`` strength scales
every excess: ``factor = 1 + prefer (f - 1)``, so ``prefer = 0`` costs pure time and ``prefer = 2``
doubles the aversion. The family profile also multiplies unpaved surfaces by ``unpaved_factor``
(x3, whatever ``prefer``: a route still exists; ``avoid=("unpaved",)`` forbids them) and forbids
edges steeper than 5 % in the direction of travel, up *or* down (``grade_up`` or ``grade_down``).
Durations reported to users are always pure time, never cost. On networks built from
OpenStreetMap, edges whose ``foot_ok`` (walk, family) or ``bike_ok`` (bike) flag is False are
forbidden; roads with heavy traffic (``major``: primary, secondary, trunk) cost
``major_factor`` x more (x1.2 walk, x1.5 bike and family, scaled by ``prefer`` like the other
factors, on top of the connector factor: greenways still win); and where the cyclist may only
push the bike (``bike_push``: footways, steps, ``bicycle=dismount``) the bike profile moves at
:data:`PUSH_KMH` on the flat, on Tobler's curve (it is timed as walking with the bike).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

__all__ = ["CRR", "PROFILES", "PUSH_KMH", "Profile", "bike_speed", "tobler_kmh"]

#: Speed (km/h, on the flat) of a cyclist pushing the bike (Tobler's curve scaled to it).
PUSH_KMH = 4.0
#: Rolling resistance coefficient by surface.
CRR: dict[str, float] = {"paved": 0.005, "compacted": 0.008, "unpaved": 0.012, "unknown": 0.008}
G_ACC = 9.81


def tobler_kmh(grade: npt.ArrayLike) -> FloatArray:
    """Tobler's hiking speed (km/h) on a signed grade (fraction, positive uphill).

    >>> tobler_kmh([0.0, -0.05]).round(3).tolist()
    [5.037, 6.0]
    """
    g = np.asarray(grade, dtype=float)
    return np.asarray(6.0 * np.exp(-3.5 * np.abs(g + 0.05)), dtype=float)


def bike_speed(
    grade: npt.ArrayLike,
    crr: npt.ArrayLike,
    *,
    power: float = 150.0,
    mass: float = 85.0,
    cda: float = 0.4,
    rho: float = 1.2,
) -> FloatArray:
    """Steady cycling speed (m/s, uncapped) at constant ``power`` on a signed grade.

    Solves ``a v^3 + b v - P = 0`` with ``a = rho CdA / 2`` and
    ``b = m g (Crr cos(t) + sin(t))``, ``t = atan(grade)``, by Newton's method started right of the
    single positive root (the cubic is convex for ``v > 0``, so the iterates decrease monotonically).

    >>> bike_speed([0.0], [0.005]).round(2).tolist()
    [7.87]
    """
    g, c = np.broadcast_arrays(np.asarray(grade, dtype=float), np.asarray(crr, dtype=float))
    theta = np.arctan(g)
    a = 0.5 * rho * cda
    b = mass * G_ACC * (c * np.cos(theta) + np.sin(theta))
    v = 2.0 * np.sqrt(np.maximum(-b, 0.0) / a) + np.cbrt(power / a) + 1.0
    for _ in range(60):
        f = a * v**3 + b * v - power
        step = f / (3 * a * v**2 + b)
        v = v - step
        if np.all(np.abs(step) < 1e-12 * np.maximum(v, 1.0)):
            break
    return np.asarray(v, dtype=float)


@dataclass(frozen=True)
class Profile:
    """A way of travelling: a speed model and the factors of the cost (see the module doc).

    ``mode`` (``foot`` or ``bike``) selects the OSM access flag that must allow an edge
    (``foot_ok`` / ``bike_ok``; the open-data network allows every edge to both).
    """

    id: str
    label_fr: str
    mode: str
    model: str
    flat_kmh: float
    connector_factor: float
    road_factor: float
    planned_factor: float
    unpaved_factor: float = 1.0
    major_factor: float = 1.0
    unmapped_factor: float = 1.5
    max_grade: float | None = None
    max_kmh: float = 35.0
    max_kmh_unpaved: float = 25.0
    min_kmh: float = 4.0

    def speed_ms(self, grade: npt.ArrayLike, surface: npt.ArrayLike) -> FloatArray:
        """Speed in m/s on signed grades, for surfaces given as names (``paved``...).

        >>> round(float(PROFILES["walk"].speed_ms([0.0], ["paved"])[0] * 3.6), 3)
        5.037
        >>> round(float(PROFILES["family"].speed_ms([0.0], ["paved"])[0] * 3.6), 3)
        3.5
        """
        g = np.asarray(grade, dtype=float)
        surf = np.asarray(surface)
        if self.model == "tobler":
            kmh = tobler_kmh(g) * (self.flat_kmh / float(tobler_kmh(0.0)))
            return np.asarray(kmh / 3.6, dtype=float)
        names, inverse = np.unique(surf, return_inverse=True)
        crr = np.array([CRR.get(str(s), CRR["unknown"]) for s in names], dtype=float)[inverse]
        v = bike_speed(g, crr.reshape(surf.shape))
        cap = np.where(surf == "unpaved", self.max_kmh_unpaved, self.max_kmh) / 3.6
        return np.asarray(np.clip(v, self.min_kmh / 3.6, cap), dtype=float)


#: The profiles by id.
PROFILES: dict[str, Profile] = {
    p.id: p
    for p in (
        Profile("walk", "à pied", "foot", "tobler", 6.0 * float(np.exp(-0.175)), connector_factor=1.5,
                road_factor=1.3, planned_factor=1.2, major_factor=1.2),
        Profile("bike", "à vélo", "bike", "power", 0.0, connector_factor=1.3, road_factor=1.1,
                planned_factor=1.2, major_factor=1.5, unmapped_factor=1.4),
        Profile("family", "en famille", "foot", "tobler", 3.5, connector_factor=2.0, road_factor=1.6,
                planned_factor=1.2, unpaved_factor=3.0, major_factor=1.5, max_grade=0.05, unmapped_factor=2.5),
    )
}

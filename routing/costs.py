"""Per-edge travel times and costs of a profile and a set of constraints (cached arrays).

:func:`edge_times` gives the pure travel time of every directed edge for a profile;
:func:`edge_costs` the cost the searches minimise for a :class:`CostOptions` (profile, hard
``max_grade``, ``avoid`` list, ``prefer`` strength), ``np.inf`` for the edges the options forbid.
Both arrays are read-only and cached on the :class:`~routing.compiled.CompiledNetwork`, so that
the CSR matrices built from them (:mod:`routing.search`) are cached too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from parcs._errors import InvalidRequestError
from parcs.schema import KINDS
from routing.compiled import CompiledNetwork
from routing.profiles import PROFILES, PUSH_KMH, Profile

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

__all__ = ["AVOIDABLE", "CostOptions", "edge_costs", "edge_times", "forbidden_mask"]

#: What ``avoid`` accepts: edge kinds, ``planned`` (works status) and ``unpaved`` (surface).
AVOIDABLE: tuple[str, ...] = (*KINDS, "planned", "unpaved")


def _check_number(name: str, value: Any, *, low: float, allow_zero: bool = True) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"{name} must be a number, got {value!r}") from exc
    if not math.isfinite(out) or out < low or (out == low and not allow_zero):
        raise InvalidRequestError(f"{name} must be a finite number {'>=' if allow_zero else '>'} {low:g}, got {value!r}")
    return out


@dataclass(frozen=True)
class CostOptions:
    """What shapes the cost of edges: profile, hard grade limit, avoided kinds, preference.

    Parameters
    ----------
    profile
        A key of :data:`routing.PROFILES`.
    max_grade
        Hard limit (percent) on the uphill grade of an edge in the direction of travel
        (``grade_up``); steeper edges are removed.
    avoid
        Kinds of edge to remove: keys of :data:`parcs.schema.KINDS`, ``"planned"``, ``"unpaved"``.
    prefer
        Strength of the greenway preference (0 = pure time, 1 = the profile's factors).
    unmapped
        Whether the unmapped links (kind ``unmapped``, :mod:`parcs.unmapped`) may be used, at
        the profile's ``unmapped_factor``; they are removed otherwise (the greenest route).

    Examples
    --------
    >>> CostOptions("bike", avoid=("unpaved", "connector", "unpaved")).avoid
    ('connector', 'unpaved')
    """

    profile: str = "walk"
    max_grade: float | None = None
    avoid: tuple[str, ...] = ()
    prefer: float = 1.0
    unmapped: bool = False

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise InvalidRequestError(
                f"unknown profile {self.profile!r}; choose one of {', '.join(PROFILES)}"
            )
        if self.max_grade is not None:
            object.__setattr__(self, "max_grade", _check_number("max_grade", self.max_grade, low=0.0, allow_zero=False))
        if not (type(self.prefer) is float and 0.0 <= self.prefer < math.inf):  # else already valid
            object.__setattr__(self, "prefer", _check_number("prefer", self.prefer, low=0.0))
        if type(self.avoid) is tuple and not self.avoid:
            return
        avoid = (self.avoid,) if isinstance(self.avoid, str) else tuple(self.avoid)
        bad = [a for a in avoid if a not in AVOIDABLE]
        if bad:
            raise InvalidRequestError(
                f"cannot avoid {', '.join(map(repr, bad))}; choose among {', '.join(AVOIDABLE)}"
            )
        object.__setattr__(self, "avoid", tuple(sorted(set(avoid))))

    @property
    def profile_obj(self) -> Profile:
        """The :class:`~routing.profiles.Profile`."""
        return PROFILES[self.profile]

    @property
    def hard(self) -> bool:
        """Whether the options remove edges beyond those the profile itself forbids."""
        return self.max_grade is not None or bool(self.avoid)


def _as_options(options: Any) -> CostOptions:
    if isinstance(options, CostOptions):
        return options
    if hasattr(options, "cost_options"):
        out = options.cost_options()
        if isinstance(out, CostOptions):
            return out
    if isinstance(options, str):
        return CostOptions(options)
    raise TypeError(f"expected CostOptions, a RouteRequest or a profile name, got {type(options).__name__}")


def _split_lengths(cn: CompiledNetwork) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Flat, rising and falling lengths of each edge and the mean grades of the last two."""
    length = cn.edge_length
    climb, descent = cn.edge_climb, cn.edge_descent
    up = np.minimum(cn.edge_up_len, length)
    down = np.minimum(cn.edge_down_len, length - up)
    total = np.maximum(climb + descent, 1e-12)
    # Samples missing or flat but a filtered climb (should not happen): spread it by share.
    up = np.where((up <= 0) & (climb > 0), length * climb / total, up)
    down = np.where((down <= 0) & (descent > 0), np.maximum(length - up, 0.0) * descent / total, down)
    g_up = np.minimum(np.divide(climb, up, out=np.zeros_like(up), where=up > 0), 1.0)
    g_down = np.minimum(np.divide(descent, down, out=np.zeros_like(down), where=down > 0), 1.0)
    flat = np.maximum(length - up - down, 0.0)
    return flat, up, down, g_up, g_down


def _stretch_times(profile: Profile, parts: tuple[FloatArray, ...], surf: npt.NDArray[Any]) -> FloatArray:
    flat, up, down, g_up, g_down = parts
    v0 = profile.speed_ms(np.zeros_like(flat), surf)
    vu = profile.speed_ms(g_up, surf)
    vd = profile.speed_ms(-g_down, surf)
    t = flat / v0 + np.where(up > 0, up / vu, 0.0) + np.where(down > 0, down / vd, 0.0)
    return np.asarray(t, dtype=float)


def _times(cn: CompiledNetwork, profile: Profile) -> FloatArray:
    parts = _split_lengths(cn)
    surf = np.asarray(cn.surfaces)[cn.edge_surface]
    t = _stretch_times(profile, parts, surf)
    if profile.mode == "bike" and cn.edge_bike_push.any():
        walking = replace(PROFILES["walk"], flat_kmh=PUSH_KMH)
        t = np.where(cn.edge_bike_push, _stretch_times(walking, parts, surf), t)
    out = np.asarray(t, dtype=float)
    out.flags.writeable = False
    return out


def edge_times(cn: CompiledNetwork, profile: str | Profile) -> FloatArray:
    """Travel time (seconds) of every directed edge for a profile (read-only, cached).

    See :mod:`routing.profiles` for the model.
    """
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    return cn.cached(("times", prof), lambda: _times(cn, prof))


def forbidden_mask(cn: CompiledNetwork, options: Any) -> BoolArray:
    """Edges that ``options`` (and its profile's hard limits) remove."""
    opts = _as_options(options)
    prof = opts.profile_obj
    mask = ~np.isfinite(cn.edge_length) | ~(cn.edge_bike_ok if prof.mode == "bike" else cn.edge_foot_ok)
    if prof.max_grade is not None:
        limit = prof.max_grade + 1e-9
        mask |= (cn.edge_grade_up > limit) | (cn.edge_grade_down > limit)
    if opts.max_grade is not None:
        mask |= cn.edge_grade_up > opts.max_grade / 100.0 + 1e-9
    if not opts.unmapped:
        mask |= cn.edge_kind == _code(cn.kinds, "unmapped")
    for item in opts.avoid:
        if item == "planned":
            mask |= cn.edge_status == _code(cn.statuses, "planned")
        elif item == "unpaved":
            mask |= cn.edge_surface == _code(cn.surfaces, "unpaved")
        else:
            mask |= cn.edge_kind == _code(cn.kinds, item)
    return np.asarray(mask, dtype=bool)


def _code(vocab: tuple[str, ...], value: str) -> int:
    return vocab.index(value) if value in vocab else -1


def preference_factors(cn: CompiledNetwork, profile: Profile, prefer: float) -> FloatArray:
    """The multiplicative cost factor of every edge (1 on built greenways)."""
    green = np.array([bool(KINDS[k].greenway) if k in KINDS else False for k in cn.kinds])
    kind = cn.edge_kind
    connector = kind == _code(cn.kinds, "connector")
    unmapped = kind == _code(cn.kinds, "unmapped")
    road = ~green[kind] & ~connector & ~unmapped
    f = np.ones(cn.n_edges)
    f = np.where(connector, 1.0 + prefer * (profile.connector_factor - 1.0), f)
    f = np.where(unmapped, 1.0 + prefer * (profile.unmapped_factor - 1.0), f)
    f = np.where(road, 1.0 + prefer * (profile.road_factor - 1.0), f)
    planned = cn.edge_status == _code(cn.statuses, "planned")
    f = np.where(planned, f * (1.0 + prefer * (profile.planned_factor - 1.0)), f)
    if profile.major_factor != 1.0 and cn.edge_major.any():
        f = np.where(cn.edge_major, f * (1.0 + prefer * (profile.major_factor - 1.0)), f)
    unpaved = cn.edge_surface == _code(cn.surfaces, "unpaved")
    return np.asarray(np.where(unpaved, f * profile.unpaved_factor, f), dtype=float)


def _costs(cn: CompiledNetwork, opts: CostOptions) -> FloatArray:
    prof = opts.profile_obj
    cost = edge_times(cn, prof) * preference_factors(cn, prof, opts.prefer)
    cost = np.where(forbidden_mask(cn, opts), np.inf, cost)
    out = np.asarray(cost, dtype=float)
    out.flags.writeable = False
    return out


def edge_costs(cn: CompiledNetwork, options: Any) -> FloatArray:
    """Cost of every directed edge under ``options`` (``np.inf`` where forbidden).

    Parameters
    ----------
    cn
        The compiled network.
    options
        A :class:`CostOptions`, a :class:`routing.RouteRequest` or a profile name.

    Returns
    -------
    numpy.ndarray
        Read-only, cached per options: pass it as is to :func:`routing.shortest_path_tree` so
        that its CSR matrix is cached too.
    """
    opts = _as_options(options)
    return cn.cached(("costs", opts), lambda: _costs(cn, opts))

"""Back up and restore the offices' circuits as TOML or GeoJSON (``parcs circuits export|import``).

Both formats hold every stored field (:func:`webapp.editors.store.circuit_fields`): texts in both
languages, profile, start, places, mode and target, theme, notes, status, author, timestamps,
version, recorded figures and flag. GeoJSON adds each circuit's line on the current network when
one is given (``null`` geometry otherwise); import reads the properties only.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from typing import Any

from parcs._errors import DataError
from webapp.editors.store import (
    CircuitData,
    NotFoundError,
    Store,
    StoredCircuit,
    circuit_fields,
    data_from_fields,
)

FORMATS = ("toml", "geojson")


def _toml_value(value: Any) -> str:
    """A TOML value (JSON string/array escapes are valid TOML basic strings and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def export_toml(store: Store) -> str:
    """Every circuit as a TOML document (``[[circuit]]`` tables)."""
    lines = ["# Chaîne des parcs — circuits des offices de tourisme (parcs circuits export)", ""]
    for circuit in store.circuits():
        lines.append("[[circuit]]")
        for key, value in circuit_fields(circuit).items():
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def export_geojson(store: Store, *, network: Any | None = None) -> str:
    """Every circuit as a GeoJSON FeatureCollection (lines on ``network`` when given)."""
    features = []
    for circuit in store.circuits():
        features.append({"type": "Feature", "properties": circuit_fields(circuit),
                         "geometry": _geometry(network, circuit.data)})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      indent=1)


def _geometry(network: Any | None, data: CircuitData) -> dict[str, Any] | None:
    if network is None:
        return None
    from webapp.editors.compose import compose_or_reason

    composed, _reason = compose_or_reason(network, data)
    if composed is None:
        return None
    return {"type": "LineString",
            "coordinates": [[round(x, 6), round(y, 6)] for x, y in composed.itinerary.geometry]}


def read_backup(text: str, *, fmt: str) -> list[Mapping[str, Any]]:
    """The circuits' fields of a TOML or GeoJSON backup."""
    try:
        if fmt == "toml":
            items = tomllib.loads(text).get("circuit", [])
        else:
            items = [f["properties"] for f in json.loads(text)["features"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"sauvegarde illisible ({fmt}) : {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise DataError("sauvegarde illisible : une liste de circuits est attendue")
    return items


def import_backup(store: Store, text: str, *, fmt: str, author: str | None = None) -> list[str]:
    """Restore every circuit of a backup (replacing circuits of the same slug); their slugs.

    Each circuit keeps its recorded author when that account exists, else ``author``.
    """
    restored = []
    for fields in read_backup(text, fmt=fmt):
        data = data_from_fields(fields)
        try:
            editor = store.editor(str(fields.get("author", "")))
        except NotFoundError:
            if author is None:
                raise
            editor = store.editor(author)
        try:
            figures = dict(fields.get("figures") or {})
            circuit = StoredCircuit(
                0, data, str(fields.get("status", "draft")), editor.username, editor.id,
                float(fields.get("created_at", 0.0)), float(fields.get("updated_at", 0.0)),
                int(fields.get("version", 1)), figures, str(fields.get("flag", "")))
        except (TypeError, ValueError) as exc:
            raise DataError(f"circuit {data.slug} : champ invalide ({exc})") from exc
        if circuit.status not in ("draft", "published"):
            raise DataError(f"circuit {data.slug} : statut invalide")
        restored.append(store.restore(circuit, author=editor).slug)
    return restored

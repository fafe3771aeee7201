"""Pieces of the OpenAPI document shared by the endpoints' modules: media types, the query
parameter rules, and parameter schemas whose bounds come from :mod:`routing.bounds`."""

from __future__ import annotations

from typing import Any

from routing import bounds

GEOJSON = "application/geo+json"
JSON = "application/json"
GPX = "application/gpx+xml"
#: How every endpoint reads its query parameters (said once in the document's description).
PARAMETER_RULES = (
    "Query parameters: an empty value counts as absent (what an untouched form field sends); "
    "a single-valued parameter given twice is refused; repeatable parameters also accept "
    "comma-separated values (`via`: one place per line, since a place may hold a comma; a "
    "coordinate pair stays whole), and their `maxItems` counts the values once split; "
    "numbers accept a decimal comma. Text parameters are stripped and may not hold control or "
    "invisible characters (the `pattern` of their schema). Every bound is the command line's."
)


def param(name: str, description: str, schema: dict[str, Any], *, required: bool = False,
          repeat: bool = False, example: Any = None, max_items: int | None = None) -> dict[str, Any]:
    """A query parameter (optional ones accept an empty value, read as absent)."""
    if repeat:
        schema = {"type": "array", "items": schema}
        if max_items is not None:
            schema["maxItems"] = max_items
    out: dict[str, Any] = {"name": name, "in": "query", "required": required,
                           "description": description, "schema": schema}
    if not required:
        out["allowEmptyValue"] = True
    if repeat:
        out.update(style="form", explode=True)
    if example is not None:
        out["example"] = example
    return out


def place_schema(*, lines: bool = False) -> dict[str, Any]:
    """A place or id as text (:func:`routing.bounds.text_pattern`; ``lines``: one per line)."""
    return {"type": "string", "minLength": 1, "maxLength": bounds.MAX_PLACE_LENGTH,
            "pattern": bounds.text_pattern(extra_allowed="\n\r" if lines else "")}


def number_schema(low_high: tuple[float, float], **extra: Any) -> dict[str, Any]:
    """A number within inclusive bounds."""
    return {"type": "number", "minimum": low_high[0], "maximum": low_high[1], **extra}


def enum_schema(values: Any, **extra: Any) -> dict[str, Any]:
    """A string among ``values``."""
    return {"type": "string", "enum": list(values), **extra}
